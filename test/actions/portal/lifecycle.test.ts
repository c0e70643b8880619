// A portal's whole life through the engine, against the emulator.
import { rl, runMasv } from '../../../tools/harness';
import { credentialsFor } from '../../../tools/harness/emulatorApi';
import { useEmulator } from '../../harness/emulator';

describe('portal (emulator)', () => {
	const emu = useEmulator({ each: 'reset' });

	it('create → get → update → getAll → delete through the engine', async () => {
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
	});

	it('updates a portal that has an access code and a download password: both kept, nothing read-only sent', async () => {
		const credentials = credentialsFor(emu);
		const res = await fetch(`${emu.url}/v1/teams/${emu.seed.teamId}/portals`, {
			method: 'POST',
			headers: { 'X-API-KEY': emu.apiKey, 'Content-Type': 'application/json' },
			body: JSON.stringify({ name: 'Protected', subdomain: 'protected-uploads', has_access_code: true, access_code: 'c0de', has_download_password: true, download_password: 'pw' }),
		});
		const portalId = ((await res.json()) as { id: string }).id;

		const updated = await runMasv(
			{ resource: 'portal', operation: 'update', portalId: rl(portalId), updateFields: { message: 'Now with a message' } },
			{ credentials },
		);
		expect(updated.error).toBeUndefined();
		expect(updated.items[0].json).toMatchObject({ id: portalId, message: 'Now with a message', has_access_code: true, has_download_password: true });

		const cleared = await runMasv(
			{ resource: 'portal', operation: 'update', portalId: rl(portalId), updateFields: { downloadPassword: '' } },
			{ credentials },
		);
		expect(cleared.error).toBeUndefined();
		expect(cleared.items[0].json).toMatchObject({ has_access_code: true, has_download_password: false });
		const puts = emu.requests({ kind: 'api', method: 'PUT' });
		expect(puts.map((put) => put.body)).toEqual([
			{ name: 'Protected', subdomain: 'protected-uploads', message: 'Now with a message' },
			{ name: 'Protected', subdomain: 'protected-uploads', has_download_password: false },
		]);
	});
});
