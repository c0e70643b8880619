// End-to-end: both MASV triggers in a running n8n (`n8n start`, workflows published with
// `n8n publish:workflow`), against the MASV emulator. Run by scripts/e2e/run.sh for the pinned
// n8n 2.x only: polling is at most once a minute, so this takes minutes of wall time.
//
// Each workflow records what its trigger put out with a second node that creates a MASV tag named
// after the package (and event), so the emulator's request log shows every item of every execution.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { readFileSync } from 'node:fs';

import { REPO, n8nCliOk, pinned, readLog, tail, type RunningN8n } from '../../tools/n8n/n8n';
import { login, openSession, setupOwner, type Session } from '../../tools/n8n/session';
import { readWorkflowDir } from '../../tools/n8n/workflows';

const VERSION = process.env.N8N_VERSION || pinned().n8nDefault;
const OUT = join(REPO, '.test-output/e2e-triggers', `n8n-${VERSION}`);
const WORKFLOWS = join(REPO, 'test/e2e/trigger-workflows');
const WEBHOOK_WORKFLOW = 'masvE2eWebhookTrigger';
const POLL_WORKFLOW = 'masvE2ePollTrigger';

let session: Session;
let server: RunningN8n;
let url = '';
let cookie = '';
const started = Date.now();
const timings: Record<string, number> = {};
const mark = (name: string, since: number) => {
	timings[name] = Date.now() - since;
};

/** The names of the tags the workflows created: one per item a trigger put out. */
function recorded(prefix: string): string[] {
	return session.emulator
		.requests({ kind: 'api', method: 'POST', path: `/v1/teams/${session.emulator.teamId}/tags` })
		.map((request) => String((request.body as { name?: unknown } | undefined)?.name ?? ''))
		.filter((name) => name.startsWith(`${prefix} `));
}

async function until<T>(what: string, check: () => T | undefined | false, timeoutMs: number): Promise<T> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const result = check();
		if (result) return result;
		if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\n${tail(readLog(session.config), 40)}`);
		await new Promise((resolve) => setTimeout(resolve, 500));
	}
}

async function rest(method: string, path: string, body?: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
	const res = await fetch(`${url}/rest${path}`, {
		method,
		headers: { 'Content-Type': 'application/json', Cookie: `n8n-auth=${cookie}` },
		body: body === undefined ? undefined : JSON.stringify(body),
	});
	const text = await res.text();
	let json: Record<string, unknown> = {};
	try {
		json = text ? (JSON.parse(text) as Record<string, unknown>) : {};
	} catch {
		json = { text };
	}
	return { status: res.status, json };
}

/** Executions n8n holds for a workflow (REST list, the owner's session). */
async function executions(workflowId: string): Promise<Array<{ id: string; status: string }>> {
	const filter = encodeURIComponent(JSON.stringify({ workflowId }));
	const { status, json } = await rest('GET', `/executions?filter=${filter}&limit=100`);
	assert.equal(status, 200, JSON.stringify(json));
	const data = json.data as { results?: Array<{ id: string; status: string }> } | undefined;
	return data?.results ?? [];
}

const uploadToPortal = async (name: string): Promise<string> => {
	const res = await fetch(`${session.emulator.url}/v1/portals/${session.emulator.seed.portalId}/packages`, {
		method: 'POST',
		headers: { 'Content-Type': 'application/json' },
		body: JSON.stringify({ name, sender: 'editor@example.com' }),
	});
	const text = await res.text();
	assert.equal(res.status, 201, text);
	return String((JSON.parse(text) as { id: string }).id);
};

const createTeamPackage = async (name: string): Promise<string> => {
	const res = await fetch(`${session.emulator.url}/v1/teams/${session.emulator.teamId}/packages`, {
		method: 'POST',
		headers: { 'Content-Type': 'application/json', 'X-API-KEY': session.emulator.apiKey },
		body: JSON.stringify({ name }),
	});
	const text = await res.text();
	assert.equal(res.status, 201, text);
	return String((JSON.parse(text) as { id: string }).id);
};

/** Finalized as after MASV's finalize call: the emulator sends `package.finalized` to attached webhooks. */
const finalize = (id: string) => session.emulator.core.forceFinalize(session.emulator.core.state.packages.get(id)!);

/** The webhook trigger's static data as n8n saved it in its database (`n8n export:workflow`). */
async function savedStaticData(): Promise<Record<string, unknown>> {
	const file = join(OUT, 'export-webhook-workflow.json');
	await n8nCliOk(session.config, ['export:workflow', `--id=${WEBHOOK_WORKFLOW}`, `--output=${file}`]);
	const exported = JSON.parse(readFileSync(file, 'utf8')) as Array<{ staticData?: unknown }> | { staticData?: unknown };
	const workflow = Array.isArray(exported) ? exported[0] : exported;
	const staticData = typeof workflow.staticData === 'string' ? (JSON.parse(workflow.staticData) as unknown) : workflow.staticData;
	return (staticData ?? {}) as Record<string, unknown>;
}

describe(`MASV triggers in a running n8n ${VERSION}`, () => {
	/** Team packages uploading before n8n starts; the poller finalizes them later. */
	const early: string[] = [];
	/** The webhook deliveries (event IDs) taken before the restart. */
	let takenBefore: string[] = [];

	before(async () => {
		let t = Date.now();
		session = await openSession({
			version: VERSION,
			workDir: OUT,
			workflows: readWorkflowDir(WORKFLOWS),
			overrides: (emulator) => ({ 'MASV Webhook Trigger': { portalIds: [emulator.seed.portalId] } }),
			log: (line) => console.log(`# ${line}`),
		});
		for (const id of [WEBHOOK_WORKFLOW, POLL_WORKFLOW]) await n8nCliOk(session.config, ['publish:workflow', `--id=${id}`]);
		mark('setup', t);
		early.push(await createTeamPackage('poll: uploading before n8n starts 1'), await createTeamPackage('poll: uploading before n8n starts 2'));
		t = Date.now();
		server = await session.startServer();
		url = server.url;
		mark('n8n start', t);
		cookie = await setupOwner(url);
		// n8n 2.40 activates published workflows after it is ready (its publication service, at
		// start-up): wait for the webhook registration and for the poller's first poll.
		t = Date.now();
		const { emulator } = session;
		await until('the webhook registration', () => emulator.core.state.webhooks.size > 0, 90_000);
		await until(
			'the first poll',
			() => emulator.requests({ kind: 'api', method: 'GET', path: `/v1.1/teams/${emulator.teamId}/packages` }).some((r) => r.query.status === 'finalized'),
			90_000,
		);
		await until('the webhook attached to the portal', () => (emulator.core.state.portals.get(emulator.seed.portalId)?.data.custom_webhooks as unknown[]).length > 0, 30_000);
		mark('activation', t);
	});

	after(async () => {
		timings.total = Date.now() - started;
		console.log(`# trigger e2e timings (ms): ${JSON.stringify({ ...session?.timings, ...timings })}`);
		await session?.close();
	});

	it('the webhook trigger registered its MASV webhook at n8n\'s production URL and attached it to the portal', () => {
		const hooks = [...session.emulator.core.state.webhooks.values()];
		assert.equal(hooks.length, 1, JSON.stringify(hooks));
		assert.equal(hooks[0].data.url, `${url}/webhook/2f6a1c9e-4b7d-4e1a-9c3b-8d5e7f0a1b2c/webhook`);
		const portal = session.emulator.core.state.portals.get(session.emulator.seed.portalId)!;
		assert.deepEqual(
			(portal.data.custom_webhooks as Array<{ id: string }>).map((w) => w.id),
			[hooks[0].id],
		);
	});

	it('each package finalized on the portal starts exactly one execution, a duplicate delivery included', async () => {
		const t = Date.now();
		// Every attempt arrives twice at the same moment; one event is sent again later.
		session.emulator.admin.setConfig({ webhookCopies: 2 });
		const packages = [await uploadToPortal('webhook 1'), await uploadToPortal('webhook 2'), await uploadToPortal('webhook 3')];
		for (const id of packages) finalize(id);
		await session.emulator.admin.idle();
		session.emulator.admin.setConfig({ webhookCopies: 1 });
		const deliveries = session.emulator.admin.webhookDeliveries();
		assert.equal(deliveries.length, 3);
		takenBefore = deliveries.map((d) => d.id);
		await session.emulator.admin.redeliverWebhook(deliveries[0].id);
		for (const delivery of deliveries) assert.ok(delivery.statuses.every((s) => s === 200), JSON.stringify(delivery.statuses));

		await until('three executions recorded', () => recorded('webhook').length >= 3, 60_000);
		await new Promise((resolve) => setTimeout(resolve, 3000)); // room for a repeat to show up
		const names = recorded('webhook');
		assert.deepEqual(
			[...names].sort(),
			packages.map((id) => `webhook ${id} ${deliveries.find((d) => (d.body.object as { id: string }).id === id)!.id}`).sort(),
		);
		const runs = await executions(WEBHOOK_WORKFLOW);
		assert.equal(runs.length, 3, JSON.stringify(runs));
		assert.ok(runs.every((run) => run.status === 'success'), JSON.stringify(runs));
		mark('webhook deliveries', t);
	});

	it('after a restart of n8n the same webhook still starts one execution per package, an event taken before the restart and sent again after it starts none; no second webhook is registered', async () => {
		const t = Date.now();
		const before = [...session.emulator.core.state.webhooks.keys()];
		await server.stop();
		// What n8n saved: the registration and the event IDs taken (the executions wrote them).
		const saved = (await savedStaticData())['node:MASV Webhook Trigger'] as Record<string, unknown> | undefined;
		assert.ok(saved?.webhookId && saved.secret, JSON.stringify(saved));
		assert.deepEqual(Object.keys((saved.events ?? {}) as object).sort(), [...takenBefore].sort(), JSON.stringify(saved));
		session.emulator.resetRequests();
		server = await session.startServer();
		cookie = await login(url);
		// The workflows are active again once the poller polls.
		await until('the first poll after the restart', () => session.emulator.requests({ kind: 'api', method: 'GET', path: `/v1.1/teams/${session.emulator.teamId}/packages` }).length > 0, 90_000);
		const id = await uploadToPortal('webhook after restart');
		finalize(id);
		await session.emulator.admin.idle();
		await until('the execution after the restart', () => recorded('webhook').some((name) => name.startsWith(`webhook ${id} `)), 30_000);
		// MASV sends an event taken before the restart again (its earlier attempt's answer was lost).
		const again = await session.emulator.admin.redeliverWebhook(takenBefore[1]);
		assert.equal(again.statuses.at(-1), 200, JSON.stringify(again));
		await new Promise((resolve) => setTimeout(resolve, 3000)); // room for a repeat to show up
		assert.equal(recorded('webhook').filter((name) => name.startsWith(`webhook ${id} `)).length, 1);
		assert.deepEqual(recorded('webhook').filter((name) => name.endsWith(` ${takenBefore[1]}`)), [], 'the event taken before the restart started no execution after it');
		const runs = await executions(WEBHOOK_WORKFLOW);
		assert.equal(runs.length, 4, JSON.stringify(runs));
		assert.deepEqual([...session.emulator.core.state.webhooks.keys()], before);
		assert.deepEqual(session.emulator.requests({ kind: 'api', method: 'POST', path: /custom_webhooks/ }), []);
		assert.deepEqual(session.emulator.requests({ kind: 'api', method: 'PUT' }), []);
		mark('restart', t);
	});

	it('unpublishing the webhook workflow detaches and deletes its MASV webhook', async () => {
		const t = Date.now();
		const { status, json } = await rest('POST', `/workflows/${WEBHOOK_WORKFLOW}/deactivate`, {});
		assert.equal(status, 200, JSON.stringify(json));
		// n8n 2.40 takes the triggers down through its publication service, just after it answers.
		await until('the webhook removal', () => session.emulator.core.state.webhooks.size === 0, 30_000);
		const deletes = session.emulator.requests({ kind: 'api', method: 'DELETE', path: /^\/v1\/custom_webhooks\// });
		assert.equal(deletes.length, 1);
		assert.equal(deletes[0].status, 204);
		const portal = session.emulator.core.state.portals.get(session.emulator.seed.portalId)!;
		assert.deepEqual(portal.data.custom_webhooks, []);
		const detach = session.emulator.requests({ kind: 'api', method: 'PUT', path: `/v1/portals/${portal.id}` }).at(-1);
		assert.deepEqual(detach?.body, { name: portal.data.name, subdomain: portal.data.subdomain, custom_webhooks: [] });
		mark('unpublish', t);
	});

	it('the polling trigger on everyMinute puts out each of 5 packages finalized while it runs in exactly one item', async () => {
		const t = Date.now();
		// Two uploads that started before n8n did finish now, with a new one; two more come after
		// the next poll, one of them started before it.
		finalize(early[0]);
		finalize(early[1]);
		const third = await createTeamPackage('poll: 3');
		finalize(third);
		const fourth = await createTeamPackage('poll: 4 (uploading across a poll)');
		const firstWave = [early[0], early[1], third];
		await until('the first poll after the finalizations', () => firstWave.every((id) => recorded('poll').includes(`poll ${id}`)), 100_000);
		finalize(fourth);
		const fifth = await createTeamPackage('poll: 5');
		finalize(fifth);
		const all = [...firstWave, fourth, fifth];
		await until('the second poll', () => all.every((id) => recorded('poll').includes(`poll ${id}`)), 100_000);
		assert.deepEqual([...recorded('poll')].sort(), all.map((id) => `poll ${id}`).sort());
		mark('polling', t);
	});
});
