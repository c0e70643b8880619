import { NodeOperationError } from 'n8n-workflow';
import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { showFor } from '../../shared/descriptions';
import { forEachItem } from '../../shared/items';
import { isRecord, objectOr, packageCall, packagePath } from './common';

const show = showFor('package');

export const description: INodeProperties[] = [
	{
		displayName: 'Unlimited Storage',
		name: 'unlimitedStorage',
		type: 'boolean',
		default: false,
		description:
			'Whether to keep the package without a time limit (extended storage may be billed). Leave off and set Expiry to give it a new expiry date instead.',
		displayOptions: show(['updateExpiry']),
	},
	{
		displayName: 'Expiry',
		name: 'expiry',
		type: 'dateTime',
		default: '',
		description:
			"New expiry date and time of the package (in the workflow's time zone unless the value names one). Leave empty when Unlimited Storage is on.",
		displayOptions: show(['updateExpiry']),
	},
];

export async function execute(this: IExecuteFunctions) {
	return await forEachItem(this, async (itemIndex) => {
		const unlimited = this.getNodeParameter('unlimitedStorage', itemIndex, false) as boolean;
		const rawExpiry = this.getNodeParameter('expiry', itemIndex, '') as unknown;
		const hasExpiry = !(rawExpiry === '' || rawExpiry === null || rawExpiry === undefined);
		if (unlimited && hasExpiry) {
			throw new NodeOperationError(
				this.getNode(),
				'"Unlimited Storage" (unlimitedStorage) and "Expiry" (expiry) cannot be used together',
				{
					itemIndex,
					description: 'Turn Unlimited Storage off to give the package an expiry date, or clear Expiry to keep it without a time limit.',
				},
			);
		}
		if (!unlimited && !hasExpiry) {
			throw new NodeOperationError(this.getNode(), 'Set "Expiry" (expiry) or turn on "Unlimited Storage" (unlimitedStorage)', {
				itemIndex,
				description: 'Update Expiry needs either a new expiry date or unlimited storage.',
			});
		}
		// docs/masv-api.md §5.12: the two valid bodies.
		const body: IDataObject = unlimited
			? { unlimited_storage: true }
			: { unlimited_storage: false, expiry: expiryIso(this, rawExpiry, itemIndex) };
		const result = await packageCall(this, itemIndex, (id) => ({
			method: 'PUT',
			path: packagePath(id, '/expiry'),
			body,
			idempotent: true,
		}));
		return objectOr(result.body, { id: result.packageId, ...body });
	});
}

/**
 * The value of a dateTime parameter as an ISO 8601 UTC timestamp. A date or date-time without a
 * zone (what n8n's date picker gives) is read in the workflow's time zone.
 */
export function expiryIso(ctx: IExecuteFunctions, value: unknown, itemIndex: number): string {
	const invalid = () =>
		new NodeOperationError(ctx.getNode(), `"Expiry" (expiry) is not a valid date: ${String(value).slice(0, 60)}`, {
			itemIndex,
			description: 'Use a date such as 2030-01-31 or 2030-01-31T18:00:00.',
		});
	let ms: number;
	if (value instanceof Date) {
		ms = value.getTime();
	} else if (isRecord(value) && typeof (value as { toMillis?: unknown }).toMillis === 'function') {
		ms = (value as unknown as { toMillis: () => number }).toMillis();
	} else if (typeof value === 'string') {
		const text = value.trim();
		const local = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3})\d*)?)?)?$/.exec(text);
		if (local) {
			const [, y, mo, d, h = '0', mi = '0', s = '0', frac = '0'] = local;
			const wall = Date.UTC(+y, +mo - 1, +d, +h, +mi, +s, Number(frac.padEnd(3, '0')));
			ms = fromWallTime(wall, ctx.getTimezone());
		} else {
			ms = Date.parse(text);
		}
	} else if (typeof value === 'number') {
		ms = value;
	} else {
		throw invalid();
	}
	if (!Number.isFinite(ms)) throw invalid();
	return new Date(ms).toISOString();
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
	const second = wall - zoneOffset(first, timeZone);
	return second;
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
	return wall - (ms - (ms % 1000 + 1000) % 1000);
}
