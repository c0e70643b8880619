// One local n8n session, as the e2e tests, the demo and `npm run dev` use it: the MASV emulator
// (in this process), a pinned n8n with a fresh user folder and the built package loaded, the
// credential "MASV (local emulator)" and the workflows imported.
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';

import { sha256File, startEmulator, type Emulator } from '../emulator';
import { freshConfig, importCredentials, importWorkflows, installedN8n, n8nCli, REPO, stagePackage, startN8n, type N8nConfig, type RunningN8n } from './n8n';
import { emulatorCredential, parseExecuteOutput, prepareWorkflow, type ExecutionResult, type PrepareOptions, type WorkflowFile } from './workflows';

export const EXAMPLES_DIR = join(REPO, 'examples');
export const E2E_WORKFLOWS_DIR = join(REPO, 'test/e2e/workflows');
export const OWNER = { email: 'dev@masv-emulator.test', password: 'MasvDev-2024!', firstName: 'Local', lastName: 'Developer' };

export interface SessionOptions {
	version: string;
	/** Emptied and reused: the run's user folder, files, logs. */
	workDir: string;
	workflows: WorkflowFile[];
	/** Parameter overrides by node name; a function gets the started emulator (for its seed IDs). */
	overrides?: PrepareOptions['overrides'] | ((emulator: Emulator) => PrepareOptions['overrides']);
	emulatorPort?: number;
	n8nPort?: number;
	extraEnv?: Record<string, string>;
	/** More credentials (as for `n8n import:credentials`), imported with the emulator's in one CLI call. */
	credentials?: unknown[];
	/** Leave the staged dist/ empty: the caller builds into `session.packageDist` (tsc --watch). */
	watchBuild?: boolean;
	log?: (line: string) => void;
}

export interface Session {
	emulator: Emulator;
	config: N8nConfig;
	workflows: WorkflowFile[];
	filesDir: string;
	/** The dist/ folder n8n loads the package from. */
	packageDist: string;
	timings: Record<string, number>;
	execute(id: string): Promise<{ code: number; result?: ExecutionResult; stdout: string; stderr: string; ms: number }>;
	startServer(): Promise<RunningN8n>;
	close(): Promise<void>;
}

export async function openSession(options: SessionOptions): Promise<Session> {
	const log = options.log ?? (() => undefined);
	const dir = installedN8n(options.version);
	if (!dir) throw new Error(`n8n ${options.version} is not installed: run scripts/e2e/install-n8n.sh ${options.version}`);
	if (!options.watchBuild && !existsSync(join(REPO, 'dist/nodes/Masv/Masv.node.js'))) throw new Error('dist/ has no built node: run npm run build');

	rmSync(options.workDir, { recursive: true, force: true });
	mkdirSync(options.workDir, { recursive: true });
	const extensions = stagePackage(dir, options.workDir, !options.watchBuild);
	const timings: Record<string, number> = {};
	const time = async <T>(name: string, fn: () => Promise<T>): Promise<T> => {
		const t = Date.now();
		try {
			return await fn();
		} finally {
			timings[name] = (timings[name] ?? 0) + Date.now() - t;
		}
	};

	const emulator = await startEmulator({ dataDir: join(options.workDir, 'emulator'), port: options.emulatorPort });
	let server: RunningN8n | undefined;
	const close = async () => {
		if (server) await server.stop();
		await emulator.close();
	};
	try {
		log(`MASV emulator on ${emulator.url} (team ${emulator.teamId})`);
		const config = await freshConfig(options.version, dir, options.workDir, extensions, options.n8nPort);
		if (options.extraEnv) config.extraEnv = options.extraEnv;
		const filesDir = config.filesDir;
		const overrides = typeof options.overrides === 'function' ? options.overrides(emulator) : options.overrides;
		const workflows = options.workflows.map((w) => prepareWorkflow(w, { teamId: emulator.teamId, filesDir, overrides }));
		await time('importCredentials', () => importCredentials(config, [...emulatorCredential(emulator.url, emulator.apiKey), ...(options.credentials ?? [])]));
		await time('importWorkflows', () => importWorkflows(config, workflows));
		log(`n8n ${options.version}: credential and ${workflows.length} workflows imported`);
		const session: Session = {
			emulator,
			config,
			workflows,
			filesDir,
			packageDist: extensions,
			timings,
			async execute(id) {
				const run = await time(`execute ${id}`, () => n8nCli(config, ['execute', `--id=${id}`, '--rawOutput']));
				return { code: run.code, result: parseExecuteOutput(run.stdout), stdout: run.stdout, stderr: run.stderr, ms: run.ms };
			},
			async startServer() {
				server = await time('startServer', () => startN8n(config));
				return server;
			},
			close,
		};
		return session;
	} catch (error) {
		await close();
		throw error;
	}
}

export { sha256File };

/** Sets up the owner account through the REST API (1.x and 2.x) and returns the auth cookie. */
export async function setupOwner(url: string): Promise<string> {
	const res = await fetch(`${url}/rest/owner/setup`, {
		method: 'POST',
		headers: { 'Content-Type': 'application/json' },
		body: JSON.stringify(OWNER),
	});
	if (!res.ok) throw new Error(`owner setup answered ${res.status}: ${await res.text()}`);
	return login(url);
}

export async function login(url: string): Promise<string> {
	for (const body of [
		{ emailOrLdapLoginId: OWNER.email, password: OWNER.password },
		{ email: OWNER.email, password: OWNER.password },
	]) {
		const res = await fetch(`${url}/rest/login`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
		const cookie = res.headers.getSetCookie().find((c) => c.startsWith('n8n-auth='));
		if (res.ok && cookie) return cookie.split(';')[0].slice('n8n-auth='.length);
	}
	throw new Error('login as the owner failed');
}
