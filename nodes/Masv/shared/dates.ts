import { NodeOperationError } from 'n8n-workflow';
import type { IExecuteSingleFunctions, IHttpRequestOptions, PreSendAction } from 'n8n-workflow';

/**
 * How a list takes its date filters (docs/masv-api.md §5.5, §5.10, §15.2; decision 4):
 * `dateTime` = `YYYY-MM-DDTHH:mm:SS` (team packages, received packages, activities), `day` =
 * `YYYY-MM-DD` (Teamspace packages).
 */
export type DateForm = 'dateTime' | 'day';

const pad = (value: number) => String(value).padStart(2, '0');

function utcDateTime(date: Date): string {
	return (
		`${date.getUTCFullYear()}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())}` +
		`T${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())}`
	);
}

/** A Date, a Luxon DateTime (from an expression) or anything else, as a Date when it is one. */
function asDate(value: unknown): Date | undefined {
	if (value instanceof Date) return value;
	if (value && typeof value === 'object' && typeof (value as { toJSDate?: unknown }).toJSDate === 'function') {
		return (value as { toJSDate: () => Date }).toJSDate();
	}
	return undefined;
}

/**
 * The one converter of every date filter of a list. A value with a time zone (or a Date / Luxon
 * DateTime from an expression) is sent in UTC; a value without one as written; a bare day is its
 * first second (`end` false) or its last second (`end` true). `day` keeps only the day of that.
 * `undefined` when empty; `null` when the value is not a date.
 */
export function filterDate(value: unknown, end: boolean, form: DateForm): string | undefined | null {
	if (value === undefined || value === null || value === '') return undefined;
	let dateTime: string;
	const date = asDate(value);
	if (date) {
		if (Number.isNaN(date.getTime())) return null;
		dateTime = utcDateTime(date);
	} else {
		const text = String(value).trim();
		if (text === '') return undefined;
		const day = /^\d{4}-\d{2}-\d{2}$/.exec(text);
		const local = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2})(:\d{2})?(\.\d+)?$/.exec(text);
		if (day) dateTime = `${text}T${end ? '23:59:59' : '00:00:00'}`;
		else if (local) dateTime = `${local[1]}T${local[2]}${local[3] ?? ':00'}`;
		else {
			const parsed = new Date(text);
			if (Number.isNaN(parsed.getTime())) return null;
			dateTime = utcDateTime(parsed);
		}
	}
	return form === 'day' ? dateTime.slice(0, 10) : dateTime;
}

/**
 * A preSend step that sends the date filter `filters.<filter>` as the query parameter `query`,
 * converted by `filterDate`; a value that is not a date stops the item, naming the filter.
 */
export function dateFilter(filter: string, label: string, query: string, end: boolean, form: DateForm): PreSendAction {
	return async function (this: IExecuteSingleFunctions, requestOptions: IHttpRequestOptions): Promise<IHttpRequestOptions> {
		const value = this.getNodeParameter(`filters.${filter}`, '') as unknown;
		const formatted = filterDate(value, end, form);
		if (formatted === null) {
			throw new NodeOperationError(this.getNode(), `"Filters > ${label}" is not a date: ${String(value).slice(0, 60)}`, {
				itemIndex: this.getItemIndex(),
				description: 'Use a date such as 2030-01-31 or 2030-01-31T18:00:00.',
			});
		}
		if (formatted) requestOptions.qs = { ...requestOptions.qs, [query]: formatted };
		return requestOptions;
	};
}

/** How far `timeZone`'s wall clock is ahead of UTC at instant `ms`. */
function zoneOffset(ms: number, timeZone: string): number {
	const parts = new Intl.DateTimeFormat('en-US', {
		timeZone,
		hourCycle: 'h23',
		year: 'numeric',
		month: '2-digit',
		day: '2-digit',
		hour: '2-digit',
		minute: '2-digit',
		second: '2-digit',
	}).formatToParts(new Date(ms));
	const get = (type: string) => Number(parts.find((part) => part.type === type)?.value ?? 0);
	const wall = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
	return wall - (ms - ((ms % 1000) + 1000) % 1000);
}

/** The instant at which the clocks of `timeZone` show `wall` (a wall time encoded as UTC ms). */
function fromWallTime(wall: number, timeZone: string): number {
	let offset: number;
	try {
		offset = zoneOffset(wall, timeZone);
	} catch {
		return wall;
	}
	const first = wall - offset;
	// Across a DST change the offset at the instant itself can differ from the first guess.
	return wall - zoneOffset(first, timeZone);
}

/**
 * The one converter of dates written into MASV objects (package expiry §5.13, portal expiry §9.1):
 * an ISO 8601 UTC timestamp. A date or date-time without a zone (what n8n's date picker gives) is
 * read in the workflow's time zone `timeZone`. `undefined` when the value is not a date.
 */
export function isoTimestamp(value: unknown, timeZone: string): string | undefined {
	let ms: number;
	const date = asDate(value);
	if (date) ms = date.getTime();
	else if (typeof value === 'number') ms = value;
	else if (typeof value === 'string') {
		const text = value.trim();
		const local = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3})\d*)?)?)?$/.exec(text);
		if (local) {
			const [, y, mo, d, h = '0', mi = '0', s = '0', frac = '0'] = local;
			ms = fromWallTime(Date.UTC(+y, +mo - 1, +d, +h, +mi, +s, Number(frac.padEnd(3, '0'))), timeZone);
		} else {
			ms = Date.parse(text);
		}
	} else {
		return undefined;
	}
	return Number.isFinite(ms) ? new Date(ms).toISOString() : undefined;
}
