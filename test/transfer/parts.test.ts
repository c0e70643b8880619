// The part planner, the part cutter and the memory ceiling, alone.
import { bufferParts, cutParts, DEFAULT_MAX_MEMORY, DEFAULT_PART_LIMITS, DEFAULT_PART_SIZE, fitToMemory, freeChunk, MAX_PART_BUFFER, MIB, partRange, planParts } from '../../nodes/Masv/transfer/parts';
import type { Part, PartPlan } from '../../nodes/Masv/transfer/parts';
import { addFileLimits, chunkExtras, createBlueprintOf, parseUploadId } from '../../nodes/Masv/transfer/uploadApi';
import { Masv } from '../../nodes/Masv/Masv.node';
import { hasNativeTransfer, transferMemory } from '../harness/transfer';

const GIB = 1024 * MIB;

async function collect(parts: AsyncIterable<Part>): Promise<Part[]> {
	const out: Part[] = [];
	for await (const part of parts) out.push({ partNumber: part.partNumber, body: Buffer.from(part.body) });
	return out;
}

async function* chunksOf(buffer: Buffer, sizes: number[]): AsyncGenerator<Buffer> {
	let offset = 0;
	for (let i = 0; offset < buffer.length; i++) {
		const size = sizes[i % sizes.length];
		yield buffer.subarray(offset, offset + size);
		offset += size;
	}
}

describe('planParts', () => {
	it('cuts whole parts and an uneven last part', () => {
		expect(planParts(10 * MIB, 5 * MIB)).toEqual({ size: 10 * MIB, partSize: 5 * MIB, partCount: 2 });
		const plan = planParts(11 * MIB + 1, 5 * MIB);
		expect(plan.partCount).toBe(3);
		expect(partRange(plan, 3)).toEqual({ partNumber: 3, start: 10 * MIB, end: 11 * MIB + 1, length: MIB + 1 });
		expect(partRange(plan, 1)).toEqual({ partNumber: 1, start: 0, end: 5 * MIB, length: 5 * MIB });
	});

	it('a small file is one part; a zero-byte file is one empty part', () => {
		expect(planParts(1000, DEFAULT_PART_SIZE)).toEqual({ size: 1000, partSize: DEFAULT_PART_SIZE, partCount: 1 });
		const empty = planParts(0, DEFAULT_PART_SIZE);
		expect(empty.partCount).toBe(1);
		expect(partRange(empty, 1).length).toBe(0);
	});

	it('never goes below the minimum part size', () => {
		expect(planParts(20 * MIB, MIB).partSize).toBe(5 * MIB);
	});

	it('raises the part size when a file would need more than 10,000 parts, to a whole MiB', () => {
		// 200 GiB at 16 MiB would be 12,800 parts.
		const plan = planParts(200 * GIB, 16 * MIB);
		expect(plan.partCount).toBeLessThanOrEqual(10_000);
		expect(plan.partSize % MIB).toBe(0);
		expect(plan.partSize).toBe(21 * MIB); // ceil(200 GiB / 10,000) = 20.48 MiB
		expect(plan.partCount).toBe(Math.ceil((200 * GIB) / (21 * MIB)));
		// Exactly 10,000 parts still fits without raising.
		expect(planParts(10_000 * 16 * MIB, 16 * MIB)).toEqual({ size: 10_000 * 16 * MIB, partSize: 16 * MIB, partCount: 10_000 });
		expect(planParts(10_000 * 16 * MIB + 1, 16 * MIB).partSize).toBe(17 * MIB);
	});

	it('keeps to the maximum part size and refuses a file beyond 10,000 maximum parts', () => {
		const limits = { ...DEFAULT_PART_LIMITS, maxPartCount: 10, maxPartSize: 8 * MIB };
		expect(planParts(50 * MIB, 16 * MIB, limits)).toEqual({ size: 50 * MIB, partSize: 8 * MIB, partCount: 7 });
		expect(planParts(80 * MIB, 5 * MIB, limits)).toEqual({ size: 80 * MIB, partSize: 8 * MIB, partCount: 10 });
		expect(() => planParts(80 * MIB + 1, 5 * MIB, limits)).toThrow(/larger than 10 parts/);
		// The real limits: 15 TB fits.
		expect(planParts(15 * 1000 ** 4, DEFAULT_PART_SIZE).partCount).toBeLessThanOrEqual(10_000);
	});

	it('rejects nonsense', () => {
		expect(() => planParts(-1, MIB)).toThrow(RangeError);
		expect(() => planParts(1.5, MIB)).toThrow(RangeError);
		expect(() => planParts(10, 0)).toThrow(RangeError);
		expect(() => partRange(planParts(10, 5 * MIB), 2)).toThrow(RangeError);
	});
});

describe('cutParts', () => {
	const data = Buffer.from(Array.from({ length: 12 * MIB + 5 }, (_, i) => (i * 7919) & 0xff));
	const plan: PartPlan = planParts(data.length, 5 * MIB);

	it.each([
		['chunks of exactly one part', [5 * MIB]],
		['small odd chunks', [65_537, 1000, 3]],
		['chunks larger than a part', [7 * MIB + 1]],
		['one chunk for everything', [data.length]],
	])('gives exact parts from %s', async (_name, sizes) => {
		const parts = await collect(cutParts(chunksOf(data, sizes), plan));
		expect(parts.map((p) => p.partNumber)).toEqual([1, 2, 3]);
		expect(parts.map((p) => p.body.length)).toEqual([5 * MIB, 5 * MIB, 2 * MIB + 5]);
		expect(Buffer.concat(parts.map((p) => p.body)).equals(data)).toBe(true);
	});

	it('reads the source only as parts are asked for', async () => {
		let read = 0;
		async function* counting() {
			for await (const chunk of chunksOf(data, [MIB])) {
				read += chunk.length;
				yield chunk;
			}
		}
		const iterator = cutParts(counting(), plan)[Symbol.asyncIterator]();
		await iterator.next();
		expect(read).toBe(5 * MIB);
		await iterator.next();
		expect(read).toBe(10 * MIB);
		await iterator.return(undefined);
	});

	it('passes a chunk that is exactly one part on without copying', async () => {
		const chunk = data.subarray(0, 5 * MIB);
		const iterator = cutParts(chunksOf(data, [5 * MIB]), plan)[Symbol.asyncIterator]();
		const first = await iterator.next();
		expect(first.value.body.buffer).toBe(chunk.buffer);
		await iterator.return(undefined);
	});

	it('reuses the memory of released parts, so a long file needs only a few part buffers', async () => {
		const seen = new Set<ArrayBufferLike>();
		const copies: Buffer[] = [];
		for await (const part of cutParts(chunksOf(data, [MIB]), plan)) {
			seen.add(part.body.buffer);
			copies.push(Buffer.from(part.body));
			part.release?.();
		}
		expect(seen.size).toBe(1);
		expect(Buffer.concat(copies).equals(data)).toBe(true);
		// Unreleased parts keep their memory: each gets its own.
		const held: Buffer[] = [];
		for await (const part of cutParts(chunksOf(data, [MIB]), plan)) held.push(part.body);
		expect(new Set(held.map((body) => body.buffer)).size).toBe(3);
		expect(Buffer.concat(held).equals(data)).toBe(true);
	});

	it('fails when the source is shorter or longer than its announced size', async () => {
		await expect(collect(cutParts(chunksOf(data.subarray(0, 11 * MIB), [MIB]), plan))).rejects.toThrow(/ended after 11534336 bytes/);
		const longer = Buffer.concat([data, Buffer.from('x')]);
		await expect(collect(cutParts(chunksOf(longer, [MIB]), plan))).rejects.toThrow(/longer than its size/);
		await expect(collect(cutParts(chunksOf(longer, [longer.length]), plan))).rejects.toThrow(/longer than its size/);
	});

	it('a zero-byte file is one empty part', async () => {
		const parts = await collect(cutParts(chunksOf(Buffer.alloc(0), [MIB]), planParts(0, 5 * MIB)));
		expect(parts).toEqual([{ partNumber: 1, body: Buffer.alloc(0) }]);
	});

	it('bufferParts: views of an in-memory buffer', () => {
		const parts = [...bufferParts(data, plan)];
		expect(parts.map((p) => p.body.length)).toEqual([5 * MIB, 5 * MIB, 2 * MIB + 5]);
		expect(parts[1].body.buffer).toBe(data.buffer);
		expect(() => [...bufferParts(data.subarray(1), plan)]).toThrow(/holds/);
	});
});

/**
 * A chunk whose memory behaves as on Node.js 22+ even on Node.js 20: its ArrayBuffer gets a
 * `transfer` that really detaches it, and records the calls.
 */
function ownChunk(bytes: Buffer, calls: number[]): Buffer {
	const chunk = Buffer.from(new ArrayBuffer(bytes.length));
	bytes.copy(chunk);
	Object.defineProperty(chunk.buffer, 'transfer', {
		value(this: ArrayBuffer, length?: number) {
			calls.push(length ?? -1);
			return transferMemory(this, length);
		},
	});
	return chunk;
}

describe('freeing read chunks (docs/architecture.md, "Read chunks and the garbage collector")', () => {
	it('frees a chunk that owns its memory, and nothing that shares memory or is larger than a read', () => {
		const calls: number[] = [];
		const chunk = ownChunk(Buffer.alloc(MIB, 1), calls);
		expect(freeChunk(chunk, MIB)).toBe(true);
		expect(calls).toEqual([0]);
		expect(chunk.length).toBe(0);
		expect(chunk.buffer.byteLength).toBe(0);

		const whole = ownChunk(Buffer.alloc(2 * MIB, 2), calls);
		expect(freeChunk(whole.subarray(0, MIB), 2 * MIB)).toBe(false); // a view into a larger buffer
		expect(freeChunk(whole.subarray(MIB), 2 * MIB)).toBe(false);
		expect(freeChunk(whole, MIB)).toBe(false); // larger than the reads asked for: a whole binary
		expect(freeChunk(ownChunk(Buffer.alloc(1000), calls), MIB)).toBe(false); // small: may be pooled
		expect(freeChunk(Buffer.from('pooled'), MIB)).toBe(false);
		expect(calls).toEqual([0]);
		expect(whole.length).toBe(2 * MIB);
	});

	(hasNativeTransfer ? it : it.skip)('frees a real chunk on this Node.js (22 and later)', () => {
		const chunk = Buffer.allocUnsafeSlow(MIB);
		expect(freeChunk(chunk, MIB)).toBe(true);
		expect(chunk.length).toBe(0);
	});

	it('on a Node.js without ArrayBuffer.transfer, leaves the chunk to the collector', () => {
		const chunk = Buffer.from(new ArrayBuffer(MIB));
		Object.defineProperty(chunk.buffer, 'transfer', { value: undefined });
		expect(freeChunk(chunk, MIB)).toBe(false);
		expect(chunk.length).toBe(MIB);
	});

	it('cutParts frees each chunk once all of it is copied, and the parts keep their bytes', async () => {
		const data = Buffer.alloc(11 * MIB + 3);
		for (let i = 0; i < data.length; i++) data[i] = (i * 31) & 0xff;
		const plan = planParts(data.length, 5 * MIB);
		const calls: number[] = [];
		const chunks: Buffer[] = [];
		async function* owned() {
			for await (const piece of chunksOf(data, [MIB, 3 * MIB + 7])) {
				const chunk = ownChunk(piece, calls);
				chunks.push(chunk);
				yield chunk;
			}
		}
		const copies: Buffer[] = [];
		for await (const part of cutParts(owned(), plan, undefined, 4 * MIB)) {
			copies.push(Buffer.from(part.body));
			part.release?.();
		}
		expect(Buffer.concat(copies).equals(data)).toBe(true);
		// Chunks split across two parts are not freed (their rest was kept as a view); all others are.
		const freed = chunks.filter((chunk) => chunk.length === 0).length;
		expect(freed).toBe(calls.length);
		expect(freed).toBeGreaterThan(chunks.length / 2);
		expect(freed).toBeLessThan(chunks.length);
	});

	it('cutParts frees nothing unless asked, and never a chunk passed on as a part', async () => {
		const data = Buffer.alloc(10 * MIB, 9);
		const plan = planParts(data.length, 5 * MIB);
		const calls: number[] = [];
		for await (const part of cutParts((async function* () {
			for await (const piece of chunksOf(data, [MIB])) yield ownChunk(piece, calls);
		})(), plan)) part.release?.();
		expect(calls).toEqual([]);
		const bodies: Buffer[] = [];
		for await (const part of cutParts((async function* () {
			for await (const piece of chunksOf(data, [5 * MIB])) yield ownChunk(piece, calls);
		})(), plan, undefined, 5 * MIB)) bodies.push(part.body);
		expect(calls).toEqual([]);
		expect(Buffer.concat(bodies).equals(data)).toBe(true);
	});
});

describe('upload flow guesses (docs/masv-api.md UNCERTAIN points)', () => {
	it('limits spelled either way', () => {
		expect(addFileLimits({ max_chunks_count: 10000, max_chunk_size: 5, min_chunk_size: 1 })).toEqual({
			maxPartCount: 10000,
			maxPartSize: 5,
			minPartSize: 1,
		});
		expect(addFileLimits({ max_chunk_count: 500 })).toEqual({ maxPartCount: 500 });
		expect(addFileLimits({})).toEqual({});
	});

	it('create_blueprint or createBlueprint', () => {
		expect(createBlueprintOf({ create_blueprint: { url: 'u', method: 'POST' } })).toEqual({ url: 'u', method: 'POST' });
		expect(createBlueprintOf({ createBlueprint: { url: 'v' } })).toEqual({ url: 'v' });
		expect(createBlueprintOf({})).toBeUndefined();
	});

	it('UploadId from S3 XML, with or without a namespace prefix', () => {
		const xml = `<?xml version="1.0" encoding="UTF-8"?>
<InitiateMultipartUploadResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Bucket>b</Bucket><Key>k</Key><UploadId>2~Kq7p&amp;x</UploadId></InitiateMultipartUploadResult>`;
		expect(parseUploadId(xml)).toBe('2~Kq7p&x');
		expect(parseUploadId('<s3:UploadId>abc</s3:UploadId>')).toBe('abc');
		expect(parseUploadId('{"UploadId":"j"}')).toBe('j');
		expect(parseUploadId('<Error/>')).toBeUndefined();
	});

	it('chunk_extras: partNumber as a string, ETag verbatim', () => {
		expect(chunkExtras([{ partNumber: 1, etag: '"abc"' }, { partNumber: 2, etag: 'def' }])).toEqual([
			{ partNumber: '1', etag: '"abc"' },
			{ partNumber: '2', etag: 'def' },
		]);
	});
});

describe('memory ceiling', () => {
	const GIB = 1024 * MIB;

	it('the defaults fit: 32 MiB × (7 + 1) = 256 MiB, the memory ceiling, and the editor shows them', () => {
		const upload = new Masv().description.properties.find(
			(property) => property.name === 'options' && property.displayOptions?.show?.operation?.includes('upload'),
		);
		const options = (upload?.options ?? []) as Array<{ name: string; default: unknown }>;
		const partMib = options.find((option) => option.name === 'chunkSize')?.default;
		const parallel = options.find((option) => option.name === 'parallelUploads')?.default;
		const maxMemoryMib = options.find((option) => option.name === 'maxMemoryMiB')?.default;
		expect([partMib, parallel, maxMemoryMib]).toEqual([32, 7, 256]);
		expect(DEFAULT_PART_SIZE).toBe(32 * MIB);
		expect(DEFAULT_MAX_MEMORY).toBe(256 * MIB);
		const shape = fitToMemory(10 * GIB, DEFAULT_PART_SIZE, 7, DEFAULT_MAX_MEMORY);
		expect(shape).toMatchObject({ parallel: 7, memory: 256 * MIB });
		expect(shape.plan.partSize).toBe(32 * MIB);
	});

	it('500 GiB needs 52 MiB parts: parallelism is lowered to fit 256 MiB', () => {
		const shape = fitToMemory(500 * GIB, 16 * MIB, 4, DEFAULT_MAX_MEMORY);
		expect(shape.plan.partSize).toBe(52 * MIB);
		expect(shape.parallel).toBe(3);
		expect(shape.memory).toBeLessThanOrEqual(DEFAULT_MAX_MEMORY);
	});

	it('a part size that does not fit even alone is lowered, as far as the part count allows', () => {
		const shape = fitToMemory(10 * GIB, 1024 * MIB, 4, DEFAULT_MAX_MEMORY);
		expect(shape.parallel).toBe(1);
		expect(shape.plan.partSize).toBe(128 * MIB);
		expect(() => fitToMemory(5 * 1024 * GIB, 16 * MIB, 4, DEFAULT_MAX_MEMORY)).toThrow(
			/parts of at least 525 MiB, so at least 1050 MiB of memory, above the limit of 256 MiB/,
		);
	});

	it('parts stay within what Node can allocate (4 GiB) and what storage allows', () => {
		const shape = fitToMemory(39 * 1024 * GIB, 5120 * MIB, 1, 16 * 1024 * GIB);
		expect(shape.plan.partSize).toBeLessThanOrEqual(MAX_PART_BUFFER);
		expect(() => fitToMemory(45 * 1024 * GIB, 16 * MIB, 1, 16 * 1024 * GIB)).toThrow(RangeError);
	});

	it('a small file holds only its own size', () => {
		expect(fitToMemory(1000, 16 * MIB, 4, DEFAULT_MAX_MEMORY)).toMatchObject({ parallel: 1, memory: 2000 });
	});
});
