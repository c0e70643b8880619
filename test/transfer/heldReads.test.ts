// Upload From URL when the node cannot free the source's socket reads (n8n 2.x's HTTP helper hides
// the answer's socket): part of Max Memory is kept for those reads and the parts fit the rest
// (transfer/budget.ts heldReadsReserve, actions/package/uploadRun.ts shapeForHeldReads).
import type { INodeParameters } from 'n8n-workflow';

import { shapeForHeldReads } from '../../nodes/Masv/actions/package/uploadRun';
import { HELD_READS_RESERVE, heldReadsReserve } from '../../nodes/Masv/transfer/budget';
import * as downloadBuffers from '../../nodes/Masv/transfer/downloadBuffers';
import { DOWNLOAD_SHAPE } from '../../nodes/Masv/transfer/downloadBuffers';
import { DEFAULT_MAX_MEMORY, fitToMemory } from '../../nodes/Masv/transfer/parts';
import * as socketReads from '../../nodes/Masv/transfer/socketReads';
import { sourceSha256 } from '../../tools/emulator';
import { SourceRegistry } from '../../tools/emulator/sources';
import { rl, runMasv } from '../../tools/harness';
import { credentialsFor } from '../../tools/harness/emulatorApi';
import { useEmulator } from '../harness/emulator';
import { useTransferStandIn } from '../harness/transfer';
import { binaryBytes, makeFile, MIB, sha256, uploadToNewPackage } from './helpers';
import type { TestFile } from './helpers';

const GIB = 1024 * MIB;

describe('the memory kept for socket reads the node cannot free', () => {
	it('is 128 MiB of the default 256, at most half of a smaller ceiling', () => {
		expect(heldReadsReserve(DEFAULT_MAX_MEMORY)).toBe(HELD_READS_RESERVE);
		expect(HELD_READS_RESERVE).toBe(128 * MIB);
		expect(heldReadsReserve(1024 * MIB)).toBe(128 * MIB);
		expect(heldReadsReserve(64 * MIB)).toBe(32 * MIB);
		expect(heldReadsReserve(11 * MIB)).toBe(5 * MIB);
	});

	it('leaves the parts in flight and makes them smaller: 32 MiB x 8 in 256 MiB become 16 MiB x 8 in 128 MiB', () => {
		const upload = { partSize: 32 * MIB, parallel: 7, maxMemory: DEFAULT_MAX_MEMORY };
		const held = shapeForHeldReads(upload, heldReadsReserve(DEFAULT_MAX_MEMORY), GIB);
		expect(held).toEqual({ partSize: 16 * MIB, parallel: 7, maxMemory: 128 * MIB });
		const shape = fitToMemory(GIB, held.partSize, held.parallel, held.maxMemory);
		expect([shape.plan.partSize, shape.parallel, shape.memory]).toEqual([16 * MIB, 7, 128 * MIB]);
	});

	it('a file that cannot be sent in what the reserve leaves keeps the whole of Max Memory, as without it', () => {
		const upload = { partSize: 32 * MIB, parallel: 7, maxMemory: DEFAULT_MAX_MEMORY };
		// 1 TiB in at most 10,000 parts needs parts of 105 MiB: two of them are above the 128 MiB left.
		expect(shapeForHeldReads(upload, 128 * MIB, 1024 * GIB)).toEqual(upload);
		expect(() => fitToMemory(1024 * GIB, upload.partSize, upload.parallel, upload.maxMemory)).not.toThrow();
		// The smallest Max Memory allowed (10 MiB): two 5 MiB parts, nothing left to keep.
		const small = { partSize: 5 * MIB, parallel: 1, maxMemory: 10 * MIB };
		expect(shapeForHeldReads(small, heldReadsReserve(10 * MIB), 20 * MIB)).toEqual(small);
	});

	it('never makes parts smaller than 5 MiB; a file that needs larger parts gets fewer in flight instead', () => {
		expect(shapeForHeldReads({ partSize: 32 * MIB, parallel: 15, maxMemory: 96 * MIB }, 48 * MIB, GIB).partSize).toBe(5 * MIB);
		// 200 GiB in at most 10,000 parts needs parts of 21 MiB: 6 of them fit 128 MiB.
		const held = shapeForHeldReads({ partSize: 32 * MIB, parallel: 7, maxMemory: DEFAULT_MAX_MEMORY }, 128 * MIB, 200 * GIB);
		const shape = fitToMemory(200 * GIB, held.partSize, held.parallel, held.maxMemory);
		expect(shape.plan.partSize).toBeGreaterThan(20 * MIB);
		expect(shape.memory).toBeLessThanOrEqual(128 * MIB);
		expect(shape.parallel).toBe(Math.floor(128 / (shape.plan.partSize / MIB)) - 1);
	});
});

describe('Upload From URL through n8n engine, with and without socket reads it can free', () => {
	const emu = useEmulator();
	// Node.js 20 has no ArrayBuffer.transfer, so the node frees nothing there: a stand-in, as on 22+.
	useTransferStandIn();
	const SIZE = 20 * MIB + 99;
	afterEach(() => jest.restoreAllMocks());

	async function upload(seed: number) {
		const made = emu.core.sources.add({ size: SIZE, seed, name: `take-${seed}.mov` });
		const run = await runMasv(
			{
				resource: 'package',
				operation: 'uploadFromUrl',
				url: `${emu.storageUrl}${SourceRegistry.path(made)}`,
				destination: 'newPackage',
				teamId: rl(emu.teamId),
				name: `held reads ${seed}`,
				options: { chunkSize: 16, parallelUploads: 3, maxMemoryMiB: 64 },
			} as INodeParameters,
			{ credentials: credentialsFor(emu) },
		);
		expect(run.error).toBeUndefined();
		const pkg = run.items[0].json.package as { id: string; state: string };
		expect(pkg.state).toBe('finalized');
		const stored = (await emu.files()).find((file) => file.packageId === pkg.id);
		expect(stored?.sha256).toBe(await sourceSha256(seed, SIZE));
		// The parts as the source saw them: its ranged GETs after the check.
		return made.requests.slice(1).map((request) => request.range);
	}

	it('reads that the node frees: the parts as asked (16 MiB, 4 in 64 MiB)', async () => {
		const ranges = await upload(71);
		expect(ranges.sort()).toEqual([`bytes=0-${16 * MIB - 1}`, `bytes=${16 * MIB}-${SIZE - 1}`]);
	});

	it('reads held for the collector (n8n 2.x): 32 MiB of the 64 kept for them, 8 MiB parts in the rest', async () => {
		jest.spyOn(socketReads, 'freeSocketReads').mockReturnValue(undefined);
		const ranges = await upload(72);
		expect(ranges).toHaveLength(3);
		expect(ranges.sort()).toEqual([`bytes=0-${8 * MIB - 1}`, `bytes=${16 * MIB}-${SIZE - 1}`, `bytes=${8 * MIB}-${16 * MIB - 1}`].sort());
	});
});

describe('Download when the node cannot free the socket reads: its parts in flight fit what Max Memory leaves', () => {
	const emu = useEmulator();
	useTransferStandIn();
	const shape = { ...DOWNLOAD_SHAPE };
	let packageId: string;
	let file: TestFile;

	beforeAll(async () => {
		file = makeFile('held.mov', 6 * MIB - 3, 73);
		packageId = await uploadToNewPackage(emu, file, 'held reads download');
		// Parts of 1 MiB: part buffers held = parallel + 2 (downloadBufferCount).
		Object.assign(DOWNLOAD_SHAPE, { partSize: MIB, sliceSize: 256 * 1024, reuseDistance: 4 });
	});
	afterAll(() => Object.assign(DOWNLOAD_SHAPE, shape));
	afterEach(() => jest.restoreAllMocks());

	/** The memory the download fitted its parts in flight into, and how many it chose; its bytes checked. */
	async function fitted(): Promise<{ memory: number; parallel: number }> {
		const fit = jest.spyOn(downloadBuffers, 'fitDownload');
		const run = await runMasv(
			{ resource: 'package', operation: 'download', teamId: rl(emu.teamId), packageId: rl(packageId), options: { parallelDownloads: 8, maxMemoryMiB: 10 } } as INodeParameters,
			{ credentials: credentialsFor(emu) },
		);
		expect(run.error).toBeUndefined();
		expect(sha256(await binaryBytes(run.items[0].binary!.data))).toBe(file.sha256);
		expect(fit).toHaveBeenCalledTimes(1);
		return { memory: fit.mock.calls[0][2], parallel: fit.mock.results[0].value as number };
	}

	it('reads freed: the whole 10 MiB, 8 parts in flight fit it (the file has 6)', async () => {
		expect(await fitted()).toEqual({ memory: 10 * MIB, parallel: 8 });
	});

	it('reads held (n8n 2.x): 5 MiB of the 10 kept for them, 3 parts in flight in the rest', async () => {
		jest.spyOn(socketReads, 'freeSocketReads').mockReturnValue(undefined);
		expect(await fitted()).toEqual({ memory: 5 * MIB, parallel: 3 });
	});
});
