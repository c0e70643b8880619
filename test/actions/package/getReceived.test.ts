import nock from 'nock';

import { API_RETRY } from '../../../nodes/Masv/transport/request';
import { useRetryTimings } from '../../harness/retries';
import { TEST_BASE_URL, rl, runMasv } from '../../../tools/harness';
import { useNock } from '../../harness/offline';
import { TEAM, withKey, records } from './fixtures';

describe('package', () => {
	useRetryTimings(API_RETRY, { baseDelayMs: 5, maxDelayMs: 20 });
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
	});
});
