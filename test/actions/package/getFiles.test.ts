import nock from 'nock';

import { BACKOFF, DEFAULT_POLICY } from '../../../nodes/Masv/transport/retry';
import { useRetryTimings } from '../../harness/retries';
import { TEST_BASE_URL, rl, runMasv } from '../../../tools/harness';
import { useNock } from '../../harness/offline';
import { PKG, withToken, tokenLookup, tokenParams } from './fixtures';

describe('package', () => {
	useRetryTimings(BACKOFF, { baseDelayMs: 5, maxDelayMs: 20 });
	useRetryTimings(DEFAULT_POLICY, { windowMs: 300 });
	useNock();

	describe('package-token operations', () => {
		it('getFiles looks the token up, then lists the files with X-Package-Token and no API key', async () => {
			const lookup = tokenLookup();
			const files = [
				{ id: 'F1', kind: 'file', name: 'a.mov', path: '', size: 10 },
				{ id: 'F2', kind: 'file', name: 'b.mov', path: 'cam', size: 20 },
				{ id: 'Z1', kind: 'zip_windows', name: 'Dailies.zip', size: 30 },
			];
			const list = nock(TEST_BASE_URL, withToken()).get(`/v1/packages/${PKG}/files`).reply(200, files);
			const { items, error } = await runMasv(tokenParams('getFiles', { returnAll: true }));
			expect(error).toBeUndefined();
			lookup.done();
			list.done();
			expect(items).toEqual(files.map((json) => ({ json, pairedItem: { item: 0 } })));
		});

		it('getFiles with Options > Package Token skips the lookup, and Limit cuts the list', async () => {
			const list = nock(TEST_BASE_URL, withToken('given-token'))
				.get(`/v1/packages/${PKG}/files`)
				.reply(200, [{ id: 'F1' }, { id: 'F2' }, { id: 'F3' }]);
			// No lookup interceptor: a lookup would be refused by nock and fail the run.
			const { items, error } = await runMasv({
				resource: 'package',
				operation: 'getFiles',
				packageId: rl(PKG),
				limit: 2,
				options: { packageToken: ' given-token ' },
			});
			expect(error).toBeUndefined();
			list.done();
			expect(items.map((item) => item.json.id)).toEqual(['F1', 'F2']);
		});
	});
});
