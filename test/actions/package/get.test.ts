import nock from 'nock';

import { BACKOFF, DEFAULT_POLICY } from '../../../nodes/Masv/transport/retry';
import { useRetryTimings } from '../../harness/retries';
import { TEST_API_KEY, TEST_BASE_URL, rl, runMasv } from '../../../tools/harness';
import { useNock } from '../../harness/offline';
import { TEAM, PKG, TOKEN, withKey, continueOnFail } from './fixtures';

describe('package', () => {
	useRetryTimings(BACKOFF, { baseDelayMs: 5, maxDelayMs: 20 });
	useRetryTimings(DEFAULT_POLICY, { windowMs: 300 });
	useNock();

	describe('get', () => {
		it('reads the package through v1.1 with the API key, from a locator or a plain ID, without its token', async () => {
			const scope = nock(TEST_BASE_URL, withKey)
				.get(`/v1.1/teams/${TEAM}/packages/${PKG}`)
				.times(2)
				.reply(200, {
					id: PKG,
					state: 'finalized',
					access_token: TOKEN,
					progress_channels: [{ provider: 'pubnub', topic: 'zip', auth: { token: 'pubnub-secret', channel_name: 'proc.zip.x' } }],
				});
			for (const packageId of [rl(PKG), PKG]) {
				const { items, error } = await runMasv({ resource: 'package', operation: 'get', teamId: rl(TEAM), packageId, simplify: false });
				expect(error).toBeUndefined();
				expect(items).toEqual([
					{
						json: {
							id: PKG,
							state: 'finalized',
							progress_channels: [{ provider: 'pubnub', topic: 'zip', auth: { channel_name: 'proc.zip.x' } }],
						},
						pairedItem: { item: 0 },
					},
				]);
			}
			scope.done();
		});

		it('a 404 shows MASV\'s message and the status', async () => {
			nock(TEST_BASE_URL).get(`/v1.1/teams/${TEAM}/packages/${PKG}`).reply(404, { code: 404, message: 'package not found' });
			const { error } = await runMasv({ resource: 'package', operation: 'get', teamId: rl(TEAM), packageId: rl(PKG) });
			expect(error?.message).toBe('package not found');
			expect((error as { httpCode?: string }).httpCode).toBe('404');
		});

		it('a 401 says the API key was refused, without the key', async () => {
			nock(TEST_BASE_URL).get(`/v1.1/teams/${TEAM}/packages/${PKG}`).reply(401, { code: 401, message: 'invalid api key' });
			const { error } = await runMasv({ resource: 'package', operation: 'get', teamId: rl(TEAM), packageId: rl(PKG) });
			expect(error?.message).toMatch(/API key was refused.*invalid api key/);
			expect((error as { httpCode?: string }).httpCode).toBe('401');
			expect(JSON.stringify(error)).not.toContain(TEST_API_KEY);
		});

		it('a lasting 5xx fails with the status', async () => {
			nock(TEST_BASE_URL)
				.get(`/v1.1/teams/${TEAM}/packages/${PKG}`)
				.times(1000)
				.reply(500, 'upstream exploded');
			const { error } = await runMasv({ resource: 'package', operation: 'get', teamId: rl(TEAM), packageId: rl(PKG) });
			expect(error?.message).toBe('upstream exploded');
			expect((error as { httpCode?: string }).httpCode).toBe('500');
		});

		it('Continue On Fail turns a failure into an error item paired with its input', async () => {
			const other = '01ENX9B1J68NT9Y4QHXD7T0X6T';
			nock(TEST_BASE_URL).get(`/v1.1/teams/${TEAM}/packages/${PKG}`).reply(200, { id: PKG });
			nock(TEST_BASE_URL).get(`/v1.1/teams/${TEAM}/packages/${other}`).reply(404, { code: 404, message: 'package not found' });
			const { items, error } = await runMasv(
				{ resource: 'package', operation: 'get', teamId: rl(TEAM), packageId: '={{ $json.id }}' },
				{ ...continueOnFail, input: [{ json: { id: PKG } }, { json: { id: other } }] },
			);
			expect(error).toBeUndefined();
			expect(items).toEqual([
				{ json: { id: PKG }, pairedItem: { item: 0 } },
				{ json: { error: 'package not found', httpCode: '404' }, pairedItem: { item: 1 } },
			]);
		});
	});
});
