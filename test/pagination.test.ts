import nock from 'nock';

import { startEmulator } from './emulator';
import { TEST_BASE_URL, rl, runMasv } from './harness';
import { credentialsFor } from './harness/emulatorApi';
import { loadOptionsContext } from './harness/loadOptions';
import { searchPortals, searchTeamspaces } from '../nodes/Masv/methods/listSearch';

const TEAM = '01FX8CYWMQAEGW8AYSNQRGAMRM';

describe('v1.1 pagination across page bases', () => {
	it('reads a Teamspace list of several pages from page 0 on the emulator, each record once', async () => {
		const emu = await startEmulator();
		try {
			const created: string[] = [];
			for (let i = 0; i < 120; i++) {
				const res = await fetch(`${emu.url}/v1/teams/${emu.seed.teamId}/spaces`, {
					method: 'POST',
					headers: { 'X-API-KEY': emu.apiKey, 'Content-Type': 'application/json' },
					body: JSON.stringify({ name: `Space ${i}` }),
				});
				expect(res.status).toBe(201);
				created.push(((await res.json()) as { id: string }).id);
			}
			emu.resetRequests();
			const { items, error } = await runMasv(
				{ resource: 'teamspace', operation: 'getAll', teamId: rl(emu.seed.teamId), returnAll: true },
				{ credentials: credentialsFor(emu) },
			);
			expect(error).toBeUndefined();
			const ids = items.map((item) => item.json.id as string);
			expect(new Set(ids).size).toBe(ids.length);
			expect(ids).toEqual(expect.arrayContaining([emu.seed.teamspaceId, ...created]));
			expect(ids).toHaveLength(121);
			const pages = emu.requests({ kind: 'api', path: /\/spaces$/ }).map((r) => r.query.page);
			expect(pages).toEqual(['0', '1', '2']);
		} finally {
			await emu.close();
		}
	});

	describe('servers with another page base (nock)', () => {
		/**
		 * A Teamspace list whose page 1 repeats page 0 (a server counting pages from 1 where the node
		 * starts at 0): pages 0 and 1 answer the first 50 of 60, page 2 the last 10. No page 3 is mocked,
		 * and with net connect off a request for it fails the run.
		 */
		function repeatedFirstPage(records: Array<{ id: string }>): nock.Scope {
			const scope = nock(TEST_BASE_URL);
			for (const [page, slice] of [['0', records.slice(0, 50)], ['1', records.slice(0, 50)], ['2', records.slice(50)]] as const) {
				scope.get(`/v1.1/teams/${TEAM}/spaces`).query({ page, limit: '50' }).reply(200, { metadata: { total: records.length }, teamspaces: slice });
			}
			return scope;
		}

		beforeEach(() => nock.disableNetConnect());
		afterEach(() => {
			nock.cleanAll();
			nock.enableNetConnect();
		});

		it('never doubles or loses records when a server counts pages from 1 where the list starts at 0', async () => {
			// Page 1 brings nothing new, yet the list may go on after it: page 2 brings the last 10, and
			// metadata.total ends the walk there.
			const all = Array.from({ length: 60 }, (_, i) => ({ id: `S${i}` }));
			const scope = repeatedFirstPage(all);
			const { items, error } = await runMasv({ resource: 'teamspace', operation: 'getAll', teamId: rl(TEAM), returnAll: true });
			expect(error).toBeUndefined();
			expect(items.map((item) => item.json.id)).toEqual(all.map((s) => s.id));
			scope.done();
		});

		it('stops after two pages with nothing new when a server ignores the page number', async () => {
			const first = Array.from({ length: 50 }, (_, i) => ({ id: `S${i}` }));
			// Every page answers the same 50 of 500: pages 1 and 2 bring nothing new, so page 3 is never
			// asked for (it is not mocked, and net connect is off).
			const scope = nock(TEST_BASE_URL)
				.get(`/v1.1/teams/${TEAM}/spaces`)
				.query({ page: /^[012]$/, limit: '50' })
				.times(3)
				.reply(200, { metadata: { total: 500 }, teamspaces: first });
			const { items, error } = await runMasv({ resource: 'teamspace', operation: 'getAll', teamId: rl(TEAM), returnAll: true });
			expect(error).toBeUndefined();
			expect(items.map((item) => item.json.id)).toEqual(first.map((s) => s.id));
			scope.done();
		});

		it('records without IDs are returned but cannot keep a walk going', async () => {
			// A server that ignores `page` and sends no total and no IDs (MASV's records all have one):
			// pages 0 and 1 bring no news, so page 2 is never asked for, where the walk used to go on
			// for as long as the server answered.
			const nameless = Array.from({ length: 50 }, (_, i) => ({ name: `Space ${i}` }));
			const scope = nock(TEST_BASE_URL)
				.get(`/v1.1/teams/${TEAM}/spaces`)
				.query({ page: /^[01]$/, limit: '50' })
				.times(2)
				.reply(200, { teamspaces: nameless });
			const { items, error } = await runMasv({ resource: 'teamspace', operation: 'getAll', teamId: rl(TEAM), returnAll: true });
			expect(error).toBeUndefined();
			expect(items).toHaveLength(100);
			scope.done();
		});

		it('the Teamspace and portal pickers walk the same way: each record once, none lost', async () => {
			const spaces = Array.from({ length: 60 }, (_, i) => ({ id: `S${i}`, name: `Space ${i}` }));
			const portals = Array.from({ length: 50 }, (_, i) => ({ id: `P${i}`, name: `Portal ${i}`, subdomain: `p${i}` }));
			const scope = repeatedFirstPage(spaces)
				// A full page of portals and no total: the next page is asked for, and its short answer ends it.
				.get(`/v1.1/teams/${TEAM}/portals`)
				.query({ page: '1', limit: '50' })
				.reply(200, { records: portals })
				.get(`/v1.1/teams/${TEAM}/portals`)
				.query({ page: '2', limit: '50' })
				.reply(200, { records: [] });
			const context = loadOptionsContext({ teamId: rl(TEAM) });
			const teamspaces = await searchTeamspaces.call(context);
			expect(teamspaces.results.map((result) => result.value)).toEqual(spaces.map((space) => space.id));
			const picked = await searchPortals.call(context, 'portal 4');
			expect(picked.results).toEqual([
				{ name: 'Portal 4 (p4)', value: 'P4' },
				...portals.slice(40).map((portal) => ({ name: `${portal.name} (${portal.subdomain})`, value: portal.id })),
			]);
			scope.done();
		});
	});
});
