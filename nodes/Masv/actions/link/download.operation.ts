import { NodeOperationError } from 'n8n-workflow';
import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { forEachItem, idParameter } from '../../shared/items';
import { linkPackage } from '../../transfer/downloadApi';
import { getMasvBaseUrl } from '../../transport/request';
import { downloadOptions, downloadPackageFiles } from '../package/download.operation';
import { linkKeyFields } from './common';

const linkDownload = { resource: ['link'], operation: ['download'] };

export const description: INodeProperties[] = [
	{
		displayName: 'Link Given As',
		name: 'linkSource',
		type: 'options',
		noDataExpression: true,
		default: 'url',
		displayOptions: { show: linkDownload },
		options: [
			{ name: 'ID and Secret', value: 'idAndSecret', description: 'The link ID and its secret, separately' },
			{ name: 'URL', value: 'url', description: 'The download link as MASV sends it' },
		],
	},
	{
		displayName: 'Link URL',
		name: 'linkUrl',
		type: 'string',
		required: true,
		default: '',
		placeholder: 'e.g. https://get.massive.io/01D2TMG9F5GHMHX8RWZ453VA35?secret=abcdefgh12345678',
		description: 'The download link, with its secret',
		displayOptions: { show: { ...linkDownload, linkSource: ['url'] } },
	},
	...linkKeyFields({ ...linkDownload, linkSource: ['idAndSecret'] }, linkDownload),
	{ ...downloadOptions([]), displayOptions: { show: linkDownload } },
];

/** `link` / `download`: the files behind a download link into binaries (no API key used). */
export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
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
