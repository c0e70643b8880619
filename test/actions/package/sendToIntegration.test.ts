import nock from 'nock';

import { BACKOFF, DEFAULT_POLICY } from '../../../nodes/Masv/transport/retry';
import { useRetryTimings } from '../../harness/retries';
import { TEST_BASE_URL, rl, runMasv } from '../../../tools/harness';
import { useNock } from '../../harness/offline';
import { PKG, CONNECTION, withToken, tokenLookup, tokenParams } from './fixtures';

describe('package', () => {
	useRetryTimings(BACKOFF, { baseDelayMs: 5, maxDelayMs: 20 });
	useRetryTimings(DEFAULT_POLICY, { windowMs: 300 });
	useNock();

	describe('package-token operations', () => {
		it('sendToIntegration posts the integration as cloud_connection_id', async () => {
			tokenLookup();
			const call = nock(TEST_BASE_URL, withToken())
				.post(`/v1/packages/${PKG}/transfer`, { cloud_connection_id: CONNECTION })
				.matchHeader('content-type', /application\/json/)
				.reply(201, { id: 'T9', state: 'pending' });
			const { items, error } = await runMasv(tokenParams('sendToIntegration', { integrationId: rl(CONNECTION) }));
			expect(error).toBeUndefined();
			call.done();
			expect(items).toEqual([{ json: { id: 'T9', state: 'pending' }, pairedItem: { item: 0 } }]);
		});
	});
});
