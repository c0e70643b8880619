// The download engine: one storage file streamed into n8n's binary store (docs/masv-api.md §7.4), with
// retries (fresh URL each time) and a size check. No node parameters here.
import { NodeApiError, NodeOperationError } from 'n8n-workflow';
import type { IBinaryData, IExecuteFunctions } from 'n8n-workflow';

import { toNodeError } from '../transport/errors';
import { backoffDelay, masvCancelled, networkMessage, pauseUnlessCancelled } from '../transport/request';
import { listParameter } from '../shared/items';
import { binaryLimitError } from './binaryLimit';
import { MIB } from './parts';
import { storageErrorText, storageGetStream } from './storage';
import type { BinaryStream, StorageBlueprint } from './storage';
import { PART_RETRY } from './upload';

type DownloadContext = Pick<IExecuteFunctions, 'helpers' | 'logger' | 'getNode' | 'getExecutionCancelSignal'>;

export interface DownloadFileRequest {
	name: string;
	/** Expected size in bytes, checked after the download (skipped when unknown). */
	size?: number;
	mimeType: string;
	/** A fresh download URL (asked again for every try: they expire). */
	url: () => Promise<StorageBlueprint>;
	itemIndex: number;
}

/** Streams one file into n8n's binary store and returns its binary data. */
export async function downloadFile(ctx: DownloadContext, request: DownloadFileRequest): Promise<IBinaryData> {
	const node = ctx.getNode();
	const signal = ctx.getExecutionCancelSignal?.();
	const startedAt = Date.now();
	for (let attempt = 1; ; attempt++) {
		if (signal?.aborted) throw masvCancelled(node);
		let failure: string;
		let retryable = true;
		try {
			const blueprint = await request.url();
			const answer = await storageGetStream(ctx, blueprint, signal);
			if (answer.statusCode < 300) {
				const binary = await ctx.helpers.prepareBinaryData(answer.body as BinaryStream, request.name, request.mimeType);
				const stored = await storedSize(ctx, binary);
				if (request.size === undefined || stored === undefined || stored === request.size) {
					const seconds = Math.max((Date.now() - startedAt) / 1000, 0.001);
					ctx.logger.info(
						`MASV download "${request.name}": ${((stored ?? 0) / MIB).toFixed(1)} MiB, ${((stored ?? 0) / MIB / seconds).toFixed(1)} MiB/s`,
					);
					return binary;
				}
				failure = `received ${stored} bytes of ${request.size}`;
			} else {
				failure = `storage answered HTTP ${answer.statusCode} (${storageErrorText(String(answer.body))})`;
				// 403: most likely an expired URL; the next try asks MASV for a fresh one.
				retryable = answer.statusCode >= 500 || answer.statusCode === 403 || answer.statusCode === 408 || answer.statusCode === 429;
			}
		} catch (error) {
			if (signal?.aborted) throw masvCancelled(node);
			if (error instanceof NodeOperationError || error instanceof NodeApiError) throw toNodeError(node, error, request.itemIndex);
			// The binary store refused the file: every try would end the same way.
			const tooLarge = binaryLimitError(node, error, request.name, request.itemIndex);
			if (tooLarge) throw tooLarge;
			failure = networkMessage(error);
		}
		if (!retryable || attempt >= PART_RETRY.maxAttempts) {
			throw new NodeOperationError(
				node,
				`"${request.name}" could not be downloaded${retryable ? ` after ${attempt} tries` : ''}: ${failure}`,
				{ itemIndex: request.itemIndex },
			);
		}
		const delay = backoffDelay(attempt, PART_RETRY.baseDelayMs, PART_RETRY.maxDelayMs);
		ctx.logger.warn(`MASV download "${request.name}" failed (${failure}), try ${attempt + 1} in ${delay} ms`);
		await pauseUnlessCancelled(node, delay, signal);
	}
}

/** The stored size: from the binary store's metadata, or from the base64 held in memory. */
async function storedSize(ctx: DownloadContext, binary: IBinaryData): Promise<number | undefined> {
	if (binary.id) {
		const meta = await ctx.helpers.getBinaryMetadata(binary.id);
		return typeof meta.fileSize === 'number' ? meta.fileSize : undefined;
	}
	if (typeof binary.data === 'string') {
		const data = binary.data;
		const padding = data.endsWith('==') ? 2 : data.endsWith('=') ? 1 : 0;
		return (data.length / 4) * 3 - padding;
	}
	return undefined;
}

const MIME_TYPES: Record<string, string> = {
	'7z': 'application/x-7z-compressed',
	aac: 'audio/aac',
	aif: 'audio/aiff',
	aiff: 'audio/aiff',
	avi: 'video/x-msvideo',
	bmp: 'image/bmp',
	braw: 'application/octet-stream',
	csv: 'text/csv',
	doc: 'application/msword',
	docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
	dpx: 'image/x-dpx',
	exr: 'image/x-exr',
	flac: 'audio/flac',
	gif: 'image/gif',
	gz: 'application/gzip',
	heic: 'image/heic',
	htm: 'text/html',
	html: 'text/html',
	jpeg: 'image/jpeg',
	jpg: 'image/jpeg',
	json: 'application/json',
	m4a: 'audio/mp4',
	m4v: 'video/x-m4v',
	md: 'text/markdown',
	mkv: 'video/x-matroska',
	mov: 'video/quicktime',
	mp3: 'audio/mpeg',
	mp4: 'video/mp4',
	mpg: 'video/mpeg',
	mxf: 'application/mxf',
	ogg: 'audio/ogg',
	pdf: 'application/pdf',
	png: 'image/png',
	ppt: 'application/vnd.ms-powerpoint',
	pptx: 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
	psd: 'image/vnd.adobe.photoshop',
	srt: 'application/x-subrip',
	svg: 'image/svg+xml',
	tar: 'application/x-tar',
	tif: 'image/tiff',
	tiff: 'image/tiff',
	txt: 'text/plain',
	vtt: 'text/vtt',
	wav: 'audio/wav',
	webm: 'video/webm',
	webp: 'image/webp',
	xls: 'application/vnd.ms-excel',
	xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
	xml: 'application/xml',
	zip: 'application/zip',
};

/** The MIME type of a file name, from its extension; `application/octet-stream` when unknown. */
export function mimeTypeOf(fileName: string): string {
	const dot = fileName.lastIndexOf('.');
	const extension = dot >= 0 ? fileName.slice(dot + 1).toLowerCase() : '';
	return MIME_TYPES[extension] ?? 'application/octet-stream';
}

/**
 * Whether a file matches the user's filter. With `*` or `?` the filter is a glob on the file name
 * (or, when it holds a `/`, on `path/name`), case-insensitive, `*` any run of characters and `?` one
 * character. Without them it is a case-insensitive substring of the file name. Several filters may
 * be given comma-separated; a file matching any of them is kept. An empty filter keeps everything.
 */
export function matchesFileName(filter: string, name: string, path = ''): boolean {
	const patterns = listParameter(filter);
	if (patterns.length === 0) return true;
	const fullPath = path ? `${path.replace(/\/+$/, '')}/${name}` : name;
	return patterns.some((pattern) => {
		const subject = pattern.includes('/') ? fullPath : name;
		if (!/[*?]/.test(pattern)) return subject.toLowerCase().includes(pattern.toLowerCase());
		const source = pattern
			.split('')
			.map((char) => (char === '*' ? '.*' : char === '?' ? '.' : char.replace(/[\\^$.|+()[\]{}]/g, '\\$&')))
			.join('');
		return new RegExp(`^${source}$`, 'i').test(subject);
	});
}
