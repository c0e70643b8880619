import nock from 'nock';

import { TEST_BASE_URL, rl, runMasv } from '../../../tools/harness';
import { useNock } from '../../harness/offline';
import { TEAM, PORTAL, portal, jsonHeaders, exactBody } from './fixtures';

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
						has_access_code: true,
						access_code: ' code 1 ',
						has_download_password: true,
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
});
