// `npm run bench:n8n`: the node's Package → Download of one 1 GiB file inside a real n8n (2.40.7 by
// default, as installed for the end-to-end runs), into n8n's filesystem binary store, next to a
// plain GET of the same file (the bench worker's plain-download: the same MASV calls, one http.get
// into a file), interleaved run by run against one MASV emulator.
//
// Unlike `npm run bench`, which runs the node in-process through tools/harness with the repository's
// dev dependency n8n-core, this goes through what a user runs: `n8n execute` of a workflow Manual
// Trigger → MASV, n8n's own helpers (in 2.x @n8n/backend-network and its axios) and its engine.
//
// Environment: BENCH_RUNS (default 5), BENCH_DOWNLOAD_GIB (default 1), N8N_VERSION (default the pinned
// one, tools/n8n/versions.sh), BENCH_SHA (default 1: check each download's SHA-256; 0 only its size),
// BENCH_DIR (default a temp folder, removed at the end).
//
// The node's time is its `executionTime` in the run data. The n8n process's CPU, collections and peak
// RSS come from scripts/bench/n8nProbe.cjs, preloaded into it: CPU and collections both over the
// whole `n8n execute` (start-up included) and over the transfer only (first storage GET to the
// close of the last storage answer); the peak RSS is the whole process's.
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { SourceRegistry } from '../../tools/emulator/sources';
import { importWorkflows, pinned, REPO, tail } from '../../tools/n8n/n8n';
import { openSession, type Session } from '../../tools/n8n/session';
import { nodeItems, prepareWorkflow, type WorkflowFile } from '../../tools/n8n/workflows';
import type { EmulatorInfo, WorkerResult, WorkerTask } from './worker';

const MIB = 1024 * 1024;
const GIB = 1024 * MIB;
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const DOWNLOAD_GIB = Number(process.env.BENCH_DOWNLOAD_GIB ?? 1);
const SIZE = DOWNLOAD_GIB * GIB;
const VERSION = process.env.N8N_VERSION || pinned().n8nDefault;
const CHECK_SHA = process.env.BENCH_SHA !== '0';
const WORKFLOW_ID = 'masvBenchDownload';
const NODE_NAME = 'MASV';
/** The name the worker's plain-url-upload gives the file it uploads. */
const FILE_NAME = 'bench-url.bin';
const PROBE = path.join(REPO, 'scripts/bench/n8nProbe.cjs');
const worker = path.join(__dirname, 'worker.js');

/** One line of n8nProbe.cjs. */
interface ProbeLine {
	pid: number;
	command: string;
	peakRss: number;
	total: { user: number; system: number; major: number; minor: number };
	transfer?: { gets: number; ms: number; user: number; system: number; major: number; minor: number; gcMs: number };
}

interface NodeRun {
	seconds: number;
	probe: ProbeLine;
	/** How long `n8n execute` took, start-up included. */
	executeMs: number;
}

function log(line: string): void {
	process.stderr.write(`${line}\n`);
}

const loadLine = () => `load average ${os.loadavg().map((l) => l.toFixed(2)).join(', ')}`;

const median = (values: number[]) => {
	const sorted = [...values].sort((a, b) => a - b);
	const mid = Math.floor(sorted.length / 2);
	return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

/** The workflow: Manual Trigger → MASV Package → Download of `packageId` from the seed team. */
function workflow(packageId: string): WorkflowFile {
	return {
		id: WORKFLOW_ID,
		name: 'bench: download in a real n8n',
		nodes: [
			{ id: 'bench-start', name: 'Start', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [0, 0], parameters: {} },
			{
				id: 'bench-download',
				name: NODE_NAME,
				type: 'n8n-nodes-masv.masv',
				typeVersion: 1,
				position: [260, 0],
				parameters: {
					resource: 'package',
					operation: 'download',
					teamId: { __rl: true, mode: 'list', value: '' },
					packageId: { __rl: true, mode: 'id', value: packageId },
					options: {},
				},
			},
		],
		connections: { Start: { main: [[{ node: NODE_NAME, type: 'main', index: 0 }]] } },
		active: false,
		settings: { executionOrder: 'v1' },
	};
}

/** The bench worker (scripts/bench/worker.ts) in a process of its own, as scripts/bench/main.ts runs it. */
function runWorker(task: WorkerTask): Promise<WorkerResult> {
	return new Promise((resolve, reject) => {
		const child = spawn(process.execPath, [worker, JSON.stringify(task)], {
			stdio: ['ignore', 'pipe', 'inherit'],
			env: { ...process.env, N8N_LOG_LEVEL: 'warn', N8N_DEFAULT_BINARY_DATA_MODE: 'filesystem' },
		});
		let out = '';
		child.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString()));
		child.on('exit', (code) => {
			const line = out.split('\n').find((l) => l.startsWith('BENCH_RESULT '));
			if (code === 0 && line) resolve(JSON.parse(line.slice('BENCH_RESULT '.length)) as WorkerResult);
			else reject(new Error(`${task.mode} failed (exit ${code})`));
		});
	});
}

/**
 * The same start for n8n's runs as the worker gives the plain GET (worker.ts levelPageCache): written
 * pages on disk, the page cache emptied where allowed (root on Linux), the emulator's files read once.
 */
function levelPageCache(paths: string[]): void {
	spawnSync('sync');
	try {
		fs.writeFileSync('/proc/sys/vm/drop_caches', '3');
	} catch {
		// not root: the files are still read into the cache below
	}
	for (const p of paths) spawnSync('sh', ['-c', 'find "$1" -type f -exec cat {} + > /dev/null', 'sh', p]);
}

async function sha256(file: string): Promise<string> {
	const hash = createHash('sha256');
	for await (const chunk of fs.createReadStream(file, { highWaterMark: 4 * MIB })) hash.update(chunk as Buffer);
	return hash.digest('hex');
}

/** Every file under `dir`. */
function filesUnder(dir: string): string[] {
	if (!fs.existsSync(dir)) return [];
	return fs.readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name));
}

/**
 * The output binary's file in n8n's filesystem store (`.n8n/storage` in 2.x, `.n8n/binaryData` in
 * 1.x): the path its id names (`filesystem-v2:<path>`), else the stores' one file of the expected size.
 */
function storedBinary(stores: string[], id: string | undefined): string {
	const relative = id ? id.slice(id.indexOf(':') + 1) : undefined;
	for (const store of stores) {
		if (relative && fs.existsSync(path.join(store, relative))) return path.join(store, relative);
	}
	const found = stores.flatMap(filesUnder).filter((file) => fs.statSync(file).size === SIZE);
	if (found.length !== 1) throw new Error(`binary ${id}: not in n8n's store (${stores.join(', ')}: ${found.length} files of ${SIZE} bytes)`);
	return found[0];
}

async function nodeRun(session: Session, stores: string[], probeFile: string, warm: string[], expectedSha: string): Promise<NodeRun> {
	for (const store of stores) fs.rmSync(store, { recursive: true, force: true });
	fs.rmSync(probeFile, { force: true });
	levelPageCache(warm);
	const run = await session.execute(WORKFLOW_ID);
	if (run.code !== 0 || !run.result) throw new Error(`n8n execute exited ${run.code}:\n${tail(run.stdout + run.stderr, 60)}`);
	const [item] = nodeItems(run.result, NODE_NAME);
	const binary = item?.binary?.data as { id?: string; fileName?: string } | undefined;
	if (!binary?.id) throw new Error(`no binary in n8n's store: ${JSON.stringify(item?.binary ?? {})}`);
	const file = storedBinary(stores, binary.id);
	const size = fs.statSync(file).size;
	if (size !== SIZE) throw new Error(`the binary has ${size} bytes, not ${SIZE}`);
	if (CHECK_SHA && (await sha256(file)) !== expectedSha) throw new Error('the binary holds other bytes than MASV');
	for (const store of stores) fs.rmSync(store, { recursive: true, force: true });
	const nodeRunData = run.result.data.resultData.runData[NODE_NAME][0] as { executionTime?: number };
	const lines = fs.existsSync(probeFile) ? fs.readFileSync(probeFile, 'utf8').trim().split('\n') : [];
	const probe = lines.map((line) => JSON.parse(line) as ProbeLine).find((line) => / execute /.test(` ${line.command} `));
	if (!probe) throw new Error(`no n8n execute in ${probeFile}`);
	return { seconds: (nodeRunData.executionTime ?? 0) / 1000, probe, executeMs: run.ms };
}

async function main(): Promise<void> {
	const dir = process.env.BENCH_DIR ?? fs.mkdtempSync(path.join(os.tmpdir(), 'masv-bench-n8n-'));
	fs.mkdirSync(dir, { recursive: true });
	const startLoad = loadLine();
	const probeFile = path.join(dir, 'probe.jsonl');
	let session: Session | undefined;
	try {
		log(`n8n ${VERSION}: starting the emulator and importing the workflow`);
		session = await openSession({ version: VERSION, workDir: path.join(dir, 'session'), workflows: [workflow('')], log });
		const { emulator, config } = session;
		const emu: EmulatorInfo = { url: emulator.url, storageUrl: emulator.storageUrl, apiKey: emulator.apiKey, teamId: emulator.teamId };

		// The file: generated bytes (an emulator source) uploaded into a package by the bench worker.
		const source = emulator.core.sources.add({ size: SIZE, seed: 7, name: FILE_NAME });
		await runWorker({ mode: 'plain-url-upload', emu, url: `${emulator.storageUrl}${SourceRegistry.path(source)}`, size: SIZE, partSize: 32 * MIB, parallel: 7 });
		await emulator.core.idle();
		const stored = (await emulator.files()).find((file) => file.name === FILE_NAME);
		if (!stored?.sha256 || stored.size !== SIZE) throw new Error(`the emulator holds no ${SIZE}-byte file: ${JSON.stringify(stored)}`);
		log(`package ${stored.packageId}: ${stored.name}, ${stored.size} bytes, SHA-256 ${stored.sha256}`);

		// The workflow again, now with the package.
		await importWorkflows(config, [prepareWorkflow(workflow(stored.packageId), { teamId: emulator.teamId, filesDir: session.filesDir })]);
		// From here on, every n8n process carries the probe and n8n stores binaries on disk.
		config.extraEnv = {
			...config.extraEnv,
			N8N_DEFAULT_BINARY_DATA_MODE: 'filesystem',
			NODE_OPTIONS: `--require ${PROBE}`,
			MASV_BENCH_PROBE_FILE: probeFile,
			MASV_BENCH_STORAGE_HOST: new URL(emulator.storageUrl).host,
		};
		const stores = ['storage', 'binaryData'].map((name) => path.join(config.userFolder, '.n8n', name));
		const warm = [path.join(dir, 'session', 'emulator')];

		const nodeRuns: NodeRun[] = [];
		const plainRuns: WorkerResult[] = [];
		const mibps = (seconds: number) => SIZE / MIB / seconds;
		for (let run = 1; run <= RUNS; run++) {
			const n = await nodeRun(session, stores, probeFile, warm, stored.sha256);
			nodeRuns.push(n);
			const t = n.probe.transfer;
			log(
				`${DOWNLOAD_GIB} GiB download, MASV node in n8n ${VERSION}, run ${run}: ${mibps(n.seconds).toFixed(0)} MiB/s (executionTime ${(n.seconds * 1000).toFixed(0)} ms; n8n execute ${(n.executeMs / 1000).toFixed(1)} s); ` +
					(t
						? `transfer (${t.gets} storage GETs, ${t.ms.toFixed(0)} ms): CPU user ${t.user.toFixed(1)} s sys ${t.system.toFixed(1)} s, GC ${t.major} full, ${t.minor} young, ${t.gcMs.toFixed(0)} ms; `
						: 'transfer: no storage GET seen; ') +
					`whole process: CPU user ${n.probe.total.user.toFixed(1)} s sys ${n.probe.total.system.toFixed(1)} s, GC ${n.probe.total.major} full; peak RSS ${(n.probe.peakRss / MIB).toFixed(0)} MiB; ${loadLine()}`,
			);
			const p = await runWorker({
				mode: 'plain-download',
				emu,
				size: SIZE,
				partSize: 32 * MIB,
				parallel: 7,
				packageId: stored.packageId,
				outFile: path.join(dir, 'download.bin'),
				warm,
			});
			plainRuns.push(p);
			log(
				`${DOWNLOAD_GIB} GiB download, plain GET run ${run}: ${mibps(p.seconds).toFixed(0)} MiB/s, CPU user ${p.cpu?.user.toFixed(1)} s sys ${p.cpu?.system.toFixed(1)} s, GC ${p.gc?.major} full, ${p.gc?.minor} young, ${p.gc?.ms} ms, peak RSS ${(p.peakRss / MIB).toFixed(0)} MiB; ${loadLine()}`,
			);
		}

		const nodeSpeeds = nodeRuns.map((r) => mibps(r.seconds));
		const plainSpeeds = plainRuns.map((r) => mibps(r.seconds));
		const transfers = nodeRuns.map((r) => r.probe.transfer);
		const seen = transfers.every((t) => t !== undefined);
		const cpu = (user: number, system: number) => (user + system) / DOWNLOAD_GIB;
		const n8nNode = spawnSync(path.join(pinned().node24Bin, 'node'), ['--version'], { encoding: 'utf8' }).stdout.trim();
		const lines = [
			`Machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'unknown CPU'}, ${(os.totalmem() / GIB).toFixed(0)} GiB RAM; n8n ${VERSION} on Node.js ${n8nNode}, plain GET on Node.js ${process.version}`,
			`${DOWNLOAD_GIB} GiB download, median of ${RUNS} runs, n8n's binary data mode filesystem; emulator in the bench's process on 127.0.0.1.`,
			`Machine load: ${startLoad} at the start, ${loadLine()} at the end.`,
			'',
			'| download | MiB/s (median) | runs (MiB/s) | peak RSS (MiB) | CPU s/GiB | full GCs |',
			'|---|---:|---|---:|---:|---:|',
			`| MASV node in n8n ${VERSION} (executionTime; CPU and GCs ${seen ? 'over the transfer' : 'of the whole n8n execute'}) | ${median(nodeSpeeds).toFixed(0)} | ${nodeSpeeds.map((s) => s.toFixed(0)).join(' / ')} | ${median(nodeRuns.map((r) => r.probe.peakRss / MIB)).toFixed(0)} | ${median(nodeRuns.map((r) => (seen ? cpu(r.probe.transfer?.user ?? 0, r.probe.transfer?.system ?? 0) : cpu(r.probe.total.user, r.probe.total.system)))).toFixed(1)} | ${median(nodeRuns.map((r) => (seen ? (r.probe.transfer?.major ?? 0) : r.probe.total.major)))} |`,
			`| plain GET (Node.js ${process.version}) | ${median(plainSpeeds).toFixed(0)} | ${plainSpeeds.map((s) => s.toFixed(0)).join(' / ')} | ${median(plainRuns.map((r) => r.peakRss / MIB)).toFixed(0)} | ${median(plainRuns.map((r) => cpu(r.cpu?.user ?? 0, r.cpu?.system ?? 0))).toFixed(1)} | ${median(plainRuns.map((r) => r.gc?.major ?? 0))} |`,
			'',
			`Download in n8n ${VERSION}: node/plain GET = ${(median(nodeSpeeds) / median(plainSpeeds)).toFixed(2)}; n8n execute, whole process (start-up included): CPU ${median(nodeRuns.map((r) => r.probe.total.user + r.probe.total.system)).toFixed(1)} s, ${median(nodeRuns.map((r) => r.probe.total.major))} full GCs (medians).`,
		];
		process.stdout.write(`${lines.join('\n')}\n`);
	} finally {
		await session?.close();
		if (!process.env.BENCH_DIR) fs.rmSync(dir, { recursive: true, force: true });
	}
}

main().catch((error: Error) => {
	process.stderr.write(`${error.stack ?? error.message}\n`);
	process.exit(1);
});
