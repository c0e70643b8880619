// A bad day, driven through the node in n8n's engine against the emulator: outages, requests that
// are never answered, storage slow-downs, lost replies, damaged parts, a full disk. Windows are
// shortened (seconds, not minutes); each case records how long it took to recover, printed at the
// end for docs/reliability.md.
import { Container } from '@n8n/di';
import { BinaryDataService } from 'n8n-core';

import { rl, runMasv } from '../../tools/harness';
import type { RunOptions } from '../../tools/harness';
import { startEmulator } from '../../tools/emulator';
import type { Emulator, FaultSpec } from '../../tools/emulator';
import { BACKOFF } from '../../nodes/Masv/transport/retry';
import { useRetryTimings } from '../harness/retries';
import { binaryBytes, credentialsFor, finalizeRequests, getPackage, makeFile, MIB, runTransfer, sha256 } from './helpers';
import type { TestFile } from './helpers';

/** Short windows: 8 s of retries, 1 s without bytes is a stall. */
const OPTIONS = { retryWindowMinutes: 8 / 60, stallTimeoutSeconds: 1 };

const recoveries: Array<[string, string]> = [];
const record = (name: string, ms: number, outcome = 'recovered') => recoveries.push([name, `${outcome} in ${(ms / 1000).toFixed(1)} s`]);

describe('transfers on a bad day', () => {
	let emu: Emulator;
	let file: TestFile;
	useRetryTimings(BACKOFF, { baseDelayMs: 100, maxDelayMs: 400 });

	beforeAll(async () => {
		emu = await startEmulator();
		file = makeFile('reel.mxf', 20 * MIB + 4321, 61); // 5 parts of 5 MiB, the last short
	});
	afterAll(async () => {
		await emu.close();
		console.log(`fault → recovery (in-process, windows ${OPTIONS.retryWindowMinutes * 60} s, stall ${OPTIONS.stallTimeoutSeconds} s)\n${recoveries.map(([name, outcome]) => `| ${name} | ${outcome} |`).join('\n')}`);
	});
	beforeEach(() => {
		emu.faults.clear();
		emu.resetRequests();
	});
	afterEach(() => jest.restoreAllMocks());

	const uploadParams = (options: Record<string, unknown> = {}) => ({
		resource: 'package',
		operation: 'upload',
		teamId: rl(emu.teamId),
		name: 'bad day',
		recipients: 'someone@example.com',
		options: { chunkSize: 5, parallelUploads: 2, ...OPTIONS, ...options },
	});

	async function uploadWith(faults: FaultSpec[], options: Record<string, unknown> = {}) {
		for (const fault of faults) emu.faults.add(fault);
		const startedAt = Date.now();
		const run = await runTransfer(emu, [[{ path: file.path, name: file.name }]], uploadParams(options));
		return { run, ms: Date.now() - startedAt };
	}

	/** Byte-exact in one finalized package, each file and the package finalized once by MASV. */
	async function expectDelivered(run: Awaited<ReturnType<typeof uploadWith>>['run']) {
		expect(run.error).toBeUndefined();
		const packageId = (run.items[0].json.package as { id: string }).id;
		expect((await getPackage(emu, packageId)).state).toBe('finalized');
		const stored = (await emu.files()).filter((f) => f.packageId === packageId);
		expect(stored.map((f) => f.sha256)).toEqual([file.sha256]);
		const packageFinalizes = finalizeRequests(emu).filter((r) => r.path === `/v1/packages/${packageId}/finalize` && r.status === 200);
		expect(packageFinalizes.length).toBeLessThanOrEqual(1);
		expect(emu.requests({ kind: 'api', method: 'POST', path: `/v1/teams/${emu.teamId}/packages` })).toHaveLength(1);
		return packageId;
	}

	it('a storage outage in the middle of a file (every request refused, 3 s): the upload waits it out', async () => {
		const { run, ms } = await uploadWith([{ target: 'storage', type: 'refuse', method: '*', skip: 3, forMs: 3000, times: -1 }]);
		await expectDelivered(run);
		// Retried for as long as the outage lasted, not for a fixed number of tries.
		// (A count of 6 tries with these waits, 0.1 to 0.4 s, would span at most about 1.5 s.)
		const refused = emu.requests({ kind: 'storage', method: 'PUT' }).filter((r) => r.fault);
		const span = (n: string) => {
			const times = refused.filter((r) => r.query.partNumber === n).map((r) => Date.parse(r.time));
			return times.length ? Math.max(...times) - Math.min(...times) : 0;
		};
		expect(Math.max(span('3'), span('4'), span('5'))).toBeGreaterThan(2000);
		expect(ms).toBeGreaterThan(3000);
		record('storage outage (3 s, every request refused) after 2 parts', ms);
	});

	it('a part PUT that is accepted and never answered: the stall timeout ends it and the part is sent again', async () => {
		const { run, ms } = await uploadWith([{ target: 'storage', type: 'hang', partNumber: 2 }]);
		await expectDelivered(run);
		expect(emu.requests({ kind: 'storage', method: 'PUT' }).filter((r) => r.query.partNumber === '2')).toHaveLength(2);
		record('part PUT accepted, never answered', ms);
	});

	it('a part-URL call and a finalize-file call that never answer: stalled, retried', async () => {
		const { run, ms } = await uploadWith([
			{ target: 'api', type: 'hang', method: 'POST', path: '/files/\\w+$' },
			{ target: 'api', type: 'hang', method: 'POST', path: '/files/\\w+/finalize$' },
		]);
		await expectDelivered(run);
		for (const fault of emu.faults.list()) expect(fault.fired).toBe(1);
		record('part-URL call and finalize-file call never answered', ms);
	});

	it("storage's 400 RequestTimeout is retried; 503 SlowDown waits its Retry-After", async () => {
		const { run, ms } = await uploadWith([
			{ target: 'storage', type: 'status', status: 400, code: 'RequestTimeout', partNumber: 1, times: 2 },
			{ target: 'storage', type: 'status', status: 503, retryAfter: 2, partNumber: 3 },
		]);
		await expectDelivered(run);
		expect(ms).toBeGreaterThanOrEqual(2000);
		for (const fault of emu.faults.list()) expect(fault.fired).toBe(fault.spec.times ?? 1);
		record('storage 400 RequestTimeout ×2, 503 SlowDown Retry-After 2 s', ms);
	});

	it('finalize-file and finalize-package replies lost after they took effect: read back, one finalize each', async () => {
		const { run, ms } = await uploadWith([
			{ target: 'api', type: 'dropReply', method: 'POST', path: '/files/\\w+/finalize$' },
			{ target: 'api', type: 'dropReply', method: 'POST', path: '^/v1/packages/\\w+/finalize$' },
		]);
		const packageId = await expectDelivered(run);
		expect(run.items[0].json.package).toMatchObject({ state: 'finalized' });
		// The package finalize was sent twice; MASV finalized it (and emailed recipients) once.
		const finalizes = finalizeRequests(emu).filter((r) => r.path === `/v1/packages/${packageId}/finalize`);
		expect(finalizes.map((r) => r.status)).toEqual([200, 409]);
		record('finalize-file and finalize-package replies lost', ms);
	});

	it('a package create whose reply is lost is not repeated: the package is read back and adopted, one package, delivered', async () => {
		const before = emu.core.state.packages.size;
		const { run, ms } = await uploadWith([{ target: 'api', type: 'dropReply', method: 'POST', path: `^/v1/teams/\\w+/packages$` }]);
		await expectDelivered(run);
		expect(emu.requests({ kind: 'api', method: 'POST', path: `/v1/teams/${emu.teamId}/packages` })).toHaveLength(1);
		expect(emu.core.state.packages.size - before).toBe(1);
		record('package create reply lost (read back, adopted)', ms);
	});

	it('a part damaged on the way (ETag is not the MD5 of the bytes sent) is sent again', async () => {
		const { run, ms } = await uploadWith([{ target: 'storage', type: 'corrupt', partNumber: 2 }]);
		await expectDelivered(run);
		expect(emu.requests({ kind: 'storage', method: 'PUT' }).filter((r) => r.query.partNumber === '2')).toHaveLength(2);
		record('part damaged in transit (ETag ≠ MD5)', ms);
	});

	it('a lasting outage fails within the window, says so, and removes what the upload created', async () => {
		const { run, ms } = await uploadWith([{ target: 'storage', type: 'refuse', method: '*', skip: 1, times: -1 }], {
			retryWindowMinutes: 2 / 60,
		});
		expect(run.error?.message).toMatch(/could not be uploaded: .*gave up after \d+ tries in [23] s \(retry window 2 s\)/);
		expect(run.error?.description).toMatch(/unfinished file \w+ and its partial upload were removed/);
		expect(run.error?.description).toMatch(/held no finalized file and was deleted/);
		expect(ms).toBeLessThan(8000);
		const created = emu.requests({ kind: 'api', method: 'POST', path: `/v1/teams/${emu.teamId}/packages` });
		expect(created).toHaveLength(1);
		expect(emu.requests({ kind: 'api', method: 'DELETE' }).map((r) => r.status)).toEqual([204, 204]);
		expect([...emu.core.storage.uploads.values()].filter((u) => u.state === 'open')).toHaveLength(0);
		record('lasting storage outage (window 2 s)', ms, 'clear error, file and package removed');
	});

	it('a refusal (storage 400 InvalidArgument) fails at once, naming it as not retried', async () => {
		const { run, ms } = await uploadWith([{ target: 'storage', type: 'status', status: 400, code: 'InvalidArgument', partNumber: 1, times: -1 }]);
		expect(run.error?.message).toMatch(/HTTP 400 \(storage: InvalidArgument: .*\); this failure is not retried/);
		expect(emu.requests({ kind: 'storage', method: 'PUT' }).filter((r) => r.query.partNumber === '1')).toHaveLength(1);
		// Well within the retry window (8 s): nothing waited for it.
		expect(ms).toBeLessThan(6000);
		record('storage 400 InvalidArgument (permanent)', ms, 'clear error');
	});

	describe('downloads', () => {
		let packageId: string;
		let big: TestFile;

		beforeAll(async () => {
			emu.faults.clear();
			big = makeFile('master.mov', 12 * MIB + 99, 62);
			const run = await runTransfer(emu, [[{ path: big.path, name: big.name }]], uploadParams());
			expect(run.error).toBeUndefined();
			packageId = (run.items[0].json.package as { id: string }).id;
		});

		const download = async (run: Partial<RunOptions> = {}) => {
			const startedAt = Date.now();
			const result = await runMasv(
				{ resource: 'package', operation: 'download', teamId: rl(emu.teamId), packageId: rl(packageId), options: { ...OPTIONS, fileNameFilter: 'master' } },
				{ credentials: credentialsFor(emu), ...run },
			);
			return { ...result, ms: Date.now() - startedAt };
		};

		it('a reset at 90% resumes with Range from the last byte: 1.1× the bytes at most, byte-exact', async () => {
			emu.faults.add({ target: 'storage', type: 'reset', method: 'GET', afterBytes: Math.floor(big.size * 0.9) });
			const { items, error, ms } = await download();
			expect(error).toBeUndefined();
			expect(sha256(await binaryBytes(items[0].binary!.data))).toBe(big.sha256);
			const gets = emu.requests({ kind: 'storage', method: 'GET' });
			expect(gets).toHaveLength(2);
			const from = Number(/bytes=(\d+)-/.exec(String(gets[1].headers.range))?.[1]);
			expect(from).toBeGreaterThan(big.size * 0.85);
			record('download reset at 90% (resumed with Range)', ms);
		});

		it('a download GET that never answers is stalled and retried', async () => {
			emu.faults.add({ target: 'storage', type: 'hang', method: 'GET' });
			const { items, error, ms } = await download();
			expect(error).toBeUndefined();
			expect(sha256(await binaryBytes(items[0].binary!.data))).toBe(big.sha256);
			record('download GET never answered', ms);
		});

		it('ENOSPC while n8n stores the download fails at once, saying the disk is full', async () => {
			const service = Container.get(BinaryDataService);
			jest.spyOn(service, 'store').mockImplementation(async (_location, stream) => {
				// Reads a little, as a real write does, then the disk is full: the write stream fails
				// and, as in a pipeline, the source is destroyed with its error.
				const error = Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
				const source = stream as NodeJS.ReadableStream & { destroy(error?: Error): void };
				await new Promise<void>((resolve) => source.once('data', () => resolve()));
				source.on('error', () => undefined);
				source.destroy(error);
				throw error;
			});
			const { error, ms } = await download();
			expect(error?.message).toMatch(/"master.mov" could not be stored in n8n: no space left on the disk .*\(ENOSPC\); this failure is not retried/);
			expect(emu.requests({ kind: 'storage', method: 'GET' })).toHaveLength(1);
			expect(ms).toBeLessThan(3000);
			record('ENOSPC while storing a download', ms, 'clear error');
		});
	});
});
