// Frees the socket's own read buffers of a streamed answer once Node.js's HTTP parser has copied the
// body out of them (docs/architecture.md, "Read chunks and the garbage collector"). No n8n and no
// MASV calls here.

/** Reads below this size are left alone (Node.js's shared pool only holds buffers below 4 KiB). */
const SMALLEST_FREED_READ = 8 * 1024;

/** Node.js reads a socket at most 64 KiB at a time (TLS hands out 16 KiB); anything larger is not a read. */
const LARGEST_FREED_READ = 64 * 1024;

interface ReadSource {
	on(event: 'data', listener: (chunk: unknown) => void): unknown;
	removeListener(event: 'data', listener: (chunk: unknown) => void): unknown;
}

interface AnswerStream {
	socket?: unknown;
	once?: (event: string, listener: () => void) => unknown;
	readableEnded?: boolean;
	destroyed?: boolean;
}

type Movable = ArrayBufferLike & { transfer?: (length?: number) => ArrayBuffer };

function isReadSource(value: unknown): value is ReadSource {
	const socket = value as Partial<ReadSource> | null | undefined;
	return typeof socket?.on === 'function' && typeof socket.removeListener === 'function';
}

/**
 * Every read of an HTTP/1 answer is in memory twice: the socket reads up to 64 KiB into a fresh
 * buffer, and Node.js's HTTP parser copies the body out of it into the chunk the stream hands on.
 * The node frees the copies it has taken in (`freeChunk`), but the reads themselves stay until V8's
 * collector finds them; on Node.js 24 they set off a full collection of n8n's heap for every few
 * dozen MiB read (measured: 12-26 per GiB downloaded, 2 once the reads are freed).
 *
 * This adds a `data` listener to the answer's socket after the HTTP client's own: by the time it
 * runs, the parser has copied the read's bytes, and the HTTP client keeps no reference to the read
 * (an upgrade would, and cannot happen once the answer was handed over; a parse failure's error
 * holds it as `rawPacket`, which then reads as empty: diagnostics only). The read's memory is then given
 * back at once (`ArrayBuffer.prototype.transfer(0)`, Node.js 22 and later; nothing happens on
 * Node.js 20). Only a read that owns all of its memory, between 8 and 64 KiB, is freed.
 *
 * The listener goes when the answer ends, closes or fails (its socket may then serve another
 * request), or when the returned function is called. Returns `undefined`, and does nothing, when the
 * reads cannot be freed: the stream has no socket (n8n 2.x's HTTP helper hands over a stream made
 * from the answer, not the answer: docs/n8n-issues.md), is already over, or this Node.js has no
 * `transfer` (Node.js 20). The caller then knows that the reads wait for the collector.
 */
export function freeSocketReads(body: unknown): (() => void) | undefined {
	const answer = body as AnswerStream | null | undefined;
	const socket = answer?.socket;
	if (!isReadSource(socket) || typeof answer?.once !== 'function' || answer.readableEnded || answer.destroyed) return undefined;
	if (typeof (ArrayBuffer.prototype as Movable).transfer !== 'function') return undefined;
	const free = (chunk: unknown) => {
		if (!(chunk instanceof Uint8Array)) return;
		const memory = chunk.buffer as Movable;
		if (chunk.byteOffset !== 0 || chunk.byteLength !== memory.byteLength) return;
		if (chunk.byteLength < SMALLEST_FREED_READ || chunk.byteLength > LARGEST_FREED_READ) return;
		try {
			memory.transfer?.(0);
		} catch {
			// Memory that cannot be detached (marked so by its owner): left to the collector.
		}
	};
	let attached = true;
	const stop = () => {
		if (!attached) return;
		attached = false;
		socket.removeListener('data', free);
	};
	socket.on('data', free);
	answer.once('end', stop);
	answer.once('close', stop);
	answer.once('error', stop);
	return stop;
}
