// package/download and link/download through n8n's engine against the emulator.
import { BinaryDataService } from 'n8n-core';
import type { INodeExecutionData, INodeParameters } from 'n8n-workflow';

import { rl, runMasv } from '../../tools/harness';
import type { RunOptions } from '../../tools/harness';
import { BACKOFF, DEFAULT_POLICY } from '../../nodes/Masv/transport/retry';
import * as retryModule from '../../nodes/Masv/transport/retry';
import { useRetryTimings } from '../harness/retries';
import * as downloadEngine from '../../nodes/Masv/transfer/download';
import { matchesFileName, mimeTypeOf } from '../../nodes/Masv/transfer/download';
import { parseLinkUrl } from '../../nodes/Masv/actions/link/download.operation';
import { downloadBlueprintOf } from '../../nodes/Masv/transfer/downloadApi';
import { api, binaryBytes, credentialsFor, makeFile, MIB, runTransfer, settledWithin, sha256, wait } from './helpers';
import type { TestFile } from './helpers';
import { useEmulator } from '../harness/emulator';

describe('downloads', () => {
	const emu = useEmulator({ each: 'clean' });
	let packageId: string;
	let link: { id: string; download_secret: string };
	let files: TestFile[];
	useRetryTimings(BACKOFF, { baseDelayMs: 20, maxDelayMs: 100 });
	useRetryTimings(DEFAULT_POLICY, { windowMs: 1000 });

	beforeAll(async () => {
		files = [makeFile('clip.mov', 6 * MIB + 3, 41), makeFile('notes.txt', 5000, 42), makeFile('still.png', 70_000, 43)];
		const run = await runTransfer(
			emu,
			[files.map((file, index) => ({ path: file.path, name: file.name, property: `f${index}` }))],
			{
				resource: 'package',
				operation: 'upload',
				teamId: rl(emu.teamId),
				name: 'for download',
				binaryPropertyName: 'f0,f1,f2',
				options: { folderPath: 'cuts' },
			},
		);
		expect(run.error).toBeUndefined();
		packageId = (run.items[0].json.package as { id: string }).id;
		link = await api(emu, 'POST', `/v1/packages/${packageId}/links`, { email: '', password: 'open sesame' }, emu.admin.packageToken(packageId));
	});
	afterEach(() => jest.restoreAllMocks());

	/** `count` items, each with the bytes of the original file of its name. */
	async function expectSameBytes(items: INodeExecutionData[], count: number, property = 'data') {
		expect(items).toHaveLength(count);
		for (const item of items) {
			const original = files.find((f) => f.name === item.json.name) as TestFile;
			expect(sha256(await binaryBytes(item.binary![property]))).toBe(original.sha256);
		}
	}

	/** Link → Download through the engine, with these parameters. */
	const downloadLink = (parameters: INodeParameters) =>
		runMasv({ resource: 'link', operation: 'download', ...parameters }, { credentials: credentialsFor(emu) });

	it('link by URL with its password: every file, no API key anywhere, nothing to storage but the GET', async () => {
		const run = await downloadLink({
			linkSource: 'url',
			linkUrl: `https://get.massive.io/${link.id}?secret=${link.download_secret}`,
			linkPassword: 'open sesame',
		});
		expect(run.error).toBeUndefined();
		expect(run.items.map((item) => item.json.name).sort()).toEqual(['clip.mov', 'notes.txt', 'still.png']);
		for (const item of run.items) {
			expect(item.json).toMatchObject({ path: 'cuts', packageId, kind: 'file' });
			expect(item.pairedItem).toEqual({ item: 0 });
			expect(item.binary?.data.mimeType).toBe(mimeTypeOf(item.json.name as string));
		}
		await expectSameBytes(run.items, 3);
		const [info] = emu.requests({ kind: 'api', path: `/v1/links/${link.id}` });
		expect(info.query).toEqual({ secret: link.download_secret });
		expect(info.headers['x-link-password']).toBe('open sesame');
		for (const request of emu.requests({ kind: 'api' })) expect(request.headers['x-api-key']).toBeUndefined();
		for (const request of emu.requests({ kind: 'storage' })) {
			expect(request.method).toBe('GET');
			expect(request.headers['x-package-token']).toBeUndefined();
			expect(request.headers['x-link-password']).toBeUndefined();
		}
	});

	it('link by ID and secret, a file name filter and another output field', async () => {
		const run = await downloadLink({
			linkSource: 'idAndSecret',
			linkId: link.id,
			linkSecret: link.download_secret,
			linkPassword: 'open sesame',
			options: { fileNameFilter: '*.MOV, notes', binaryPropertyName: 'file' },
		});
		expect(run.error).toBeUndefined();
		expect(run.items.map((item) => item.json.name).sort()).toEqual(['clip.mov', 'notes.txt']);
		await expectSameBytes(run.items, 2, 'file');
	});

	it('a wrong link password is a clear error', async () => {
		const run = await downloadLink({
			linkSource: 'idAndSecret',
			linkId: link.id,
			linkSecret: link.download_secret,
			linkPassword: 'wrong',
		});
		expect(run.error?.message).toMatch(/link was refused/);
		expect((run.error as { httpCode?: string }).httpCode).toBe('401');
	});

	it('a link URL without a secret names the parameter', async () => {
		const run = await downloadLink({ linkUrl: `https://get.massive.io/${link.id}` });
		expect(run.error?.message).toMatch(/"Link URL"/);
	});

	/** Package → Download of the test package through the engine, with these options. */
	const downloadPackage = (options: INodeParameters, run: Partial<RunOptions> = {}) =>
		runMasv(
			{ resource: 'package', operation: 'download', teamId: rl(emu.teamId), packageId: rl(packageId), options },
			{ credentials: credentialsFor(emu), ...run },
		);

	it('package download includes the zip only when asked', async () => {
		const without = await downloadPackage({});
		expect(without.items.map((item) => item.json.kind)).toEqual(['file', 'file', 'file']);
		const withZip = await downloadPackage({ includeZips: true, fileNameFilter: '*.zip' });
		expect(withZip.error).toBeUndefined();
		expect(withZip.items).toHaveLength(1);
		expect(withZip.items[0].json.kind).toMatch(/^zip_/);
		expect(withZip.items[0].binary?.data.mimeType).toBe('application/zip');
		const bytes = await binaryBytes(withZip.items[0].binary!.data);
		expect(bytes.subarray(0, 2).toString()).toBe('PK');
		expect(bytes.length).toBe(withZip.items[0].json.size);
	});

	it('a reset mid-download and a 503 are retried with a fresh URL, and the bytes are exact', async () => {
		emu.faults.add({ target: 'storage', type: 'reset', method: 'GET', afterBytes: 2 * MIB });
		emu.faults.add({ target: 'storage', type: 'status', status: 503, method: 'GET' });
		const run = await downloadPackage({ fileNameFilter: 'clip.mov' });
		expect(run.error).toBeUndefined();
		for (const fault of emu.faults.list()) expect(fault.fired).toBe(1);
		await expectSameBytes(run.items, 1);
		expect(emu.requests({ kind: 'api', path: /\/download$/ })).toHaveLength(3);
	});

	it('a storage GET that keeps failing ends in an error naming the file', async () => {
		emu.faults.add({ target: 'storage', type: 'status', status: 500, method: 'GET', times: -1 });
		const run = await downloadPackage({ fileNameFilter: 'notes.txt' });
		expect(run.error?.message).toMatch(/"notes.txt" could not be downloaded: HTTP 500 \(storage: InternalError: injected fault \(500\)\); gave up after \d+ tries in \d+ s/);
	});

	it('a file larger than n8n\'s `database` binary mode allows: one try, and an error naming the limit, the variable and the alternatives', async () => {
		// n8n 2.x's binary store in `database` mode throws this when storing (n8n-core FileTooLargeError).
		class FileTooLargeError extends Error {}
		jest.spyOn(BinaryDataService.prototype, 'store').mockRejectedValue(
			new FileTooLargeError(
				'Failed to write binary file "clip.mov" (0b6c) because its size of 6 MB exceeds the max size limit of 5 MB set for `database` mode. Consider increasing `N8N_BINARY_DATA_DATABASE_MAX_FILE_SIZE` up to 1 GB, or using S3 storage mode if you require writes larger than 1 GB.',
			),
		);
		const run = await downloadPackage({ fileNameFilter: 'clip.mov' });
		expect(run.error?.message).toBe('"clip.mov" is larger than n8n\'s binary data store allows in `database` mode (its limit of 5 MiB)');
		expect(run.error?.description).toMatch(/N8N_BINARY_DATA_DATABASE_MAX_FILE_SIZE/);
		expect(run.error?.description).toMatch(/N8N_DEFAULT_BINARY_DATA_MODE=filesystem/);
		expect(run.error?.description).toMatch(/Send to Integration, Integration > Import Files, or Link > Create/);
		expect(emu.requests({ kind: 'storage', method: 'GET' })).toHaveLength(1);
	});

	it('cancelling while a failed GET waits for its retry ends the download at once', async () => {
		Object.assign(BACKOFF, { baseDelayMs: 10_000, maxDelayMs: 10_000, jitter: () => 0.9 });
		Object.assign(DEFAULT_POLICY, { windowMs: 60_000 });
		emu.faults.add({ target: 'storage', type: 'status', status: 503, method: 'GET', times: -1 });
		// Watch the engine's own promise: the workflow run ends at once on cancel, the node must too.
		const downloads: Array<Promise<unknown>> = [];
		const original = downloadEngine.downloadFile;
		jest.spyOn(downloadEngine, 'downloadFile').mockImplementation((...args) => {
			const promise = original(...args);
			downloads.push(promise.catch((error: Error) => error));
			return promise;
		});
		let cancel: (() => void) | undefined;
		const run = downloadPackage({ fileNameFilter: 'notes.txt' }, { onStart: (c) => (cancel = c) });
		const backoff = jest.spyOn(retryModule.RetryWindow.prototype, 'nextDelay');
		for (let i = 0; i < 200 && backoff.mock.calls.length === 0; i++) await wait(25);
		// The 503 is in and the wait of several seconds (10 s with jitter) before the second try has begun.
		expect(backoff).toHaveBeenCalledTimes(1);
		const storageGets = () => emu.requests({ kind: 'storage', method: 'GET' });
		expect(storageGets()).toHaveLength(1);
		const cancelledAt = Date.now();
		cancel?.();
		expect((await run).run.status).toBe('canceled');
		expect(downloads).toHaveLength(1);
		const outcome = await settledWithin(downloads[0], 3000);
		expect((outcome as Error).message).toBe('The execution was cancelled');
		expect(Date.now() - cancelledAt).toBeLessThan(1000);
		expect(storageGets()).toHaveLength(1);
	});
});

describe('download helpers', () => {
	it('file name filters: substring, glob on the name, glob on folder/name, several', () => {
		expect(matchesFileName('', 'a.mov')).toBe(true);
		expect(matchesFileName('clip', 'My_Clip_01.mov')).toBe(true);
		expect(matchesFileName('clip', 'still.png')).toBe(false);
		expect(matchesFileName('*.mov', 'a.MOV')).toBe(true);
		expect(matchesFileName('*.mov', 'a.mov.txt')).toBe(false);
		expect(matchesFileName('shot_??.exr', 'shot_01.exr')).toBe(true);
		expect(matchesFileName('shot_??.exr', 'shot_001.exr')).toBe(false);
		expect(matchesFileName('day1/*', 'a.mov', 'day1')).toBe(true);
		expect(matchesFileName('day1/*', 'a.mov', 'day2')).toBe(false);
		expect(matchesFileName('*.png, *.mov', 'a.mov')).toBe(true);
		expect(matchesFileName('a+b(1).mov', 'a+b(1).mov')).toBe(true);
	});

	it('MIME types from the extension', () => {
		expect(mimeTypeOf('a.MOV')).toBe('video/quicktime');
		expect(mimeTypeOf('a.mxf')).toBe('application/mxf');
		expect(mimeTypeOf('README')).toBe('application/octet-stream');
	});

	it('link URLs', () => {
		expect(parseLinkUrl('https://get.massive.io/01D2TMG9F5GHMHX8RWZ453VA35?secret=abc123')).toEqual({
			linkId: '01D2TMG9F5GHMHX8RWZ453VA35',
			secret: 'abc123',
		});
		expect(parseLinkUrl('get.massive.io/LINK?foo=1&secret=s')).toEqual({ linkId: 'LINK', secret: 's' });
		expect(parseLinkUrl('https://get.massive.io/LINK')).toBeUndefined();
	});

	it('download URL answers: object with url or download_url, or a bare string', () => {
		expect(downloadBlueprintOf({ method: 'GET', url: 'https://s/x', headers: {} })).toEqual({ method: 'GET', url: 'https://s/x', headers: {} });
		expect(downloadBlueprintOf({ download_url: 'https://s/y' })).toEqual({ method: 'GET', url: 'https://s/y', headers: undefined });
		expect(downloadBlueprintOf('https://s/z')).toEqual({ method: 'GET', url: 'https://s/z' });
		expect(downloadBlueprintOf({})).toBeUndefined();
	});
});
