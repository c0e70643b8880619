import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import { masvApiRequest } from '../../transport/request';

/**
 * Whether a cloud connection is a Storage Gateway (MASV Agent on premises), browsed with
 * `GET /v1/cloud_connections/providers/storage_gateway/{id}/files` instead of the S3-style route.
 * UNCERTAIN (docs/masv-api.md §14.1): the full provider list is not published; the gateway values
 * seen are `storage_gateway` and `<vendor>_sg` (`jellyfish_sg`, `synology_sg`, `desktop_sg`, …).
 */
export function isStorageGatewayProvider(provider: unknown): boolean {
	if (typeof provider !== 'string') return false;
	const value = provider.trim().toLowerCase();
	return value === 'storage_gateway' || value.endsWith('_sg');
}

/**
 * One page of a Storage Gateway folder (docs/masv-api.md §14.6, client-observed):
 * `{files: [...], more_data: bool}`. A bare array is accepted too, read as the last page.
 */
export function gatewayPage(body: unknown): { files: IDataObject[]; moreData: boolean } {
	if (Array.isArray(body)) return { files: body as IDataObject[], moreData: false };
	const record = (body ?? {}) as { files?: unknown; more_data?: unknown };
	const files = Array.isArray(record.files) ? (record.files as IDataObject[]) : [];
	return { files, moreData: record.more_data === true };
}

export async function getConnection(ctx: IExecuteFunctions, integrationId: string, itemIndex: number): Promise<IDataObject> {
	return await masvApiRequest<IDataObject>(ctx, {
		method: 'GET',
		path: `/v1/cloud_connections/${encodeURIComponent(integrationId)}`,
		itemIndex,
	});
}
