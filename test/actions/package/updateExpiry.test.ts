import nock from 'nock';

import { BACKOFF, DEFAULT_POLICY } from '../../../nodes/Masv/transport/retry';
import { useRetryTimings } from '../../harness/retries';
import { TEST_BASE_URL, runMasv } from '../../../tools/harness';
import { useNock } from '../../harness/offline';
import { PKG, TOKEN, withToken, tokenLookup, tokenParams } from './fixtures';

describe('package', () => {
	useRetryTimings(BACKOFF, { baseDelayMs: 5, maxDelayMs: 20 });
	useRetryTimings(DEFAULT_POLICY, { windowMs: 300 });
	useNock();

	describe('package-token operations', () => {
		it('updateExpiry with Unlimited Storage sends {unlimited_storage: true} only', async () => {
			tokenLookup();
			const call = nock(TEST_BASE_URL, withToken())
				.put(`/v1/packages/${PKG}/expiry`, (body) => JSON.stringify(body) === '{"unlimited_storage":true}')
				.reply(200, { id: PKG, unlimited_storage: true, access_token: TOKEN });
			const { items, error } = await runMasv(tokenParams('updateExpiry', { unlimitedStorage: true }));
			expect(error).toBeUndefined();
			call.done();
			expect(items).toEqual([{ json: { id: PKG, unlimited_storage: true }, pairedItem: { item: 0 } }]);
		});

		it.each([
			['2030-01-31T18:00:00Z', '2030-01-31T18:00:00.000Z'],
			['2030-01-31T18:00:00+01:00', '2030-01-31T17:00:00.000Z'],
			// No zone: the workflow's time zone (the harness runs with n8n's default, America/New_York).
			['2030-01-31T18:00:00', '2030-01-31T23:00:00.000Z'],
			['2030-07-31', '2030-07-31T04:00:00.000Z'],
		])('updateExpiry sends expiry %s as %s with unlimited_storage false', async (given, sent) => {
			tokenLookup();
			const call = nock(TEST_BASE_URL, withToken())
				.put(`/v1/packages/${PKG}/expiry`, { unlimited_storage: false, expiry: sent })
				.reply(200, {});
			const { items, error } = await runMasv(tokenParams('updateExpiry', { expiry: given }));
			expect(error).toBeUndefined();
			call.done();
			expect(items).toEqual([{ json: { id: PKG, unlimited_storage: false, expiry: sent }, pairedItem: { item: 0 } }]);
		});

		it('updateExpiry refuses Unlimited Storage and Expiry together, naming both, before any request', async () => {
			const { error } = await runMasv(tokenParams('updateExpiry', { unlimitedStorage: true, expiry: '2030-01-31T18:00:00Z' }));
			expect(error?.name).toBe('NodeOperationError');
			expect(error?.message).toMatch(/unlimitedStorage/);
			expect(error?.message).toMatch(/expiry/);
			expect(error?.message).toMatch(/cannot be used together/);
		});

		it('updateExpiry refuses neither, and a date that is not one', async () => {
			const neither = await runMasv(tokenParams('updateExpiry', {}));
			expect(neither.error?.name).toBe('NodeOperationError');
			expect(neither.error?.message).toMatch(/"Expiry" \(expiry\).*"Unlimited Storage" \(unlimitedStorage\)/);
			tokenLookup();
			const garbage = await runMasv(tokenParams('updateExpiry', { expiry: 'next tuesday-ish' }));
			expect(garbage.error?.name).toBe('NodeOperationError');
			expect(garbage.error?.message).toMatch(/"Expiry" \(expiry\) is not a valid date/);
		});
	});
});
