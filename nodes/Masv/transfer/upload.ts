// The upload engine: one file into a MASV package, in parts, `parallel` parts in flight
// (docs/masv-api.md §6). It knows nothing of node parameters: the operation hands it a source of bytes,
// a part size, a parallelism and the MASV calls of the flow (transfer/uploadApi.ts).
import { createHash } from 'crypto';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';
import type { IDataObject, IExecuteFunctions, INode } from 'n8n-workflow';

import { toNodeError } from '../transport/errors';
import { masvCancelled } from '../transport/request';
import { CancelledError, errorVerdict, guard, RetryWindow, statusVerdict, whenAborted } from '../transport/retry';
import type { RetryPolicy, Verdict } from '../transport/retry';
import { bufferParts, cutParts, DEFAULT_MAX_MEMORY, DEFAULT_PART_LIMITS, fitToMemory, MIB, PartBuffers } from './parts';
import type { Part, PartLimits, PartPlan } from './parts';
import { storageErrorCode, storageErrorText, storagePutPart, storageTextRequest } from './storage';
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
	/** The file as MASV lists it now (read back after an uncertain finalize), if it is listed. */
	fileRecord(fileId: string): Promise<IDataObject | undefined>;
	/** Removes a file that was not finalized; MASV aborts its multipart upload with it. */
	removeFile(fileId: string): Promise<void>;
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
	/** Parts in flight at once (lowered where the memory ceiling needs it). */
	parallel: number;
	/** Ceiling for part buffers, in bytes (default 256 MiB). */
	maxMemory?: number;
	/** Retry window and stall timeout of each part and call. */
	policy: RetryPolicy;
	itemIndex: number;
	/**
	 * Part buffers of the given part size shared with other files of the run, so that a run of many
	 * files reuses the same few buffers instead of allocating fresh ones for every file.
	 */
	partBuffers?: (partSize: number) => PartBuffers;
}

/** Fresh part URLs fetched for one part after a 403 before it counts as a refusal. */
export const MAX_URL_REFRESHES = 3;

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
export const READ_BUFFER_SIZE = MIB;

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
	const stopListening = whenAborted(cancel, () => abort.abort());
	let fileId: string | undefined;
	try {
		const maxMemory = request.maxMemory ?? DEFAULT_MAX_MEMORY;
		let shape = fitToMemory(request.size, request.partSize, request.parallel, maxMemory);
		const added = await api.addFile({
			name: request.name,
			path: request.path,
			size: request.size,
			partSize: shape.plan.partSize,
		});
		fileId = added.fileId;
		const limits = { ...DEFAULT_PART_LIMITS, ...added.limits };
		shape = fitToMemory(request.size, request.partSize, request.parallel, maxMemory, limits);
		const uploadId = api.uploadIdOf(await createMultipartUpload(ctx, node, added.createBlueprint, abort.signal, request));
		const parts = await uploadParts(ctx, node, api, added.fileId, uploadId, shape.plan, { ...request, parallel: shape.parallel }, abort);
		const finalized = await finalizeFile(ctx, api, added.fileId, { size: shape.plan.size, partSize: shape.plan.partSize, uploadId, parts }, request.itemIndex);
		fileId = undefined;
		return { ...added.record, id: added.fileId, ...finalized };
	} catch (error) {
		const failure = cancel?.aborted
			? masvCancelled(node)
			: error instanceof RangeError
				? new NodeOperationError(node, `"${request.name}" cannot be uploaded: ${error.message}`, {
						itemIndex: request.itemIndex,
						description: 'Raise Options > Max Memory (MiB), or lower Parallel Uploads.',
					})
				: toNodeError(node, error, request.itemIndex);
		if (fileId !== undefined) {
			const cleanup = removeUnfinishedFile(ctx, api, fileId, request, failure);
			// A cancelled execution is not kept waiting for the clean-up, which goes on by itself.
			if (!cancel?.aborted) await cleanup;
		}
		throw failure;
	} finally {
		stopListening();
	}
}

/**
 * Cleans up after a file that failed: MASV removes the file record and aborts its multipart upload,
 * so that neither is left behind. The error says what happened to it either way.
 */
async function removeUnfinishedFile(
	ctx: UploadContext,
	api: UploadFlowApi,
	fileId: string,
	request: UploadFileRequest,
	failure: NodeOperationError | NodeApiError,
): Promise<void> {
	let note: string;
	try {
		await api.removeFile(fileId);
		note = `The unfinished file ${fileId} and its partial upload were removed from the package.`;
	} catch (error) {
		note = `The unfinished file ${fileId} could not be removed (${(error as Error).message}); it stays in the package, not finalized.`;
	}
	ctx.logger.warn(`MASV upload "${request.name}": ${note}`);
	failure.description = failure.description ? `${failure.description} ${note}` : note;
}

/**
 * Finalize-file, idempotent from the node's side: after a failure whose outcome is unknown (no
 * answer, a 5xx given up on) or one that says the work is done already (409, S3's NoSuchUpload once
 * the upload was completed), the file is read back, and a file that MASV lists as complete with
 * the right size counts as finalized.
 */
async function finalizeFile(
	ctx: UploadContext,
	api: UploadFlowApi,
	fileId: string,
	finalize: FileFinalize,
	itemIndex: number,
): Promise<IDataObject> {
	const node = ctx.getNode();
	try {
		return await api.finalizeFile(fileId, finalize);
	} catch (error) {
		if (!uncertainOrDone(error)) throw toNodeError(node, error, itemIndex);
		ctx.logger.warn(`MASV upload: finalizing file ${fileId} ended in doubt (${(error as Error).message}); reading it back`);
		const record = await api.fileRecord(fileId).catch(() => undefined);
		const size = typeof record?.size === 'number' ? record.size : Number(record?.size);
		if (record && record.completed === true && size === finalize.size) return record;
		throw toNodeError(node, error, itemIndex);
	}
}

/** A MASV failure after which the work may be done: no answer, a 5xx, 409, or S3's NoSuchUpload. */
export function uncertainOrDone(error: unknown): boolean {
	if (!(error instanceof NodeApiError)) return false;
	const status = Number(error.httpCode ?? 0);
	return status === 0 || status === 409 || status >= 500 || /NoSuchUpload|already finali[sz]ed/i.test(error.message);
}

async function createMultipartUpload(
	ctx: UploadContext,
	node: INode,
	blueprint: StorageBlueprint,
	signal: AbortSignal,
	request: UploadFileRequest,
): Promise<string> {
	const retry = new RetryWindow(request.policy, signal);
	for (;;) {
		let verdict: Verdict;
		try {
			const answer = await guard(
				async (abort) => await storageTextRequest(ctx, blueprint, { signal: abort, stallMs: request.policy.stallMs }),
				{ cancel: signal, stallMs: request.policy.stallMs + STALL_GRACE_MS },
			);
			if (answer.statusCode < 300) return answer.body;
			verdict = storageVerdict(answer.statusCode, answer.headers, answer.body);
		} catch (error) {
			if (signal.aborted || error instanceof CancelledError) throw masvCancelled(node);
			verdict = errorVerdict(error);
		}
		if (!(await waitOrCancel(node, retry, verdict))) {
			throw new NodeOperationError(node, `Could not start the upload of "${request.name}": ${retry.summary()}`, {
				itemIndex: request.itemIndex,
			});
		}
	}
}

/** Extra time `guard` gives a small request beyond the helper's own idle timeout. */
const STALL_GRACE_MS = 5000;

/** A storage answer with an error status, judged by its status, S3 code and `Retry-After`. */
export function storageVerdict(status: number, headers: Record<string, unknown>, body: string): Verdict {
	return statusVerdict(status, headers, storageErrorCode(body), `storage: ${storageErrorText(body)}`);
}

async function waitOrCancel(node: INode, retry: RetryWindow, verdict: Verdict): Promise<boolean> {
	try {
		return await retry.failed(verdict);
	} catch {
		// Only a cancel ends a wait early.
		throw masvCancelled(node);
	}
}

/**
 * How long a part PUT may take before it counts as stalled. The helper only reports the answer, not
 * the bytes as they go, so "no bytes moving for the stall timeout" is approximated as: no answer
 * within the stall timeout plus the time the part's bytes take at a quarter of the rate the parts
 * of this file went at so far (at least 64 KiB/s, the rate assumed before the first part is in).
 */
export class PutDeadline {
	/** Bytes per millisecond, a moving average over the parts sent. */
	private rate?: number;

	static readonly FLOOR_BYTES_PER_MS = (64 * 1024) / 1000;

	for(length: number, stallMs: number): number {
		const rate = Math.max(PutDeadline.FLOOR_BYTES_PER_MS, (this.rate ?? 0) / 4);
		return Math.round(stallMs + length / rate);
	}

	sent(length: number, ms: number): void {
		if (length < MIB || ms <= 0) return;
		const rate = length / ms;
		this.rate = this.rate === undefined ? rate : this.rate * 0.7 + rate * 0.3;
	}
}

/** Part URLs by batch, fetched ahead of need and again after a 403. */
class PartUrls {
	private readonly batches = new Map<number, Promise<StorageBlueprint[]>>();
	/** The stall deadline of this file's part PUTs. */
	readonly deadline = new PutDeadline();

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
	let ownBuffers: PartBuffers | undefined;
	if (request.source.kind === 'buffer') {
		parts = bufferParts(request.source.buffer, plan);
	} else {
		const stream = await request.source.open(READ_BUFFER_SIZE);
		// A run's shared buffers are whole parts (any file of the run can use them). A file on its own,
		// or of a single part, gets buffers no larger than itself, given back when it is done: a run
		// of small files then holds their sizes, not a whole part each (budget.ts uploadMemory counts
		// the same). The stream was opened for this upload alone: its chunks are freed as soon as they
		// are copied.
		const shared = plan.partCount > 1 ? request.partBuffers?.(plan.partSize) : undefined;
		ownBuffers = shared ? undefined : new PartBuffers(Math.min(plan.partSize, plan.size));
		parts = cutParts(stream, plan, shared ?? ownBuffers, READ_BUFFER_SIZE);
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
	ownBuffers?.free();
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
	const retry = new RetryWindow(request.policy, signal);
	let md5: string | undefined;
	for (;;) {
		let verdict: Verdict;
		try {
			const url = await urls.get(part.partNumber);
			// n8n's helper cannot tell how far the bytes of a PUT got, and its timeout counts from the
			// start of the request: a PUT counts as stalled when it has not been answered within the
			// stall timeout plus the time its bytes take at a slow rate (see PutDeadline).
			const deadline = () => urls.deadline.for(part.body.length, request.policy.stallMs);
			const startedAt = Date.now();
			const answer = await guard(
				async (abort) => await storagePutPart(ctx, url, part.body, { signal: abort, stallMs: deadline() + STALL_GRACE_MS }),
				{ cancel: signal, stallMs: deadline },
			);
			if (answer.statusCode < 300) urls.deadline.sent(part.body.length, Date.now() - startedAt);
			if (answer.statusCode < 300 && answer.etag) {
				md5 ??= createHash('md5').update(part.body).digest('hex');
				if (etagMatches(answer.etag, md5)) return answer.etag;
				// Storage stored other bytes than were sent: send the part again.
				verdict = { transient: true, reason: `storage's ETag ${answer.etag} is not the MD5 of the part's bytes (${md5})` };
			} else if (answer.statusCode === 403 && refreshes < MAX_URL_REFRESHES && storageErrorCode(answer.body) !== 'SignatureDoesNotMatch') {
				// Most likely an expired pre-signed URL (§6.7): fetch fresh ones and try again at once.
				refreshes++;
				ctx.logger.debug(`MASV upload "${request.name}": part ${part.partNumber} URL refused (403), fetching fresh part URLs`);
				await urls.refresh(part.partNumber, url);
				continue;
			} else if (answer.statusCode < 300) {
				verdict = { transient: true, reason: `storage answered HTTP ${answer.statusCode} without an ETag` };
			} else {
				verdict = storageVerdict(answer.statusCode, answer.headers, answer.body);
			}
		} catch (error) {
			// Cancelled, or stopped because another part failed (whose error is the one reported).
			if (signal.aborted || error instanceof CancelledError) throw masvCancelled(node);
			if (error instanceof FinalPartError || error instanceof NodeOperationError || error instanceof NodeApiError) {
				throw toNodeError(node, error, request.itemIndex);
			}
			verdict = errorVerdict(error);
		}
		const before = retry.attempts;
		if (!(await waitOrCancel(node, retry, verdict))) {
			throw new NodeOperationError(node, `Part ${part.partNumber} of "${request.name}" could not be uploaded: ${retry.summary()}`, {
				itemIndex: request.itemIndex,
			});
		}
		ctx.logger.warn(`MASV upload "${request.name}": part ${part.partNumber} failed (${verdict.reason}), try ${before + 1}`);
	}
}

/**
 * Whether storage's ETag says it stored the bytes that were sent. S3 answers an UploadPart with
 * the part's MD5 (quoted hex) unless the bucket encrypts with KMS; an ETag that is not 32 hex
 * digits cannot be checked and is accepted.
 */
export function etagMatches(etag: string, md5: string): boolean {
	const bare = etag.replace(/^W\//, '').replace(/"/g, '').trim().toLowerCase();
	return !/^[0-9a-f]{32}$/.test(bare) || bare === md5;
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
