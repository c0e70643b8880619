import nock from 'nock';

import { TEST_API_KEY, TEST_BASE_URL, rl, runMasv } from '../../../tools/harness';
import { useNock } from '../../harness/offline';
import { TEAM, portals } from './fixtures';

describe('portal (nock)', () => {
	useNock();

	describe('getAll', () => {
		it('Return All walks the pages from 1 until metadata.total, each record once', async () => {
			const all = portals(1, 120);
			const query = { page: '1', limit: '50', name: 'Dai', subdomain: 'acme', tags: 'T1,T2', teamspaces: 'S1', sort: 'name' };
			const scope = nock(TEST_BASE_URL, { reqheaders: { 'x-api-key': TEST_API_KEY } })
				.get(`/v1.1/teams/${TEAM}/portals`)
				.query(query)
				.reply(200, { metadata: { total: 120 }, records: all.slice(0, 50) })
				.get(`/v1.1/teams/${TEAM}/portals`)
				.query({ ...query, page: '2' })
				.reply(200, { metadata: { total: 120 }, records: all.slice(50, 100) })
				.get(`/v1.1/teams/${TEAM}/portals`)
				.query({ ...query, page: '3' })
				.reply(200, { metadata: { total: 120 }, records: all.slice(100) });
			const { items, error } = await runMasv({
				resource: 'portal',
				operation: 'getAll',
				teamId: rl(TEAM),
				returnAll: true,
				filters: { name: 'Dai', subdomain: 'acme', tags: 'T1, T2', teamspaces: '={{ ["S1"] }}' },
				options: { sort: 'name' },
			});
			expect(error).toBeUndefined();
			expect(items.map((item) => item.json.id)).toEqual(all.map((p) => p.id));
			expect(items.every((item) => JSON.stringify(item.pairedItem) === '{"item":0}')).toBe(true);
			scope.done();
		});

		it('Return All stops at metadata.total even when the last page is full', async () => {
			const all = portals(1, 100);
			const scope = nock(TEST_BASE_URL)
				.get(`/v1.1/teams/${TEAM}/portals`)
				.query({ page: '1', limit: '50' })
				.reply(200, { metadata: { total: 100 }, records: all.slice(0, 50) })
				.get(`/v1.1/teams/${TEAM}/portals`)
				.query({ page: '2', limit: '50' })
				.reply(200, { metadata: { total: 100 }, records: all.slice(50) });
			const { items, error } = await runMasv({ resource: 'portal', operation: 'getAll', teamId: rl(TEAM), returnAll: true });
			expect(error).toBeUndefined();
			expect(items).toHaveLength(100);
			expect(new Set(items.map((item) => item.json.id)).size).toBe(100);
			scope.done();
		});

		it('Return All stops on a short page when MASV gives no total (bare array accepted)', async () => {
			const all = portals(1, 53);
			const scope = nock(TEST_BASE_URL)
				.get(`/v1.1/teams/${TEAM}/portals`)
				.query({ page: '1', limit: '50' })
				.reply(200, all.slice(0, 50))
				.get(`/v1.1/teams/${TEAM}/portals`)
				.query({ page: '2', limit: '50' })
				.reply(200, { records: all.slice(50) });
			const { items, error } = await runMasv({ resource: 'portal', operation: 'getAll', teamId: rl(TEAM), returnAll: true });
			expect(error).toBeUndefined();
			expect(items.map((item) => item.json.id)).toEqual(all.map((p) => p.id));
			scope.done();
		});

		it('Limit above 50 reads just enough pages and returns exactly Limit records', async () => {
			const all = portals(1, 200);
			const scope = nock(TEST_BASE_URL)
				.get(`/v1.1/teams/${TEAM}/portals`)
				.query({ page: '1', limit: '50' })
				.reply(200, { metadata: { total: 200 }, records: all.slice(0, 50) })
				.get(`/v1.1/teams/${TEAM}/portals`)
				.query({ page: '2', limit: '50' })
				.reply(200, { metadata: { total: 200 }, records: all.slice(50, 100) });
			const { items, error } = await runMasv({
				resource: 'portal',
				operation: 'getAll',
				teamId: rl(TEAM),
				returnAll: false,
				limit: 70,
			});
			expect(error).toBeUndefined();
			expect(items.map((item) => item.json.id)).toEqual(all.slice(0, 70).map((p) => p.id));
			scope.done();
		});

		it('a small Limit asks MASV for just that many', async () => {
			const scope = nock(TEST_BASE_URL)
				.get(`/v1.1/teams/${TEAM}/portals`)
				.query({ page: '1', limit: '3' })
				.reply(200, { metadata: { total: 200 }, records: portals(1, 3) });
			const { items, error } = await runMasv({ resource: 'portal', operation: 'getAll', teamId: rl(TEAM), limit: 3 });
			expect(error).toBeUndefined();
			expect(items).toHaveLength(3);
			scope.done();
		});

		it('a 5xx on a page fails the node with the status', async () => {
			nock(TEST_BASE_URL)
				.get(`/v1.1/teams/${TEAM}/portals`)
				.query({ page: '1', limit: '50' })
				.reply(200, { metadata: { total: 60 }, records: portals(1, 50) })
				.get(`/v1.1/teams/${TEAM}/portals`)
				.query({ page: '2', limit: '50' })
				.reply(500, { code: 500, message: 'internal error' });
			// A retry window of 0 gives up at once (retries: test/reliability).
			const { error, items } = await runMasv({ resource: 'portal', operation: 'getAll', teamId: rl(TEAM), returnAll: true, options: { retryWindowMinutes: 0 } });
			expect(items).toEqual([]);
			expect(error?.message).toBe('internal error');
			expect((error as { httpCode?: string }).httpCode).toBe('500');
		});

		it('with Continue On Fail a failed page becomes one error item', async () => {
			nock(TEST_BASE_URL)
				.get(`/v1.1/teams/${TEAM}/portals`)
				.query({ page: '1', limit: '50' })
				.reply(404, { code: 404, message: 'team not found' });
			const { error, items } = await runMasv(
				{ resource: 'portal', operation: 'getAll', teamId: rl(TEAM), returnAll: true },
				{ node: { continueOnFail: true } },
			);
			expect(error).toBeUndefined();
			expect(items).toEqual([{ json: { error: 'team not found', httpCode: '404' }, pairedItem: { item: 0 } }]);
		});
	});
});
