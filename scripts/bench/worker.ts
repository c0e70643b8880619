// One measured transfer in a process of its own (so that its peak RSS is its own), started by
// scripts/bench/main.ts. Prints `BENCH_RESULT {"seconds":…,"peakRss":…,"bytes":…}`.
//
//   node worker.js '{"mode":"node-upload","file":"…","size":…,"emu":{…},"partSize":…,"parallel":…}'
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { constants as perfConstants, PerformanceObserver } from 'node:perf_hooks';

import type { IBinaryData, IExecuteFunctions, INode } from 'n8n-workflow';

import { api, credentialsFor } from '../../tools/harness/emulatorApi';

export interface EmulatorInfo {
	url: string;
	storageUrl: string;
	apiKey: string;
	teamId: string;
}

export interface WorkerTask {
	mode: 'node-prepare' | 'node-upload' | 'plain-upload' | 'plain-upload-fresh' | 'plain-files' | 'sdk-upload' | 'node-download' | 'plain-download' | 'node-url-upload' | 'plain-url-upload';
	emu: EmulatorInfo;
	file?: string;
	size: number;
	partSize: number;
	parallel: number;
	packageId?: string;
	outFile?: string;
	/** Files or folders the measured run reads (see levelPageCache); node-upload reads n8n's store instead. */
	warm?: string[];
	/** node-upload: the binary node-prepare wrote into an n8n store, taken over for the run and given back. */
	prepared?: PreparedStore;
	/** Many files (node-prepare, plain-files): each its own binary, item or MASV file; `size` is each one's size. */
	files?: string[];
	/** Files in flight at once (the node's option `parallelFiles`, and the plain client's concurrency). */
	parallelFiles?: number;
	/** node-upload of many files: only the first this many (one at a time, for the comparison). */
	fileLimit?: number;
	/** node-url-upload, plain-url-upload: the source (an emulator source, tools/emulator/sources.ts). */
	url?: string;
	/** node-download: the option Parallel Downloads (the node's default when not set). */
	parallelDownloads?: number;
}

export interface PreparedStore {
	binary: IBinaryData;
	/** Many files: every binary, `binary` being the first. */
	binaries?: IBinaryData[];
	/** The store's folder (n8n's binaryData folder of the preparing process). */
	store: string;
	/** The preparing process's n8n user folder, which holds `store`; main.ts removes it. */
	home: string;
}

export interface WorkerResult {
	seconds: number;
	peakRss: number;
	bytes: number;
	/** Whether the page cache could be emptied before the run (see levelPageCache). */
	cacheDropped: boolean;
	/** node-prepare: what it wrote. */
	prepared?: PreparedStore;
	/** CPU seconds of the measured transfer (from the end of levelPageCache). */
	cpu?: { user: number; system: number };
	/** Garbage collections during the measured transfer: full (Mark-Compact) and young (Scavenge), and their time. */
	gc?: { major: number; minor: number; ms: number };
}

let cacheDropped = false;

/**
 * Counts this process's collections. The node's runs have two regimes (docs/benchmark.md): in the
 * slow one n8n's process does a full collection every few dozen MiB read, so every run logs them.
 */
const gc = { major: 0, minor: 0, ms: 0 };
new PerformanceObserver((list) => {
	for (const entry of list.getEntries()) {
		const kind = (entry as unknown as { detail?: { kind?: number } }).detail?.kind;
		if (kind === perfConstants.NODE_PERFORMANCE_GC_MAJOR) gc.major++;
		else if (kind === perfConstants.NODE_PERFORMANCE_GC_MINOR) gc.minor++;
		gc.ms += entry.duration;
	}
}).observe({ entryTypes: ['gc'] });
let prepared: PreparedStore | undefined;

/**
 * The same start for every measured run, whatever ran before it: written pages on disk, the page
 * cache emptied (where allowed: root on Linux), then the files the run reads read once, so that
 * every run reads its input from memory and writes into free memory.
 *
 * Without it the runs were not alike: (a) used to write its 1-4 GiB input into n8n's store just
 * before it was measured, (b) and (c) did not, and on this machine a page cache that full made the
 * emulator's part writes slow in the kernel (measured at 4 GiB: the emulator spent 10 s of system
 * time on the same bytes instead of 2.6 s, copying into page-cache pages; (a) ran at 0.74 of (b)
 * instead of 0.95). Which run came after which decided the result, not the uploader.
 */
function levelPageCache(paths: string[]): void {
	spawnSync('sync');
	try {
		fs.writeFileSync('/proc/sys/vm/drop_caches', '3');
		cacheDropped = true;
	} catch {
		cacheDropped = false;
	}
	// Read in child processes, so that none of it counts in this process's peak RSS.
	for (const p of paths) spawnSync('sh', ['-c', 'find "$1" -type f -exec cat {} + > /dev/null', 'sh', p]);
	// The measured transfer starts now: its CPU and collections are counted from here, not the
	// loading of n8n's modules before it.
	cpuMark = process.cpuUsage();
	Object.assign(gc, { major: 0, minor: 0, ms: 0 });
}

/** CPU used by this process before the measured transfer (see levelPageCache). */
let cpuMark: NodeJS.CpuUsage | undefined;

const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
/** plain-upload-fresh: a new agent (so a new connection) for every request, as n8n's helpers make. */
let freshConnections = false;

interface Blueprint {
	method: string;
	url: string;
	headers?: Record<string, string>;
}

function request(blueprint: Blueprint, body?: Buffer, retried = false): Promise<{ status: number; headers: http.IncomingHttpHeaders; text: string }> {
	return new Promise((resolve, reject) => {
		const headers: Record<string, string | number> = { ...(blueprint.headers ?? {}) };
		if (body) headers['Content-Length'] = body.length;
		const req = http.request(blueprint.url, { method: blueprint.method, headers, agent: freshConnections ? new http.Agent() : agent }, (res) => {
			const chunks: Buffer[] = [];
			res.on('data', (chunk: Buffer) => chunks.push(chunk));
			res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString() }));
			res.on('error', reject);
		});
		req.on('error', (error: NodeJS.ErrnoException) => {
			// A kept-alive connection the server closed just as it was reused: once more, on a new one
			// (as Node.js's documentation advises for `reusedSocket`).
			if (!retried && req.reusedSocket && error.code === 'ECONNRESET') resolve(request(blueprint, body, true));
			else reject(error);
		});
		req.end(body);
	});
}

/**
 * (b) The same flow and parts as the node, with Node's http and a file handle: this machine's ceiling.
 * Like the node, it checks each part's ETag against the MD5 of the part's bytes.
 */
async function plainUpload(task: WorkerTask): Promise<number> {
	const { emu, size, partSize, parallel } = task;
	levelPageCache(task.warm ?? []);
	const started = process.hrtime.bigint();
	const pkg = await api<{ id: string; access_token: string }>(emu, 'POST', `/v1/teams/${emu.teamId}/packages`, { name: 'bench plain' });
	await plainFile(emu, pkg.id, pkg.access_token, task.file as string, 'bench.bin', size, partSize, parallel);
	await api(emu, 'POST', `/v1/packages/${pkg.id}/finalize`, {}, pkg.access_token);
	return Number(process.hrtime.bigint() - started) / 1e9;
}

/** (b) for many files: the same flow per file, `parallelFiles` files at once, into one package. */
async function plainFiles(task: WorkerTask): Promise<number> {
	const { emu, size, partSize, parallel } = task;
	const files = task.files ?? [];
	levelPageCache(task.warm ?? []);
	const started = process.hrtime.bigint();
	const pkg = await api<{ id: string; access_token: string }>(emu, 'POST', `/v1/teams/${emu.teamId}/packages`, { name: 'bench plain files' });
	let next = 0;
	const worker = async () => {
		for (let index = next++; index < files.length; index = next++) {
			await plainFile(emu, pkg.id, pkg.access_token, files[index], path.basename(files[index]), size, partSize, parallel);
		}
	};
	await Promise.all(Array.from({ length: task.parallelFiles ?? 1 }, worker));
	await api(emu, 'POST', `/v1/packages/${pkg.id}/finalize`, {}, pkg.access_token);
	return Number(process.hrtime.bigint() - started) / 1e9;
}

/** The plain client's part buffers, reused across parts and files. */
const freePartBuffers: Buffer[] = [];

function takePartBuffer(partSize: number): Buffer {
	const index = freePartBuffers.findIndex((buffer) => buffer.length === partSize);
	return index >= 0 ? freePartBuffers.splice(index, 1)[0] : Buffer.allocUnsafeSlow(partSize);
}

/** One file through MASV's flow: add file, create, part URLs, `parallel` part PUTs, finalize file. */
async function plainFile(
	emu: EmulatorInfo,
	packageId: string,
	token: string,
	file: string,
	name: string,
	size: number,
	partSize: number,
	parallel: number,
	/** Reads the bytes at `position` into `body` instead of from `file` (plain-url-upload). */
	readAt?: (body: Buffer, position: number) => Promise<void>,
): Promise<void> {
	const added = await api<{ file: { id: string }; create_blueprint: Blueprint }>(
		emu,
		'POST',
		`/v1/packages/${packageId}/files`,
		{ kind: 'file', name, path: '', size, chunk_size: partSize },
		token,
	);
	const created = await request(added.create_blueprint);
	const uploadId = /<UploadId>([^<]*)<\/UploadId>/.exec(created.text)?.[1] as string;
	const count = Math.max(1, Math.ceil(size / partSize));
	const urls: Blueprint[] = [];
	for (let start = 0; start < count; start += 100) {
		urls.push(
			...(await api<Blueprint[]>(
				emu,
				'POST',
				`/v1/packages/${packageId}/files/${added.file.id}?start=${start}&count=${Math.min(100, count - start)}`,
				{ upload_id: uploadId },
				token,
			)),
		);
	}
	const handle = readAt ? undefined : await fs.promises.open(file, 'r');
	const etags: string[] = new Array(count);
	// The node's pipeline without n8n: `parallel` PUTs in flight, the next part read while they are
	// sent, into parallel + 1 part buffers reused from part to part and from file to file (no fresh
	// memory per part), and each part's MD5 checked against its ETag.
	const slots = Math.min(parallel, count);
	const spare: Buffer[] = Array.from({ length: Math.min(slots + 1, count) }, () => takePartBuffer(Math.min(partSize, Math.max(size, 1))));
	interface ReadPart { index: number; memory: Buffer; body: Buffer }
	let nextIndex = 0;
	let ahead: Promise<ReadPart | undefined> | undefined;
	const readNext = async (): Promise<ReadPart | undefined> => {
		if (nextIndex >= count) return undefined;
		const index = nextIndex++;
		const memory = spare.pop() as Buffer;
		const body = memory.subarray(0, Math.min(partSize, size - index * partSize));
		if (readAt) await readAt(body, index * partSize);
		else await handle?.read(body, 0, body.length, index * partSize);
		return { index, memory, body };
	};
	const slot = async () => {
		for (;;) {
			const current = ahead ?? readNext();
			ahead = undefined;
			const part = await current;
			if (!part) return;
			if (!ahead && spare.length > 0 && nextIndex < count) ahead = readNext();
			const answer = await request(urls[part.index], part.body);
			if (answer.status !== 200) throw new Error(`part ${part.index + 1}: ${answer.status}`);
			etags[part.index] = answer.headers.etag as string;
			// The same check as the node's: the ETag is the MD5 of the bytes sent.
			if (etags[part.index].replace(/"/g, '') !== createHash('md5').update(part.body).digest('hex')) {
				throw new Error(`part ${part.index + 1}: the ETag is not the MD5 of its bytes`);
			}
			spare.push(part.memory);
		}
	};
	// All slots end before the buffers go back to the pool (another file may take them) and the file closes.
	const ended = await Promise.allSettled(Array.from({ length: slots }, slot));
	await handle?.close();
	freePartBuffers.push(...spare);
	const failed = ended.find((result): result is PromiseRejectedResult => result.status === 'rejected');
	if (failed) throw failed.reason;
	await api(
		emu,
		'POST',
		`/v1/packages/${packageId}/files/${added.file.id}/finalize`,
		{
			size,
			chunk_size: partSize,
			file_extras: { upload_id: uploadId },
			chunk_extras: etags.map((etag, i) => ({ partNumber: String(i + 1), etag })),
		},
		token,
	);
}

/**
 * (b) for a URL: the plain client's flow with each part read from the source by a ranged GET into
 * its part buffer (kept-alive connections), the next part read while parts are sent.
 */
async function plainUrlUpload(task: WorkerTask): Promise<number> {
	const { emu, size, partSize, parallel } = task;
	const url = task.url as string;
	const started = process.hrtime.bigint();
	const pkg = await api<{ id: string; access_token: string }>(emu, 'POST', `/v1/teams/${emu.teamId}/packages`, { name: 'bench plain url' });
	const readAt = (body: Buffer, position: number) =>
		new Promise<void>((resolve, reject) => {
			http
				.get(url, { agent, headers: { Range: `bytes=${position}-${position + body.length - 1}` } }, (res) => {
					if (res.statusCode !== 206) reject(new Error(`source answered ${res.statusCode}`));
					let filled = 0;
					res.on('data', (chunk: Buffer) => {
						chunk.copy(body, filled);
						filled += chunk.length;
					});
					res.on('end', () => (filled === body.length ? resolve() : reject(new Error(`short read: ${filled} of ${body.length}`))));
					res.on('error', reject);
				})
				.on('error', reject);
		});
	await plainFile(emu, pkg.id, pkg.access_token, '', 'bench-url.bin', size, partSize, parallel, readAt);
	await api(emu, 'POST', `/v1/packages/${pkg.id}/finalize`, {}, pkg.access_token);
	return Number(process.hrtime.bigint() - started) / 1e9;
}

/** (a) for a URL: the node's Package → Upload From URL through n8n's engine. */
async function nodeUrlUpload(task: WorkerTask): Promise<number> {
	const { harnessHome, masvNode, runWorkflow, rl } = await import('../../tools/harness');
	try {
		const result = await runWorkflow({
			credentials: credentialsFor(task.emu),
			nodes: [
				masvNode({
					resource: 'package',
					operation: 'uploadFromUrl',
					url: task.url as string,
					teamId: rl(task.emu.teamId),
					name: 'bench node url',
					options: { chunkSize: task.partSize / 1024 / 1024, parallelUploads: task.parallel },
				}),
			],
		});
		if (result.error) throw new Error(result.error.message);
		if ((result.output('MASV')[0]?.json.package as { state?: string })?.state !== 'finalized') throw new Error('not finalized');
		return (result.run.data.resultData.runData.MASV[0].executionTime ?? 0) / 1000;
	} finally {
		fs.rmSync(harnessHome, { recursive: true, force: true });
	}
}

/** (c) @aws-sdk/lib-storage `Upload` with the same part size and queue size, to the emulator's S3 API. */
async function sdkUpload(task: WorkerTask): Promise<number> {
	const { S3Client } = await import('@aws-sdk/client-s3');
	const { Upload } = await import('@aws-sdk/lib-storage');
	const client = new S3Client({
		endpoint: task.emu.storageUrl,
		forcePathStyle: true,
		region: 'us-east-1',
		credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
		// No extra CRC32 of every part (the SDK default since 3.729): the same work as the node.
		requestChecksumCalculation: 'WHEN_REQUIRED',
	});
	levelPageCache(task.warm ?? []);
	const started = process.hrtime.bigint();
	const upload = new Upload({
		client,
		params: { Bucket: 'bench', Key: `bench-${Date.now()}.bin`, Body: fs.createReadStream(task.file as string) },
		partSize: task.partSize,
		queueSize: task.parallel,
	});
	await upload.done();
	const seconds = Number(process.hrtime.bigint() - started) / 1e9;
	client.destroy();
	return seconds;
}

/**
 * Registers `type` with the harness, a start node that emits an item for each binary `binaries()`
 * gives, as `data`, and returns that node for a workflow (named Source).
 */
async function registerSource(type: string, description: string, binaries: (this: IExecuteFunctions) => Promise<IBinaryData[]>): Promise<INode> {
	const { registerNodeType } = await import('../../tools/harness');
	const { NodeConnectionTypes } = await import('n8n-workflow');
	registerNodeType(type, {
		description: {
			displayName: 'Source',
			name: type.slice(type.indexOf('.') + 1),
			group: ['input'],
			version: 1,
			description,
			defaults: { name: 'Source' },
			inputs: [NodeConnectionTypes.Main],
			outputs: [NodeConnectionTypes.Main],
			properties: [],
		},
		async execute(this: IExecuteFunctions) {
			return [(await binaries.call(this)).map((data) => ({ json: {}, binary: { data } }))];
		},
	});
	return { id: 's', name: 'Source', type, typeVersion: 1, position: [0, 0], parameters: {} };
}

/**
 * Writes the file into n8n's filesystem store with `prepareBinaryData`, in a process of its own
 * (see nodeUpload), and returns in its result the binary's reference and the store's folder, which
 * every node-upload run of that size takes over in turn.
 */
async function nodePrepare(task: WorkerTask): Promise<number> {
	const { harnessHome, runWorkflow } = await import('../../tools/harness');
	const files = task.files ?? [task.file as string];
	const source = await registerSource('bench.fileSource', 'Files into n8n binary data', async function () {
		const binaries: IBinaryData[] = [];
		for (const file of files) {
			const name = task.files ? path.basename(file) : 'bench.bin';
			const binary = await this.helpers.prepareBinaryData(fs.createReadStream(file), name, 'application/octet-stream');
			if (!binary.id) throw new Error('the binary is not in the filesystem store');
			binaries.push(binary);
		}
		return binaries;
	});
	const result = await runWorkflow({ nodes: [source] });
	if (result.error) throw new Error(result.error.message);
	const binaries = result.output('Source').map((item) => item.binary?.data as IBinaryData);
	if (binaries.length !== files.length || binaries.some((binary) => !binary?.id)) throw new Error('not every binary is in the store');
	prepared = { binary: binaries[0], binaries: task.files ? binaries : undefined, store: path.join(harnessHome, 'binaryData'), home: harnessHome };
	return 0;
}

/**
 * (a) The MASV node through n8n's engine, the binary in n8n's filesystem store.
 *
 * The binary was written into a store once per size, by another process (node-prepare), before any
 * run of that size, as main.ts writes the file that (b) and (c) read: the runs differ only in the
 * uploader. Two orders were measured unfair before this one:
 * * Streaming 1-4 GiB through `prepareBinaryData` in the measured process, right before the
 *   upload, left V8's old-generation limit tight (after such a write and one full GC, the same
 *   1 GiB read with fresh 1 MiB buffers cost 1.0-1.3 s of CPU in 25-35 back-to-back Mark-Compacts
 *   instead of 0.1-0.2 s in 2-3): bimodal, and slower the bigger the prepared file.
 * * Preparing in another process before each run still made (a) the only run that followed a
 *   fresh 1-4 GiB write of its own: on this VM the same code then ran at 0.66-0.93 of (b) at 4 GiB
 *   from one bench to the next, while (b) and (c) stayed within a few percent.
 * The measured process still carries n8n's engine and heap.
 */
async function nodeUpload(task: WorkerTask): Promise<number> {
	if (!task.prepared) throw new Error('node-upload needs a prepared store (node-prepare)');
	const { store } = task.prepared;
	const binaries = (task.prepared.binaries ?? [task.prepared.binary]).slice(0, task.fileLimit);
	const { harnessHome } = await import('../../tools/harness');
	// This process's store is the prepared one (a rename: same disk), given back after the run.
	const ownStore = path.join(harnessHome, 'binaryData');
	fs.rmSync(ownStore, { recursive: true, force: true });
	fs.renameSync(store, ownStore);
	try {
		return await uploadStored(task, binaries, ownStore);
	} finally {
		try {
			fs.renameSync(ownStore, store);
		} finally {
			fs.rmSync(harnessHome, { recursive: true, force: true });
		}
	}
}

async function uploadStored(task: WorkerTask, binaries: IBinaryData[], store: string): Promise<number> {
	const { masvNode, runWorkflow, rl } = await import('../../tools/harness');
	levelPageCache([store]);
	const source = await registerSource('bench.storedBinary', "Binaries already in n8n's store", async () => binaries);
	const result = await runWorkflow({
		credentials: credentialsFor(task.emu),
		nodes: [
			source,
			masvNode({
				resource: 'package',
				operation: 'upload',
				teamId: rl(task.emu.teamId),
				name: 'bench node',
				options: {
					chunkSize: task.partSize / 1024 / 1024,
					parallelUploads: task.parallel,
					...(task.parallelFiles ? { parallelFiles: task.parallelFiles } : {}),
				},
			}),
		],
	});
	if (result.error) throw new Error(result.error.message);
	const out = result.output('MASV');
	if (out.length !== binaries.length || out.some((item) => (item.json.package as { state?: string })?.state !== 'finalized')) {
		throw new Error('not finalized');
	}
	return (result.run.data.resultData.runData.MASV[0].executionTime ?? 0) / 1000;
}

/** The node's package download into n8n's filesystem store. */
async function nodeDownload(task: WorkerTask): Promise<number> {
	const { harnessHome, runWorkflow, masvNode, rl } = await import('../../tools/harness');
	levelPageCache(task.warm ?? []);
	try {
		const result = await runWorkflow({
			credentials: credentialsFor(task.emu),
			nodes: [
				masvNode({
					resource: 'package',
					operation: 'download',
					teamId: rl(task.emu.teamId),
					packageId: rl(task.packageId as string),
					options: task.parallelDownloads ? { parallelDownloads: task.parallelDownloads } : {},
				}),
			],
		});
		if (result.error) throw new Error(result.error.message);
		const binary = result.output('MASV')[0]?.binary?.data;
		if (!binary?.id) throw new Error('no binary on disk');
		return (result.run.data.resultData.runData.MASV[0].executionTime ?? 0) / 1000;
	} finally {
		fs.rmSync(harnessHome, { recursive: true, force: true });
	}
}

/** A plain GET of the same file into a file on disk, after the same MASV calls. */
async function plainDownload(task: WorkerTask): Promise<number> {
	const { emu } = task;
	levelPageCache(task.warm ?? []);
	const started = process.hrtime.bigint();
	const pkg = await api<{ access_token: string }>(emu, 'GET', `/v1.1/teams/${emu.teamId}/packages/${task.packageId}`);
	const files = await api<Array<{ id: string; kind: string }>>(emu, 'GET', `/v1/packages/${task.packageId}/files`, undefined, pkg.access_token);
	const file = files.find((f) => f.kind === 'file') as { id: string };
	const url = await api<Blueprint>(emu, 'GET', `/v1/packages/${task.packageId}/files/${file.id}/download`, undefined, pkg.access_token);
	await new Promise<void>((resolve, reject) => {
		http
			.get(url.url, { agent }, (res) => {
				const out = fs.createWriteStream(task.outFile as string);
				res.pipe(out);
				out.on('finish', () => resolve());
				out.on('error', reject);
				res.on('error', reject);
			})
			.on('error', reject);
	});
	const seconds = Number(process.hrtime.bigint() - started) / 1e9;
	const size = fs.statSync(task.outFile as string).size;
	fs.rmSync(task.outFile as string, { force: true });
	if (size !== task.size) throw new Error(`downloaded ${size} of ${task.size} bytes`);
	return seconds;
}

async function main(): Promise<void> {
	const task = JSON.parse(process.argv[2].startsWith('@') ? fs.readFileSync(process.argv[2].slice(1), 'utf8') : process.argv[2]) as WorkerTask;
	freshConnections = task.mode === 'plain-upload-fresh';
	const run = { 'node-prepare': nodePrepare, 'node-upload': nodeUpload, 'plain-upload': plainUpload, 'plain-upload-fresh': plainUpload, 'plain-files': plainFiles, 'sdk-upload': sdkUpload, 'node-download': nodeDownload, 'plain-download': plainDownload, 'node-url-upload': nodeUrlUpload, 'plain-url-upload': plainUrlUpload }[task.mode];
	const seconds = await run(task);
	const result: WorkerResult = {
		seconds,
		peakRss: process.resourceUsage().maxRSS * 1024,
		bytes: task.size,
		cacheDropped,
		prepared,
		cpu: { user: process.cpuUsage(cpuMark).user / 1e6, system: process.cpuUsage(cpuMark).system / 1e6 },
		gc: { ...gc, ms: Math.round(gc.ms) },
	};
	agent.destroy();
	// Exits once the line is written: a pipe takes a long line (1,000 binaries) in several writes.
	process.stdout.write(`BENCH_RESULT ${JSON.stringify(result)}\n`, () => process.exit(0));
}

main().catch((error: Error) => {
	process.stderr.write(`${error.stack ?? error.message}\n`);
	process.exit(1);
});
