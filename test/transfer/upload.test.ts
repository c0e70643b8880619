// package/upload through n8n's engine into the emulator (filesystem binary mode): destinations,
// items and packages, several binaries, injected faults, permanent failures, credentials.
import { rl } from '../../tools/harness';
import type { Emulator, FaultSpec } from '../../tools/emulator';
import { BACKOFF, DEFAULT_POLICY } from '../../nodes/Masv/transport/retry';
import { useRetryTimings } from '../harness/retries';
import { api, finalizeRequests, getPackage, makeFile, MIB, runTransfer } from './helpers';
import type { SourceFile, TestFile } from './helpers';
import { useEmulator } from '../harness/emulator';

const upload = (emu: Emulator, extra: Record<string, unknown> = {}, options: Record<string, unknown> = {}) => ({
	resource: 'package',
	operation: 'upload',
	destination: 'newPackage',
	teamId: rl(emu.teamId),
	name: 'upload test',
	binaryPropertyName: 'data',
	...extra,
	options: { chunkSize: 5, parallelUploads: 2, ...options },
});

const asSource = (file: TestFile, property = 'data'): SourceFile => ({ path: file.path, name: file.name, property });

describe('package upload', () => {
	const emu = useEmulator({ each: 'clean' });
	let small: TestFile;
	let big: TestFile;
	useRetryTimings(BACKOFF, { baseDelayMs: 50, maxDelayMs: 400 });
	useRetryTimings(DEFAULT_POLICY, { windowMs: 1500 });

	beforeAll(() => {
		small = makeFile('small.wav', 200_000, 21);
		big = makeFile('big.mxf', 12 * MIB + 777, 22); // 3 parts of 5 MiB
	});

	async function storedSha(packageId: string, name: string) {
		return (await emu.files()).find((f) => f.packageId === packageId && f.name === name)?.sha256;
	}

	it('onePackagePerItem puts each item into its own finalized package', async () => {
		const run = await runTransfer(emu, [[asSource(small)], [asSource(big)]], upload(emu, {}, { onePackagePerItem: true }));
		expect(run.error).toBeUndefined();
		const ids = run.items.map((item) => (item.json.package as { id: string }).id);
		expect(new Set(ids).size).toBe(2);
		expect(run.items.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }]);
		expect(await storedSha(ids[0], small.name)).toBe(small.sha256);
		expect(await storedSha(ids[1], big.name)).toBe(big.sha256);
		for (const id of ids) expect((await getPackage(emu, id)).state).toBe('finalized');
		expect(emu.requests({ kind: 'api', method: 'POST', path: `/v1/teams/${emu.teamId}/packages` })).toHaveLength(2);
	});

	it('uploads several binary properties of one item, with the package fields it was given', async () => {
		const run = await runTransfer(emu, [[asSource(small, 'audio'), asSource(big, 'video')]], upload(emu, {
			binaryPropertyName: 'audio, video',
			description: 'two files',
			recipients: 'a@example.com, b@example.com',
		}));
		expect(run.error).toBeUndefined();
		expect(run.items).toHaveLength(1);
		const files = run.items[0].json.files as Array<{ name: string; size: number }>;
		expect(files.map((f) => [f.name, f.size])).toEqual([
			[small.name, small.size],
			[big.name, big.size],
		]);
		const packageId = (run.items[0].json.package as { id: string }).id;
		expect(await storedSha(packageId, small.name)).toBe(small.sha256);
		expect(await storedSha(packageId, big.name)).toBe(big.sha256);
		const [create] = emu.requests({ kind: 'api', method: 'POST', path: `/v1/teams/${emu.teamId}/packages` });
		expect(create.body).toEqual({ name: 'upload test', description: 'two files', recipients: ['a@example.com', 'b@example.com'] });
		expect(create.headers['x-api-key']).toBe(emu.apiKey);
		// Upload calls carry the package token and not the API key.
		for (const request of emu.requests({ kind: 'api', path: new RegExp(`^/v1/packages/${packageId}/`) })) {
			expect(request.headers['x-package-token']).toEqual(expect.any(String));
			expect(request.headers['x-api-key']).toBeUndefined();
		}
	});

	it('fileName overrides the name; add file, part URLs and finalize bodies are as MASV documents them', async () => {
		const run = await runTransfer(emu, [[asSource(big)]], upload(emu, {}, { fileName: 'renamed.mxf', folderPath: 'a/b' }));
		expect(run.error).toBeUndefined();
		const packageId = (run.items[0].json.package as { id: string }).id;
		const [add] = emu.requests({ kind: 'api', method: 'POST', path: `/v1/packages/${packageId}/files` });
		expect(add.body).toEqual({ kind: 'file', name: 'renamed.mxf', path: 'a/b', size: big.size, chunk_size: 5 * MIB });
		const fileId = (run.items[0].json.files as Array<{ id: string }>)[0].id;
		const urls = emu.requests({ kind: 'api', method: 'POST', path: `/v1/packages/${packageId}/files/${fileId}` });
		expect(urls.map((r) => r.query)).toEqual([{ start: '0', count: '3' }]);
		expect(urls[0].body).toEqual({ upload_id: expect.any(String) });
		const [finalize] = emu.requests({ kind: 'api', path: `/v1/packages/${packageId}/files/${fileId}/finalize` });
		const puts = emu.requests({ kind: 'storage', method: 'PUT' });
		const body = finalize.body as { chunk_extras: Array<{ partNumber: string; etag: string }> };
		expect(finalize.body).toMatchObject({ size: big.size, chunk_size: 5 * MIB, file_extras: { upload_id: urls[0].body && (urls[0].body as { upload_id: string }).upload_id } });
		expect(body.chunk_extras.map((c) => c.partNumber)).toEqual(['1', '2', '3']);
		// ETags verbatim: quoted, as storage sent them.
		for (const extra of body.chunk_extras) expect(extra.etag).toMatch(/^"[0-9a-f]{32}"$/);
		expect(puts).toHaveLength(3);
		expect(await storedSha(packageId, 'renamed.mxf')).toBe(big.sha256);
	});

	it('adds to an existing package without finalizing it when Finalize is off', async () => {
		const created = await api(emu, 'POST', `/v1/teams/${emu.teamId}/packages`, { name: 'existing' });
		const run = await runTransfer(emu, [[asSource(small)]], upload(emu, {
			destination: 'existingPackage',
			packageId: rl(created.id as string),
			finalize: false,
		}));
		expect(run.error).toBeUndefined();
		expect(run.items[0].json.package).toEqual({ id: created.id, name: 'existing', state: 'new' });
		expect(finalizeRequests(emu).map((r) => r.path)).toEqual([expect.stringMatching(/\/files\/\w+\/finalize$/)]);
		expect((await getPackage(emu, created.id as string)).state).toBe('new');
		expect(await storedSha(created.id as string, small.name)).toBe(small.sha256);
	});

	it('refuses an existing package that is already finalized, naming it', async () => {
		const run1 = await runTransfer(emu, [[asSource(small)]], upload(emu));
		const packageId = (run1.items[0].json.package as { id: string }).id;
		emu.resetRequests();
		const run2 = await runTransfer(emu, [[asSource(small)]], upload(emu, { destination: 'existingPackage', packageId: rl(packageId) }));
		expect(run2.error?.message).toContain(`The package ${packageId} is finalized`);
		expect(emu.requests({ kind: 'api', method: 'POST' })).toHaveLength(0);
	});

	it('uploads to a portal found by its subdomain, without the API key', async () => {
		const run = await runTransfer(emu, [[asSource(small)]], upload(emu, {
			destination: 'portal',
			subdomain: emu.seed.portalSubdomain,
			senderEmail: 'sender@example.com',
			name: 'from portal',
		}));
		expect(run.error).toBeUndefined();
		const packageId = (run.items[0].json.package as { id: string }).id;
		const pkg = emu.admin.getPackage(packageId) as { portal_id?: string; state?: string; sender?: string };
		expect(pkg).toMatchObject({ portal_id: emu.seed.portalId, state: 'finalized', sender: 'sender@example.com' });
		const calls = emu.requests({ kind: 'api' }).filter((r) => !r.path.startsWith(`/v1/packages/${packageId}`));
		expect(calls.map((r) => `${r.method} ${r.path}`)).toEqual([
			`GET /v1/subdomains/portals/${emu.seed.portalSubdomain}`,
			`POST /v1/portals/${emu.seed.portalId}/packages`,
		]);
		for (const call of emu.requests({ kind: 'api' })) expect(call.headers['x-api-key']).toBeUndefined();
		expect(await storedSha(packageId, small.name)).toBe(small.sha256);
	});

	describe('injected faults end in a correct upload', () => {
		const cases: Array<[string, FaultSpec[], (emu: Emulator) => void]> = [
			['503 twice on a part PUT', [{ target: 'storage', type: 'status', status: 503, partNumber: 2, times: 2 }], () => undefined],
			['a connection reset mid-part', [{ target: 'storage', type: 'reset', partNumber: 1, afterBytes: MIB }], () => undefined],
			[
				'a 403 expired part URL (fresh URLs are fetched)',
				[{ target: 'storage', type: 'expired', partNumber: 3 }],
				(e) => expect(e.requests({ kind: 'api', method: 'POST', path: /\/files\/\w+$/ }).length).toBe(2),
			],
			['429 with Retry-After on add file', [{ target: 'api', type: 'rateLimit', retryAfter: 1, method: 'POST', path: '/files$' }], () => undefined],
			['502 on the part URL call', [{ target: 'api', type: 'status', status: 502, method: 'POST', path: '/files/\\w+$' }], () => undefined],
			['502 on finalize file and on finalize package', [
				{ target: 'api', type: 'status', status: 502, path: '/files/\\w+/finalize$' },
				{ target: 'api', type: 'status', status: 502, path: '^/v1/packages/\\w+/finalize$' },
			], () => undefined],
			['slow API answers', [{ target: 'api', type: 'delay', delayMs: 700, times: 3 }], () => undefined],
			['429 on the part URL call', [{ target: 'api', type: 'rateLimit', retryAfter: 1, method: 'POST', path: '/files/\\w+$' }], () => undefined],
			['slow storage answers', [{ target: 'storage', type: 'delay', delayMs: 1500, times: 2 }], () => undefined],
			['a 500 on the create blueprint', [{ target: 'storage', type: 'status', status: 500, method: 'POST' }], () => undefined],
		];

		it.each(cases)('%s', async (_name, faults, check) => {
			for (const fault of faults) emu.faults.add(fault);
			const started = Date.now();
			const run = await runTransfer(emu, [[asSource(big)]], upload(emu));
			expect(run.error).toBeUndefined();
			for (const fault of emu.faults.list()) expect(fault.fired).toBe(fault.spec.times ?? 1);
			const packageId = (run.items[0].json.package as { id: string }).id;
			expect(await storedSha(packageId, big.name)).toBe(big.sha256);
			expect((await getPackage(emu, packageId)).state).toBe('finalized');
			if (faults[0].type === 'rateLimit') expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
			check(emu);
		});
	});

	it('a part that keeps failing ends in an error naming it, with nothing finalized', async () => {
		emu.faults.add({ target: 'storage', type: 'status', status: 500, partNumber: 2, times: -1 });
		const run = await runTransfer(emu, [[asSource(small)], [asSource(big)]], upload(emu));
		expect(run.error?.message).toMatch(/Part 2 of "big.mxf" could not be uploaded: HTTP 500 \(storage: InternalError: injected fault \(500\)\); gave up after \d+ tries in \d+ s \(retry window 2 s\)/);
		expect(run.error?.description).toMatch(/was not finalized/);
		// small.wav's file was finalized before the failure, but never the package.
		expect(finalizeRequests(emu).filter((r) => /^\/v1\/packages\/\w+\/finalize$/.test(r.path))).toHaveLength(0);
		expect(finalizeRequests(emu).filter((r) => r.body && JSON.stringify(r.body).includes('"size":' + big.size))).toHaveLength(0);
		expect(emu.requests({ kind: 'storage', method: 'PUT' }).filter((r) => r.query.partNumber === '2').length).toBeGreaterThan(2);
	});

	it('a refused part (400) is not retried', async () => {
		emu.faults.add({ target: 'storage', type: 'status', status: 400, partNumber: 1, times: -1 });
		const run = await runTransfer(emu, [[asSource(big)]], upload(emu));
		expect(run.error?.message).toMatch(/Part 1 of "big.mxf" could not be uploaded: HTTP 400 \(storage: InjectedFault: injected fault \(400\)\); this failure is not retried/);
		expect(emu.requests({ kind: 'storage', method: 'PUT' }).filter((r) => r.query.partNumber === '1')).toHaveLength(1);
		expect(finalizeRequests(emu)).toHaveLength(0);
	});

	it('with Continue On Fail the failed item gets an error item and the shared package is not finalized', async () => {
		emu.faults.add({ target: 'storage', type: 'status', status: 500, partNumber: 2, times: -1 });
		const run = await runTransfer(emu, [[asSource(small)], [asSource(big)]], upload(emu), {
			node: { continueOnFail: true },
		});
		expect(run.error).toBeUndefined();
		expect(run.items).toHaveLength(2);
		const [ok, failed] = run.items;
		expect(ok.pairedItem).toEqual({ item: 0 });
		expect(failed.pairedItem).toEqual({ item: 1 });
		expect(failed.json.error).toMatch(/Part 2 of "big.mxf"/);
		const packageId = (ok.json.package as { id: string }).id;
		expect(failed.json.package).toEqual({ id: packageId, name: 'upload test', state: 'new' });
		expect(ok.json.notFinalized).toMatch(/not finalized because item 1 failed/);
		expect(failed.json.notFinalized).toMatch(/not finalized/);
		expect((await getPackage(emu, packageId)).state).toBe('new');
		expect(finalizeRequests(emu).filter((r) => r.path === `/v1/packages/${packageId}/finalize`)).toHaveLength(0);
	});

	it('with Continue On Fail and one package per item, only the failed item\'s package stays unfinalized', async () => {
		emu.faults.add({ target: 'storage', type: 'status', status: 500, partNumber: 2, times: -1 });
		const run = await runTransfer(emu, [[asSource(small)], [asSource(big)]], upload(emu, {}, { onePackagePerItem: true }), {
			node: { continueOnFail: true },
		});
		expect(run.error).toBeUndefined();
		const [ok, failed] = run.items;
		expect(ok.json.package).toMatchObject({ state: 'finalized' });
		expect(ok.json.notFinalized).toBeUndefined();
		expect(failed.json.package).toMatchObject({ state: 'new' });
		expect(failed.json.error).toEqual(expect.any(String));
	});

	it('uploads a zero-byte file as one empty part', async () => {
		const empty = makeFile('empty.txt', 0, 23);
		const run = await runTransfer(emu, [[asSource(empty)]], upload(emu));
		expect(run.error).toBeUndefined();
		const packageId = (run.items[0].json.package as { id: string }).id;
		expect(run.items[0].json.files).toEqual([{ id: expect.any(String), name: 'empty.txt', path: '', size: 0 }]);
		expect(await storedSha(packageId, 'empty.txt')).toBe(empty.sha256);
		expect(emu.requests({ kind: 'storage', method: 'PUT' }).map((r) => r.headers['content-length'])).toEqual(['0']);
	});

	it('with Continue On Fail an item without its binary keeps the shared package from being finalized', async () => {
		const run = await runTransfer(emu, [[asSource(small)], [asSource(small, 'other')]], upload(emu), {
			node: { continueOnFail: true },
		});
		expect(run.error).toBeUndefined();
		const [ok, failed] = run.items;
		expect(failed.json.error).toMatch(/data/);
		expect(failed.json.package).toBeUndefined();
		const packageId = (ok.json.package as { id: string }).id;
		expect(ok.json.notFinalized).toMatch(/because item 1 failed/);
		expect((await getPackage(emu, packageId)).state).toBe('new');
		expect(finalizeRequests(emu).filter((r) => r.path === `/v1/packages/${packageId}/finalize`)).toHaveLength(0);
	});

	it('a missing binary property is a clear error before any package is created', async () => {
		const run = await runTransfer(emu, [[asSource(small)]], upload(emu, { binaryPropertyName: 'data, missing' }));
		expect(run.error?.message).toMatch(/missing/);
		expect(emu.requests({ kind: 'api' })).toHaveLength(0);
	});

	describe('parallelFiles', () => {
		const addFile = /^\/v1\/packages\/[^/]+\/files$/;
		const finalizeFile = /^\/v1\/packages\/[^/]+\/files\/[^/]+\/finalize$/;
		const seqs = (path: RegExp) => emu.requests({ kind: 'api', method: 'POST', path }).map((r) => r.seq);
		let files: TestFile[];
		beforeAll(() => {
			files = Array.from({ length: 6 }, (_, i) => makeFile(`clip${i}.mov`, 300_000 + i, 40 + i));
		});

		it('uploads files of several items at once, at most parallelFiles, each whole and in item order', async () => {
			const run = await runTransfer(emu, files.map((file) => [asSource(file)]), upload(emu, {}, { parallelFiles: 3 }));
			expect(run.error).toBeUndefined();
			expect(run.items.map((item) => item.pairedItem)).toEqual(files.map((_, item) => ({ item })));
			expect(run.items.map((item) => (item.json.files as Array<{ name: string }>)[0].name)).toEqual(files.map((f) => f.name));
			const packageId = (run.items[0].json.package as { id: string }).id;
			for (const file of files) expect(await storedSha(packageId, file.name)).toBe(file.sha256);
			expect((await getPackage(emu, packageId)).state).toBe('finalized');
			const adds = seqs(addFile);
			const firstDone = Math.min(...seqs(finalizeFile));
			expect(adds).toHaveLength(6);
			// Three files were started before any file was finished, and the fourth only after one was.
			expect(adds[2]).toBeLessThan(firstDone);
			expect(adds[3]).toBeGreaterThan(firstDone);
		});

		it('parallelFiles 1 uploads one file after the other', async () => {
			const run = await runTransfer(emu, files.slice(0, 3).map((file) => [asSource(file)]), upload(emu, {}, { parallelFiles: 1 }));
			expect(run.error).toBeUndefined();
			const adds = seqs(addFile);
			const done = seqs(finalizeFile);
			expect(adds[1]).toBeGreaterThan(done[0]);
			expect(adds[2]).toBeGreaterThan(done[1]);
		});

		it('files of a run share their part buffers: a run of many files allocates only a few', async () => {
			const clips = Array.from({ length: 4 }, (_, i) => makeFile(`take${i}.mxf`, 7 * MIB + i, 60 + i)); // 2 parts of 5 MiB each
			const allocate = jest.spyOn(Buffer, 'allocUnsafeSlow');
			try {
				const run = await runTransfer(emu, clips.map((file) => [asSource(file)]), upload(emu, {}, { parallelFiles: 1 }));
				expect(run.error).toBeUndefined();
				const packageId = (run.items[0].json.package as { id: string }).id;
				for (const clip of clips) expect(await storedSha(packageId, clip.name)).toBe(clip.sha256);
				const partBuffers = allocate.mock.calls.filter(([size]) => size === 5 * MIB);
				// One file at a time, two parts each: the buffers of the first file serve the others.
				expect(partBuffers.length).toBeLessThanOrEqual(3);
			} finally {
				allocate.mockRestore();
			}
		});

		it('many files in flight add one listener to the execution\'s cancel signal, not one each', async () => {
			// More than ten listeners on one signal make Node.js warn of a leak in n8n's log.
			const many = Array.from({ length: 12 }, (_, i) => makeFile(`still${i}.jpg`, 50_000 + i, 80 + i));
			// Slow part PUTs, so that all twelve files are in flight together.
			emu.faults.add({ target: 'storage', type: 'delay', delayMs: 700, partNumber: 1, times: -1 });
			const listeners = new Map<AbortSignal, number>();
			let most = 0;
			const add = AbortSignal.prototype.addEventListener;
			const remove = AbortSignal.prototype.removeEventListener;
			const addSpy = jest.spyOn(AbortSignal.prototype, 'addEventListener').mockImplementation(function (this: AbortSignal, ...args) {
				if (args[0] === 'abort') {
					listeners.set(this, (listeners.get(this) ?? 0) + 1);
					most = Math.max(most, listeners.get(this) ?? 0);
				}
				return add.apply(this, args);
			});
			const removeSpy = jest.spyOn(AbortSignal.prototype, 'removeEventListener').mockImplementation(function (this: AbortSignal, ...args) {
				if (args[0] === 'abort') listeners.set(this, (listeners.get(this) ?? 1) - 1);
				return remove.apply(this, args);
			});
			try {
				const run = await runTransfer(emu, many.map((file) => [asSource(file)]), upload(emu, {}, { parallelFiles: 12 }));
				expect(run.error).toBeUndefined();
			} finally {
				addSpy.mockRestore();
				removeSpy.mockRestore();
			}
			expect(most).toBeLessThanOrEqual(10);
		});

		it('a failing file stops the run without Continue On Fail; files in flight end and nothing is finalized', async () => {
			emu.faults.add({ target: 'storage', type: 'status', status: 400, partNumber: 1, times: 1 });
			const run = await runTransfer(emu, files.map((file) => [asSource(file)]), upload(emu, {}, { parallelFiles: 3 }));
			expect(run.error?.message).toMatch(/could not be uploaded/);
			expect(run.error?.description).toMatch(/was not finalized|was deleted/);
			expect(seqs(addFile).length).toBeLessThan(6);
			expect(finalizeRequests(emu).filter((r) => /^\/v1\/packages\/[^/]+\/finalize$/.test(r.path))).toHaveLength(0);
		});
	});
});
