import nock from 'nock';

import { TEST_API_KEY, TEST_BASE_URL, rl, runMasv } from '../../../tools/harness';
import { useNock } from '../../harness/offline';
import { PORTAL } from './fixtures';

describe('portal (nock)', () => {
	useNock();

	describe('getPackages', () => {
		const pkg = (id: string, state: string) => ({ id, name: id, state, access_token: `token-${id}`, size: 1 });

		it('sends no state flags unless set, returns the plain array without package tokens', async () => {
			const scope = nock(TEST_BASE_URL, { reqheaders: { 'x-api-key': TEST_API_KEY } })
				.get(`/v1/portals/${PORTAL}/packages`)
				.reply(200, [pkg('K1', 'finalized'), pkg('K2', 'expired')]);
			const { items, error } = await runMasv({
				resource: 'portal',
				operation: 'getPackages',
				portalId: rl(PORTAL),
				returnAll: true,
			});
			expect(error).toBeUndefined();
			expect(items).toEqual([
				{ json: { id: 'K1', name: 'K1', state: 'finalized', size: 1 }, pairedItem: { item: 0 } },
				{ json: { id: 'K2', name: 'K2', state: 'expired', size: 1 }, pairedItem: { item: 0 } },
			]);
			expect(JSON.stringify(items)).not.toContain('token-');
			scope.done();
		});

		it('sends the flags that are set, true or false; Limit cuts the list', async () => {
			const scope = nock(TEST_BASE_URL)
				.get(`/v1/portals/${PORTAL}/packages`)
				.query({ new: 'true', expired: 'false' })
				.reply(200, [pkg('K1', 'new'), pkg('K2', 'finalized'), pkg('K3', 'finalized')]);
			const { items, error } = await runMasv({
				resource: 'portal',
				operation: 'getPackages',
				portalId: rl(PORTAL),
				returnAll: false,
				limit: 2,
				filters: { new: true, expired: false },
			});
			expect(error).toBeUndefined();
			expect(items.map((item) => item.json.id)).toEqual(['K1', 'K2']);
			scope.done();
		});
	});
});
