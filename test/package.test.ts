import nock from 'nock';

import { BACKOFF, DEFAULT_POLICY } from '../nodes/Masv/api/retry';
import { useRetryTimings } from './harness/retries';
import { startEmulator } from './emulator';
import type { Emulator } from './emulator';
import { TEST_API_KEY, TEST_BASE_URL, rl, runMasv } from './harness';
import { credentialsFor } from './harness/emulatorApi';
import { useNock } from './harness/offline';

const TEAM = '01FX8CYWMQAEGW8AYSNQRGAMRM';
const PKG = '01ENX9B1J68NT9Y4QHXD7T0X6S';
const TOKEN = 'eyJ.package-token.full';
const CONNECTION = '01EKYZ1VH9GTS9GYMCMSR4NR9G';

const withKey = { reqheaders: { 'x-api-key': TEST_API_KEY } };
/** A package-token call: the token, and never the API key. */
const withToken = (token = TOKEN) => ({ reqheaders: { 'x-package-token': token }, badheaders: ['x-api-key'] });

/** The token lookup every package-token operation starts with. */
function tokenLookup(times = 1) {
	return nock(TEST_BASE_URL, withKey)
		.get(`/v1.1/teams/${TEAM}/packages/${PKG}`)
		.times(times)
		.reply(200, { id: PKG, name: 'Dailies', state: 'new', access_token: TOKEN });
}

const pkgRecord = (n: number) => ({ id: `PKG${String(n).padStart(8, '0')}`, name: `Package ${n}`, access_token: `token-${n}` });
const records = (from: number, count: number) => Array.from({ length: count }, (_, i) => pkgRecord(from + i));

const tokenParams = (operation: string, extra: Record<string, unknown> = {}) => ({
	resource: 'package',
	operation,
	teamId: rl(TEAM),
	packageId: rl(PKG),
	...extra,
});

const continueOnFail = { node: { onError: 'continueRegularOutput' as const } };

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

	describe('getAll', () => {
		it('Return All walks the pages from 1 with every filter, each record once, and stops on metadata.total', async () => {
			const query = {
				limit: '50',
				status: 'new,finalized',
				name: 'dailies',
				sender: 'me@example.com',
				tags: 'TAG1,TAG2',
				created_at_start: '2024-01-02',
				created_at_end: '2024-02-29',
				sort: '-size',
			};
			const scope = nock(TEST_BASE_URL, withKey)
				.get(`/v1.1/teams/${TEAM}/packages`)
				.query({ ...query, page: '1' })
				.reply(200, { metadata: { total: 100 }, records: records(0, 50) })
				.get(`/v1.1/teams/${TEAM}/packages`)
				.query({ ...query, page: '2' })
				.reply(200, { metadata: { total: 100 }, records: records(50, 50) });
			const { items, error } = await runMasv({
				resource: 'package',
				operation: 'getAll',
				teamId: rl(TEAM),
				returnAll: true,
				filters: {
					status: ['new', 'finalized'],
					name: 'dailies',
					sender: 'me@example.com',
					tags: ' TAG1, TAG2 ',
					createdAtStart: '2024-01-02T10:00:00',
					createdAtEnd: '2024-02-29T00:00:00',
				},
				options: { sort: '-size' },
			});
			expect(error).toBeUndefined();
			// A third page would be an unmatched request: nock refuses it and the run fails.
			scope.done();
			expect(items.map((item) => item.json.id)).toEqual(records(0, 100).map((r) => r.id));
			expect(items.every((item) => item.json.access_token === undefined)).toBe(true);
			expect(items.every((item) => (item.pairedItem as { item: number }).item === 0)).toBe(true);
		});

		it('Return All accepts bare arrays and stops on a short page', async () => {
			const scope = nock(TEST_BASE_URL)
				.get(`/v1.1/teams/${TEAM}/packages`)
				.query({ page: '1', limit: '50' })
				.reply(200, records(0, 50))
				.get(`/v1.1/teams/${TEAM}/packages`)
				.query({ page: '2', limit: '50' })
				.reply(200, records(50, 7));
			const { items, error } = await runMasv({ resource: 'package', operation: 'getAll', teamId: rl(TEAM), returnAll: true });
			expect(error).toBeUndefined();
			scope.done();
			expect(items.map((item) => item.json.id)).toEqual(records(0, 57).map((r) => r.id));
		});

		it('Limit above 50 reads several pages and returns exactly that many', async () => {
			const scope = nock(TEST_BASE_URL)
				.get(`/v1.1/teams/${TEAM}/packages`)
				.query({ page: '1', limit: '50' })
				.reply(200, { metadata: { total: 500 }, records: records(0, 50) })
				.get(`/v1.1/teams/${TEAM}/packages`)
				.query({ page: '2', limit: '50' })
				.reply(200, { metadata: { total: 500 }, records: records(50, 50) })
				.get(`/v1.1/teams/${TEAM}/packages`)
				.query({ page: '3', limit: '50' })
				.reply(200, { metadata: { total: 500 }, records: records(100, 50) });
			const { items, error } = await runMasv({ resource: 'package', operation: 'getAll', teamId: rl(TEAM), returnAll: false, limit: 120 });
			expect(error).toBeUndefined();
			scope.done();
			expect(items.map((item) => item.json.id)).toEqual(records(0, 120).map((r) => r.id));
		});

		it('a small Limit asks for one page of that size', async () => {
			const scope = nock(TEST_BASE_URL)
				.get(`/v1.1/teams/${TEAM}/packages`)
				.query({ page: '1', limit: '7' })
				.reply(200, { metadata: { total: 500 }, records: records(0, 7) });
			const { items, error } = await runMasv({ resource: 'package', operation: 'getAll', teamId: rl(TEAM), limit: 7 });
			expect(error).toBeUndefined();
			scope.done();
			expect(items).toHaveLength(7);
		});
	});

	describe('getReceived', () => {
		it('lists the inbox from page 1, filtered by portal name', async () => {
			const scope = nock(TEST_BASE_URL, withKey)
				.get(`/v1.1/teams/${TEAM}/inbox`)
				.query({ page: '1', limit: '50', portal: 'Client Uploads', status: 'finalized' })
				.reply(200, { metadata: { total: 51 }, records: records(0, 50) })
				.get(`/v1.1/teams/${TEAM}/inbox`)
				.query({ page: '2', limit: '50', portal: 'Client Uploads', status: 'finalized' })
				.reply(200, { metadata: { total: 51 }, records: records(50, 1) });
			const { items, error } = await runMasv({
				resource: 'package',
				operation: 'getReceived',
				teamId: rl(TEAM),
				returnAll: true,
				filters: { portal: 'Client Uploads', status: ['finalized'] },
			});
			expect(error).toBeUndefined();
			scope.done();
			expect(items.map((item) => item.json.id)).toEqual(records(0, 51).map((r) => r.id));
			expect(JSON.stringify(items)).not.toContain('token-');
		});
	});

	describe('package-token operations', () => {
		it('getFiles looks the token up, then lists the files with X-Package-Token and no API key', async () => {
			const lookup = tokenLookup();
			const files = [
				{ id: 'F1', kind: 'file', name: 'a.mov', path: '', size: 10 },
				{ id: 'F2', kind: 'file', name: 'b.mov', path: 'cam', size: 20 },
				{ id: 'Z1', kind: 'zip_windows', name: 'Dailies.zip', size: 30 },
			];
			const list = nock(TEST_BASE_URL, withToken()).get(`/v1/packages/${PKG}/files`).reply(200, files);
			const { items, error } = await runMasv(tokenParams('getFiles', { returnAll: true }));
			expect(error).toBeUndefined();
			lookup.done();
			list.done();
			expect(items).toEqual(files.map((json) => ({ json, pairedItem: { item: 0 } })));
		});

		it('getFiles with Options > Package Token skips the lookup, and Limit cuts the list', async () => {
			const list = nock(TEST_BASE_URL, withToken('given-token'))
				.get(`/v1/packages/${PKG}/files`)
				.reply(200, [{ id: 'F1' }, { id: 'F2' }, { id: 'F3' }]);
			// No lookup interceptor: a lookup would be refused by nock and fail the run.
			const { items, error } = await runMasv({
				resource: 'package',
				operation: 'getFiles',
				packageId: rl(PKG),
				limit: 2,
				options: { packageToken: ' given-token ' },
			});
			expect(error).toBeUndefined();
			list.done();
			expect(items.map((item) => item.json.id)).toEqual(['F1', 'F2']);
		});

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
			// masv-api.md §6.9: no body, but still the JSON content type.
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

		it('delete sends DELETE with the token and answers {deleted, id}', async () => {
			const lookup = tokenLookup();
			const call = nock(TEST_BASE_URL, withToken()).delete(`/v1/packages/${PKG}`).reply(204);
			const { items, error } = await runMasv(tokenParams('delete'));
			expect(error).toBeUndefined();
			lookup.done();
			call.done();
			expect(items).toEqual([{ json: { deleted: true, id: PKG }, pairedItem: { item: 0 } }]);
		});

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

		it('getTransfers lists the transfers, one item each', async () => {
			tokenLookup();
			const call = nock(TEST_BASE_URL, withToken())
				.get(`/v1/packages/${PKG}/transfer`)
				.reply(200, [
					{ id: 'T1', state: 'completed' },
					{ id: 'T2', state: 'pending' },
				]);
			const { items, error } = await runMasv(tokenParams('getTransfers'));
			expect(error).toBeUndefined();
			call.done();
			expect(items).toEqual([
				{ json: { id: 'T1', state: 'completed' }, pairedItem: { item: 0 } },
				{ json: { id: 'T2', state: 'pending' }, pairedItem: { item: 0 } },
			]);
		});

		it('sendToIntegration posts the integration as cloud_connection_id', async () => {
			tokenLookup();
			const call = nock(TEST_BASE_URL, withToken())
				.post(`/v1/packages/${PKG}/transfer`, { cloud_connection_id: CONNECTION })
				.matchHeader('content-type', /application\/json/)
				.reply(201, { id: 'T9', state: 'pending' });
			const { items, error } = await runMasv(tokenParams('sendToIntegration', { integrationId: rl(CONNECTION) }));
			expect(error).toBeUndefined();
			call.done();
			expect(items).toEqual([{ json: { id: 'T9', state: 'pending' }, pairedItem: { item: 0 } }]);
		});

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

		it('sendToIntegration is not repeated after a 500 (a second transfer could start)', async () => {
			tokenLookup();
			nock(TEST_BASE_URL).post(`/v1/packages/${PKG}/transfer`).reply(500, { message: 'internal error' });
			const spare = nock(TEST_BASE_URL).post(`/v1/packages/${PKG}/transfer`).reply(201, { id: 'T2' });
			const { error } = await runMasv(tokenParams('sendToIntegration', { integrationId: CONNECTION }));
			expect(error?.message).toBe('internal error');
			expect(spare.isDone()).toBe(false);
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

describe('package against the emulator', () => {
	let emu: Emulator;
	beforeAll(async () => {
		nock.enableNetConnect();
		emu = await startEmulator();
	});
	afterAll(async () => {
		await emu?.close();
	});

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
