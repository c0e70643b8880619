// End-to-end: routed reads (Team, Package, Portal, Teamspace, Tag, Activity and Integration lists,
// Package → Get) in a running n8n 2.x, started through a Webhook node whose answer comes when the
// execution ends, while the MASV emulator injects faults: 502, 429 with Retry-After, a reset, a
// hang and a lost reply, one at a time; then a two-minute API outage (502, then refused
// connections) with a workflow started every 20 s during it. Every run must succeed, with the
// node's default settings (5 min retry window, 60 s stall timeout). Run by scripts/e2e/run.sh for
// the pinned n8n 2.x only: about 5 minutes, most of it the outage and the hang. The figures go to
// docs/reliability.md ("Routed calls in a real n8n").
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import type { FaultSpec } from '../../tools/emulator/faults';
import { REPO, n8nCliOk, pinned, type RunningN8n } from '../../tools/n8n/n8n';
import { callWebhook, N8nRest, type WebhookRun } from '../../tools/n8n/server';
import { openSession, setupOwner, type Session } from '../../tools/n8n/session';
import { readWorkflowDir } from '../../tools/n8n/workflows';

const VERSION = process.env.N8N_VERSION || pinned().n8nDefault;
const OUT = join(REPO, '.test-output/e2e-badday', `n8n-${VERSION}`);
const WORKFLOW = 'masvBaddayReads';
const PATH = 'masv-badday-reads';
/** The node's default retry window: a run must end within it after its first failure. */
const RETRY_WINDOW_MS = 5 * 60_000;
/** No run may take longer than this (the hang: 60 s stall, then the retry). */
const RUN_LIMIT_MS = 8 * 60_000;
const OUTAGE_MS = 120_000;

let session: Session;
let server: RunningN8n;
let rest: N8nRest;
let packageId = '';
const figures: string[] = [];

const run = () => callWebhook(server.url, PATH, {}, RUN_LIMIT_MS);

function assertSucceeded(result: WebhookRun, what: string): void {
	assert.equal(result.timedOut, false, `${what}: no answer within ${RUN_LIMIT_MS / 1000} s`);
	assert.equal(result.status, 200, `${what}: ${JSON.stringify(result.body)} ${result.error ?? ''}`);
	assert.equal((result.body as { id?: unknown } | undefined)?.id, packageId, `${what}: ${JSON.stringify(result.body)}`);
}

describe(`routed reads through a bad day in a running n8n ${VERSION}`, () => {
	before(async () => {
		session = await openSession({
			version: VERSION,
			workDir: OUT,
			workflows: readWorkflowDir(join(REPO, 'test/e2e/badday-workflows')),
			overrides: (emulator) => {
				packageId = emulator.core.createPackage({ teamId: emulator.teamId, name: 'bad day: read by Get package', sender: 'editor@example.com' }).id;
				return { 'Get package': { packageId: { __rl: true, mode: 'id', value: packageId } } };
			},
			log: (line) => console.log(`# ${line}`),
		});
		await n8nCliOk(session.config, ['publish:workflow', `--id=${WORKFLOW}`]);
		server = await session.startServer();
		rest = new N8nRest(server.url, await setupOwner(server.url));
		// n8n 2.40 registers the webhooks of published workflows just after it is ready.
		const deadline = Date.now() + 90_000;
		for (;;) {
			const probe = await run();
			if (probe.status === 200) break;
			if (Date.now() > deadline) throw new Error(`the reads workflow never answered: ${probe.status} ${JSON.stringify(probe.body)}`);
			await new Promise((resolve) => setTimeout(resolve, 1000));
		}
	});

	after(async () => {
		console.log(`# bad-day figures:\n${figures.map((f) => `#   ${f}`).join('\n')}`);
		await session?.close();
	});

	it('every routed read of the workflow runs through 502, 429 with Retry-After, a reset, a hang and a lost reply, each met once; every run succeeds', async () => {
		const { emulator } = session;
		const baseline = await run();
		assertSucceeded(baseline, 'the run without faults');
		figures.push(`no fault: ${(baseline.ms / 1000).toFixed(1)} s`);
		const team = emulator.teamId;
		const cases: Array<{ name: string; spec: FaultSpec }> = [
			{ name: '502 ×2 on List teams', spec: { target: 'api', type: 'status', status: 502, method: 'GET', path: '^/v1/teams$', times: 2 } },
			{ name: '429 Retry-After 3 s on List packages', spec: { target: 'api', type: 'rateLimit', retryAfter: 3, method: 'GET', path: `^/v1.1/teams/${team}/packages$` } },
			{ name: 'reset on List portals', spec: { target: 'api', type: 'reset', method: 'GET', path: `^/v1.1/teams/${team}/portals$` } },
			{ name: 'lost reply on List Teamspaces', spec: { target: 'api', type: 'dropReply', method: 'GET', path: `^/v1.1/teams/${team}/spaces$` } },
			{ name: '503 Retry-After 2 s on List tags', spec: { target: 'api', type: 'status', status: 503, retryAfter: 2, method: 'GET', path: `^/v1/teams/${team}/tags$` } },
			{ name: 'refused connection on List activity', spec: { target: 'api', type: 'refuse', method: 'GET', path: `^/v1.1/teams/${team}/activities$` } },
			{ name: 'reset ×2 on List integrations', spec: { target: 'api', type: 'reset', method: 'GET', path: `^/v1/teams/${team}/cloud_connections$`, times: 2 } },
			{ name: 'hang (never answered) on Get package', spec: { target: 'api', type: 'hang', method: 'GET', path: `/packages/${packageId}$` } },
		];
		for (const { name, spec } of cases) {
			const fault = emulator.faults.add(spec);
			const result = await run();
			assertSucceeded(result, name);
			assert.equal(fault.remaining, 0, `${name}: the fault did not fire (${fault.fired} times)`);
			figures.push(`${name}: succeeded in ${(result.ms / 1000).toFixed(1)} s`);
		}
		// The hang cost the stall timeout (60 s by default) and no more than a retry after it.
		const hang = figures.at(-1)!;
		const hangSeconds = Number(/in ([\d.]+) s/.exec(hang)?.[1]);
		assert.ok(hangSeconds >= 60 && hangSeconds < 60 + 5 + 25 + baseline.ms / 1000 + 10, hang);
		const failed = (await rest.executions(WORKFLOW)).filter((e) => e.status !== 'success');
		assert.deepEqual(failed, []);
	});

	it('a two-minute API outage (502, then refused connections): every run started during it succeeds after it ends, within the retry window', async () => {
		const { emulator } = session;
		emulator.resetRequests();
		const started = Date.now();
		// 502 for the first minute, refused connections for the second.
		const bad = emulator.faults.add({ target: 'api', type: 'status', status: 502, method: '*', times: -1 });
		let refused = '';
		const switchOver = setTimeout(() => {
			refused = emulator.faults.add({ target: 'api', type: 'refuse', method: '*', times: -1 }).id;
			emulator.faults.remove(bad.id);
		}, OUTAGE_MS / 2);
		let endedAt = 0;
		const end = new Promise<void>((resolve) =>
			setTimeout(() => {
				emulator.faults.remove(refused);
				endedAt = Date.now();
				resolve();
			}, OUTAGE_MS),
		);
		const runs: Array<Promise<{ at: number; result: WebhookRun }>> = [];
		for (let at = 0; at < OUTAGE_MS; at += 20_000) {
			runs.push(
				new Promise((resolve) => setTimeout(resolve, at)).then(async () => {
					const t = Date.now() - started;
					return { at: t, result: await run() };
				}),
			);
		}
		const results = await Promise.all(runs);
		await end;
		clearTimeout(switchOver);
		const faulted = emulator.requests({ kind: 'api' }).filter((r) => r.fault !== undefined).length;
		const outageEnd = endedAt - started;
		for (const { at, result } of results) {
			assertSucceeded(result, `the run started ${at / 1000} s into the outage`);
			const finished = at + result.ms;
			assert.ok(finished >= outageEnd, `the run started at ${at} ms ended at ${finished} ms, before the outage ended at ${outageEnd} ms`);
			assert.ok(result.ms < RETRY_WINDOW_MS + 60_000, `the run started at ${at} ms took ${result.ms} ms`);
			figures.push(`outage: run started at ${(at / 1000).toFixed(0)} s succeeded at ${(finished / 1000).toFixed(1)} s (${((finished - outageEnd) / 1000).toFixed(1)} s after the outage ended)`);
		}
		figures.push(`outage: ${faulted} API requests failed during it`);
		assert.ok(faulted > results.length, `only ${faulted} requests met the outage`);
		const failed = (await rest.executions(WORKFLOW)).filter((e) => e.status !== 'success');
		assert.deepEqual(failed, []);
	});
});
