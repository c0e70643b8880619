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
		it('delete sends DELETE with the token and answers {deleted, id}', async () => {
			const lookup = tokenLookup();
			const call = nock(TEST_BASE_URL, withToken()).delete(`/v1/packages/${PKG}`).reply(204);
			const { items, error } = await runMasv(tokenParams('delete'));
			expect(error).toBeUndefined();
			lookup.done();
			call.done();
			expect(items).toEqual([{ json: { deleted: true, id: PKG }, pairedItem: { item: 0 } }]);
		});
	});
});
