// A real n8n (installed by scripts/e2e/install-n8n.sh into a cache outside the repo), run with a
// fresh user folder, offline, with this package loaded from its build as custom extension (node
// type `CUSTOM.masv`): CLI commands (import, execute) and the server (editor, REST).
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { copyFileSync, cpSync, existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';

import { runCommand, startTracked, type RunResult, type Tracked } from './processes';

/** The repository root: the nearest folder above this file whose package.json is this package's. */
function findRepo(start: string): string {
	for (let dir = start; ; dir = dirname(dir)) {
		try {
			if ((JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string }).name === 'n8n-nodes-masv') return dir;
		} catch {
			// no package.json here
		}
		if (dirname(dir) === dir) throw new Error(`no n8n-nodes-masv package.json above ${start}`);
	}
}

export const REPO = findRepo(__dirname);
const TOOLKIT = join(REPO, 'tools/n8n');

let pinnedValues: { n8nDefault: string; cache: string; node24Bin: string } | undefined;

/**
 * Reads the default n8n version, the cache folder and the bin folder of Node 24 from
 * tools/n8n/versions.sh (once per process: it runs bash).
 */
export function pinned(): { n8nDefault: string; cache: string; node24Bin: string } {
	if (!pinnedValues) {
		const out = execFileSync(
			'bash',
			['-c', `source "${TOOLKIT}/versions.sh"; echo "$N8N_DEFAULT_VERSION"; masv_e2e_cache; masv_node24_bin`],
			{ encoding: 'utf8' },
		).split('\n');
		pinnedValues = { n8nDefault: out[0], cache: out[1], node24Bin: out[2] };
	}
	return pinnedValues;
}

/** The n8n folder of a version when its install finished, else undefined. */
export function installedN8n(version: string): string | undefined {
	const dir = join(pinned().cache, `n8n-${version}`);
	return existsSync(join(dir, '.installed')) ? dir : undefined;
}

export async function freePort(): Promise<number> {
	return new Promise((done, fail) => {
		const server = createServer();
		server.once('error', fail);
		server.listen(0, '127.0.0.1', () => {
			const address = server.address();
			const port = typeof address === 'object' && address ? address.port : 0;
			server.close(() => done(port));
		});
	});
}

export interface N8nConfig {
	version: string;
	/** The install folder (holds node_modules/n8n). */
	dir: string;
	/** N8N_USER_FOLDER: n8n keeps its DB, config and binary data in `<it>/.n8n`. */
	userFolder: string;
	/** Folder(s) loaded as custom extensions (the built package). */
	extensions: string;
	port: number;
	brokerPort: number;
	encryptionKey: string;
	/** The only folder the Read/Write Files from Disk node may touch. */
	filesDir: string;
	logFile: string;
	extraEnv?: Record<string, string>;
}

/** A fresh configuration: new user folder under `workDir`, new key, free ports. */
export async function freshConfig(version: string, dir: string, workDir: string, extensions: string, port?: number): Promise<N8nConfig> {
	const userFolder = join(workDir, 'n8n-user');
	const filesDir = join(workDir, 'files');
	mkdirSync(userFolder, { recursive: true });
	mkdirSync(filesDir, { recursive: true });
	return {
		version,
		dir,
		userFolder,
		extensions,
		port: port ?? (await freePort()),
		brokerPort: await freePort(),
		encryptionKey: randomBytes(24).toString('hex'),
		filesDir,
		logFile: join(workDir, 'n8n.log'),
	};
}

/** The major version of an n8n version such as 2.40.7. */
export function majorVersion(version: string): number {
	const major = Number(/^(\d+)\./.exec(version)?.[1]);
	if (!Number.isInteger(major)) throw new Error(`not an n8n version: ${version}`);
	return major;
}

/** The environment n8n runs in: offline, quiet, this package loaded, files confined. */
export function n8nEnv(config: N8nConfig, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
	const node24Bin = pinned().node24Bin;
	const env: NodeJS.ProcessEnv = {
		PATH: `${node24Bin}:${process.env.PATH ?? '/usr/bin:/bin'}`,
		HOME: process.env.HOME,
		LANG: process.env.LANG ?? 'C.UTF-8',
		TZ: 'UTC',
		GENERIC_TIMEZONE: 'UTC',
		N8N_USER_FOLDER: config.userFolder,
		N8N_ENCRYPTION_KEY: config.encryptionKey,
		N8N_CUSTOM_EXTENSIONS: config.extensions,
		N8N_PORT: String(config.port),
		N8N_LISTEN_ADDRESS: '127.0.0.1',
		N8N_HOST: 'localhost',
		N8N_PROTOCOL: 'http',
		N8N_EDITOR_BASE_URL: `http://localhost:${config.port}`,
		// The production webhook base URL. n8n 2.x reads N8N_WEBHOOK_URL (@n8n/config) and logs at
		// start-up that WEBHOOK_URL is deprecated; n8n 1.x reads only WEBHOOK_URL (its url.service).
		N8N_WEBHOOK_URL: `http://localhost:${config.port}/`,
		...(majorVersion(config.version) < 2 ? { WEBHOOK_URL: `http://localhost:${config.port}/` } : {}),
		N8N_RUNNERS_BROKER_PORT: String(config.brokerPort),
		N8N_RUNNERS_BROKER_LISTEN_ADDRESS: '127.0.0.1',
		// offline and quiet (n8n-notes §7)
		N8N_DIAGNOSTICS_ENABLED: 'false',
		N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
		N8N_VERSION_NOTIFICATIONS_WHATS_NEW_ENABLED: 'false',
		N8N_TEMPLATES_ENABLED: 'false',
		N8N_DYNAMIC_BANNERS_ENABLED: 'false',
		N8N_HIRING_BANNER_ENABLED: 'false',
		N8N_PERSONALIZATION_ENABLED: 'false',
		N8N_VERIFIED_PACKAGES_ENABLED: 'false',
		N8N_COMMUNITY_PACKAGES_ENABLED: 'false',
		N8N_LICENSE_AUTO_RENEW_ENABLED: 'false',
		N8N_AI_ENABLED: 'false',
		N8N_SECURE_COOKIE: 'false',
		N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS: 'false',
		// files: binary data on disk (a 256 MiB upload stays out of memory); the files node only
		// reaches the run's own folder
		N8N_DEFAULT_BINARY_DATA_MODE: 'filesystem',
		N8N_RESTRICT_FILE_ACCESS_TO: config.filesDir,
		N8N_LOG_LEVEL: process.env.N8N_LOG_LEVEL ?? 'info',
		N8N_LOG_OUTPUT: 'console',
		DB_SQLITE_POOL_SIZE: '2',
		...config.extraEnv,
		...extra,
	};
	return env;
}

export function n8nBin(config: N8nConfig): [string, string] {
	return [join(pinned().node24Bin, 'node'), join(config.dir, 'node_modules/n8n/bin/n8n')];
}

/** Runs one n8n CLI command (each one starts an n8n process: a few seconds). */
export async function n8nCli(config: N8nConfig, args: string[], timeoutMs = 600_000): Promise<RunResult> {
	const [node, bin] = n8nBin(config);
	// A CLI command must not take the server's ports.
	const env = n8nEnv(config, { N8N_PORT: String(await freePort()), N8N_RUNNERS_BROKER_PORT: String(await freePort()) });
	return runCommand(node, [bin, ...args], { env, cwd: config.userFolder, timeoutMs });
}

export async function n8nCliOk(config: N8nConfig, args: string[], timeoutMs?: number): Promise<RunResult> {
	const result = await n8nCli(config, args, timeoutMs);
	if (result.code !== 0) {
		throw new Error(`n8n ${args.join(' ')} exited ${result.code}\n${tail(result.stdout)}\n${tail(result.stderr)}`);
	}
	return result;
}

export function tail(text: string, lines = 40): string {
	return text.split('\n').slice(-lines).join('\n');
}

/** Writes `items` to a JSON file in the user folder and imports it. */
export async function importCredentials(config: N8nConfig, credentials: unknown[]): Promise<void> {
	const file = join(config.userFolder, 'import-credentials.json');
	writeFileSync(file, JSON.stringify(credentials));
	await n8nCliOk(config, ['import:credentials', `--input=${file}`]);
}

/** Imports workflows (objects with an `id`) in one CLI call. */
export async function importWorkflows(config: N8nConfig, workflows: unknown[]): Promise<void> {
	const file = join(config.userFolder, 'import-workflows.json');
	writeFileSync(file, JSON.stringify(workflows));
	await n8nCliOk(config, ['import:workflow', `--input=${file}`]);
}

export interface RunningN8n {
	config: N8nConfig;
	url: string;
	process: Tracked;
	startMs: number;
	stop(): Promise<number>;
}

/** Starts `n8n start` and waits until the editor and the REST API answer. */
export async function startN8n(config: N8nConfig, timeoutMs = 240_000): Promise<RunningN8n> {
	const [node, bin] = n8nBin(config);
	const started = Date.now();
	const proc = startTracked(node, [bin, 'start'], { env: n8nEnv(config), cwd: config.userFolder, logFile: config.logFile });
	const url = `http://localhost:${config.port}`;
	let exitCode: number | undefined;
	void proc.exited.then((code) => {
		exitCode = code;
	});
	const outcome = await untilRestReady(url, { timeoutMs, exited: () => exitCode !== undefined });
	if (outcome === 'exited') {
		throw new Error(`n8n exited (${exitCode}) while starting:\n${tail(readLog(config), 60)}`);
	}
	if (outcome === 'timeout') {
		await proc.stop();
		throw new Error(`n8n did not answer on ${url} within ${timeoutMs / 1000} s:\n${tail(readLog(config), 60)}`);
	}
	return { config, url, process: proc, startMs: Date.now() - started, stop: () => proc.stop() };
}

/**
 * Polls `GET /rest/settings` until it returns n8n's settings as JSON. A 200 alone is not enough:
 * n8n listens before it migrates its database, and meanwhile answers every request with 200 and
 * the text "n8n is starting up. Please wait"; after that, /rest/* answers 404 until the REST
 * controllers are registered. Both 1.x and 2.x do this.
 */
export async function untilRestReady(
	url: string,
	options: { timeoutMs: number; exited?: () => boolean; intervalMs?: number },
): Promise<'ready' | 'exited' | 'timeout'> {
	const started = Date.now();
	for (;;) {
		if (options.exited?.()) return 'exited';
		if (Date.now() - started > options.timeoutMs) return 'timeout';
		try {
			const res = await fetch(`${url}/rest/settings`, { signal: AbortSignal.timeout(3000) });
			const body = await res.text(); // read in any case, so the connection is released
			if (res.ok && isSettings(body)) return 'ready';
		} catch {
			// not listening yet
		}
		await new Promise((r) => setTimeout(r, options.intervalMs ?? 500));
	}
}

function isSettings(body: string): boolean {
	try {
		const parsed = JSON.parse(body) as { data?: unknown };
		return typeof parsed.data === 'object' && parsed.data !== null;
	} catch {
		return false;
	}
}

export function readLog(config: N8nConfig): string {
	try {
		return readFileSync(config.logFile, 'utf8');
	} catch {
		return '';
	}
}

/**
 * Lays the built package out as n8n sees an installed one: `<workDir>/n8n-nodes-masv/` with its
 * package.json and dist/, and `n8n-workflow` resolving to n8n's own copy (the package's peer
 * dependency). Loading dist/ straight from the repo would make the node `require` the repo's
 * devDependency n8n-workflow instead: a second copy of the module, so n8n's
 * `instanceof NodeApiError` fails and MASV errors lose their HTTP status.
 * Returns the folder to put in N8N_CUSTOM_EXTENSIONS. `copyDist: false` leaves dist/ empty for a
 * `tsc --watch --outDir` (npm run dev).
 */
export function stagePackage(n8nDir: string, workDir: string, copyDist = true): string {
	const root = join(workDir, 'n8n-nodes-masv');
	const dist = join(root, 'dist');
	rmSync(root, { recursive: true, force: true });
	mkdirSync(join(root, 'node_modules'), { recursive: true });
	copyFileSync(join(REPO, 'package.json'), join(root, 'package.json'));
	if (copyDist) {
		cpSync(join(REPO, 'dist'), dist, { recursive: true });
	} else {
		mkdirSync(dist, { recursive: true });
		cpSync(join(REPO, 'icons'), join(dist, 'icons'), { recursive: true });
	}
	symlinkSync(join(n8nDir, 'node_modules/n8n-workflow'), join(root, 'node_modules/n8n-workflow'), 'dir');
	return dist;
}
