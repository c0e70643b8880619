import nock from 'nock';
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

import { MASV_TRIGGER_TYPE, TEST_API_KEY, TEST_BASE_URL, rl, runWorkflow } from '../../tools/harness';
import { activateTrigger, registerPollingNodeType, triggerNode } from '../harness/poll';
import { api, credentialsFor } from '../../tools/harness/emulatorApi';
import { MasvTrigger } from '../../nodes/Masv/MasvTrigger.node';
import { MAX_PENDING, RECENT_WINDOW_MS } from '../../nodes/Masv/trigger/poll';
import type { PollState } from '../../nodes/Masv/trigger/poll';
import { useNock } from '../harness/offline';
import { useEmulator } from '../harness/emulator';

registerPollingNodeType(MASV_TRIGGER_TYPE, new MasvTrigger());

const HOUR = 3600_000;
const DAY = 24 * HOUR;

const ids = (batches: INodeExecutionData[][] | null) => (batches?.[0] ?? []).map((item) => item.json.id);
const stateOf = (data: IDataObject) => (data['node:MASV Trigger'] as IDataObject | undefined)?.masvTrigger as unknown as PollState;

describe('MASV Trigger against the emulator', () => {
	const emu = useEmulator({ each: 'reset' });
	let credentials: ReturnType<typeof credentialsFor>;

	beforeAll(() => {
		credentials = credentialsFor(emu);
	});
	afterEach(() => jest.restoreAllMocks());

	/** A team package, still `new` (being uploaded). */
	const createPackage = async (name: string, extra: IDataObject = {}) =>
		String((await api(emu, 'POST', `/v1/teams/${emu.teamId}/packages`, { name, ...extra })).id);
	// The emulator's finalize wants uploaded files; the trigger only looks at the package state, so
	// the test sets it directly (the upload flow has its own tests).
	const finalize = (id: string) => {
		const pkg = emu.core.state.packages.get(id);
		if (!pkg || pkg.state !== 'new') throw new Error(`cannot finalize ${id}`);
		pkg.state = 'finalized';
		pkg.updatedAt = emu.core.now();
	};
	const createFinalized = async (name: string, extra: IDataObject = {}) => {
		const id = await createPackage(name, extra);
		finalize(id);
		return id;
	};
	/** Moves a package's creation time into the past. */
	const backdate = (id: string, ms: number) => {
		const pkg = emu.core.state.packages.get(id);
		if (!pkg) throw new Error(`no package ${id}`);
		pkg.createdAt -= ms;
	};
	const teamTrigger = () => triggerNode({ event: 'teamPackageFinalized', teamId: rl(emu.teamId) });
	const listReads = (status: string) =>
		emu.requests({ kind: 'api', method: 'GET', path: `/v1.1/teams/${emu.teamId}/packages` }).filter((r) => r.query.status === status);

	it('activation records what exists and emits nothing old; a package finalized later fires once', async () => {
		const oldFinalized = await createFinalized('old delivery');
		backdate(oldFinalized, 2 * DAY);
		const recentFinalized = await createFinalized('delivered a minute ago');
		const uploading = await createPackage('still uploading');

		const trigger = await activateTrigger(teamTrigger(), { credentials });
		expect(trigger.emitted).toEqual([]);
		expect(await trigger.tick()).toBeNull();

		finalize(uploading);
		const fresh = await createFinalized('new delivery');
		const fired = await trigger.tick();
		expect(ids(fired)).toEqual([uploading, fresh]);
		expect(ids(fired)).not.toContain(oldFinalized);
		expect(ids(fired)).not.toContain(recentFinalized);
		expect(fired?.[0][0].json).toMatchObject({ id: uploading, name: 'still uploading', state: 'finalized' });
		// The package token is not put into the output.
		expect(JSON.stringify(fired)).not.toContain('access_token');

		expect(await trigger.tick()).toBeNull();
		expect(trigger.errors).toEqual([]);
		expect(trigger.emitted).toHaveLength(1);
	});

	it('reads the lists with their own sort and filters, with the API key', async () => {
		await createFinalized('a');
		emu.resetRequests();
		const trigger = await activateTrigger(teamTrigger(), { credentials });
		await trigger.tick();
		const reads = emu.requests({ kind: 'api', method: 'GET', path: `/v1.1/teams/${emu.teamId}/packages` });
		expect(reads.map((r) => r.query)).toEqual([
			{ page: '1', limit: '50', status: 'new', sort: '-created_at' },
			{ page: '1', limit: '50', status: 'finalized', sort: '-created_at' },
			{ page: '1', limit: '50', status: 'new', sort: '-created_at' },
			{ page: '1', limit: '50', status: 'finalized', sort: '-created_at' },
		]);
		expect(reads.every((r) => r.headers['x-api-key'] === emu.apiKey)).toBe(true);
		expect(emu.requests({ kind: 'api' })).toHaveLength(4);
	});

	it('a package created long before the last poll but finalized after it still fires, once', async () => {
		const longUpload = await createPackage('four-day upload');
		backdate(longUpload, 4 * DAY);
		// Older finalized packages the read has to walk past, and that must not fire.
		const older: string[] = [];
		for (let i = 0; i < 70; i++) {
			const id = await createFinalized(`finished ${i}`);
			backdate(id, 2 * DAY + i * 1000);
			older.push(id);
		}
		const abandoned = await createPackage('abandoned');
		backdate(abandoned, 30 * DAY);

		const trigger = await activateTrigger(teamTrigger(), { credentials });
		expect(await trigger.tick()).toBeNull();
		expect(Object.keys(stateOf(trigger.staticData()).pending).sort()).toEqual([abandoned, longUpload].sort());

		finalize(longUpload);
		emu.resetRequests();
		expect(ids(await trigger.tick())).toEqual([longUpload]);
		// It walked the finalized list back to the package (two pages of 50), not further.
		expect(listReads('finalized').map((r) => r.query.page)).toEqual(['1', '2']);

		emu.resetRequests();
		expect(await trigger.tick()).toBeNull();
		// Back to reading only the recent window: one page.
		expect(listReads('finalized').map((r) => r.query.page)).toEqual(['1']);
		expect(Object.keys(stateOf(trigger.staticData()).pending)).toEqual([abandoned]);
	});

	it('pages across a burst larger than one page: each package once, none missed', async () => {
		const trigger = await activateTrigger(teamTrigger(), { credentials });
		const burst: string[] = [];
		for (let i = 0; i < 120; i++) burst.push(await createFinalized(`burst ${i}`));
		emu.resetRequests();

		const fired = await trigger.tick();
		expect(ids(fired)).toEqual(burst);
		expect(new Set(ids(fired)).size).toBe(120);
		expect(listReads('finalized').map((r) => [r.query.page, r.query.limit])).toEqual([
			['1', '50'],
			['2', '50'],
			['3', '50'],
		]);
		expect(await trigger.tick()).toBeNull();
		expect(trigger.emitted).toHaveLength(1);
	});

	it('state stays bounded: packages leave it once they are older than the window', async () => {
		const trigger = await activateTrigger(teamTrigger(), { credentials });
		for (let i = 0; i < 30; i++) await createFinalized(`p${i}`);
		for (let i = 0; i < 5; i++) await createPackage(`uploading ${i}`);
		expect(ids(await trigger.tick())).toHaveLength(30);
		let state = stateOf(trigger.staticData());
		expect(Object.keys(state.seen)).toHaveLength(30);
		expect(Object.keys(state.pending)).toHaveLength(5);

		// Two windows later (n8n's clock and MASV's move together): nothing is remembered but what
		// the next poll reads again.
		const realNow = Date.now.bind(Date);
		jest.spyOn(Date, 'now').mockImplementation(() => realNow() + 2 * RECENT_WINDOW_MS + 1000);
		expect(await trigger.tick()).toBeNull();
		state = stateOf(trigger.staticData());
		expect(state.seen).toEqual({});
		expect(Object.keys(state.pending)).toHaveLength(5);
		expect(JSON.stringify(state).length).toBeLessThan(1000);
		expect(MAX_PENDING).toBeLessThanOrEqual(1000);
	});

	it('keeps its state through a restart (static data saved as JSON)', async () => {
		const uploading = await createPackage('uploading');
		const trigger = await activateTrigger(teamTrigger(), { credentials });
		await trigger.restart();
		// The poll at re-activation is a normal poll, not a new baseline.
		expect(trigger.emitted).toEqual([]);
		finalize(uploading);
		await trigger.restart('init');
		expect(trigger.emitted.map(ids)).toEqual([[uploading]]);
	});

	it('starts a new baseline when the team changes', async () => {
		const other = emu.admin.createTeam({ name: 'Other team' });
		const trigger = await activateTrigger(teamTrigger(), { credentials });
		expect(stateOf(trigger.staticData()).target).toBe(`teamPackageFinalized:${emu.teamId}`);
		await createFinalized('x');
		const moved = await activateTrigger(triggerNode({ event: 'teamPackageFinalized', teamId: rl(other.teamId) }), {
			credentials: credentialsFor({ url: emu.url, apiKey: other.apiKey }),
			staticData: trigger.staticData(),
		});
		expect(moved.emitted).toEqual([]);
		expect(stateOf(moved.staticData()).target).toBe(`teamPackageFinalized:${other.teamId}`);
	});

	it('portal packages: one legacy list call per poll, by portal ID', async () => {
		const portalId = emu.seed.portalId;
		const upload = async (name: string) =>
			String((await api(emu, 'POST', `/v1/portals/${portalId}/packages`, { name, sender: 'editor@example.com' }, null)).id);
		const before = await upload('before activation');
		finalize(before);
		const slow = await upload('slow upload');
		backdate(slow, 3 * DAY);
		const sentByTeam = await createFinalized('not a portal package');

		emu.resetRequests();
		const trigger = await activateTrigger(triggerNode({ event: 'portalPackageFinalized', portalId: rl(portalId) }), { credentials });
		expect(trigger.emitted).toEqual([]);
		finalize(slow);
		const fresh = await upload('fresh');
		finalize(fresh);
		await createFinalized('team package after activation');
		const fired = await trigger.tick();
		expect(ids(fired)).toEqual([slow, fresh]);
		expect(ids(fired)).not.toContain(sentByTeam);
		expect(await trigger.tick()).toBeNull();
		expect(JSON.stringify(fired)).not.toContain('access_token');

		// Options > Include Package Token hands the token on, for a later MASV node's Package Token
		// option (portal packages may be invisible to the API key's package lookup).
		const withToken = await activateTrigger(
			triggerNode({ event: 'portalPackageFinalized', portalId: rl(portalId), options: { includePackageToken: true } }),
			{ credentials },
		);
		const late = await upload('late');
		finalize(late);
		const [item] = (await withToken.tick())?.[0] ?? [];
		expect(item.json.id).toBe(late);
		expect(item.json.access_token).toEqual(expect.any(String));
		expect(String(item.json.access_token)).toMatch(/\S{20,}/);
		await withToken.deactivate();

		const reads = emu.requests({ kind: 'api', method: 'GET' }).slice(0, 3);
		expect(reads.map((r) => `${r.method} ${r.path}`)).toEqual(Array(3).fill(`GET /v1/portals/${portalId}/packages`));
		expect(reads[0].query).toEqual({ new: 'true', finalized: 'true', expired: 'false', archived: 'false' });
	});

	it('Teamspace packages: a burst over several pages fires once', async () => {
		const teamspaceId = emu.seed.teamspaceId;
		const inSpace = { teamspace_id: teamspaceId };
		const trigger = await activateTrigger(triggerNode({ event: 'teamspacePackageFinalized', teamspaceId: rl(teamspaceId) }), {
			credentials,
		});
		const burst: string[] = [];
		for (let i = 0; i < 60; i++) burst.push(await createFinalized(`space ${i}`, inSpace));
		await createFinalized('outside the Teamspace');
		emu.resetRequests();
		expect(ids(await trigger.tick())).toEqual(burst);
		const pages = emu
			.requests({ kind: 'api', path: `/v1.1/spaces/${teamspaceId}/packages` })
			.filter((r) => r.query.status === 'finalized')
			.map((r) => r.query.page);
		// Teamspace lists count pages from 0 (§5.10).
		expect(pages).toEqual(['0', '1']);
		expect(await trigger.tick()).toBeNull();
	});

	it('a manual test run returns the latest finalized package and leaves the poll state alone', async () => {
		await createFinalized('older');
		const latest = await createFinalized('latest');
		await createPackage('uploading, not finalized');
		emu.resetRequests();
		const { run, error, output } = await runWorkflow({
			nodes: [triggerNode({ event: 'teamPackageFinalized', teamId: rl(emu.teamId) })],
			credentials,
		});
		expect(error).toBeUndefined();
		const items = output('MASV Trigger');
		expect(items.map((item) => item.json.id)).toEqual([latest]);
		expect(items[0].json).toMatchObject({ name: 'latest', state: 'finalized' });
		expect(items[0].json.access_token).toBeUndefined();
		expect(emu.requests({ kind: 'api' }).map((r) => r.query)).toEqual([
			{ page: '1', limit: '1', status: 'finalized', sort: '-created_at' },
		]);
		expect(run.data.resultData.runData['MASV Trigger']).toHaveLength(1);
	});
});

describe('MASV Trigger with nock', () => {
	const TEAM = '01FX8CYWMQAEGW8AYSNQRGAMRM';
	const SPACE = '01E8TP2TJCTDNW11G67NKHQW5J';

	useNock();

	const pkg = (id: string, createdAt: number, state = 'finalized'): IDataObject => ({
		id,
		name: id,
		state,
		created_at: new Date(createdAt).toISOString(),
		access_token: 'secret-package-token',
		progress_channels: [{ provider: 'pubnub', topic: 'zip', auth: { token: 'pubnub-secret', channel_name: 'c' } }],
	});

	it('Teamspace lists are read from page 0; a bare array is accepted; tokens stay out of items', async () => {
		const now = Date.now();
		const list = (status: string, page: number) => ({ page: String(page), limit: '50', status, sort: '-created_at' });
		const scope = nock(TEST_BASE_URL, { reqheaders: { 'x-api-key': TEST_API_KEY } })
			.get(`/v1.1/spaces/${SPACE}/packages`)
			.query(list('new', 0))
			.reply(200, [])
			.get(`/v1.1/spaces/${SPACE}/packages`)
			.query(list('finalized', 0))
			.reply(200, { metadata: { total: 1 }, records: [pkg('OLD', now - HOUR)] })
			.get(`/v1.1/spaces/${SPACE}/packages`)
			.query(list('new', 0))
			.reply(200, [])
			.get(`/v1.1/spaces/${SPACE}/packages`)
			.query(list('finalized', 0))
			.reply(200, {
				metadata: { total: 52 },
				records: Array.from({ length: 50 }, (_, i) => pkg(`N${String(51 - i).padStart(2, '0')}`, now + 1000 + (51 - i))),
			})
			.get(`/v1.1/spaces/${SPACE}/packages`)
			.query(list('finalized', 1))
			.reply(200, { metadata: { total: 52 }, records: [pkg('N01', now + 1001), pkg('OLD', now - HOUR)] });
		const trigger = await activateTrigger(triggerNode({ event: 'teamspacePackageFinalized', teamspaceId: rl(SPACE) }));
		const fired = await trigger.tick();
		expect(ids(fired)).toEqual(Array.from({ length: 51 }, (_, i) => `N${String(i + 1).padStart(2, '0')}`));
		expect(JSON.stringify(fired)).not.toMatch(/secret-package-token|pubnub-secret/);
		expect(fired?.[0][0].json).toMatchObject({ id: 'N01', progress_channels: [{ topic: 'zip' }] });
		scope.done();
	});

	it('a server that serves page 0 and page 1 alike (§18.2) still gives every package once', async () => {
		const now = Date.now();
		const first = Array.from({ length: 50 }, (_, i) => pkg(`A${String(99 - i)}`, now + 1000 + (99 - i)));
		const second = Array.from({ length: 10 }, (_, i) => pkg(`A${String(49 - i)}`, now + 1000 + (49 - i)));
		const list = (status: string, page: number) => ({ page: String(page), limit: '50', status, sort: '-created_at' });
		const scope = nock(TEST_BASE_URL)
			.get(`/v1.1/spaces/${SPACE}/packages`)
			.query(list('new', 0))
			.reply(200, { metadata: { total: 0 }, records: [] })
			.get(`/v1.1/spaces/${SPACE}/packages`)
			.query(list('finalized', 0))
			.reply(200, { metadata: { total: 0 }, records: [] })
			.get(`/v1.1/spaces/${SPACE}/packages`)
			.query(list('new', 0))
			.reply(200, { metadata: { total: 0 }, records: [] })
			.get(`/v1.1/spaces/${SPACE}/packages`)
			.query(list('finalized', 0))
			.reply(200, { metadata: { total: 60 }, records: first })
			.get(`/v1.1/spaces/${SPACE}/packages`)
			.query(list('finalized', 1))
			.reply(200, { metadata: { total: 60 }, records: first })
			.get(`/v1.1/spaces/${SPACE}/packages`)
			.query(list('finalized', 2))
			.reply(200, { metadata: { total: 60 }, records: second });
		const trigger = await activateTrigger(triggerNode({ event: 'teamspacePackageFinalized', teamspaceId: rl(SPACE) }));
		const fired = ids(await trigger.tick());
		expect(fired).toHaveLength(60);
		expect(new Set(fired).size).toBe(60);
		expect(fired[0]).toBe('A40');
		expect(fired[59]).toBe('A99');
		scope.done();
	});

	it('a MASV error at activation fails the activation with MASV message and status', async () => {
		nock(TEST_BASE_URL)
			.get(`/v1.1/teams/${TEAM}/packages`)
			.query(true)
			.reply(404, { message: 'team not found' });
		await expect(activateTrigger(triggerNode({ event: 'teamPackageFinalized', teamId: rl(TEAM) }))).rejects.toThrow(
			/team not found/,
		);
	});

	it('a failed later poll is reported to n8n (emitError) and the next poll catches up', async () => {
		const now = Date.now();
		const reply = (status: string, records: IDataObject[]) =>
			nock(TEST_BASE_URL)
				.get(`/v1.1/teams/${TEAM}/packages`)
				.query({ page: '1', limit: '50', status, sort: '-created_at' })
				.reply(200, { metadata: { total: records.length }, records });
		reply('new', [pkg('UP', now - 2 * DAY, 'new')]);
		reply('finalized', []);
		const trigger = await activateTrigger(triggerNode({ event: 'teamPackageFinalized', teamId: rl(TEAM) }));

		nock(TEST_BASE_URL).get(`/v1.1/teams/${TEAM}/packages`).query(true).reply(401, { message: 'invalid api key' });
		expect(await trigger.tick()).toBeNull();
		expect(trigger.errors).toHaveLength(1);
		expect(trigger.errors[0].message).toMatch(/invalid api key/);
		expect(JSON.stringify(trigger.errors[0])).not.toContain(TEST_API_KEY);
		expect((trigger.errors[0] as { httpCode?: string }).httpCode).toBe('401');

		reply('new', []);
		reply('finalized', [pkg('UP', now - 2 * DAY)]);
		expect(ids(await trigger.tick())).toEqual(['UP']);
		expect(nock.pendingMocks()).toEqual([]);
	});

	it('a manual test with no finalized package yet returns nothing, without an error', async () => {
		const scope = nock(TEST_BASE_URL)
			.get(`/v1/portals/PORTAL0123456789/packages`)
			.query({ new: 'false', finalized: 'true', expired: 'false', archived: 'false' })
			.reply(200, []);
		const { error, output } = await runWorkflow({
			nodes: [triggerNode({ event: 'portalPackageFinalized', portalId: rl('PORTAL0123456789') })],
		});
		expect(error).toBeUndefined();
		expect(output('MASV Trigger')).toEqual([]);
		scope.done();
	});

	it('names the parameter when no team is chosen', async () => {
		await expect(
			activateTrigger(triggerNode({ event: 'teamPackageFinalized', teamId: rl('') })),
		).rejects.toThrow(/"Team" parameter \(teamId\)/);
	});
});
