import nock from 'nock';

import { BACKOFF, DEFAULT_POLICY } from '../../../nodes/Masv/transport/retry';
import { useRetryTimings } from '../../harness/retries';
import { TEST_BASE_URL, rl, runMasv } from '../../../tools/harness';
import { credentialsFor } from '../../../tools/harness/emulatorApi';
import { useNock } from '../../harness/offline';
import { PKG, TOKEN, withToken, tokenLookup, tokenParams } from './fixtures';
import { useEmulator } from '../../harness/emulator';

describe('package', () => {
	useRetryTimings(BACKOFF, { baseDelayMs: 5, maxDelayMs: 20 });
	useRetryTimings(DEFAULT_POLICY, { windowMs: 300 });
	useNock();

	describe('package-token operations', () => {
		it('finalize posts to the package\'s finalize route, without a body, with a JSON content type', async () => {
			const lookup = tokenLookup();
			let body: unknown;
			const call = nock(TEST_BASE_URL, withToken())
				.post(`/v1/packages/${PKG}/finalize`)
				.matchHeader('content-type', /application\/json/)
				.reply(200, (_uri, requestBody) => {
					body = requestBody;
					return { id: PKG, state: 'finalized', access_token: TOKEN };
				});
			const { items, error } = await runMasv(tokenParams('finalize'));
			expect(error).toBeUndefined();
			lookup.done();
			call.done();
			// docs/masv-api.md §6.9: no body, but still the JSON content type.
			expect(body).toBe('');
			expect(items).toEqual([{ json: { id: PKG, state: 'finalized' }, pairedItem: { item: 0 } }]);
		});

		it('finalize with an empty answer says what happened', async () => {
			tokenLookup();
			nock(TEST_BASE_URL, withToken()).post(`/v1/packages/${PKG}/finalize`).reply(200, '');
			const { items, error } = await runMasv(tokenParams('finalize'));
			expect(error).toBeUndefined();
			expect(items).toEqual([{ json: { id: PKG, finalized: true }, pairedItem: { item: 0 } }]);
		});
	});
});

describe('package against the emulator', () => {
	beforeAll(() => nock.enableNetConnect());
	const emu = useEmulator();

	it('a package created with no files cannot be finalized: MASV\'s 400 comes through', async () => {
		const credentials = credentialsFor(emu);
		const created = await runMasv(
			{ resource: 'package', operation: 'create', teamId: rl(emu.teamId), name: 'Empty', recipients: 'someone@example.com' },
			{ credentials },
		);
		expect(created.error).toBeUndefined();
		const id = created.items[0].json.id as string;
		expect(created.items[0].json).toMatchObject({ name: 'Empty', state: 'new' });
		expect(created.items[0].json.access_token).toBeUndefined();

		const finalized = await runMasv(
			{ resource: 'package', operation: 'finalize', teamId: rl(emu.teamId), packageId: rl(id) },
			{ credentials },
		);
		expect(finalized.error?.message).toBe('package must have at least 1 file');
		expect((finalized.error as { httpCode?: string }).httpCode).toBe('400');
		const finalize = emu.requests({ kind: 'api', method: 'POST', path: `/v1/packages/${id}/finalize` });
		expect(finalize).toHaveLength(1);
		expect(finalize[0].headers['x-package-token']).toBeTruthy();
		expect(finalize[0].headers['x-api-key']).toBeUndefined();
	});
});
