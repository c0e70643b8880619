// The MASV calls of the upload flow (docs/masv-api.md §5.3, §5.4, §6, §9.8). Every guess the reference
// marks UNCERTAIN sits in one named function below, with the section it comes from.
import { NodeOperationError } from 'n8n-workflow';
import type { IDataObject, INode } from 'n8n-workflow';

import type { PartLimits } from './parts';
import type { StorageBlueprint } from './storage';
import type { AddedFile, FileFinalize, NewFile, UploadedPart, UploadFlowApi } from './upload';
import { findTeamPackage, readBack } from '../transport/readBack';
import { masvApiRequest, masvPackageRequest, masvPublicRequest } from '../transport/request';
import type { MasvContext } from '../transport/request';
import { CLEANUP_POLICY, DEFAULT_POLICY } from '../transport/retry';
import type { RetryPolicy } from '../transport/retry';

/** A package being uploaded to, with the token of its upload calls. */
export interface UploadPackage {
	id: string;
	name: string;
	state: string;
	/** The package token (`access_token`): never output, logged or sent to storage. */
	token: string;
}

function packageOf(ctx: MasvContext, answer: IDataObject, itemIndex: number): UploadPackage {
	const id = typeof answer?.id === 'string' ? answer.id : '';
	const token = typeof answer?.access_token === 'string' ? answer.access_token : '';
	if (!id || !token) {
		throw new NodeOperationError(ctx.getNode(), 'MASV created the package but returned no ID or access token', { itemIndex });
	}
	return { id, token, name: String(answer.name ?? ''), state: String(answer.state ?? 'new') };
}

/** A new team package (§5.3, API key), and MASV's answer as it came (its token included). */
export async function createTeamPackage(
	ctx: MasvContext,
	teamId: string,
	body: { name: string; description: string; recipients: string[] },
	itemIndex: number,
	policy: RetryPolicy = DEFAULT_POLICY,
): Promise<{ pkg: UploadPackage; answer: IDataObject }> {
	// Not idempotent: after a doubt (no answer, a 5xx) the package is read back and adopted, so that
	// a lost reply never leaves a second package (transport/readBack.ts).
	const answer = await masvApiRequest<IDataObject>(ctx, {
		method: 'POST',
		path: `/v1/teams/${encodeURIComponent(teamId)}/packages`,
		body: { name: body.name, description: body.description, recipients: body.recipients },
		itemIndex,
		policy,
		creates: `A package named "${body.name}"`,
		readBack: body.name
			? async (sentAt) => await readBack(`A package named "${body.name}"`, async () => await findTeamPackage(ctx, teamId, body.name, sentAt, policy))
			: undefined,
	});
	return { pkg: packageOf(ctx, answer, itemIndex), answer };
}

/** A new package on a portal found by its subdomain (§9.8 then §5.4; both without credentials). */
export async function createPortalPackage(
	ctx: MasvContext,
	baseUrl: string,
	subdomain: string,
	body: { name: string; sender: string; description: string },
	itemIndex: number,
	policy: RetryPolicy = DEFAULT_POLICY,
): Promise<UploadPackage> {
	const portal = await masvPublicRequest<IDataObject>(ctx, baseUrl, {
		method: 'GET',
		path: `/v1/subdomains/portals/${encodeURIComponent(subdomain)}`,
		itemIndex,
		policy,
	});
	const portalId = typeof portal?.id === 'string' ? portal.id : '';
	if (!portalId) {
		throw new NodeOperationError(ctx.getNode(), `MASV returned no portal for the subdomain "${subdomain}"`, { itemIndex });
	}
	const answer = await masvPublicRequest<IDataObject>(ctx, baseUrl, {
		method: 'POST',
		path: `/v1/portals/${encodeURIComponent(portalId)}/packages`,
		body: { name: body.name, sender: body.sender, description: body.description },
		itemIndex,
		policy,
		// Without credentials MASV offers no list of a portal's packages to read back (§5.4).
		creates: `A package named "${body.name}" on the portal "${subdomain}"`,
	});
	return packageOf(ctx, answer, itemIndex);
}

/** Finalizes the package (§6.9, package token, no body): recipients are told, links go live. */
export async function finalizePackage(
	ctx: MasvContext,
	baseUrl: string,
	pkg: UploadPackage,
	itemIndex: number,
	policy: RetryPolicy = DEFAULT_POLICY,
): Promise<IDataObject> {
	return await masvPackageRequest<IDataObject>(ctx, baseUrl, pkg.token, {
		method: 'POST',
		path: `/v1/packages/${encodeURIComponent(pkg.id)}/finalize`,
		idempotent: true,
		itemIndex,
		policy,
	});
}

/**
 * UNCERTAIN (docs/masv-api.md §6.2, §6.4): the add-file answer may repeat the storage limits; the part
 * count is spelled `max_chunk_count` (spec endpoint) or `max_chunks_count` (one client). Both are read.
 */
export function addFileLimits(answer: IDataObject): Partial<PartLimits> {
	const limits: Partial<PartLimits> = {};
	const positive = (value: unknown) => (typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : undefined);
	const count = positive(answer.max_chunk_count) ?? positive(answer.max_chunks_count);
	const max = positive(answer.max_chunk_size);
	const min = positive(answer.min_chunk_size);
	if (count !== undefined) limits.maxPartCount = count;
	if (max !== undefined) limits.maxPartSize = max;
	if (min !== undefined) limits.minPartSize = min;
	return limits;
}

/** UNCERTAIN (docs/masv-api.md §6.4): `create_blueprint` is current; one client also reads `createBlueprint`. */
export function createBlueprintOf(answer: IDataObject): StorageBlueprint | undefined {
	const blueprint = (answer.create_blueprint ?? answer.createBlueprint) as StorageBlueprint | undefined;
	return blueprint && typeof blueprint.url === 'string' ? blueprint : undefined;
}

/**
 * UNCERTAIN (docs/masv-api.md §6.5): the create blueprint answers S3's InitiateMultipartUploadResult XML;
 * its `UploadId` is read by tag (with or without a namespace prefix). A JSON answer with
 * `UploadId`/`upload_id` is accepted too, in case a non-S3 backend answers that way.
 */
export function parseUploadId(body: string): string | undefined {
	const xml = /<(?:[\w-]+:)?UploadId>\s*([^<]*?)\s*<\/(?:[\w-]+:)?UploadId>/.exec(body);
	if (xml?.[1]) return decodeXml(xml[1]);
	try {
		const json = JSON.parse(body) as IDataObject;
		const id = json?.UploadId ?? json?.upload_id ?? json?.uploadId;
		if (typeof id === 'string' && id) return id;
	} catch {
		return undefined;
	}
	return undefined;
}

function decodeXml(text: string): string {
	return text
		.replace(/&lt;/g, '<')
		.replace(/&gt;/g, '>')
		.replace(/&quot;/g, '"')
		.replace(/&apos;/g, "'")
		.replace(/&amp;/g, '&');
}

/**
 * UNCERTAIN (docs/masv-api.md §6.8): `chunk_extras` items are `{partNumber, etag}` with the part number
 * as a decimal string (the official uploader's type) and the ETag exactly as storage sent it,
 * quotes included.
 */
export function chunkExtras(parts: UploadedPart[]): IDataObject[] {
	return parts.map((part) => ({ partNumber: String(part.partNumber), etag: part.etag }));
}

/** The add-file → part URLs → finalize-file calls for one package, as the upload engine uses them. */
export function uploadFlowApi(
	ctx: MasvContext,
	baseUrl: string,
	pkg: UploadPackage,
	itemIndex: number,
	policy: RetryPolicy = DEFAULT_POLICY,
): UploadFlowApi {
	const node: INode = ctx.getNode();
	const filePath = (fileId: string) => `/v1/packages/${encodeURIComponent(pkg.id)}/files/${encodeURIComponent(fileId)}`;
	return {
		async addFile(file: NewFile): Promise<AddedFile> {
			// §6.4. Not idempotent (a repeat would add a second file), and MASV lists only finished
			// files (§7.3), so after a doubt the error names the file record that may be left.
			const answer = await masvPackageRequest<IDataObject>(ctx, baseUrl, pkg.token, {
				method: 'POST',
				path: `/v1/packages/${encodeURIComponent(pkg.id)}/files`,
				body: {
					kind: 'file',
					name: file.name,
					path: file.path,
					size: file.size,
					chunk_size: file.partSize,
					...(file.lastModified ? { last_modified: file.lastModified } : {}),
				},
				itemIndex,
				policy,
				creates: `An unfinished file record for "${file.name}" in package ${pkg.id}`,
			});
			const record = (answer?.file ?? {}) as IDataObject;
			const fileId = typeof record.id === 'string' ? record.id : '';
			const createBlueprint = createBlueprintOf(answer ?? {});
			if (!fileId || !createBlueprint) {
				throw new NodeOperationError(node, `MASV accepted the file "${file.name}" but returned no file ID or upload blueprint`, {
					itemIndex,
				});
			}
			return { fileId, record, createBlueprint, limits: addFileLimits(answer) };
		},

		uploadIdOf(createAnswer: string): string {
			const uploadId = parseUploadId(createAnswer);
			if (!uploadId) {
				throw new NodeOperationError(node, 'The storage did not return an UploadId for the new upload', { itemIndex });
			}
			return uploadId;
		},

		async partUrls(fileId: string, uploadId: string, start: number, count: number): Promise<StorageBlueprint[]> {
			// §6.6: item i is part start + i + 1.
			const answer = await masvPackageRequest<unknown>(ctx, baseUrl, pkg.token, {
				method: 'POST',
				path: filePath(fileId),
				qs: { start, count },
				body: { upload_id: uploadId },
				idempotent: true,
				itemIndex,
				policy,
			});
			if (!Array.isArray(answer)) {
				throw new NodeOperationError(node, 'MASV did not return a list of part upload URLs', { itemIndex });
			}
			return answer as StorageBlueprint[];
		},

		async finalizeFile(fileId: string, finalize: FileFinalize): Promise<IDataObject> {
			// §6.8. Idempotent for the same upload (the same body again).
			const answer = await masvPackageRequest<IDataObject>(ctx, baseUrl, pkg.token, {
				method: 'POST',
				path: `${filePath(fileId)}/finalize`,
				body: {
					size: finalize.size,
					chunk_size: finalize.partSize,
					file_extras: { upload_id: finalize.uploadId },
					chunk_extras: chunkExtras(finalize.parts),
				},
				idempotent: true,
				itemIndex,
				policy,
			});
			return answer && typeof answer === 'object' ? answer : {};
		},

		async fileRecord(fileId: string): Promise<IDataObject | undefined> {
			// §7.3: the package's file list holds the files that are complete.
			const answer = await masvPackageRequest<unknown>(ctx, baseUrl, pkg.token, {
				method: 'GET',
				path: `/v1/packages/${encodeURIComponent(pkg.id)}/files`,
				itemIndex,
				policy,
			});
			const list = Array.isArray(answer) ? answer : ((answer as IDataObject)?.records as unknown[] | undefined) ?? [];
			return (list as IDataObject[]).find((entry) => entry?.id === fileId);
		},

		async removeFile(fileId: string): Promise<void> {
			// UNCERTAIN (docs/masv-api.md §6.10): removing a file that is not finalized; MASV aborts its
			// multipart upload. Also after a cancel, with a short window of its own.
			await masvPackageRequest(ctx, baseUrl, pkg.token, {
				method: 'DELETE',
				path: filePath(fileId),
				itemIndex,
				policy: CLEANUP_POLICY,
				ignoreCancel: true,
			});
		},
	};
}

/** The package's state, read with the API key (§5.7), after a finalize that ended in doubt. */
export async function packageState(ctx: MasvContext, teamId: string, packageId: string, itemIndex: number): Promise<string | undefined> {
	const answer = await masvApiRequest<IDataObject>(ctx, {
		method: 'GET',
		path: `/v1.1/teams/${encodeURIComponent(teamId)}/packages/${encodeURIComponent(packageId)}`,
		itemIndex,
	});
	return typeof answer?.state === 'string' ? answer.state : undefined;
}

/** Deletes a package this run created and nothing of which was finalized (§5.13, package token). */
export async function deletePackage(ctx: MasvContext, baseUrl: string, pkg: UploadPackage, itemIndex: number): Promise<void> {
	await masvPackageRequest(ctx, baseUrl, pkg.token, {
		method: 'DELETE',
		path: `/v1/packages/${encodeURIComponent(pkg.id)}`,
		itemIndex,
		policy: CLEANUP_POLICY,
		ignoreCancel: true,
	});
}
