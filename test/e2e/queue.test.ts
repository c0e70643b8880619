// End-to-end in n8n's queue mode: one main and two workers (`n8n worker`) on Postgres and Redis,
// against the MASV emulator, with the built package. Run by scripts/e2e/queue.sh (part of
// scripts/e2e/run.sh and so of npm test, for the pinned 2.x), which finds or installs Postgres and
// Redis first.
//
// Under load: 8 executions started at once through a webhook, each uploading its own file with the
// MASV node and downloading it back; in queue mode with `database` binary data (n8n's queue-mode
// default) and with `filesystem` on a shared folder, and in regular mode (one process) for
// comparison. Each run checks which process ran which execution, that every package was finalized
// exactly once and that every file came back byte for byte, and records each process's peak RSS.
// Also: the polling MASV Trigger in queue mode (examples/portal-uploads-to-integration.json: portal
// upload → trigger → Send to Integration, no byte through n8n) and the MASV Webhook Trigger on the
// same portal uploads (the main takes MASV's deliveries, workers run the executions), and what a
// file larger than `database` mode allows does, upstream and in the node.
//
//   E2E_QUEUE_FILE_MIB=N      size of each of the 8 files (default 16; the figures of docs/queue-mode.md use 64)
//   E2E_QUEUE_CONCURRENCY=N   n8n worker --concurrency (default 5; the figures of docs/queue-mode.md use 10)
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { installedN8n, pinned, REPO, tail } from '../../tools/n8n/n8n';
import {
	deploymentEnv,
	executionsStartedBy,
	peakRss,
	publishWorkflows,
	startDeployment,
	startPostgres,
	startRedis,
	type Deployment,
	type Postgres,
	type QueueSetup,
	type Redis,
	untilWebhooksRegistered,
} from '../../tools/n8n/queue';
import { EXAMPLES_DIR, openSession, sha256File, type Session } from '../../tools/n8n/session';
import { readWorkflow, readWorkflowDir, type WorkflowFile } from '../../tools/n8n/workflows';

const VERSION = process.env.N8N_VERSION || pinned().n8nDefault;
const OUT = join(REPO, '.test-output/e2e-queue');
const QUEUE_WORKFLOWS_DIR = join(REPO, 'test/e2e/queue-workflows');
const MIB = 1024 * 1024;
const FILE_MIB = Number(process.env.E2E_QUEUE_FILE_MIB || 16);
const FILES = 8;
/** `database` mode's limit in this run (N8N_BINARY_DATA_DATABASE_MAX_FILE_SIZE): above the load files. */
const DB_LIMIT_MIB = FILE_MIB + 8;
const OVERSIZE = (DB_LIMIT_MIB + 1) * MIB;
const PORTAL_FILES = 3;
/** The MASV Webhook Trigger's workflow of the real-n8n trigger test, here in queue mode. */
const WEBHOOK_WORKFLOW_FILE = join(REPO, 'test/e2e/trigger-workflows/e2e-webhook-trigger.json');
const WEBHOOK_WORKFLOW = 'masvE2eWebhookTrigger';
const WEBHOOK_TRIGGER = 'MASV Webhook Trigger';
/**
 * Executions a worker runs at once (`n8n worker --concurrency`). By default below the 8 of the load,
 * so that one worker cannot take all of them: the test shows both at work every time, not by chance.
 */
const WORKER_CONCURRENCY = Number(process.env.E2E_QUEUE_CONCURRENCY || 5);
/** Polls run at most once a minute: an emitted package may take up to that, plus the execution. */
const TRIGGER_WAIT_MS = 150_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Execution {
	id: string;
	status: string;
	startedMs: number;
	stoppedMs: number;
}

interface LoadFigures {
	label: string;
	totalMs: number;
	mibPerS: number;
	/** process name → executions it ran */
	ranBy: Record<string, string[]>;
	/** process name → peak RSS in bytes */
	peakRss: Record<string, number>;
}

const figures: LoadFigures[] = [];
let postgres: Postgres | undefined;
let redis: Redis | undefined;
const sources = new Map<string, string>(); // file name → SHA-256

function sha256(buffer: Buffer): string {
	return createHash('sha256').update(buffer).digest('hex');
}

/** n8n keeps execution data as `flatted` JSON; read it with n8n's own copy. */
function parseFlatted(text: string): unknown {
	const dir = installedN8n(VERSION);
	if (!dir) throw new Error(`n8n ${VERSION} is not installed`);
	const flatted = createRequire(join(dir, 'node_modules/n8n/package.json'))('flatted') as { parse(text: string): unknown };
	return flatted.parse(text);
}

interface RunData {
	resultData: {
		runData: Record<string, Array<{ data?: { main?: Array<Array<{ json: Record<string, unknown> }> | null> }; error?: { message?: string; description?: string } }>>;
		error?: { message?: string; description?: string; node?: { name?: string } };
		lastNodeExecuted?: string;
	};
}

async function executionData(database: string, id: string): Promise<RunData> {
	const text = await postgres!.sql(`SELECT data FROM execution_data WHERE "executionId" = ${Number(id)}`, database);
	return parseFlatted(text.trim()) as RunData;
}

async function executions(database: string, workflowId: string, afterId: number): Promise<Execution[]> {
	const rows = await postgres!.sql(
		`SELECT id, status, coalesce(extract(epoch from "startedAt") * 1000, 0), coalesce(extract(epoch from "stoppedAt") * 1000, 0) FROM execution_entity WHERE "workflowId" = '${workflowId}' AND id > ${afterId} ORDER BY id`,
		database,
	);
	return rows
		.split('\n')
		.filter(Boolean)
		.map((row) => {
			const [id, status, started, stopped] = row.split('|');
			return { id, status, startedMs: Number(started), stoppedMs: Number(stopped) };
		});
}

async function lastExecutionId(database: string): Promise<number> {
	return Number((await postgres!.sql('SELECT coalesce(max(id), 0) FROM execution_entity', database)).trim());
}

const FINISHED = new Set(['success', 'error', 'crashed', 'canceled']);

/** Waits until `count` executions of a workflow after `afterId` have finished. */
async function untilFinished(database: string, workflowId: string, afterId: number, count: number, timeoutMs: number): Promise<Execution[]> {
	const started = Date.now();
	for (;;) {
		const list = await executions(database, workflowId, afterId);
		const done = list.filter((e) => FINISHED.has(e.status));
		if (done.length >= count) return done;
		if (Date.now() - started > timeoutMs) {
			throw new Error(`${done.length} of ${count} executions of ${workflowId} finished within ${timeoutMs / 1000} s: ${JSON.stringify(list)}`);
		}
		await sleep(250);
	}
}

async function callWebhook(url: string, path: string, query: Record<string, string>): Promise<void> {
	const res = await fetch(`${url}/webhook/${path}?${new URLSearchParams(query).toString()}`);
	const body = await res.text();
	assert.equal(res.status, 200, `webhook ${path} answered ${res.status}: ${body}`);
}

/** Which process started each execution, from the workers' logs ("Worker started execution N"). */
function processOf(deployment: Deployment): Map<string, string> {
	const map = new Map<string, string>();
	for (const worker of deployment.workers) {
		for (const id of executionsStartedBy(worker.config.logFile)) map.set(id, worker.name);
	}
	return map;
}

/**
 * What a trigger node put out in the finished executions of its workflow after `afterId`: package
 * ID → the execution of each item that carried it. Every finished execution must have succeeded.
 */
async function triggerItems(database: string, workflowId: string, triggerNode: string, afterId: number): Promise<{ done: Execution[]; seen: Map<string, string[]> }> {
	const done = (await executions(database, workflowId, afterId)).filter((e) => FINISHED.has(e.status));
	const seen = new Map<string, string[]>();
	for (const execution of done) {
		const data = await executionData(database, execution.id);
		assert.equal(execution.status, 'success', JSON.stringify(data.resultData.error ?? {}));
		const items = data.resultData.runData[triggerNode]?.[0]?.data?.main?.[0] ?? [];
		for (const item of items) {
			const id = String(item.json.id);
			seen.set(id, [...(seen.get(id) ?? []), execution.id]);
		}
	}
	return { done, seen };
}

/** Each package in exactly one item of one execution, no other package, and every execution run on a worker. */
function assertOncePerPackageOnWorkers(label: string, deployment: Deployment, packages: string[], done: Execution[], seen: Map<string, string[]>): void {
	const ranByProcess = processOf(deployment);
	const by = done.map((e) => `${e.id}:${ranByProcess.get(e.id) ?? '?'}`);
	console.log(`# ${label} executions (id:process): ${by.join(', ')}; packages → executions: ${JSON.stringify(Object.fromEntries(seen))}`);
	for (const id of packages) {
		assert.deepEqual(seen.get(id)?.length, 1, `${label}: portal package ${id} appeared in ${JSON.stringify(seen.get(id) ?? [])}`);
	}
	assert.deepEqual([...seen.keys()].sort(), [...packages].sort(), `${label}: emitted only the portal packages`);
	for (const execution of done) {
		assert.ok(ranByProcess.get(execution.id)?.startsWith('worker-'), `${label}: execution ${execution.id} did not run on a worker`);
	}
}

/**
 * The load: 8 webhook calls at once, each a different file through Upload → Download; then every
 * check of issue #15 item 2. Returns the figures of the run.
 */
async function runLoad(label: string, session: Session, deployment: Deployment, database: string): Promise<LoadFigures> {
	const outDir = join(session.filesDir, 'queue/out');
	rmSync(outDir, { recursive: true, force: true });
	mkdirSync(outDir, { recursive: true });
	const names = [...sources.keys()].filter((name) => name.startsWith('load-'));
	const afterId = await lastExecutionId(database);
	const earlier = new Set((await session.emulator.files()).map((f) => f.packageId));

	const t0 = Date.now();
	await Promise.all(names.map((file) => callWebhook(deployment.main.url, 'masv-queue-load', { file })));
	const done = await untilFinished(database, 'masvQueueLoad', afterId, names.length, 600_000);
	const totalMs = Math.max(...done.map((e) => e.stoppedMs)) - t0;

	const peak: Record<string, number> = { main: peakRss(deployment.main.process.child.pid ?? 0) };
	for (const worker of deployment.workers) peak[worker.name] = peakRss(worker.pid);

	// Which process ran which execution, and which file each one carried.
	const ranByProcess = processOf(deployment);
	const ranBy: Record<string, string[]> = {};
	const fileOf = new Map<string, string>();
	for (const execution of done) {
		const data = await executionData(database, execution.id);
		const failure = data.resultData.error;
		assert.equal(execution.status, 'success', `${label}: execution ${execution.id} ended ${execution.status}: ${failure?.message ?? ''} ${failure?.description ?? ''}`);
		const file = String((data.resultData.runData.Webhook?.[0]?.data?.main?.[0]?.[0]?.json.query as Record<string, string>)?.file);
		fileOf.set(execution.id, file);
		const by = deployment.workers.length ? ranByProcess.get(execution.id) ?? '?' : 'main';
		(ranBy[by] ??= []).push(`${execution.id}:${file}`);
	}
	console.log(`# ${label}: which process ran which execution (id:file): ${JSON.stringify(ranBy)}`);
	assert.deepEqual([...fileOf.values()].sort(), [...names].sort(), `${label}: each file in exactly one execution`);
	if (deployment.workers.length) {
		assert.equal(ranBy['?'], undefined, `${label}: executions no worker log claims: ${JSON.stringify(ranBy)}`);
		for (const worker of deployment.workers) {
			assert.ok((ranBy[worker.name]?.length ?? 0) > 0, `${label}: ${worker.name} ran no execution: ${JSON.stringify(ranBy)}`);
		}
	}

	// Every package finalized exactly once, every file byte-exact in MASV and back on disk.
	const stored = (await session.emulator.files()).filter((f) => !earlier.has(f.packageId) && f.packageName.startsWith('queue load '));
	for (const name of names) {
		const files = stored.filter((f) => f.name === name);
		assert.equal(files.length, 1, `${label}: ${name} is in ${files.length} finalized packages`);
		const pkg = session.emulator.admin.getPackage(files[0].packageId) as { state?: string } | undefined;
		assert.equal(pkg?.state, 'finalized', `${label}: package of ${name}`);
		const finalizes = session.emulator.requests({ kind: 'api', method: 'POST', path: new RegExp(`/packages/${files[0].packageId}/finalize$`) });
		assert.equal(finalizes.length, 1, `${label}: package ${files[0].packageId} (${name}) finalize calls: ${finalizes.length}`);
		assert.equal(files[0].sha256, sources.get(name), `${label}: MASV holds other bytes for ${name}`);
		assert.equal(await sha256File(join(outDir, name)), sources.get(name), `${label}: ${name} downloaded back differs`);
	}

	const mib = (names.length * FILE_MIB * MIB) / MIB;
	const result: LoadFigures = { label, totalMs, mibPerS: mib / (totalMs / 1000), ranBy, peakRss: peak };
	figures.push(result);
	return result;
}

function printTable(): void {
	const gib = (bytes: number) => `${(bytes / 1024 ** 3).toFixed(2)} GiB`;
	const lines = [
		`| run (${FILES} × ${FILE_MIB} MiB, n8n ${VERSION}) | time for all ${FILES} | MiB/s (files' size ÷ time; each file up and back down) | executions per process | peak RSS |`,
		'|---|---|---|---|---|',
		...figures.map((f) => {
			const counts = Object.entries(f.ranBy)
				.map(([name, list]) => `${name} ${list.length}`)
				.join(', ');
			const rss = Object.entries(f.peakRss)
				.map(([name, bytes]) => `${name} ${gib(bytes)}`)
				.join(', ');
			return `| ${f.label} | ${(f.totalMs / 1000).toFixed(1)} s | ${f.mibPerS.toFixed(1)} MiB/s | ${counts} | ${rss} |`;
		}),
	];
	console.log(`# load figures:\n${lines.map((l) => `# ${l}`).join('\n')}`);
	mkdirSync(OUT, { recursive: true });
	writeFileSync(join(OUT, 'figures.md'), `${lines.join('\n')}\n`);
}

const sourceBytes = new Map<string, Buffer>();

function writeSources(filesDir: string): void {
	const inDir = join(filesDir, 'queue/in');
	mkdirSync(inDir, { recursive: true });
	for (const [name, buffer] of sourceBytes) writeFileSync(join(inDir, name), buffer);
}

describe(`MASV node in n8n ${VERSION} queue mode`, () => {
	before(async () => {
		rmSync(OUT, { recursive: true, force: true });
		for (let i = 1; i <= FILES; i++) {
			// a different size for each file (a few KiB apart), so that none can stand in for another
			const buffer = randomBytes(FILE_MIB * MIB + i * 4099);
			const name = `load-${i}.bin`;
			sourceBytes.set(name, buffer);
			sources.set(name, sha256(buffer));
		}
		postgres = await startPostgres();
		redis = await startRedis();
		await postgres.createDatabase('n8n_regular');
		await postgres.createDatabase('n8n_queue');
		console.log(`# Postgres on 127.0.0.1:${postgres.port}, Redis on 127.0.0.1:${redis.port}`);
	});

	after(async () => {
		printTable();
		await redis?.stop();
		await postgres?.stop();
	});

	it(`regular mode (one process, filesystem binary data): ${FILES} webhook-started round trips at once`, async () => {
		const setup: QueueSetup = { postgres: postgres!, database: 'n8n_regular', binaryMode: 'filesystem' };
		const session = await openSession({
			version: VERSION,
			workDir: join(OUT, 'regular'),
			workflows: [readWorkflow(join(QUEUE_WORKFLOWS_DIR, 'queue-load.json'))],
			extraEnv: deploymentEnv(setup),
			log: (line) => console.log(`# ${line}`),
		});
		let deployment: Deployment | undefined;
		try {
			writeSources(session.filesDir);
			await publishWorkflows(postgres!, 'n8n_regular', ['masvQueueLoad']);
			deployment = await startDeployment(session.config, setup, join(OUT, 'regular'), 0);
			await untilWebhooksRegistered(deployment.main.url, ['masv-queue-load']);
			const run = await runLoad('regular mode, filesystem', session, deployment, 'n8n_regular');
			console.log(`# regular mode: ${(run.totalMs / 1000).toFixed(1)} s, ${run.mibPerS.toFixed(1)} MiB/s`);
		} finally {
			await deployment?.stop();
			await session.close();
		}
	});

	describe('queue mode: main + 2 workers, Postgres, Redis', () => {
		let session: Session;
		let deployment: Deployment | undefined;
		const workDir = join(OUT, 'queue');
		const dbSetup = (): QueueSetup => ({ postgres: postgres!, redis: redis!, database: 'n8n_queue', binaryMode: 'database', databaseMaxFileMib: DB_LIMIT_MIB });
		const portalPackages: string[] = [];
		let triggerAfterId = 0;

		before(async () => {
			const workflows: WorkflowFile[] = [
				...readWorkflowDir(QUEUE_WORKFLOWS_DIR),
				readWorkflow(join(EXAMPLES_DIR, 'portal-uploads-to-integration.json')),
				readWorkflow(WEBHOOK_WORKFLOW_FILE),
			];
			session = await openSession({
				version: VERSION,
				workDir,
				workflows,
				extraEnv: deploymentEnv(dbSetup()),
				overrides: (emulator) => ({
					'Upload to the portal': { subdomain: emulator.seed.portalSubdomain },
					'When a portal upload is finalized': { portalId: { __rl: true, mode: 'id', value: emulator.seed.portalId } },
					'Send to cloud storage': { integrationId: { __rl: true, mode: 'id', value: emulator.seed.cloudConnections.s3OutId } },
					[WEBHOOK_TRIGGER]: { portalIds: [emulator.seed.portalId] },
				}),
				log: (line) => console.log(`# ${line}`),
			});
			writeSources(session.filesDir);
			// Every attempt of a MASV webhook delivery arrives twice at the same moment.
			session.emulator.admin.setConfig({ webhookCopies: 2 });
			await publishWorkflows(postgres!, 'n8n_queue', ['masvQueueLoad', 'masvQueueDownload', 'masvQueuePortalUpload', 'masvExPortalToIntegration', WEBHOOK_WORKFLOW]);
		});

		after(async () => {
			await deployment?.stop();
			console.log(`# timings (ms): ${JSON.stringify(session?.timings ?? {})}`);
			await session?.close();
		});

		it('starts main and 2 workers with `database` binary data (the queue-mode default)', async () => {
			triggerAfterId = await lastExecutionId('n8n_queue');
			const t = Date.now();
			deployment = await startDeployment(session.config, dbSetup(), workDir, 2, WORKER_CONCURRENCY);
			console.log(`# main + 2 workers up in ${Date.now() - t} ms (main ${deployment.main.startMs} ms)`);
			await untilWebhooksRegistered(deployment.main.url, ['masv-queue-load', 'masv-queue-download', 'masv-queue-portal']);
			// The trigger's first poll (at activation) records what exists: the portal uploads must
			// come after it. It shows as a finished call to the portal's package list.
			const portalList = new RegExp(`/portals/${session.emulator.seed.portalId}/packages$`);
			while (!session.emulator.requests({ kind: 'api', method: 'GET', path: portalList }).some((r) => r.status !== undefined)) {
				assert.ok(Date.now() - t < 240_000, `the example workflow was not activated:\n${tail(readFileSync(session.config.logFile, 'utf8'))}`);
				await sleep(250);
			}
			// The webhook trigger's activation ends with its MASV webhook attached to the portal.
			const attached = () => session.emulator.core.state.portals.get(session.emulator.seed.portalId)?.data.custom_webhooks as unknown[] | undefined;
			while (!attached()?.length) {
				assert.ok(Date.now() - t < 240_000, `the MASV webhook was not attached to the portal:\n${tail(readFileSync(session.config.logFile, 'utf8'))}`);
				await sleep(250);
			}
			await sleep(1000);
			console.log(`# webhooks registered and the triggers activated ${Date.now() - t} ms after the start`);
		});

		it('portal uploads by a client (3 webhook-started executions, on workers)', async () => {
			assert.ok(deployment, 'the deployment did not start');
			const dir = join(session.filesDir, 'queue/portal');
			mkdirSync(dir, { recursive: true });
			const afterId = await lastExecutionId('n8n_queue');
			for (let i = 1; i <= PORTAL_FILES; i++) {
				const buffer = randomBytes(256 * 1024 + i);
				writeFileSync(join(dir, `portal-${i}.bin`), buffer);
				sources.set(`portal-${i}.bin`, sha256(buffer));
			}
			for (let i = 1; i <= PORTAL_FILES; i++) await callWebhook(deployment.main.url, 'masv-queue-portal', { file: `portal-${i}.bin` });
			const done = await untilFinished('n8n_queue', 'masvQueuePortalUpload', afterId, PORTAL_FILES, 120_000);
			for (const execution of done) {
				assert.equal(execution.status, 'success', JSON.stringify((await executionData('n8n_queue', execution.id)).resultData.error ?? {}));
			}
			const stored = (await session.emulator.files()).filter((f) => f.packageName.startsWith('portal upload '));
			assert.equal(stored.length, PORTAL_FILES, JSON.stringify(stored));
			portalPackages.push(...stored.map((f) => f.packageId));
		});

		it(`database binary mode: ${FILES} × ${FILE_MIB} MiB up and back down at once, over both workers`, async () => {
			assert.ok(deployment, 'the deployment did not start');
			await runLoad('queue, database', session, deployment, 'n8n_queue');
		});

		it('database binary mode: a file above the limit fails with n8n\'s message, upstream and in the MASV node', async () => {
			assert.ok(deployment, 'the deployment did not start');
			// Upstream: Read Files from Disk stores the file: n8n's own error, before the MASV node runs.
			writeFileSync(join(session.filesDir, 'queue/in/oversize.bin'), randomBytes(OVERSIZE));
			let afterId = await lastExecutionId('n8n_queue');
			await callWebhook(deployment.main.url, 'masv-queue-load', { file: 'oversize.bin' });
			let [execution] = await untilFinished('n8n_queue', 'masvQueueLoad', afterId, 1, 120_000);
			let data = await executionData('n8n_queue', execution.id);
			assert.equal(execution.status, 'error');
			console.log(`# upstream (${data.resultData.lastNodeExecuted}): ${data.resultData.error?.message}`);
			assert.equal(data.resultData.lastNodeExecuted, 'Read file from disk');
			assert.match(String(data.resultData.error?.message), /exceeds the max size limit of \d+ MB set for `database` mode/);

			// In the node: a package MASV got from storage (Import Files, no byte through n8n), then
			// downloaded into n8n's store by the MASV node.
			const emu = session.emulator;
			const importDir = join(emu.admin.integrationDir(emu.seed.cloudConnections.s3InId), 'big');
			mkdirSync(importDir, { recursive: true });
			writeFileSync(join(importDir, 'oversize.bin'), randomBytes(OVERSIZE));
			const headers = { 'X-API-KEY': emu.apiKey, 'Content-Type': 'application/json' };
			const created = await fetch(`${emu.url}/v1/teams/${emu.teamId}/packages`, {
				method: 'POST',
				headers,
				body: JSON.stringify({ name: 'oversize import', description: '', recipients: [] }),
			});
			assert.equal(created.status, 201);
			const pkg = (await created.json()) as { id: string; access_token: string };
			const imported = await fetch(`${emu.url}/v1/packages/${pkg.id}/transfer`, {
				method: 'POST',
				headers: { ...headers, 'X-Package-Token': pkg.access_token },
				body: JSON.stringify({ cloud_connection_id: emu.seed.cloudConnections.s3InId, direction: 'cloud_to_masv', files: [{ id: '/big/oversize.bin', kind: 'file' }] }),
			});
			assert.equal(imported.status, 201, await imported.text());
			afterId = await lastExecutionId('n8n_queue');
			const mark = Math.max(0, ...emu.requests().map((r) => r.seq));
			const t = Date.now();
			await callWebhook(deployment.main.url, 'masv-queue-download', { package: pkg.id });
			[execution] = await untilFinished('n8n_queue', 'masvQueueDownload', afterId, 1, 300_000);
			data = await executionData('n8n_queue', execution.id);
			assert.equal(execution.status, 'error');
			const error = data.resultData.error;
			console.log(`# in the MASV node (${data.resultData.lastNodeExecuted}, ${Date.now() - t} ms): ${error?.message} | ${error?.description ?? ''}`);
			assert.equal(data.resultData.lastNodeExecuted, 'Download from MASV');
			const text = `${error?.message} ${error?.description ?? ''}`;
			assert.match(text, new RegExp(`${DB_LIMIT_MIB} MiB`), 'the message names the limit');
			assert.match(text, /N8N_BINARY_DATA_DATABASE_MAX_FILE_SIZE/, 'the message names the variable');
			assert.match(text, /filesystem/, 'the message names the alternatives');
			assert.match(text, /Send to Integration/, 'the message names the MASV-side way');
			const gets = emu.requests({ kind: 'storage', method: 'GET' }).filter((r) => r.seq > mark);
			// The plain path (the database store collects chunks; docs/download-speed.md): the first part's
			// range, then the rest from where it ended; nothing asked twice.
			const ranges = gets.map((r) => String(r.headers.range));
			assert.ok(gets.length <= 2, `the download is not retried: ${ranges.join(', ')}`);
			assert.equal(new Set(ranges).size, ranges.length, `the download is not retried: ${ranges.join(', ')}`);
		});

		it('masvTrigger (polling) in queue mode: each portal package in exactly one item of one execution, run on a worker, delivered to the integration', async () => {
			assert.ok(deployment, 'the deployment did not start');
			assert.equal(portalPackages.length, PORTAL_FILES, 'the portal uploads did not run');
			const started = Date.now();
			let seen: Map<string, string[]> = new Map();
			let done: Execution[] = [];
			for (;;) {
				({ done, seen } = await triggerItems('n8n_queue', 'masvExPortalToIntegration', 'When a portal upload is finalized', triggerAfterId));
				if (portalPackages.every((id) => seen.has(id))) break;
				if (Date.now() - started > TRIGGER_WAIT_MS) break;
				await sleep(2000);
			}
			// A package emitted twice would show in a later poll: wait for one poll after the last
			// execution finished, then count again.
			const lastStop = Math.max(0, ...done.map((e) => e.stoppedMs));
			const portalList = new RegExp(`/portals/${session.emulator.seed.portalId}/packages$`);
			const pollAfter = () =>
				session.emulator.requests({ kind: 'api', method: 'GET', path: portalList }).some((r) => r.status !== undefined && Date.parse(r.time) > lastStop + 1000);
			while (!pollAfter() && Date.now() - started < TRIGGER_WAIT_MS) await sleep(1000);
			assert.ok(pollAfter(), 'no poll after the trigger\'s executions');
			await sleep(3000);
			const later = (await executions('n8n_queue', 'masvExPortalToIntegration', triggerAfterId)).filter((e) => !done.some((d) => d.id === e.id));
			assert.deepEqual(later, [], 'a later poll started another execution');
			assertOncePerPackageOnWorkers('trigger', deployment, portalPackages, done, seen);
			// MASV moved the bytes: each package sent once, its file in the integration byte for byte.
			const emu = session.emulator;
			for (const id of portalPackages) {
				const transfers = emu.requests({ kind: 'api', method: 'POST', path: new RegExp(`/packages/${id}/transfer$`) });
				assert.equal(transfers.length, 1, `package ${id} sent ${transfers.length} times`);
			}
			const delivered = await emu.admin.integrationFiles(emu.seed.cloudConnections.s3OutId);
			for (let i = 1; i <= PORTAL_FILES; i++) {
				const name = `portal-${i}.bin`;
				const file = delivered.find((f) => f.path.endsWith(`/${name}`));
				assert.ok(file, `${name} not in the integration: ${JSON.stringify(delivered.map((f) => f.path))}`);
				assert.equal(file.sha256, sources.get(name));
			}
		});

		it('masvWebhookTrigger in queue mode: one MASV webhook at the main\'s production URL; each portal package in exactly one item of one execution, run on a worker, though every delivery came twice at once and one again', async () => {
			assert.ok(deployment, 'the deployment did not start');
			assert.equal(portalPackages.length, PORTAL_FILES, 'the portal uploads did not run');
			const emu = session.emulator;
			const t = Date.now();

			// Registered once, by the main, at n8n's production webhook URL (N8N_WEBHOOK_URL: the main's port).
			const hooks = [...emu.core.state.webhooks.values()];
			assert.equal(hooks.length, 1, JSON.stringify(hooks));
			const registrations = emu.requests({ kind: 'api', method: 'POST', path: `/v1/teams/${emu.teamId}/custom_webhooks` });
			assert.deepEqual(
				registrations.map((r) => r.status),
				[201],
			);
			const webhookId = session.workflows.find((w) => w.id === WEBHOOK_WORKFLOW)?.nodes.find((n) => n.name === WEBHOOK_TRIGGER)?.webhookId;
			assert.equal(hooks[0].data.url, `${deployment.main.url}/webhook/${String(webhookId)}/webhook`);

			// MASV's deliveries of the portal uploads: one event per package, each attempt sent twice
			// at once, all answered 200 by the main; then one event sent again.
			await emu.admin.idle();
			const deliveries = emu.admin.webhookDeliveries().filter((d) => d.webhookId === hooks[0].id);
			assert.deepEqual(
				deliveries.map((d) => (d.body.object as { id: string }).id).sort(),
				[...portalPackages].sort(),
			);
			for (const delivery of deliveries) {
				assert.equal(delivery.body.event_type, 'package.finalized');
				assert.deepEqual(delivery.statuses, [200, 200], `event ${delivery.id}: ${JSON.stringify(delivery.statuses)}`);
			}
			const again = await emu.admin.redeliverWebhook(deliveries[0].id);
			assert.deepEqual(again.statuses, [200, 200, 200, 200], `event ${again.id} sent again: ${JSON.stringify(again.statuses)}`);

			let done: Execution[] = [];
			let seen = new Map<string, string[]>();
			while (done.length < PORTAL_FILES && Date.now() - t < 60_000) {
				await sleep(500);
				({ done, seen } = await triggerItems('n8n_queue', WEBHOOK_WORKFLOW, WEBHOOK_TRIGGER, triggerAfterId));
			}
			await sleep(3000); // room for a repeated execution to show up
			({ done, seen } = await triggerItems('n8n_queue', WEBHOOK_WORKFLOW, WEBHOOK_TRIGGER, triggerAfterId));
			const all = await executions('n8n_queue', WEBHOOK_WORKFLOW, triggerAfterId);
			assert.equal(all.length, PORTAL_FILES, `executions of the webhook workflow: ${JSON.stringify(all)}`);
			assertOncePerPackageOnWorkers('webhook trigger', deployment, portalPackages, done, seen);
		});

		it(`filesystem binary mode on a shared folder: ${FILES} × ${FILE_MIB} MiB up and back down at once, over both workers`, async () => {
			await deployment?.stop();
			deployment = undefined;
			const shared = join(workDir, 'shared-binary-data');
			mkdirSync(shared, { recursive: true });
			const setup: QueueSetup = { ...dbSetup(), binaryMode: 'filesystem', sharedBinaryDir: shared };
			deployment = await startDeployment(session.config, setup, join(workDir, 'filesystem'), 2, WORKER_CONCURRENCY);
			await untilWebhooksRegistered(deployment.main.url, ['masv-queue-load']);
			await runLoad('queue, filesystem (shared)', session, deployment, 'n8n_queue');
		});
	});
});
