// The edges of the one retry policy, through the node in n8n's engine against the emulator: a 5xx
// after MASV made the object, two look-alikes, permanent errors, a spent window, a Retry-After
// beyond it, the defaults, repeated PUT and DELETE, creates MASV offers no look-up for, and many
// parts in flight on one cancel signal.
import type { INode, INodeParameters } from 'n8n-workflow';

import { rl, runMasv } from '../../tools/harness';
import { api, credentialsFor } from '../../tools/harness/emulatorApi';
import { startEmulator } from '../../tools/emulator';
import type { Emulator, FaultSpec } from '../../tools/emulator';
import { BACKOFF, DEFAULT_POLICY } from '../../nodes/Masv/transport/retry';
import { useRetryTimings } from '../harness/retries';
import { makeFile, MIB, runTransfer } from '../transfer/helpers';

const OPTIONS = { retryWindowMinutes: 0.25, stallTimeoutSeconds: 1 };

let counter = 0;
const unique = (prefix: string) => `${prefix}-${Date.now().toString(36)}-${++counter}`;

describe('the retry policy at its edges', () => {
	let emu: Emulator;
	useRetryTimings(BACKOFF, { baseDelayMs: 100, maxDelayMs: 400 });

	beforeAll(async () => {
		emu = await startEmulator();
	});
	afterAll(async () => await emu.close());
	beforeEach(() => {
		emu.faults.clear();
		emu.resetRequests();
	});

	const run = async (parameters: INodeParameters, node: Partial<INode> = {}) =>
		await runMasv(parameters, { credentials: credentialsFor(emu), node });
	const fault = (spec: Omit<FaultSpec, 'target'>) => emu.faults.add({ target: 'api', ...spec });
	const calls = (method: string, path: string | RegExp) =>
		emu.requests({ kind: 'api', method }).filter((r) => (typeof path === 'string' ? r.path === path : path.test(r.path))).length;
	const packagesNamed = (name: string) => [...emu.core.state.packages.values()].filter((p) => p.name === name);

	describe('creates', () => {
		it('a 502 after MASV made the package: read back and adopted, not sent again', async () => {
			const name = unique('made-then-502');
			fault({ type: 'status', status: 502, method: 'POST', path: '/packages$', carryOut: true });
			const { items, error } = await run({ resource: 'package', operation: 'create', teamId: rl(emu.teamId), name, options: OPTIONS });
			expect(error).toBeUndefined();
			expect(packagesNamed(name)).toHaveLength(1);
			expect(items[0].json.id).toBe(packagesNamed(name)[0].id);
			expect(calls('POST', `/v1/teams/${emu.teamId}/packages`)).toBe(1);
		});

		it('a 502 after MASV made the link: the link is read back (with its secret) and adopted', async () => {
			const pkg = await api<{ id: string }>(emu, 'POST', `/v1/teams/${emu.teamId}/packages`, { name: unique('links'), description: '', recipients: [] });
			fault({ type: 'status', status: 502, method: 'POST', path: '/links$', carryOut: true });
			const email = `${unique('viewer')}@example.com`;
			const { items, error } = await run({ resource: 'link', operation: 'create', teamId: rl(emu.teamId), packageId: rl(pkg.id), email, options: OPTIONS });
			expect(error).toBeUndefined();
			const links = [...emu.core.state.links.values()].filter((l) => l.email === email);
			expect(links).toHaveLength(1);
			expect(items[0].json).toMatchObject({ id: links[0].id, url: `https://get.massive.io/${links[0].id}?secret=${links[0].secret}` });
			expect(calls('POST', `/v1/packages/${pkg.id}/links`)).toBe(1);
		});

		it('Teamspace → Add Members whose reply was lost: the memberships are read back and adopted', async () => {
			const space = await api<{ id: string }>(emu, 'POST', `/v1/teams/${emu.teamId}/spaces`, { name: unique('members') });
			const memberIds = emu.seed.members.slice(0, 2).map((m) => m.membershipId);
			fault({ type: 'dropReply', method: 'POST', path: `^/v1/spaces/${space.id}/members$` });
			const { items, error } = await run({ resource: 'teamspace', operation: 'addMembers', teamspaceId: rl(space.id), memberIds: memberIds.join(','), options: OPTIONS });
			expect(error).toBeUndefined();
			expect(items.map((item) => item.json.membership_id).sort()).toEqual([...memberIds].sort());
			expect(calls('POST', `/v1/spaces/${space.id}/members`)).toBe(1);
			expect([...emu.core.state.spaceMembers.values()].filter((m) => m.spaceId === space.id)).toHaveLength(2);
		});

		it('two look-alikes made since the call: the error names both, nothing is sent again', async () => {
			const name = unique('twins');
			await api(emu, 'POST', `/v1/teams/${emu.teamId}/packages`, { name, description: '', recipients: [] });
			emu.resetRequests();
			fault({ type: 'dropReply', method: 'POST', path: '/packages$' });
			const { error } = await run({ resource: 'package', operation: 'create', teamId: rl(emu.teamId), name, options: OPTIONS });
			const ids = packagesNamed(name).map((p) => p.id);
			expect(ids).toHaveLength(2);
			expect(error?.message).toContain(`A package named "${name}" may have been created: MASV did not answer, and holds 2 that match`);
			for (const id of ids) expect(error?.message).toContain(id);
			expect(calls('POST', `/v1/teams/${emu.teamId}/packages`)).toBe(1);
		});

		it('a create that MASV has no look-up for (a portal package) names what may have been made, one call', async () => {
			const file = makeFile('portal.bin', 1024, 3);
			fault({ type: 'dropReply', method: 'POST', path: '^/v1/portals/[^/]+/packages$' });
			const name = unique('portal-upload');
			const result = await runTransfer(emu, [[{ path: file.path, name: file.name }]], {
				resource: 'package',
				operation: 'upload',
				destination: 'portal',
				subdomain: emu.seed.portalSubdomain,
				senderEmail: 'sender@example.com',
				name,
				options: OPTIONS,
			});
			expect(result.error?.message).toContain(`A package named "${name}" on the portal "${emu.seed.portalSubdomain}" may have been created`);
			expect(calls('POST', /^\/v1\/portals\/[^/]+\/packages$/)).toBe(1);
		});

		it("a lost add-file reply names the file record that may be left, and the run's new package is removed", async () => {
			const file = makeFile('clip.bin', 1024, 4);
			fault({ type: 'dropReply', method: 'POST', path: '^/v1/packages/[^/]+/files$' });
			const name = unique('add-file');
			const result = await runTransfer(emu, [[{ path: file.path, name: file.name }]], {
				resource: 'package',
				operation: 'upload',
				teamId: rl(emu.teamId),
				name,
				options: OPTIONS,
			});
			expect(result.error?.message).toMatch(/An unfinished file record for "clip.bin" in package \w+ may have been created/);
			expect(result.error?.description).toMatch(/held no finalized file and was deleted/);
			expect(packagesNamed(name)).toHaveLength(0);
			expect(calls('POST', /^\/v1\/packages\/[^/]+\/files$/)).toBe(1);
		});
	});

	describe('permanent errors fail at once, with one call, MASV\'s message and the status', () => {
		for (const status of [400, 401, 403, 404, 409, 422]) {
			it(`${status} on a routed read, a routed create and a custom call`, async () => {
				const message = `refused with ${status}`;
				fault({ type: 'status', status, message, method: '*', times: -1, path: '^/v1/teams/[^/]+/tags$|^/v1/links/' });
				const read = await run({ resource: 'tag', operation: 'getAll', teamId: rl(emu.teamId), returnAll: true, options: OPTIONS });
				const create = await run({ resource: 'tag', operation: 'create', teamId: rl(emu.teamId), name: unique('tag'), options: OPTIONS });
				const custom = await run({ resource: 'link', operation: 'get', linkSource: 'idAndSecret', linkId: '01LINK0000000000000000000X', linkSecret: 'secret', options: OPTIONS });
				for (const { error } of [read, create, custom]) {
					expect(error?.message).toContain(message);
					expect((error as { httpCode?: string }).httpCode).toBe(String(status));
				}
				expect(calls('GET', `/v1/teams/${emu.teamId}/tags`)).toBe(1);
				expect(calls('POST', `/v1/teams/${emu.teamId}/tags`)).toBe(1);
				expect(calls('GET', /^\/v1\/links\//)).toBe(1);
			});
		}

		it('with Continue On Fail a permanent error is an error item paired with its input', async () => {
			fault({ type: 'status', status: 404, message: 'no such team', method: 'GET', path: '/tags$' });
			const { items, error } = await run({ resource: 'tag', operation: 'getAll', teamId: rl(emu.teamId), returnAll: true, options: OPTIONS }, { continueOnFail: true });
			expect(error).toBeUndefined();
			expect(items).toEqual([{ json: { error: 'no such team', httpCode: '404' }, pairedItem: { item: 0 } }]);
		});
	});

	describe('the window', () => {
		it('a lasting 502 fails after the window, with MASV\'s message, the status and the tries', async () => {
			fault({ type: 'status', status: 502, message: 'bad gateway', method: 'GET', path: '^/v1/teams$', times: -1 });
			const started = Date.now();
			const { error } = await run({ resource: 'team', operation: 'getAll', returnAll: true, options: { retryWindowMinutes: 2 / 60, stallTimeoutSeconds: 1 } });
			const ms = Date.now() - started;
			expect(error?.message).toBe('bad gateway');
			expect((error as { httpCode?: string }).httpCode).toBe('502');
			expect(error?.description).toMatch(/The node retried for [23] s \(\d+ tries\) and gave up/);
			expect(ms).toBeGreaterThanOrEqual(2000);
			expect(ms).toBeLessThan(6000);
			expect(calls('GET', '/v1/teams')).toBeGreaterThanOrEqual(3);
		});

		it('a lasting outage of a create (never answered) ends with a clear error within the window', async () => {
			fault({ type: 'hang', method: 'POST', path: '/tags$', times: -1 });
			const started = Date.now();
			const name = unique('hung');
			const { error } = await run({ resource: 'tag', operation: 'create', teamId: rl(emu.teamId), name, options: { retryWindowMinutes: 3 / 60, stallTimeoutSeconds: 1 } });
			expect(error?.message).toMatch(/Could not reach MASV: .*gave up after \d+ tries/);
			expect(Date.now() - started).toBeLessThan(9000);
			expect([...emu.core.state.tags.values()].filter((t) => t.name === name)).toHaveLength(0);
		});

		it('a Retry-After beyond the window ends the retries at once, saying so', async () => {
			fault({ type: 'rateLimit', retryAfter: 120, method: 'GET', path: '^/v1/teams$' });
			const started = Date.now();
			const { error } = await run({ resource: 'team', operation: 'getAll', returnAll: true, options: OPTIONS });
			expect((error as { httpCode?: string }).httpCode).toBe('429');
			expect(error?.description).toMatch(/longer wait than the retry window allows \(HTTP 429, Retry-After 120 s is beyond the retry window\)/);
			expect(Date.now() - started).toBeLessThan(2000);
			expect(calls('GET', '/v1/teams')).toBe(1);
		});

		it('the defaults suit a schedule: one 502 on a read succeeds with no setting changed', async () => {
			expect(DEFAULT_POLICY).toEqual({ windowMs: 5 * 60_000, stallMs: 60_000 });
			fault({ type: 'status', status: 502, method: 'GET', path: `^/v1.1/teams/${emu.teamId}/portals$` });
			const { items, error } = await run({ resource: 'portal', operation: 'getAll', teamId: rl(emu.teamId), returnAll: true });
			expect(error).toBeUndefined();
			expect(items.length).toBeGreaterThan(0);
			expect(calls('GET', `/v1.1/teams/${emu.teamId}/portals`)).toBe(2);
		});

		it('an invalid setting names the option', async () => {
			const { error } = await run({ resource: 'team', operation: 'getAll', returnAll: true, options: { stallTimeoutSeconds: 0 } });
			expect(error?.message).toBe('The option "Stall Timeout (Seconds)" must be at least 1');
		});
	});

	describe('writes that are safe to repeat', () => {
		it('a PUT whose reply was lost is sent again', async () => {
			const space = await api<{ id: string }>(emu, 'POST', `/v1/teams/${emu.teamId}/spaces`, { name: unique('space') });
			const name = unique('renamed');
			fault({ type: 'dropReply', method: 'PUT', path: `^/v1/spaces/${space.id}$` });
			const { items, error } = await run({ resource: 'teamspace', operation: 'update', teamspaceId: rl(space.id), name, options: OPTIONS });
			expect(error).toBeUndefined();
			expect(items[0].json).toMatchObject({ id: space.id, name });
			expect(calls('PUT', `/v1/spaces/${space.id}`)).toBe(2);
		});

		it('a DELETE whose reply was lost is sent again, and its 404 means done (routed and custom)', async () => {
			const tag = await api<{ id: string }>(emu, 'POST', `/v1/teams/${emu.teamId}/tags`, { name: unique('doomed') });
			fault({ type: 'dropReply', method: 'DELETE', path: `^/v1/tags/${tag.id}$` });
			const routed = await run({ resource: 'tag', operation: 'delete', tagId: tag.id, options: OPTIONS });
			expect(routed.error).toBeUndefined();
			expect(routed.items).toEqual([{ json: { deleted: true }, pairedItem: { item: 0 } }]);
			// The first was carried out (its reply lost), the second found nothing left.
			expect(emu.requests({ kind: 'api', method: 'DELETE' }).map((r) => r.status)).toEqual([204, 404]);
			expect(calls('DELETE', `/v1/tags/${tag.id}`)).toBe(2);

			const pkg = await api<{ id: string }>(emu, 'POST', `/v1/teams/${emu.teamId}/packages`, { name: unique('doomed'), description: '', recipients: [] });
			fault({ type: 'dropReply', method: 'DELETE', path: `^/v1/packages/${pkg.id}$` });
			const custom = await run({ resource: 'package', operation: 'delete', teamId: rl(emu.teamId), packageId: rl(pkg.id), options: OPTIONS });
			expect(custom.error).toBeUndefined();
			expect(custom.items[0].json).toMatchObject({ deleted: true, id: pkg.id });
			expect(calls('DELETE', `/v1/packages/${pkg.id}`)).toBe(2);
		});

		it('a DELETE of something that never existed still fails with 404, at once', async () => {
			const { error } = await run({ resource: 'tag', operation: 'delete', tagId: '01NOSUCHTAG000000000000000', options: OPTIONS });
			expect((error as { httpCode?: string }).httpCode).toBe('404');
			expect(calls('DELETE', '/v1/tags/01NOSUCHTAG000000000000000')).toBe(1);
		});
	});

	it('more than ten parts in flight on one cancel signal: at most ten listeners on any signal, no MaxListenersExceededWarning', async () => {
		// Node warns past ten listeners on one AbortSignal. Count the live 'abort' listeners of every
		// signal while twelve parts of one file are in flight.
		const live = new Map<AbortSignal, number>();
		let most = 0;
		const add = EventTarget.prototype.addEventListener;
		const remove = EventTarget.prototype.removeEventListener;
		const listeners = new WeakMap<AbortSignal, Set<unknown>>();
		jest.spyOn(AbortSignal.prototype, 'addEventListener').mockImplementation(function (this: AbortSignal, type: string, listener: unknown, options?: unknown) {
			if (type === 'abort') {
				const set = listeners.get(this) ?? new Set();
				listeners.set(this, set);
				set.add(listener);
				live.set(this, set.size);
				most = Math.max(most, set.size);
				if ((options as { once?: boolean } | undefined)?.once) {
					add.call(this, 'abort', () => set.delete(listener), { once: true });
				}
			}
			add.call(this, type, listener as Parameters<typeof add>[1], options as Parameters<typeof add>[2]);
		});
		jest.spyOn(AbortSignal.prototype, 'removeEventListener').mockImplementation(function (this: AbortSignal, type: string, listener: unknown, options?: unknown) {
			if (type === 'abort') listeners.get(this)?.delete(listener);
			remove.call(this, type, listener as Parameters<typeof remove>[1], options as Parameters<typeof remove>[2]);
		});
		const warnings: Error[] = [];
		const onWarning = (warning: Error) => warnings.push(warning);
		process.on('warning', onWarning);
		try {
			const file = makeFile('many-parts.bin', 12 * 5 * MIB, 5);
			emu.faults.add({ target: 'storage', type: 'delay', delayMs: 2000, times: 12 });
			const result = await runTransfer(emu, [[{ path: file.path, name: file.name }]], {
				resource: 'package',
				operation: 'upload',
				teamId: rl(emu.teamId),
				name: unique('parallel'),
				options: { chunkSize: 5, parallelUploads: 12, ...OPTIONS },
			});
			expect(result.error).toBeUndefined();
			// Twelve part PUTs were in flight at once (each held 2 s by the storage).
			expect(emu.requests({ kind: 'storage', method: 'PUT' }).filter((r) => r.fault)).toHaveLength(12);
			await new Promise((resolve) => setImmediate(resolve));
		} finally {
			process.off('warning', onWarning);
			jest.restoreAllMocks();
		}
		expect(most).toBeGreaterThan(0);
		expect(most).toBeLessThanOrEqual(10);
		expect(warnings.filter((warning) => warning.name === 'MaxListenersExceededWarning')).toEqual([]);
	});
});
