// `npm run soak` (not part of npm test): mixed workflows in a running n8n (`n8n start`) against the
// MASV emulator, which injects random faults of every kind, for SOAK_MINUTES (default 30), with the
// node's default retry settings. Seeded (SOAK_SEED): the same seed gives the same faults, workflow
// mix and file sizes in the same order (the timing of a real n8n still varies).
//
// Workflows: routed reads (test/e2e/badday-workflows/badday-reads.json), a round trip (upload a
// generated file, finalize, link, download through the link, write it), a tag create, the MASV
// Webhook Trigger (packages finalized on a portal) and the polling MASV Trigger (team packages
// finalized). The triggers' workflows report each item to a small HTTP sink of this script.
//
// Prints: executions by workflow and outcome, faults fired by kind, packages finalized (each
// exactly once, from the emulator's request log and state), bytes checked (every download
// compared with its source), hangs (runs that did not end within SOAK_HANG_MINUTES, default 15),
// and every failure with its error. Exits 1 when a check fails; a failure that the node's policy
// says must fail (a create not repeated after a doubt) is listed, not counted as a defect.
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';

import type { FaultSpec } from '../tools/emulator/faults';
import { n8nCliOk, pinned, REPO } from '../tools/n8n/n8n';
import { callWebhook, N8nRest, type WebhookRun } from '../tools/n8n/server';
import { openSession, setupOwner, type Session } from '../tools/n8n/session';
import { readWorkflow, readWorkflowDir, type WorkflowFile } from '../tools/n8n/workflows';

const VERSION = process.env.N8N_VERSION || pinned().n8nDefault;
const MINUTES = Number(process.env.SOAK_MINUTES ?? 30);
const SEED = Number(process.env.SOAK_SEED ?? 20261206);
const LANES = Number(process.env.SOAK_LANES ?? 3);
const HANG_MS = Number(process.env.SOAK_HANG_MINUTES ?? 15) * 60_000;
const WORK_DIR = join(REPO, '.test-output/soak');
const MiB = 1024 * 1024;

/** mulberry32: a small seeded generator, so that a run can be repeated. */
function generator(seed: number): () => number {
	let a = seed >>> 0;
	return () => {
		a = (a + 0x6d2b79f5) >>> 0;
		let t = a;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}
const random = generator(SEED);
const between = (low: number, high: number) => low + Math.floor(random() * (high - low + 1));
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// ---- the faults --------------------------------------------------------------------------------

interface FaultKind {
	name: string;
	spec: () => FaultSpec;
	weight: number;
}

/** Every kind of fault the emulator injects, API and storage. */
const FAULT_KINDS: FaultKind[] = [
	{ name: 'api 502', weight: 4, spec: () => ({ target: 'api', type: 'status', status: 502 }) },
	{ name: 'api 500', weight: 2, spec: () => ({ target: 'api', type: 'status', status: 500 }) },
	{ name: 'api 503', weight: 2, spec: () => ({ target: 'api', type: 'status', status: 503 }) },
	{ name: 'api 429 Retry-After', weight: 3, spec: () => ({ target: 'api', type: 'rateLimit', retryAfter: between(1, 5) }) },
	{ name: 'api reset', weight: 3, spec: () => ({ target: 'api', type: 'reset' }) },
	{ name: 'api refused', weight: 2, spec: () => ({ target: 'api', type: 'refuse' }) },
	{ name: 'api hang', weight: 1, spec: () => ({ target: 'api', type: 'hang' }) },
	{ name: 'api lost reply', weight: 3, spec: () => ({ target: 'api', type: 'dropReply' }) },
	{ name: 'api slow (2-8 s)', weight: 1, spec: () => ({ target: 'api', type: 'delay', delayMs: between(2000, 8000) }) },
	{ name: 'api outage (15-45 s, 502)', weight: 1, spec: () => ({ target: 'api', type: 'status', status: 502, times: -1, forMs: between(15, 45) * 1000 }) },
	{ name: 'storage PUT 503 SlowDown', weight: 2, spec: () => ({ target: 'storage', type: 'status', status: 503, retryAfter: between(1, 3) }) },
	{ name: 'storage PUT 500', weight: 1, spec: () => ({ target: 'storage', type: 'status', status: 500 }) },
	{ name: 'storage PUT 400 RequestTimeout', weight: 1, spec: () => ({ target: 'storage', type: 'status', status: 400, code: 'RequestTimeout' }) },
	{ name: 'storage PUT reset', weight: 2, spec: () => ({ target: 'storage', type: 'reset', afterBytes: between(1, 4) * MiB }) },
	{ name: 'storage PUT hang', weight: 1, spec: () => ({ target: 'storage', type: 'hang' }) },
	{ name: 'storage PUT expired URL', weight: 1, spec: () => ({ target: 'storage', type: 'expired' }) },
	{ name: 'storage PUT damaged bytes', weight: 1, spec: () => ({ target: 'storage', type: 'corrupt' }) },
	{ name: 'storage refused', weight: 1, spec: () => ({ target: 'storage', type: 'refuse', method: '*' }) },
	{ name: 'storage GET reset', weight: 2, spec: () => ({ target: 'storage', type: 'reset', method: 'GET' }) },
	{ name: 'storage GET hang', weight: 1, spec: () => ({ target: 'storage', type: 'hang', method: 'GET' }) },
];

function pickFault(): FaultKind {
	const total = FAULT_KINDS.reduce((sum, kind) => sum + kind.weight, 0);
	let at = random() * total;
	for (const kind of FAULT_KINDS) {
		at -= kind.weight;
		if (at < 0) return kind;
	}
	return FAULT_KINDS[0];
}

// ---- the workflows -----------------------------------------------------------------------------

const webhookNode = (id: string, path: string) => ({
	id: `soak-${id}-start`,
	name: 'Start',
	type: 'n8n-nodes-base.webhook',
	typeVersion: 2,
	position: [0, 0] as [number, number],
	webhookId: `5a0a${id.padEnd(4, '0').slice(0, 4).replace(/[^0-9a-f]/g, 'a')}-1111-4222-8333-${String(path.length).padStart(12, '0')}`,
	parameters: { httpMethod: 'POST', path, responseMode: 'lastNode', options: {} },
});

function chainOf(names: string[]): Record<string, unknown> {
	return Object.fromEntries(names.slice(0, -1).map((name, i) => [name, { main: [[{ node: names[i + 1], type: 'main', index: 0 }]] }]));
}

function soakWorkflows(sinkUrl: string): WorkflowFile[] {
	const reads = readWorkflow(join(REPO, 'test/e2e/badday-workflows/badday-reads.json'));
	const readsStart = reads.nodes.find((n) => n.name === 'Start')!;
	readsStart.parameters = { ...readsStart.parameters, responseMode: 'lastNode' };

	const example = readWorkflow(join(REPO, 'examples/round-trip-upload-link-download.json'));
	const keep = ['Read file from disk', 'Upload to MASV', 'Create download link', 'Download through link', 'Write file to disk'];
	const nodes = example.nodes.filter((n) => keep.includes(n.name)).map((n) => ({ ...n, id: `soak-rt-${n.name.replace(/\W+/g, '-')}` }));
	const byName = (name: string) => nodes.find((n) => n.name === name)!;
	byName('Read file from disk').parameters = { fileSelector: '={{ $json.body.path }}', options: {} };
	byName('Upload to MASV').parameters = {
		...byName('Upload to MASV').parameters,
		name: "={{ 'soak ' + $('Start').item.json.body.name }}",
		options: { chunkSize: 5, parallelUploads: 2 },
	};
	byName('Write file to disk').parameters = { ...byName('Write file to disk').parameters, fileName: "={{ $('Start').item.json.body.out }}" };
	const roundTrip: WorkflowFile = {
		id: 'masvSoakRoundTrip',
		name: 'soak: round trip',
		nodes: [webhookNode('rt', 'masv-soak-round-trip'), ...nodes],
		connections: chainOf(['Start', ...keep]),
		settings: {},
	};

	const create: WorkflowFile = {
		id: 'masvSoakCreate',
		name: 'soak: create a tag',
		nodes: [
			webhookNode('cr', 'masv-soak-create'),
			{
				id: 'soak-create-tag',
				name: 'Create tag',
				type: 'n8n-nodes-masv.masv',
				typeVersion: 1,
				position: [260, 0],
				parameters: { resource: 'tag', operation: 'create', teamId: { __rl: true, mode: 'list', value: '' }, name: '={{ $json.body.name }}' },
			},
		],
		connections: chainOf(['Start', 'Create tag']),
		settings: {},
	};

	// The triggers' workflows from the trigger e2e, reporting to the sink instead of creating tags
	// (a create can fail by design under faults; the sink cannot).
	const triggers = readWorkflowDir(join(REPO, 'test/e2e/trigger-workflows')).map((workflow) => {
		const kind = workflow.nodes.some((n) => n.type.endsWith('masvWebhookTrigger')) ? 'webhook' : 'poll';
		const record = workflow.nodes.find((n) => !n.type.toLowerCase().includes('trigger'))!;
		Object.assign(record, {
			type: 'n8n-nodes-base.httpRequest',
			typeVersion: 4.2,
			credentials: undefined,
			parameters: {
				method: 'POST',
				url: `${sinkUrl}/record`,
				sendBody: true,
				specifyBody: 'json',
				jsonBody: `={{ JSON.stringify({ kind: '${kind}', id: $json.id, eventId: $json.eventId, execution: $execution.id }) }}`,
				options: {},
			},
		});
		return workflow;
	});
	return [reads, roundTrip, create, ...triggers];
}

// ---- the run -----------------------------------------------------------------------------------

interface Run {
	workflow: string;
	startedAt: number;
	result: WebhookRun;
	detail?: string;
	ok: boolean;
	bytes?: number;
}

async function sha256(path: string): Promise<string> {
	return createHash('sha256').update(readFileSync(path)).digest('hex');
}

async function main(): Promise<number> {
	const started = Date.now();
	const problems: string[] = [];
	const records: Array<{ kind: string; id: string; eventId?: string; execution: string }> = [];
	const sink = http.createServer((req, res) => {
		const chunks: Buffer[] = [];
		req.on('data', (c: Buffer) => chunks.push(c));
		req.on('end', () => {
			try {
				records.push(JSON.parse(Buffer.concat(chunks).toString('utf8')) as (typeof records)[number]);
			} catch {
				// ignored
			}
			res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"ok":true}');
		});
	});
	await new Promise<void>((resolve) => sink.listen(0, '127.0.0.1', resolve));
	const sinkUrl = `http://127.0.0.1:${(sink.address() as AddressInfo).port}`;

	console.log(`Soak: ${MINUTES} min, seed ${SEED}, ${LANES} lanes, n8n ${VERSION}`);
	let session: Session | undefined;
	const runs: Run[] = [];
	const finalizedByDriver = { portal: [] as string[], team: [] as string[] };
	let getPackageId = '';
	try {
		session = await openSession({
			version: VERSION,
			workDir: WORK_DIR,
			workflows: soakWorkflows(sinkUrl),
			overrides: (emulator) => {
				// The package "Get package" reads in the reads workflow.
				getPackageId = emulator.core.createPackage({ teamId: emulator.teamId, name: 'soak: read by Get package', sender: 'editor@example.com' }).id;
				return {
					'MASV Webhook Trigger': { portalIds: [emulator.seed.portalId] },
					'Get package': { packageId: { __rl: true, mode: 'id', value: getPackageId } },
				};
			},
			log: (line) => console.log(`  ${line}`),
		});
		const emu = session.emulator;
		const s = session;
		for (const id of ['masvSoakRoundTrip', 'masvSoakCreate', 'masvBaddayReads', 'masvE2eWebhookTrigger', 'masvE2ePollTrigger']) {
			await n8nCliOk(s.config, ['publish:workflow', `--id=${id}`]);
		}
		const server = await s.startServer();
		const rest = new N8nRest(server.url, await setupOwner(server.url));
		console.log(`  n8n on ${server.url}; waiting for the triggers' activation`);
		const deadline = Date.now() + 120_000;
		while (emu.core.state.webhooks.size === 0 && Date.now() < deadline) await sleep(500);
		if (emu.core.state.webhooks.size === 0) throw new Error('the webhook trigger did not register its webhook');
		// The Webhook nodes of the published workflows are registered at about the same time.
		for (;;) {
			const probe = await callWebhook(server.url, 'masv-badday-reads', {}, 120_000);
			if (probe.status === 200) break;
			if (Date.now() > deadline + 120_000) throw new Error(`the reads workflow never answered: ${probe.status} ${JSON.stringify(probe.body)}`);
			await sleep(1000);
		}
		await sleep(3000);

		// The driver's own MASV calls meet the faults too: it tries them until they pass.
		const driverCall = async (path: string, body: unknown, apiKey: boolean): Promise<string> => {
			for (let attempt = 1; ; attempt++) {
				try {
					const res = await fetch(`${emu.url}${path}`, {
						method: 'POST',
						headers: { 'Content-Type': 'application/json', ...(apiKey ? { 'X-API-KEY': emu.apiKey } : {}) },
						body: JSON.stringify(body),
						signal: AbortSignal.timeout(10_000),
					});
					const text = await res.text();
					if (res.status === 201) return String((JSON.parse(text) as { id: string }).id);
				} catch {
					// a fault: try again
				}
				if (attempt > 60) throw new Error(`the driver could not POST ${path}`);
				await sleep(1000);
			}
		};

		const outgoing = join(s.filesDir, 'outgoing');
		const incoming = join(s.filesDir, 'incoming');
		mkdirSync(outgoing, { recursive: true });
		mkdirSync(incoming, { recursive: true });

		const faultKindOf = new Map<string, string>();
		const stopAt = Date.now() + MINUTES * 60_000;
		let counter = 0;

		const runWorkflow = async (path: string, body: unknown): Promise<WebhookRun> => callWebhook(server.url, path, body, HANG_MS);

		const lane = async (laneNo: number) => {
			while (Date.now() < stopAt) {
				const n = ++counter;
				const roll = random();
				const at = Date.now();
				if (roll < 0.45) {
					const result = await runWorkflow('masv-badday-reads', {});
					const ok = result.status === 200 && (result.body as { id?: string } | undefined)?.id === getPackageId;
					runs.push({ workflow: 'reads', startedAt: at, result, ok });
				} else if (roll < 0.75) {
					const size = between(1, 8) * MiB + between(0, 99_999);
					const name = `soak-${n}.bin`;
					const source = join(outgoing, name);
					const out = join(incoming, `soak-${n}.out`);
					const bytes = randomBytes(size);
					writeFileSync(source, bytes);
					const sourceSha = createHash('sha256').update(bytes).digest('hex');
					const result = await runWorkflow('masv-soak-round-trip', { path: source, name: `${n} (lane ${laneNo})`, out });
					let ok = result.status === 200;
					let detail: string | undefined;
					if (ok) {
						const same = existsSync(out) && (await sha256(out)) === sourceSha;
						if (!same) {
							ok = false;
							detail = `the downloaded file ${out} differs from its source`;
						}
					}
					runs.push({ workflow: 'round trip', startedAt: at, result, ok, detail, bytes: ok ? size : undefined });
					rmSync(source, { force: true });
					rmSync(out, { force: true });
				} else if (roll < 0.87) {
					const result = await runWorkflow('masv-soak-create', { name: `soak tag ${n}` });
					runs.push({ workflow: 'create tag', startedAt: at, result, ok: result.status === 200 });
				} else if (roll < 0.94) {
					// A portal upload finalized: the webhook trigger fires.
					const id = await driverCall(`/v1/portals/${emu.seed.portalId}/packages`, { name: `soak portal ${n}`, sender: 'editor@example.com' }, false);
					emu.core.forceFinalize(emu.core.state.packages.get(id)!);
					finalizedByDriver.portal.push(id);
					await sleep(between(1000, 5000));
				} else {
					// A team package finalized: the polling trigger fires at its next poll.
					const id = await driverCall(`/v1/teams/${emu.teamId}/packages`, { name: `soak team ${n}` }, true);
					emu.core.forceFinalize(emu.core.state.packages.get(id)!);
					finalizedByDriver.team.push(id);
					await sleep(between(1000, 5000));
				}
			}
		};

		const injector = async () => {
			while (Date.now() < stopAt - 60_000) {
				await sleep(between(3000, 12_000));
				const kind = pickFault();
				const fault = emu.faults.add(kind.spec());
				faultKindOf.set(fault.id, kind.name);
			}
		};

		const progress = setInterval(() => {
			const failed = runs.filter((r) => !r.ok).length;
			console.log(`  ${new Date().toISOString().slice(11, 19)} runs ${runs.length} (failed ${failed}), faults fired ${emu.faults.totalFired}, sink ${records.length}`);
		}, 60_000);
		await Promise.all([...Array.from({ length: LANES }, (_, i) => lane(i + 1)), injector()]);
		clearInterval(progress);

		// Quiet time: no new faults; armed ones are removed; the triggers catch up (a poll a minute).
		for (const fault of emu.faults.list()) if (fault.remaining !== 0) emu.faults.remove(fault.id);
		await emu.admin.idle();
		await sleep(150_000);

		// ---- the counts ----
		const fired = new Map<string, number>();
		for (const fault of emu.faults.list()) {
			if (fault.fired === 0) continue;
			const name = faultKindOf.get(fault.id) ?? `${fault.spec.target} ${fault.spec.type}`;
			fired.set(name, (fired.get(name) ?? 0) + (fault.spec.forMs !== undefined ? 1 : fault.fired));
		}
		const outageRequests = emu.faults.list().filter((f) => f.spec.forMs !== undefined).reduce((n, f) => n + f.fired, 0);

		// Packages the round trips created: each finalized exactly once.
		const finalizes = emu.requests({ kind: 'api', method: 'POST', path: /^\/v1\/(teams\/[^/]+\/)?packages\/[^/]+\/finalize$/ });
		const byPackage = new Map<string, number>();
		for (const request of finalizes) {
			const id = request.path.split('/').at(-2)!;
			if (request.status !== undefined && request.status >= 200 && request.status < 300) byPackage.set(id, (byPackage.get(id) ?? 0) + 1);
		}
		const soakPackages = [...emu.core.state.packages.values()].filter((p) => String(p.name ?? '').startsWith('soak ') && !String(p.name).startsWith('soak portal') && !String(p.name).startsWith('soak team'));
		const finalizedOnce = soakPackages.filter((p) => p.state === 'finalized' && byPackage.get(p.id) === 1).length;
		const twice = [...byPackage.entries()].filter(([, n]) => n > 1);
		if (twice.length) problems.push(`packages finalized more than once: ${JSON.stringify(twice)}`);
		const finalizedNotByOne = soakPackages.filter((p) => p.state === 'finalized' && byPackage.get(p.id) !== 1);
		if (finalizedNotByOne.length) problems.push(`finalized packages without exactly one finalize: ${finalizedNotByOne.map((p) => p.id).join(', ')}`);
		const okRoundTrips = runs.filter((r) => r.workflow === 'round trip' && r.ok).length;
		if (okRoundTrips > finalizedOnce) problems.push(`${okRoundTrips} round trips succeeded but only ${finalizedOnce} packages are finalized once`);
		const leftOpen = soakPackages.filter((p) => p.state !== 'finalized');

		// Triggers: each package the driver finalized starts exactly one execution.
		const count = (kind: string, id: string) => records.filter((r) => r.kind === kind && r.id === id).length;
		const webhookMissing = finalizedByDriver.portal.filter((id) => count('webhook', id) === 0);
		const webhookTwice = finalizedByDriver.portal.filter((id) => count('webhook', id) > 1);
		const pollMissing = finalizedByDriver.team.filter((id) => count('poll', id) === 0);
		const pollTwice = finalizedByDriver.team.filter((id) => count('poll', id) > 1);
		if (webhookTwice.length) problems.push(`webhook trigger fired more than once for ${webhookTwice.join(', ')}`);
		if (pollTwice.length) problems.push(`polling trigger fired more than once for ${pollTwice.join(', ')}`);
		if (pollMissing.length) problems.push(`polling trigger never fired for ${pollMissing.join(', ')}`);

		// n8n's view: every execution by workflow and status; the errors of the failed ones.
		const byWorkflow: Record<string, Record<string, number>> = {};
		const failures: string[] = [];
		/** Why a failure was not retried, from its message (the node's policy, docs/reliability.md). */
		const why = (message: string) =>
			/not repeated|may have carried it out/i.test(message)
				? 'by design: a create that may have reached MASV is not repeated'
				: /Regular expression execution timed out/.test(message)
					? "n8n: its 250 ms limit on checking a parameter's pattern ran out on the starved machine, before any node ran"
					: /gave up after/i.test(message)
						? 'the retry window was spent'
						: /not retried/i.test(message)
							? 'a permanent failure (the node does not retry it)'
							: 'UNEXPECTED';
		for (const workflow of ['masvBaddayReads', 'masvSoakRoundTrip', 'masvSoakCreate', 'masvE2eWebhookTrigger', 'masvE2ePollTrigger']) {
			const list = await rest.executions(workflow);
			byWorkflow[workflow] = {};
			for (const execution of list) byWorkflow[workflow][execution.status] = (byWorkflow[workflow][execution.status] ?? 0) + 1;
			for (const execution of list.filter((e) => e.status !== 'success')) {
				const message = await rest.executionError(execution.id);
				const reason = why(message);
				if (reason === 'UNEXPECTED') problems.push(`${workflow} #${execution.id} failed unexpectedly: ${message}`);
				failures.push(`${workflow} #${execution.id} (${execution.status}): ${message.slice(0, 300)}\n      why not retried: ${reason}`);
			}
		}
		const hangs = runs.filter((r) => r.result.timedOut);
		if (hangs.length) problems.push(`${hangs.length} runs did not end within ${HANG_MS / 60_000} min`);
		const longest = runs.reduce((max, r) => Math.max(max, r.result.ms), 0);
		const bytes = runs.reduce((sum, r) => sum + (r.bytes ?? 0), 0);
		const badBytes = runs.filter((r) => r.detail?.includes('differs'));
		if (badBytes.length) problems.push(`${badBytes.length} downloads differ from their source`);

		const lines = [
			'',
			`Soak of ${new Date(started).toISOString()} (n8n ${VERSION}, seed ${SEED}, ${MINUTES} min of load, ${LANES} lanes, ${((Date.now() - started) / 60_000).toFixed(1)} min in all)`,
			`  runs started by the soak: ${runs.length}; ok ${runs.filter((r) => r.ok).length}, failed ${runs.filter((r) => !r.ok).length}; longest ${(longest / 1000).toFixed(1)} s`,
			...['reads', 'round trip', 'create tag'].map((w) => {
				const list = runs.filter((r) => r.workflow === w);
				const ms = list.map((r) => r.result.ms).sort((a, b) => a - b);
				const median = ms.length ? ms[Math.floor(ms.length / 2)] : 0;
				return `    ${w.padEnd(11)} ${String(list.length).padStart(4)} runs, ${list.filter((r) => r.ok).length} ok, median ${(median / 1000).toFixed(1)} s, max ${((ms.at(-1) ?? 0) / 1000).toFixed(1)} s`;
			}),
			`  executions in n8n by workflow and status: ${JSON.stringify(byWorkflow)}`,
			`  faults fired: ${emu.faults.totalFired} requests (${outageRequests} of them in outages); by kind: ${JSON.stringify(Object.fromEntries([...fired.entries()].sort()))}`,
			`  packages finalized by round trips: ${finalizedOnce} (each exactly once; ${leftOpen.length} left unfinalized by failed uploads: ${leftOpen.map((p) => `${p.id} ${p.state}`).join(', ') || 'none'})`,
			`  bytes checked: ${(bytes / MiB).toFixed(1)} MiB in ${runs.filter((r) => r.bytes).length} downloads, byte-exact`,
			`  webhook trigger: ${finalizedByDriver.portal.length} portal packages finalized, ${finalizedByDriver.portal.length - webhookMissing.length - webhookTwice.length} started exactly one execution, ${webhookMissing.length} none, ${webhookTwice.length} more than one`,
			`  polling trigger: ${finalizedByDriver.team.length} team packages finalized, ${finalizedByDriver.team.length - pollMissing.length - pollTwice.length} put out exactly once, ${pollMissing.length} never, ${pollTwice.length} more than once`,
			`  hangs: ${hangs.length} (each run bounded by ${HANG_MS / 60_000} min)`,
			`  failures (${failures.length}):`,
			...failures.map((f) => `    ${f}`),
			...runs
				.filter((r) => !r.ok && (r.result.status === 0 || r.result.status === 404 || r.detail))
				.map((r) => `    ${r.workflow} run at ${new Date(r.startedAt).toISOString().slice(11, 19)}: HTTP ${r.result.status} ${r.detail ?? r.result.error ?? JSON.stringify(r.result.body).slice(0, 200)}`),
			...(webhookMissing.length ? [`  webhook events that started no execution: ${webhookMissing.join(', ')} (deliveries: ${JSON.stringify(emu.admin.webhookDeliveries().filter((d) => webhookMissing.includes(String((d.body as { object?: { id?: string } }).object?.id))).map((d) => d.statuses))})`] : []),
			'',
		];
		console.log(lines.join('\n'));
		writeFileSync(join(WORK_DIR, 'soak-report.txt'), lines.join('\n'));
	} catch (error) {
		problems.push((error as Error).stack ?? String(error));
	} finally {
		await session?.close();
		sink.close();
	}
	if (problems.length) {
		console.error(`SOAK FOUND PROBLEMS:\n  ${problems.join('\n  ')}\n(n8n log and emulator data kept in ${WORK_DIR})`);
		return 1;
	}
	console.log('Soak passed: every check is ok.');
	return 0;
}

main().then(
	(code) => process.exit(code),
	(error: Error) => {
		console.error(error);
		process.exit(1);
	},
);
