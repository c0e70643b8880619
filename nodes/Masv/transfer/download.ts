// The download engine: one storage file streamed into n8n's binary store (docs/masv-api.md §7.4).
// After a reset or a stall the download goes on from the last byte received (a `Range` request on a
// fresh URL), within the retry window; the stored size is checked at the end. No node parameters
// here.
//
// Two ways (docs/download-speed.md): where n8n's store writes each chunk before it asks for the next
// one (its filesystem stores), the file comes in ranged GETs, several in flight, into a few buffers
// the node owns and reuses, the socket's chunks freed once copied; elsewhere (memory, database, S3,
// Azure) one GET whose chunks go to the store as they are.
import { NodeApiError, NodeOperationError } from 'n8n-workflow';
import type { IBinaryData, IExecuteFunctions } from 'n8n-workflow';

import { toNodeError } from '../transport/errors';
import { masvCancelled } from '../transport/request';
import { CancelledError, errorVerdict, guard, pauseSlice, RetryWindow, StallError, statusVerdict, whenAborted } from '../transport/retry';
import type { RetryPolicy, Verdict } from '../transport/retry';
import { listParameter } from '../shared/items';
import { binaryLimitError } from './binaryLimit';
import {
	DEFAULT_PARALLEL_DOWNLOADS,
	DOWNLOAD_SHAPE,
	downloadBufferCount,
	DownloadBuffers,
	fitDownload,
	LARGEST_SOCKET_READ,
	SMALLEST_FREED_SOCKET_CHUNK,
	SMALLEST_OWNED_DOWNLOAD,
	watchConsumer,
} from './downloadBuffers';
import { heldReadsReserve } from './budget';
import { DEFAULT_MAX_MEMORY, freeChunk, MIB } from './parts';
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
	/** Ranged GETs of the file in flight, in the node's own buffers (default 8). */
	parallel?: number;
	/** Ceiling for those buffers, in bytes (default 256 MiB). */
	maxMemory?: number;
}

/** Extra time `guard` gives a request beyond the helper's own idle timeout, until its answer starts. */
const STALL_GRACE_MS = 5000;

/**
 * What this process learned about n8n's binary store: once a store kept a chunk beyond the point
 * where the node reuses its memory, every later download of the process goes the plain way.
 */
export const storeVerdict = { keepsChunks: false };

/** One answer of storage being read: the body and where in the file it starts. */
interface Opened {
	stream: BinaryStream;
	/** Bytes of the body to drop before the wanted offset (a server that ignored `Range`). */
	skip: number;
	/** Where the asked range ends (exclusive), when a range with an end was asked for. */
	end?: number;
	/** The answer's socket reads wait for V8's collector (`StorageAnswer.readsHeld`). */
	readsHeld?: boolean;
}

/** One part of a download into the node's own buffers, being filled. */
interface PartFill {
	memory: ArrayBuffer;
	body: Buffer;
	filled: number;
	stream?: BinaryStream;
	done?: Promise<void>;
}

/** Streams one file into n8n's binary store and returns its binary data. */
export async function downloadFile(ctx: DownloadContext, request: DownloadFileRequest): Promise<IBinaryData> {
	const ownable = request.size !== undefined && request.size >= SMALLEST_OWNED_DOWNLOAD;
	if (ownable && !storeVerdict.keepsChunks) {
		const attempt = await downloadOnce(ctx, request, true);
		if (attempt.binary) return attempt.binary;
		// The reuse was caught by the moved memory: the store read emptied chunks (a short file, or
		// V8's error), never another part's bytes.
		storeVerdict.keepsChunks = true;
		const what = attempt.stored === undefined ? 'it failed on an emptied chunk' : `it stored ${attempt.stored} of ${request.size} bytes`;
		ctx.logger.warn(
			`MASV download "${request.name}": n8n's binary store kept chunks beyond the point where the node reuses their memory (${what}); downloading it again the plain way, as every later download of this process (docs/download-speed.md)`,
		);
	}
	const plain = await downloadOnce(ctx, request, false);
	return plain.binary as IBinaryData;
}

/**
 * One download of the file. With `owned`, the node's own buffers are used if the store reads the
 * stream the way that allows it; the answer then has no binary when the stored size shows that the
 * store kept chunks past their reuse (nothing else is retried here).
 */
async function downloadOnce(
	ctx: DownloadContext,
	request: DownloadFileRequest,
	owned: boolean,
): Promise<{ binary?: IBinaryData; stored?: number }> {
	const node = ctx.getNode();
	const cancel = ctx.getExecutionCancelSignal?.();
	const startedAt = Date.now();
	const { policy } = request;
	/** A failure that ends the download at once; its message is the one the user sees. */
	const failed = (message: string) => new NodeOperationError(node, message, { itemIndex: request.itemIndex });
	const rethrow = (error: unknown) => toNodeError(node, error, request.itemIndex);
	let received = 0;
	let refused = 0;
	/** The object's ETag from the first answer: a resumed answer must be of the same object. */
	let etag: string | undefined;
	let requests = 0;
	let usedOwned = false;
	let parallelUsed = 1;

	/**
	 * The download URL the next GET uses. The ranged GETs of one file share it: a pre-signed GET URL
	 * serves any number of requests until it expires (docs/masv-api.md §7.4), and asking MASV for one
	 * per part cost a round trip per part. After a failure, and when storage says it expired, the next
	 * GET asks MASV for a fresh one.
	 */
	let shared: Promise<StorageBlueprint> | undefined;
	const downloadUrl = async (fresh: boolean): Promise<StorageBlueprint> => {
		if (fresh || !shared) {
			shared = request.url();
			shared.catch(() => (shared = undefined));
		}
		return await shared;
	};

	/**
	 * Asks for the bytes from `from` on (up to `to`, exclusive, when given), retrying until an answer
	 * starts or `retry`'s window is spent. A retry's GET uses a fresh URL.
	 */
	const open = async (from: number, to: number | undefined, retry: RetryWindow, signal = cancel): Promise<Opened> => {
		let fresh = retry.attempts > 1;
		for (;;) {
			let verdict: Verdict;
			try {
				const blueprint = await downloadUrl(fresh);
				fresh = true;
				requests++;
				const answer = await guard(
					async (abort) => await storageGetStream(ctx, blueprint, { signal: abort, stallMs: policy.stallMs }, from, to),
					{ cancel: signal, stallMs: policy.stallMs + STALL_GRACE_MS },
				);
				if (answer.statusCode < 300) {
					const stream = answer.body as BinaryStream;
					const start = rangeStart(headerValue(answer, 'Content-Range'));
					if (answer.statusCode === 206 && start !== from) {
						stream.destroy();
						throw failed(`storage answered a range request for byte ${from} from byte ${start}`);
					}
					const tag = headerValue(answer, 'ETag');
					if (etag !== undefined && tag !== undefined && tag !== etag) {
						stream.destroy();
						throw failed(`"${request.name}" changed in storage while it was being downloaded (ETag ${etag}, now ${tag})`);
					}
					etag ??= tag;
					return { stream, skip: answer.statusCode === 206 ? 0 : from, end: to, readsHeld: answer.readsHeld };
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
				if (error instanceof CancelledError || signal?.aborted) throw masvCancelled(node);
				if (error instanceof NodeOperationError || error instanceof NodeApiError) throw rethrow(error);
				verdict = errorVerdict(error);
			}
			await waitOrFail(verdict, retry, from);
		}
	};

	const waitOrFail = async (verdict: Verdict, retry: RetryWindow, from: number): Promise<void> => {
		let again: boolean;
		try {
			again = await retry.failed(verdict);
		} catch {
			// Only a cancel ends a wait early.
			throw masvCancelled(node);
		}
		if (!again) throw failed(`"${request.name}" could not be downloaded: ${retry.summary()}`);
		ctx.logger.warn(`MASV download "${request.name}": ${verdict.reason}; try ${retry.attempts} from byte ${from}`);
	};

	/** The file's bytes, across as many answers as it takes, each watched for stalls. */
	async function* bytes(first: Opened): AsyncGenerator<Buffer> {
		let retry = new RetryWindow(policy, cancel);
		let current: Opened | undefined = first;
		let yielding = false;
		for (;;) {
			let verdict: Verdict | undefined;
			if (current) {
				const watch = watchStream(current.stream, policy.stallMs, cancel);
				try {
					for await (const chunk of watch.chunks) {
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
					if (current.end !== undefined && received === current.end) {
						// The first answer was a range (the node's own buffers were not used): the rest.
						current = await open(received, undefined, retry);
						continue;
					}
					verdict = { transient: true, reason: `the connection closed after ${received} of ${request.size} bytes` };
				}
			}
			await waitOrFail(verdict as Verdict, retry, received);
			current = await open(received, undefined, retry);
		}
	}

	/**
	 * The file's bytes through the node's own buffers: ranged GETs of `partSize`, `parallel` in flight,
	 * each copied into a part buffer (the socket's chunks freed once copied); the parts handed to the
	 * store in order, in slices, while later parts arrive. A part buffer is reused once the store has
	 * asked for REUSE_DISTANCE more slices after its last one (docs/download-speed.md).
	 */
	async function* ownedBytes(
		first: Opened,
		size: number,
		partSize: number,
		parallel: number,
		sliceSize: number,
		reuseDistance: number,
	): AsyncGenerator<Buffer> {
		const count = Math.ceil(size / partSize);
		const buffers = new DownloadBuffers(partSize, downloadBufferCount(parallel, partSize));
		const parts = new Map<number, PartFill>();
		// Ends the GETs still running when the download ends early (a store failure, a cancel).
		const stop = new AbortController();
		let nextPart = 0;
		let failure: unknown;
		let awaited: { part: PartFill; want: number; wake: () => void } | undefined;
		const wake = () => {
			const waiter = awaited;
			awaited = undefined;
			waiter?.wake();
		};
		// A cancel ends the GETs (they return quietly) and the wait for their bytes, with the cancel's error.
		const onCancel = () => {
			failure ??= masvCancelled(node);
			stop.abort();
			wake();
		};
		cancel?.addEventListener('abort', onCancel, { once: true });
		if (cancel?.aborted) onCancel();

		const fetchPart = async (part: PartFill, from: number, opened: Opened | undefined): Promise<void> => {
			const length = part.body.length;
			let retry = new RetryWindow(policy, stop.signal);
			let current = opened;
			for (;;) {
				if (stop.signal.aborted) return;
				current ??= await open(from + part.filled, from + length, retry, stop.signal);
				part.stream = current.stream;
				let verdict: Verdict | undefined;
				const watch = watchStream(current.stream, policy.stallMs, stop.signal);
				try {
					for await (const chunk of watch.chunks) {
						watch.progress();
						const whole = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk);
						let buffer = whole;
						if (current.skip > 0) {
							const dropped = Math.min(current.skip, buffer.length);
							current.skip -= dropped;
							buffer = buffer.subarray(dropped);
							if (buffer.length === 0) continue;
						}
						const take = Math.min(buffer.length, length - part.filled);
						buffer.copy(part.body, part.filled, 0, take);
						part.filled += take;
						received += take;
						// The chunk is the socket's, and all of it is copied: its memory goes back now.
						if (buffer === whole && take === whole.length) freeChunk(whole, LARGEST_SOCKET_READ, SMALLEST_FREED_SOCKET_CHUNK);
						if (retry.attempts > 1) retry = new RetryWindow(policy, stop.signal);
						if (awaited?.part === part && part.filled >= awaited.want) wake();
						if (part.filled === length) break;
					}
				} catch (error) {
					if (stop.signal.aborted) return;
					if (error instanceof CancelledError) throw masvCancelled(node);
					if (error instanceof NodeOperationError) throw rethrow(error);
					verdict = errorVerdict(watch.stalled ? new StallError(policy.stallMs) : error);
				} finally {
					watch.stop();
					current.stream.destroy();
					part.stream = undefined;
				}
				if (part.filled === length) return;
				verdict ??= {
					transient: true,
					reason: `the connection closed after ${from + part.filled} of ${size} bytes (part of bytes ${from}-${from + length - 1})`,
				};
				await waitOrFail(verdict, retry, from + part.filled);
				current = undefined;
			}
		};

		const start = () => {
			while (failure === undefined && nextPart < count && parts.size < parallel && buffers.available) {
				const index = nextPart++;
				const from = index * partSize;
				const memory = buffers.take();
				const part: PartFill = { memory, body: Buffer.from(memory, 0, Math.min(partSize, size - from)), filled: 0 };
				parts.set(index, part);
				part.done = fetchPart(part, from, index === 0 ? first : undefined).catch((error: unknown) => {
					failure ??= error;
					wake();
				});
			}
		};

		const filled = async (part: PartFill, want: number) => {
			for (;;) {
				if (failure !== undefined) throw failure;
				if (part.filled >= want) return;
				await new Promise<void>((resolve) => (awaited = { part, want, wake: resolve }));
			}
		};

		try {
			start();
			/** Slices the store has asked for so far. */
			let asked = 0;
			const waiting: Array<{ memory: ArrayBuffer; after: number }> = [];
			const release = () => {
				while (waiting.length > 0 && asked >= waiting[0].after) {
					buffers.give((waiting.shift() as { memory: ArrayBuffer }).memory);
					start();
				}
			};
			for (let index = 0; index < count; index++) {
				start();
				const part = parts.get(index);
				if (!part) throw new Error(`No buffer for part ${index + 1} of "${request.name}"`);
				for (let offset = 0; offset < part.body.length; ) {
					const end = Math.min(offset + sliceSize, part.body.length);
					await filled(part, end);
					yield part.body.subarray(offset, end);
					asked++;
					offset = end;
					if (offset < part.body.length) release();
				}
				parts.delete(index);
				// Its last slice is slice asked - 1: reused once the store asked for reuseDistance more.
				waiting.push({ memory: part.memory, after: asked - 1 + reuseDistance });
				release();
			}
		} finally {
			stop.abort();
			cancel?.removeEventListener('abort', onCancel);
			for (const part of parts.values()) part.stream?.destroy();
			await Promise.allSettled([...parts.values()].map(async (part) => await part.done));
			// Only idle buffers: the last parts' slices may still be being written.
			buffers.free();
		}
	}

	try {
		const size = request.size ?? 0;
		const { partSize, sliceSize, reuseDistance } = DOWNLOAD_SHAPE;
		// The node's own buffers: the first GET is already the first part's range.
		const first = await open(0, owned ? Math.min(partSize, size) : undefined, new RetryWindow(policy, cancel));
		// Socket reads the node cannot free (n8n 2.x) get their share of Max Memory, as in Upload
		// From URL (transfer/budget.ts, heldReadsReserve); the part buffers fit the rest.
		const maxMemory = request.maxMemory ?? DEFAULT_MAX_MEMORY;
		const parallel = Math.min(
			fitDownload(partSize, request.parallel ?? DEFAULT_PARALLEL_DOWNLOADS, maxMemory - (first.readsHeld ? heldReadsReserve(maxMemory) : 0)),
			Math.ceil(size / partSize),
		);
		let consumer: (() => string) | undefined;
		async function* chosen(): AsyncGenerator<Buffer> {
			// Runs when the store first asks for bytes: by then it has chosen how it reads.
			const kind = consumer?.();
			if (owned && (kind === 'iterates' || kind === 'pipes')) {
				usedOwned = true;
				parallelUsed = parallel;
				yield* ownedBytes(first, size, partSize, parallel, sliceSize, reuseDistance);
			} else {
				yield* bytes(first);
			}
		}
		const body = streamOf(first.stream, chosen());
		if (owned) consumer = watchConsumer(body);
		let binary: IBinaryData;
		try {
			binary = await ctx.helpers.prepareBinaryData(body, request.name, request.mimeType);
		} catch (error) {
			// A store that kept a chunk past its reuse and then read it: the moved memory stopped it.
			if (usedOwned && isDetachedError(error)) return { stored: undefined };
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
			if (usedOwned && received === request.size) return { stored };
			throw failed(`"${request.name}": n8n stored ${stored} bytes, but the file has ${request.size}`);
		}
		const seconds = Math.max((Date.now() - startedAt) / 1000, 0.001);
		ctx.logger.info(
			`MASV download "${request.name}": ${((stored ?? received) / MIB).toFixed(1)} MiB, ${((stored ?? received) / MIB / seconds).toFixed(1)} MiB/s, ${requests} request(s), ${usedOwned ? `own buffers, ${parallelUsed} in flight` : 'plain'}`,
		);
		return { binary };
	} catch (error) {
		if (cancel?.aborted) throw masvCancelled(node);
		throw rethrow(error);
	}
}

/** The error of reading an ArrayBuffer whose memory was moved away (V8's TypeError). */
function isDetachedError(error: unknown): boolean {
	return (error as Error)?.name === 'TypeError' && /detached/i.test((error as Error).message);
}

/** The first byte of a `Content-Range: bytes 100-199/200` header. */
export function rangeStart(header: string | undefined): number | undefined {
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
 * stream is destroyed, and the reader's loop over `chunks` ends at once with the error
 * (`StallError`, `CancelledError`).
 *
 * The loop must read `chunks`, not the stream: a destroyed stream does not always end a loop that
 * waits for its next chunk. n8n 2.x hands the node a stream made from the answer with
 * `Readable.from` (docs/n8n-issues.md), and destroying that one waits for its source to give one
 * more chunk or to close; a stalled source does neither. `chunks` gives each read a promise of its
 * own that the watch can fail, so a stall or a cancel ends the loop whatever the stream does (and
 * nothing piles up on one long-lived promise over a long stream).
 */
export function watchStream(stream: BinaryStream, stallMs: number, cancel: AbortSignal | undefined) {
	let last = Date.now();
	let running = true;
	/** Why the watch ended the stream, once it did. */
	let ended: Error | undefined;
	/** Fails the read in progress: each read has a promise of its own, settled by its chunk or by `end`. */
	let failRead: ((error: Error) => void) | undefined;
	const end = (error: Error) => {
		ended ??= error;
		stream.destroy(error);
		failRead?.(error);
	};
	const state = {
		stalled: false,
		progress: () => (last = Date.now()),
		stop: () => {
			running = false;
			stopListening();
		},
		/** The stream's chunks, until it ends, fails, stalls or is cancelled. */
		chunks: {
			[Symbol.asyncIterator]: (): AsyncIterator<Buffer | string> => {
				const reader = (stream as AsyncIterable<Buffer | string>)[Symbol.asyncIterator]();
				return {
					next: async () =>
						await new Promise<IteratorResult<Buffer | string>>((resolve, reject) => {
							if (ended) return reject(ended);
							failRead = reject;
							reader.next().then(resolve, reject);
						}),
					// Not awaited: the reader may still wait for a chunk that is not coming.
					return: async () => {
						reader.return?.().catch(() => {});
						return { done: true, value: undefined };
					},
				};
			},
		},
	};
	const stopListening = whenAborted(cancel, () => end(new CancelledError()));
	void (async () => {
		while (running) {
			await pauseSlice();
			if (running && Date.now() - last > stallMs) {
				state.stalled = true;
				end(new StallError(stallMs));
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
