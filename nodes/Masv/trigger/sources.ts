import type { IDataObject } from 'n8n-workflow';

import { PageWalk } from '../shared/pages';
import { PAGE_SIZE, recordsOf, totalOf } from '../shared/routing';
import { masvApiRequest } from '../transport/request';
import type { MasvContext } from '../transport/request';
import type { RetryPolicy } from '../transport/retry';
import { unlessGone } from '../transport/webhooks';

/**
 * One read of a package list. `settled` says that no record can have been skipped: the list did
 * not change under the read in a way that moves records between pages (see `walkList`).
 */
export interface ListRead {
	records: IDataObject[];
	settled: boolean;
}

/**
 * Where the trigger reads packages from. Every reader returns records newest first
 * (`created_at` descending), the only order MASV's lists offer that helps: there is no
 * `finalized_at` or `updated_at` sort (docs/masv-api.md §5.5).
 */
export interface PackageSource {
	/** Packages still in `new` (being uploaded), newest first, at most `maxRecords`. */
	readNew(maxRecords: number): Promise<ListRead>;
	/** Finalized packages newest first, down to the first page that reaches below `floor` (created_at, ms). */
	readFinalized(floor: number): Promise<ListRead>;
	/** The package as MASV has it now, or undefined when MASV no longer has it (deleted). */
	lookup(id: string): Promise<IDataObject | undefined>;
	/** The most recent finalized package, for a manual test run. */
	latestFinalized(): Promise<IDataObject | undefined>;
}

/** Longest walk of one list in one read; a safety stop against a server that ignores `page`. */
export const MAX_PAGES = 1000;

/** Walks of one list per read before it counts as not settled. */
export const MAX_WALKS = 3;

interface Walk {
	records: IDataObject[];
	/** `metadata.total` of every page read (undefined where a page had none). */
	totals: Array<number | undefined>;
}

/**
 * Reads a v1.1 list by page number until `enough` says so or the list ends. Page numbers address
 * offsets, so a record that leaves the list above the page being read moves every later record up
 * by one and the first record of the next page is skipped; one that enters above moves them down
 * and a record is read twice (PageWalk drops the second copy).
 *
 * A walk is settled when it read one page, or when every page reported the same
 * `metadata.total`. Packages enter the `new` list only at its top (a new upload is the newest),
 * so an unchanged total there means that no record left above the read either. A walk that is not
 * settled is repeated, up to MAX_WALKS times; the first settled walk is the answer, and when none
 * settles the records of all walks are joined. Where MASV gives no total, a repeated walk that
 * returns the same IDs in the same order settles it. (In the finalized list a package can also
 * enter below the read, when a long upload finishes; one leaving above and one entering below
 * within the same read keep the total and can still skip a record. Such a package is read again by
 * the next polls while it is within the look-back, and a pending one is looked up by ID.)
 */
export async function walkList(
	readPage: (page: number) => Promise<unknown>,
	firstPage: 0 | 1,
	enough: (records: IDataObject[]) => boolean,
): Promise<ListRead> {
	const joined = new Map<string, IDataObject>();
	let previousIds: string | undefined;
	for (let attempt = 1; attempt <= MAX_WALKS; attempt++) {
		const walk = await walkOnce(readPage, firstPage, enough);
		const ids = walk.records.map((record) => String(record.id)).join(',');
		const totals = walk.totals;
		const steadyTotal = totals.every((total) => total !== undefined && total === totals[0]);
		if (totals.length <= 1 || steadyTotal || ids === previousIds) {
			// A settled walk is the list as it is: records that only earlier walks saw have left it.
			return { records: newestFirst(walk.records), settled: true };
		}
		for (const record of walk.records) joined.set(String(record.id), record);
		previousIds = ids;
	}
	return { records: newestFirst([...joined.values()]), settled: false };
}

async function walkOnce(
	readPage: (page: number) => Promise<unknown>,
	firstPage: 0 | 1,
	enough: (records: IDataObject[]) => boolean,
): Promise<Walk> {
	const walk = new PageWalk<IDataObject>(PAGE_SIZE, (record) => record.id, MAX_PAGES);
	const records: IDataObject[] = [];
	const totals: Array<number | undefined> = [];
	for (let page = firstPage; ; page++) {
		const body = await readPage(page);
		const total = totalOf(body);
		totals.push(total);
		const { fresh, more } = walk.page(recordsOf(body), total);
		for (const record of fresh) {
			if (record.id !== undefined && record.id !== null && record.id !== '') records.push(record);
		}
		if (!more || enough(records)) return { records, totals };
	}
}

/**
 * A v1.1 package list (`page` + `limit`, `status`, `sort`, `{metadata: {total}, records}`).
 * Team packages start at page 1 (§5.5), Teamspace packages at page 0 (§5.10, §18.2). `lookup`
 * reads one package of the team (`teamOf` names the team: the Teamspace's, for its list). Every
 * call is made under `policy`, the poll's (`pollPolicy`: one deadline for all of them).
 */
export function v11Source(
	ctx: MasvContext,
	path: string,
	firstPage: 0 | 1,
	teamOf: () => Promise<string>,
	policy: RetryPolicy,
): PackageSource {
	const readPage = (status: string, limit: number) => async (page: number) =>
		await masvApiRequest(ctx, { policy, method: 'GET', path, qs: { page, limit, status, sort: '-created_at' } });

	return {
		async readNew(maxRecords) {
			const read = await walkList(readPage('new', PAGE_SIZE), firstPage, (records) => records.length >= maxRecords);
			return { ...read, records: read.records.slice(0, maxRecords) };
		},
		async readFinalized(floor) {
			return await walkList(readPage('finalized', PAGE_SIZE), firstPage, (records) =>
				records.some((record) => createdAtMs(record) < floor),
			);
		},
		async lookup(id) {
			const teamId = await teamOf();
			return await unlessGone(ctx.getNode(), async () =>
				await masvApiRequest<IDataObject>(ctx, {
					policy,
					method: 'GET',
					path: `/v1.1/teams/${encodeURIComponent(teamId)}/packages/${encodeURIComponent(id)}`,
				}),
			);
		},
		async latestFinalized() {
			return recordsOf(await readPage('finalized', 1)(firstPage))[0];
		},
	};
}

/**
 * A portal's packages through the legacy list `GET /v1/portals/{portalId}/packages` (§5.9): one
 * call, a plain array of every package in the states asked for, selected by portal ID. Preferred to
 * the v1.1 inbox (§5.8, UNCERTAIN route), which filters by portal *name* (a substring match that
 * can catch other portals) and needs the portal's team. All four state flags are sent, so the
 * defaults §5.9 leaves open do not matter. The list is sorted here, newest first. One answer is the
 * whole list at one moment, so its reads are always settled, and a package missing from it in
 * every state is gone. Its calls are made under `policy`, the poll's.
 */
export function portalSource(ctx: MasvContext, portalId: string, policy: RetryPolicy): PackageSource {
	const path = `/v1/portals/${encodeURIComponent(portalId)}/packages`;
	const read = async (withNew: boolean, withGone: boolean): Promise<IDataObject[]> => {
		const body = await masvApiRequest(ctx, {
			policy,
			method: 'GET',
			path,
			qs: { new: withNew, finalized: true, expired: withGone, archived: withGone },
		});
		return newestFirst(recordsOf(body));
	};
	// One snapshot serves the poll's `new` and `finalized` reads: the `new` read must not come
	// after the finalized one (see poll.ts), and a single answer is both at once.
	let snapshot: Promise<IDataObject[]> | undefined;
	const both = async () => await (snapshot ??= read(true, false));
	let everything: Promise<IDataObject[]> | undefined;
	return {
		async readNew(maxRecords) {
			return { records: (await both()).filter((pkg) => pkg.state === 'new').slice(0, maxRecords), settled: true };
		},
		async readFinalized() {
			return { records: (await both()).filter((pkg) => pkg.state === 'finalized'), settled: true };
		},
		async lookup(id) {
			everything ??= read(true, true);
			return (await everything).find((pkg) => String(pkg.id) === id);
		},
		async latestFinalized() {
			return (await read(false, false)).find((pkg) => pkg.state === 'finalized');
		},
	};
}

export function createdAtMs(pkg: IDataObject): number {
	return typeof pkg.created_at === 'string' ? Date.parse(pkg.created_at) : NaN;
}

function newestFirst(records: IDataObject[]): IDataObject[] {
	return [...records].sort((a, b) => (createdAtMs(b) || 0) - (createdAtMs(a) || 0));
}
