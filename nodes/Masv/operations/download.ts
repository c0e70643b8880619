import { NodeOperationError } from 'n8n-workflow';
import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { fileDownloadBlueprint, linkPackage, listPackageFiles } from '../api/downloadFlow';
import { getMasvBaseUrl } from '../api/request';
import { transferPolicy } from './transferOptions';
import { forEachItem, idParameter } from '../shared/items';
import { downloadFile, matchesFileName, mimeTypeOf } from '../transfer/download';
import { packageTokenForItem } from './packageToken';

interface DownloadOptions {
	binaryPropertyName?: string;
	includeZips?: boolean;
	fileNameFilter?: string;
	retryWindowMinutes?: number;
	stallTimeoutSeconds?: number;
}

/** `package` / `download`: the files of a team package (or one given by its token) into binaries. */
export async function packageDownloadOperation(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const baseUrl = await getMasvBaseUrl(this);
	return await forEachItem(this, async (itemIndex) => {
		const { packageId, token } = await packageTokenForItem(this, itemIndex);
		return await downloadPackageFiles(this, baseUrl, packageId, token, itemIndex);
	});
}

/** `link` / `download`: the files behind a download link into binaries (no API key used). */
export async function linkDownloadOperation(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const baseUrl = await getMasvBaseUrl(this);
	return await forEachItem(this, async (itemIndex) => {
		const link = linkOfItem(this, itemIndex);
		const password = String(this.getNodeParameter('linkPassword', itemIndex, '') ?? '');
		const { packageId, token } = await linkPackage(this, baseUrl, { ...link, password }, itemIndex);
		return await downloadPackageFiles(this, baseUrl, packageId, token, itemIndex);
	});
}

/** The link ID and secret: from a link URL (`https://get.massive.io/<id>?secret=<secret>`) or as given. */
export function linkOfItem(ctx: IExecuteFunctions, itemIndex: number): { linkId: string; secret: string } {
	const source = ctx.getNodeParameter('linkSource', itemIndex, 'url') as string;
	if (source === 'idAndSecret') {
		const linkId = idParameter(ctx, 'linkId', itemIndex);
		const secret = String(ctx.getNodeParameter('linkSecret', itemIndex, '') ?? '').trim();
		if (!secret) throw new NodeOperationError(ctx.getNode(), 'The parameter "Link Secret" is empty', { itemIndex });
		return { linkId, secret };
	}
	const raw = String(ctx.getNodeParameter('linkUrl', itemIndex, '') ?? '').trim();
	const parsed = parseLinkUrl(raw);
	if (!parsed) {
		throw new NodeOperationError(ctx.getNode(), 'The parameter "Link URL" is not a MASV download link', {
			itemIndex,
			description: 'Expected a link like https://get.massive.io/<link ID>?secret=<secret>, as MASV sends it.',
		});
	}
	return parsed;
}

export function parseLinkUrl(raw: string): { linkId: string; secret: string } | undefined {
	let url: URL;
	try {
		url = new URL(/^https?:\/\//i.test(raw) ? raw : `https://${raw}`);
	} catch {
		return undefined;
	}
	const segments = url.pathname.split('/').filter(Boolean);
	const linkId = segments[segments.length - 1] ?? '';
	const secret = url.searchParams.get('secret') ?? '';
	return linkId && secret ? { linkId: decodeURIComponent(linkId), secret } : undefined;
}

async function downloadPackageFiles(
	ctx: IExecuteFunctions,
	baseUrl: string,
	packageId: string,
	token: string,
	itemIndex: number,
): Promise<INodeExecutionData[]> {
	const options = ctx.getNodeParameter('options', itemIndex, {}) as DownloadOptions;
	const property = (options.binaryPropertyName ?? 'data').trim() || 'data';
	const policy = transferPolicy(ctx, options, itemIndex);
	const files = (await listPackageFiles(ctx, baseUrl, packageId, token, itemIndex, policy)).filter((file) => {
		if (file.kind.startsWith('zip')) return options.includeZips === true;
		if (file.kind !== 'file') return false;
		return matchesFileName(options.fileNameFilter ?? '', file.name, file.path);
	});
	const output: INodeExecutionData[] = [];
	for (const file of files) {
		const binary = await downloadFile(ctx, {
			name: file.name,
			size: Number.isFinite(file.size) && file.size >= 0 ? file.size : undefined,
			mimeType: mimeTypeOf(file.name),
			url: async () => await fileDownloadBlueprint(ctx, baseUrl, packageId, token, file.id, itemIndex, policy),
			policy,
			itemIndex,
		});
		if (file.path) binary.directory = file.path;
		const json: IDataObject = { id: file.id, name: file.name, path: file.path, size: file.size, kind: file.kind, packageId };
		output.push({ json, binary: { [property]: binary } });
	}
	return output;
}
