import nock from 'nock';

import { BACKOFF, DEFAULT_POLICY } from '../../../nodes/Masv/transport/retry';
import { useRetryTimings } from '../../harness/retries';
import { TEST_BASE_URL, rl, runMasv } from '../../../tools/harness';
import { useNock } from '../../harness/offline';
import { TEAM, withKey, records } from './fixtures';

describe('package', () => {
	useRetryTimings(BACKOFF, { baseDelayMs: 5, maxDelayMs: 20 });
	useRetryTimings(DEFAULT_POLICY, { windowMs: 300 });
	useNock();

	describe('getAll', () => {
		it('Return All walks the pages from 1 with every filter (dates with their time), each record once, and stops on metadata.total', async () => {
			const query = {
				limit: '50',
				status: 'new,finalized',
				name: 'dailies',
				sender: 'me@example.com',
				tags: 'TAG1,TAG2',
				created_at_start: '2024-01-02T10:00:00',
				created_at_end: '2024-02-29T23:59:59',
				expiry_start: '2024-03-01T00:00:00',
				expiry_end: '2024-03-31T12:00:00',
				extra_storage: 'true',
				teamspaces: 'S1,S2',
				sort: '-size',
			};
			const scope = nock(TEST_BASE_URL, withKey)
				.get(`/v1.1/teams/${TEAM}/packages`)
				.query({ ...query, page: '1' })
				.reply(200, { metadata: { total: 100 }, records: records(0, 50) })
				.get(`/v1.1/teams/${TEAM}/packages`)
				.query({ ...query, page: '2' })
				.reply(200, { metadata: { total: 100 }, records: records(50, 50) });
			const { items, error } = await runMasv({
				resource: 'package',
				operation: 'getAll',
				teamId: rl(TEAM),
				returnAll: true,
				filters: {
					status: ['new', 'finalized'],
					name: 'dailies',
					sender: 'me@example.com',
					tags: ' TAG1, TAG2 ',
					createdAtStart: '2024-01-02T10:00:00',
					createdAtEnd: '2024-02-29',
					expiryStart: '2024-03-01',
					expiryEnd: '2024-03-31T14:00:00+02:00',
					extraStorage: true,
					teamspaces: 'S1,S2',
				},
				options: { sort: '-size' },
			});
			expect(error).toBeUndefined();
			// A third page would be an unmatched request: nock refuses it and the run fails.
			scope.done();
			expect(items.map((item) => item.json.id)).toEqual(records(0, 100).map((r) => r.id));
			expect(items.every((item) => item.json.access_token === undefined)).toBe(true);
			expect(items.every((item) => (item.pairedItem as { item: number }).item === 0)).toBe(true);
		});

		it('Return All accepts bare arrays and stops on a short page', async () => {
			const scope = nock(TEST_BASE_URL)
				.get(`/v1.1/teams/${TEAM}/packages`)
				.query({ page: '1', limit: '50' })
				.reply(200, records(0, 50))
				.get(`/v1.1/teams/${TEAM}/packages`)
				.query({ page: '2', limit: '50' })
				.reply(200, records(50, 7));
			const { items, error } = await runMasv({ resource: 'package', operation: 'getAll', teamId: rl(TEAM), returnAll: true });
			expect(error).toBeUndefined();
			scope.done();
			expect(items.map((item) => item.json.id)).toEqual(records(0, 57).map((r) => r.id));
		});

		it('Limit above 50 reads several pages and returns exactly that many', async () => {
			const scope = nock(TEST_BASE_URL)
				.get(`/v1.1/teams/${TEAM}/packages`)
				.query({ page: '1', limit: '50' })
				.reply(200, { metadata: { total: 500 }, records: records(0, 50) })
				.get(`/v1.1/teams/${TEAM}/packages`)
				.query({ page: '2', limit: '50' })
				.reply(200, { metadata: { total: 500 }, records: records(50, 50) })
				.get(`/v1.1/teams/${TEAM}/packages`)
				.query({ page: '3', limit: '50' })
				.reply(200, { metadata: { total: 500 }, records: records(100, 50) });
			const { items, error } = await runMasv({ resource: 'package', operation: 'getAll', teamId: rl(TEAM), returnAll: false, limit: 120 });
			expect(error).toBeUndefined();
			scope.done();
			expect(items.map((item) => item.json.id)).toEqual(records(0, 120).map((r) => r.id));
		});

		it('a small Limit asks for one page of that size', async () => {
			const scope = nock(TEST_BASE_URL)
				.get(`/v1.1/teams/${TEAM}/packages`)
				.query({ page: '1', limit: '7' })
				.reply(200, { metadata: { total: 500 }, records: records(0, 7) });
			const { items, error } = await runMasv({ resource: 'package', operation: 'getAll', teamId: rl(TEAM), limit: 7 });
			expect(error).toBeUndefined();
			scope.done();
			expect(items).toHaveLength(7);
		});
	});
});
