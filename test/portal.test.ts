import nock from 'nock';

import { startEmulator } from '../tools/emulator';
import { TEST_API_KEY, TEST_BASE_URL, rl, runMasv } from '../tools/harness';
import { credentialsFor } from '../tools/harness/emulatorApi';
import { useNock } from './harness/offline';

const TEAM = '01FX8CYWMQAEGW8AYSNQRGAMRM';
const PORTAL = '01CTDNW11G67NKHQW5JE8TP2TJ';

const portal = (id: string, extra: Record<string, unknown> = {}) => ({
	id,
	name: `Portal ${id}`,
	subdomain: `sub-${id.toLowerCase()}`,
	message: 'Hello',
	active: true,
	recipients: ['a@example.com'],
	...extra,
});

/** Records P001…P{n}. */
const portals = (from: number, count: number) =>
	Array.from({ length: count }, (_, i) => portal(`P${String(from + i).padStart(3, '0')}`));

const jsonHeaders = { 'x-api-key': TEST_API_KEY, 'content-type': /application\/json/ };

/** nock body matcher that asserts the exact JSON and reports a mismatch clearly. */
const exactBody = (expected: unknown) => (body: unknown) => {
	expect(body).toEqual(expected);
	return true;
};

describe('portal (nock)', () => {
	useNock();

	describe('create', () => {
		it('sends name and subdomain with the message, recipients and active the older docs require', async () => {
			const answer = portal(PORTAL, { name: 'Dailies', subdomain: 'acme-dailies', message: '', recipients: [] });
			const scope = nock(TEST_BASE_URL, { reqheaders: jsonHeaders })
				.post(
					`/v1/teams/${TEAM}/portals`,
					exactBody({ message: '', recipients: [], active: true, name: 'Dailies', subdomain: 'acme-dailies' }),
				)
				.reply(201, answer);
			const { items, error } = await runMasv({
				resource: 'portal',
				operation: 'create',
				teamId: rl(TEAM),
				name: ' Dailies ',
				subdomain: 'acme-dailies',
			});
			expect(error).toBeUndefined();
			expect(items).toEqual([{ json: answer, pairedItem: { item: 0 } }]);
			scope.done();
		});

		it('maps every additional field to MASV\'s portal fields', async () => {
			const scope = nock(TEST_BASE_URL, { reqheaders: jsonHeaders })
				.post(
					`/v1/teams/${TEAM}/portals`,
					exactBody({
						name: 'Dailies',
						subdomain: 'acme-dailies',
						message: '  Welcome!\n',
						active: false,
						recipients: ['editor@example.com', 'producer@example.com'],
						cc_recipients: ['boss@example.com', 'pa@example.com'],
						disable_upload_receipt: true,
						access_code: ' code 1 ',
						download_password: 'dl-pass',
						custom_expiry_days: -1,
						expiry_enabled: true,
						expiry: '2030-01-02T03:04:05.000Z',
						primary_color: '#ff0000',
						logo_url: 'https://example.com/logo.png',
						background_url: 'https://example.com/bg.jpg',
						teamspace_id: '01E8TP2TJCTDNW11G67NKHQW5J',
						tag: { id: '01FZGG2QQQTJV9CJ1Q2ZNXVKCQ' },
						cloud_connections: [{ id: 'CC1' }, { id: 'CC2' }],
						file_type_restriction_enabled: true,
						file_types: ['.mov', '.mp4'],
						file_type_restriction_exclude: true,
						max_file_count: 10,
						max_file_size: 0,
						package_size_restriction_enabled: true,
						user_authentication_required: true,
						download_user_authentication_required: true,
					}),
				)
				.reply(201, portal(PORTAL));
			const { items, error } = await runMasv({
				resource: 'portal',
				operation: 'create',
				teamId: rl(TEAM),
				name: 'Dailies',
				subdomain: 'acme-dailies',
				additionalFields: {
					message: '  Welcome!\n',
					active: false,
					recipients: 'editor@example.com, producer@example.com',
					ccRecipients: '={{ ["boss@example.com", "pa@example.com"] }}',
					disableUploadReceipt: true,
					accessCode: ' code 1 ',
					downloadPassword: 'dl-pass',
					customExpiryDays: -1,
					expiry: '2030-01-02T03:04:05.000Z',
					primaryColor: '#ff0000',
					logoUrl: 'https://example.com/logo.png',
					backgroundUrl: 'https://example.com/bg.jpg',
					teamspace: '01E8TP2TJCTDNW11G67NKHQW5J',
					tagId: '01FZGG2QQQTJV9CJ1Q2ZNXVKCQ',
					integrationIds: 'CC1,CC2',
					fileTypes: 'mov, .mp4',
					fileTypeMode: 'block',
					maxFileCount: 10,
					maxFileSize: 0,
					userAuthenticationRequired: true,
					downloadUserAuthenticationRequired: true,
				},
			});
			expect(error).toBeUndefined();
			expect(items).toHaveLength(1);
			scope.done();
		});

		it('refuses a recipient that is not an email address, naming the field, without calling MASV', async () => {
			const { error } = await runMasv({
				resource: 'portal',
				operation: 'create',
				teamId: rl(TEAM),
				name: 'Dailies',
				subdomain: 'acme-dailies',
				additionalFields: { recipients: 'editor@example.com, not-an-email' },
			});
			expect(error?.message).toBe('"not-an-email" in "Additional Fields > Recipients" is not an email address');
		});

		it('refuses an empty subdomain', async () => {
			const { error } = await runMasv({
				resource: 'portal',
				operation: 'create',
				teamId: rl(TEAM),
				name: 'Dailies',
				subdomain: '={{ $json.subdomain }}',
			});
			expect(error?.message).toBe('The parameter "Subdomain" is empty');
		});

		it('a taken subdomain fails with MASV\'s message and status', async () => {
			nock(TEST_BASE_URL).post(`/v1/teams/${TEAM}/portals`).reply(409, { code: 409, message: 'subdomain acme is already taken' });
			const { error } = await runMasv({
				resource: 'portal',
				operation: 'create',
				teamId: rl(TEAM),
				name: 'Dailies',
				subdomain: 'acme',
			});
			expect(error?.message).toBe('subdomain acme is already taken');
			expect((error as { httpCode?: string }).httpCode).toBe('409');
		});
	});

	describe('get and delete', () => {
		it('get reads /v1.1/portals/{portalId}', async () => {
			const scope = nock(TEST_BASE_URL, { reqheaders: { 'x-api-key': TEST_API_KEY } })
				.get(`/v1.1/portals/${PORTAL}`)
				.reply(200, portal(PORTAL));
			const { items, error } = await runMasv({ resource: 'portal', operation: 'get', portalId: rl(PORTAL) });
			expect(error).toBeUndefined();
			expect(items).toEqual([{ json: portal(PORTAL), pairedItem: { item: 0 } }]);
			scope.done();
		});

		it('get of an unknown portal fails with MASV\'s 404 message', async () => {
			nock(TEST_BASE_URL).get(`/v1.1/portals/${PORTAL}`).reply(404, { code: 404, message: 'portal not found' });
			const { error } = await runMasv({ resource: 'portal', operation: 'get', portalId: PORTAL });
			expect(error?.message).toBe('portal not found');
			expect((error as { httpCode?: string }).httpCode).toBe('404');
			expect((error as { description?: string }).description).toMatch(/does not exist/);
		});

		it('get with an empty portal stops with an error naming the parameter', async () => {
			const { error } = await runMasv({ resource: 'portal', operation: 'get', portalId: rl('={{ $json.id }}') });
			expect(error?.message).toBe('The parameter "Portal" is empty');
		});

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

	describe('getAll', () => {
		it('Return All walks the pages from 1 until metadata.total, each record once', async () => {
			const all = portals(1, 120);
			const query = { page: '1', limit: '50', name: 'Dai', subdomain: 'acme', sort: 'name' };
			const scope = nock(TEST_BASE_URL, { reqheaders: { 'x-api-key': TEST_API_KEY } })
				.get(`/v1.1/teams/${TEAM}/portals`)
				.query(query)
				.reply(200, { metadata: { total: 120 }, records: all.slice(0, 50) })
				.get(`/v1.1/teams/${TEAM}/portals`)
				.query({ ...query, page: '2' })
				.reply(200, { metadata: { total: 120 }, records: all.slice(50, 100) })
				.get(`/v1.1/teams/${TEAM}/portals`)
				.query({ ...query, page: '3' })
				.reply(200, { metadata: { total: 120 }, records: all.slice(100) });
			const { items, error } = await runMasv({
				resource: 'portal',
				operation: 'getAll',
				teamId: rl(TEAM),
				returnAll: true,
				filters: { name: 'Dai', subdomain: 'acme' },
				options: { sort: 'name' },
			});
			expect(error).toBeUndefined();
			expect(items.map((item) => item.json.id)).toEqual(all.map((p) => p.id));
			expect(items.every((item) => JSON.stringify(item.pairedItem) === '{"item":0}')).toBe(true);
			scope.done();
		});

		it('Return All stops at metadata.total even when the last page is full', async () => {
			const all = portals(1, 100);
			const scope = nock(TEST_BASE_URL)
				.get(`/v1.1/teams/${TEAM}/portals`)
				.query({ page: '1', limit: '50' })
				.reply(200, { metadata: { total: 100 }, records: all.slice(0, 50) })
				.get(`/v1.1/teams/${TEAM}/portals`)
				.query({ page: '2', limit: '50' })
				.reply(200, { metadata: { total: 100 }, records: all.slice(50) });
			const { items, error } = await runMasv({ resource: 'portal', operation: 'getAll', teamId: rl(TEAM), returnAll: true });
			expect(error).toBeUndefined();
			expect(items).toHaveLength(100);
			expect(new Set(items.map((item) => item.json.id)).size).toBe(100);
			scope.done();
		});

		it('Return All stops on a short page when MASV gives no total (bare array accepted)', async () => {
			const all = portals(1, 53);
			const scope = nock(TEST_BASE_URL)
				.get(`/v1.1/teams/${TEAM}/portals`)
				.query({ page: '1', limit: '50' })
				.reply(200, all.slice(0, 50))
				.get(`/v1.1/teams/${TEAM}/portals`)
				.query({ page: '2', limit: '50' })
				.reply(200, { records: all.slice(50) });
			const { items, error } = await runMasv({ resource: 'portal', operation: 'getAll', teamId: rl(TEAM), returnAll: true });
			expect(error).toBeUndefined();
			expect(items.map((item) => item.json.id)).toEqual(all.map((p) => p.id));
			scope.done();
		});

		it('Limit above 50 reads just enough pages and returns exactly Limit records', async () => {
			const all = portals(1, 200);
			const scope = nock(TEST_BASE_URL)
				.get(`/v1.1/teams/${TEAM}/portals`)
				.query({ page: '1', limit: '50' })
				.reply(200, { metadata: { total: 200 }, records: all.slice(0, 50) })
				.get(`/v1.1/teams/${TEAM}/portals`)
				.query({ page: '2', limit: '50' })
				.reply(200, { metadata: { total: 200 }, records: all.slice(50, 100) });
			const { items, error } = await runMasv({
				resource: 'portal',
				operation: 'getAll',
				teamId: rl(TEAM),
				returnAll: false,
				limit: 70,
			});
			expect(error).toBeUndefined();
			expect(items.map((item) => item.json.id)).toEqual(all.slice(0, 70).map((p) => p.id));
			scope.done();
		});

		it('a small Limit asks MASV for just that many', async () => {
			const scope = nock(TEST_BASE_URL)
				.get(`/v1.1/teams/${TEAM}/portals`)
				.query({ page: '1', limit: '3' })
				.reply(200, { metadata: { total: 200 }, records: portals(1, 3) });
			const { items, error } = await runMasv({ resource: 'portal', operation: 'getAll', teamId: rl(TEAM), limit: 3 });
			expect(error).toBeUndefined();
			expect(items).toHaveLength(3);
			scope.done();
		});

		it('a 5xx on a page fails the node with the status', async () => {
			nock(TEST_BASE_URL)
				.get(`/v1.1/teams/${TEAM}/portals`)
				.query({ page: '1', limit: '50' })
				.reply(200, { metadata: { total: 60 }, records: portals(1, 50) })
				.get(`/v1.1/teams/${TEAM}/portals`)
				.query({ page: '2', limit: '50' })
				.reply(500, { code: 500, message: 'internal error' });
			const { error, items } = await runMasv({ resource: 'portal', operation: 'getAll', teamId: rl(TEAM), returnAll: true });
			expect(items).toEqual([]);
			expect(error?.message).toBe('internal error');
			expect((error as { httpCode?: string }).httpCode).toBe('500');
		});

		it('with Continue On Fail a failed page becomes one error item', async () => {
			nock(TEST_BASE_URL)
				.get(`/v1.1/teams/${TEAM}/portals`)
				.query({ page: '1', limit: '50' })
				.reply(404, { code: 404, message: 'team not found' });
			const { error, items } = await runMasv(
				{ resource: 'portal', operation: 'getAll', teamId: rl(TEAM), returnAll: true },
				{ node: { continueOnFail: true } },
			);
			expect(error).toBeUndefined();
			expect(items).toEqual([{ json: { error: 'team not found', httpCode: '404' }, pairedItem: { item: 0 } }]);
		});
	});

	describe('update', () => {
		const current = {
			id: PORTAL,
			team_id: TEAM,
			name: 'Dailies',
			subdomain: 'acme-dailies',
			message: 'Hello',
			active: false,
			recipients: ['a@example.com'],
			tag: { id: 'TAG1', name: 'old' },
			cloud_connections: [{ id: 'CC1', name: 'S3', provider: 's3' }],
			max_file_count: 0,
			max_file_size: 1000,
			max_package_size: 0,
			package_size_restriction_enabled: true,
			has_access_code: false,
			created_at: '2024-01-01T00:00:00.000Z',
		};

		it('reads the portal, then PUTs it back whole with the changes merged in', async () => {
			const sent = {
				...current,
				name: 'Dailies v2',
				active: true,
				recipients: ['x@example.com', 'y@example.com'],
				tag: null,
				max_file_size: 0,
				package_size_restriction_enabled: false,
				access_code: 'secret',
			};
			const answer = { ...sent, has_access_code: true };
			delete (answer as Record<string, unknown>).access_code;
			const scope = nock(TEST_BASE_URL, { reqheaders: { 'x-api-key': TEST_API_KEY } })
				.get(`/v1.1/portals/${PORTAL}`)
				.reply(200, current)
				.put(`/v1/portals/${PORTAL}`, exactBody(sent))
				.matchHeader('content-type', /application\/json/)
				.reply(200, answer);
			const { items, error } = await runMasv({
				resource: 'portal',
				operation: 'update',
				portalId: rl(PORTAL),
				updateFields: {
					name: 'Dailies v2',
					active: true,
					recipients: '={{ ["x@example.com", "y@example.com"] }}',
					tagId: '',
					maxFileSize: 0,
					accessCode: 'secret',
				},
			});
			expect(error).toBeUndefined();
			expect(items).toEqual([{ json: answer, pairedItem: { item: 0 } }]);
			scope.done();
		});

		it('when MASV answers the PUT with no portal, outputs what was sent, without passwords', async () => {
			const scope = nock(TEST_BASE_URL)
				.get(`/v1.1/portals/${PORTAL}`)
				.reply(200, current)
				.put(`/v1/portals/${PORTAL}`, exactBody({ ...current, message: 'New text', download_password: 'pw' }))
				.reply(204);
			const { items, error } = await runMasv({
				resource: 'portal',
				operation: 'update',
				portalId: PORTAL,
				updateFields: { message: 'New text', downloadPassword: 'pw' },
			});
			expect(error).toBeUndefined();
			expect(items).toEqual([{ json: { ...current, message: 'New text' }, pairedItem: { item: 0 } }]);
			scope.done();
		});

		describe('a portal with passwords', () => {
			// MASV never returns passwords, so the node cannot send them back: if MASV's PUT replaced
			// the whole portal, they would be gone. The node reads the portal again to see.
			const protectedPortal = { ...current, has_access_code: true, has_download_password: true };
			/** The message changed; `after` is the portal as read again after the PUT. */
			const update = (after: object) =>
				nock(TEST_BASE_URL)
					.get(`/v1.1/portals/${PORTAL}`)
					.reply(200, protectedPortal)
					.put(`/v1/portals/${PORTAL}`, exactBody({ ...protectedPortal, message: 'New text' }))
					.reply(200, { ...protectedPortal, message: 'New text' })
					.get(`/v1.1/portals/${PORTAL}`)
					.reply(200, after);

			it('is read again after the update; both passwords kept, the output is MASV\'s answer', async () => {
				const scope = update({ ...protectedPortal, message: 'New text' });
				const { items, error } = await runMasv({ resource: 'portal', operation: 'update', portalId: rl(PORTAL), updateFields: { message: 'New text' } });
				expect(error).toBeUndefined();
				expect(items).toEqual([{ json: { ...protectedPortal, message: 'New text' }, pairedItem: { item: 0 } }]);
				scope.done();
			});

			it('a password gone after the update fails the item, naming the field that sets it again', async () => {
				const scope = update({ ...protectedPortal, message: 'New text', has_download_password: false });
				const failed = await runMasv({ resource: 'portal', operation: 'update', portalId: rl(PORTAL), updateFields: { message: 'New text' } });
				expect(failed.error?.message).toBe("MASV removed the portal's Download Password in this update");
				expect(failed.error?.description).toContain('The other changes were saved.');
				expect(failed.error?.description).toContain('"Update Fields > Download Password"');
				scope.done();

				const again = update({ ...protectedPortal, message: 'New text', has_access_code: false });
				const { items, error } = await runMasv(
					{ resource: 'portal', operation: 'update', portalId: rl(PORTAL), updateFields: { message: 'New text' } },
					{ node: { continueOnFail: true } },
				);
				expect(error).toBeUndefined();
				expect(items).toEqual([{ json: { error: "MASV removed the portal's Upload Access Code in this update" }, pairedItem: { item: 0 } }]);
				again.done();
			});

			it('removing both on purpose needs no second read', async () => {
				const cleared = { ...protectedPortal, has_access_code: false, has_download_password: false };
				const scope = nock(TEST_BASE_URL)
					.get(`/v1.1/portals/${PORTAL}`)
					.reply(200, protectedPortal)
					.put(`/v1/portals/${PORTAL}`, exactBody({ ...protectedPortal, access_code: '', download_password: '' }))
					.reply(200, cleared);
				const { items, error } = await runMasv({
					resource: 'portal',
					operation: 'update',
					portalId: rl(PORTAL),
					updateFields: { accessCode: '', downloadPassword: '' },
				});
				expect(error).toBeUndefined();
				expect(items).toEqual([{ json: cleared, pairedItem: { item: 0 } }]);
				scope.done();
			});
		});

		it('each input item updates its own portal', async () => {
			const scope = nock(TEST_BASE_URL)
				.get('/v1.1/portals/P1')
				.reply(200, { ...current, id: 'P1' })
				.put('/v1/portals/P1', exactBody({ ...current, id: 'P1', message: 'one' }))
				.reply(200, { ...current, id: 'P1', message: 'one' })
				.get('/v1.1/portals/P2')
				.reply(200, { ...current, id: 'P2' })
				.put('/v1/portals/P2', exactBody({ ...current, id: 'P2', message: 'two' }))
				.reply(200, { ...current, id: 'P2', message: 'two' });
			const { items, error } = await runMasv(
				{ resource: 'portal', operation: 'update', portalId: '={{ $json.id }}', updateFields: { message: '={{ $json.text }}' } },
				{ input: [{ json: { id: 'P1', text: 'one' } }, { json: { id: 'P2', text: 'two' } }] },
			);
			expect(error).toBeUndefined();
			expect(items.map((item) => [item.json.id, item.json.message, item.pairedItem])).toEqual([
				['P1', 'one', { item: 0 }],
				['P2', 'two', { item: 1 }],
			]);
			scope.done();
		});

		it('with no Update Fields stops with an error naming the parameter, before calling MASV', async () => {
			const { error } = await runMasv({ resource: 'portal', operation: 'update', portalId: rl(PORTAL), updateFields: {} });
			expect(error?.message).toBe('Add at least one field under "Update Fields"');
		});

		it('an empty Subdomain in Update Fields is refused', async () => {
			const { error } = await runMasv({
				resource: 'portal',
				operation: 'update',
				portalId: rl(PORTAL),
				updateFields: { subdomain: ' ' },
			});
			expect(error?.message).toBe('"Update Fields > Subdomain" is empty');
		});

		it('an unknown portal fails with MASV\'s 404 message and sends no PUT', async () => {
			const scope = nock(TEST_BASE_URL).get(`/v1.1/portals/${PORTAL}`).reply(404, { code: 404, message: 'portal not found' });
			const { error } = await runMasv({
				resource: 'portal',
				operation: 'update',
				portalId: rl(PORTAL),
				updateFields: { message: 'x' },
			});
			expect(error?.message).toBe('portal not found');
			expect((error as { httpCode?: string }).httpCode).toBe('404');
			scope.done();
		});

		it('a 5xx on the read or on the PUT is retried (the PUT sends the same whole portal again)', async () => {
			const scope = nock(TEST_BASE_URL)
				.get(`/v1.1/portals/${PORTAL}`)
				.reply(503, { code: 503, message: 'busy' })
				.get(`/v1.1/portals/${PORTAL}`)
				.reply(200, current)
				.put(`/v1/portals/${PORTAL}`, exactBody({ ...current, active: true }))
				.reply(502, 'Bad Gateway')
				.put(`/v1/portals/${PORTAL}`, exactBody({ ...current, active: true }))
				.reply(200, { ...current, active: true });
			const { items, error } = await runMasv({
				resource: 'portal',
				operation: 'update',
				portalId: rl(PORTAL),
				updateFields: { active: true },
			});
			expect(error).toBeUndefined();
			expect(items).toEqual([{ json: { ...current, active: true }, pairedItem: { item: 0 } }]);
			scope.done();
		});

		it('a 4xx on the PUT fails at once with MASV\'s message and status', async () => {
			const scope = nock(TEST_BASE_URL)
				.get(`/v1.1/portals/${PORTAL}`)
				.reply(200, current)
				.put(`/v1/portals/${PORTAL}`)
				.reply(422, { code: 422, message: 'validation failed', errors: [{ msg: 'subdomain is invalid' }] });
			const { error } = await runMasv({
				resource: 'portal',
				operation: 'update',
				portalId: rl(PORTAL),
				updateFields: { subdomain: 'Not Valid' },
			});
			expect(error?.message).toBe('validation failed');
			expect((error as { httpCode?: string }).httpCode).toBe('422');
			scope.done();
		});

		it('with Continue On Fail a failed update is an error item paired with its input', async () => {
			const scope = nock(TEST_BASE_URL)
				.get('/v1.1/portals/P1')
				.reply(404, { code: 404, message: 'portal not found' })
				.get('/v1.1/portals/P2')
				.reply(200, { ...current, id: 'P2' })
				.put('/v1/portals/P2')
				.reply(200, { ...current, id: 'P2', active: true });
			const { items, error } = await runMasv(
				{ resource: 'portal', operation: 'update', portalId: '={{ $json.id }}', updateFields: { active: true } },
				{ input: [{ json: { id: 'P1' } }, { json: { id: 'P2' } }], node: { continueOnFail: true } },
			);
			expect(error).toBeUndefined();
			expect(items).toEqual([
				{ json: { error: 'portal not found' }, pairedItem: { item: 0 } },
				{ json: { ...current, id: 'P2', active: true }, pairedItem: { item: 1 } },
			]);
			scope.done();
		});
	});

	describe('getPackages', () => {
		const pkg = (id: string, state: string) => ({ id, name: id, state, access_token: `token-${id}`, size: 1 });

		it('sends no state flags unless set, returns the plain array without package tokens', async () => {
			const scope = nock(TEST_BASE_URL, { reqheaders: { 'x-api-key': TEST_API_KEY } })
				.get(`/v1/portals/${PORTAL}/packages`)
				.reply(200, [pkg('K1', 'finalized'), pkg('K2', 'expired')]);
			const { items, error } = await runMasv({
				resource: 'portal',
				operation: 'getPackages',
				portalId: rl(PORTAL),
				returnAll: true,
			});
			expect(error).toBeUndefined();
			expect(items).toEqual([
				{ json: { id: 'K1', name: 'K1', state: 'finalized', size: 1 }, pairedItem: { item: 0 } },
				{ json: { id: 'K2', name: 'K2', state: 'expired', size: 1 }, pairedItem: { item: 0 } },
			]);
			expect(JSON.stringify(items)).not.toContain('token-');
			scope.done();
		});

		it('sends the flags that are set, true or false; Limit cuts the list', async () => {
			const scope = nock(TEST_BASE_URL)
				.get(`/v1/portals/${PORTAL}/packages`)
				.query({ new: 'true', expired: 'false' })
				.reply(200, [pkg('K1', 'new'), pkg('K2', 'finalized'), pkg('K3', 'finalized')]);
			const { items, error } = await runMasv({
				resource: 'portal',
				operation: 'getPackages',
				portalId: rl(PORTAL),
				returnAll: false,
				limit: 2,
				filters: { new: true, expired: false },
			});
			expect(error).toBeUndefined();
			expect(items.map((item) => item.json.id)).toEqual(['K1', 'K2']);
			scope.done();
		});
	});
});

describe('portal (emulator)', () => {
	it('create → get → update → getAll → delete through the engine', async () => {
		const emu = await startEmulator();
		try {
			const credentials = credentialsFor(emu);
			const teamId = rl(emu.seed.teamId);

			const created = await runMasv(
				{
					resource: 'portal',
					operation: 'create',
					teamId,
					name: 'n8n Uploads',
					subdomain: 'n8n-uploads',
					additionalFields: {
						message: 'Drop files here',
						recipients: 'owner@example.com',
						accessCode: 'let-me-in',
						tagId: emu.seed.tagId,
					},
				},
				{ credentials },
			);
			expect(created.error).toBeUndefined();
			const portalId = created.items[0].json.id as string;
			expect(created.items[0].json).toMatchObject({
				name: 'n8n Uploads',
				subdomain: 'n8n-uploads',
				message: 'Drop files here',
				active: true,
				recipients: ['owner@example.com'],
				has_access_code: true,
				tag: { id: emu.seed.tagId },
			});

			const got = await runMasv({ resource: 'portal', operation: 'get', portalId: rl(portalId) }, { credentials });
			expect(got.items[0].json).toMatchObject({ id: portalId, name: 'n8n Uploads' });

			const updated = await runMasv(
				{
					resource: 'portal',
					operation: 'update',
					portalId: rl(portalId),
					updateFields: { name: 'n8n Uploads (renamed)', active: false, maxPackageSize: 1048576 },
				},
				{ credentials },
			);
			expect(updated.error).toBeUndefined();
			expect(updated.items[0].json).toMatchObject({
				id: portalId,
				name: 'n8n Uploads (renamed)',
				subdomain: 'n8n-uploads',
				message: 'Drop files here',
				active: false,
				has_access_code: true,
				max_package_size: 1048576,
				package_size_restriction_enabled: true,
				tag: { id: emu.seed.tagId },
			});
			const put = emu.requests({ kind: 'api', method: 'PUT' });
			expect(put).toHaveLength(1);
			expect(put[0].path).toBe(`/v1/portals/${portalId}`);

			const listed = await runMasv({ resource: 'portal', operation: 'getAll', teamId, returnAll: true }, { credentials });
			expect(listed.error).toBeUndefined();
			expect(listed.items.map((item) => item.json.id).sort()).toEqual([emu.seed.portalId, portalId].sort());

			const deleted = await runMasv({ resource: 'portal', operation: 'delete', portalId: rl(portalId) }, { credentials });
			expect(deleted.items).toEqual([{ json: { deleted: true }, pairedItem: { item: 0 } }]);

			const gone = await runMasv({ resource: 'portal', operation: 'get', portalId: rl(portalId) }, { credentials });
			expect((gone.error as { httpCode?: string }).httpCode).toBe('404');
		} finally {
			await emu.close();
		}
	});
});
