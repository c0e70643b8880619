// n8n in queue mode on one machine, for the queue e2e run (test/e2e/queue.test.ts): Postgres (run
// as the user `postgres` when this runs as root: Postgres refuses root) and Redis on free loopback
// ports with their data in temp folders, one main (`n8n start`) and workers (`n8n worker`). Every
// process is started through processes.ts, so it is ended with the run, whatever way the run ends.
// Postgres and Redis come from Debian packages: tools/n8n/queue-services.sh finds or installs
// them and passes MASV_PG_BIN and MASV_REDIS_SERVER.
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { freePort, n8nBin, n8nEnv, startN8n, tail, type N8nConfig, type RunningN8n } from './n8n';
import { runCommand, startTracked, type Tracked } from './processes';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A temp folder removed when this process exits, however the run ends (processes.ts ends the
 * servers that use it before the exit).
 */
function tempFolder(prefix: string): string {
	const dir = mkdtempSync(join(tmpdir(), prefix));
	process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
	return dir;
}

/** As root, commands for Postgres run as this user. */
const PG_USER = 'postgres';

function asPgUser(command: string, args: string[]): [string, string[]] {
	return process.getuid?.() === 0 ? ['runuser', ['-u', PG_USER, '--', command, ...args]] : [command, args];
}

export interface Postgres {
	host: string;
	port: number;
	user: string;
	/** Runs one SQL statement with psql (unaligned, tuples only) and returns its output. */
	sql(statement: string, database?: string): Promise<string>;
	createDatabase(name: string): Promise<void>;
	stop(): Promise<void>;
}

/** A fresh Postgres cluster in a temp folder, on a free port of 127.0.0.1, trust auth. */
export async function startPostgres(pgBin = process.env.MASV_PG_BIN ?? ''): Promise<Postgres> {
	if (!pgBin) throw new Error('MASV_PG_BIN is not set: run this through scripts/e2e/queue.sh');
	const root = tempFolder('masv-queue-pg-');
	const data = join(root, 'data');
	const sockets = join(root, 'sockets');
	mkdirSync(sockets);
	if (process.getuid?.() === 0) {
		execFileSync('chown', ['-R', `${PG_USER}:`, root]);
		chmodSync(root, 0o755);
	}
	const port = await freePort();
	const initdb = await runCommand(...asPgUser(join(pgBin, 'initdb'), ['-D', data, '-A', 'trust', '-U', PG_USER, '--no-sync', '-E', 'UTF8']), { timeoutMs: 120_000 });
	if (initdb.code !== 0) throw new Error(`initdb failed (${initdb.code}):\n${tail(initdb.stdout + initdb.stderr)}`);
	const logFile = join(root, 'postgres.log');
	const server = startTracked(
		...asPgUser(join(pgBin, 'postgres'), ['-D', data, '-p', String(port), '-k', sockets, '-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=100']),
		{ logFile },
	);
	const psql = async (statement: string, database = 'postgres') => {
		const run = await runCommand(join(pgBin, 'psql'), ['-h', '127.0.0.1', '-p', String(port), '-U', PG_USER, '-d', database, '-v', 'ON_ERROR_STOP=1', '-At', '-c', statement], {
			timeoutMs: 60_000,
			env: { ...process.env, PGCONNECT_TIMEOUT: '5' },
		});
		if (run.code !== 0) throw new Error(`psql failed (${run.code}): ${run.stderr.trim()}`);
		return run.stdout;
	};
	const started = Date.now();
	for (;;) {
		const ready = await runCommand(join(pgBin, 'pg_isready'), ['-h', '127.0.0.1', '-p', String(port)], { timeoutMs: 10_000 });
		if (ready.code === 0) break;
		if (server.child.exitCode !== null || Date.now() - started > 60_000) {
			await server.stop(2000);
			throw new Error(`Postgres did not start on port ${port}:\n${tail(safeRead(logFile))}`);
		}
		await sleep(300);
	}
	return {
		host: '127.0.0.1',
		port,
		user: PG_USER,
		sql: psql,
		async createDatabase(name) {
			await psql(`CREATE DATABASE "${name}"`);
		},
		async stop() {
			// fast shutdown (SIGINT to the postmaster through pg_ctl), then the temp folder goes
			await runCommand(...asPgUser(join(pgBin, 'pg_ctl'), ['-D', data, '-m', 'fast', '-w', 'stop']), { timeoutMs: 30_000 });
			await server.stop(5000);
			rmSync(root, { recursive: true, force: true });
		},
	};
}

export interface Redis {
	host: string;
	port: number;
	stop(): Promise<void>;
}

/** A Redis on a free port of 127.0.0.1, nothing saved to disk. */
export async function startRedis(redisServer = process.env.MASV_REDIS_SERVER ?? ''): Promise<Redis> {
	if (!redisServer) throw new Error('MASV_REDIS_SERVER is not set: run this through scripts/e2e/queue.sh');
	const dir = tempFolder('masv-queue-redis-');
	const port = await freePort();
	const logFile = join(dir, 'redis.log');
	const server = startTracked(
		redisServer,
		['--port', String(port), '--bind', '127.0.0.1', '--protected-mode', 'yes', '--save', '', '--appendonly', 'no', '--dir', dir],
		{ logFile },
	);
	const started = Date.now();
	while (!(await redisPing(port))) {
		if (server.child.exitCode !== null || Date.now() - started > 30_000) {
			await server.stop(2000);
			throw new Error(`Redis did not start on port ${port}:\n${tail(safeRead(logFile))}`);
		}
		await sleep(200);
	}
	return {
		host: '127.0.0.1',
		port,
		async stop() {
			await server.stop(5000);
			rmSync(dir, { recursive: true, force: true });
		},
	};
}

function redisPing(port: number): Promise<boolean> {
	return new Promise((resolve) => {
		const socket = connect(port, '127.0.0.1');
		let answer = '';
		const done = (ok: boolean) => {
			socket.destroy();
			resolve(ok);
		};
		socket.setTimeout(1000, () => done(false));
		socket.once('error', () => done(false));
		socket.once('connect', () => socket.write('PING\r\n'));
		socket.on('data', (chunk) => {
			answer += chunk.toString();
			if (answer.includes('\r\n')) done(answer.startsWith('+PONG'));
		});
	});
}

function safeRead(file: string): string {
	try {
		return readFileSync(file, 'utf8');
	} catch {
		return '';
	}
}

export type BinaryMode = 'database' | 'filesystem';

export interface QueueSetup {
	postgres: Postgres;
	database: string;
	/** Undefined: regular mode (one process runs everything). */
	redis?: Redis;
	binaryMode: BinaryMode;
	/** filesystem mode: the folder every process shares (N8N_BINARY_DATA_STORAGE_PATH). */
	sharedBinaryDir?: string;
	/** N8N_BINARY_DATA_DATABASE_MAX_FILE_SIZE (MiB), when set. */
	databaseMaxFileMib?: number;
}

/** The environment every process of one n8n deployment shares. */
export function deploymentEnv(setup: QueueSetup): Record<string, string> {
	const env: Record<string, string> = {
		DB_TYPE: 'postgresdb',
		DB_POSTGRESDB_HOST: setup.postgres.host,
		DB_POSTGRESDB_PORT: String(setup.postgres.port),
		DB_POSTGRESDB_DATABASE: setup.database,
		DB_POSTGRESDB_USER: setup.postgres.user,
		DB_POSTGRESDB_PASSWORD: '',
		EXECUTIONS_MODE: setup.redis ? 'queue' : 'regular',
		N8N_DEFAULT_BINARY_DATA_MODE: setup.binaryMode,
		// keep every execution's data, to show which process ran what
		EXECUTIONS_DATA_SAVE_ON_SUCCESS: 'all',
		EXECUTIONS_DATA_SAVE_ON_ERROR: 'all',
	};
	if (setup.redis) {
		env.QUEUE_BULL_REDIS_HOST = setup.redis.host;
		env.QUEUE_BULL_REDIS_PORT = String(setup.redis.port);
	}
	if (setup.sharedBinaryDir) env.N8N_BINARY_DATA_STORAGE_PATH = setup.sharedBinaryDir;
	if (setup.databaseMaxFileMib !== undefined) env.N8N_BINARY_DATA_DATABASE_MAX_FILE_SIZE = String(setup.databaseMaxFileMib);
	return env;
}

export interface RunningWorker {
	name: string;
	config: N8nConfig;
	process: Tracked;
	pid: number;
	startMs: number;
	stop(): Promise<number>;
}

/**
 * Starts `n8n worker` with its own user folder, log, task broker port and health-check port, and
 * waits for "n8n worker is now ready" in its log.
 */
export async function startWorker(base: N8nConfig, name: string, workDir: string, concurrency = 10, timeoutMs = 180_000): Promise<RunningWorker> {
	const userFolder = join(workDir, `${name}-user`);
	mkdirSync(userFolder, { recursive: true });
	const config: N8nConfig = {
		...base,
		userFolder,
		logFile: join(workDir, `${name}.log`),
		brokerPort: await freePort(),
		extraEnv: { ...base.extraEnv, QUEUE_HEALTH_CHECK_PORT: String(await freePort()) },
	};
	const [node, bin] = n8nBin(config);
	const started = Date.now();
	const proc = startTracked(node, [bin, 'worker', `--concurrency=${concurrency}`], { env: n8nEnv(config), cwd: userFolder, logFile: config.logFile });
	for (;;) {
		if (safeRead(config.logFile).includes('n8n worker is now ready')) break;
		if (proc.child.exitCode !== null) throw new Error(`n8n worker ${name} exited (${proc.child.exitCode}) while starting:\n${tail(safeRead(config.logFile), 60)}`);
		if (Date.now() - started > timeoutMs) {
			await proc.stop();
			throw new Error(`n8n worker ${name} was not ready within ${timeoutMs / 1000} s:\n${tail(safeRead(config.logFile), 60)}`);
		}
		await sleep(300);
	}
	return { name, config, process: proc, pid: proc.child.pid ?? 0, startMs: Date.now() - started, stop: () => proc.stop() };
}

export interface Deployment {
	main: RunningN8n;
	workers: RunningWorker[];
	stop(): Promise<void>;
}

/** Main (`n8n start`), then `workers` workers at once, of one deployment, with the setup's environment. */
export async function startDeployment(config: N8nConfig, setup: QueueSetup, workDir: string, workers: number, concurrency = 10): Promise<Deployment> {
	const withEnv: N8nConfig = { ...config, extraEnv: { ...config.extraEnv, ...deploymentEnv(setup) } };
	const main = await startN8n(withEnv);
	const started: RunningWorker[] = [];
	const stop = async () => {
		await Promise.all(started.map((worker) => worker.stop()));
		await main.stop();
	};
	try {
		const starting = Array.from({ length: workers }, (_, i) => startWorker(withEnv, `worker-${i + 1}`, workDir, concurrency));
		const results = await Promise.allSettled(starting);
		for (const result of results) if (result.status === 'fulfilled') started.push(result.value);
		const failed = results.find((result) => result.status === 'rejected');
		if (failed) throw failed.reason;
	} catch (error) {
		await stop();
		throw error;
	}
	return { main, workers: started, stop };
}

/**
 * Publishes workflows (2.x: makes each one's current version the active one), as
 * `n8n publish:workflow --id=ID` does in 2.40.7 (WorkflowRepository.publishVersion: one UPDATE,
 * when that version is in the workflow's history), in one statement instead of one n8n start per
 * workflow. The running main activates them (its publication reconciler): see untilWebhooksRegistered.
 */
export async function publishWorkflows(postgres: Postgres, database: string, ids: string[]): Promise<void> {
	const list = ids.map((id) => `'${id.replace(/'/g, "''")}'`).join(', ');
	const updated = await postgres.sql(
		`UPDATE workflow_entity w SET active = true, "activeVersionId" = w."versionId" WHERE w.id IN (${list}) AND EXISTS (SELECT 1 FROM workflow_history h WHERE h."workflowId" = w.id AND h."versionId" = w."versionId") RETURNING w.id`,
		database,
	);
	const published = updated.split('\n').filter(Boolean);
	const missing = ids.filter((id) => !published.includes(id));
	if (missing.length) throw new Error(`not published (not imported?): ${missing.join(', ')}`);
}

/**
 * Waits until the main serves these production webhook paths: a CORS preflight (OPTIONS with an
 * Origin) answers 404 while a path is not registered, without starting an execution.
 */
export async function untilWebhooksRegistered(url: string, paths: string[], timeoutMs = 120_000): Promise<void> {
	const started = Date.now();
	for (const path of paths) {
		for (;;) {
			const res = await fetch(`${url}/webhook/${path}`, {
				method: 'OPTIONS',
				headers: { Origin: url, 'Access-Control-Request-Method': 'GET' },
			}).catch(() => undefined);
			await res?.text();
			if (res && res.status < 300) break;
			if (Date.now() - started > timeoutMs) throw new Error(`webhook ${path} was not registered within ${timeoutMs / 1000} s (last answer: ${res?.status})`);
			await sleep(250);
		}
	}
}

/** Peak resident set size of a process so far (VmHWM), in bytes; 0 when it cannot be read. */
export function peakRss(pid: number): number {
	const match = /^VmHWM:\s+(\d+)\s+kB/m.exec(safeRead(`/proc/${pid}/status`));
	return match ? Number(match[1]) * 1024 : 0;
}

/** Execution ids a worker's log says it started ("Worker started execution N (job M)"). */
export function executionsStartedBy(logFile: string): string[] {
	return [...safeRead(logFile).matchAll(/Worker started execution (\d+) \(job/g)].map((m) => m[1]);
}
