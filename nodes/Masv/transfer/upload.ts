// The upload engine: one file into a MASV package, in parts, `parallel` parts in flight
// (docs/masv-api.md §6). It knows nothing of node parameters: the operation hands it a source of bytes,
// a part size, a parallelism and the MASV calls of the flow (transfer/uploadApi.ts).
import { NodeApiError, NodeOperationError } from 'n8n-workflow';
import type { IDataObject, IExecuteFunctions, INode } from 'n8n-workflow';

import { toNodeError } from '../transport/errors';
import { backoffDelay, masvCancelled, networkMessage, sleepUnlessAborted } from '../transport/request';
import { bufferParts, cutParts, DEFAULT_PART_LIMITS, MIB, PartBuffers, planParts } from './parts';
import type { Part, PartLimits, PartPlan } from './parts';
import { storageErrorText, storagePutPart, storageTextRequest } from './storage';
import type { StorageBlueprint } from './storage';

/** A file as MASV's add-file call wants it (§6.4). */
export interface NewFile {
	name: string;
	/** Folder inside the package, `/`-separated, `""` for the root. */
	path: string;
	size: number;
	partSize: number;
	lastModified?: string;
}

export interface AddedFile {
	fileId: string;
	record: IDataObject;
	createBlueprint: StorageBlueprint;
	/** The limits the answer repeats, where it does. */
	limits: Partial<PartLimits>;
}

export interface UploadedPart {
	partNumber: number;
	/** The part's `ETag` header exactly as storage sent it. */
	etag: string;
}

export interface FileFinalize {
	size: number;
	partSize: number;
	uploadId: string;
	parts: UploadedPart[];
}

/** The MASV calls of the upload flow for one package (implemented in transfer/uploadApi.ts). */
export interface UploadFlowApi {
	addFile(file: NewFile): Promise<AddedFile>;
	/** The `UploadId` of the storage's answer to the create blueprint. */
	uploadIdOf(createAnswer: string): string;
	partUrls(fileId: string, uploadId: string, start: number, count: number): Promise<StorageBlueprint[]>;
	finalizeFile(fileId: string, finalize: FileFinalize): Promise<IDataObject>;
}

/** Where the bytes of a file come from: a stream opened on demand, or a buffer already in memory. */
export type UploadSource =
	| { kind: 'stream'; open: (readBufferSize: number) => Promise<AsyncIterable<Buffer | Uint8Array>> }
	| { kind: 'buffer'; buffer: Buffer };

export interface UploadFileRequest {
	name: string;
	path: string;
	size: number;
	source: UploadSource;
	/** Wanted part size in bytes (raised by the planner where needed). */
	partSize: number;
	/** Parts in flight at once. */
	parallel: number;
	itemIndex: number;
}

/** Per-part retries. Exported for tests (which shorten the delays) and for the docs. */
export const PART_RETRY = {
	/** Tries of one part before the upload fails (5xx, resets, timeouts). */
	maxAttempts: 6,
	baseDelayMs: 500,
	maxDelayMs: 20_000,
	/** Fresh part URLs fetched for one part after a 403 before it counts as a refusal. */
	maxUrlRefreshes: 3,
};

/** Part URLs requested per call (§6.6), ahead of need. */
export const URL_BATCH = 100;

/** Seconds between two progress lines in n8n's log. */
const PROGRESS_EVERY_MS = 5000;

/**
 * Read-buffer size asked of binary streams (not the part size): reads of 1 MiB are copied into
 * reused part buffers. Measured in an n8n process, reading 1 GiB with a 16 MiB read buffer took 3-4
 * times as long as with 1 MiB (every big read is fresh memory: page faults and garbage collection);
 * 4 MiB was no faster than 1 MiB.
 */
const READ_BUFFER_SIZE = MIB;

type UploadContext = Pick<IExecuteFunctions, 'helpers' | 'logger' | 'getNode' | 'getExecutionCancelSignal'>;

/** An error from a part that must not be retried (it already says what happened). */
class FinalPartError extends Error {}

/**
 * Uploads one file: add file → create blueprint → parts (batched URLs, `parallel` PUTs, retries,
 * fresh URLs on 403) → finalize file with every part's ETag. Returns MASV's file record. Throws,
 * without finalizing, when any part fails for good or the execution is cancelled.
 */
export async function uploadFile(ctx: UploadContext, api: UploadFlowApi, request: UploadFileRequest): Promise<IDataObject> {
	const node = ctx.getNode();
	const cancel = ctx.getExecutionCancelSignal?.();
	if (cancel?.aborted) throw masvCancelled(node);
	const abort = new AbortController();
	const onCancel = () => abort.abort();
	cancel?.addEventListener('abort', onCancel, { once: true });
	try {
		let plan = planParts(request.size, request.partSize);
		const added = await api.addFile({
			name: request.name,
			path: request.path,
			size: request.size,
			partSize: plan.partSize,
		});
		const limits = { ...DEFAULT_PART_LIMITS, ...added.limits };
		plan = planParts(request.size, request.partSize, limits);
		const uploadId = api.uploadIdOf(await createMultipartUpload(ctx, node, added.createBlueprint, abort.signal, request));
		const parts = await uploadParts(ctx, node, api, added.fileId, uploadId, plan, request, abort);
		const finalized = await api.finalizeFile(added.fileId, { size: plan.size, partSize: plan.partSize, uploadId, parts });
		return { ...added.record, id: added.fileId, ...finalized };
	} catch (error) {
		if (cancel?.aborted) throw masvCancelled(node);
		throw toNodeError(node, error, request.itemIndex);
	} finally {
		cancel?.removeEventListener('abort', onCancel);
	}
}

async function createMultipartUpload(
	ctx: UploadContext,
	node: INode,
	blueprint: StorageBlueprint,
	signal: AbortSignal,
	request: UploadFileRequest,
): Promise<string> {
	for (let attempt = 1; ; attempt++) {
		let failure: string;
		let retryable = true;
		try {
			const answer = await storageTextRequest(ctx, blueprint, signal);
			if (answer.statusCode < 300) return answer.body;
			failure = `storage answered HTTP ${answer.statusCode} (${storageErrorText(answer.body)})`;
			retryable = answer.statusCode >= 500 || answer.statusCode === 408 || answer.statusCode === 429;
		} catch (error) {
			if (signal.aborted) throw masvCancelled(node);
			failure = networkMessage(error);
		}
		if (!retryable || attempt >= PART_RETRY.maxAttempts) {
			throw new NodeOperationError(node, `Could not start the upload of "${request.name}": ${failure}`, {
				itemIndex: request.itemIndex,
			});
		}
		await sleepUnlessAborted(backoffDelay(attempt, PART_RETRY.baseDelayMs, PART_RETRY.maxDelayMs), signal);
	}
}

/** Part URLs by batch, fetched ahead of need and again after a 403. */
class PartUrls {
	private readonly batches = new Map<number, Promise<StorageBlueprint[]>>();

	constructor(
		private readonly fetchBatch: (start: number, count: number) => Promise<StorageBlueprint[]>,
		private readonly partCount: number,
	) {}

	private load(batch: number): Promise<StorageBlueprint[]> {
		let urls = this.batches.get(batch);
		if (!urls) {
			const start = batch * URL_BATCH;
			urls = this.fetchBatch(start, Math.min(URL_BATCH, this.partCount - start));
			this.batches.set(batch, urls);
			// A failed batch is fetched again by the next part that needs it.
			urls.catch(() => this.batches.get(batch) === urls && this.batches.delete(batch));
		}
		return urls;
	}

	async get(partNumber: number): Promise<StorageBlueprint> {
		const batch = Math.floor((partNumber - 1) / URL_BATCH);
		// Ask for the next batch while this one is still being used.
		const next = batch + 1;
		if (next * URL_BATCH < this.partCount && (partNumber - 1) % URL_BATCH >= URL_BATCH / 2) {
			this.load(next).catch((error: Error) => error);
		}
		const urls = await this.load(batch);
		const url = urls[(partNumber - 1) % URL_BATCH];
		if (!url || typeof url.url !== 'string') {
			throw new FinalPartError(`MASV gave no upload URL for part ${partNumber}`);
		}
		return url;
	}

	/** Drops the batch holding `stale` (unless another part already did), so it is fetched anew. */
	async refresh(partNumber: number, stale: StorageBlueprint): Promise<void> {
		const batch = Math.floor((partNumber - 1) / URL_BATCH);
		const current = this.batches.get(batch);
		if (current && (await current.catch(() => undefined))?.includes(stale)) this.batches.delete(batch);
	}
}

async function uploadParts(
	ctx: UploadContext,
	node: INode,
	api: UploadFlowApi,
	fileId: string,
	uploadId: string,
	plan: PartPlan,
	request: UploadFileRequest,
	abort: AbortController,
): Promise<UploadedPart[]> {
	const urls = new PartUrls((start, count) => api.partUrls(fileId, uploadId, start, count), plan.partCount);
	const etags: string[] = new Array<string>(plan.partCount);
	const parallel = Math.max(1, Math.floor(request.parallel));
	const progress = new Progress(ctx, request.name, plan);
	const inFlight = new Set<Promise<void>>();
	let failure: unknown;
	const fail = (error: unknown) => {
		failure ??= error;
		abort.abort();
	};

	let parts: AsyncIterable<Part> | Iterable<Part>;
	if (request.source.kind === 'buffer') {
		parts = bufferParts(request.source.buffer, plan);
	} else {
		const stream = await request.source.open(READ_BUFFER_SIZE);
		parts = cutParts(stream, plan, new PartBuffers(plan.partSize));
	}
	progress.start();
	// The next part is read while the parts in flight are being sent (one part read ahead), not
	// only once a slot is free: reading a part from a stream takes a while, and a PUT slot left
	// empty during it is bandwidth lost (measured: about a fifth of the upload time).
	const iterator: AsyncIterator<Part> | Iterator<Part> =
		Symbol.asyncIterator in parts ? parts[Symbol.asyncIterator]() : parts[Symbol.iterator]();
	const readNext = () => {
		const next = Promise.resolve(iterator.next());
		// Awaited below; until then a failed read must not count as an unhandled rejection.
		next.catch(() => undefined);
		return next;
	};
	try {
		let next = readNext();
		for (;;) {
			const result = await next;
			if (result.done) break;
			const part = result.value;
			if (failure !== undefined || abort.signal.aborted) {
				part.release?.();
				break;
			}
			const task: Promise<void> = putPart(ctx, node, urls, part, request, abort.signal)
				.then((etag) => {
					etags[part.partNumber - 1] = etag;
					progress.partDone(part.body.length);
				}, fail)
				.finally(() => {
					part.release?.();
					inFlight.delete(task);
				});
			inFlight.add(task);
			next = readNext();
			while (inFlight.size >= parallel) await Promise.race(inFlight);
		}
	} catch (error) {
		// The source failed (read error, fewer or more bytes than announced).
		fail(
			new NodeOperationError(node, `Could not read the binary data of "${request.name}": ${(error as Error).message}`, {
				itemIndex: request.itemIndex,
			}),
		);
	} finally {
		// Stops the source (a file stream closes its file descriptor), also after a failure.
		await Promise.resolve(iterator.return?.()).catch(() => undefined);
	}
	await Promise.all(inFlight);
	if (failure === undefined && abort.signal.aborted) failure = masvCancelled(node);
	if (failure !== undefined) throw failure;
	progress.finish();
	return etags.map((etag, index) => ({ partNumber: index + 1, etag }));
}

async function putPart(
	ctx: UploadContext,
	node: INode,
	urls: PartUrls,
	part: Part,
	request: UploadFileRequest,
	signal: AbortSignal,
): Promise<string> {
	let refreshes = 0;
	for (let attempt = 1; ; attempt++) {
		let failure: string;
		let retryable = true;
		try {
			const url = await urls.get(part.partNumber);
			const answer = await storagePutPart(ctx, url, part.body, signal);
			if (answer.statusCode < 300 && answer.etag) return answer.etag;
			if (answer.statusCode === 403 && refreshes < PART_RETRY.maxUrlRefreshes) {
				// Most likely an expired pre-signed URL (§6.7): fetch fresh ones and try again at once.
				refreshes++;
				attempt--;
				ctx.logger.debug(`MASV upload "${request.name}": part ${part.partNumber} URL refused (403), fetching fresh part URLs`);
				await urls.refresh(part.partNumber, url);
				continue;
			}
			failure =
				answer.statusCode < 300
					? `storage answered HTTP ${answer.statusCode} without an ETag`
					: `storage answered HTTP ${answer.statusCode} (${storageErrorText(answer.body)})`;
			retryable = answer.statusCode < 300 || answer.statusCode >= 500 || answer.statusCode === 408 || answer.statusCode === 429;
		} catch (error) {
			// Cancelled, or stopped because another part failed (whose error is the one reported).
			if (signal.aborted) throw masvCancelled(node);
			if (error instanceof FinalPartError || error instanceof NodeOperationError || error instanceof NodeApiError) {
				throw toNodeError(node, error, request.itemIndex);
			}
			failure = networkMessage(error);
		}
		if (!retryable || attempt >= PART_RETRY.maxAttempts) {
			throw new NodeOperationError(
				node,
				`Part ${part.partNumber} of "${request.name}" could not be uploaded${retryable ? ` after ${attempt} tries` : ''}: ${failure}`,
				{ itemIndex: request.itemIndex },
			);
		}
		const delay = backoffDelay(attempt, PART_RETRY.baseDelayMs, PART_RETRY.maxDelayMs);
		ctx.logger.warn(`MASV upload "${request.name}": part ${part.partNumber} failed (${failure}), try ${attempt + 1} in ${delay} ms`);
		await sleepUnlessAborted(delay, signal);
	}
}


/** Progress lines in n8n's log: file, parts done of total, MiB/s. */
class Progress {
	private done = 0;
	private bytes = 0;
	private startedAt = 0;
	private loggedAt = 0;

	constructor(
		private readonly ctx: UploadContext,
		private readonly name: string,
		private readonly plan: PartPlan,
	) {}

	start(): void {
		this.startedAt = this.loggedAt = Date.now();
		this.ctx.logger.info(
			`MASV upload "${this.name}": ${mib(this.plan.size)} MiB in ${this.plan.partCount} parts of ${mib(this.plan.partSize)} MiB`,
		);
	}

	partDone(length: number): void {
		this.done++;
		this.bytes += length;
		const now = Date.now();
		if (now - this.loggedAt >= PROGRESS_EVERY_MS && this.done < this.plan.partCount) {
			this.loggedAt = now;
			this.ctx.logger.info(`MASV upload "${this.name}": ${this.line(now)}`);
		}
	}

	finish(): void {
		this.ctx.logger.info(`MASV upload "${this.name}": done, ${this.line(Date.now())}`);
	}

	private line(now: number): string {
		const seconds = Math.max((now - this.startedAt) / 1000, 0.001);
		return `${this.done}/${this.plan.partCount} parts, ${mib(this.bytes)} of ${mib(this.plan.size)} MiB, ${(this.bytes / MIB / seconds).toFixed(1)} MiB/s`;
	}
}

function mib(bytes: number): string {
	return (bytes / MIB).toFixed(bytes < MIB ? 3 : 1);
}
