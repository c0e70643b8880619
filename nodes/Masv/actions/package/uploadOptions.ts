// Upload's options: their defaults, limits and how they are read (Package → Upload and Upload From URL).
import { NodeOperationError } from 'n8n-workflow';
import type { IExecuteFunctions } from 'n8n-workflow';

import { wholeNumberOption } from '../../shared/transferOptions';
import type { TransferOptions } from '../../shared/transferOptions';
import { DEFAULT_PART_SIZE, MAX_PART_BUFFER, MIB } from '../../transfer/parts';

export interface UploadOptions extends TransferOptions {
	fileName?: string;
	folderPath?: string;
	/** The part size in MiB (node contract name `options.chunkSize`). */
	chunkSize?: number;
	parallelUploads?: number;
	/** Files in flight at once within the run (node contract name `options.parallelFiles`). */
	parallelFiles?: number;
	onePackagePerItem?: boolean;
}

/** Parts in flight by default: with 32 MiB parts, the most that fit the 256 MiB ceiling (see DEFAULT_PART_SIZE). */
export const DEFAULT_PARALLEL = 7;
export const MAX_PARALLEL = 16;
/**
 * Files in flight at once by default. A small file costs a few round trips to MASV and to storage
 * (add file, create, part URLs, PUT, finalize) on new connections each, and hardly any bytes, so
 * on a distant link one at a time leaves it idle (README, "Benchmark"); big files are held back by
 * the memory ceiling instead.
 */
export const DEFAULT_PARALLEL_FILES = 16;
export const MAX_PARALLEL_FILES = 64;

export function onePackagePerItem(ctx: IExecuteFunctions, itemIndex: number): boolean {
	try {
		return (ctx.getNodeParameter('options', itemIndex, {}) as UploadOptions).onePackagePerItem === true;
	} catch {
		return false;
	}
}

/** The file name at the end of a path (`\` or `/` separated), trimmed. */
export function fileNameOf(name: string): string {
	const parts = name.replace(/\\/g, '/').split('/');
	return parts[parts.length - 1].trim();
}

/** A clean relative folder path (docs/masv-api.md §6.10): `/`-separated, no leading `./` or `/`. */
export function folderPath(raw: string | undefined): string {
	if (!raw) return '';
	return raw
		.replace(/\\/g, '/')
		.split('/')
		.map((part) => part.trim())
		.filter((part) => part !== '' && part !== '.')
		.join('/');
}

export function partSizeOption(ctx: IExecuteFunctions, options: UploadOptions, itemIndex: number): number {
	if (options.chunkSize === undefined || options.chunkSize === null) return DEFAULT_PART_SIZE;
	const mib = Number(options.chunkSize);
	const max = MAX_PART_BUFFER / MIB;
	if (!Number.isFinite(mib) || mib < 5 || mib > max) {
		throw new NodeOperationError(ctx.getNode(), `The option "Part Size (MiB)" must be between 5 and ${max}`, {
			itemIndex,
			description: 'Node.js cannot hold a larger part in memory.',
		});
	}
	return Math.round(mib * MIB);
}

export function parallelOption(ctx: IExecuteFunctions, options: UploadOptions, itemIndex: number): number {
	return wholeNumberOption(ctx, options.parallelUploads, 'Parallel Uploads', DEFAULT_PARALLEL, MAX_PARALLEL, itemIndex);
}

/** Read from the first item: it applies to the whole run. */
export function parallelFilesOption(ctx: IExecuteFunctions): number {
	const options = ctx.getNodeParameter('options', 0, {}) as UploadOptions;
	return wholeNumberOption(ctx, options.parallelFiles, 'Parallel Files', DEFAULT_PARALLEL_FILES, MAX_PARALLEL_FILES, 0);
}
