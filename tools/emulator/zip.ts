// The package zip (`zip_windows` entry of the file list, docs/masv-api.md §7.3), generated on the fly:
// stored (uncompressed) entries, sizes known up front, ZIP64 records only when needed.
import { Readable } from 'node:stream';
import type { Blob } from './blobs';
import { readSegments } from './blobs';

export interface ZipEntry {
	/** Path inside the zip, `/`-separated. */
	name: string;
	blob: Blob;
	mtime: number;
}

const U32 = 0xffffffff;

function needsZip64(entries: ZipEntry[]): boolean {
	if (entries.length >= 0xffff) return true;
	let total = 22;
	for (const e of entries) total += 30 + 46 + 2 * Buffer.byteLength(e.name) + e.blob.size;
	return total >= U32;
}

export function zipSize(entries: ZipEntry[]): number {
	const z64 = needsZip64(entries);
	let total = z64 ? 22 + 56 + 20 : 22;
	for (const e of entries) {
		const nameLen = Buffer.byteLength(e.name);
		total += 30 + nameLen + (z64 ? 20 : 0) + e.blob.size;
		total += 46 + nameLen + (z64 ? 28 : 0);
	}
	return total;
}

function dosDateTime(ms: number): { time: number; date: number } {
	const d = new Date(ms);
	const year = Math.max(1980, d.getUTCFullYear());
	return {
		time: (d.getUTCHours() << 11) | (d.getUTCMinutes() << 5) | Math.floor(d.getUTCSeconds() / 2),
		date: ((year - 1980) << 9) | ((d.getUTCMonth() + 1) << 5) | d.getUTCDate(),
	};
}

type Piece = { buf: Buffer } | { blob: Blob };

async function buildPieces(entries: ZipEntry[]): Promise<Piece[]> {
	await Promise.all(entries.map((e) => e.blob.ready));
	const z64 = needsZip64(entries);
	const pieces: Piece[] = [];
	const central: Buffer[] = [];
	let offset = 0;
	for (const e of entries) {
		if (e.blob.crc32 === null) throw e.blob.hashError ?? new Error('file not hashed');
		const name = Buffer.from(e.name, 'utf8');
		const { time, date } = dosDateTime(e.mtime);
		const local = Buffer.alloc(30 + name.length + (z64 ? 20 : 0));
		local.writeUInt32LE(0x04034b50, 0);
		local.writeUInt16LE(z64 ? 45 : 20, 4);
		local.writeUInt16LE(0x0800, 6);
		local.writeUInt16LE(0, 8);
		local.writeUInt16LE(time, 10);
		local.writeUInt16LE(date, 12);
		local.writeUInt32LE(e.blob.crc32 >>> 0, 14);
		local.writeUInt32LE(z64 ? U32 : e.blob.size, 18);
		local.writeUInt32LE(z64 ? U32 : e.blob.size, 22);
		local.writeUInt16LE(name.length, 26);
		local.writeUInt16LE(z64 ? 20 : 0, 28);
		name.copy(local, 30);
		if (z64) {
			const x = 30 + name.length;
			local.writeUInt16LE(0x0001, x);
			local.writeUInt16LE(16, x + 2);
			local.writeBigUInt64LE(BigInt(e.blob.size), x + 4);
			local.writeBigUInt64LE(BigInt(e.blob.size), x + 12);
		}
		const cd = Buffer.alloc(46 + name.length + (z64 ? 28 : 0));
		cd.writeUInt32LE(0x02014b50, 0);
		cd.writeUInt16LE(z64 ? 45 : 20, 4);
		cd.writeUInt16LE(z64 ? 45 : 20, 6);
		cd.writeUInt16LE(0x0800, 8);
		cd.writeUInt16LE(0, 10);
		cd.writeUInt16LE(time, 12);
		cd.writeUInt16LE(date, 14);
		cd.writeUInt32LE(e.blob.crc32 >>> 0, 16);
		cd.writeUInt32LE(z64 ? U32 : e.blob.size, 20);
		cd.writeUInt32LE(z64 ? U32 : e.blob.size, 24);
		cd.writeUInt16LE(name.length, 28);
		cd.writeUInt16LE(z64 ? 28 : 0, 30);
		cd.writeUInt32LE(z64 ? U32 : offset, 42);
		name.copy(cd, 46);
		if (z64) {
			const x = 46 + name.length;
			cd.writeUInt16LE(0x0001, x);
			cd.writeUInt16LE(24, x + 2);
			cd.writeBigUInt64LE(BigInt(e.blob.size), x + 4);
			cd.writeBigUInt64LE(BigInt(e.blob.size), x + 12);
			cd.writeBigUInt64LE(BigInt(offset), x + 20);
		}
		pieces.push({ buf: local }, { blob: e.blob });
		central.push(cd);
		offset += local.length + e.blob.size;
	}
	const cdOffset = offset;
	const cdBuf = Buffer.concat(central);
	pieces.push({ buf: cdBuf });
	offset += cdBuf.length;
	if (z64) {
		const rec = Buffer.alloc(56 + 20);
		rec.writeUInt32LE(0x06064b50, 0);
		rec.writeBigUInt64LE(44n, 4);
		rec.writeUInt16LE(45, 12);
		rec.writeUInt16LE(45, 14);
		rec.writeBigUInt64LE(BigInt(entries.length), 24);
		rec.writeBigUInt64LE(BigInt(entries.length), 32);
		rec.writeBigUInt64LE(BigInt(cdBuf.length), 40);
		rec.writeBigUInt64LE(BigInt(cdOffset), 48);
		rec.writeUInt32LE(0x07064b50, 56);
		rec.writeBigUInt64LE(BigInt(offset), 64);
		rec.writeUInt32LE(1, 72);
		pieces.push({ buf: rec });
	}
	const eocd = Buffer.alloc(22);
	eocd.writeUInt32LE(0x06054b50, 0);
	eocd.writeUInt16LE(z64 ? 0xffff : entries.length, 8);
	eocd.writeUInt16LE(z64 ? 0xffff : entries.length, 10);
	eocd.writeUInt32LE(z64 ? U32 : cdBuf.length, 12);
	eocd.writeUInt32LE(z64 ? U32 : cdOffset, 16);
	pieces.push({ buf: eocd });
	return pieces;
}

/** A zip of finalized files, readable by byte range like a Blob. */
export class ZipObject {
	readonly size: number;
	constructor(private readonly entries: ZipEntry[]) {
		this.size = zipSize(entries);
	}

	read(start = 0, end = this.size - 1): Readable {
		const entries = this.entries;
		async function* generate(): AsyncGenerator<Buffer> {
			const pieces = await buildPieces(entries);
			let offset = 0;
			for (const piece of pieces) {
				const size = 'buf' in piece ? piece.buf.length : piece.blob.size;
				const pStart = offset;
				const pEnd = offset + size - 1;
				offset += size;
				if (size === 0 || pEnd < start) continue;
				if (pStart > end) break;
				const from = Math.max(start, pStart) - pStart;
				const to = Math.min(end, pEnd) - pStart;
				if ('buf' in piece) yield piece.buf.subarray(from, to + 1);
				else yield* readSegments(piece.blob.segments, from, to);
			}
		}
		return Readable.from(generate(), { objectMode: false });
	}
}
