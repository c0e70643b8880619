// package/uploadFromUrl through n8n's engine: source files served by the emulator
// (tools/emulator/sources.ts) go into emulated MASV packages. Bytes, requests to the source and to
// MASV, faults (a reset at 50%, 503s), refusals that must create nothing, Continue On Fail.
import type { IDataObject, INodeParameters } from 'n8n-workflow';

import { rl, runMasv } from '../../tools/harness';
import { sourceSha256, startEmulator } from '../../tools/emulator';
import type { Emulator, Source, SourceSpec } from '../../tools/emulator';
import { SourceRegistry } from '../../tools/emulator/sources';
import { credentialsFor } from '../../tools/harness/emulatorApi';
import { BACKOFF, DEFAULT_POLICY } from '../../nodes/Masv/transport/retry';
import { PROBE_BYTES } from '../../nodes/Masv/transfer/urlSource';
import { useRetryTimings } from '../harness/retries';
import { finalizeRequests, getPackage, MIB } from './helpers';

const SIZE = 12 * MIB + 777; // 3 parts of 5 MiB

describe('package upload from URL', () => {
	let emu: Emulator;
	useRetryTimings(BACKOFF, { baseDelayMs: 50, maxDelayMs: 400 });
	useRetryTimings(DEFAULT_POLICY, { windowMs: 3000 });

	beforeAll(async () => {
		emu = await startEmulator();
	});
	afterAll(async () => await emu.close());
	beforeEach(() => {
		emu.faults.clear();
		emu.resetRequests();
	});

	function source(spec: SourceSpec): { url: string; source: Source } {
		const made = emu.core.sources.add(spec);
		return { url: `${emu.storageUrl}${SourceRegistry.path(made)}`, source: made };
	}

	const params = (url: string, extra: Record<string, unknown> = {}, options: Record<string, unknown> = {}) => ({
		resource: 'package',
		operation: 'uploadFromUrl',
		url,
		destination: 'newPackage',
		teamId: rl(emu.teamId),
		name: 'from url',
		...extra,
		options: { chunkSize: 5, parallelUploads: 2, ...options },
	});

	async function run(parameters: Record<string, unknown>, input?: IDataObject[], continueOnFail = false) {
		return await runMasv(parameters as INodeParameters, {
			credentials: credentialsFor(emu),
			input: (input ?? [{}]).map((json) => ({ json })),
			node: continueOnFail ? { continueOnFail: true } : {},
		});
	}

	async function storedSha(packageId: string, name: string) {
		return (await emu.files()).find((f) => f.packageId === packageId && f.name === name)?.sha256;
	}

	/** No MASV credential and no authorization of any kind reached the source. */
	function expectNoCredentialsSent(src: Source) {
		expect(src.requests.length).toBeGreaterThan(0);
		for (const request of src.requests) {
			const names = Object.keys(request.headers).map((name) => name.toLowerCase());
			expect(names).not.toContain('authorization');
			expect(names).not.toContain('x-api-key');
			expect(names).not.toContain('x-package-token');
			expect(JSON.stringify(request.headers)).not.toContain(emu.apiKey);
		}
	}

	/** Nothing was created or finalized in MASV. */
	function expectNothingCreated() {
		expect(emu.requests({ kind: 'api', method: 'POST', path: /\/packages$/ })).toHaveLength(0);
		expect(emu.requests({ kind: 'api', method: 'POST', path: /\/files$/ })).toHaveLength(0);
		expect(finalizeRequests(emu)).toHaveLength(0);
	}

	const ranges = (src: Source) => src.requests.map((request) => request.range ?? null);

	it('reads a source that takes ranges part by part, byte-exact, named by its Content-Disposition, without sending it a credential', async () => {
		const { url, source: src } = source({ size: SIZE, seed: 31, name: 'download', contentDisposition: `attachment; filename*=UTF-8''interview%20take%201.mov` });
		const result = await run(params(url));
		expect(result.error).toBeUndefined();
		expect(result.items).toHaveLength(1);
		const [item] = result.items;
		expect(item.pairedItem).toEqual({ item: 0 });
		const pkg = item.json.package as { id: string; name: string; state: string };
		expect(pkg).toEqual({ id: expect.any(String), name: 'from url', state: 'finalized' });
		expect(item.json.files).toEqual([{ id: expect.any(String), name: 'interview take 1.mov', path: '', size: SIZE }]);
		expect(await storedSha(pkg.id, 'interview take 1.mov')).toBe(await sourceSha256(31, SIZE));
		expect((await getPackage(emu, pkg.id)).state).toBe('finalized');
		// The check, then one ranged GET per part.
		expect(ranges(src)[0]).toBe(`bytes=0-${PROBE_BYTES - 1}`);
		expect(ranges(src).slice(1).sort()).toEqual(['bytes=0-5242879', `bytes=10485760-${SIZE - 1}`, 'bytes=5242880-10485759']);
		expect(src.requests.every((request) => request.method === 'GET' && request.headers['accept-encoding'] === 'identity')).toBe(true);
		expectNoCredentialsSent(src);
	});

	it('reads a source without ranges as one stream, named by the last segment of its URL', async () => {
		const { url, source: src } = source({ size: SIZE, seed: 32, name: 'clip one.mxf', ranges: false });
		const result = await run(params(url));
		expect(result.error).toBeUndefined();
		const pkg = result.items[0].json.package as { id: string };
		expect(await storedSha(pkg.id, 'clip one.mxf')).toBe(await sourceSha256(32, SIZE));
		// The check (whose Range the server ignored), then the whole body once.
		expect(src.requests).toHaveLength(2);
		expect(src.requests[1].range).toBeUndefined();
		expect(src.requests[1].status).toBe(200);
		expectNoCredentialsSent(src);
	});

	it('File Name overrides the names the source gives', async () => {
		const { url } = source({ size: 1000, seed: 33, contentDisposition: 'attachment; filename="ignored.bin"' });
		const result = await run(params(url, { fileName: 'folder/kept.bin' }));
		expect(result.error).toBeUndefined();
		expect(result.items[0].json.files).toEqual([expect.objectContaining({ name: 'kept.bin', size: 1000 })]);
	});

	it('a reset at 50% of a ranged source resumes that part from its last byte', async () => {
		const { url, source: src } = source({ size: SIZE, seed: 34, resetAt: Math.floor(SIZE / 2) });
		const result = await run(params(url));
		expect(result.error).toBeUndefined();
		const pkg = result.items[0].json.package as { id: string; state: string };
		expect(pkg.state).toBe('finalized');
		expect(await storedSha(pkg.id, 'file.bin')).toBe(await sourceSha256(34, SIZE));
		const cut = src.requests.findIndex((request) => request.reset);
		expect(src.requests[cut].range).toBe('bytes=5242880-10485759');
		// The part was asked for again from where its bytes stopped, not from its start.
		const resumed = src.requests.slice(cut + 1).find((request) => /-10485759$/.test(request.range ?? ''));
		const from = Number(/^bytes=(\d+)-/.exec(resumed?.range ?? '')?.[1]);
		expect(from).toBeGreaterThan(5242880);
		expect(from).toBeLessThanOrEqual(Math.floor(SIZE / 2));
		expect(src.requests).toHaveLength(5);
	});

	it('a reset at 50% of a source without ranges reads it again from the start, skipping what was sent', async () => {
		const { url, source: src } = source({ size: SIZE, seed: 35, ranges: false, resetAt: Math.floor(SIZE / 2) });
		const result = await run(params(url));
		expect(result.error).toBeUndefined();
		const pkg = result.items[0].json.package as { id: string };
		expect(await storedSha(pkg.id, 'file.bin')).toBe(await sourceSha256(35, SIZE));
		expect(src.requests.map((request) => [request.status, request.reset ?? false])).toEqual([
			[200, false],
			[200, true],
			[200, false],
		]);
		// Each part was sent once: the re-read bytes before the reset were skipped, not sent again.
		expect(emu.requests({ kind: 'storage', method: 'PUT' })).toHaveLength(3);
	});

	it('503s from the source are retried, at the check and while reading parts', async () => {
		const { url, source: src } = source({ size: SIZE, seed: 36, failFirst: 3 });
		const result = await run(params(url));
		expect(result.error).toBeUndefined();
		const pkg = result.items[0].json.package as { id: string };
		expect(await storedSha(pkg.id, 'file.bin')).toBe(await sourceSha256(36, SIZE));
		expect(src.requests.slice(0, 3).map((request) => request.status)).toEqual([503, 503, 503]);
	});

	it('a source that stays at 503 past the retry window fails with the reason, nothing created', async () => {
		const { url } = source({ size: 1000, failFirst: 1000 });
		const result = await run(params(url, {}, { retryWindowMinutes: 0.01 }));
		expect(result.error?.message).toMatch(/The URL could not be read: HTTP 503.*gave up after/);
		expectNothingCreated();
	});

	it.each([
		[404, /The URL answered HTTP 404 \(Not Found\)/],
		[403, /The URL answered HTTP 403 \(Forbidden\)/],
	])('a %i from the source is a clear error and nothing is created', async (status, message) => {
		const { url, source: src } = source({ size: 1000, status });
		const result = await run(params(url));
		expect(result.error?.message).toMatch(message);
		expect(src.requests).toHaveLength(1);
		expectNothingCreated();
	});

	it('an HTML page where a file was expected is refused, by its Content-Type or by its first bytes', async () => {
		for (const spec of [{ html: true }, { html: true, contentType: 'application/octet-stream' }]) {
			emu.resetRequests();
			const { url } = source({ size: 3000, name: 'report.pdf', ...spec });
			const result = await run(params(url));
			expect(result.error?.message).toMatch(/The URL answered with an HTML page .*not a file/);
			expectNothingCreated();
		}
	});

	it('an HTML page is uploaded when its name says it is one', async () => {
		const { url } = source({ size: 3000, html: true, name: 'index.html' });
		const result = await run(params(url));
		expect(result.error).toBeUndefined();
		expect(result.items[0].json.files).toEqual([expect.objectContaining({ name: 'index.html', size: 3000 })]);
	});

	it('a source with neither a length nor ranges is refused before anything is created', async () => {
		const { url } = source({ size: 1000, ranges: false, length: false });
		const result = await run(params(url));
		expect(result.error?.message).toMatch(/neither the length of its body .* nor byte ranges/);
		expectNothingCreated();
	});

	it('a source that takes ranges but gives no total length is refused too', async () => {
		const { url } = source({ size: 1000, length: false });
		const result = await run(params(url));
		expect(result.error?.message).toMatch(/neither the length/);
		expectNothingCreated();
	});

	it('a compressed answer is refused (its length is not the file\'s)', async () => {
		const { url } = source({ size: 1000, contentEncoding: 'gzip', ranges: false });
		const result = await run(params(url));
		expect(result.error?.message).toMatch(/The URL answered with a compressed body/);
		expectNothingCreated();
	});

	it.each([['ftp://example.com/file.bin'], ['file:///etc/passwd'], ['not a url'], ['']])('"%s" is refused as the URL parameter, nothing created', async (url) => {
		// From an expression: n8n itself refuses to run a node whose required URL is left empty.
		const result = await run(params('={{ $json.url }}'), [{ url }]);
		expect(result.error?.message).toMatch(/The parameter "URL"/);
		expect(emu.requests({ kind: 'source' })).toHaveLength(0);
		expectNothingCreated();
	});

	it('with Continue On Fail, a bad URL gets an error item and the shared package is not finalized', async () => {
		const good = source({ size: 1000, seed: 37, name: 'good.bin' });
		const bad = source({ size: 1000, status: 404 });
		const result = await run(params('={{ $json.url }}'), [{ url: good.url }, { url: bad.url }], true);
		expect(result.error).toBeUndefined();
		const [ok, failed] = result.items;
		expect([ok.pairedItem, failed.pairedItem]).toEqual([{ item: 0 }, { item: 1 }]);
		expect(failed.json.error).toMatch(/HTTP 404/);
		const packageId = (ok.json.package as { id: string }).id;
		expect(ok.json.files).toEqual([expect.objectContaining({ name: 'good.bin', size: 1000 })]);
		expect(ok.json.notFinalized).toMatch(/because item 1 failed/);
		expect((await getPackage(emu, packageId)).state).toBe('new');
		expect(finalizeRequests(emu).filter((request) => request.path === `/v1/packages/${packageId}/finalize`)).toHaveLength(0);
	});

	it('with Continue On Fail and one package per item, the good item\'s package is finalized and the bad one creates none', async () => {
		const good = source({ size: 1000, seed: 38, name: 'good.bin' });
		const bad = source({ size: 3000, html: true });
		const result = await run(params('={{ $json.url }}', {}, { onePackagePerItem: true }), [{ url: bad.url }, { url: good.url }], true);
		expect(result.error).toBeUndefined();
		const [failed, ok] = result.items;
		expect([failed.pairedItem, ok.pairedItem]).toEqual([{ item: 0 }, { item: 1 }]);
		expect(failed.json.error).toMatch(/HTML page/);
		expect(failed.json.package).toBeUndefined();
		expect(ok.json.package).toMatchObject({ state: 'finalized' });
		expect(emu.requests({ kind: 'api', method: 'POST', path: /\/packages$/ })).toHaveLength(1);
	});

	it('a source whose part fails for good after the package was created removes the file and deletes the empty package', async () => {
		// The check passes; every later request is refused.
		const { url } = source({ size: SIZE, seed: 39, status: 404, statusAfter: 1 });
		const result = await run(params(url));
		expect(result.error?.message).toMatch(/HTTP 404.*while it was being read/);
		expect(result.error?.description).toMatch(/was deleted|removed/);
		expect(finalizeRequests(emu)).toHaveLength(0);
	});
});
