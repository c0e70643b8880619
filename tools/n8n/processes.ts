// Child processes of an e2e run, dev session or demo: each is started in its own process group
// and the whole group is ended when the run ends, whether it passes, fails, throws or is
// interrupted (SIGINT/SIGTERM). Only the groups started here are ever signalled.
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { createWriteStream } from 'node:fs';

const running = new Set<ChildProcess>();

function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
	if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
	try {
		process.kill(-child.pid, signal);
	} catch {
		// already gone
	}
}

/** What ending the run does besides ending its process groups (see onShutdown). */
export interface Shutdown {
	/** Printed when a signal arrives. */
	notice?: string;
	/** Runs once every process group started here has ended. */
	close?: () => Promise<void>;
	/** The exit code after a signal; by default 130 after SIGINT, 143 after SIGTERM or SIGHUP. */
	exitCode?: number;
}

let shutdown: Shutdown = {};
let ending: Promise<void> | undefined;
let hooked = false;
function hookExit(): void {
	if (hooked) return;
	hooked = true;
	process.on('exit', () => {
		for (const child of running) signalGroup(child, 'SIGKILL');
	});
	for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
		process.once(signal, () => {
			void endRun(shutdown.exitCode ?? (signal === 'SIGINT' ? 130 : 143), shutdown.notice);
		});
	}
}

/**
 * Sets what an interrupted run (SIGINT/SIGTERM/SIGHUP) does: see Shutdown and endRun. Takes
 * effect at once.
 */
export function onShutdown(options: Shutdown): void {
	shutdown = options;
	hookExit();
}

/**
 * The one way a run ends, whether a signal or the run itself asks first (only the first call
 * acts): prints `notice`, ends every process group started here, runs the close set with
 * onShutdown, exits with `code`.
 */
export function endRun(code: number, notice?: string): Promise<void> {
	if (!ending) {
		if (notice) console.log(notice);
		ending = stopAll()
			.then(() => shutdown.close?.())
			.finally(() => process.exit(code));
	}
	return ending;
}

export interface Tracked {
	child: ChildProcess;
	/** Resolves with the exit code (or 128 + signal) when the process ends. */
	exited: Promise<number>;
	/** SIGTERM to the group, SIGKILL after `graceMs`. */
	stop(graceMs?: number): Promise<number>;
}

/**
 * Starts a process in a new process group. Its stdout/stderr go to `logFile` (appended) when given,
 * else they are piped for the caller to read.
 */
export function startTracked(command: string, args: string[], options: SpawnOptions & { logFile?: string } = {}): Tracked {
	hookExit();
	const { logFile, ...spawnOptions } = options;
	const child = spawn(command, args, { ...spawnOptions, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
	running.add(child);
	if (logFile) {
		const log = createWriteStream(logFile, { flags: 'a' });
		child.stdout?.pipe(log);
		child.stderr?.pipe(log);
	}
	const exited = new Promise<number>((resolve) => {
		child.once('error', () => {
			running.delete(child);
			resolve(127);
		});
		child.once('exit', (code, signal) => {
			running.delete(child);
			// The group may still hold grandchildren (n8n's task runner): end them too.
			if (child.pid !== undefined) {
				try {
					process.kill(-child.pid, 'SIGKILL');
				} catch {
					// none left
				}
			}
			const result = code ?? 128 + (signal === 'SIGKILL' ? 9 : signal === 'SIGINT' ? 2 : 15);
			// Resolve once the output is read to its end ('close'), or soon after in any case.
			const late = setTimeout(() => resolve(result), 2000);
			child.once('close', () => {
				clearTimeout(late);
				resolve(result);
			});
		});
	});
	const stop = async (graceMs = 10_000): Promise<number> => {
		signalGroup(child, 'SIGTERM');
		const timer = setTimeout(() => signalGroup(child, 'SIGKILL'), graceMs);
		const code = await exited;
		clearTimeout(timer);
		return code;
	};
	return { child, exited, stop };
}

/** Ends every process group started here. */
export async function stopAll(): Promise<void> {
	const stops = [...running].map(
		(child) =>
			new Promise<void>((resolve) => {
				if (child.exitCode !== null || child.signalCode !== null) return resolve();
				child.once('exit', () => resolve());
				signalGroup(child, 'SIGTERM');
				setTimeout(() => {
					signalGroup(child, 'SIGKILL');
					resolve();
				}, 8000).unref();
			}),
	);
	await Promise.all(stops);
}

export interface RunResult {
	code: number;
	stdout: string;
	stderr: string;
	ms: number;
}

/** Runs a command to its end (in its own group, ended with the run), collecting its output. */
export async function runCommand(command: string, args: string[], options: SpawnOptions & { timeoutMs?: number } = {}): Promise<RunResult> {
	const { timeoutMs = 300_000, ...spawnOptions } = options;
	const started = Date.now();
	const tracked = startTracked(command, args, spawnOptions);
	const out: Buffer[] = [];
	const err: Buffer[] = [];
	tracked.child.stdout?.on('data', (b: Buffer) => out.push(b));
	tracked.child.stderr?.on('data', (b: Buffer) => err.push(b));
	const timer = setTimeout(() => void tracked.stop(2000), timeoutMs);
	const code = await tracked.exited;
	clearTimeout(timer);
	return { code, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8'), ms: Date.now() - started };
}
