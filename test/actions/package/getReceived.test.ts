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

	describe('getReceived', () => {
		it('lists the inbox from page 1, filtered by portal name', async () => {
			const scope = nock(TEST_BASE_URL, withKey)
				.get(`/v1.1/teams/${TEAM}/inbox`)
				.query({ page: '1', limit: '50', portal: 'Client Uploads', status: 'finalized' })
				.reply(200, { metadata: { total: 51 }, records: records(0, 50) })
				.get(`/v1.1/teams/${TEAM}/inbox`)
				.query({ page: '2', limit: '50', portal: 'Client Uploads', status: 'finalized' })
				.reply(200, { metadata: { total: 51 }, records: records(50, 1) });
			const { items, error } = await runMasv({
				resource: 'package',
				operation: 'getReceived',
				teamId: rl(TEAM),
				returnAll: true,
				filters: { portal: 'Client Uploads', status: ['finalized'] },
			});
			expect(error).toBeUndefined();
			scope.done();
			expect(items.map((item) => item.json.id)).toEqual(records(0, 51).map((r) => r.id));
			expect(JSON.stringify(items)).not.toContain('token-');
		});

		it('sends the team list\'s filters too: Teamspaces, expiry range, extended storage, dates with their time', async () => {
			const scope = nock(TEST_BASE_URL, withKey)
				.get(`/v1.1/teams/${TEAM}/inbox`)
				.query({
					page: '1',
					limit: '5',
					teamspaces: 'S1',
					expiry_start: '2024-03-01T00:00:00',
					expiry_end: '2024-03-31T23:59:59',
					created_at_start: '2024-01-02T08:00:00',
				})
				.reply(200, { metadata: { total: 1 }, records: records(0, 1) });
			const { items, error } = await runMasv({
				resource: 'package',
				operation: 'getReceived',
				teamId: rl(TEAM),
				returnAll: false,
				limit: 5,
				filters: { teamspaces: 'S1', expiryStart: '2024-03-01', expiryEnd: '2024-03-31', extraStorage: false, createdAtStart: '2024-01-02T08:00:00' },
			});
			expect(error).toBeUndefined();
			expect(items).toHaveLength(1);
			scope.done();
		});

		it('a date filter that is not a date stops the item, naming the filter', async () => {
			const { error } = await runMasv({
				resource: 'package',
				operation: 'getReceived',
				teamId: rl(TEAM),
				returnAll: true,
				filters: { expiryEnd: 'next week' },
			});
			expect(error?.message).toBe('"Filters > Expires Before" is not a date: next week');
		});
	});
});
