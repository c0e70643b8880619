import nock from 'nock';

import { TEST_API_KEY, TEST_BASE_URL, rl, runMasv } from '../../../tools/harness';
import { useNock } from '../../harness/offline';
import { TEAM, PORTAL, exactBody } from './fixtures';

describe('portal (nock)', () => {
	useNock();

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

		/** What MASV's own client sends (docs/masv-api.md §9.6, decision 2): name, subdomain, the changes. */
		const named = { name: current.name, subdomain: current.subdomain };

		it('reads the portal, then PUTs its name and subdomain with the changed fields only', async () => {
			const sent = {
				subdomain: current.subdomain,
				name: 'Dailies v2',
				active: true,
				recipients: ['x@example.com', 'y@example.com'],
				tag: null,
				max_file_size: 0,
				package_size_restriction_enabled: false,
				has_access_code: true,
				access_code: 'secret',
			};
			const answer = { ...current, ...sent, has_access_code: true };
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

		it('when MASV answers the PUT with no portal, outputs the portal read with the changes, without passwords', async () => {
			const scope = nock(TEST_BASE_URL)
				.get(`/v1.1/portals/${PORTAL}`)
				.reply(200, current)
				.put(`/v1/portals/${PORTAL}`, exactBody({ ...named, message: 'New text', has_download_password: true, download_password: 'pw' }))
				.reply(204);
			const { items, error } = await runMasv({
				resource: 'portal',
				operation: 'update',
				portalId: PORTAL,
				updateFields: { message: 'New text', downloadPassword: 'pw' },
			});
			expect(error).toBeUndefined();
			expect(items).toEqual([{ json: { ...current, message: 'New text', has_download_password: true }, pairedItem: { item: 0 } }]);
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
					.put(`/v1/portals/${PORTAL}`, exactBody({ ...named, message: 'New text' }))
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

			it('removing both on purpose sends has_* false, and needs no second read', async () => {
				const cleared = { ...protectedPortal, has_access_code: false, has_download_password: false };
				const scope = nock(TEST_BASE_URL)
					.get(`/v1.1/portals/${PORTAL}`)
					.reply(200, protectedPortal)
					.put(`/v1/portals/${PORTAL}`, exactBody({ ...named, has_access_code: false, has_download_password: false }))
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
				.put('/v1/portals/P1', exactBody({ ...named, message: 'one' }))
				.reply(200, { ...current, id: 'P1', message: 'one' })
				.get('/v1.1/portals/P2')
				.reply(200, { ...current, id: 'P2' })
				.put('/v1/portals/P2', exactBody({ ...named, message: 'two' }))
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

		it('a 5xx on the read or on the PUT is retried (the PUT sends the same body again)', async () => {
			const scope = nock(TEST_BASE_URL)
				.get(`/v1.1/portals/${PORTAL}`)
				.reply(503, { code: 503, message: 'busy' })
				.get(`/v1.1/portals/${PORTAL}`)
				.reply(200, current)
				.put(`/v1/portals/${PORTAL}`, exactBody({ ...named, active: true }))
				.reply(502, 'Bad Gateway')
				.put(`/v1/portals/${PORTAL}`, exactBody({ ...named, active: true }))
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
});
