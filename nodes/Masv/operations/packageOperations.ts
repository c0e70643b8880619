import { NodeOperationError } from 'n8n-workflow';
import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import { linkInfo } from '../api/downloadFlow';
import { getMasvBaseUrl, masvPackageRequest } from '../api/request';
import type { MasvRequest } from '../api/request';
import { forEachItem, idParameter } from '../shared/items';
import { recordsOf } from '../shared/routing';
import { withoutTokens } from '../shared/secrets';
import { packageTokenForItem } from './packageToken';
import type { CustomOperations } from './types';
import { simplifyRecord } from '../shared/simplify';
import type { SimpleKind } from '../shared/simplify';

/** The browser page of a link (masv-api.md §7.5). */
const LINK_PAGE = 'https://get.massive.io';

const packagePath = (packageId: string, rest = '') => `/v1/packages/${encodeURIComponent(packageId)}${rest}`;

/**
 * One call on the item's package with its package token (`X-Package-Token`, no API key): the
 * token is `options.packageToken` or looked up from `teamId` + `packageId`.
 */
async function packageCall<T = unknown>(
	ctx: IExecuteFunctions,
	itemIndex: number,
	request: (packageId: string) => Omit<MasvRequest, 'itemIndex'>,
): Promise<{ packageId: string; body: T }> {
	const { packageId, token } = await packageTokenForItem(ctx, itemIndex);
	const baseUrl = await getMasvBaseUrl(ctx);
	const body = await masvPackageRequest<T>(ctx, baseUrl, token, { ...request(packageId), itemIndex });
	return { packageId, body };
}

function isRecord(value: unknown): value is IDataObject {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A MASV answer that may be empty (`{}`, `""`, nothing): the object, or `fallback`. */
function objectOr(body: unknown, fallback: IDataObject): IDataObject {
	return isRecord(body) && Object.keys(body).length > 0 ? withoutTokens(body) : fallback;
}

async function getFiles(this: IExecuteFunctions) {
	return await forEachItem(this, async (itemIndex) => {
		const returnAll = this.getNodeParameter('returnAll', itemIndex, false) as boolean;
		const limit = this.getNodeParameter('limit', itemIndex, 50) as number;
		// masv-api.md §7.3: a plain array of every file and zip, not paginated.
		const { body } = await packageCall(this, itemIndex, (id) => ({ method: 'GET', path: packagePath(id, '/files') }));
		const files = recordsOf(body).map((file) => simplifiedIfAsked(this, itemIndex, file, 'file'));
		return returnAll ? files : files.slice(0, Math.max(0, limit));
	});
}

async function finalize(this: IExecuteFunctions) {
	return await forEachItem(this, async (itemIndex) => {
		// masv-api.md §6.9: no body; repeating it is harmless (§19), so it is retried like a GET.
		const { packageId, body } = await packageCall(this, itemIndex, (id) => ({
			method: 'POST',
			path: packagePath(id, '/finalize'),
			idempotent: true,
		}));
		return objectOr(body, { id: packageId, finalized: true });
	});
}

async function deletePackage(this: IExecuteFunctions) {
	return await forEachItem(this, async (itemIndex) => {
		// masv-api.md §5.13: 204 without a body.
		const { packageId } = await packageCall(this, itemIndex, (id) => ({ method: 'DELETE', path: packagePath(id) }));
		return { deleted: true, id: packageId };
	});
}

async function updateExpiry(this: IExecuteFunctions) {
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
		// masv-api.md §5.12: the two valid bodies.
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

async function getTransfers(this: IExecuteFunctions) {
	return await forEachItem(this, async (itemIndex) => {
		// masv-api.md §14.8: a plain array of transfer objects.
		const { body } = await packageCall(this, itemIndex, (id) => ({ method: 'GET', path: packagePath(id, '/transfer') }));
		return recordsOf(body).map((record) => simplifiedIfAsked(this, itemIndex, withoutTokens(record), 'transfer'));
	});
}

function simplifiedIfAsked(ctx: IExecuteFunctions, itemIndex: number, record: IDataObject, kind: SimpleKind): IDataObject {
	return ctx.getNodeParameter('simplify', itemIndex, false) === true ? simplifyRecord(record, kind) : record;
}

async function sendToIntegration(this: IExecuteFunctions) {
	return await forEachItem(this, async (itemIndex) => {
		const integrationId = idParameter(this, 'integrationId', itemIndex);
		// masv-api.md §14.7, masv_to_cloud: the default direction, so only the connection is sent.
		const { packageId, body } = await packageCall(this, itemIndex, (id) => ({
			method: 'POST',
			path: packagePath(id, '/transfer'),
			body: { cloud_connection_id: integrationId },
		}));
		return objectOr(body, { package_id: packageId, cloud_connection_id: integrationId });
	});
}

/** The browser URL of a link (masv-api.md §7.5), when the answer has both its parts. */
function linkUrl(id: unknown, secret: unknown): string | undefined {
	if (typeof id !== 'string' || !id || typeof secret !== 'string' || !secret) return undefined;
	return `${LINK_PAGE}/${encodeURIComponent(id)}?secret=${encodeURIComponent(secret)}`;
}

async function createLink(this: IExecuteFunctions) {
	return await forEachItem(this, async (itemIndex) => {
		const email = String(this.getNodeParameter('email', itemIndex, '') ?? '').trim();
		const password = String(this.getNodeParameter('password', itemIndex, '') ?? '');
		// masv-api.md §8.2: an empty email makes a direct link. It is always sent, so that the body is
		// never empty (n8n sends no body at all for `{}`).
		const request: IDataObject = { email };
		if (password) request.password = password;
		// masv-api.md §8.2: not retried on a 5xx, a second link could be made.
		const { body } = await packageCall(this, itemIndex, (id) => ({
			method: 'POST',
			path: packagePath(id, '/links'),
			body: request,
		}));
		const link = objectOr(body, {});
		const url = linkUrl(link.id, link.download_secret);
		return url ? { ...link, url } : link;
	});
}

async function getLink(this: IExecuteFunctions) {
	return await forEachItem(this, async (itemIndex) => {
		const linkId = idParameter(this, 'linkId', itemIndex);
		const secret = idParameter(this, 'linkSecret', itemIndex);
		const password = String(this.getNodeParameter('linkPassword', itemIndex, '') ?? '');
		const body = await linkInfo(this, await getMasvBaseUrl(this), { linkId, secret, password }, itemIndex);
		const info = objectOr(body, { id: linkId });
		return { ...info, url: linkUrl(linkId, secret) };
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

export const packageTokenOperations: CustomOperations = {
	package: {
		delete: deletePackage,
		finalize,
		getFiles,
		getTransfers,
		sendToIntegration,
		updateExpiry,
	},
	link: {
		create: createLink,
		get: getLink,
	},
};
