// After a create whose outcome is unknown (no answer, a reset, a lost reply, a 5xx), the node
// reads back what MASV holds instead of sending the create again blindly: see
// docs/reliability.md, "Creates". One function per kind of record; the MASV routes and fields
// they rely on are listed in docs/masv-api.md §19.
import type { DeclarativeRestApiSettings, IDataObject, IExecuteSingleFunctions } from 'n8n-workflow';

type SentRequest = DeclarativeRestApiSettings.HttpRequestOptions;

import type { RetryPolicy } from './retry';

/** What a read-back concluded. */
export interface ReadBackOutcome {
	/** The one record the create made: the call returns it as if MASV had answered. */
	adopt?: IDataObject | IDataObject[];
	/** Why the node cannot tell, naming what may have been created: the call fails with it. */
	unknown?: string;
}

/** Neither field set: the read-back found nothing, MASV did not act, the create may be sent again. */
export const NOTHING_MADE: ReadBackOutcome = {};

export interface CreateReadBack {
	/**
	 * Looks for what the create `request` (as sent, its path below the base URL in `url`) made,
	 * given that it was sent at `sentAt` (this machine's clock).
	 */
	resolve(ctx: IExecuteSingleFunctions, request: SentRequest, sentAt: number, policy: RetryPolicy): Promise<ReadBackOutcome>;
}

/** A create that MASV offers no way to find again: the error names what may have been created. */
export function cannotReadBack(what: (request: SentRequest) => string): CreateReadBack {
	return {
		async resolve(_ctx, request) {
			return { unknown: `${what(request)} may have been created: MASV did not answer, and offers no way to look it up. Check before running this again` };
		},
	};
}
