// `npm run bench:gc -- FILE`: the slow garbage-collector regime of the node's uploads, without n8n.
//
// A process with a JS heap of about n8n's size (~40 MB) reads FILE the way the node must read a
// binary from n8n's store (`getBinaryStream`, i.e. fs.createReadStream: a fresh 1 MiB buffer per
// chunk), copies it into 5 reused 16 MiB part buffers and holds each part for PART_HOLD_MS (a PUT).
// Then the same with each chunk freed as soon as it is copied (the node's `freeChunk`, what the node
// does since), and with the part buffers filled by reads into them (no fresh memory per chunk), which
// no n8n helper offers. Each is run as is and after one full collection forced a second in (as when
// n8n's process collects during an upload). Prints full collections and CPU time per run.
//
// Why: V8 counts the external memory allocated since the last full collection against the
// old-generation limit, and after a full collection mid-upload that limit is derived from the
// ~40 MB heap (about 1.6 times it). Fresh read buffers then use up the headroom every few dozen MiB.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { constants as perfConstants, PerformanceObserver } from 'node:perf_hooks';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

import { freeChunk } from '../../nodes/Masv/transfer/parts';

const MIB = 1024 * 1024;
const PART = 16 * MIB;
const HOLD_MS = Number(process.env.PART_HOLD_MS ?? 100);

type How = 'stream' | 'freed' | 'reused';

async function read(file: string, how: How, forceFullGc: boolean): Promise<void> {
	const ballast: unknown[] = [];
	for (let i = 0; i < 380_000; i++) ballast.push({ i, s: `x${i}`, a: [i] });
	let major = 0;
	new PerformanceObserver((list) => {
		for (const entry of list.getEntries()) {
			if ((entry as unknown as { detail?: { kind?: number } }).detail?.kind === perfConstants.NODE_PERFORMANCE_GC_MAJOR) major++;
		}
	}).observe({ entryTypes: ['gc'] });
	const pool: Array<Buffer<ArrayBuffer>> = Array.from({ length: 5 }, () => Buffer.allocUnsafeSlow(PART));
	const started = Date.now();
	const cpu = process.cpuUsage();
	if (forceFullGc) {
		setTimeout(() => {
			setFlagsFromString('--expose-gc');
			(runInNewContext('gc') as () => void)();
		}, 1000);
	}
	const inFlight = new Set<Promise<void>>();
	const send = async (part: Buffer<ArrayBuffer>) => {
		const done: Promise<void> = new Promise<void>((resolve) => setTimeout(resolve, HOLD_MS)).then(() => {
			pool.push(part);
			inFlight.delete(done);
		});
		inFlight.add(done);
		while (pool.length === 0) await Promise.race(inFlight);
	};
	let freed = 0;
	if (how !== 'reused') {
		let part = pool.pop() as Buffer<ArrayBuffer>;
		let filled = 0;
		for await (const chunk of fs.createReadStream(file, { highWaterMark: MIB }) as AsyncIterable<Buffer>) {
			chunk.copy(part, filled);
			filled += chunk.length;
			if (how === 'freed' && freeChunk(chunk, MIB)) freed++;
			if (filled === PART) {
				await send(part);
				part = pool.pop() as Buffer<ArrayBuffer>;
				filled = 0;
			}
		}
	} else {
		const handle = await fs.promises.open(file);
		const { size } = await handle.stat();
		for (let position = 0; position < size; position += PART) {
			const part = pool.pop() as Buffer<ArrayBuffer>;
			await handle.read(part, 0, Math.min(PART, size - position), position);
			await send(part);
		}
		await handle.close();
	}
	await Promise.all(inFlight);
	const used = process.cpuUsage(cpu);
	const labels: Record<How, string> = {
		stream: 'fresh 1 MiB chunks',
		freed: `fresh 1 MiB chunks, each freed once copied (${freed} freed)`,
		reused: 'reads into reused buffers',
	};
	const label = `${labels[how]}${forceFullGc ? ', one full GC at 1 s' : ''}`;
	process.stdout.write(
		`${process.version} ${label}: ${((Date.now() - started) / 1000).toFixed(1)} s, user CPU ${(used.user / 1e6).toFixed(2)} s, full GCs ${major}, heap ${(process.memoryUsage().heapUsed / MIB).toFixed(0)} MB${ballast.length ? '' : ''}\n`,
	);
}

async function main(): Promise<void> {
	const [file, how, force] = process.argv.slice(2);
	if (!file) throw new Error('usage: gcRegime.js FILE');
	if (how) return await read(file, how as How, force === 'force');
	// Each case in a fresh process, so that none inherits another's heap limits.
	for (const mode of ['stream', 'freed', 'reused']) {
		for (const forced of ['', 'force']) {
			spawnSync(process.execPath, [__filename, file, mode, forced], { stdio: 'inherit' });
		}
	}
}

main().catch((error: Error) => {
	process.stderr.write(`${error.stack ?? error.message}\n`);
	process.exit(1);
});
