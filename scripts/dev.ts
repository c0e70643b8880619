// `npm run dev`: the MASV emulator and an n8n editor on http://localhost:5678 with this package
// loaded and rebuilt on change (tsc --watch into the folder n8n loads, n8n's hot reload with
// N8N_DEV_RELOAD=true), the credential "MASV (local emulator)" and the example workflows imported,
// and an owner account set up, so a developer can sign in and click through at once.
// Runs until Ctrl+C; every process it started is ended then.
import { cpSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';

import { pinned, REPO } from '../tools/n8n/n8n';
import { endRun, onShutdown, startTracked, stopAll } from '../tools/n8n/processes';
import { EXAMPLES_DIR, OWNER, openSession, setupOwner, type Session } from '../tools/n8n/session';
import { readWorkflowDir } from '../tools/n8n/workflows';

const VERSION = process.env.N8N_VERSION || pinned().n8nDefault;
const PORT = Number(process.env.N8N_PORT || 5678);
const EMULATOR_PORT = Number(process.env.MASV_EMULATOR_PORT || 8089);

/** tsc does not copy the codex files (*.node.json): copy them next to the compiled nodes. */
function copyCodexFiles(from: string, to: string): void {
	for (const entry of readdirSync(from)) {
		const path = join(from, entry);
		if (statSync(path).isDirectory()) copyCodexFiles(path, to);
		else if (entry.endsWith('.node.json')) {
			const target = join(to, relative(REPO, path));
			mkdirSync(dirname(target), { recursive: true });
			cpSync(path, target);
		}
	}
}

/** Starts `tsc --watch` into `outDir` and resolves after its first complete build. */
async function startWatchBuild(outDir: string): Promise<void> {
	const tsc = startTracked(process.execPath, [join(REPO, 'node_modules/typescript/bin/tsc'), '-p', join(REPO, 'tsconfig.json'), '--watch', '--preserveWatchOutput', '--incremental', 'false', '--outDir', outDir], { cwd: REPO });
	await new Promise<void>((done, fail) => {
		let first = true;
		tsc.child.stdout?.on('data', (b: Buffer) => {
			const text = b.toString();
			for (const line of text.split('\n')) {
				if (!line.trim()) continue;
				if (/error TS\d+/.test(line) || /Found [1-9]\d* errors?/.test(line) || /File change detected/.test(line)) {
					process.stdout.write(`[tsc] ${line}\n`);
				}
			}
			const found = /Found (\d+) errors?/.exec(text);
			if (found && first) {
				first = false;
				if (found[1] === '0') done();
				else fail(new Error('the first build has TypeScript errors (see above)'));
			} else if (found) {
				process.stdout.write(found[1] === '0' ? '[tsc] rebuilt: n8n reloads the node, refresh the editor\n' : '');
			}
		});
		void tsc.exited.then((code) => fail(new Error(`tsc --watch exited ${code}`)));
	});
}

async function main(): Promise<void> {
	const opened: { session?: Session } = {};
	onShutdown({
		notice: '\nStopping n8n, tsc and the MASV emulator...',
		close: async () => {
			await opened.session?.close();
		},
		exitCode: 0,
	});
	console.log(`Starting the MASV emulator and n8n ${VERSION}...`);
	const session = await openSession({
		version: VERSION,
		workDir: join(REPO, '.test-output/dev'),
		workflows: readWorkflowDir(EXAMPLES_DIR),
		emulatorPort: EMULATOR_PORT,
		n8nPort: PORT,
		watchBuild: true,
		extraEnv: { N8N_DEV_RELOAD: 'true', NODE_ENV: 'development' },
	});
	opened.session = session;
	const dist = session.packageDist;
	// n8n's hot reload looks for a node_modules folder inside each custom extension folder.
	mkdirSync(join(dist, 'node_modules'), { recursive: true });
	copyCodexFiles(join(REPO, 'nodes'), dist);
	await startWatchBuild(dist);
	const server = await session.startServer();
	await setupOwner(server.url);
	const seed = session.emulator.seed;
	console.log(
		[
			'',
			`n8n editor:     ${server.url}  (sign in as ${OWNER.email} / ${OWNER.password})`,
			`MASV emulator:  ${session.emulator.url}  API key ${session.emulator.apiKey}`,
			`                team ${seed.teamId}, portal ${seed.portalId} (${seed.portalSubdomain})`,
			`Credential:     "MASV (local emulator)"; workflows: ${session.workflows.map((w) => `"${w.name}"`).join(', ')}`,
			`Files:          the Read/Write Files node can use ${session.filesDir} (the examples' /tmp/masv-demo)`,
			`n8n log:        ${session.config.logFile}`,
			'Edit nodes/ or credentials/: tsc rebuilds and n8n reloads the node. Ctrl+C stops everything.',
			'',
		].join('\n'),
	);
	const code = await server.process.exited;
	await endRun(code === 0 ? 0 : 1, `n8n exited (${code})`);
}

main().catch(async (error: Error) => {
	console.error(error.message);
	await stopAll();
	process.exit(1);
});
