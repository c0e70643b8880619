import nock from 'nock';

import { TEST_API_KEY, TEST_BASE_URL, rl, runMasv } from '../../../tools/harness';
import { useNock } from '../../harness/offline';
import { PORTAL, portal } from './fixtures';

describe('portal (nock)', () => {
	useNock();

	describe('get and delete', () => {
		it('get reads /v1.1/portals/{portalId}', async () => {
			const scope = nock(TEST_BASE_URL, { reqheaders: { 'x-api-key': TEST_API_KEY } })
				.get(`/v1.1/portals/${PORTAL}`)
				.reply(200, portal(PORTAL));
			const { items, error } = await runMasv({ resource: 'portal', operation: 'get', portalId: rl(PORTAL) });
			expect(error).toBeUndefined();
			expect(items).toEqual([{ json: portal(PORTAL), pairedItem: { item: 0 } }]);
			scope.done();
		});

		it('get of an unknown portal fails with MASV\'s 404 message', async () => {
			nock(TEST_BASE_URL).get(`/v1.1/portals/${PORTAL}`).reply(404, { code: 404, message: 'portal not found' });
			const { error } = await runMasv({ resource: 'portal', operation: 'get', portalId: PORTAL });
			expect(error?.message).toBe('portal not found');
			expect((error as { httpCode?: string }).httpCode).toBe('404');
			expect((error as { description?: string }).description).toMatch(/does not exist/);
		});

		it('get with an empty portal stops with an error naming the parameter', async () => {
			const { error } = await runMasv({ resource: 'portal', operation: 'get', portalId: rl('={{ $json.id }}') });
			expect(error?.message).toBe('The parameter "Portal" is empty');
		});
	});
});
