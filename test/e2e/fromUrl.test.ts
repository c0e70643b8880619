// End-to-end: Package → Upload From URL inside a real n8n (2.x; run by scripts/e2e/run.sh), from
// sources that the MASV emulator serves (tools/emulator/sources.ts). 1 GiB from a source that takes
// ranges, byte-exact, with the peak RSS of the `n8n execute` process measured against the same
// process uploading 1 MiB: the difference must stay under the node's memory ceiling (Max Memory,
// 256 MiB by default), since the file never passes through n8n's binary store and the node counts
// the socket reads it cannot free against the ceiling. Also a source without ranges that fails once
// (503) and resets at 50%.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { sourceSha256 } from '../../tools/emulator';
import type { Emulator, SourceSpec } from '../../tools/emulator';
import { SourceRegistry } from '../../tools/emulator/sources';
import { REPO, pinned, tail } from '../../tools/n8n/n8n';
import { openSession, type Session } from '../../tools/n8n/session';
import { nodeItems, type WorkflowFile } from '../../tools/n8n/workflows';

const VERSION = process.env.N8N_VERSION || pinned().n8nDefault;
const OUT = join(REPO, '.test-output/e2e-from-url', `n8n-${VERSION}`);
const MIB = 1024 * 1024;
const GIB = 1024 * MIB;
/** The node's default Max Memory: the ceiling of its part buffers. */
const CEILING = 256 * MIB;
/**
 * n8n 2.x's HTTP helper hides the answers' sockets, so the node cannot free their reads: it keeps
 * 128 MiB of the ceiling for them (transfer/budget.ts, HELD_READS_RESERVE) and sends 16 MiB parts,
 * 8 in flight, in the rest (docs/upload-from-url.md, "Memory").
 */
const PART = 16 * MIB;
const PEAK_FILE = join(OUT, '..', `peak-rss-${VERSION}.txt`);

/** A workflow: Manual Trigger → MASV Upload From URL into a new package of the seed team. */
function workflow(id: string, node: string): WorkflowFile {
	return {
		id,
		name: `e2e: ${node}`,
		nodes: [
			{ id: `${id}-start`, name: 'Start', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [0, 0], parameters: {} },
			{
				id: `${id}-upload`,
				name: node,
				type: 'n8n-nodes-masv.masv',
				typeVersion: 1,
				position: [260, 0],
				parameters: {
					resource: 'package',
					operation: 'uploadFromUrl',
					url: '',
					destination: 'newPackage',
					teamId: { __rl: true, mode: 'list', value: '' },
					name: node,
					options: {},
				},
			},
		],
		connections: { Start: { main: [[{ node, type: 'main', index: 0 }]] } },
		active: false,
		settings: { executionOrder: 'v1' },
	};
}

const CASES: Record<string, { id: string; spec: SourceSpec }> = {
	'Upload 1 MiB from URL': { id: 'masvE2eUrlSmall', spec: { size: MIB, seed: 41, name: 'small.bin' } },
	'Upload 1 GiB from URL': { id: 'masvE2eUrlBig', spec: { size: GIB, seed: 42, name: 'big.bin' } },
	'Upload plain source from URL': {
		id: 'masvE2eUrlPlain',
		spec: { size: 40 * MIB + 3, seed: 43, name: 'plain.bin', ranges: false, failFirst: 1, resetAt: 20 * MIB },
	},
};

let session: Session;
const sources: Record<string, string> = {};

/** The peak RSS of the last `n8n execute` process that exited. */
function lastExecutePeak(): number {
	const lines = readFileSync(PEAK_FILE, 'utf8').trim().split('\n').filter((line) => / execute /.test(` ${line} `));
	const last = lines[lines.length - 1];
	assert.ok(last, `no n8n execute in ${PEAK_FILE}`);
	return Number(last.split(' ')[1]);
}

describe(`MASV Upload From URL in n8n ${VERSION}`, () => {
	before(async () => {
		if (existsSync(PEAK_FILE)) rmSync(PEAK_FILE);
		session = await openSession({
			version: VERSION,
			workDir: OUT,
			workflows: Object.entries(CASES).map(([node, { id }]) => workflow(id, node)),
			overrides: (emulator: Emulator) =>
				Object.fromEntries(
					Object.entries(CASES).map(([node, { spec }]) => {
						const source = emulator.core.sources.add(spec);
						sources[node] = source.id;
						return [node, { url: `${emulator.storageUrl}${SourceRegistry.path(source)}` }];
					}),
				),
			extraEnv: { NODE_OPTIONS: `--require ${join(REPO, 'test/e2e/peak-rss.cjs')}`, MASV_PEAK_RSS_FILE: PEAK_FILE },
			log: (line) => console.log(`# ${line}`),
		});
	});

	after(async () => {
		await session?.close();
	});

	async function upload(node: string) {
		const run = await session.execute(CASES[node].id);
		assert.equal(run.code, 0, tail(run.stdout + run.stderr, 80));
		assert.ok(run.result, 'execute printed no run data');
		const [item] = nodeItems(run.result, node);
		const pkg = item.json.package as { id: string; state: string };
		assert.equal(pkg.state, 'finalized');
		const stored = (await session.emulator.files()).filter((file) => file.packageId === pkg.id);
		const { spec } = CASES[node];
		assert.deepEqual(
			stored.map((file) => [file.name, file.size, file.sha256]),
			[[spec.name, spec.size, await sourceSha256(spec.seed ?? 1, spec.size)]],
			'MASV holds other bytes than the source',
		);
		const source = session.emulator.core.sources.get(sources[node]);
		for (const request of source?.requests ?? []) {
			const names = Object.keys(request.headers).map((name) => name.toLowerCase());
			assert.ok(!names.includes('authorization') && !names.includes('x-api-key') && !names.includes('x-package-token'), 'a credential went to the source');
		}
		return { run, source, peak: lastExecutePeak() };
	}

	it('uploads 1 GiB from a URL byte for byte, n8n growing by less than the memory ceiling over a 1 MiB upload', async () => {
		const small = await upload('Upload 1 MiB from URL');
		const big = await upload('Upload 1 GiB from URL');
		const seconds = big.run.ms / 1000;
		console.log(
			`# 1 GiB from URL: n8n execute ${seconds.toFixed(1)} s (start-up included); peak RSS ${(big.peak / MIB).toFixed(0)} MiB, with 1 MiB ${(small.peak / MIB).toFixed(0)} MiB, difference ${((big.peak - small.peak) / MIB).toFixed(0)} MiB (ceiling ${CEILING / MIB} MiB)`,
		);
		assert.ok(big.peak > 0 && small.peak > 0, 'peak RSS not measured');
		assert.ok(
			big.peak - small.peak < CEILING,
			`n8n grew by ${((big.peak - small.peak) / MIB).toFixed(0)} MiB for 1 GiB, above the ${CEILING / MIB} MiB ceiling`,
		);
		// Read by range: the check, then one GET per part (and nothing else).
		assert.equal(big.source?.requests.filter((request) => /^bytes=\d+-\d+$/.test(request.range ?? '')).length, 1 + GIB / PART);
	});

	it('uploads from a source without ranges that fails once and resets at 50%, byte for byte', async () => {
		const plain = await upload('Upload plain source from URL');
		assert.deepEqual(
			plain.source?.requests.map((request) => [request.status, request.reset ?? false]),
			[
				[503, false],
				[200, false],
				[200, true],
				[200, false],
			],
		);
	});
});
