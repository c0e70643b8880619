import nock from 'nock';

import { BACKOFF, DEFAULT_POLICY } from '../../../nodes/Masv/transport/retry';
import { useRetryTimings } from '../../harness/retries';
import { TEST_BASE_URL, rl, runMasv } from '../../../tools/harness';
import { useNock } from '../../harness/offline';
import { TEAM, PKG, TOKEN, withKey } from './fixtures';

describe('package', () => {
	useRetryTimings(BACKOFF, { baseDelayMs: 5, maxDelayMs: 20 });
	useRetryTimings(DEFAULT_POLICY, { windowMs: 300 });
	useNock();

	describe('create', () => {
		it('posts name, description and comma-separated recipients as an array, with the API key', async () => {
			let body: unknown;
			const scope = nock(TEST_BASE_URL, withKey)
				.post(`/v1/teams/${TEAM}/packages`)
				.matchHeader('content-type', /application\/json/)
				.reply(201, (_uri, requestBody) => {
					body = requestBody;
					return { id: PKG, name: 'Dailies', state: 'new', access_token: TOKEN, links: [] };
				});
			const { items, error } = await runMasv({
				resource: 'package',
				operation: 'create',
				teamId: rl(TEAM),
				name: 'Dailies',
				description: 'Day 3',
				recipients: ' editor@example.com, producer@example.com ,, ',
				additionalFields: { password: 'hunter2', accessLimit: 3 },
			});
			expect(error).toBeUndefined();
			scope.done();
			expect(body).toEqual({
				name: 'Dailies',
				description: 'Day 3',
				recipients: ['editor@example.com', 'producer@example.com'],
				password: 'hunter2',
				access_limit: 3,
			});
			expect(items).toEqual([
				{ json: { id: PKG, name: 'Dailies', state: 'new', links: [] }, pairedItem: { item: 0 } },
			]);
			expect(JSON.stringify(items)).not.toContain(TOKEN);
		});

		it('takes recipients from an expression array, sends [] when there are none, one call per item', async () => {
			const bodies: unknown[] = [];
			const scope = nock(TEST_BASE_URL, withKey)
				.post(`/v1/teams/${TEAM}/packages`)
				.times(2)
				.reply(201, (_uri, requestBody) => {
					bodies.push(requestBody);
					return { id: (requestBody as { name: string }).name, state: 'new' };
				});
			const { items, error } = await runMasv(
				{
					resource: 'package',
					operation: 'create',
					teamId: TEAM,
					name: '={{ $json.title }}',
					recipients: '={{ $json.to }}',
				},
				{ input: [{ json: { title: 'A', to: ['a@example.com', ' b@example.com'] } }, { json: { title: 'B', to: '' } }] },
			);
			expect(error).toBeUndefined();
			scope.done();
			expect(bodies).toEqual(
				expect.arrayContaining([
					{ name: 'A', description: '', recipients: ['a@example.com', 'b@example.com'] },
					{ name: 'B', description: '', recipients: [] },
				]),
			);
			expect(items.map((item) => [item.json.id, item.pairedItem])).toEqual([
				['A', { item: 0 }],
				['B', { item: 1 }],
			]);
		});

		it('a validation error carries MASV\'s messages and the HTTP status', async () => {
			nock(TEST_BASE_URL)
				.post(`/v1/teams/${TEAM}/packages`)
				.reply(422, { code: 422, message: 'validation failed', errors: [{ msg: 'invalid email: x' }] });
			const { error } = await runMasv({ resource: 'package', operation: 'create', teamId: rl(TEAM), name: 'X', recipients: 'x' });
			expect(error?.message).toBe('validation failed');
			expect((error as { httpCode?: string }).httpCode).toBe('422');
		});
	});
});
