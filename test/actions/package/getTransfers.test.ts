import nock from 'nock';

import { BACKOFF, DEFAULT_POLICY } from '../../../nodes/Masv/transport/retry';
import { useRetryTimings } from '../../harness/retries';
import { TEST_BASE_URL, runMasv } from '../../../tools/harness';
import { useNock } from '../../harness/offline';
import { PKG, withToken, tokenLookup, tokenParams } from './fixtures';

describe('package', () => {
	useRetryTimings(BACKOFF, { baseDelayMs: 5, maxDelayMs: 20 });
	useRetryTimings(DEFAULT_POLICY, { windowMs: 300 });
	useNock();

	describe('package-token operations', () => {
		it('getTransfers lists the transfers, one item each', async () => {
			tokenLookup();
			const call = nock(TEST_BASE_URL, withToken())
				.get(`/v1/packages/${PKG}/transfer`)
				.reply(200, [
					{ id: 'T1', state: 'completed' },
					{ id: 'T2', state: 'pending' },
				]);
			const { items, error } = await runMasv(tokenParams('getTransfers'));
			expect(error).toBeUndefined();
			call.done();
			expect(items).toEqual([
				{ json: { id: 'T1', state: 'completed' }, pairedItem: { item: 0 } },
				{ json: { id: 'T2', state: 'pending' }, pairedItem: { item: 0 } },
			]);
		});
	});
});
