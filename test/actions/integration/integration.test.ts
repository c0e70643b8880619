import { createHash } from 'node:crypto';

import nock from 'nock';

import { searchIntegrations } from '../../../nodes/Masv/methods/listSearch';
import { TEST_API_KEY, TEST_BASE_URL, masvNode, rl, runMasv, runWorkflow } from '../../../tools/harness';
import { credentialsFor } from '../../../tools/harness/emulatorApi';
import { loadOptionsContext } from '../../harness/loadOptions';
import { useNock } from '../../harness/offline';
import { useEmulator } from '../../harness/emulator';

const TEAM = '01FX8CYWMQAEGW8AYSNQRGAMRM';
const CONN = '01EKYZ1VH9GTS9GYMCMSR4NR9G';
const GATEWAY = '01EKYZ1VH9GTS9GYMCMSR4NR9H';
const PKG = '01ENX9B1J68NT9Y4QHXD7T0X6S';
const PKG_TOKEN = 'eyJ.package-token.for-tests';

const s3Connection = { id: CONN, name: 'Archive bucket', provider: 'amazon_s3', direction: 'cloud_to_masv', state: 'ok' };

function entry(id: string) {
	const directory = id.endsWith('/');
	const name = id.replace(/\/$/, '').split('/').pop();
	return { id, name, kind: directory ? 'directory' : 'file', size: directory ? 0 : id.length };
}

const sha256 = (bytes: Buffer | Uint8Array) => createHash('sha256').update(bytes).digest('hex');

describe('integration (nock)', () => {
	useNock();

	it('getAll lists the connections of the team with the API key; Limit cuts the plain array', async () => {
		const scope = nock(TEST_BASE_URL, { reqheaders: { 'x-api-key': TEST_API_KEY } })
			.get(`/v1/teams/${TEAM}/cloud_connections`)
			.twice()
			.reply(200, [s3Connection, { id: GATEWAY, name: 'Gateway', provider: 'synology_sg' }, { id: 'c3', name: 'Third' }]);
		const all = await runMasv({ resource: 'integration', operation: 'getAll', teamId: rl(TEAM), returnAll: true });
		expect(all.error).toBeUndefined();
		expect(all.items.map((item) => item.json.id)).toEqual([CONN, GATEWAY, 'c3']);
		expect(all.items.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 0 }, { item: 0 }]);
		const some = await runMasv({ resource: 'integration', operation: 'getAll', teamId: rl(TEAM), limit: 2 });
		expect(some.items.map((item) => item.json.id)).toEqual([CONN, GATEWAY]);
		scope.done();
	});

	it('get reads one connection through the resource locator', async () => {
		const scope = nock(TEST_BASE_URL, { reqheaders: { 'x-api-key': TEST_API_KEY } })
			.get(`/v1/cloud_connections/${CONN}`)
			.reply(200, s3Connection);
		const { items, error } = await runMasv({ resource: 'integration', operation: 'get', integrationId: rl(CONN) });
		expect(error).toBeUndefined();
		expect(items).toEqual([{ json: s3Connection, pairedItem: { item: 0 } }]);
		scope.done();
	});

	it('get: a 404 carries MASV message and status; with Continue On Fail it is an error item per input', async () => {
		nock(TEST_BASE_URL).get('/v1/cloud_connections/01MISSINGMISSINGMISSING00').reply(404, { code: 404, message: 'cloud connection not found' });
		const failed = await runMasv({ resource: 'integration', operation: 'get', integrationId: rl('01MISSINGMISSINGMISSING00') });
		expect(failed.error?.message).toBe('cloud connection not found');
		expect((failed.error as { httpCode?: string }).httpCode).toBe('404');
		expect(JSON.stringify(failed.error)).not.toContain(TEST_API_KEY);

		nock(TEST_BASE_URL)
			.get('/v1/cloud_connections/01MISSINGMISSINGMISSING00')
			.reply(404, { code: 404, message: 'cloud connection not found' })
			.get(`/v1/cloud_connections/${CONN}`)
			.reply(200, s3Connection);
		const { items, error } = await runMasv(
			{ resource: 'integration', operation: 'get', integrationId: '={{ $json.id }}' },
			{ input: [{ json: { id: '01MISSINGMISSINGMISSING00' } }, { json: { id: CONN } }], node: { continueOnFail: true } },
		);
		expect(error).toBeUndefined();
		expect(items).toEqual([
			{ json: { error: 'cloud connection not found', httpCode: '404' }, pairedItem: { item: 0 } },
			{ json: s3Connection, pairedItem: { item: 1 } },
		]);
	});

	it('listFiles walks prev_key pages of cloud storage: every entry once, then stops on a short page', async () => {
		const keys = ['media/a.mov', 'media/b.mov', 'media/c.mov', 'media/d.mov', 'media/e.mov', 'media/stills/'];
		const scope = nock(TEST_BASE_URL, { reqheaders: { 'x-api-key': TEST_API_KEY } })
			.get(`/v1/cloud_connections/${CONN}`)
			.reply(200, s3Connection)
			.get(`/v1/cloud_connections/${CONN}/files`)
			.query({ prefix: 'media/', count: '2' })
			.reply(200, keys.slice(0, 2).map(entry))
			.get(`/v1/cloud_connections/${CONN}/files`)
			.query({ prefix: 'media/', count: '2', prev_key: 'media/b.mov' })
			.reply(200, keys.slice(2, 4).map(entry))
			.get(`/v1/cloud_connections/${CONN}/files`)
			.query({ prefix: 'media/', count: '2', prev_key: 'media/d.mov' })
			.reply(200, keys.slice(4, 6).map(entry))
			.get(`/v1/cloud_connections/${CONN}/files`)
			.query({ prefix: 'media/', count: '2', prev_key: 'media/stills/' })
			.reply(200, []);
		const { items, error } = await runMasv({
			resource: 'integration',
			operation: 'listFiles',
			integrationId: rl(CONN),
			prefix: 'media/',
			returnAll: true,
			options: { pageSize: 2 },
		});
		expect(error).toBeUndefined();
		expect(items.map((item) => item.json.id)).toEqual(keys);
		expect(items[5].json).toEqual({ id: 'media/stills/', name: 'stills', kind: 'directory', size: 0 });
		expect(items.every((item) => (item.pairedItem as { item: number }).item === 0)).toBe(true);
		scope.done();
	});

	it('listFiles with a Limit reads only the pages it needs; Cloud Storage chosen skips the connection lookup', async () => {
		const scope = nock(TEST_BASE_URL)
			.get(`/v1/cloud_connections/${CONN}/files`)
			.query({ prefix: '', count: '3' })
			.reply(200, ['a', 'b', 'c'].map(entry))
			.get(`/v1/cloud_connections/${CONN}/files`)
			.query({ prefix: '', count: '3', prev_key: 'c' })
			.reply(200, ['d', 'e'].map(entry));
		const { items, error } = await runMasv({
			resource: 'integration',
			operation: 'listFiles',
			integrationId: rl(CONN),
			returnAll: false,
			limit: 4,
			options: { pageSize: 3, storageType: 'cloud' },
		});
		expect(error).toBeUndefined();
		expect(items.map((item) => item.json.id)).toEqual(['a', 'b', 'c', 'd']);
		scope.done();
	});

	it('listFiles on a Storage Gateway (provider *_sg) pages by offset until more_data is false', async () => {
		const paths = ['/projects/a.mov', '/projects/b.mov', '/projects/c.mov', '/projects/d.mov', '/projects/e.mov'];
		const scope = nock(TEST_BASE_URL, { reqheaders: { 'x-api-key': TEST_API_KEY } })
			.get(`/v1/cloud_connections/${GATEWAY}`)
			.reply(200, { id: GATEWAY, provider: 'synology_sg', direction: 'masv_to_cloud' })
			.get(`/v1/cloud_connections/providers/storage_gateway/${GATEWAY}/files`)
			.query({ path: 'projects', offset: '0', count: '2' })
			.reply(200, { files: paths.slice(0, 2).map(entry), more_data: true })
			.get(`/v1/cloud_connections/providers/storage_gateway/${GATEWAY}/files`)
			.query({ path: 'projects', offset: '2', count: '2' })
			.reply(200, { files: paths.slice(2, 4).map(entry), more_data: true })
			.get(`/v1/cloud_connections/providers/storage_gateway/${GATEWAY}/files`)
			.query({ path: 'projects', offset: '4', count: '2' })
			.reply(200, { files: paths.slice(4).map(entry), more_data: false });
		const { items, error } = await runMasv({
			resource: 'integration',
			operation: 'listFiles',
			integrationId: rl(GATEWAY),
			prefix: 'projects',
			returnAll: true,
			options: { pageSize: 2 },
		});
		expect(error).toBeUndefined();
		expect(items.map((item) => item.json.id)).toEqual(paths);
		scope.done();
	});

	it('listFiles: a failed page is an error with MASV message; Continue On Fail gives an error item', async () => {
		nock(TEST_BASE_URL)
			.get(`/v1/cloud_connections/${CONN}/files`)
			.query(true)
			.reply(403, { code: 403, message: 'not allowed to browse this connection' });
		const { items, error } = await runMasv(
			{ resource: 'integration', operation: 'listFiles', integrationId: rl(CONN), returnAll: true, options: { storageType: 'cloud' } },
			{ node: { continueOnFail: true } },
		);
		expect(error).toBeUndefined();
		expect(items).toEqual([{ json: { error: 'not allowed to browse this connection' }, pairedItem: { item: 0 } }]);
	});

	it('importFiles creates a team package with the API key, then starts the transfer with its token only', async () => {
		const scope = nock(TEST_BASE_URL)
			.get(`/v1/cloud_connections/${CONN}`)
			.matchHeader('x-api-key', TEST_API_KEY)
			.reply(200, s3Connection)
			.post(`/v1/teams/${TEAM}/packages`, {
				name: 'Dailies',
				description: 'From the archive',
				recipients: ['ed@example.com', 'vfx@example.com'],
			})
			.matchHeader('x-api-key', TEST_API_KEY)
			.matchHeader('content-type', /application\/json/)
			.reply(201, { id: PKG, name: 'Dailies', state: 'new', access_token: PKG_TOKEN, progress_channels: [{ auth: { token: 'pubnub' } }] });
		const transfer = nock(TEST_BASE_URL, { badheaders: ['x-api-key'] })
			.post(`/v1/packages/${PKG}/transfer`, {
				cloud_connection_id: CONN,
				direction: 'cloud_to_masv',
				provider: 'amazon_s3',
				files: [
					{ id: 'media/clip.mov', name: 'clip.mov', kind: 'file' },
					{ id: 'media/stills/', name: 'stills', kind: 'directory' },
				],
				notify_email: 'ops@example.com',
			})
			.matchHeader('x-package-token', PKG_TOKEN)
			.matchHeader('content-type', /application\/json/)
			.reply(201, { id: 'T1', state: 'started' });
		const { items, error } = await runMasv({
			resource: 'integration',
			operation: 'importFiles',
			teamId: rl(TEAM),
			integrationId: rl(CONN),
			files: 'media/clip.mov, media/stills/',
			name: 'Dailies',
			description: 'From the archive',
			recipients: 'ed@example.com, vfx@example.com',
			options: { notifyEmail: 'ops@example.com' },
		});
		expect(error).toBeUndefined();
		expect(items).toEqual([
			{ json: { package: { id: PKG, name: 'Dailies', state: 'new' }, transfer: { id: 'T1', state: 'started' } }, pairedItem: { item: 0 } },
		]);
		expect(JSON.stringify(items)).not.toContain(PKG_TOKEN);
		scope.done();
		transfer.done();
	});

	it('importFiles takes files as {id, name, kind} entries from an expression and the provider from Options', async () => {
		const listed = [entry('media/a.mov'), { id: 'media/deep/', kind: 'directory' }, { json: entry('media/b.mov') }];
		const scope = nock(TEST_BASE_URL)
			.post(`/v1/teams/${TEAM}/packages`, { name: 'Pick', description: '', recipients: [] })
			.reply(201, { id: PKG, name: 'Pick', state: 'new', access_token: PKG_TOKEN })
			.post(`/v1/packages/${PKG}/transfer`, {
				cloud_connection_id: CONN,
				direction: 'cloud_to_masv',
				provider: 'wasabi_s3',
				files: [
					{ id: 'media/a.mov', name: 'a.mov', kind: 'file' },
					{ id: 'media/deep/', name: 'deep', kind: 'directory' },
					{ id: 'media/b.mov', name: 'b.mov', kind: 'file' },
				],
			})
			.reply(201, { id: 'T2', state: 'started' });
		const { items, error } = await runMasv(
			{
				resource: 'integration',
				operation: 'importFiles',
				teamId: rl(TEAM),
				integrationId: rl(CONN),
				files: '={{ $json.listed }}',
				name: 'Pick',
				options: { provider: 'wasabi_s3' },
			},
			{ input: [{ json: { listed } }] },
		);
		expect(error).toBeUndefined();
		expect(items[0].json.transfer).toEqual({ id: 'T2', state: 'started' });
		scope.done();
	});

	it('importFiles from a Storage Gateway (set up masv_to_cloud): full paths as file IDs, the provider read from the connection', async () => {
		const scope = nock(TEST_BASE_URL)
			.get(`/v1/cloud_connections/${GATEWAY}`)
			.reply(200, { id: GATEWAY, name: 'NAS', provider: 'synology_sg', direction: 'masv_to_cloud' })
			.post(`/v1/teams/${TEAM}/packages`, { name: 'From the NAS', description: '', recipients: [] })
			.reply(201, { id: PKG, name: 'From the NAS', state: 'new', access_token: PKG_TOKEN })
			.post(`/v1/packages/${PKG}/transfer`, {
				cloud_connection_id: GATEWAY,
				direction: 'cloud_to_masv',
				provider: 'synology_sg',
				files: [{ id: '/projects/show/ep1.mov', name: 'ep1.mov', kind: 'file' }],
			})
			.reply(201, { id: 'T3', state: 'started' });
		const { items, error } = await runMasv({
			resource: 'integration',
			operation: 'importFiles',
			teamId: rl(TEAM),
			integrationId: rl(GATEWAY),
			files: '/projects/show/ep1.mov',
			name: 'From the NAS',
		});
		expect(error).toBeUndefined();
		expect(items[0].json.transfer).toEqual({ id: 'T3', state: 'started' });
		scope.done();
	});

	it('importFiles from a cloud connection MASV refuses: MASV\'s message and status, the empty package removed', async () => {
		const scope = nock(TEST_BASE_URL)
			.get(`/v1/cloud_connections/${CONN}`)
			.reply(200, { ...s3Connection, name: 'Deliveries', direction: 'masv_to_cloud' })
			.post(`/v1/teams/${TEAM}/packages`)
			.reply(201, { id: PKG, name: 'Nope', state: 'new', access_token: PKG_TOKEN })
			.post(`/v1/packages/${PKG}/transfer`)
			.reply(400, { code: 400, message: `cloud connection ${CONN} is configured for masv_to_cloud` })
			.delete(`/v1/packages/${PKG}`)
			.reply(204);
		const { error } = await runMasv({
			resource: 'integration',
			operation: 'importFiles',
			teamId: rl(TEAM),
			integrationId: rl(CONN),
			files: 'media/clip.mov',
			name: 'Nope',
		});
		expect(error?.message).toBe(`cloud connection ${CONN} is configured for masv_to_cloud`);
		expect((error as { httpCode?: string }).httpCode).toBe('400');
		scope.done();
	});

	it('importFiles: empty files name the parameter; a refused transfer removes the empty package', async () => {
		const empty = await runMasv({
			resource: 'integration',
			operation: 'importFiles',
			teamId: rl(TEAM),
			integrationId: rl(CONN),
			files: ' , ',
			name: 'Nothing',
		});
		expect(empty.error?.message).toMatch(/"files" is empty/);

		const scope = nock(TEST_BASE_URL)
			.get(`/v1/cloud_connections/${CONN}`)
			.reply(200, s3Connection)
			.post(`/v1/teams/${TEAM}/packages`)
			.reply(201, { id: PKG, name: 'Bad', state: 'new', access_token: PKG_TOKEN })
			.post(`/v1/packages/${PKG}/transfer`)
			.reply(400, { code: 400, message: 'media/missing.mov was not found in cloud connection' })
			.delete(`/v1/packages/${PKG}`)
			.matchHeader('x-package-token', PKG_TOKEN)
			.reply(204);
		const { items, error } = await runMasv(
			{ resource: 'integration', operation: 'importFiles', teamId: rl(TEAM), integrationId: rl(CONN), files: 'media/missing.mov', name: 'Bad' },
			{ node: { continueOnFail: true } },
		);
		expect(error).toBeUndefined();
		expect(items).toEqual([{ json: { error: 'media/missing.mov was not found in cloud connection' }, pairedItem: { item: 0 } }]);
		expect(JSON.stringify(items)).not.toContain(PKG_TOKEN);
		scope.done();
	});

	it('searchIntegrations lists the connections of every team of the key, filtered by name or provider', async () => {
		const scope = nock(TEST_BASE_URL, { reqheaders: { 'x-api-key': TEST_API_KEY } })
			.get('/v1/teams')
			.reply(200, [
				{ id: TEAM, name: 'Post House' },
				{ id: 'T2', name: 'Archive' },
			])
			.get(`/v1/teams/${TEAM}/cloud_connections`)
			.reply(200, [s3Connection])
			.get('/v1/teams/T2/cloud_connections')
			.reply(200, [{ id: GATEWAY, name: 'NAS', provider: 'synology_sg', direction: 'masv_to_cloud' }]);
		const all = await searchIntegrations.call(loadOptionsContext({}));
		expect(all.results).toEqual([
			{ name: 'Archive bucket (amazon_s3, import) · Post House', value: CONN },
			{ name: 'NAS (synology_sg, delivery) · Archive', value: GATEWAY },
		]);
		scope.done();

		nock(TEST_BASE_URL).get(`/v1/teams/${TEAM}/cloud_connections`).reply(200, [s3Connection, { id: GATEWAY, name: 'NAS', provider: 'synology_sg' }]);
		const filtered = await searchIntegrations.call(loadOptionsContext({ teamId: rl(TEAM) }), 'synology');
		expect(filtered.results).toEqual([{ name: 'NAS (synology_sg)', value: GATEWAY }]);
	});
});

describe('integration (emulator)', () => {
	beforeAll(() => nock.enableNetConnect());
	const emu = useEmulator();

	it('getAll and get read the seeded connections; the picker lists them', async () => {
		const { s3InId, s3OutId, gatewayId } = emu.seed.cloudConnections;
		const list = await runMasv({ resource: 'integration', operation: 'getAll', teamId: rl(emu.teamId), returnAll: true }, { credentials: credentialsFor(emu) });
		expect(list.error).toBeUndefined();
		expect(list.items.map((item) => item.json.id).sort()).toEqual([s3InId, s3OutId, gatewayId].sort());
		const one = await runMasv({ resource: 'integration', operation: 'get', integrationId: rl(s3InId) }, { credentials: credentialsFor(emu) });
		expect(one.items[0].json).toMatchObject({ id: s3InId, provider: 'amazon_s3', direction: 'cloud_to_masv' });
		const picker = await searchIntegrations.call(loadOptionsContext({ teamId: rl(emu.teamId) }, emu.url, emu.apiKey), 'imports');
		expect(picker.results).toEqual([{ name: 'Emulator S3 (imports) (amazon_s3, import)', value: s3InId }]);
	});

	it('listFiles walks pages of a folder and of a Storage Gateway folder', async () => {
		const { s3InId, gatewayId } = emu.seed.cloudConnections;
		const cloud = await runMasv(
			{ resource: 'integration', operation: 'listFiles', integrationId: rl(s3InId), prefix: 'media/', returnAll: true, options: { pageSize: 1 } },
			{ credentials: credentialsFor(emu) },
		);
		expect(cloud.error).toBeUndefined();
		expect(cloud.items.map((item) => [item.json.id, item.json.kind])).toEqual([
			['media/clip-a.bin', 'file'],
			['media/stills/', 'directory'],
		]);
		const gateway = await runMasv(
			{ resource: 'integration', operation: 'listFiles', integrationId: rl(gatewayId), prefix: 'projects/show', returnAll: true, options: { pageSize: 1 } },
			{ credentials: credentialsFor(emu) },
		);
		expect(gateway.error).toBeUndefined();
		expect(gateway.items.map((item) => item.json.id)).toEqual(['/projects/show/ep1.mov', '/projects/show/notes.txt']);
		const browseCalls = emu.requests({ kind: 'api', path: new RegExp(`storage_gateway/${gatewayId}/files`) });
		expect(browseCalls).toHaveLength(2);
	});

	it('listFiles → importFiles: the new package holds the folder, byte for byte', async () => {
		const { s3InId } = emu.seed.cloudConnections;
		const common = { credentials: credentialsFor(emu) };
		const list = masvNode(
			{ resource: 'integration', operation: 'listFiles', integrationId: rl(s3InId), prefix: 'media/', returnAll: true },
			{ name: 'List' },
		);
		const importNode = masvNode(
			{
				resource: 'integration',
				operation: 'importFiles',
				teamId: rl(emu.teamId),
				integrationId: rl(s3InId),
				files: "={{ $('List').all().map(item => item.json) }}",
				name: 'Imported media',
				recipients: '',
			},
			{ name: 'Import', executeOnce: true },
		);
		const run = await runWorkflow({ nodes: [list, importNode], ...common });
		expect(run.error).toBeUndefined();
		const output = run.output('Import');
		expect(output).toHaveLength(1);
		const pkg = output[0].json.package as { id: string; state: string };
		expect(output[0].json.transfer).toMatchObject({ state: 'complete' });
		expect(JSON.stringify(output)).not.toMatch(/access_token/);

		const source = (await emu.admin.integrationFiles(s3InId)).filter((file) => file.path.startsWith('media/'));
		const imported = (await emu.files()).filter((file) => file.packageId === pkg.id);
		expect(imported.map((file) => [file.path, file.name]).sort()).toEqual([
			['', 'clip-a.bin'],
			['stills', 'still-1.bin'],
			['stills', 'still-2.bin'],
		]);
		const token = emu.admin.packageToken(pkg.id, 'd');
		for (const file of imported) {
			const expected = source.find((entry) => entry.path === `media/${file.path ? `${file.path}/` : ''}${file.name}`);
			expect(expected).toBeDefined();
			const ticket = await fetch(`${emu.url}/v1/packages/${pkg.id}/files/${file.fileId}/download`, { headers: { 'X-Package-Token': token } });
			expect(ticket.status).toBe(200);
			const { url } = (await ticket.json()) as { url: string };
			const bytes = Buffer.from(await (await fetch(url)).arrayBuffer());
			expect(bytes.length).toBe(expected?.size);
			expect(sha256(bytes)).toBe(expected?.sha256);
		}

		const transferCall = emu.requests({ kind: 'api', method: 'POST', path: `/v1/packages/${pkg.id}/transfer` });
		expect(transferCall).toHaveLength(1);
		const headers = Object.fromEntries(Object.entries(transferCall[0].headers).map(([key, value]) => [key.toLowerCase(), value]));
		expect(headers['x-api-key']).toBeUndefined();
		expect(headers['x-package-token']).toBeTruthy();
	});
	it('listFiles → importFiles from the Storage Gateway: the package holds the file, byte for byte', async () => {
		const { gatewayId } = emu.seed.cloudConnections;
		const common = { credentials: credentialsFor(emu) };
		const list = masvNode(
			{ resource: 'integration', operation: 'listFiles', integrationId: rl(gatewayId), prefix: 'projects/show', returnAll: true },
			{ name: 'List' },
		);
		const importNode = masvNode(
			{
				resource: 'integration',
				operation: 'importFiles',
				teamId: rl(emu.teamId),
				integrationId: rl(gatewayId),
				files: "={{ $('List').all().map(item => item.json).filter(file => file.name === 'ep1.mov') }}",
				name: 'From the gateway',
			},
			{ name: 'Import', executeOnce: true },
		);
		const run = await runWorkflow({ nodes: [list, importNode], ...common });
		expect(run.error).toBeUndefined();
		const pkg = run.output('Import')[0].json.package as { id: string };
		const transferCall = emu.requests({ kind: 'api', method: 'POST', path: `/v1/packages/${pkg.id}/transfer` });
		expect(transferCall[0].body).toMatchObject({ files: [{ id: '/projects/show/ep1.mov', name: 'ep1.mov', kind: 'file' }] });
		const source = (await emu.admin.integrationFiles(gatewayId)).find((file) => file.path === 'projects/show/ep1.mov');
		const imported = (await emu.files()).filter((file) => file.packageId === pkg.id);
		expect(imported.map((file) => [file.name, file.sha256])).toEqual([['ep1.mov', source?.sha256]]);
	});

	it('import, then package sendToIntegration: the files land in the delivery folder byte-identical to the source', async () => {
		const { s3InId, s3OutId } = emu.seed.cloudConnections;
		const imported = await runMasv(
			{
				resource: 'integration',
				operation: 'importFiles',
				teamId: rl(emu.teamId),
				integrationId: rl(s3InId),
				files: 'media/, readme.txt',
				name: 'Round trip',
			},
			{ credentials: credentialsFor(emu) },
		);
		expect(imported.error).toBeUndefined();
		const pkg = imported.items[0].json.package as { id: string };
		expect(emu.admin.getPackage(pkg.id)).toMatchObject({ state: 'finalized' });

		const sent = await runMasv(
			{ resource: 'package', operation: 'sendToIntegration', teamId: rl(emu.teamId), packageId: rl(pkg.id), integrationId: rl(s3OutId) },
			{ credentials: credentialsFor(emu) },
		);
		expect(sent.error).toBeUndefined();
		expect(sent.items).toHaveLength(1);

		const source = await emu.admin.integrationFiles(s3InId);
		const delivered = await emu.admin.integrationFiles(s3OutId);
		// masv_to_cloud writes <target folder>/<package name>/<path in package>/<file>; a folder imported
		// keeps its name as the top level in the package, so the whole source tree comes back.
		const expected = source.map((file) => ({
			path: `deliveries/Round trip/${file.path}`,
			size: file.size,
			sha256: file.sha256,
		}));
		expect([...delivered].sort((a, b) => a.path.localeCompare(b.path))).toEqual(
			expected.sort((a, b) => a.path.localeCompare(b.path)),
		);
	});
});
