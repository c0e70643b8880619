import nock from 'nock';

import { startEmulator } from './emulator';
import { TEST_BASE_URL, rl, runMasv } from './harness';
import { credentialsFor } from './harness/emulatorApi';

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

	it('never doubles records when a server counts pages from 1 where the list starts at 0', async () => {
		nock.disableNetConnect();
		const all = Array.from({ length: 60 }, (_, i) => ({ id: `S${i}` }));
		// Page 0 and page 1 both answer the first 50. Page 1 brings nothing new, so the walk stops there:
		// no page 2 is mocked, and a request for it would fail the run (net connect is off).
		const scope = nock(TEST_BASE_URL)
			.get(`/v1.1/teams/${TEAM}/spaces`)
			.query({ page: '0', limit: '50' })
			.reply(200, { metadata: { total: 60 }, teamspaces: all.slice(0, 50) })
			.get(`/v1.1/teams/${TEAM}/spaces`)
			.query({ page: '1', limit: '50' })
			.reply(200, { metadata: { total: 60 }, teamspaces: all.slice(0, 50) });
		const { items, error } = await runMasv({ resource: 'teamspace', operation: 'getAll', teamId: rl(TEAM), returnAll: true });
		expect(error).toBeUndefined();
		expect(items.map((item) => item.json.id)).toEqual(all.slice(0, 50).map((s) => s.id));
		scope.done();
		nock.cleanAll();
		nock.enableNetConnect();
	});
});
