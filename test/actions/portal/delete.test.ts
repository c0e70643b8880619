import nock from 'nock';

import { TEST_API_KEY, TEST_BASE_URL, rl, runMasv } from '../../../tools/harness';
import { useNock } from '../../harness/offline';
import { PORTAL } from './fixtures';

describe('portal (nock)', () => {
	useNock();

	describe('get and delete', () => {
		it('delete answers {deleted: true} for a 204 and an empty 200', async () => {
			const scope = nock(TEST_BASE_URL, { reqheaders: { 'x-api-key': TEST_API_KEY } })
				.delete(`/v1/portals/${PORTAL}`)
				.reply(204)
				.delete(`/v1/portals/${PORTAL}`)
				.reply(200);
			for (let run = 0; run < 2; run++) {
				const { items, error } = await runMasv({ resource: 'portal', operation: 'delete', portalId: rl(PORTAL) });
				expect(error).toBeUndefined();
				expect(items).toEqual([{ json: { deleted: true }, pairedItem: { item: 0 } }]);
			}
			scope.done();
		});

		it('with Continue On Fail a failed delete is an error item paired with its input', async () => {
			const scope = nock(TEST_BASE_URL)
				.delete('/v1/portals/P1')
				.reply(204)
				.delete('/v1/portals/P2')
				.reply(403, { code: 403, message: 'not allowed' });
			const { items, error } = await runMasv(
				{ resource: 'portal', operation: 'delete', portalId: '={{ $json.id }}' },
				{ input: [{ json: { id: 'P1' } }, { json: { id: 'P2' } }], node: { continueOnFail: true } },
			);
			expect(error).toBeUndefined();
			expect(items).toEqual([
				{ json: { deleted: true }, pairedItem: { item: 0 } },
				{ json: { error: 'not allowed', httpCode: '403' }, pairedItem: { item: 1 } },
			]);
			scope.done();
		});
	});
});
