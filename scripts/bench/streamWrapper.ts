// `bash scripts/bench/run.sh streamWrapper [GiB] [runs]`: what axios's `maxContentLength` stream wrapper
// costs a streamed download, without n8n (docs/n8n-issues.md, "`helpers.httpRequest` with
// `encoding: 'stream'` hands back a wrapper, not the `IncomingMessage`").
//
// n8n 2.x's `helpers.httpRequest` sets `maxContentLength: Infinity` on every request; axios 1.15.1
// and later then wrap a `responseType: 'stream'` answer in `Readable.from(async generator)`, so the
// node gets a plain Readable (no socket) and every chunk goes through the generator. A local server
// sends GiB (default 1) and a child process reads it with the axios of the cached n8n 2.40.7
// (`@n8n/backend-network`'s), one child per run, the way the node reads a storage GET: each chunk
// copied into a reused 16 MiB part buffer and freed (`freeChunk`), with a ~40 MB JS heap (n8n's
// size) in the child. Variants:
//   wrapped   maxContentLength: Infinity (what n8n 2.x sets)
//   plain     maxContentLength unset (-1, axios's default; what n8n 1.x sets)
//   freed     as plain, and the socket's reads freed (`freeSocketReads`), only possible here
//   http      node:http GET, no axios, reads freed as in `freed` (for reference)
// Prints MiB/s, CPU seconds and full collections per run, and the median of the runs per variant.
//
// `... streamWrapper stall`: the server sends 100 kB and then nothing; the reader calls
// `destroy(error)` on the body 300 ms later (what a stall watch does) and prints how long its
// `for await` took to end: wrapped, plain, and wrapped with the request's `timeout` at 1.5 s (which
// n8n passes on), once through follow-redirects (axios's transport unless `maxRedirects: 0`) and
// once with `maxRedirects: 0` (Node.js's own http, what n8n uses for `disableFollowRedirect` and
// for each hop of its SSRF-checked redirects). The server ends the socket after 3 s.
import { fork } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { constants as perfConstants, PerformanceObserver } from 'node:perf_hooks';
import type { Readable } from 'node:stream';

import { freeChunk } from '../../nodes/Masv/transfer/parts';
import { freeSocketReads } from '../../nodes/Masv/transfer/socketReads';

const MIB = 1024 * 1024;
const PART = 16 * MIB;
const VARIANTS = ['wrapped', 'plain', 'freed', 'http'] as const;
type Variant = (typeof VARIANTS)[number];

interface Result {
	variant: Variant;
	seconds: number;
	cpu: number;
	major: number;
	socket: boolean;
}

type Axios = (config: Record<string, unknown>) => Promise<{ data: Readable }>;

function n8nAxios(): { axios: Axios; version: string; file: string } {
	const cache = process.env.N8N_CACHE ?? path.join(os.homedir(), '.cache/n8n-nodes-masv/n8n-2.40.7/node_modules');
	const fromNetwork = createRequire(path.join(cache, '@n8n/backend-network/package.json'));
	const file = fromNetwork.resolve('axios');
	const version = (fromNetwork('axios/package.json') as { version: string }).version;
	return { axios: fromNetwork('axios') as Axios, version, file };
}

interface Extra {
	timeout?: number;
	maxRedirects?: number;
}

async function get(axios: Axios, url: string, variant: Variant, extra: Extra = {}): Promise<Readable> {
	if (variant === 'http') {
		return await new Promise<Readable>((resolve, reject) => http.get(url, resolve).on('error', reject));
	}
	const config: Record<string, unknown> = { url, method: 'GET', responseType: 'stream', maxBodyLength: Infinity };
	if (variant === 'wrapped') config.maxContentLength = Infinity;
	return (await axios({ ...config, ...extra })).data;
}

async function child(url: string, variant: Variant): Promise<Result> {
	const { axios } = n8nAxios();
	const ballast: unknown[] = [];
	for (let i = 0; i < 380_000; i++) ballast.push({ i, s: `x${i}`, a: [i] });
	let major = 0;
	const observer = new PerformanceObserver((list) => {
		for (const entry of list.getEntries()) {
			if ((entry as unknown as { detail?: { kind?: number } }).detail?.kind === perfConstants.NODE_PERFORMANCE_GC_MAJOR) major++;
		}
	});
	observer.observe({ entryTypes: ['gc'] });
	const part = Buffer.allocUnsafeSlow(PART);
	const started = process.hrtime.bigint();
	const cpu = process.cpuUsage();
	const body = await get(axios, url, variant);
	const socket = (body as Readable & { socket?: unknown }).socket !== undefined;
	if (variant === 'freed' || variant === 'http') freeSocketReads(body);
	let filled = 0;
	for await (const chunk of body as AsyncIterable<Buffer>) {
		let at = 0;
		while (at < chunk.length) {
			const take = Math.min(chunk.length - at, PART - filled);
			chunk.copy(part, filled, at, at + take);
			filled = (filled + take) % PART;
			at += take;
		}
		freeChunk(chunk, 64 * 1024, 8 * 1024);
	}
	const used = process.cpuUsage(cpu);
	const seconds = Number(process.hrtime.bigint() - started) / 1e9;
	await new Promise((resolve) => setTimeout(resolve, 50));
	observer.disconnect();
	if (ballast.length === 0) throw new Error('unreachable');
	return { variant, seconds, cpu: (used.user + used.system) / 1e6, major, socket };
}

function median(values: number[]): number {
	const sorted = [...values].sort((a, b) => a - b);
	return sorted[Math.floor(sorted.length / 2)];
}

async function main(): Promise<void> {
	const gib = Number(process.argv[2] ?? 1);
	const runs = Number(process.argv[3] ?? 3);
	const size = Math.round(gib * 1024 * MIB);
	const block = Buffer.alloc(MIB, 7);
	const server = http.createServer((_req, res) => {
		res.writeHead(200, { 'Content-Length': String(size), 'Content-Type': 'application/octet-stream' });
		let sent = 0;
		const write = () => {
			while (sent < size) {
				const n = Math.min(MIB, size - sent);
				sent += n;
				if (!res.write(n === MIB ? block : block.subarray(0, n))) return void res.once('drain', write);
			}
			res.end();
		};
		write();
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
	const { version, file } = n8nAxios();
	process.stdout.write(`${process.version}, axios ${version} (${file}), ${gib} GiB per run, ${runs} runs\n`);
	const all: Result[] = [];
	for (let run = 1; run <= runs; run++) {
		for (const variant of VARIANTS) {
			const result = await new Promise<Result>((resolve, reject) => {
				const worker = fork(__filename, ['--child', url, variant]);
				worker.once('message', (message) => resolve(message as Result));
				worker.once('error', reject);
				worker.once('exit', (code) => code === 0 || reject(new Error(`${variant} exited ${code}`)));
			});
			all.push(result);
			process.stdout.write(
				`run ${run} ${variant.padEnd(7)} ${(size / MIB / result.seconds).toFixed(0)} MiB/s, CPU ${result.cpu.toFixed(2)} s, full GCs ${result.major}, body has socket: ${result.socket}\n`,
			);
		}
	}
	process.stdout.write('median:\n');
	for (const variant of VARIANTS) {
		const mine = all.filter((r) => r.variant === variant);
		process.stdout.write(
			`  ${variant.padEnd(7)} ${median(mine.map((r) => size / MIB / r.seconds)).toFixed(0)} MiB/s, CPU ${median(mine.map((r) => r.cpu)).toFixed(2)} s, full GCs ${median(mine.map((r) => r.major))}\n`,
		);
	}
	server.close();
}

async function stall(): Promise<void> {
	const { axios } = n8nAxios();
	const server = http.createServer((_req, res) => {
		res.writeHead(200, { 'Content-Length': String(MIB * 1024) });
		res.write(Buffer.alloc(100_000));
		setTimeout(() => res.destroy(), 3000);
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
	const cases: Array<[Variant, Extra]> = [
		['wrapped', {}],
		['plain', {}],
		['wrapped', { timeout: 1500 }],
		['wrapped', { timeout: 1500, maxRedirects: 0 }],
	];
	for (const [variant, extra] of cases) {
		const body = await get(axios, url, variant, extra);
		let destroyedAt = 0;
		setTimeout(() => {
			destroyedAt = Date.now();
			body.destroy(new Error('stalled'));
		}, 300);
		let outcome = 'ended';
		try {
			for await (const chunk of body as AsyncIterable<Buffer>) void chunk;
		} catch (error) {
			outcome = `threw "${(error as Error).message}"`;
		}
		const label = [variant, ...Object.entries(extra).map(([key, value]) => `${key} ${value}`)].join(', ');
		process.stdout.write(`${label}: destroy(error) on a stalled answer, the loop ${outcome} ${Date.now() - destroyedAt} ms later\n`);
	}
	server.close();
}

if (process.argv[2] === 'stall') {
	void stall();
} else if (process.argv[2] === '--child') {
	void child(process.argv[3], process.argv[4] as Variant).then(
		(result) => process.send?.(result, () => process.exit(0)),
		(error: unknown) => {
			process.stderr.write(`${String(error)}\n`);
			process.exit(1);
		},
	);
} else {
	void main();
}
