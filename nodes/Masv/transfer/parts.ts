// The part planner: how a file of a given size is cut into storage parts (docs/masv-api.md §6.2, §6.3).
// Pure arithmetic, no n8n and no MASV calls.

export const MIB = 1024 * 1024;

export interface PartLimits {
	/** Most parts one file may have (S3: 10,000). */
	maxPartCount: number;
	/** Largest part (S3: 5 GiB). */
	maxPartSize: number;
	/** Smallest part except the last (S3: 5 MiB). */
	minPartSize: number;
}

/** The storage limits of §6.2, used where MASV's add-file answer does not repeat them. */
export const DEFAULT_PART_LIMITS: PartLimits = {
	maxPartCount: 10_000,
	maxPartSize: 5 * 1024 * MIB,
	minPartSize: 5 * MIB,
};

/**
 * The node's default part size, chosen with the default of 7 parts in flight for a distant link
 * (docs/benchmark.md, "Many files, and a distant link"). n8n's helpers open a new connection for every request,
 * so each part pays the connection set-up and TCP's ramp, and the upload's speed follows the bytes in
 * flight. 32 MiB × 7 fills the 256 MiB memory ceiling (32 MiB × (7 + 1)) with fewer, longer requests
 * than 16 MiB × 15; it measured fastest at 50 ms and as fast as 16 MiB × 4 on loopback. MASV's own
 * uploaders use 100 MiB parts; with the same ceiling that would be one part in flight. Files above
 * about 312 GiB get bigger parts by the 10,000-part rule.
 */
export const DEFAULT_PART_SIZE = 32 * MIB;

/**
 * Largest part the node allocates: Node.js 20 cannot hold more than 4 GiB in one buffer
 * (`buffer.constants.MAX_LENGTH`), below the 5 GiB that storage accepts.
 */
export const MAX_PART_BUFFER = 4096 * MIB;

/** Default of the option `maxMemoryMiB`: the ceiling for the part buffers of one upload. */
export const DEFAULT_MAX_MEMORY = 256 * MIB;

export interface PartPlan {
	/** File size in bytes. */
	size: number;
	/** Size of every part but the last. */
	partSize: number;
	/** Number of parts, at least 1 (a zero-byte file is one empty part). */
	partCount: number;
}

export interface PartRange {
	partNumber: number;
	/** First byte (inclusive). */
	start: number;
	/** Last byte (exclusive). */
	end: number;
	length: number;
}

/**
 * Plans the parts of a file: the requested part size, raised to the minimum part size and to what
 * keeps the file within the part-count limit (rounded up to a whole MiB), and capped at the maximum
 * part size. Throws when the file cannot fit in the limits at all.
 */
export function planParts(size: number, requestedPartSize: number, limits: PartLimits = DEFAULT_PART_LIMITS): PartPlan {
	if (!Number.isSafeInteger(size) || size < 0) throw new RangeError(`Invalid file size: ${size}`);
	if (!Number.isFinite(requestedPartSize) || requestedPartSize <= 0) {
		throw new RangeError(`Invalid part size: ${requestedPartSize}`);
	}
	const { maxPartCount, maxPartSize, minPartSize } = limits;
	if (size > maxPartCount * maxPartSize) {
		throw new RangeError(
			`The file (${size} bytes) is larger than ${maxPartCount} parts of ${maxPartSize} bytes, the most the storage accepts`,
		);
	}
	let partSize = Math.max(Math.floor(requestedPartSize), minPartSize);
	if (Math.ceil(size / partSize) > maxPartCount) {
		partSize = Math.ceil(Math.ceil(size / maxPartCount) / MIB) * MIB;
	}
	partSize = Math.min(partSize, maxPartSize);
	// Rounding up to a MiB can only lower the count; capping at the maximum cannot exceed it, since the
	// size fits in maxPartCount × maxPartSize.
	const partCount = Math.max(1, Math.ceil(size / partSize));
	return { size, partSize, partCount };
}

/** A plan with the parallelism that fits the memory ceiling, and the memory it holds. */
export interface UploadShape {
	plan: PartPlan;
	parallel: number;
	/** Bytes of part buffers held at most: one buffer per part in flight plus the one being read. */
	memory: number;
}

/**
 * Fits an upload under a memory ceiling. Part buffers are the upload's memory: a part in flight
 * each, plus the part being read, so `part size × (parallel + 1)`. The requested part size is kept
 * where it can be (the user chose it) and parallelism is lowered first; only when a single part in
 * flight does not fit is the part size lowered, as far as the part-count rule allows. Throws a
 * RangeError that names the memory needed when even that does not fit.
 */
export function fitToMemory(
	size: number,
	requestedPartSize: number,
	requestedParallel: number,
	maxMemory: number,
	limits: PartLimits = DEFAULT_PART_LIMITS,
): UploadShape {
	const capped: PartLimits = { ...limits, maxPartSize: Math.min(limits.maxPartSize, MAX_PART_BUFFER) };
	let plan = planParts(size, Math.min(requestedPartSize, capped.maxPartSize), capped);
	const buffer = (p: PartPlan) => Math.min(p.partSize, Math.max(p.size, 1));
	let parallel = Math.max(1, Math.min(Math.floor(requestedParallel), plan.partCount));
	while (parallel > 1 && buffer(plan) * (parallel + 1) > maxMemory) parallel--;
	if (buffer(plan) * (parallel + 1) > maxMemory) {
		const smallest = planParts(size, capped.minPartSize, capped);
		const fitting = Math.floor(maxMemory / 2 / MIB) * MIB;
		if (buffer(smallest) * 2 > maxMemory) {
			throw new RangeError(
				`The file needs parts of at least ${Math.ceil(smallest.partSize / MIB)} MiB, so at least ${Math.ceil((buffer(smallest) * 2) / MIB)} MiB of memory, above the limit of ${Math.floor(maxMemory / MIB)} MiB`,
			);
		}
		plan = planParts(size, Math.max(fitting, smallest.partSize), capped);
	}
	return { plan, parallel, memory: buffer(plan) * (parallel + 1) };
}

/** The byte range of part `partNumber` (1-based). */
export function partRange(plan: PartPlan, partNumber: number): PartRange {
	if (!Number.isInteger(partNumber) || partNumber < 1 || partNumber > plan.partCount) {
		throw new RangeError(`Part ${partNumber} is outside 1..${plan.partCount}`);
	}
	const start = (partNumber - 1) * plan.partSize;
	const end = Math.min(start + plan.partSize, plan.size);
	return { partNumber, start, end, length: end - start };
}

export interface Part {
	partNumber: number;
	body: Buffer;
	/** Hands the part's memory back for a later part; the body must not be used afterwards. */
	release?: () => void;
	/** Settles once the body holds the part's bytes (a part read by range while others are sent). */
	ready?: Promise<void>;
}

/**
 * A few part-sized buffers, reused from part to part. Allocating a fresh multi-MiB buffer for every
 * part costs page faults and garbage-collector work on each one (measured: several times the cost of
 * the copy); with `parallel + 1` buffers a file of any size needs only those.
 */
export class PartBuffers {
	private readonly idle: ArrayBuffer[] = [];

	constructor(private readonly partSize: number) {}

	/**
	 * Frees the memory of the buffers not in use now (`freeChunk`), for a file's own buffers once the
	 * file is done; a buffer still in use (a part whose PUT was abandoned) is left to the collector.
	 */
	free(): void {
		for (const memory of this.idle.splice(0)) freeChunk(new Uint8Array(memory), memory.byteLength);
	}

	take(length: number): { body: Buffer; release: () => void } {
		let memory = this.idle.pop();
		if (!memory) {
			const fresh = Buffer.allocUnsafeSlow(this.partSize);
			memory = fresh.buffer as ArrayBuffer;
		}
		const body = Buffer.from(memory, 0, length);
		let released = false;
		return {
			body,
			release: () => {
				if (released) return;
				released = true;
				this.idle.push(memory);
			},
		};
	}
}

/** Chunks smaller than this may sit in Node.js's shared 8 KiB pool: never freed. */
const SMALLEST_FREED_CHUNK = 64 * 1024;

/**
 * Gives a read chunk's memory back at once, after its bytes were copied into a part buffer, instead
 * of leaving it to V8's garbage collector. n8n's binary stream allocates fresh memory for every
 * chunk it reads (a whole file's worth per upload); left to the collector, that memory drives V8
 * into a full collection of n8n's heap every few dozen MiB (docs/architecture.md, "Read chunks and
 * the garbage collector"). `ArrayBuffer.prototype.transfer(0)` detaches the chunk's memory and
 * frees it now (Node.js 22 and later; on Node.js 20 the chunk is left to the collector).
 *
 * Only a chunk that owns all of its memory and is no larger than the reads asked for is freed: a
 * view into a larger buffer, a pooled small buffer or a whole binary handed out as one chunk is
 * left alone (`smallest`: 64 KiB unless the caller knows where its chunks come from). The chunk reads
 * as empty afterwards. Returns whether it was freed.
 */
export function freeChunk(chunk: Uint8Array, largestRead: number, smallest = SMALLEST_FREED_CHUNK): boolean {
	const memory = chunk.buffer as ArrayBufferLike & { transfer?: (length?: number) => ArrayBuffer };
	if (typeof memory.transfer !== 'function') return false;
	if (chunk.byteOffset !== 0 || chunk.byteLength !== memory.byteLength) return false;
	if (chunk.byteLength < smallest || chunk.byteLength > largestRead) return false;
	try {
		memory.transfer(0);
		return true;
	} catch {
		// Memory that cannot be detached (marked so by its owner): left to the collector.
		return false;
	}
}

/**
 * Cuts a stream of buffers of any sizes into the exact parts of a plan, one at a time: the source is
 * only read when the consumer asks for the next part, so at most one part is being assembled.
 * A chunk that lines up with a part is passed on without copying. Throws when the source holds
 * fewer or more bytes than the plan says.
 *
 * With `freeReads` (the largest chunk the source was asked to read), a chunk whose bytes were all
 * copied into a part is freed at once (`freeChunk`): for a source whose chunks nobody else holds,
 * such as the stream the node opened on a binary for itself.
 */
export async function* cutParts(
	source: AsyncIterable<Buffer | Uint8Array>,
	plan: PartPlan,
	buffers = new PartBuffers(Math.min(plan.partSize, plan.size)),
	freeReads = 0,
): AsyncGenerator<Part> {
	let partNumber = 1;
	let pending: Buffer | undefined; // bytes read but not yet given out
	let received = 0;
	const iterator = source[Symbol.asyncIterator]();
	try {
		while (partNumber <= plan.partCount) {
			const { length } = partRange(plan, partNumber);
			let body: Buffer | undefined;
			let release: (() => void) | undefined;
			let filled = 0;
			const allocate = () => {
				const taken = buffers.take(length);
				release = taken.release;
				return taken.body;
			};
			if (pending && pending.length >= length) {
				body = pending.subarray(0, length);
				pending = pending.length > length ? pending.subarray(length) : undefined;
				filled = length;
			} else if (pending) {
				body = allocate();
				pending.copy(body, 0);
				filled = pending.length;
				pending = undefined;
			}
			while (filled < length) {
				const next = await iterator.next();
				if (next.done) {
					throw new Error(`The binary data ended after ${received} bytes, but its size is ${plan.size} bytes`);
				}
				const chunk = Buffer.isBuffer(next.value) ? next.value : Buffer.from(next.value);
				received += chunk.length;
				if (!body && chunk.length >= length) {
					// The chunk starts the part and covers it: a view, no copy.
					body = chunk.subarray(0, length);
					if (chunk.length > length) pending = chunk.subarray(length);
					filled = length;
					break;
				}
				body ??= allocate();
				const take = Math.min(chunk.length, length - filled);
				chunk.copy(body, filled, 0, take);
				filled += take;
				if (take < chunk.length) pending = chunk.subarray(take);
				else if (freeReads > 0) freeChunk(chunk, freeReads);
			}
			body ??= Buffer.alloc(0);
			yield { partNumber, body, release };
			partNumber++;
		}
		if (pending && pending.length > 0) {
			throw new Error(`The binary data is longer than its size of ${plan.size} bytes`);
		}
		const rest = await iterator.next();
		if (!rest.done && rest.value.length > 0) {
			throw new Error(`The binary data is longer than its size of ${plan.size} bytes`);
		}
	} finally {
		// Releases the source (a file stream closes its file descriptor).
		await iterator.return?.();
	}
}

/** The parts of a buffer that is already in memory, as views of it (no copies). */
export function* bufferParts(buffer: Buffer, plan: PartPlan): Generator<Part> {
	if (buffer.length !== plan.size) {
		throw new Error(`The binary data holds ${buffer.length} bytes, but its size is ${plan.size} bytes`);
	}
	for (let partNumber = 1; partNumber <= plan.partCount; partNumber++) {
		const { start, end } = partRange(plan, partNumber);
		yield { partNumber, body: buffer.subarray(start, end) };
	}
}

/**
 * The parts of a source read by byte range (transfer/urlSource.ts): each part gets its buffer and
 * starts reading at once, so that parts are read while earlier ones are sent. The consumer awaits
 * `ready` before sending, and releases the part only once `ready` has settled.
 */
export function* rangeParts(
	read: (range: PartRange, into: Buffer) => Promise<void>,
	plan: PartPlan,
	buffers = new PartBuffers(Math.min(plan.partSize, plan.size)),
): Generator<Part> {
	for (let partNumber = 1; partNumber <= plan.partCount; partNumber++) {
		const range = partRange(plan, partNumber);
		const { body, release } = buffers.take(range.length);
		const ready = read(range, body);
		// Awaited by the consumer; until then a failed read must not count as an unhandled rejection.
		ready.catch(() => undefined);
		yield { partNumber, body, release, ready };
	}
}
