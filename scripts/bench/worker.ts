// One measured transfer in a process of its own (so that its peak RSS is its own), started by
// scripts/bench/main.ts. Prints `BENCH_RESULT {"seconds":…,"peakRss":…,"bytes":…}`.
//
//   node worker.js '{"mode":"node-upload","file":"…","size":…,"emu":{…},"partSize":…,"parallel":…}'
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';

export interface EmulatorInfo {
	url: string;
	storageUrl: string;
	apiKey: string;
	teamId: string;
}

export interface WorkerTask {
	mode: 'node-upload' | 'plain-upload' | 'sdk-upload' | 'node-download' | 'plain-download';
	emu: EmulatorInfo;
	file?: string;
	size: number;
	partSize: number;
	parallel: number;
	packageId?: string;
	outFile?: string;
}

export interface WorkerResult {
	seconds: number;
	peakRss: number;
	bytes: number;
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });

async function api<T>(emu: EmulatorInfo, method: string, path: string, body?: unknown, token?: string): Promise<T> {
	const headers: Record<string, string> = { 'Content-Type': 'application/json', Accept: 'application/json' };
	if (token) headers['X-Package-Token'] = token;
	else headers['X-API-KEY'] = emu.apiKey;
	const response = await fetch(`${emu.url}${path}`, { method, headers, body: method === 'GET' ? undefined : JSON.stringify(body ?? {}) });
	const text = await response.text();
	if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text}`);
	return (text ? JSON.parse(text) : undefined) as T;
}

interface Blueprint {
	method: string;
	url: string;
	headers?: Record<string, string>;
}

function request(blueprint: Blueprint, body?: Buffer): Promise<{ status: number; headers: http.IncomingHttpHeaders; text: string }> {
	return new Promise((resolve, reject) => {
		const headers: Record<string, string | number> = { ...(blueprint.headers ?? {}) };
		if (body) headers['Content-Length'] = body.length;
		const req = http.request(blueprint.url, { method: blueprint.method, headers, agent }, (res) => {
			const chunks: Buffer[] = [];
			res.on('data', (chunk: Buffer) => chunks.push(chunk));
			res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString() }));
			res.on('error', reject);
		});
		req.on('error', reject);
		req.end(body);
	});
}

/** (b) The same flow and parts as the node, with Node's http and a file handle: this machine's ceiling. */
async function plainUpload(task: WorkerTask): Promise<number> {
	const { emu, size, partSize, parallel } = task;
	const started = process.hrtime.bigint();
	const pkg = await api<{ id: string; access_token: string }>(emu, 'POST', `/v1/teams/${emu.teamId}/packages`, { name: 'bench plain' });
	const token = pkg.access_token;
	const added = await api<{ file: { id: string }; create_blueprint: Blueprint }>(
		emu,
		'POST',
		`/v1/packages/${pkg.id}/files`,
		{ kind: 'file', name: 'bench.bin', path: '', size, chunk_size: partSize },
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
				`/v1/packages/${pkg.id}/files/${added.file.id}?start=${start}&count=${Math.min(100, count - start)}`,
				{ upload_id: uploadId },
				token,
			)),
		);
	}
	const handle = await fs.promises.open(task.file as string, 'r');
	const etags: string[] = new Array(count);
	let next = 0;
	const worker = async () => {
		for (let index = next++; index < count; index = next++) {
			const length = Math.min(partSize, size - index * partSize);
			const buffer = Buffer.allocUnsafe(length);
			await handle.read(buffer, 0, length, index * partSize);
			const answer = await request(urls[index], buffer);
			if (answer.status !== 200) throw new Error(`part ${index + 1}: ${answer.status}`);
			etags[index] = answer.headers.etag as string;
		}
	};
	await Promise.all(Array.from({ length: parallel }, worker));
	await handle.close();
	await api(
		emu,
		'POST',
		`/v1/packages/${pkg.id}/files/${added.file.id}/finalize`,
		{
			size,
			chunk_size: partSize,
			file_extras: { upload_id: uploadId },
			chunk_extras: etags.map((etag, i) => ({ partNumber: String(i + 1), etag })),
		},
		token,
	);
	await api(emu, 'POST', `/v1/packages/${pkg.id}/finalize`, {}, token);
	return Number(process.hrtime.bigint() - started) / 1e9;
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

/** (a) The MASV node through n8n's engine, the binary in n8n's filesystem store. */
async function nodeUpload(task: WorkerTask): Promise<number> {
	const { harnessHome, masvNode, registerNodeType, runWorkflow, rl } = await import('../../test/harness');
	const { NodeConnectionTypes } = await import('n8n-workflow');
	registerNodeType('bench.fileSource', {
		description: {
			displayName: 'File Source',
			name: 'fileSource',
			group: ['input'],
			version: 1,
			description: 'A file into n8n binary data',
			defaults: { name: 'Source' },
			inputs: [NodeConnectionTypes.Main],
			outputs: [NodeConnectionTypes.Main],
			properties: [],
		},
		async execute() {
			const binary = await this.helpers.prepareBinaryData(fs.createReadStream(task.file as string), 'bench.bin', 'application/octet-stream');
			if (!binary.id) throw new Error('the binary is not in the filesystem store');
			// Written pages go to disk now, not during the measured upload.
			spawnSync('sync');
			return [[{ json: {}, binary: { data: binary } }]];
		},
	});
	try {
		const result = await runWorkflow({
			credentials: { masvApi: { apiKey: task.emu.apiKey, baseUrl: task.emu.url } },
			nodes: [
				{ id: 's', name: 'Source', type: 'bench.fileSource', typeVersion: 1, position: [0, 0], parameters: {} },
				masvNode({
					resource: 'package',
					operation: 'upload',
					teamId: rl(task.emu.teamId),
					name: 'bench node',
					options: { chunkSize: task.partSize / 1024 / 1024, parallelUploads: task.parallel },
				}),
			],
		});
		if (result.error) throw new Error(result.error.message);
		const out = result.output('MASV');
		if ((out[0]?.json.package as { state?: string })?.state !== 'finalized') throw new Error('not finalized');
		return (result.run.data.resultData.runData.MASV[0].executionTime ?? 0) / 1000;
	} finally {
		fs.rmSync(harnessHome, { recursive: true, force: true });
	}
}

/** The node's package download into n8n's filesystem store. */
async function nodeDownload(task: WorkerTask): Promise<number> {
	const { harnessHome, runWorkflow, masvNode, rl } = await import('../../test/harness');
	try {
		const result = await runWorkflow({
			credentials: { masvApi: { apiKey: task.emu.apiKey, baseUrl: task.emu.url } },
			nodes: [
				masvNode({ resource: 'package', operation: 'download', teamId: rl(task.emu.teamId), packageId: rl(task.packageId as string) }),
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
	const task = JSON.parse(process.argv[2]) as WorkerTask;
	const run = { 'node-upload': nodeUpload, 'plain-upload': plainUpload, 'sdk-upload': sdkUpload, 'node-download': nodeDownload, 'plain-download': plainDownload }[task.mode];
	const seconds = await run(task);
	const result: WorkerResult = { seconds, peakRss: process.resourceUsage().maxRSS * 1024, bytes: task.size };
	process.stdout.write(`BENCH_RESULT ${JSON.stringify(result)}\n`);
	agent.destroy();
	process.exit(0);
}

main().catch((error: Error) => {
	process.stderr.write(`${error.stack ?? error.message}\n`);
	process.exit(1);
});
