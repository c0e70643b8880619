// v1.1 list helpers (docs/masv-api.md §18.2): page/limit, comma-joined or repeated array filters,
// `sort` with `field` / `-field`, date-range filters.
import { ApiError, validationError } from './util';

/** Values of an array filter: `a,b` and repeated keys are both accepted (§1, UNCERTAIN #2). */
export function listParam(query: URLSearchParams, name: string): string[] {
	return query
		.getAll(name)
		.flatMap((v) => v.split(','))
		.map((v) => v.trim())
		.filter(Boolean);
}

export interface Page {
	page: number;
	limit: number;
}

function intParam(query: URLSearchParams, name: string): number | undefined {
	const raw = query.get(name);
	if (raw === null || raw.trim() === '') return undefined;
	const n = Number(raw);
	if (!Number.isInteger(n)) throw validationError(name, `${name} must be an integer`);
	return n;
}

/**
 * The largest `limit` each v1.1 list takes: the lowest cap any source documents for it
 * (docs/masv-api.md §18.2): 50 for team packages (§5.5) and Teamspaces (§10.4), 100 for the inbox,
 * Teamspace packages, portals and activities.
 */
export const LIMIT_CAP = {
	teamPackages: 50,
	teamspaces: 50,
	inbox: 100,
	teamspacePackages: 100,
	portals: 100,
	activities: 100,
} as const;

/**
 * `page` and `limit` (§18 UNCERTAIN #11, #12): the package, portal, inbox and activity lists count
 * pages from 1 (`page<=1` is the first page); the Teamspace reference counts from 0, so the
 * Teamspace lists are served 0-based (`firstPage` 0: page 0 is the first page, page 1 the second).
 * `limit` 1..`maxLimit` (the list's cap in `LIMIT_CAP`), default 50.
 */
export function pageParams(query: URLSearchParams, firstPage: 0 | 1, maxLimit: number): Page {
	const page = Math.max(1, (intParam(query, 'page') ?? firstPage) + (1 - firstPage));
	const limit = intParam(query, 'limit') ?? 50;
	if (limit < 1 || limit > maxLimit) throw validationError('limit', `limit must be between 1 and ${maxLimit}`);
	return { page, limit };
}

export function paginate<T>(records: T[], page: Page): T[] {
	const start = (page.page - 1) * page.limit;
	return records.slice(start, start + page.limit);
}

export type SortKey<T> = (record: T) => string | number;

/** Sorts by `sort` (`field` asc, `-field` desc); ties broken by creation order. */
export function applySort<T extends { seq: number }>(
	records: T[],
	sort: string | null,
	keys: Record<string, SortKey<T>>,
	fallback: string,
): T[] {
	const spec = sort && sort.trim() ? sort.trim() : fallback;
	const desc = spec.startsWith('-');
	const field = desc ? spec.slice(1) : spec;
	const key = keys[field];
	if (!key) throw validationError('sort', `sort must be one of ${Object.keys(keys).flatMap((k) => [k, `-${k}`]).join(', ')}`);
	return [...records].sort((a, b) => {
		const ka = key(a);
		const kb = key(b);
		const cmp = ka < kb ? -1 : ka > kb ? 1 : a.seq - b.seq;
		return desc ? -cmp : cmp;
	});
}

/**
 * Parses `created_at_start` / `created_at_end` style bounds: `YYYY-MM-DD` (an end date covers the
 * whole day) or a full date-time (`YYYY-MM-DDTHH:mm:SS`, taken as UTC when it has no offset).
 */
export function dateBound(query: URLSearchParams, name: string, end: boolean): number | undefined {
	const raw = query.get(name);
	if (raw === null || raw.trim() === '') return undefined;
	const value = raw.trim();
	if (/^\d{4}-\d{2}-\d{2}$/.test(value)) {
		const ms = Date.parse(`${value}T00:00:00.000Z`);
		if (Number.isNaN(ms)) throw validationError(name, `${name} must be a date`);
		return end ? ms + 24 * 3600 * 1000 - 1 : ms;
	}
	const withZone = /([zZ]|[+-]\d{2}:?\d{2})$/.test(value) ? value : `${value}Z`;
	const ms = Date.parse(withZone);
	if (Number.isNaN(ms)) throw validationError(name, `${name} must be YYYY-MM-DD or an ISO 8601 date-time`);
	return ms;
}

/**
 * A bound of a list that takes days only (the Teamspace package list, §5.10: `YYYY-MM-DD`): any
 * other form is refused. An end day covers the whole day.
 */
export function dayBound(query: URLSearchParams, name: string, end: boolean): number | undefined {
	const raw = query.get(name);
	if (raw === null || raw.trim() === '') return undefined;
	if (!/^\d{4}-\d{2}-\d{2}$/.test(raw.trim())) throw validationError(name, `${name} must be a date in the form YYYY-MM-DD`);
	return dateBound(query, name, end);
}

export function boolParam(query: URLSearchParams, name: string): boolean | undefined {
	const raw = query.get(name);
	if (raw === null || raw === '') return undefined;
	const v = raw.toLowerCase();
	if (v === '1' || v === 'true') return true;
	if (v === '0' || v === 'false') return false;
	throw new ApiError(400, `${name} must be a boolean`);
}
