// After a create whose outcome is unknown (no answer, a reset, a lost reply, a 5xx), the node
// reads back what MASV holds instead of sending the create again blindly: see
// docs/reliability.md, "Creates", and docs/masv-api.md §19 for the routes and fields relied on.
//
// A record counts as made by this call when it matches what the call sent (a name, a subdomain, a
// URL, an email) and MASV's `created_at` is no earlier than a minute before the call was sent (the
// minute allows for the two clocks). One such record is adopted: the call returns it as MASV's
// answer. None: MASV did not carry the create out, and it may be sent again. Several, or a read-back
// that fails: the error names what may have been created.
import type { DeclarativeRestApiSettings, IDataObject, IExecuteSingleFunctions } from 'n8n-workflow';

import { masvApiRequest, masvPackageRequest } from './request';
import type { MasvContext } from './request';
import type { RetryPolicy } from './retry';

type SentRequest = DeclarativeRestApiSettings.HttpRequestOptions;

/** What a read-back concluded. */
export interface ReadBackOutcome {
	/** The one record the create made: the call returns it as if MASV had answered. */
	adopt?: IDataObject | IDataObject[];
	/** Why the node cannot tell, naming what may have been created: the call fails with it. */
	unknown?: string;
}

/** Neither field set: the read-back found nothing, MASV did not act, the create may be sent again. */
export const NOTHING_MADE: ReadBackOutcome = {};

/** A routed create's read-back (shared/routing.ts `route`, `create`). */
export interface CreateReadBack {
	/**
	 * Looks for what the create `request` (as sent, its path below the base URL in `url`) made,
	 * given that it was sent at `sentAt` (this machine's clock).
	 */
	resolve(ctx: IExecuteSingleFunctions, request: SentRequest, sentAt: number, policy: RetryPolicy): Promise<ReadBackOutcome>;
}

/** How far MASV's clock may be behind this machine's, for `created_at`. */
export const CLOCK_SKEW_MS = 60_000;

/** Whether MASV says `record` was created after `sentAt` (less the clock skew); true when it does not say. */
export function createdSince(record: IDataObject, sentAt: number): boolean {
	const created = Date.parse(String(record.created_at ?? ''));
	return Number.isNaN(created) || created >= sentAt - CLOCK_SKEW_MS;
}

/** The records of a list answer: a bare array, or the array under `key` or `records`. */
function records(body: unknown, key = 'records'): IDataObject[] {
	if (Array.isArray(body)) return body as IDataObject[];
	const value = body && typeof body === 'object' ? ((body as IDataObject)[key] ?? (body as IDataObject).records) : undefined;
	return Array.isArray(value) ? (value as IDataObject[]) : [];
}

const quoted = (text: unknown) => `"${String(text)}"`;

/** The outcome for the records that match a create: one is adopted, none means nothing was made. */
export function outcomeOf(found: IDataObject[], what: string): ReadBackOutcome {
	if (found.length === 0) return NOTHING_MADE;
	if (found.length === 1) return { adopt: found[0] };
	const ids = found.map((record) => String(record.id)).join(', ');
	return { unknown: `${what} may have been created: MASV did not answer, and holds ${found.length} that match (${ids}). Check which one to keep before running this again` };
}

/**
 * Runs a read-back; one that fails becomes an `unknown` outcome naming what may have been created
 * (the create's own error then says so), never a second create.
 */
export async function readBack(what: string, find: () => Promise<ReadBackOutcome>): Promise<ReadBackOutcome> {
	try {
		return await find();
	} catch (error) {
		return { unknown: `${what} may have been created: MASV did not answer, and reading it back failed too (${(error as Error).message}). Check before running this again` };
	}
}

/** A create that MASV offers no way to find again: the error names what may have been created. */
export function cannotReadBack(what: (request: SentRequest) => string): CreateReadBack {
	return {
		async resolve(_ctx, request) {
			return { unknown: `${what(request)} may have been created: MASV did not answer, and offers no way to look it up. Check before running this again` };
		},
	};
}

/** The team ID in a path like `/v1/teams/{teamId}/packages`. */
function teamOf(request: SentRequest): string | undefined {
	const match = /\/teams\/([^/?]+)\//.exec(request.url ?? '');
	return match ? decodeURIComponent(match[1]) : undefined;
}

/** The ID after `segment` in the request's path, e.g. the Teamspace of `/v1/spaces/{id}/members`. */
function idAfter(request: SentRequest, segment: string): string | undefined {
	const match = new RegExp(`/${segment}/([^/?]+)`).exec(request.url ?? '');
	return match ? decodeURIComponent(match[1]) : undefined;
}

function bodyOf(request: SentRequest): IDataObject {
	const body = request.body;
	return body && typeof body === 'object' && !Array.isArray(body) ? (body as IDataObject) : {};
}

/** A routed create's read-back from a function of the team, the body sent and the call's time. */
function routedReadBack(
	what: (body: IDataObject) => string,
	find: (ctx: MasvContext, ids: { team?: string; request: SentRequest }, body: IDataObject, sentAt: number, policy: RetryPolicy) => Promise<ReadBackOutcome | undefined>,
): CreateReadBack {
	return {
		async resolve(ctx, request, sentAt, policy) {
			const body = bodyOf(request);
			const label = what(body);
			const outcome = await readBack(label, async () => (await find(ctx, { team: teamOf(request), request }, body, sentAt, policy)) ?? { unknown: `${label} may have been created: MASV did not answer. Check before running this again` });
			return outcome;
		},
	};
}

/**
 * A team package (§5.3, §5.5): the newest `new` packages with the name sent, then the one found
 * read by ID (§5.7) for the whole record, its `access_token` included.
 */
export async function findTeamPackage(ctx: MasvContext, teamId: string, name: string, sentAt: number, policy: RetryPolicy): Promise<ReadBackOutcome> {
	const team = encodeURIComponent(teamId);
	const list = await masvApiRequest(ctx, {
		method: 'GET',
		path: `/v1.1/teams/${team}/packages`,
		qs: { status: 'new', name, sort: '-created_at', page: 1, limit: 50 },
		policy,
	});
	const found = records(list).filter((record) => record.name === name && createdSince(record, sentAt));
	const outcome = outcomeOf(found, `A package named ${quoted(name)}`);
	if (!outcome.adopt) return outcome;
	const id = encodeURIComponent(String((outcome.adopt as IDataObject).id));
	return { adopt: await masvApiRequest<IDataObject>(ctx, { method: 'GET', path: `/v1.1/teams/${team}/packages/${id}`, policy }) };
}

/** Package → Create. */
export const packageCreated = routedReadBack(
	(body) => `A package named ${quoted(body.name)}`,
	async (ctx, { team }, body, sentAt, policy) =>
		team && typeof body.name === 'string' && body.name ? await findTeamPackage(ctx, team, body.name, sentAt, policy) : undefined,
);

/** Portal → Create (§9.2, §9.3): the subdomain is unique, so it names the portal. */
export const portalCreated = routedReadBack(
	(body) => `A portal with the subdomain ${quoted(body.subdomain)}`,
	async (ctx, { team }, body, sentAt, policy) => {
		if (!team || typeof body.subdomain !== 'string' || !body.subdomain) return undefined;
		const list = await masvApiRequest(ctx, {
			method: 'GET',
			path: `/v1.1/teams/${encodeURIComponent(team)}/portals`,
			qs: { subdomain: body.subdomain, page: 1, limit: 50 },
			policy,
		});
		const found = records(list).filter((record) => record.subdomain === body.subdomain && createdSince(record, sentAt));
		return outcomeOf(found, `A portal with the subdomain ${quoted(body.subdomain)}`);
	},
);

/** Tag → Create (§11.2, §11.3). */
export const tagCreated = routedReadBack(
	(body) => `A tag named ${quoted(body.name)}`,
	async (ctx, { team }, body, sentAt, policy) => {
		if (!team || typeof body.name !== 'string' || !body.name) return undefined;
		const list = await masvApiRequest(ctx, { method: 'GET', path: `/v1/teams/${encodeURIComponent(team)}/tags`, policy });
		const found = records(list).filter((record) => record.name === body.name && createdSince(record, sentAt));
		return outcomeOf(found, `A tag named ${quoted(body.name)}`);
	},
);

/** Most pages of Teamspaces a read-back reads (50 each). */
const MAX_READ_BACK_PAGES = 20;

/** Teamspace → Create (§10.2, §10.4: pages from 0, list key `teamspaces`). */
export const teamspaceCreated = routedReadBack(
	(body) => `A Teamspace named ${quoted(body.name)}`,
	async (ctx, { team }, body, sentAt, policy) => {
		if (!team || typeof body.name !== 'string' || !body.name) return undefined;
		const found: IDataObject[] = [];
		for (let page = 0; page < MAX_READ_BACK_PAGES; page++) {
			const list = await masvApiRequest(ctx, {
				method: 'GET',
				path: `/v1.1/teams/${encodeURIComponent(team)}/spaces`,
				qs: { page, limit: 50 },
				policy,
			});
			const spaces = records(list, 'teamspaces');
			found.push(...spaces.filter((record) => record.name === body.name && createdSince(record, sentAt)));
			if (spaces.length < 50) break;
		}
		return outcomeOf(found, `A Teamspace named ${quoted(body.name)}`);
	},
);

/** Teamspace → Add Members (§10.7, §10.8): the memberships of the team members sent, made since the call. */
export const membersAdded = routedReadBack(
	(body) => `Teamspace memberships for ${(body.member_ids as string[] | undefined)?.join(', ') ?? 'the members'}`,
	async (ctx, { request }, body, sentAt, policy) => {
		const space = idAfter(request, 'spaces');
		const wanted = Array.isArray(body.member_ids) ? body.member_ids.map(String) : [];
		if (!space || wanted.length === 0) return undefined;
		const list = await masvApiRequest(ctx, { method: 'GET', path: `/v1/spaces/${encodeURIComponent(space)}/members`, policy });
		const made = records(list).filter((record) => wanted.includes(String(record.membership_id)) && createdSince(record, sentAt));
		if (made.length === 0) return NOTHING_MADE;
		if (made.length === wanted.length) return { adopt: made };
		return {
			unknown: `Some of the memberships may have been added: MASV did not answer, and the Teamspace now holds new memberships for ${made.map((record) => String(record.membership_id)).join(', ')} of ${wanted.join(', ')}. Check before running this again`,
		};
	},
);

/**
 * A custom webhook (§13.2; the list route of §13.3 is inferred): the team's webhooks with the URL,
 * method, events and name sent, made since the call.
 */
export async function findWebhook(ctx: MasvContext, teamId: string, body: IDataObject, sentAt: number, policy?: RetryPolicy): Promise<ReadBackOutcome> {
	const list = await masvApiRequest(ctx, { method: 'GET', path: `/v1/teams/${encodeURIComponent(teamId)}/custom_webhooks`, policy });
	const events = (value: unknown) => (Array.isArray(value) ? [...value].map(String).sort().join() : '');
	const found = records(list).filter(
		(record) =>
			record.url === body.url &&
			(body.method === undefined || record.method === body.method) &&
			(body.name === undefined || record.name === body.name) &&
			events(record.events) === events(body.events) &&
			createdSince(record, sentAt),
	);
	return outcomeOf(found, `A webhook for ${quoted(body.url)}`);
}

/** Webhook → Create. */
export const webhookCreated = routedReadBack(
	(body) => `A webhook for ${quoted(body.url)}`,
	async (ctx, { team }, body, sentAt, policy) =>
		team && typeof body.url === 'string' && body.url ? await findWebhook(ctx, team, body, sentAt, policy) : undefined,
);

/**
 * Link → Create (§8.2): the package's links (`GET /v1/packages/{id}/links`, inferred, §8.3) with the
 * email sent, made since the call. Where the route is missing the error names the link.
 */
export async function findLink(
	ctx: MasvContext,
	baseUrl: string,
	packageToken: string,
	packageId: string,
	email: string,
	sentAt: number,
	policy: RetryPolicy,
): Promise<ReadBackOutcome> {
	const what = `A link to package ${packageId}${email ? ` for ${email}` : ''}`;
	return await readBack(what, async () => {
		const list = await masvPackageRequest(ctx, baseUrl, packageToken, {
			method: 'GET',
			path: `/v1/packages/${encodeURIComponent(packageId)}/links`,
			policy,
		});
		const found = records(list).filter((record) => String(record.email ?? '') === email && createdSince(record, sentAt));
		return outcomeOf(found, what);
	});
}

/**
 * A transfer (§14.7, §14.8): the package's transfers to the connection sent, in the direction sent,
 * made since the call.
 */
export async function findTransfer(
	ctx: MasvContext,
	baseUrl: string,
	packageToken: string,
	packageId: string,
	body: IDataObject,
	sentAt: number,
	policy: RetryPolicy,
): Promise<ReadBackOutcome> {
	const what = `A transfer of package ${packageId} with integration ${String(body.cloud_connection_id)}`;
	return await readBack(what, async () => {
		const list = await masvPackageRequest(ctx, baseUrl, packageToken, {
			method: 'GET',
			path: `/v1/packages/${encodeURIComponent(packageId)}/transfer`,
			policy,
		});
		const direction = body.direction ?? 'masv_to_cloud';
		const found = records(list).filter(
			(record) =>
				String(record.cloud_connection_id ?? '') === String(body.cloud_connection_id) &&
				(record.direction === undefined || record.direction === direction) &&
				createdSince(record, sentAt),
		);
		return outcomeOf(found, what);
	});
}
