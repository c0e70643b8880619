// `npm run bench`: upload throughput and memory of the MASV node against the emulator in its own
// process, next to a plain Node.js PUT of the same parts (this machine's ceiling) and
// @aws-sdk/lib-storage (the peer users know); then a 1 GiB download against a plain GET.
//
// Environment: BENCH_RUNS (default 3), BENCH_SIZES_GIB (default "1,4"), BENCH_PART_MIB (default 32, the node's),
// BENCH_PARALLEL (default 7, the node's), BENCH_DOWNLOAD_GIB (default 1), BENCH_DIR (default a temp folder, removed at the end).
// BENCH_DOWNLOAD_PARALLEL (e.g. "1,4,8"): the node's download also with these Parallel Downloads, next to its default.
// BENCH_CHART (default docs/images/benchmark.svg, "" for none): the chart of the results, an SVG written at the end.
//
// A slow link (the emulator's --latency-ms, tools/emulator/link.ts): BENCH_LATENCY_MS (default 0: loopback as it
// is), BENCH_HANDSHAKE_RTTS (default 2: TCP + TLS 1.3), BENCH_INITIAL_WINDOW (bytes, default 14600: 10 segments;
// 0 turns the slow-start ramp off). With BENCH_PART_SWEEP_MIB (e.g. "16,32,64,100") the bench measures only
// upload MiB/s by part size on a BENCH_SWEEP_GIB (default 1) file: the node, a plain client that reuses its
// connections (keep-alive) and the same plain client with a new connection per request, as n8n's helpers do.
// BENCH_SWEEP_FIT_MIB (e.g. 256) gives each part size the most parts in flight that fit that memory instead of
// BENCH_PARALLEL: part size × (parallel + 1) ≤ the ceiling, at most 16. An entry "16x8" sets both (16 MiB, 8 in flight).
//
// Many files: BENCH_FILES (default "1000x1,100x20": count x MiB, "" for none) uploads each set into one package
// through the node with BENCH_PARALLEL_FILES (default 16) files at once, through a plain client doing the same
// MASV flow with the same concurrency, and through the node one file at a time for the first BENCH_SERIAL_FILES
// (default 100) files.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import type { EmulatorInfo, WorkerResult, WorkerTask } from './worker';

const MIB = 1024 * 1024;
const GIB = 1024 * MIB;
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const SIZES = (process.env.BENCH_SIZES_GIB ?? '1,4').split(',').filter(Boolean).map(Number);
const PART = Number(process.env.BENCH_PART_MIB ?? 32) * MIB;
const PARALLEL = Number(process.env.BENCH_PARALLEL ?? 7);
const DOWNLOAD_GIB = Number(process.env.BENCH_DOWNLOAD_GIB ?? 1);
const LATENCY_MS = Number(process.env.BENCH_LATENCY_MS ?? 0);
// "16,32" (parts in flight from BENCH_PARALLEL or BENCH_SWEEP_FIT_MIB) or "16x8,32x7" (part size x parts in flight).
const PART_SWEEP = (process.env.BENCH_PART_SWEEP_MIB ?? '')
	.split(',')
	.filter(Boolean)
	.map((entry) => entry.split('x').map(Number) as [number, number?]);
const SWEEP_GIB = Number(process.env.BENCH_SWEEP_GIB ?? 1);
const SWEEP_FIT_MIB = Number(process.env.BENCH_SWEEP_FIT_MIB ?? 0);
const FILE_SETS = (process.env.BENCH_FILES ?? '1000x1,100x20')
	.split(',')
	.filter(Boolean)
	.map((set) => set.split('x').map(Number) as [number, number]);
const PARALLEL_FILES = Number(process.env.BENCH_PARALLEL_FILES ?? 16);
// BENCH_WORKER_NODE_ARGS (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof" or "--trace-gc"): Node.js flags for every measured
// process; BENCH_WORKER_LOG (a folder): each measured process's output kept there.
const WORKER_NODE_ARGS = (process.env.BENCH_WORKER_NODE_ARGS ?? '').split(' ').filter(Boolean);
const DOWNLOAD_PARALLEL = (process.env.BENCH_DOWNLOAD_PARALLEL ?? '').split(',').filter(Boolean).map(Number);
const SERIAL_FILES = Number(process.env.BENCH_SERIAL_FILES ?? 100);
const root = path.resolve(__dirname, '../../../..');
const worker = path.join(__dirname, 'worker.js');

/** A process's CPU time from /proc (Linux; clock ticks taken as 100 per second); zero elsewhere. */
function cpuSeconds(pid: number | undefined): { user: number; system: number } {
	try {
		const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
		return { user: Number(fields[11]) / 100, system: Number(fields[12]) / 100 };
	} catch {
		return { user: 0, system: 0 };
	}
}

function log(line: string): void {
	process.stderr.write(`${line}\n`);
}

/** The emulator's slow-link arguments from BENCH_LATENCY_MS and friends (none on loopback). */
function linkArgs(): string[] {
	if (!(LATENCY_MS > 0)) return [];
	const args = ['--latency-ms', String(LATENCY_MS)];
	if (process.env.BENCH_HANDSHAKE_RTTS) args.push('--handshake-rtts', process.env.BENCH_HANDSHAKE_RTTS);
	if (process.env.BENCH_INITIAL_WINDOW) args.push('--initial-window', process.env.BENCH_INITIAL_WINDOW);
	return args;
}

function linkLine(): string {
	if (!(LATENCY_MS > 0)) return 'emulator in its own process on 127.0.0.1';
	const rtts = process.env.BENCH_HANDSHAKE_RTTS ?? '2';
	const window = process.env.BENCH_INITIAL_WINDOW ?? '14600';
	return `emulator in its own process on 127.0.0.1 behind a slow link: ${LATENCY_MS} ms round trip, ${rtts} round trips to set up a connection, slow-start ramp from ${window === '0' ? 'none (off)' : `${window} bytes`}`;
}

async function startEmulator(dataDir: string): Promise<{ child: ChildProcess; info: EmulatorInfo }> {
	const child = spawn(process.execPath, [path.join(root, '.tmp/emulator/main.js'), '--data-dir', dataDir, ...linkArgs()], {
		stdio: ['ignore', 'pipe', 'inherit'],
	});
	const info = await new Promise<EmulatorInfo>((resolve, reject) => {
		let buffered = '';
		child.stdout?.on('data', (chunk: Buffer) => {
			buffered += chunk.toString();
			const line = buffered.split('\n').find((l) => l.startsWith('EMULATOR_READY '));
			if (line) resolve(JSON.parse(line.slice('EMULATOR_READY '.length)) as EmulatorInfo);
		});
		child.on('exit', (code) => reject(new Error(`the emulator exited (${code})`)));
	});
	child.stdout?.resume();
	return { child, info };
}

async function admin(emu: EmulatorInfo, route: string): Promise<void> {
	// A kept-alive connection may have been closed by the emulator while a test file was written:
	// a fresh connection per call, and one more try on a network error.
	for (let attempt = 1; ; attempt++) {
		try {
			const response = await fetch(`${emu.url}/_emulator/${route}`, { method: 'POST', headers: { Connection: 'close' } });
			if (!response.ok) throw new Error(`/_emulator/${route}: ${response.status}`);
			await response.arrayBuffer();
			return;
		} catch (error) {
			if (attempt >= 3 || (error as Error).message.startsWith('/_emulator/')) throw error;
		}
	}
}

function makeFile(file: string, size: number): void {
	if (fs.existsSync(file) && fs.statSync(file).size === size) return;
	log(`writing ${(size / GIB).toFixed(0)} GiB test file ${file}`);
	const block = randomBytes(16 * MIB);
	const fd = fs.openSync(file, 'w');
	for (let written = 0; written < size; ) {
		const length = Math.min(block.length, size - written);
		block.writeUInt32LE(written / MIB, 0); // parts differ from each other
		fs.writeSync(fd, block, 0, length);
		written += length;
	}
	fs.closeSync(fd);
}

function runWorker(task: WorkerTask): Promise<WorkerResult> {
	return new Promise((resolve, reject) => {
		// A task with many binaries is larger than one argument may be (128 KiB on Linux): a file then.
		let arg = JSON.stringify(task);
		if (arg.length > 64 * 1024) {
			const file = path.join(os.tmpdir(), `masv-bench-task-${process.pid}-${Date.now()}.json`);
			fs.writeFileSync(file, arg);
			arg = `@${file}`;
		}
		const child = spawn(process.execPath, [...WORKER_NODE_ARGS, worker, arg], {
			stdio: ['ignore', 'pipe', 'inherit'],
			env: { ...process.env, N8N_LOG_LEVEL: 'warn', N8N_DEFAULT_BINARY_DATA_MODE: 'filesystem' },
		});
		let out = '';
		child.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString()));
		child.on('exit', (code) => {
			if (arg.startsWith('@')) fs.rmSync(arg.slice(1), { force: true });
			// With BENCH_WORKER_LOG (a folder), each measured process's output (e.g. --trace-gc) is kept there.
			if (process.env.BENCH_WORKER_LOG) {
				fs.mkdirSync(process.env.BENCH_WORKER_LOG, { recursive: true });
				fs.writeFileSync(path.join(process.env.BENCH_WORKER_LOG, `${task.mode}-${child.pid}.log`), out);
			}
			const line = out.split('\n').find((l) => l.startsWith('BENCH_RESULT '));
			if (code === 0 && line) resolve(JSON.parse(line.slice('BENCH_RESULT '.length)) as WorkerResult);
			else reject(new Error(`${task.mode} failed (exit ${code})`));
		});
	});
}

const median = (values: number[]) => {
	const sorted = [...values].sort((a, b) => a - b);
	const mid = Math.floor(sorted.length / 2);
	return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

interface Row {
	label: string;
	mibps: number;
	/** The slowest run's MiB/s. */
	slowest: number;
	rssMib: number;
	runs: string;
	/** CPU seconds (user + system) of the client's process per GiB moved, median. */
	cpuPerGib: number;
	/** Full collections in the client's process, median. */
	fullGcs: number;
	/** The chart's target marks for this row: MiB/s and what they stand for. */
	targets?: Array<{ mibps: number; text: string }>;
}

function summarize(label: string, results: WorkerResult[]): Row {
	const speeds = results.map((r) => r.bytes / MIB / r.seconds);
	const digits = Math.max(...speeds) < 100 ? 1 : 0;
	return {
		label,
		mibps: median(speeds),
		slowest: Math.min(...speeds),
		rssMib: median(results.map((r) => r.peakRss / MIB)),
		runs: speeds.map((s) => s.toFixed(digits)).join(' / '),
		cpuPerGib: median(results.map((r) => ((r.cpu?.user ?? 0) + (r.cpu?.system ?? 0)) / (r.bytes / GIB))),
		fullGcs: median(results.map((r) => r.gc?.major ?? 0)),
	};
}

/** The machine's load: `uptime`'s three averages. */
const loadLine = () => `load average ${os.loadavg().map((l) => l.toFixed(2)).join(', ')}`;

async function main(): Promise<void> {
	const dir = process.env.BENCH_DIR ?? fs.mkdtempSync(path.join(os.tmpdir(), 'masv-bench-'));
	fs.mkdirSync(dir, { recursive: true });
	const startLoad = loadLine();
	const { child: emulator, info: emu } = await startEmulator(path.join(dir, 'emulator'));
	const rows: Row[] = [];
	let cacheDropped = true;
	const bySize = new Map<number, Record<string, Row>>();
	let preparedHome: string | undefined; // outside `dir`: removed in the finally below
	try {
		if (PART_SWEEP.length > 0) {
			await partSweep(dir, emu, (home) => (preparedHome = home));
			return;
		}
		for (const gib of SIZES) {
			const size = gib * GIB;
			const file = path.join(dir, `source-${gib}g.bin`);
			makeFile(file, size);
			// (a)'s input in n8n's store, written once like (b)'s and (c)'s file: no run follows a write of its own.
			const { prepared } = await runWorker({ mode: 'node-prepare', emu, file, size, partSize: PART, parallel: PARALLEL });
			if (!prepared) throw new Error('node-prepare gave no store');
			preparedHome = prepared.home;
			if (gib === SIZES[0]) {
				// One upload that does not count first. The first run after the emulator started was the
				// slowest of its kind in every bench (the node's: ~300 MiB/s against ~450; as a warm-up,
				// a plain PUT's: 432 against 459-485): the emulator is still cold.
				await admin(emu, 'reset');
				const warmUp = await runWorker({ mode: 'plain-upload', emu, file, size, partSize: PART, parallel: PARALLEL, warm: [file] });
				log(`${gib} GiB warm-up (plain-upload, not counted): ${(size / MIB / warmUp.seconds).toFixed(0)} MiB/s`);
			}
			const results: Record<string, WorkerResult[]> = { 'node-upload': [], 'plain-upload': [], 'sdk-upload': [] };
			for (let run = 1; run <= RUNS; run++) {
				for (const mode of ['node-upload', 'plain-upload', 'sdk-upload'] as const) {
					await admin(emu, 'reset');
					const emuBefore = cpuSeconds(emulator.pid);
					const result = await runWorker({ mode, emu, file, size, partSize: PART, parallel: PARALLEL, warm: [file], prepared });
					const emuAfter = cpuSeconds(emulator.pid);
					log(`  cpu: worker user ${result.cpu?.user.toFixed(1)} s sys ${result.cpu?.system.toFixed(1)} s; emulator user ${(emuAfter.user - emuBefore.user).toFixed(1)} s sys ${(emuAfter.system - emuBefore.system).toFixed(1)} s; worker GC ${result.gc?.major} full, ${result.gc?.minor} young, ${result.gc?.ms} ms`);
					cacheDropped &&= result.cacheDropped;
					log(`${gib} GiB ${mode} run ${run}: ${(size / MIB / result.seconds).toFixed(0)} MiB/s, peak RSS ${(result.peakRss / MIB).toFixed(0)} MiB`);
					results[mode].push(result);
				}
			}
			const summary = {
				node: summarize(`${gib} GiB upload (a) MASV node`, results['node-upload']),
				plain: summarize(`${gib} GiB upload (b) plain Node.js PUT`, results['plain-upload']),
				sdk: summarize(`${gib} GiB upload (c) @aws-sdk/lib-storage`, results['sdk-upload']),
			};
			summary.node.targets = [
				{ mibps: 0.9 * summary.plain.mibps, text: '0.90 × plain' },
				{ mibps: 1.2 * summary.sdk.mibps, text: '1.2 × SDK' },
			];
			bySize.set(gib, summary);
			rows.push(summary.node, summary.plain, summary.sdk);
			fs.rmSync(prepared.home, { recursive: true, force: true });
			preparedHome = undefined;
		}

		const fileSummaries: string[] = [];
		for (const [count, mib] of FILE_SETS) {
			const { rows: setRows, summary } = await fileSet(dir, emu, count, mib, (home) => (preparedHome = home));
			setRows[0].targets = [{ mibps: 0.8 * setRows[1].mibps, text: '0.8 × plain' }];
			rows.push(...setRows);
			fileSummaries.push(summary);
		}

		// Download (BENCH_DOWNLOAD_GIB=0 for none): one file, uploaded once, fetched by the node and by a plain GET.
		let downloadLine = '';
		if (DOWNLOAD_GIB > 0) {
			const size = DOWNLOAD_GIB * GIB;
			const file = path.join(dir, `source-${DOWNLOAD_GIB}g.bin`);
			makeFile(file, size);
			await admin(emu, 'reset');
			await runWorker({ mode: 'plain-upload', emu, file, size, partSize: PART, parallel: PARALLEL });
			const packageId = await latestPackage(emu);
			await admin(emu, 'idle');
			// The node with its defaults, with each BENCH_DOWNLOAD_PARALLEL, and a plain GET, interleaved run by run.
			const cases = [
				{ key: 'node', mode: 'node-download' as const, parallelDownloads: undefined as number | undefined, label: 'MASV node (defaults)' },
				...DOWNLOAD_PARALLEL.map((p) => ({ key: `node-p${p}`, mode: 'node-download' as const, parallelDownloads: p, label: `MASV node, Parallel Downloads ${p}` })),
				{ key: 'plain', mode: 'plain-download' as const, parallelDownloads: undefined, label: 'plain GET' },
			];
			const downloads: Record<string, WorkerResult[]> = Object.fromEntries(cases.map((c) => [c.key, []]));
			for (let run = 1; run <= RUNS; run++) {
				for (const c of cases) {
					const result = await runWorker({
						mode: c.mode,
						emu,
						size,
						partSize: PART,
						parallel: PARALLEL,
						packageId,
						outFile: path.join(dir, 'download.bin'),
						warm: [path.join(dir, 'emulator')],
						parallelDownloads: c.parallelDownloads,
					});
					cacheDropped &&= result.cacheDropped;
					const cpu = (result.cpu?.user ?? 0) + (result.cpu?.system ?? 0);
					log(`${DOWNLOAD_GIB} GiB download ${c.label} run ${run}: ${(size / MIB / result.seconds).toFixed(0)} MiB/s, CPU ${(cpu / DOWNLOAD_GIB).toFixed(1)} s/GiB (user ${result.cpu?.user.toFixed(1)} s sys ${result.cpu?.system.toFixed(1)} s), GC ${result.gc?.major} full, ${result.gc?.minor} young, ${result.gc?.ms} ms, peak RSS ${(result.peakRss / MIB).toFixed(0)} MiB; ${loadLine()}`);
					downloads[c.key].push(result);
				}
			}
			const downRows = cases.map((c) => summarize(`${DOWNLOAD_GIB} GiB download, ${c.label}`, downloads[c.key]));
			const plainDown = downRows[downRows.length - 1];
			const nodeDown = downRows[0];
			for (const row of downRows.slice(0, -1)) row.targets = [{ mibps: 0.9 * plainDown.mibps, text: '0.90 × plain GET' }];
			rows.push(...downRows);
			const ceiling = (PART * (PARALLEL + 1)) / MIB + 200;
			downloadLine = `Download: node/plain GET = ${(nodeDown.mibps / plainDown.mibps).toFixed(2)} (target ≥ 0.90)${downRows
				.slice(1, -1)
				.map((row) => `; ${row.label.replace(/^.*, MASV node, /, '')}: ${(row.mibps / plainDown.mibps).toFixed(2)}`)
				.join('')}; node peak RSS ${nodeDown.rssMib.toFixed(0)} MiB (upload ceiling ${ceiling} MiB)`;
		}

		// The table.
		const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
		const lines = [
			`Machine: ${os.cpus().length} × ${cpu}, ${(os.totalmem() / GIB).toFixed(0)} GiB RAM, Node.js ${process.version}, ${os.platform()} ${os.release()}`,
			`Part size ${PART / MIB} MiB, ${PARALLEL} parts in flight, median of ${RUNS} runs; ${linkLine()}.`,
			`Machine load: ${startLoad} at the start, ${loadLine()} at the end.`,
			cacheDropped
				? 'Before every run: page cache emptied, then the run\'s input read into it (the same start for every run).'
				: 'Before every run: the run\'s input read into the page cache. The page cache could not be emptied (needs root on Linux): runs may differ by what ran before them.',
			'',
			'| transfer | MiB/s (median) | runs (MiB/s) | peak RSS (MiB) | process CPU s/GiB | full GCs |',
			'|---|---:|---|---:|---:|---:|',
			...rows.map((r) => `| ${r.label} | ${r.mibps.toFixed(r.mibps < 100 ? 1 : 0)} | ${r.runs} | ${r.rssMib.toFixed(0)} | ${r.cpuPerGib.toFixed(1)} | ${r.fullGcs} |`),
			'',
		];
		for (const [gib, s] of bySize) {
			lines.push(
				`${gib} GiB: slowest a / median b = ${(s.node.slowest / s.plain.mibps).toFixed(2)} (target ≥ 0.90), a/b = ${(s.node.mibps / s.plain.mibps).toFixed(2)}, a/c = ${(s.node.mibps / s.sdk.mibps).toFixed(2)} (target ≥ 1.2)`,
			);
		}
		const rss = SIZES.map((gib) => bySize.get(gib)?.node.rssMib ?? 0);
		if (SIZES.length > 1) {
			// Part buffers (part size × (parallel + 1), at most Max Memory) plus ~200 MiB for n8n's engine.
			const ceiling = (PART * (PARALLEL + 1)) / MIB + 200;
			lines.push(
				`Node peak RSS: ${SIZES.map((g, i) => `${g} GiB ${rss[i].toFixed(0)} MiB`).join(', ')}; largest/smallest = ${(Math.max(...rss) / Math.min(...rss)).toFixed(2)} (target ≤ 1.10), ceiling part × (parallel + 1) + 200 = ${ceiling} MiB (target: below)`,
			);
		}
		lines.push(...fileSummaries);
		if (downloadLine) lines.push(downloadLine);
		process.stdout.write(`${lines.join('\n')}\n`);
		const chart = process.env.BENCH_CHART ?? path.join(root, 'docs/images/benchmark.svg');
		if (chart) {
			fs.mkdirSync(path.dirname(chart), { recursive: true });
			fs.writeFileSync(chart, chartSvg(rows, [lines[0], lines[1], lines[2]]));
			log(`chart written: ${chart}`);
		}
	} finally {
		if (preparedHome) fs.rmSync(preparedHome, { recursive: true, force: true });
		emulator.kill('SIGTERM');
		if (!process.env.BENCH_DIR) fs.rmSync(dir, { recursive: true, force: true });
	}
}

/** `count` files of `mib` MiB each in `dir`, made once (each differs from the others in its first bytes). */
function makeFiles(dir: string, count: number, mib: number): string[] {
	const folder = path.join(dir, `files-${count}x${mib}`);
	fs.mkdirSync(folder, { recursive: true });
	const block = randomBytes(mib * MIB);
	return Array.from({ length: count }, (_, index) => {
		const file = path.join(folder, `file-${String(index + 1).padStart(5, '0')}.bin`);
		if (!fs.existsSync(file) || fs.statSync(file).size !== block.length) {
			block.writeUInt32LE(index, 0);
			fs.writeFileSync(file, block);
		}
		return file;
	});
}

/** Many files into one package: the node with PARALLEL_FILES at once, a plain client alike, the node one at a time. */
async function fileSet(
	dir: string,
	emu: EmulatorInfo,
	count: number,
	mib: number,
	setPrepared: (home: string | undefined) => void,
): Promise<{ rows: Row[]; summary: string }> {
	const files = makeFiles(dir, count, mib);
	const size = mib * MIB;
	const { prepared } = await runWorker({ mode: 'node-prepare', emu, files, size, partSize: PART, parallel: PARALLEL });
	if (!prepared) throw new Error('node-prepare gave no store');
	setPrepared(prepared.home);
	const serial = Math.min(SERIAL_FILES, count);
	const cases = [
		{ mode: 'node-upload', label: `(a) MASV node, ${PARALLEL_FILES} files at once`, parallelFiles: PARALLEL_FILES, files: count },
		{ mode: 'plain-files', label: `(b) plain client, ${PARALLEL_FILES} files at once`, parallelFiles: PARALLEL_FILES, files: count },
		{ mode: 'node-upload', label: `(a1) MASV node, one file at a time (first ${serial} files)`, parallelFiles: 1, files: serial },
	] as const;
	const results: WorkerResult[][] = cases.map(() => []);
	const name = `${count} × ${mib} MiB files`;
	for (let run = 1; run <= RUNS; run++) {
		for (const [index, c] of cases.entries()) {
			await admin(emu, 'reset');
			const result = await runWorker({
				mode: c.mode,
				emu,
				files,
				size,
				partSize: PART,
				parallel: PARALLEL,
				parallelFiles: c.parallelFiles,
				fileLimit: c.files,
				warm: [path.dirname(files[0])],
				prepared,
			});
			result.bytes = size * c.files;
			log(`${name} ${c.label} run ${run}: ${(result.bytes / MIB / result.seconds).toFixed(1)} MiB/s, ${(c.files / result.seconds).toFixed(1)} files/s (worker user CPU ${result.cpu?.user.toFixed(1)} s, ${result.gc?.major} full GCs)`);
			results[index].push(result);
		}
	}
	fs.rmSync(prepared.home, { recursive: true, force: true });
	setPrepared(undefined);
	const rows = cases.map((c, index) => summarize(`${name} ${c.label}`, results[index]));
	return {
		rows,
		summary: `${name}: node/plain = ${(rows[0].mibps / rows[1].mibps).toFixed(2)} (target ≥ 0.8), ${PARALLEL_FILES} files at once / one at a time = ${(rows[0].mibps / rows[2].mibps).toFixed(1)}`,
	};
}

/** Upload MiB/s by part size: the node against a plain client with and without kept-alive connections. */
async function partSweep(dir: string, emu: EmulatorInfo, setPrepared: (home: string | undefined) => void): Promise<void> {
	const size = SWEEP_GIB * GIB;
	const file = path.join(dir, `source-${SWEEP_GIB}g.bin`);
	makeFile(file, size);
	const { prepared } = await runWorker({ mode: 'node-prepare', emu, file, size, partSize: PART, parallel: PARALLEL });
	if (!prepared) throw new Error('node-prepare gave no store');
	setPrepared(prepared.home);
	const modes = [
		['node-upload', 'node'],
		['plain-upload', 'plain, keep-alive'],
		['plain-upload-fresh', 'plain, new connection per request'],
	] as const;
	const fitted = (partMib: number) => (SWEEP_FIT_MIB > 0 ? Math.max(1, Math.min(16, Math.floor(SWEEP_FIT_MIB / partMib) - 1)) : PARALLEL);
	const lines = [
		`Upload of ${SWEEP_GIB} GiB by part size, ${SWEEP_FIT_MIB > 0 ? `as many parts in flight as fit ${SWEEP_FIT_MIB} MiB (part size × (parallel + 1))` : `${PARALLEL} parts in flight`}, median of ${RUNS} runs; ${linkLine()}.`,
		'',
		`| part size | parts in flight | ${modes.map(([, label]) => `${label} (MiB/s)`).join(' | ')} | node / keep-alive | node peak RSS (MiB) |`,
		`|---:|---:|${modes.map(() => '---:').join('|')}|---:|---:|`,
	];
	for (const [partMib, inFlight] of PART_SWEEP) {
		const partSize = partMib * MIB;
		const parallel = inFlight ?? fitted(partMib);
		const speeds: Record<string, number[]> = {};
		const rss: number[] = [];
		for (let run = 1; run <= RUNS; run++) {
			for (const [mode] of modes) {
				await admin(emu, 'reset');
				const result = await runWorker({ mode, emu, file, size, partSize, parallel, warm: [file], prepared });
				const mibps = size / MIB / result.seconds;
				(speeds[mode] ??= []).push(mibps);
				if (mode === 'node-upload') rss.push(result.peakRss / MIB);
				log(`${partMib} MiB parts x ${parallel}, ${mode} run ${run}: ${mibps.toFixed(0)} MiB/s (worker user CPU ${result.cpu?.user.toFixed(1)} s, ${result.gc?.major} full GCs)`);
			}
		}
		const medians = modes.map(([mode]) => median(speeds[mode]));
		lines.push(`| ${partMib} MiB | ${parallel} | ${medians.map((m) => m.toFixed(0)).join(' | ')} | ${(medians[0] / medians[1]).toFixed(2)} | ${median(rss).toFixed(0)} |`);
	}
	process.stdout.write(`${lines.join('\n')}\n`);
	fs.rmSync(prepared.home, { recursive: true, force: true });
	setPrepared(undefined);
}

const escapeXml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/**
 * The results as a bar chart, hand-written SVG: one bar of MiB/s (median) per client and case, the
 * node's bars in n8n's colour, and the targets as marks on the node's bars.
 */
function chartSvg(rows: Row[], header: string[]): string {
	const left = 420;
	const barWidth = 380;
	const rowHeight = 24;
	const top = 30 + header.length * 16 + 10;
	const width = left + barWidth + 170;
	const height = top + rows.length * rowHeight + 40;
	const most = Math.max(1, ...rows.flatMap((r) => [r.mibps, ...(r.targets ?? []).map((t) => t.mibps)]));
	const scale = (mibps: number) => (mibps / most) * barWidth;
	const colour = (label: string) => (/MASV node/.test(label) ? '#ea4b71' : /SDK|lib-storage/.test(label) ? '#4a7fd6' : '#8a8f98');
	const parts: string[] = [
		`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Helvetica, Arial, sans-serif" font-size="12">`,
		`<rect width="${width}" height="${height}" fill="#ffffff"/>`,
		`<text x="10" y="20" font-size="15" font-weight="bold">npm run bench: MiB/s by client and case (median, higher is better; then the process's CPU s/GiB)</text>`,
		...header.map((line, index) => `<text x="10" y="${38 + index * 16}" font-size="10" fill="#444">${escapeXml(line)}</text>`),
	];
	rows.forEach((row, index) => {
		const y = top + index * rowHeight;
		const w = Math.max(1, scale(row.mibps));
		parts.push(
			`<text x="${left - 8}" y="${y + 15}" text-anchor="end">${escapeXml(row.label)}</text>`,
			`<rect x="${left}" y="${y + 4}" width="${w.toFixed(1)}" height="${rowHeight - 8}" fill="${colour(row.label)}"/>`,
			`<text x="${(left + w + 6).toFixed(1)}" y="${y + 15}">${row.mibps.toFixed(row.mibps < 100 ? 1 : 0)} · ${row.cpuPerGib.toFixed(1)} s CPU/GiB</text>`,
		);
		for (const target of row.targets ?? []) {
			const x = left + scale(target.mibps);
			parts.push(
				`<line x1="${x.toFixed(1)}" y1="${y + 1}" x2="${x.toFixed(1)}" y2="${y + rowHeight - 1}" stroke="#111" stroke-width="2" stroke-dasharray="3,2"><title>target: ${escapeXml(target.text)} = ${target.mibps.toFixed(0)} MiB/s</title></line>`,
			);
		}
	});
	const legendY = top + rows.length * rowHeight + 22;
	parts.push(
		`<rect x="10" y="${legendY - 10}" width="12" height="12" fill="#ea4b71"/><text x="28" y="${legendY}">MASV node (through n8n's engine)</text>`,
		`<rect x="240" y="${legendY - 10}" width="12" height="12" fill="#8a8f98"/><text x="258" y="${legendY}">plain Node.js client</text>`,
		`<rect x="400" y="${legendY - 10}" width="12" height="12" fill="#4a7fd6"/><text x="418" y="${legendY}">@aws-sdk/lib-storage</text>`,
		`<line x1="580" y1="${legendY - 11}" x2="580" y2="${legendY + 2}" stroke="#111" stroke-width="2" stroke-dasharray="3,2"/><text x="588" y="${legendY}">target of the row (hover: which)</text>`,
		'</svg>',
	);
	return `${parts.join('\n')}\n`;
}

async function latestPackage(emu: EmulatorInfo): Promise<string> {
	const response = await fetch(`${emu.url}/v1.1/teams/${emu.teamId}/packages?status=finalized`, { headers: { 'X-API-KEY': emu.apiKey } });
	const body = (await response.json()) as { records?: Array<{ id: string }> } | Array<{ id: string }>;
	const records = Array.isArray(body) ? body : (body.records ?? []);
	if (!records[0]) throw new Error('no finalized package to download');
	return records[0].id;
}

main().catch((error: Error) => {
	process.stderr.write(`${error.stack ?? error.message}\n`);
	process.exit(1);
});
