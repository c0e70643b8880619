// The MASV calls of the download flow (docs/masv-api.md §7): link info, file list, download URL.
// The download-URL route and its answer are UNCERTAIN and live in `fileDownloadBlueprint` only.
import { NodeOperationError } from 'n8n-workflow';
import type { IDataObject } from 'n8n-workflow';

import type { StorageBlueprint } from './storage';
import { masvPackageRequest, masvPublicRequest } from '../transport/request';
import type { MasvContext } from '../transport/request';
import type { RetryPolicy } from '../transport/retry';

/** A package file as the file list describes it (§7.3). */
export interface PackageFile {
	id: string;
	kind: string;
	name: string;
	path: string;
	size: number;
	record: IDataObject;
}

export interface LinkCredentials {
	linkId: string;
	secret: string;
	password?: string;
}

/**
 * Link info (§7.2) as MASV answers it, download-level package token included. The link's secret
 * (and password) are its only credentials: no API key is sent.
 */
export async function linkInfo(ctx: MasvContext, baseUrl: string, link: LinkCredentials, itemIndex: number): Promise<unknown> {
	return await masvPublicRequest(
		ctx,
		baseUrl,
		{
			method: 'GET',
			path: `/v1/links/${encodeURIComponent(link.linkId)}`,
			qs: { secret: link.secret },
			headers: link.password ? { 'X-Link-Password': link.password } : {},
			itemIndex,
		},
		'link',
	);
}

/** The package behind a link and its download-level package token (§7.2). */
export async function linkPackage(
	ctx: MasvContext,
	baseUrl: string,
	link: LinkCredentials,
	itemIndex: number,
): Promise<{ packageId: string; token: string; name: string }> {
	const answer = (await linkInfo(ctx, baseUrl, link, itemIndex)) as IDataObject;
	const packageId = typeof answer?.package_id === 'string' ? answer.package_id : '';
	const token = typeof answer?.package_token === 'string' ? answer.package_token : '';
	if (!packageId || !token) {
		throw new NodeOperationError(ctx.getNode(), 'MASV returned the link without its package ID or token', { itemIndex });
	}
	return { packageId, token, name: String(answer.name ?? '') };
}

/** The files of a package (§7.3), zips included; `path` defaults to `""`. */
export async function listPackageFiles(
	ctx: MasvContext,
	baseUrl: string,
	packageId: string,
	token: string,
	itemIndex: number,
	policy?: RetryPolicy,
): Promise<PackageFile[]> {
	const answer = await masvPackageRequest<unknown>(ctx, baseUrl, token, {
		method: 'GET',
		path: `/v1/packages/${encodeURIComponent(packageId)}/files`,
		itemIndex,
		policy,
	});
	const list = Array.isArray(answer)
		? answer
		: Array.isArray((answer as IDataObject)?.records)
			? ((answer as IDataObject).records as unknown[])
			: [];
	return (list as IDataObject[])
		.filter((entry) => entry && typeof entry.id === 'string')
		.map((entry) => ({
			id: entry.id as string,
			kind: typeof entry.kind === 'string' ? entry.kind : 'file',
			name: typeof entry.name === 'string' ? entry.name : String(entry.id),
			path: typeof entry.path === 'string' ? entry.path : '',
			size: typeof entry.size === 'number' ? entry.size : Number(entry.size ?? 0),
			record: entry,
		}));
}

/**
 * UNCERTAIN (docs/masv-api.md §7.4): the per-file download URL. Route reconstructed as
 * `GET /v1/packages/{packageId}/files/{fileId}/download` (package token); the answer is read as a
 * blueprint-like object (`url`, else `download_url`; `method` default GET; `headers`), or a bare
 * string URL.
 */
export async function fileDownloadBlueprint(
	ctx: MasvContext,
	baseUrl: string,
	packageId: string,
	token: string,
	fileId: string,
	itemIndex: number,
	policy?: RetryPolicy,
): Promise<StorageBlueprint> {
	const answer = await masvPackageRequest<unknown>(ctx, baseUrl, token, {
		method: 'GET',
		path: `/v1/packages/${encodeURIComponent(packageId)}/files/${encodeURIComponent(fileId)}/download`,
		itemIndex,
		policy,
	});
	const blueprint = downloadBlueprintOf(answer);
	if (!blueprint) {
		throw new NodeOperationError(ctx.getNode(), `MASV returned no download URL for file ${fileId}`, { itemIndex });
	}
	return blueprint;
}

/** The download URL in any of the answer shapes of §7.4. */
export function downloadBlueprintOf(answer: unknown): StorageBlueprint | undefined {
	if (typeof answer === 'string') {
		const text = answer.trim().replace(/^"|"$/g, '');
		return /^https?:\/\//i.test(text) ? { method: 'GET', url: text } : undefined;
	}
	if (!answer || typeof answer !== 'object') return undefined;
	const record = answer as IDataObject;
	const url = typeof record.url === 'string' ? record.url : typeof record.download_url === 'string' ? record.download_url : '';
	if (!url) return undefined;
	const headers = record.headers && typeof record.headers === 'object' ? (record.headers as Record<string, string>) : undefined;
	return { method: typeof record.method === 'string' ? record.method : 'GET', url, headers };
}
