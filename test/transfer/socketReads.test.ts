// The socket's own reads of a streamed storage answer are freed once Node.js's HTTP parser has
// copied the body out of them (nodes/Masv/transfer/socketReads.ts; docs/architecture.md, "Read
// chunks and the garbage collector").
import { EventEmitter } from 'node:events';
import net from 'node:net';

import { freeSocketReads } from '../../nodes/Masv/transfer/socketReads';
import { rl, runMasv } from '../../tools/harness';
import { useEmulator } from '../harness/emulator';
import { useTransferStandIn } from '../harness/transfer';
import { binaryBytes, credentialsFor, makeFile, MIB, sha256, uploadToNewPackage } from './helpers';
import type { TestFile } from './helpers';

/** A chunk that owns all of its memory, as a socket read does. */
const ownedChunk = (size: number) => new Uint8Array(new ArrayBuffer(size));

describe('freeSocketReads', () => {
	useTransferStandIn();

	function answerWithSocket() {
		const socket = new EventEmitter();
		const answer = Object.assign(new EventEmitter(), { socket, readableEnded: false, destroyed: false });
		return { socket, answer };
	}

	it("frees each read after the HTTP client's own listener has used it, and only reads that own their memory", () => {
		const { socket, answer } = answerWithSocket();
		const seenByClient: number[] = [];
		socket.on('data', (chunk: Uint8Array) => seenByClient.push(chunk.byteLength));
		freeSocketReads(answer);
		const read = ownedChunk(64 * 1024);
		const tls = ownedChunk(16 * 1024);
		const small = ownedChunk(4 * 1024);
		const large = ownedChunk(128 * 1024);
		const view = new Uint8Array(new ArrayBuffer(64 * 1024), 1024, 32 * 1024);
		for (const chunk of [read, tls, small, large, view]) socket.emit('data', chunk);
		// The client's listener saw every read whole; the read and the TLS record are freed afterwards.
		expect(seenByClient).toEqual([64 * 1024, 16 * 1024, 4 * 1024, 128 * 1024, 32 * 1024]);
		expect([read, tls, small, large, view].map((chunk) => chunk.byteLength)).toEqual([0, 0, 4 * 1024, 128 * 1024, 32 * 1024]);
	});

	it('stops when the answer ends, closes or fails, or when asked, so a kept-alive socket is left as it was', () => {
		for (const end of ['end', 'close', 'error', 'stop'] as const) {
			const { socket, answer } = answerWithSocket();
			const stop = freeSocketReads(answer);
			expect(stop).toBeInstanceOf(Function);
			expect(socket.listenerCount('data')).toBe(1);
			if (end === 'stop') stop?.();
			else answer.emit(end, end === 'error' ? new Error('reset') : undefined);
			expect(socket.listenerCount('data')).toBe(0);
			const later = ownedChunk(64 * 1024);
			socket.emit('data', later);
			expect(later.byteLength).toBe(64 * 1024);
		}
	});

	it('does nothing without a socket, on an answer already over, or without ArrayBuffer.transfer', () => {
		// `undefined` tells the caller that the reads wait for the collector.
		expect(freeSocketReads(undefined)).toBeUndefined();
		expect(freeSocketReads(new EventEmitter())).toBeUndefined();
		const ended = answerWithSocket();
		ended.answer.readableEnded = true;
		expect(freeSocketReads(ended.answer)).toBeUndefined();
		expect(ended.socket.listenerCount('data')).toBe(0);
		const descriptor = Object.getOwnPropertyDescriptor(ArrayBuffer.prototype, 'transfer') as PropertyDescriptor;
		delete (ArrayBuffer.prototype as { transfer?: unknown }).transfer;
		try {
			const fresh = answerWithSocket();
			expect(freeSocketReads(fresh.answer)).toBeUndefined();
			expect(fresh.socket.listenerCount('data')).toBe(0);
		} finally {
			Object.defineProperty(ArrayBuffer.prototype, 'transfer', descriptor);
		}
	});
});

describe('downloads free the socket reads of their storage answers', () => {
	const emu = useEmulator();
	useTransferStandIn();
	let file: TestFile;
	let packageId: string;

	beforeAll(async () => {
		file = makeFile('reel.mov', 6 * MIB + 777, 61);
		packageId = await uploadToNewPackage(emu, file, 'socket reads');
	});
	afterEach(() => jest.restoreAllMocks());

	/**
	 * Every `data` read of a socket to the emulator's storage: its size when read, and whether it was
	 * freed once all of the socket's listeners had it (it reads as empty then).
	 */
	function watchStorageReads() {
		const reads: Array<{ size: number; freed: boolean; socket: net.Socket }> = [];
		const port = Number(new URL(emu.storageUrl).port);
		const emit = net.Socket.prototype.emit as (this: net.Socket, event: string | symbol, ...args: unknown[]) => boolean;
		jest.spyOn(net.Socket.prototype, 'emit').mockImplementation(function (this: net.Socket, event: string | symbol, ...args: unknown[]) {
			const chunk = args[0];
			const size = event === 'data' && chunk instanceof Uint8Array ? chunk.byteLength : -1;
			const result = emit.call(this, event, ...args);
			if (size >= 0 && this.remotePort === port) reads.push({ size, freed: size > 0 && (chunk as Uint8Array).byteLength === 0, socket: this });
			return result;
		});
		return reads;
	}

	it('the body is exact and the reads that carried it are freed (filesystem store: own buffers)', async () => {
		const reads = watchStorageReads();
		const run = await runMasv(
			{ resource: 'package', operation: 'download', teamId: rl(emu.teamId), packageId: rl(packageId) },
			{ credentials: credentialsFor(emu) },
		);
		expect(run.error).toBeUndefined();
		expect(sha256(await binaryBytes(run.items[0].binary!.data))).toBe(file.sha256);
		const read = reads.reduce((sum, r) => sum + r.size, 0);
		const freed = reads.filter((r) => r.freed).reduce((sum, r) => sum + r.size, 0);
		// Every read of the body but a first one with headers or a short one is freed.
		expect(read).toBeGreaterThan(file.size);
		expect(freed / file.size).toBeGreaterThan(0.9);
		// No listener left behind on a socket that may serve the next request.
		for (const socket of new Set(reads.map((r) => r.socket))) expect(socket.listenerCount('data')).toBeLessThanOrEqual(1);
	});
});
