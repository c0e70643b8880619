import nock from 'nock';

import { TEST_BASE_URL, rl, runMasv } from '../../../tools/harness';
import { credentialsFor } from '../../../tools/harness/emulatorApi';
import { BACKOFF, DEFAULT_POLICY } from '../../../nodes/Masv/transport/retry';
import { useRetryTimings } from '../../harness/retries';
import { useNock } from '../../harness/offline';
import { PKG, TOKEN, continueOnFail, withToken, tokenLookup, tokenParams } from './fixtures';
import { useEmulator } from '../../harness/emulator';

const answers = [
	{ name: 'project_code', value: 'ABC-123', label: 'Project code' },
	{ name: 'deadline', value: '2030-01-31' },
];

describe('package', () => {
	describe('getMetadata (nock)', () => {
		useRetryTimings(BACKOFF, { baseDelayMs: 5, maxDelayMs: 20 });
		useRetryTimings(DEFAULT_POLICY, { windowMs: 300 });
		useNock();

		it('reads the metadata with the package token only; the full output keeps the fields and adds values by name', async () => {
			tokenLookup();
			const call = nock(TEST_BASE_URL, withToken()).get(`/v1/packages/${PKG}/metadata`).reply(200, { fields: answers });
			const { items, error } = await runMasv(tokenParams('getMetadata', { simplify: false }));
			expect(error).toBeUndefined();
			call.done();
			expect(items).toEqual([
				{
					json: { package_id: PKG, fields: answers, values: { project_code: 'ABC-123', deadline: '2030-01-31' } },
					pairedItem: { item: 0 },
				},
			]);
		});

		it('Simplify (default) keeps the package ID and the values; an answer without fields is no answers', async () => {
			const call = nock(TEST_BASE_URL, withToken('given-token')).get(`/v1/packages/${PKG}/metadata`).reply(200, {});
			const { items, error } = await runMasv(tokenParams('getMetadata', { teamId: '', options: { packageToken: 'given-token' } }));
			expect(error).toBeUndefined();
			call.done();
			expect(items).toEqual([{ json: { package_id: PKG, values: {} }, pairedItem: { item: 0 } }]);
		});

		it('a refused call is a NodeApiError with MASV\'s message and status; Continue On Fail gives an error item', async () => {
			tokenLookup(2);
			nock(TEST_BASE_URL, withToken()).get(`/v1/packages/${PKG}/metadata`).times(2).reply(403, { code: 403, message: 'token not allowed' });
			const failed = await runMasv(tokenParams('getMetadata'));
			expect(failed.error?.message).toBe('token not allowed');
			expect((failed.error as { httpCode?: string }).httpCode).toBe('403');
			const kept = await runMasv(tokenParams('getMetadata'), continueOnFail);
			expect(kept.items).toEqual([{ json: { error: 'token not allowed' }, pairedItem: { item: 0 } }]);
			expect(JSON.stringify([failed.error, kept.items])).not.toContain(TOKEN);
		});
	});

	describe('getMetadata (emulator)', () => {
		const emu = useEmulator();

		it('getMetadata (emulator): the form answers of a package', async () => {
			const res = await fetch(`${emu.url}/v1/teams/${emu.seed.teamId}/packages`, {
				method: 'POST',
				headers: { 'X-API-KEY': emu.apiKey, 'Content-Type': 'application/json' },
				body: JSON.stringify({ name: 'With answers', description: '', recipients: [] }),
			});
			const pkg = (await res.json()) as { id: string };
			emu.admin.setPackageMetadata(pkg.id, [{ name: 'project_code', value: 'XYZ-9' }]);
			const { items, error } = await runMasv(
				{ resource: 'package', operation: 'getMetadata', teamId: rl(emu.seed.teamId), packageId: rl(pkg.id) },
				{ credentials: credentialsFor(emu) },
			);
			expect(error).toBeUndefined();
			expect(items).toEqual([{ json: { package_id: pkg.id, values: { project_code: 'XYZ-9' } }, pairedItem: { item: 0 } }]);
		});
	});
});
