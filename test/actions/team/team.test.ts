import nock from 'nock';

import { TEST_API_KEY, TEST_BASE_URL, rl, runMasv } from '../../../tools/harness';
import { useNock } from '../../harness/offline';

const TEAM = '01FX8CYWMQAEGW8AYSNQRGAMRM';

describe('team', () => {
	useNock();

	it('getAll lists the teams of the API key, one item each', async () => {
		const scope = nock(TEST_BASE_URL, { reqheaders: { 'x-api-key': TEST_API_KEY } })
			.get('/v1/teams')
			.reply(200, [
				{ id: TEAM, name: 'Post House' },
				{ id: '01FX8CYWMQAEGW8AYSNQRGAMRN', name: 'Archive' },
			]);
		const { items, error } = await runMasv({ resource: 'team', operation: 'getAll', returnAll: true });
		expect(error).toBeUndefined();
		expect(items.map((item) => item.json.name)).toEqual(['Post House', 'Archive']);
		expect(items.every((item) => item.pairedItem !== undefined)).toBe(true);
		scope.done();
	});

	it('getMembers takes the team from a resource locator, and Limit cuts the list', async () => {
		const scope = nock(TEST_BASE_URL)
			.get(`/v1/teams/${TEAM}/members`)
			.reply(200, [{ id: 'm1' }, { id: 'm2' }, { id: 'm3' }]);
		const { items, error } = await runMasv({
			resource: 'team',
			operation: 'getMembers',
			teamId: rl(TEAM),
			returnAll: false,
			limit: 2,
		});
		expect(error).toBeUndefined();
		expect(items.map((item) => item.json.id)).toEqual(['m1', 'm2']);
		scope.done();
	});

	it('a 401 says the API key was refused, with the HTTP status and without the key', async () => {
		nock(TEST_BASE_URL).get('/v1/teams').reply(401, { code: 401, message: 'invalid api key' });
		const { error } = await runMasv({ resource: 'team', operation: 'getAll', returnAll: true });
		expect(error?.message).toMatch(/API key was refused/);
		expect(error?.message).toMatch(/invalid api key/);
		expect((error as { httpCode?: string }).httpCode).toBe('401');
		expect(JSON.stringify(error)).not.toContain(TEST_API_KEY);
	});
});
