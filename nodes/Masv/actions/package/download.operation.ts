import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { packageTokenOption, packageLocator, teamLocator } from '../../shared/descriptions';
import { forEachItem } from '../../shared/items';
import { maxMemoryField, maxMemoryOption, RETRY_WINDOW_OPTION, STALL_TIMEOUT_OPTION, transferPolicy, wholeNumberOption } from '../../shared/transferOptions';
import { downloadFile, matchesFileName, mimeTypeOf } from '../../transfer/download';
import { DEFAULT_PARALLEL_DOWNLOADS, MAX_PARALLEL_DOWNLOADS } from '../../transfer/downloadBuffers';
import { fileDownloadBlueprint, listPackageFiles } from '../../transfer/downloadApi';
import { getMasvBaseUrl } from '../../transport/request';
import { packageTokenForItem } from './common';

const packageDownload = { resource: ['package'], operation: ['download'] };

export const downloadOptions = (extra: INodeProperties[]): INodeProperties => ({
	displayName: 'Options',
	name: 'options',
	type: 'collection',
	placeholder: 'Add Option',
	default: {},
	options: [
		{
			displayName: 'File Name Filter',
			name: 'fileNameFilter',
			type: 'string',
			default: '',
			placeholder: 'e.g. *.mov',
			description:
				'Only download matching files. With * or ? a pattern on the file name (on folder/name when it holds a /), otherwise a part of the file name; case-insensitive; several comma-separated.',
		},
		{
			displayName: 'Include Zips',
			name: 'includeZips',
			type: 'boolean',
			default: false,
			description: 'Whether to also download the zip archives MASV builds of the whole package',
		},
		maxMemoryField(
			"Ceiling for the memory of one file's download buffers (16 MiB each: parallel downloads + 2). Parallel downloads are lowered to fit under it.",
		),
		{
			displayName: 'Parallel Downloads',
			name: 'parallelDownloads',
			type: 'number',
			default: DEFAULT_PARALLEL_DOWNLOADS,
			typeOptions: { minValue: 1, maxValue: MAX_PARALLEL_DOWNLOADS },
			description:
				"Ranged requests of one file in flight at once, where n8n's binary store allows it (its filesystem mode). More help on a distant link.",
		},
		{
			displayName: 'Put Output File in Field',
			name: 'binaryPropertyName',
			type: 'string',
			default: 'data',
			hint: 'The name of the output binary field to put the file in',
			description: 'Name of the binary property of each output item that holds the file',
		},
		RETRY_WINDOW_OPTION,
		STALL_TIMEOUT_OPTION,
		...extra,
	],
});

export const description: INodeProperties[] = [
	teamLocator({ show: packageDownload }),
	packageLocator({ show: packageDownload }),
	{
		...downloadOptions([
			packageTokenOption,
		]),
		displayOptions: { show: packageDownload },
	},
];

interface DownloadOptions {
	binaryPropertyName?: string;
	includeZips?: boolean;
	fileNameFilter?: string;
	retryWindowMinutes?: number;
	stallTimeoutSeconds?: number;
	maxMemoryMiB?: number;
	parallelDownloads?: number;
}

function parallelDownloadsOption(ctx: IExecuteFunctions, options: DownloadOptions, itemIndex: number): number {
	return wholeNumberOption(ctx, options.parallelDownloads, 'Parallel Downloads', DEFAULT_PARALLEL_DOWNLOADS, MAX_PARALLEL_DOWNLOADS, itemIndex);
}

/** `package` / `download`: the files of a team package (or one given by its token) into binaries. */
export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const baseUrl = await getMasvBaseUrl(this);
	return await forEachItem(this, async (itemIndex) => {
		const { packageId, token } = await packageTokenForItem(this, itemIndex);
		return await downloadPackageFiles(this, baseUrl, packageId, token, itemIndex);
	});
}

export async function downloadPackageFiles(
	ctx: IExecuteFunctions,
	baseUrl: string,
	packageId: string,
	token: string,
	itemIndex: number,
): Promise<INodeExecutionData[]> {
	const options = ctx.getNodeParameter('options', itemIndex, {}) as DownloadOptions;
	const property = (options.binaryPropertyName ?? 'data').trim() || 'data';
	const policy = transferPolicy(ctx, options, itemIndex);
	const parallel = parallelDownloadsOption(ctx, options, itemIndex);
	const maxMemory = maxMemoryOption(ctx, options, itemIndex);
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
			parallel,
			maxMemory,
		});
		if (file.path) binary.directory = file.path;
		const json: IDataObject = { id: file.id, name: file.name, path: file.path, size: file.size, kind: file.kind, packageId };
		output.push({ json, binary: { [property]: binary } });
	}
	return output;
}
