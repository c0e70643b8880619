// Download buffers that the node owns and reuses once n8n's store has written them, and how the node
// tells whether the store is one that writes a chunk before it asks for the next
// (docs/download-speed.md). No n8n and no MASV calls here.
import { MIB } from './parts';
import type { BinaryStream } from './storage';

/** Size of the ranged GETs of a download that runs in the node's own buffers. */
export const DOWNLOAD_PART_SIZE = 16 * MIB;

/** Bytes handed to n8n's store at a time: views of a part buffer. */
export const SLICE_SIZE = 2 * MIB;

/**
 * How many slices the store must have asked for after a buffer's last slice before the buffer is
 * reused. n8n's filesystem stores write a chunk before they ask for the next one
 * (`fs.promises.writeFile` of a stream), and `Readable.from`, between them and the node, asks one
 * chunk ahead: slice s is written once slice s + 2 is asked for. 4 leaves a margin of two slices.
 */
export const REUSE_DISTANCE = 4;

/** The shape of a download in the node's own buffers, read at each download (tests make it small). */
export const DOWNLOAD_SHAPE = { partSize: DOWNLOAD_PART_SIZE, sliceSize: SLICE_SIZE, reuseDistance: REUSE_DISTANCE };

/** Files smaller than this are downloaded the plain way (one GET, the socket's chunks handed on). */
export const SMALLEST_OWNED_DOWNLOAD = 1 * MIB;

/**
 * Default of the option `parallelDownloads`: ranged GETs of one file in flight. Measured on a link of
 * 50 ms (docs/download-speed.md, "Parallel Downloads"): 1 → 23, 4 → 82, 6 → 100, 8 → 112, 12 → 141
 * MiB/s; on loopback 4 → 517, 8 → 455 MiB/s (both above a plain GET). 8 holds 10 buffers of 16 MiB,
 * 160 MiB under the default Max Memory, and 6 where the socket reads are held (n8n 2.x, Node.js 20).
 */
export const DEFAULT_PARALLEL_DOWNLOADS = 8;
export const MAX_PARALLEL_DOWNLOADS = 16;

/**
 * Socket chunks at least this large that own all of their memory are freed once copied. Node.js's
 * shared pool only holds buffers below 4 KiB, so a chunk of 8 KiB that owns its whole ArrayBuffer is
 * not a pool slice (TLS hands out 16 KiB chunks, plain sockets 64 KiB).
 */
export const SMALLEST_FREED_SOCKET_CHUNK = 8 * 1024;

/** Largest socket chunk freed: Node.js reads sockets 64 KiB at a time. */
export const LARGEST_SOCKET_READ = 64 * 1024;

type Movable = ArrayBuffer & { transfer?: (length?: number) => ArrayBuffer };

/** Whether this Node.js can move an ArrayBuffer's memory (`transfer`, Node.js 22 and later). */
export function canMoveMemory(): boolean {
	return typeof (ArrayBuffer.prototype as Movable).transfer === 'function';
}

/**
 * Part buffers held at most for `parallel` GETs in flight: theirs, those whose slices the store may
 * still be writing (REUSE_DISTANCE slices), and one more so that a GET can start meanwhile.
 */
export function downloadBufferCount(parallel: number, partSize: number): number {
	return parallel + 1 + Math.ceil((DOWNLOAD_SHAPE.reuseDistance * DOWNLOAD_SHAPE.sliceSize) / partSize);
}

/** The parallelism that fits a memory ceiling with `partSize` buffers (at least one GET). */
export function fitDownload(partSize: number, requestedParallel: number, maxMemory: number): number {
	let parallel = Math.max(1, Math.floor(requestedParallel));
	while (parallel > 1 && downloadBufferCount(parallel, partSize) * partSize > maxMemory) parallel--;
	return parallel;
}

/**
 * A few part buffers of one download, reused from part to part. A buffer given back has its memory
 * moved to a new ArrayBuffer (`transfer()`, no copy), which detaches the old one: every view of it
 * handed to the store before reads as empty from then on. A store that kept a view beyond the reuse
 * point (against the way it consumed the stream) then stores nothing from it instead of a later
 * part's bytes, and the stored size tells. On Node.js 20 (no `transfer`) buffers are not reused: a
 * fresh one per part, the old ones left to the collector.
 */
export class DownloadBuffers {
	private readonly idle: ArrayBuffer[] = [];
	private held = 0;

	constructor(
		readonly size: number,
		private readonly most: number,
	) {}

	/** Whether a buffer can be taken now. */
	get available(): boolean {
		return this.held < this.most;
	}

	take(): ArrayBuffer {
		this.held++;
		return this.idle.pop() ?? new ArrayBuffer(this.size);
	}

	/** Gives a buffer back once the store is done with every view of it. */
	give(memory: ArrayBuffer): void {
		this.held--;
		const move = (memory as Movable).transfer;
		if (typeof move === 'function') this.idle.push(move.call(memory));
	}

	/** Frees the idle buffers' memory at once (the download is over). */
	free(): void {
		for (const memory of this.idle.splice(0)) (memory as Movable).transfer?.(0);
	}
}

/** How n8n's store reads the stream the node hands it. */
export type ConsumerKind = 'iterates' | 'pipes' | 'other';

/**
 * Watches how the store consumes `body`: by async iteration (`fs.promises.writeFile` of a stream,
 * n8n's filesystem store), by a pipe into a writable that takes one slice at a time (each write
 * waits for the last one to finish), or otherwise (`data` events that collect chunks, as n8n's
 * memory, database, S3 and Azure stores do). Only the first two write a chunk before they ask for
 * the next one.
 */
export function watchConsumer(body: BinaryStream): () => ConsumerKind {
	let kind: ConsumerKind | undefined;
	const stream = body as unknown as {
		pipe: (destination: { writableHighWaterMark?: number }, options?: unknown) => unknown;
		[Symbol.asyncIterator]: () => AsyncIterator<unknown>;
	};
	const pipe = stream.pipe;
	stream.pipe = function (this: unknown, destination, options) {
		const mark = destination?.writableHighWaterMark;
		kind ??= typeof mark === 'number' && mark < DOWNLOAD_SHAPE.sliceSize ? 'pipes' : 'other';
		return pipe.call(this, destination, options);
	};
	const iterate = stream[Symbol.asyncIterator];
	stream[Symbol.asyncIterator] = function (this: unknown) {
		kind ??= 'iterates';
		return iterate.call(this);
	};
	return () => kind ?? 'other';
}
