// Cancelling an execution stops an upload promptly: no further parts, nothing finalized.
import { rl } from '../../tools/harness';
import * as engine from '../../nodes/Masv/transfer/upload';
import { BACKOFF } from '../../nodes/Masv/transport/retry';
import { useRetryTimings } from '../harness/retries';
import { finalizeRequests, makeFile, MIB, runTransfer, settledWithin, wait } from './helpers';
import type { TestFile } from './helpers';
import { useEmulator } from '../harness/emulator';

describe('cancelling an upload', () => {
	const emu = useEmulator({ each: 'clean' });
	let file: TestFile;
	let uploads: Array<Promise<unknown>>;

	beforeAll(() => {
		file = makeFile('long.mov', 40 * MIB, 31); // 8 parts of 5 MiB
	});
	beforeEach(() => {
		uploads = [];
		// Watch the engine's own promise: the workflow run ends at once on cancel, the node must too.
		const original = engine.uploadFile;
		jest.spyOn(engine, 'uploadFile').mockImplementation((...args) => {
			const promise = original(...args);
			uploads.push(promise.catch((error: Error) => error));
			return promise;
		});
	});
	afterEach(() => jest.restoreAllMocks());
	useRetryTimings(BACKOFF, {});

	async function untilStoragePut() {
		for (let i = 0; i < 200 && emu.requests({ kind: 'storage', method: 'PUT' }).length === 0; i++) await wait(25);
	}

	async function cancelDuringUpload() {
		let cancel: (() => void) | undefined;
		const run = runTransfer(
			emu,
			[[{ path: file.path, name: file.name }]],
			{
				resource: 'package',
				operation: 'upload',
				teamId: rl(emu.teamId),
				name: 'to be cancelled',
				options: { chunkSize: 5, parallelUploads: 2 },
			},
			{ onStart: (c) => (cancel = c) },
		);
		await untilStoragePut();
		const cancelledAt = Date.now();
		cancel?.();
		const result = await run;
		expect(result.run.status).toBe('canceled');
		expect(uploads).toHaveLength(1);
		const outcome = await settledWithin(uploads[0], 3000);
		return { outcome, stoppedAfterMs: Date.now() - cancelledAt };
	}

	it('slow parts: the engine stops within a second, starts no further parts and finalizes nothing', async () => {
		emu.faults.add({ target: 'storage', type: 'delay', delayMs: 600, times: -1 });
		const { outcome, stoppedAfterMs } = await cancelDuringUpload();
		expect(outcome).toBeInstanceOf(Error);
		expect((outcome as Error).message).toBe('The execution was cancelled');
		expect(stoppedAfterMs).toBeLessThan(1000);
		const putsAtStop = emu.requests({ kind: 'storage', method: 'PUT' }).length;
		expect(putsAtStop).toBeLessThanOrEqual(2);
		await wait(1500);
		expect(emu.requests({ kind: 'storage', method: 'PUT' })).toHaveLength(putsAtStop);
		expect(finalizeRequests(emu)).toHaveLength(0);
	});

	it('hanging storage: the open requests are aborted, nothing is finalized', async () => {
		emu.faults.add({ target: 'storage', type: 'hang', times: -1 });
		const { outcome, stoppedAfterMs } = await cancelDuringUpload();
		expect((outcome as Error).message).toBe('The execution was cancelled');
		expect(stoppedAfterMs).toBeLessThan(1000);
		await wait(500);
		expect(emu.requests({ kind: 'storage', method: 'PUT' }).length).toBeLessThanOrEqual(2);
		expect(finalizeRequests(emu)).toHaveLength(0);
	});

	it('a part-URL call that never answers: cancel ends it at once', async () => {
		emu.faults.add({ target: 'api', type: 'hang', method: 'POST', path: '/files/\\w+$', times: -1 });
		let cancel: (() => void) | undefined;
		const run = runTransfer(
			emu,
			[[{ path: file.path, name: file.name }]],
			{ resource: 'package', operation: 'upload', teamId: rl(emu.teamId), name: 'to be cancelled', options: { chunkSize: 5 } },
			{ onStart: (c) => (cancel = c) },
		);
		for (let i = 0; i < 200 && emu.faults.list()[0].fired === 0; i++) await wait(25);
		await wait(200);
		const cancelledAt = Date.now();
		cancel?.();
		expect((await run).run.status).toBe('canceled');
		const outcome = await settledWithin(uploads[0], 3000);
		expect((outcome as Error).message).toBe('The execution was cancelled');
		expect(Date.now() - cancelledAt).toBeLessThan(1000);
		expect(emu.requests({ kind: 'storage', method: 'PUT' })).toHaveLength(0);
		expect(finalizeRequests(emu)).toHaveLength(0);
	});

	it('waiting out a retry: the backoff ends at once on cancel', async () => {
		Object.assign(BACKOFF, { baseDelayMs: 10_000, maxDelayMs: 10_000, jitter: () => 0.9 });
		emu.faults.add({ target: 'storage', type: 'status', status: 503, times: -1 });
		const { outcome, stoppedAfterMs } = await cancelDuringUpload();
		expect((outcome as Error).message).toBe('The execution was cancelled');
		expect(stoppedAfterMs).toBeLessThan(1000);
		expect(finalizeRequests(emu)).toHaveLength(0);
	});
});
