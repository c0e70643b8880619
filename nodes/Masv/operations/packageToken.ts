import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import { lookupPackageToken } from '../api/packageToken';
import { idParameter } from '../shared/items';

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
