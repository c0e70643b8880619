import nock from 'nock';

import { TEST_BASE_URL, rl, runMasv } from '../../tools/harness';
import { credentialsFor } from '../../tools/harness/emulatorApi';
import { loadOptionsContext } from '../harness/loadOptions';
import { searchPortals, searchTeamspaces } from '../../nodes/Masv/methods/listSearch';
import { useEmulator } from '../harness/emulator';

const TEAM = '01FX8CYWMQAEGW8AYSNQRGAMRM';

const spaces = (count: number, withIds: boolean) =>
	Array.from({ length: count }, (_, i) => (withIds ? { id: `S${i}`, name: `Space ${i}` } : { name: `Space ${i}` }));

describe('v1.1 pagination across page bases', () => {
	describe('on the emulator', () => {
		const emu = useEmulator();

		it('reads a Teamspace list of several pages from page 0 on the emulator, each record once', async () => {
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
		});
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

		it('Limit reads past the repeated page too, and returns exactly Limit records', async () => {
			const all = Array.from({ length: 60 }, (_, i) => ({ id: `S${i}` }));
			const scope = repeatedFirstPage(all);
			const { items, error } = await runMasv({ resource: 'teamspace', operation: 'getAll', teamId: rl(TEAM), returnAll: false, limit: 55 });
			expect(error).toBeUndefined();
			expect(items.map((item) => item.json.id)).toEqual(all.slice(0, 55).map((s) => s.id));
			scope.done();
		});

		// A server that ignores the page number answers every page alike. Two pages in a row with no
		// new ID end the walk; the page after them is never asked for (it is not mocked, and net
		// connect is off). Records without an ID (MASV's all have one) are returned but are no news,
		// where such a walk used to go on for as long as the server answered.
		it.each([
			{ records: 'the same 50 of 500, with IDs', page: { metadata: { total: 500 }, teamspaces: spaces(50, true) }, pages: 3, items: 50 },
			{ records: '50 without IDs, no total', page: { teamspaces: spaces(50, false) }, pages: 2, items: 100 },
		])('a server that ignores the page number and answers $records: $pages pages read', async ({ page, pages, items: expected }) => {
			const scope = nock(TEST_BASE_URL)
				.get(`/v1.1/teams/${TEAM}/spaces`)
				.query((query) => query.limit === '50' && Number(query.page) < pages)
				.times(pages)
				.reply(200, page);
			const { items, error } = await runMasv({ resource: 'teamspace', operation: 'getAll', teamId: rl(TEAM), returnAll: true });
			expect(error).toBeUndefined();
			expect(items).toHaveLength(expected);
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
