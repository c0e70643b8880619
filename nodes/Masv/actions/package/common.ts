import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import { idParameter, isRecord } from '../../shared/items';
import { withoutTokens } from '../../shared/secrets';
import { simplifyRecord } from '../../shared/simplify';
import type { SimpleKind } from '../../shared/simplify';
import { lookupPackageToken } from '../../transport/packageToken';
import { getMasvBaseUrl, masvPackageRequest } from '../../transport/request';
import type { MasvRequest } from '../../transport/request';

/**
 * The package token for the item's `teamId` + `packageId`: `options.packageToken` when the user
 * gave one (packages the API key cannot see, such as portal packages), otherwise looked up; then
 * `pkg` is the package record the lookup read.
 */
export async function packageTokenForItem(
	ctx: IExecuteFunctions,
	itemIndex: number,
): Promise<{ packageId: string; token: string; pkg?: IDataObject }> {
	const packageId = idParameter(ctx, 'packageId', itemIndex);
	const options = ctx.getNodeParameter('options', itemIndex, {}) as { packageToken?: string };
	const given = typeof options.packageToken === 'string' ? options.packageToken.trim() : '';
	if (given) return { packageId, token: given };
	const teamId = idParameter(ctx, 'teamId', itemIndex);
	const { token, pkg } = await lookupPackageToken(ctx, teamId, packageId, itemIndex);
	return { packageId, token, pkg };
}

export const packagePath = (packageId: string, rest = '') => `/v1/packages/${encodeURIComponent(packageId)}${rest}`;

/**
 * One call on the item's package with its package token (`X-Package-Token`, no API key): the
 * token is `options.packageToken` or looked up from `teamId` + `packageId`.
 */
export async function packageCall<T = unknown>(
	ctx: IExecuteFunctions,
	itemIndex: number,
	request: (packageId: string, access: { baseUrl: string; token: string }) => Omit<MasvRequest, 'itemIndex'>,
): Promise<{ packageId: string; body: T }> {
	const { packageId, token } = await packageTokenForItem(ctx, itemIndex);
	const baseUrl = await getMasvBaseUrl(ctx);
	const body = await masvPackageRequest<T>(ctx, baseUrl, token, { ...request(packageId, { baseUrl, token }), itemIndex });
	return { packageId, body };
}

/** A MASV answer that may be empty (`{}`, `""`, nothing): the object, or `fallback`. */
export function objectOr(body: unknown, fallback: IDataObject): IDataObject {
	return isRecord(body) && Object.keys(body).length > 0 ? withoutTokens(body) : fallback;
}

export function simplifiedIfAsked(ctx: IExecuteFunctions, itemIndex: number, record: IDataObject, kind: SimpleKind): IDataObject {
	return ctx.getNodeParameter('simplify', itemIndex, false) === true ? simplifyRecord(record, kind) : record;
}
