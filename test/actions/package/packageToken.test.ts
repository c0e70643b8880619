// The package token of the package-token operations (actions/package/common.ts): one lookup per
// item, and what a refused or missing token, a retried call and Continue On Fail give.
import nock from 'nock';

import { BACKOFF, DEFAULT_POLICY } from '../../../nodes/Masv/transport/retry';
import { useRetryTimings } from '../../harness/retries';
import { TEST_BASE_URL, rl, runMasv } from '../../../tools/harness';
import { useNock } from '../../harness/offline';
import { TEAM, PKG, TOKEN, CONNECTION, withKey, withToken, tokenLookup, tokenParams, continueOnFail } from './fixtures';

describe('package', () => {
	useRetryTimings(BACKOFF, { baseDelayMs: 5, maxDelayMs: 20 });
	useRetryTimings(DEFAULT_POLICY, { windowMs: 300 });
	useNock();

	describe('package-token operations', () => {
		it('several items each get their own token lookup and call, paired in order', async () => {
			const other = '01ENX9B1J68NT9Y4QHXD7T0X6T';
			const lookups = nock(TEST_BASE_URL, withKey)
				.get(`/v1.1/teams/${TEAM}/packages/${PKG}`)
				.reply(200, { id: PKG, access_token: 'token-a' })
				.get(`/v1.1/teams/${TEAM}/packages/${other}`)
				.reply(200, { id: other, access_token: 'token-b' });
			const deletes = nock(TEST_BASE_URL, withToken('token-a'))
				.delete(`/v1/packages/${PKG}`)
				.reply(204);
			const deletesB = nock(TEST_BASE_URL, withToken('token-b'))
				.delete(`/v1/packages/${other}`)
				.reply(204);
			const { items, error } = await runMasv(
				{ resource: 'package', operation: 'delete', teamId: rl(TEAM), packageId: '={{ $json.id }}' },
				{ input: [{ json: { id: PKG } }, { json: { id: other } }] },
			);
			expect(error).toBeUndefined();
			lookups.done();
			deletes.done();
			deletesB.done();
			expect(items).toEqual([
				{ json: { deleted: true, id: PKG }, pairedItem: { item: 0 } },
				{ json: { deleted: true, id: other }, pairedItem: { item: 1 } },
			]);
		});
	});

	describe('package-token errors', () => {
		it('a refused token (401) says so, with MASV\'s message, without the token', async () => {
			tokenLookup();
			nock(TEST_BASE_URL).get(`/v1/packages/${PKG}/files`).reply(401, { code: 401, message: 'token expired' });
			const { error } = await runMasv(tokenParams('getFiles'));
			expect(error?.message).toMatch(/package token was refused.*token expired/);
			expect((error as { httpCode?: string }).httpCode).toBe('401');
			expect(JSON.stringify(error)).not.toContain(TOKEN);
		});

		it('a 404 on the lookup stops before the package call, with MASV\'s message', async () => {
			nock(TEST_BASE_URL).get(`/v1.1/teams/${TEAM}/packages/${PKG}`).reply(404, { code: 404, message: 'package not found' });
			const { error } = await runMasv(tokenParams('finalize'));
			expect(error?.message).toBe('package not found');
			expect((error as { httpCode?: string }).httpCode).toBe('404');
		});

		it('a package without an access token asks for Options > Package Token', async () => {
			nock(TEST_BASE_URL).get(`/v1.1/teams/${TEAM}/packages/${PKG}`).reply(200, { id: PKG });
			const { error } = await runMasv(tokenParams('getFiles'));
			expect(error?.message).toMatch(/without an access token/);
			expect((error as { description?: string }).description).toMatch(/Package Token/);
		});

		it('a 502 then 200 on a GET succeeds after a retry', async () => {
			tokenLookup();
			const call = nock(TEST_BASE_URL, withToken())
				.get(`/v1/packages/${PKG}/files`)
				.reply(502, 'bad gateway')
				.get(`/v1/packages/${PKG}/files`)
				.reply(200, [{ id: 'F1' }]);
			const { items, error } = await runMasv(tokenParams('getFiles'));
			expect(error).toBeUndefined();
			call.done();
			expect(items.map((item) => item.json.id)).toEqual(['F1']);
		});

		it('a 500 on every attempt fails with the status once the retry window is spent', async () => {
			tokenLookup();
			let calls = 0;
			nock(TEST_BASE_URL)
				.get(`/v1/packages/${PKG}/files`)
				.times(1000)
				.reply(() => {
					calls++;
					return [500, { code: 500, message: 'internal error' }];
				});
			const startedAt = Date.now();
			const { error } = await runMasv(tokenParams('getFiles'));
			const took = Date.now() - startedAt;
			nock.cleanAll();
			expect(calls).toBeGreaterThan(2);
			// The window (300 ms here) bounds the retries, not a count of tries.
			expect(took).toBeGreaterThanOrEqual(300);
			expect(took).toBeLessThan(3000);
			expect(error?.message).toBe('internal error');
			expect((error as { httpCode?: string }).httpCode).toBe('500');
			expect((error as { description?: string }).description).toMatch(/retried for \d+ s \(\d+ tries\) and gave up/);
		});

		it('sendToIntegration is not repeated blindly after a 500 (a second transfer could start): read back first', async () => {
			tokenLookup();
			nock(TEST_BASE_URL).post(`/v1/packages/${PKG}/transfer`).reply(500, { message: 'internal error' });
			// docs/reliability.md "Creates": no transfer to this connection since the call, so none was made.
			const readBack = nock(TEST_BASE_URL)
				.get(`/v1/packages/${PKG}/transfer`)
				.reply(200, [{ id: 'T0', cloud_connection_id: CONNECTION, direction: 'masv_to_cloud', created_at: '2020-01-01T00:00:00Z' }]);
			const spare = nock(TEST_BASE_URL).post(`/v1/packages/${PKG}/transfer`).reply(201, { id: 'T2' });
			const { items, error } = await runMasv(tokenParams('sendToIntegration', { integrationId: CONNECTION }));
			expect(error).toBeUndefined();
			expect(readBack.isDone()).toBe(true);
			expect(spare.isDone()).toBe(true);
			expect(items[0].json).toMatchObject({ id: 'T2' });
		});

		it('Continue On Fail gives an error item paired with the failed input and goes on', async () => {
			const other = '01ENX9B1J68NT9Y4QHXD7T0X6T';
			nock(TEST_BASE_URL).get(`/v1.1/teams/${TEAM}/packages/${other}`).reply(404, { code: 404, message: 'package not found' });
			tokenLookup();
			nock(TEST_BASE_URL, withToken()).get(`/v1/packages/${PKG}/transfer`).reply(200, [{ id: 'T1' }]);
			const { items, error } = await runMasv(
				{ resource: 'package', operation: 'getTransfers', teamId: rl(TEAM), packageId: '={{ $json.id }}' },
				{ ...continueOnFail, input: [{ json: { id: other } }, { json: { id: PKG } }] },
			);
			expect(error).toBeUndefined();
			expect(items).toEqual([
				{ json: { error: 'package not found' }, pairedItem: { item: 0 } },
				{ json: { id: 'T1' }, pairedItem: { item: 1 } },
			]);
		});

		it('Continue On Fail also covers a parameter mistake', async () => {
			const { items, error } = await runMasv(tokenParams('updateExpiry', { unlimitedStorage: true, expiry: '2030-01-01' }), continueOnFail);
			expect(error).toBeUndefined();
			expect(items).toHaveLength(1);
			expect(items[0].json.error).toMatch(/cannot be used together/);
			expect(items[0].pairedItem).toEqual({ item: 0 });
		});
	});
});
