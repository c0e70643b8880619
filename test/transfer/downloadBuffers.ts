// Downloads into the node's own buffers (docs/download-speed.md), run by one test file per n8n
// binary mode: ranged GETs in parallel, buffers reused only once n8n's store has written them, the
// plain path where the store collects chunks, and the fall-back when a store keeps chunks past their
// reuse.
import { BinaryDataService } from 'n8n-core';
import type { IBinaryData, INodeParameters } from 'n8n-workflow';
import type { Readable } from 'node:stream';

import { rl, runMasv } from '../../tools/harness';
import { startEmulator } from '../../tools/emulator';
import type { Emulator } from '../../tools/emulator';
import * as downloadEngine from '../../nodes/Masv/transfer/download';
import { storeVerdict } from '../../nodes/Masv/transfer/download';
import { DOWNLOAD_SHAPE } from '../../nodes/Masv/transfer/downloadBuffers';
import { BACKOFF } from '../../nodes/Masv/transport/retry';
import { useRetryTimings } from '../harness/retries';
import { useTransferStandIn } from '../harness/transfer';
import { binaryBytes, credentialsFor, makeFile, MIB, settledWithin, sha256, uploadToNewPackage, wait } from './helpers';
import type { TestFile } from './helpers';

type Store = BinaryDataService['store'];

/** What a watched store saw: chunks it was handed and any whose bytes changed before it was done with them. */
interface WriteReport {
	chunks: number;
	violations: string[];
}

/**
 * Wraps n8n's store so that it checks every chunk it is handed: its length and SHA-256 when handed,
 * and again when the store asks for the next chunk (`fs.promises.writeFile` of a stream has written
 * a chunk by then). A buffer the node reused before the store wrote it reads as empty or other bytes
 * there. Each chunk is also held for `holdMs` before the store may write it (a slow disk).
 */
function watchWrites(holdMs: number): WriteReport {
	const report: WriteReport = { chunks: 0, violations: [] };
	const original = BinaryDataService.prototype.store;
	jest.spyOn(BinaryDataService.prototype, 'store').mockImplementation(async function (this: BinaryDataService, ...args: Parameters<Store>) {
		const stream = args[1] as Readable;
		if (Buffer.isBuffer(stream)) return await original.apply(this, args);
		const iterate = stream[Symbol.asyncIterator];
		stream[Symbol.asyncIterator] = function (this: Readable) {
			const inner = iterate.call(this) as AsyncIterator<Buffer>;
			let handed: { chunk: Buffer; length: number; hash: string; index: number } | undefined;
			const check = () => {
				if (!handed) return;
				const { chunk, length, hash, index } = handed;
				if (chunk.length !== length || sha256(chunk) !== hash) {
					report.violations.push(`chunk ${index} (${length} bytes) changed before it was written: now ${chunk.length} bytes`);
				}
				handed = undefined;
			};
			const iterator: AsyncIterableIterator<Buffer> = {
				async next() {
					check();
					const result = await inner.next();
					if (!result.done) {
						// The node never hands out an empty chunk: one is a slice whose buffer was already reused.
						if (result.value.length === 0) report.violations.push(`chunk ${report.chunks} was handed out empty: its buffer was reused before the store got it`);
						handed = { chunk: result.value, length: result.value.length, hash: sha256(result.value), index: report.chunks++ };
						if (holdMs > 0) await wait(holdMs);
					}
					return result;
				},
				async return(value?: unknown) {
					check();
					return (await inner.return?.(value)) ?? { done: true, value: undefined };
				},
				[Symbol.asyncIterator]() {
					return iterator;
				},
			};
			return iterator;
		};
		return await original.apply(this, args);
	});
	return report;
}

/**
 * A store that reads the stream by async iteration, as n8n's filesystem store does, but keeps every
 * chunk until the end and only then writes them: against what the node relies on.
 */
function keepChunks(): void {
	const original = BinaryDataService.prototype.store;
	jest.spyOn(BinaryDataService.prototype, 'store').mockImplementation(async function (this: BinaryDataService, ...args: Parameters<Store>) {
		const [location, body, binary] = args;
		if (Buffer.isBuffer(body)) return await original.apply(this, args);
		const chunks: Buffer[] = [];
		for await (const chunk of body as AsyncIterable<Buffer>) chunks.push(chunk);
		return await original.call(this, location, Buffer.concat(chunks), binary);
	});
}

export function downloadBuffersSuite(mode: 'filesystem' | 'default'): void {
	describe(`downloads into the node's own buffers, n8n's ${mode === 'default' ? 'memory' : 'filesystem'} binary mode`, () => {
		let emu: Emulator;
		let packageId: string;
		let file: TestFile;
		const shape = { ...DOWNLOAD_SHAPE };
		useRetryTimings(BACKOFF, { baseDelayMs: 20, maxDelayMs: 100 });
		// Node.js 20 has no ArrayBuffer.transfer: a stand-in that detaches the same way, so that a
		// buffer's reuse is seen in the views handed out before it, as on Node.js 22+.
		useTransferStandIn();

		beforeAll(async () => {
			// Six parts of 1 MiB (the last one short), slices of 256 KiB.
			Object.assign(DOWNLOAD_SHAPE, { partSize: MIB, sliceSize: 256 * 1024, reuseDistance: 4 });
			emu = await startEmulator();
			file = makeFile('take.mov', 5 * MIB + 12345, 51);
			packageId = await uploadToNewPackage(emu, file, 'for own buffers');
		});
		afterAll(async () => {
			Object.assign(DOWNLOAD_SHAPE, shape);
			await emu.close();
		});
		beforeEach(() => {
			emu.faults.clear();
			emu.resetRequests();
			storeVerdict.keepsChunks = false;
		});
		afterEach(() => {
			jest.restoreAllMocks();
			Object.assign(DOWNLOAD_SHAPE, { reuseDistance: 4 });
		});

		const download = (options: INodeParameters = {}) =>
			runMasv(
				{ resource: 'package', operation: 'download', teamId: rl(emu.teamId), packageId: rl(packageId), options },
				{ credentials: credentialsFor(emu) },
			);
		const ranges = () => emu.requests({ kind: 'storage', method: 'GET' }).map((request) => request.headers.range);
		const partRanges = Array.from({ length: 6 }, (_, i) => `bytes=${i * MIB}-${Math.min((i + 1) * MIB, 5 * MIB + 12345) - 1}`);
		const expectExact = async (binary: IBinaryData | undefined) => {
			expect(binary).toBeDefined();
			expect(sha256(await binaryBytes(binary as IBinaryData))).toBe(file.sha256);
		};

		if (mode === 'filesystem') {
			it('ranged GETs in parallel into reused buffers: no chunk changes before the store wrote it, and the bytes are exact', async () => {
				const report = watchWrites(2);
				const run = await download({ parallelDownloads: 3 });
				expect(run.error).toBeUndefined();
				await expectExact(run.items[0]?.binary?.data);
				expect([...ranges()].sort()).toEqual([...partRanges].sort());
				// 21 slices of 256 KiB and the short one; each checked once the store asked for the next.
				expect(report.chunks).toBe(21);
				expect(report.violations).toEqual([]);
				expect(storeVerdict.keepsChunks).toBe(false);
			});

			it('the check above fails when buffers are reused one slice too early (reuse distance 1)', async () => {
				// With Readable.from asking one chunk ahead, slice s is only known written once slice s + 2
				// is asked for: a distance of 1 hands the store emptied slices. The node then falls back.
				Object.assign(DOWNLOAD_SHAPE, { reuseDistance: 1 });
				const report = watchWrites(2);
				const run = await download({ parallelDownloads: 3 });
				expect(report.violations.length).toBeGreaterThan(0);
				expect(run.error).toBeUndefined();
				await expectExact(run.items[0]?.binary?.data);
				expect(storeVerdict.keepsChunks).toBe(true);
			});

			it('a reset in the middle of a part: that part goes on from its last byte, the bytes are exact', async () => {
				emu.faults.add({ target: 'storage', type: 'reset', method: 'GET', afterBytes: 300 * 1024 });
				const report = watchWrites(0);
				const run = await download({ parallelDownloads: 2 });
				expect(run.error).toBeUndefined();
				for (const fault of emu.faults.list()) expect(fault.fired).toBe(1);
				await expectExact(run.items[0]?.binary?.data);
				expect(report.violations).toEqual([]);
				// Six part ranges and one that resumes a part after the bytes that arrived.
				const asked = ranges();
				expect(asked).toHaveLength(7);
				const resumed = asked.filter((range) => !partRanges.includes(range as string));
				expect(resumed).toHaveLength(1);
				expect(resumed[0]).toMatch(/^bytes=(\d+)-(\d+)$/);
				const [, start, end] = /^bytes=(\d+)-(\d+)$/.exec(resumed[0] as string) as RegExpExecArray;
				expect(Number(start) % MIB).toBeGreaterThan(0);
				expect((Number(end) + 1) % MIB === 0 || Number(end) + 1 === 5 * MIB + 12345).toBe(true);
			});

			it('a store that keeps chunks past their reuse: the node sees the short file, downloads it again the plain way, and stays plain', async () => {
				keepChunks();
				const run = await download({ parallelDownloads: 3 });
				expect(run.error).toBeUndefined();
				await expectExact(run.items[0]?.binary?.data);
				expect(storeVerdict.keepsChunks).toBe(true);
				// Six part GETs, then the whole file in one plain GET.
				expect(ranges()).toHaveLength(7);
				expect(ranges()[6]).toBeUndefined();
				emu.resetRequests();
				const again = await download({ parallelDownloads: 3 });
				expect(again.error).toBeUndefined();
				await expectExact(again.items[0]?.binary?.data);
				expect(ranges()).toEqual([undefined]);
			});

			it('cancelling while a part\'s GET hangs ends the download at once', async () => {
				// The second GET hangs: a part's, after the store started reading the node's stream.
				emu.faults.add({ target: 'storage', type: 'hang', method: 'GET', skip: 1 });
				const downloads: Array<Promise<unknown>> = [];
				const original = downloadEngine.downloadFile;
				jest.spyOn(downloadEngine, 'downloadFile').mockImplementation(async (...args) => {
					const promise = original(...args);
					downloads.push(promise.catch((error: Error) => error));
					return await promise;
				});
				let cancel: (() => void) | undefined;
				const run = runMasv(
					{ resource: 'package', operation: 'download', teamId: rl(emu.teamId), packageId: rl(packageId), options: { parallelDownloads: 3 } },
					{ credentials: credentialsFor(emu), onStart: (c) => (cancel = c) },
				);
				for (let i = 0; i < 200 && emu.faults.list()[0].fired === 0; i++) await wait(25);
				expect(emu.faults.list()[0].fired).toBe(1);
				await wait(200);
				const cancelledAt = Date.now();
				cancel?.();
				expect((await run).run.status).toBe('canceled');
				expect(downloads).toHaveLength(1);
				const outcome = await settledWithin(downloads[0], 3000);
				expect((outcome as Error).message).toBe('The execution was cancelled');
				expect(Date.now() - cancelledAt).toBeLessThan(2000);
			});

			it('Parallel Downloads out of range names the option', async () => {
				const run = await download({ parallelDownloads: 0 });
				expect(run.error?.message).toBe('The option "Parallel Downloads" must be between 1 and 16');
			});
		} else {
			it('the memory store collects chunks: the plain path (the first part\'s range, then the rest), the bytes exact', async () => {
				const run = await download({ parallelDownloads: 3 });
				expect(run.error).toBeUndefined();
				await expectExact(run.items[0]?.binary?.data);
				expect(ranges()).toEqual([partRanges[0], `bytes=${MIB}-`]);
				expect(storeVerdict.keepsChunks).toBe(false);
			});
		}
	});
}
