// Every MASV call on a bad day: one read and one write of every resource, through the node in
// n8n's engine against the emulator, under each fault (502, 429 with Retry-After, a reset, a
// request never answered, a lost reply). Each case asserts the outcome, how many requests MASV saw
// and, for creates, that exactly one object exists afterwards (adopted by read-back). Windows are
// short (15 s of retries, 1 s stall); the times are printed at the end for docs/reliability.md.
import { rl, runMasv } from '../../tools/harness';
import { api, credentialsFor } from '../../tools/harness/emulatorApi';
import { startEmulator } from '../../tools/emulator';
import type { Emulator, FaultSpec } from '../../tools/emulator';
import { BACKOFF } from '../../nodes/Masv/transport/retry';
import { useRetryTimings } from '../harness/retries';

const OPTIONS = { retryWindowMinutes: 0.25, stallTimeoutSeconds: 1 };

type FaultName = '502' | '429 Retry-After 1 s' | 'reset' | 'never answered' | 'reply lost';

const FAULTS: Record<FaultName, Pick<FaultSpec, 'type' | 'status' | 'retryAfter'>> = {
	'502': { type: 'status', status: 502 },
	'429 Retry-After 1 s': { type: 'rateLimit', retryAfter: 1 },
	reset: { type: 'reset' },
	'never answered': { type: 'hang' },
	'reply lost': { type: 'dropReply' },
};

const timings: Array<[string, string, string]> = [];

interface Fixture {
	packageId: string;
	linkId: string;
	linkSecret: string;
}

interface ReadCase {
	resource: string;
	operation: string;
	params: (emu: Emulator, f: Fixture) => Record<string, unknown>;
	/** The route the fault hits and the requests are counted on. */
	path: (emu: Emulator, f: Fixture) => string;
}

interface WriteCase extends ReadCase {
	method: 'POST' | 'PUT' | 'DELETE';
	/** The objects the write made (or the one it changed), found in the emulator's state by the unique value `tag`. */
	made: (emu: Emulator, tag: string) => string[];
}

const READS: ReadCase[] = [
	{ resource: 'team', operation: 'getAll', params: () => ({ returnAll: true }), path: () => '/v1/teams' },
	{
		resource: 'package',
		operation: 'get',
		params: (emu, f) => ({ teamId: rl(emu.teamId), packageId: rl(f.packageId) }),
		path: (emu, f) => `/v1.1/teams/${emu.teamId}/packages/${f.packageId}`,
	},
	{ resource: 'link', operation: 'get', params: (_emu, f) => ({ linkSource: 'idAndSecret', linkId: f.linkId, linkSecret: f.linkSecret }), path: (_emu, f) => `/v1/links/${f.linkId}` },
	{ resource: 'portal', operation: 'getAll', params: (emu) => ({ teamId: rl(emu.teamId), returnAll: true }), path: (emu) => `/v1.1/teams/${emu.teamId}/portals` },
	{ resource: 'teamspace', operation: 'getAll', params: (emu) => ({ teamId: rl(emu.teamId), returnAll: true }), path: (emu) => `/v1.1/teams/${emu.teamId}/spaces` },
	{ resource: 'tag', operation: 'getAll', params: (emu) => ({ teamId: rl(emu.teamId), returnAll: true }), path: (emu) => `/v1/teams/${emu.teamId}/tags` },
	{ resource: 'activity', operation: 'getAll', params: (emu) => ({ teamId: rl(emu.teamId), returnAll: true }), path: (emu) => `/v1.1/teams/${emu.teamId}/activities` },
	{ resource: 'integration', operation: 'getAll', params: (emu) => ({ teamId: rl(emu.teamId), returnAll: true }), path: (emu) => `/v1/teams/${emu.teamId}/cloud_connections` },
	{ resource: 'webhook', operation: 'getAll', params: (emu) => ({ teamId: rl(emu.teamId), returnAll: true }), path: (emu) => `/v1/teams/${emu.teamId}/custom_webhooks` },
];

let counter = 0;
const unique = (prefix: string) => `${prefix}-${Date.now().toString(36)}-${++counter}`;

/** The creates (team and activity have no write); the unique value of each call is its `tag`. */
const WRITES: Array<WriteCase & { tagParams: (tag: string) => Record<string, unknown> }> = [
	{
		resource: 'package',
		operation: 'create',
		method: 'POST',
		params: (emu) => ({ teamId: rl(emu.teamId), recipients: 'someone@example.com' }),
		tagParams: (tag) => ({ name: tag }),
		path: (emu) => `/v1/teams/${emu.teamId}/packages`,
		made: (emu, tag) => [...emu.core.state.packages.values()].filter((p) => p.name === tag).map((p) => p.id),
	},
	{
		resource: 'link',
		operation: 'create',
		method: 'POST',
		params: (emu, f) => ({ teamId: rl(emu.teamId), packageId: rl(f.packageId) }),
		tagParams: (tag) => ({ email: `${tag}@example.com` }),
		path: (_emu, f) => `/v1/packages/${f.packageId}/links`,
		made: (emu, tag) => [...emu.core.state.links.values()].filter((l) => l.email === `${tag}@example.com`).map((l) => l.id),
	},
	{
		resource: 'portal',
		operation: 'create',
		method: 'POST',
		params: (emu) => ({ teamId: rl(emu.teamId), name: 'Bad day portal' }),
		tagParams: (tag) => ({ subdomain: tag }),
		path: (emu) => `/v1/teams/${emu.teamId}/portals`,
		made: (emu, tag) => [...emu.core.state.portals.values()].filter((p) => p.data.subdomain === tag).map((p) => p.id),
	},
	{
		resource: 'teamspace',
		operation: 'create',
		method: 'POST',
		params: (emu) => ({ teamId: rl(emu.teamId) }),
		tagParams: (tag) => ({ name: tag }),
		path: (emu) => `/v1/teams/${emu.teamId}/spaces`,
		made: (emu, tag) => [...emu.core.state.spaces.values()].filter((s) => s.name === tag).map((s) => s.id),
	},
	{
		resource: 'tag',
		operation: 'create',
		method: 'POST',
		params: (emu) => ({ teamId: rl(emu.teamId) }),
		tagParams: (tag) => ({ name: tag }),
		path: (emu) => `/v1/teams/${emu.teamId}/tags`,
		made: (emu, tag) => [...emu.core.state.tags.values()].filter((t) => t.name === tag).map((t) => t.id),
	},
	{
		resource: 'webhook',
		operation: 'create',
		method: 'POST',
		params: (emu) => ({ teamId: rl(emu.teamId), events: ['package.finalized'] }),
		tagParams: (tag) => ({ url: `https://hooks.example.com/${tag}` }),
		path: (emu) => `/v1/teams/${emu.teamId}/custom_webhooks`,
		made: (emu, tag) => [...emu.core.state.webhooks.values()].filter((w) => w.data.url === `https://hooks.example.com/${tag}`).map((w) => w.id),
	},
	{
		// The write of Integration: a new package and a transfer into it; the fault hits the transfer.
		resource: 'integration',
		operation: 'importFiles',
		method: 'POST',
		params: (emu) => ({ teamId: rl(emu.teamId), integrationId: rl(emu.seed.cloudConnections.s3InId), files: 'readme.txt', recipients: '' }),
		tagParams: (tag) => ({ name: tag }),
		path: () => '/v1/packages/[^/]+/transfer',
		made: (emu, tag) => {
			const packages = [...emu.core.state.packages.values()].filter((p) => p.name === tag).map((p) => p.id);
			return [...emu.core.state.transfers.values()].filter((t) => packages.includes(t.packageId)).map((t) => t.id);
		},
	},
];

describe('every MASV call on a bad day', () => {
	let emu: Emulator;
	let fixture: Fixture;
	useRetryTimings(BACKOFF, { baseDelayMs: 100, maxDelayMs: 400 });

	beforeAll(async () => {
		emu = await startEmulator();
		const pkg = await api<{ id: string; access_token: string }>(emu, 'POST', `/v1/teams/${emu.teamId}/packages`, { name: 'Fixture', description: '', recipients: [] });
		const link = await api<{ id: string; download_secret: string }>(emu, 'POST', `/v1/packages/${pkg.id}/links`, { email: '' }, pkg.access_token);
		// Links answer once their package is finalized; Webhook → Get Many needs one webhook to list.
		await api(emu, 'POST', `/_emulator/packages/${pkg.id}/finalize`, {}, null);
		await api(emu, 'POST', `/v1/teams/${emu.teamId}/custom_webhooks`, { url: 'https://hooks.example.com/fixture', method: 'POST', active: true, events: ['package.finalized'] });
		fixture = { packageId: pkg.id, linkId: link.id, linkSecret: link.download_secret };
	});
	afterAll(async () => {
		await emu.close();
		console.log(
			`fault × call → outcome (in-process, retry window ${OPTIONS.retryWindowMinutes * 60} s, stall ${OPTIONS.stallTimeoutSeconds} s)\n` +
				timings.map(([call, fault, outcome]) => `| ${call} | ${fault} | ${outcome} |`).join('\n'),
		);
	});
	beforeEach(() => {
		emu.faults.clear();
		emu.resetRequests();
	});

	const countOn = (method: string, path: string) => emu.requests({ kind: 'api', method }).filter((r) => new RegExp(`^${path}$`).test(r.path)).length;

	for (const read of READS) {
		describe(`${read.resource} → ${read.operation} (read)`, () => {
			for (const [name, fault] of Object.entries(FAULTS) as Array<[FaultName, FaultSpec]>) {
				it(`${name}: retried, succeeds; MASV saw the call twice`, async () => {
					const path = read.path(emu, fixture);
					emu.faults.add({ ...fault, target: 'api', method: 'GET', path: `^${path}$` });
					const started = Date.now();
					const { items, error } = await runMasv(
						{ resource: read.resource, operation: read.operation, ...read.params(emu, fixture), options: OPTIONS },
						{ credentials: credentialsFor(emu) },
					);
					const ms = Date.now() - started;
					expect(error).toBeUndefined();
					expect(items.length).toBeGreaterThan(0);
					expect(items.every((item) => item.pairedItem !== undefined && item.json.error === undefined)).toBe(true);
					expect(countOn('GET', path)).toBe(2);
					if (name === '429 Retry-After 1 s') expect(ms).toBeGreaterThanOrEqual(1000);
					if (name === 'never answered') expect(ms).toBeLessThan(1000 + 5000);
					timings.push([`${read.resource} → ${read.operation}`, name, `recovered in ${(ms / 1000).toFixed(1)} s, 2 calls`]);
				});
			}
		});
	}

	for (const write of WRITES) {
		describe(`${write.resource} → ${write.operation} (create)`, () => {
			for (const [name, fault] of Object.entries(FAULTS) as Array<[FaultName, FaultSpec]>) {
				// A lost reply means MASV made it: read back and adopted, never sent again. Every other
				// fault here reached no handler: the read-back finds nothing (or MASV said 429), so the
				// create is sent once more.
				const sends = name === 'reply lost' ? 1 : 2;
				it(`${name}: exactly one object afterwards, returned; MASV saw the create ${sends === 1 ? 'once' : 'twice'}`, async () => {
					const tag = unique(write.resource);
					const path = write.path(emu, fixture);
					emu.faults.add({ ...fault, target: 'api', method: write.method, path: `^${path}$` });
					const started = Date.now();
					const { items, error } = await runMasv(
						{ resource: write.resource, operation: write.operation, ...write.params(emu, fixture), ...write.tagParams(tag), options: OPTIONS },
						{ credentials: credentialsFor(emu) },
					);
					const ms = Date.now() - started;
					expect(error).toBeUndefined();
					const made = write.made(emu, tag);
					expect(made).toHaveLength(1);
					expect(countOn(write.method, path)).toBe(sends);
					expect(items).toHaveLength(1);
					expect(items[0].pairedItem).toEqual({ item: 0 });
					const returned = write.operation === 'importFiles' ? (items[0].json.transfer as { id?: string } | undefined)?.id : items[0].json.id;
					expect(returned).toBe(made[0]);
					const how = sends === 1 ? 'adopted by read-back' : name.startsWith('429') ? 'sent again after Retry-After' : 'read back (nothing made), sent again';
					timings.push([`${write.resource} → ${write.operation}`, name, `one object, ${how}, ${(ms / 1000).toFixed(1)} s`]);
				});
			}
		});
	}
});
