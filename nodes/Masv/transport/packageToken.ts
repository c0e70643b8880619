import { NodeOperationError } from 'n8n-workflow';
import type { IDataObject } from 'n8n-workflow';

import { masvApiRequest } from './request';
import type { MasvContext } from './request';

/**
 * The package token (`access_token`) of a team package, looked up with the API key
 * (`GET /v1.1/teams/{teamId}/packages/{packageId}`, docs/masv-api.md §5.7).
 */
export async function lookupPackageToken(
	ctx: MasvContext,
	teamId: string,
	packageId: string,
	itemIndex?: number,
): Promise<{ token: string; pkg: IDataObject }> {
	const pkg = await masvApiRequest<IDataObject>(ctx, {
		method: 'GET',
		path: `/v1.1/teams/${encodeURIComponent(teamId)}/packages/${encodeURIComponent(packageId)}`,
		itemIndex,
	});
	const token = pkg?.access_token;
	if (typeof token !== 'string' || !token) {
		throw new NodeOperationError(ctx.getNode(), `MASV returned package ${packageId} without an access token`, {
			itemIndex,
			description: 'The API key may not have full access to this package; give its token under Options > Package Token.',
		});
	}
	return { token, pkg };
}
