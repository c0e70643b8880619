// The download engine: one storage file streamed into n8n's binary store (docs/masv-api.md §7.4).
// After a reset or a stall the download goes on from the last byte received (a `Range` request on a
// fresh URL), within the retry window; the stored size is checked at the end. No node parameters
// here.
import { NodeApiError, NodeOperationError } from 'n8n-workflow';
import type { IBinaryData, IExecuteFunctions } from 'n8n-workflow';

import { toNodeError } from '../transport/errors';
import { masvCancelled } from '../transport/request';
import { CancelledError, errorVerdict, guard, pauseSlice, RetryWindow, StallError, statusVerdict, whenAborted } from '../transport/retry';
import type { RetryPolicy, Verdict } from '../transport/retry';
import { listParameter } from '../shared/items';
import { binaryLimitError } from './binaryLimit';
import { MIB } from './parts';
import { headerValue, storageErrorCode, storageErrorText, storageGetStream } from './storage';
import type { BinaryStream, StorageBlueprint } from './storage';

type DownloadContext = Pick<IExecuteFunctions, 'helpers' | 'logger' | 'getNode' | 'getExecutionCancelSignal'>;

export interface DownloadFileRequest {
	name: string;
	/** Expected size in bytes, checked after the download (skipped when unknown). */
	size?: number;
	mimeType: string;
	/** A fresh download URL (asked again for every try: they expire). */
	url: () => Promise<StorageBlueprint>;
	/** Retry window and stall timeout. */
	policy: RetryPolicy;
	itemIndex: number;
}

/** Extra time `guard` gives a request beyond the helper's own idle timeout, until its answer starts. */
const STALL_GRACE_MS = 5000;


/** One answer of storage being read: the body and where in the file it starts. */
interface Opened {
	stream: BinaryStream;
	/** Bytes of the body to drop before the wanted offset (a server that ignored `Range`). */
	skip: number;
}

/** Streams one file into n8n's binary store and returns its binary data. */
export async function downloadFile(ctx: DownloadContext, request: DownloadFileRequest): Promise<IBinaryData> {
	const node = ctx.getNode();
	const cancel = ctx.getExecutionCancelSignal?.();
	const startedAt = Date.now();
	const { policy } = request;
	/** A failure that ends the download at once; its message is the one the user sees. */
	const failed = (message: string) => new NodeOperationError(node, message, { itemIndex: request.itemIndex });
	const rethrow = (error: unknown) => toNodeError(node, error, request.itemIndex);
	let retry = new RetryWindow(policy, cancel);
	let received = 0;
	let refused = 0;
	/** The object's ETag from the first answer: a resumed answer must be of the same object. */
	let etag: string | undefined;
	let requests = 0;

	/** Asks for the bytes from `received` on, retrying until an answer starts or the window is spent. */
	const open = async (): Promise<Opened> => {
		for (;;) {
			let verdict: Verdict;
			try {
				const blueprint = await request.url();
				requests++;
				const answer = await guard(
					async (abort) => await storageGetStream(ctx, blueprint, { signal: abort, stallMs: policy.stallMs }, received),
					{ cancel, stallMs: policy.stallMs + STALL_GRACE_MS },
				);
				if (answer.statusCode < 300) {
					const stream = answer.body as BinaryStream;
					const start = rangeStart(headerValue(answer, 'Content-Range'));
					if (answer.statusCode === 206 && start !== received) {
						stream.destroy();
						throw failed(`storage answered a range request for byte ${received} from byte ${start}`);
					}
					const tag = headerValue(answer, 'ETag');
					if (etag !== undefined && tag !== undefined && tag !== etag) {
						stream.destroy();
						throw failed(`"${request.name}" changed in storage while it was being downloaded (ETag ${etag}, now ${tag})`);
					}
					etag ??= tag;
					return { stream, skip: answer.statusCode === 206 ? 0 : received };
				}
				const text = String(answer.body);
				const code = storageErrorCode(text);
				if (answer.statusCode === 403 && code === 'AccessDenied' && /expired/i.test(text) && refused < 3) {
					// An expired URL: the next try asks MASV for a fresh one, at once.
					refused++;
					continue;
				}
				verdict = statusVerdict(answer.statusCode, answer.headers, code, `storage: ${storageErrorText(text)}`);
			} catch (error) {
				if (error instanceof CancelledError || cancel?.aborted) throw masvCancelled(node);
				if (error instanceof NodeOperationError || error instanceof NodeApiError) throw rethrow(error);
				verdict = errorVerdict(error);
			}
			await waitOrFail(verdict);
		}
	};

	const waitOrFail = async (verdict: Verdict): Promise<void> => {
		let again: boolean;
		try {
			again = await retry.failed(verdict);
		} catch {
			// Only a cancel ends a wait early.
			throw masvCancelled(node);
		}
		if (!again) throw failed(`"${request.name}" could not be downloaded: ${retry.summary()}`);
		ctx.logger.warn(`MASV download "${request.name}": ${verdict.reason}; try ${retry.attempts} from byte ${received}`);
	};

	/** The file's bytes, across as many answers as it takes, each watched for stalls. */
	async function* bytes(first: Opened): AsyncGenerator<Buffer> {
		let current: Opened | undefined = first;
		let yielding = false;
		for (;;) {
			let verdict: Verdict | undefined;
			if (current) {
				const watch = watchStream(current.stream, policy.stallMs, cancel);
				try {
					for await (const chunk of current.stream as AsyncIterable<Buffer | string>) {
						watch.progress();
						let buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk);
						if (current.skip > 0) {
							const dropped = Math.min(current.skip, buffer.length);
							current.skip -= dropped;
							buffer = buffer.subarray(dropped);
							if (buffer.length === 0) continue;
						}
						received += buffer.length;
						if (request.size !== undefined && received > request.size) {
							throw failed(`"${request.name}": storage sent more than its size of ${request.size} bytes`);
						}
						// A download that moves again starts a new retry window for its next failure.
						if (retry.attempts > 1) retry = new RetryWindow(policy, cancel);
						yielding = true;
						yield buffer;
						yielding = false;
					}
				} catch (error) {
					// An error thrown in at `yield` is the store's (a full disk): it ends the download, and
					// the store's own failure is the one reported.
					if (yielding) return;
					if (cancel?.aborted || error instanceof CancelledError) throw masvCancelled(node);
					if (error instanceof NodeOperationError) throw rethrow(error);
					verdict = errorVerdict(watch.stalled ? new StallError(policy.stallMs) : error);
				} finally {
					watch.stop();
					current.stream.destroy();
				}
				if (!verdict) {
					if (request.size === undefined || received === request.size) return;
					verdict = { transient: true, reason: `the connection closed after ${received} of ${request.size} bytes` };
				}
			}
			await waitOrFail(verdict as Verdict);
			current = await open();
		}
	}

	try {
		const first = await open();
		const body = streamOf(first.stream, bytes(first));
		let binary: IBinaryData;
		try {
			binary = await ctx.helpers.prepareBinaryData(body, request.name, request.mimeType);
		} catch (error) {
			// The store failed (the disk, n8n's size limits), or the bytes did (already in words).
			if (error instanceof NodeOperationError || error instanceof NodeApiError) throw rethrow(error);
			if (cancel?.aborted) throw masvCancelled(node);
			// The binary store refused the file for its size: say which limit and what to do instead.
			const tooLarge = binaryLimitError(node, error, request.name, request.itemIndex);
			if (tooLarge) throw tooLarge;
			const verdict = errorVerdict(error);
			throw failed(`"${request.name}" could not be stored in n8n: ${verdict.reason}; this failure is not retried`);
		} finally {
			body.destroy();
		}
		const stored = await storedSize(ctx, binary);
		if (request.size !== undefined && stored !== undefined && stored !== request.size) {
			throw failed(`"${request.name}": n8n stored ${stored} bytes, but the file has ${request.size}`);
		}
		const seconds = Math.max((Date.now() - startedAt) / 1000, 0.001);
		ctx.logger.info(
			`MASV download "${request.name}": ${((stored ?? received) / MIB).toFixed(1)} MiB, ${((stored ?? received) / MIB / seconds).toFixed(1)} MiB/s, ${requests} request(s)`,
		);
		return binary;
	} catch (error) {
		if (cancel?.aborted) throw masvCancelled(node);
		throw rethrow(error);
	}
}

/** The first byte of a `Content-Range: bytes 100-199/200` header. */
function rangeStart(header: string | undefined): number | undefined {
	const match = /bytes\s+(\d+)-/i.exec(header ?? '');
	return match ? Number(match[1]) : undefined;
}

/**
 * A readable stream of `source`, made with the `from` of the stream class n8n's helper answered
 * with (runtime code imports no `stream`): n8n's binary store takes streams, not iterables.
 */
function streamOf(sample: BinaryStream, source: AsyncIterable<Buffer>): BinaryStream {
	const from = (sample.constructor as unknown as { from?: (iterable: AsyncIterable<Buffer>) => BinaryStream }).from;
	if (typeof from !== 'function') throw new Error('The HTTP answer is not a readable stream');
	return from(source);
}

/**
 * Watches a response body: when no bytes arrived for `stallMs`, or the execution is cancelled, the
 * stream is destroyed, which ends the reader's loop with an error.
 */
function watchStream(stream: BinaryStream, stallMs: number, cancel: AbortSignal | undefined) {
	let last = Date.now();
	let running = true;
	const state = {
		stalled: false,
		progress: () => (last = Date.now()),
		stop: () => {
			running = false;
			stopListening();
		},
	};
	const stopListening = whenAborted(cancel, () => stream.destroy(new CancelledError()));
	void (async () => {
		while (running) {
			await pauseSlice();
			if (running && Date.now() - last > stallMs) {
				state.stalled = true;
				stream.destroy(new StallError(stallMs));
				return;
			}
		}
	})();
	return state;
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
