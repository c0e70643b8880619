import type { IDataObject } from 'n8n-workflow';

import { PageWalk } from '../shared/pages';
import { PAGE_SIZE, recordsOf, totalOf } from '../shared/routing';
import { masvApiRequest } from '../transport/request';
import type { MasvContext } from '../transport/request';

/**
 * Where the trigger reads packages from. Every reader returns records newest first
 * (`created_at` descending), the only order MASV's lists offer that helps: there is no
 * `finalized_at` or `updated_at` sort (docs/masv-api.md §5.5).
 */
export interface PackageSource {
	/** Packages still in `new` (being uploaded), newest first, at most `maxRecords`. */
	newPackages(maxRecords: number): Promise<IDataObject[]>;
	/** Finalized packages, newest first, one page at a time. */
	finalizedPages(): AsyncGenerator<IDataObject[]>;
	/** The most recent finalized package, for a manual test run. */
	latestFinalized(): Promise<IDataObject | undefined>;
}

/** Longest walk of one list in one poll; a safety stop against a server that ignores `page`. */
export const MAX_PAGES = 1000;

/**
 * A v1.1 package list (`page` + `limit`, `status`, `sort`, `{metadata: {total}, records}`).
 * Team packages start at page 1 (§5.5), Teamspace packages at page 0 (§5.10, §18.2).
 */
export function v11Source(ctx: MasvContext, path: string, firstPage: 0 | 1): PackageSource {
	async function* pages(status: string, limit: number): AsyncGenerator<IDataObject[]> {
		const walk = new PageWalk<IDataObject>(limit, (record) => record.id, MAX_PAGES);
		for (let page = firstPage; ; page++) {
			const body = await masvApiRequest(ctx, {
				method: 'GET',
				path,
				qs: { page, limit, status, sort: '-created_at' },
			});
			const records = recordsOf(body);
			yield records;
			if (!walk.page(records, totalOf(body)).more) return;
		}
	}

	return {
		async newPackages(maxRecords) {
			const found = new Map<string, IDataObject>();
			for await (const records of pages('new', PAGE_SIZE)) {
				for (const record of records) found.set(String(record.id), record);
				if (found.size >= maxRecords) break;
			}
			return [...found.values()].slice(0, maxRecords);
		},
		finalizedPages: () => pages('finalized', PAGE_SIZE),
		async latestFinalized() {
			const body = await masvApiRequest(ctx, {
				method: 'GET',
				path,
				qs: { page: firstPage, limit: 1, status: 'finalized', sort: '-created_at' },
			});
			return recordsOf(body)[0];
		},
	};
}

/**
 * A portal's packages through the legacy list `GET /v1/portals/{portalId}/packages` (§5.9): one
 * call, a plain array of every package in the states asked for, selected by portal ID. Preferred to
 * the v1.1 inbox (§5.8, UNCERTAIN route), which filters by portal *name* (a substring match that
 * can catch other portals) and needs the portal's team. All four state flags are sent, so the
 * defaults §5.9 leaves open do not matter. The list is sorted here, newest first.
 */
export function portalSource(ctx: MasvContext, portalId: string): PackageSource {
	const path = `/v1/portals/${encodeURIComponent(portalId)}/packages`;
	const read = async (withNew: boolean): Promise<IDataObject[]> => {
		const body = await masvApiRequest(ctx, {
			method: 'GET',
			path,
			qs: { new: withNew, finalized: true, expired: false, archived: false },
		});
		return newestFirst(recordsOf(body));
	};
	// One snapshot serves the poll's `new` and `finalized` reads: the `new` read must not come
	// after the finalized one (see poll.ts), and a single answer is both at once.
	let snapshot: Promise<IDataObject[]> | undefined;
	const both = async () => await (snapshot ??= read(true));
	return {
		async newPackages(maxRecords) {
			return (await both()).filter((pkg) => pkg.state === 'new').slice(0, maxRecords);
		},
		async *finalizedPages() {
			yield (await both()).filter((pkg) => pkg.state === 'finalized');
		},
		async latestFinalized() {
			return (await read(false)).find((pkg) => pkg.state === 'finalized');
		},
	};
}

export function createdAtMs(pkg: IDataObject): number {
	return typeof pkg.created_at === 'string' ? Date.parse(pkg.created_at) : NaN;
}

function newestFirst(records: IDataObject[]): IDataObject[] {
	return [...records].sort((a, b) => (createdAtMs(b) || 0) - (createdAtMs(a) || 0));
}
