import nock from 'nock';

import { BACKOFF, DEFAULT_POLICY } from '../../../nodes/Masv/transport/retry';
import { useRetryTimings } from '../../harness/retries';
import { startEmulator } from '../../../tools/emulator';
import type { Emulator } from '../../../tools/emulator';
import { TEST_API_KEY, TEST_BASE_URL, rl, runMasv } from '../../../tools/harness';
import { api, credentialsFor } from '../../../tools/harness/emulatorApi';
import { useNock } from '../../harness/offline';

const TEAM = '01FX8CYWMQAEGW8AYSNQRGAMRM';
const PKG = '01ENX9B1J68NT9Y4QHXD7T0X6S';
const TOKEN = 'eyJ.package-token.full';
const LINK = '01EKX32ZSAPSCFC97W5Z423QKY';
const SECRET = 'bqkBtnPwvmkgJpHN';

const withToken = (token = TOKEN) => ({ reqheaders: { 'x-package-token': token }, badheaders: ['x-api-key'] });

function tokenLookup() {
	return nock(TEST_BASE_URL, { reqheaders: { 'x-api-key': TEST_API_KEY } })
		.get(`/v1.1/teams/${TEAM}/packages/${PKG}`)
		.reply(200, { id: PKG, state: 'finalized', access_token: TOKEN });
}

const createdLink = {
	id: LINK,
	download_secret: SECRET,
	email: 'editor@example.com',
	password: '****',
	active: true,
	access_limit: 5,
	access_limit_enabled: true,
	expiry: '2030-12-04T13:14:01.038Z',
};

const linkInfo = {
	id: LINK,
	name: 'Dailies',
	package_id: PKG,
	package_size: 28176354,
	package_token: 'eyJ.download-token',
	expiry: '2030-02-13T21:33:50.944Z',
	sender_email: 'me@example.com',
	recipient_email: 'editor@example.com',
};

/**
 * What an error carries besides the node itself (n8n attaches the node, parameters included, to
 * every node error; a token typed into a parameter is there by the user's hand, not ours).
 */
function shown(error: unknown): string {
	const plain = JSON.parse(JSON.stringify(error)) as Record<string, unknown>;
	delete plain.node;
	return JSON.stringify(plain);
}

describe('link', () => {
	useRetryTimings(BACKOFF, { baseDelayMs: 5, maxDelayMs: 20 });
	useRetryTimings(DEFAULT_POLICY, { windowMs: 300 });
	useNock();

	describe('create', () => {
		it('looks the token up, posts email and password with X-Package-Token only, and adds the link URL', async () => {
			const lookup = tokenLookup();
			const call = nock(TEST_BASE_URL, withToken())
				.post(`/v1/packages/${PKG}/links`, { email: 'editor@example.com', password: 's3cret' })
				.matchHeader('content-type', /application\/json/)
				.reply(201, createdLink);
			const { items, error } = await runMasv({
				resource: 'link',
				operation: 'create',
				teamId: rl(TEAM),
				packageId: rl(PKG),
				email: ' editor@example.com ',
				password: 's3cret',
			});
			expect(error).toBeUndefined();
			lookup.done();
			call.done();
			expect(items).toEqual([
				{
					json: { ...createdLink, url: `https://get.massive.io/${LINK}?secret=${SECRET}` },
					pairedItem: { item: 0 },
				},
			]);
		});

		it('a direct link sends an empty email and no password; Options > Package Token skips the lookup', async () => {
			const call = nock(TEST_BASE_URL, withToken('portal-token'))
				.post(`/v1/packages/${PKG}/links`, (body) => JSON.stringify(body) === '{"email":""}')
				.reply(201, { ...createdLink, email: '', password: '' });
			const { items, error } = await runMasv({
				resource: 'link',
				operation: 'create',
				packageId: PKG,
				options: { packageToken: 'portal-token' },
			});
			expect(error).toBeUndefined();
			call.done();
			expect(items[0].json.url).toBe(`https://get.massive.io/${LINK}?secret=${SECRET}`);
		});

		it('a 503 (MASV did not act) is retried even for a create', async () => {
			tokenLookup();
			nock(TEST_BASE_URL).post(`/v1/packages/${PKG}/links`).reply(503, { message: 'maintenance' });
			const spare = nock(TEST_BASE_URL).post(`/v1/packages/${PKG}/links`).reply(201, createdLink);
			const { error } = await runMasv({ resource: 'link', operation: 'create', teamId: rl(TEAM), packageId: rl(PKG) });
			// request.ts retries a 503 for any method: the service was unavailable, nothing was made.
			expect(error).toBeUndefined();
			expect(spare.isDone()).toBe(true);
		});

		it('a 500 on create is not repeated blindly: the links are read back, and one made by the call is adopted', async () => {
			tokenLookup();
			nock(TEST_BASE_URL).post(`/v1/packages/${PKG}/links`).reply(500, { message: 'internal error' });
			// docs/reliability.md "Creates": made since the call, with the email sent.
			const readBack = nock(TEST_BASE_URL, { reqheaders: { 'x-package-token': TOKEN } })
				.get(`/v1/packages/${PKG}/links`)
				.reply(200, [{ ...createdLink, email: '', created_at: new Date().toISOString() }]);
			const spare = nock(TEST_BASE_URL).post(`/v1/packages/${PKG}/links`).reply(201, createdLink);
			const { items, error } = await runMasv({ resource: 'link', operation: 'create', teamId: rl(TEAM), packageId: rl(PKG) });
			expect(error).toBeUndefined();
			expect(items[0].json).toMatchObject({ id: LINK, url: `https://get.massive.io/${LINK}?secret=${SECRET}` });
			expect(readBack.isDone()).toBe(true);
			expect(spare.isDone()).toBe(false);
		});

		it('a download-level token is refused with a 401 that explains package tokens', async () => {
			nock(TEST_BASE_URL).post(`/v1/packages/${PKG}/links`).reply(401, { code: 401, message: 'token level too low' });
			const { error } = await runMasv({
				resource: 'link',
				operation: 'create',
				packageId: rl(PKG),
				options: { packageToken: 'download-token' },
			});
			expect(error?.message).toMatch(/package token was refused.*token level too low/);
			expect(shown(error)).not.toContain('download-token');
		});

		it('Continue On Fail pairs the error item with its input', async () => {
			tokenLookup();
			nock(TEST_BASE_URL, withToken()).post(`/v1/packages/${PKG}/links`).reply(201, createdLink);
			nock(TEST_BASE_URL).get(`/v1.1/teams/${TEAM}/packages/MISSING0000`).reply(404, { message: 'package not found' });
			const { items, error } = await runMasv(
				{ resource: 'link', operation: 'create', teamId: rl(TEAM), packageId: '={{ $json.id }}' },
				{ node: { onError: 'continueRegularOutput' }, input: [{ json: { id: PKG } }, { json: { id: 'MISSING0000' } }] },
			);
			expect(error).toBeUndefined();
			expect(items.map((item) => [item.json.id ?? item.json.error, item.pairedItem])).toEqual([
				[LINK, { item: 0 }],
				['package not found', { item: 1 }],
			]);
		});
	});

	describe('get', () => {
		it('sends the secret and X-Link-Password, no API key, and leaves the package token out', async () => {
			const call = nock(TEST_BASE_URL, { reqheaders: { 'x-link-password': 'open sesame' }, badheaders: ['x-api-key', 'x-package-token'] })
				.get(`/v1/links/${LINK}`)
				.query({ secret: SECRET })
				.reply(200, linkInfo);
			const { items, error } = await runMasv({
				resource: 'link',
				operation: 'get',
				linkId: LINK,
				linkSecret: SECRET,
				linkPassword: 'open sesame',
			});
			expect(error).toBeUndefined();
			call.done();
			const withoutToken: Record<string, unknown> = { ...linkInfo };
			delete withoutToken.package_token;
			expect(items).toEqual([
				{ json: { ...withoutToken, url: `https://get.massive.io/${LINK}?secret=${SECRET}` }, pairedItem: { item: 0 } },
			]);
		});

		it('sends no X-Link-Password when there is none', async () => {
			const call = nock(TEST_BASE_URL, { badheaders: ['x-link-password', 'x-api-key'] })
				.get(`/v1/links/${LINK}`)
				.query({ secret: SECRET })
				.reply(200, linkInfo);
			const { error } = await runMasv({ resource: 'link', operation: 'get', linkId: ` ${LINK} `, linkSecret: SECRET });
			expect(error).toBeUndefined();
			call.done();
		});

		it('a 401 explains link secrets and passwords, without leaking them', async () => {
			nock(TEST_BASE_URL).get(`/v1/links/${LINK}`).query(true).reply(401, { code: 401, message: 'wrong link password' });
			const { error } = await runMasv({ resource: 'link', operation: 'get', linkId: LINK, linkSecret: SECRET, linkPassword: 'nope-pass' });
			expect(error?.message).toMatch(/link was refused.*wrong link password/);
			expect((error as { httpCode?: string }).httpCode).toBe('401');
			expect(shown(error)).not.toContain(SECRET);
			expect(shown(error)).not.toContain('nope-pass');
		});

		it('a 404 shows MASV\'s message', async () => {
			nock(TEST_BASE_URL).get(`/v1/links/${LINK}`).query(true).reply(404, { code: 404, message: 'link not found' });
			const { error } = await runMasv({ resource: 'link', operation: 'get', linkId: LINK, linkSecret: 'wrong' });
			expect(error?.message).toBe('link not found');
			expect((error as { httpCode?: string }).httpCode).toBe('404');
		});

		it('an empty secret is a parameter mistake, named', async () => {
			const { error } = await runMasv({ resource: 'link', operation: 'get', linkId: LINK, linkSecret: '  ' });
			expect(error?.name).toBe('NodeOperationError');
			expect(error?.message).toMatch(/"linkSecret" is empty/);
		});
	});
});

/** One single-part file through docs/masv-api.md §6.4-6.8, straight against the emulator. */
async function uploadSmallFile(emu: Emulator, packageId: string, bytes: Buffer): Promise<void> {
	const token = emu.admin.packageToken(packageId);
	const added = await api<{ file: { id: string }; create_blueprint: { method: string; url: string } }>(
		emu,
		'POST',
		`/v1/packages/${packageId}/files`,
		{ kind: 'file', name: 'hello.txt', path: '', size: bytes.length },
		token,
	);
	const created = await fetch(added.create_blueprint.url, { method: added.create_blueprint.method });
	const uploadId = /<UploadId>(.*?)<\/UploadId>/.exec(await created.text())?.[1];
	expect(uploadId).toBeTruthy();
	const [chunk] = await api<Array<{ url: string }>>(emu, 'POST', `/v1/packages/${packageId}/files/${added.file.id}?start=0&count=1`, { upload_id: uploadId }, token);
	const put = await fetch(chunk.url, { method: 'PUT', body: bytes });
	expect(put.ok).toBe(true);
	await api(
		emu,
		'POST',
		`/v1/packages/${packageId}/files/${added.file.id}/finalize`,
		{ size: bytes.length, file_extras: { upload_id: uploadId }, chunk_extras: [{ partNumber: '1', etag: put.headers.get('etag') }] },
		token,
	);
}

describe('link against the emulator', () => {
	let emu: Emulator;
	beforeAll(async () => {
		nock.enableNetConnect();
		emu = await startEmulator();
	});
	afterAll(async () => {
		await emu?.close();
	});

	it('create then get round trip, with a password', async () => {
		const credentials = credentialsFor(emu);
		const created = await runMasv(
			{ resource: 'package', operation: 'create', teamId: rl(emu.teamId), name: 'Round trip' },
			{ credentials },
		);
		expect(created.error).toBeUndefined();
		const packageId = created.items[0].json.id as string;

		const link = await runMasv(
			{ resource: 'link', operation: 'create', teamId: rl(emu.teamId), packageId: rl(packageId), email: 'viewer@example.com', password: 'pw-123' },
			{ credentials },
		);
		expect(link.error).toBeUndefined();
		const { id, download_secret: secret, url } = link.items[0].json as { id: string; download_secret: string; url: string };
		expect(url).toBe(`https://get.massive.io/${id}?secret=${secret}`);
		expect(link.items[0].json).toMatchObject({ email: 'viewer@example.com', password: '****' });

		// Links open once the package is finalized, which needs a file: put one in over the
		// emulator's upload routes (the node's upload operation is tested elsewhere), then finalize
		// with the node.
		await uploadSmallFile(emu, packageId, Buffer.from('hello, masv'));
		const finalized = await runMasv(
			{ resource: 'package', operation: 'finalize', teamId: rl(emu.teamId), packageId: rl(packageId) },
			{ credentials },
		);
		expect(finalized.error).toBeUndefined();
		expect(finalized.items[0].json).toMatchObject({ id: packageId, state: 'finalized' });

		const wrong = await runMasv({ resource: 'link', operation: 'get', linkId: id, linkSecret: secret }, { credentials });
		expect((wrong.error as { httpCode?: string }).httpCode).toBe('401');
		expect(wrong.error?.message).toMatch(/link password required/);

		const info = await runMasv(
			{ resource: 'link', operation: 'get', linkId: id, linkSecret: secret, linkPassword: 'pw-123' },
			{ credentials },
		);
		expect(info.error).toBeUndefined();
		expect(info.items[0].json).toMatchObject({ id, package_id: packageId, name: 'Round trip', recipient_email: 'viewer@example.com' });
		expect(info.items[0].json.package_token).toBeUndefined();
		const gets = emu.requests({ kind: 'api', method: 'GET', path: `/v1/links/${id}` });
		expect(gets.length).toBe(2);
		expect(gets.every((request) => request.headers['x-api-key'] === undefined)).toBe(true);
	});
});
