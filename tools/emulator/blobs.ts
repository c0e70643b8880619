// Byte storage on disk: parts are written once, streamed; finalized files are a list of parts
// (segments) read back in order, never held in memory as a whole.
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, promises as fsp } from 'node:fs';
import { Readable, Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { crc32 } from 'node:zlib';

export interface Segment {
	path: string;
	size: number;
}

/** An immutable byte sequence made of on-disk segments, hashed in the background. */
export class Blob {
	sha256: string | null = null;
	crc32: number | null = null;
	readonly ready: Promise<void>;
	hashError: Error | null = null;

	constructor(
		readonly segments: Segment[],
		readonly size: number,
		hashes?: { sha256: string; crc32: number },
	) {
		if (hashes) {
			this.sha256 = hashes.sha256;
			this.crc32 = hashes.crc32;
			this.ready = Promise.resolve();
		} else {
			this.ready = hashSegments(segments).then(
				(h) => {
					this.sha256 = h.sha256;
					this.crc32 = h.crc32;
				},
				(err: Error) => {
					this.hashError = err;
				},
			);
		}
	}

	/** Streams bytes [start, end] (inclusive) of the blob. */
	read(start = 0, end = this.size - 1): Readable {
		return Readable.from(readSegments(this.segments, start, end), { objectMode: false });
	}

	async remove(): Promise<void> {
		await this.ready;
		await Promise.all(this.segments.map((s) => fsp.rm(s.path, { force: true })));
	}
}

export async function* readSegments(segments: Segment[], start: number, end: number): AsyncGenerator<Buffer> {
	let offset = 0;
	for (const segment of segments) {
		const segStart = offset;
		const segEnd = offset + segment.size - 1;
		offset += segment.size;
		if (segment.size === 0 || segEnd < start) continue;
		if (segStart > end) break;
		const from = Math.max(start, segStart) - segStart;
		const to = Math.min(end, segEnd) - segStart;
		for await (const chunk of createReadStream(segment.path, { start: from, end: to, highWaterMark: 1 << 20 })) {
			yield chunk as Buffer;
		}
	}
}

async function hashSegments(segments: Segment[]): Promise<{ sha256: string; crc32: number }> {
	const sha = createHash('sha256');
	let crc = 0;
	const total = segments.reduce((n, s) => n + s.size, 0);
	for await (const chunk of readSegments(segments, 0, total - 1)) {
		sha.update(chunk);
		crc = crc32(chunk, crc);
	}
	return { sha256: sha.digest('hex'), crc32: crc };
}

export interface WrittenPart {
	path: string;
	size: number;
	md5: string;
}

/**
 * Streams `source` into `finalPath` (through a temp file renamed on success), computing the MD5
 * on the way. Never buffers the whole body. On error the temp file is removed.
 */
export async function writeStreamToFile(
	source: NodeJS.ReadableStream,
	finalPath: string,
	decoders: Transform[] = [],
): Promise<WrittenPart> {
	const tmp = `${finalPath}.tmp-${randomBytes(6).toString('hex')}`;
	const md5 = createHash('md5');
	let size = 0;
	const meter = new Transform({
		transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback) {
			md5.update(chunk);
			size += chunk.length;
			cb(null, chunk);
		},
	});
	try {
		await pipeline([source, ...decoders, meter, createWriteStream(tmp, { highWaterMark: 1 << 20 })]);
		await fsp.rename(tmp, finalPath);
	} catch (err) {
		await fsp.rm(tmp, { force: true });
		throw err;
	}
	return { path: finalPath, size, md5: md5.digest('hex') };
}

/** Copies a file into the store, returning a hashed blob (used by cloud→MASV imports). */
export async function importFile(sourcePath: string, destPath: string): Promise<Blob> {
	const sha = createHash('sha256');
	let crc = 0;
	let size = 0;
	const meter = new Transform({
		transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback) {
			sha.update(chunk);
			crc = crc32(chunk, crc);
			size += chunk.length;
			cb(null, chunk);
		},
	});
	await pipeline(createReadStream(sourcePath), meter, createWriteStream(destPath));
	return new Blob([{ path: destPath, size }], size, { sha256: sha.digest('hex'), crc32: crc });
}

/**
 * Decodes `Content-Encoding: aws-chunked` bodies (what the AWS SDK sends when it streams with a
 * trailing checksum, with or without per-chunk signatures): `<hex>[;ext]\r\n<data>\r\n ... 0\r\n<trailers>\r\n`.
 */
export class AwsChunkedDecoder extends Transform {
	private buffer: Buffer = Buffer.alloc(0);
	private remaining = 0;
	private stage: 'header' | 'data' | 'crlf' | 'trailer' | 'done' = 'header';

	_transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
		this.buffer = this.buffer.length ? Buffer.concat([this.buffer, chunk]) : chunk;
		try {
			this.consume();
			cb();
		} catch (err) {
			cb(err as Error);
		}
	}

	_flush(cb: TransformCallback): void {
		if (this.stage === 'data' || this.stage === 'header' && this.buffer.length > 0) {
			cb(new Error('truncated aws-chunked body'));
			return;
		}
		cb();
	}

	private consume(): void {
		while (this.buffer.length > 0) {
			if (this.stage === 'header') {
				const eol = this.buffer.indexOf('\r\n');
				if (eol < 0) return;
				const line = this.buffer.subarray(0, eol).toString('latin1');
				this.buffer = this.buffer.subarray(eol + 2);
				const size = parseInt(line.split(';')[0], 16);
				if (Number.isNaN(size)) throw new Error('bad aws-chunked header');
				if (size === 0) {
					this.stage = 'trailer';
				} else {
					this.remaining = size;
					this.stage = 'data';
				}
			} else if (this.stage === 'data') {
				const take = Math.min(this.remaining, this.buffer.length);
				this.push(this.buffer.subarray(0, take));
				this.buffer = this.buffer.subarray(take);
				this.remaining -= take;
				if (this.remaining === 0) this.stage = 'crlf';
			} else if (this.stage === 'crlf') {
				if (this.buffer.length < 2) return;
				this.buffer = this.buffer.subarray(2);
				this.stage = 'header';
			} else {
				// trailers (checksums) are ignored
				this.buffer = Buffer.alloc(0);
				this.stage = this.stage === 'trailer' ? 'trailer' : 'done';
			}
		}
	}
}
