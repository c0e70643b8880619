import nock from 'nock';

import { TEST_API_KEY, TEST_BASE_URL, rl, runMasv } from '../../../tools/harness';
import { api, credentialsFor } from '../../../tools/harness/emulatorApi';
import { useNock } from '../../harness/offline';
import { useEmulator } from '../../harness/emulator';

const TEAM = '01FX8CYWMQAEGW8AYSNQRGAMRM';
const ACTIVITY = '01HACT1V1TYACT1V1TYACT1V1T';

const activities = (from: number, count: number) =>
	Array.from({ length: count }, (_, index) => ({ id: `A${from + index}`, type: 'package_upload_to_masv', state: 'complete' }));

describe('activity (nock)', () => {
	useNock();

	it('getAll with Return All walks pages from 1 until metadata.total, every record once', async () => {
		const scope = nock(TEST_BASE_URL, { reqheaders: { 'x-api-key': TEST_API_KEY } })
			.get(`/v1.1/teams/${TEAM}/activities`)
			.query({ page: '1', limit: '50' })
			.reply(200, { metadata: { total: 120 }, records: activities(0, 50) })
			.get(`/v1.1/teams/${TEAM}/activities`)
			.query({ page: '2', limit: '50' })
			.reply(200, { metadata: { total: 120 }, records: activities(50, 50) })
			.get(`/v1.1/teams/${TEAM}/activities`)
			.query({ page: '3', limit: '50' })
			.reply(200, { metadata: { total: 120 }, records: activities(100, 20) });
		const { items, error } = await runMasv({ resource: 'activity', operation: 'getAll', teamId: rl(TEAM), returnAll: true });
		expect(error).toBeUndefined();
		expect(items.map((item) => item.json.id)).toEqual(activities(0, 120).map((a) => a.id));
		expect(items.every((item) => (item.pairedItem as { item: number }).item === 0)).toBe(true);
		scope.done();
	});

	it('getAll sends the filters as MASV names them, comma-joined, dates as YYYY-MM-DDTHH:mm:SS; Limit asks for one short page', async () => {
		const scope = nock(TEST_BASE_URL)
			.get(`/v1.1/teams/${TEAM}/activities`)
			.query({
				page: '1',
				limit: '5',
				activity_states: 'complete,error',
				activity_types: 'package_transfer_masv_to_cloud,link_generation',
				package_id: '01ENX9B1J68NT9Y4QHXD7T0X6S',
				created_at_start: '2024-05-01T08:30:00',
				created_at_end: '2024-05-31T23:59:59',
				portals: 'P1,P2',
				teamspaces: 'S1',
				sort: 'created_at',
			})
			.reply(200, { metadata: { total: 7 }, records: activities(0, 5) });
		const { items, error } = await runMasv({
			resource: 'activity',
			operation: 'getAll',
			teamId: rl(TEAM),
			returnAll: false,
			limit: 5,
			filters: {
				activityStates: ['complete', 'error'],
				activityTypes: ['package_transfer_masv_to_cloud', 'link_generation'],
				packageId: ' 01ENX9B1J68NT9Y4QHXD7T0X6S ',
				createdAtStart: '2024-05-01T08:30:00',
				createdAtEnd: '2024-05-31',
				portals: 'P1, P2',
				teamspaces: '={{ ["S1"] }}',
			},
			options: { sort: 'created_at' },
		});
		expect(error).toBeUndefined();
		expect(items).toHaveLength(5);
		scope.done();
	});

	it('getEvents returns one item per event of the activity', async () => {
		const events = [
			{ id: 'E1', state: 'pending', created_at: '2024-05-01T10:00:00.000Z', extras: {} },
			{ id: 'E2', state: 'started', created_at: '2024-05-01T10:01:00.000Z', extras: {} },
			{ id: 'E3', state: 'complete', created_at: '2024-05-01T10:05:00.000Z', extras: {} },
		];
		const scope = nock(TEST_BASE_URL, { reqheaders: { 'x-api-key': TEST_API_KEY } })
			.get(`/v1/teams/${TEAM}/activities/${ACTIVITY}/events`)
			.reply(200, events);
		const { items, error } = await runMasv({ resource: 'activity', operation: 'getEvents', teamId: rl(TEAM), activityId: ACTIVITY });
		expect(error).toBeUndefined();
		expect(items).toEqual(events.map((json) => ({ json, pairedItem: { item: 0 } })));
		scope.done();
	});

	it('getEvents: a 404 carries MASV message; Continue On Fail keeps going with an error item', async () => {
		nock(TEST_BASE_URL).get(`/v1/teams/${TEAM}/activities/NOPE/events`).reply(404, { code: 404, message: 'activity not found' });
		const failed = await runMasv({ resource: 'activity', operation: 'getEvents', teamId: rl(TEAM), activityId: 'NOPE' });
		expect(failed.error?.message).toBe('activity not found');
		expect((failed.error as { httpCode?: string }).httpCode).toBe('404');

		nock(TEST_BASE_URL)
			.get(`/v1/teams/${TEAM}/activities/NOPE/events`)
			.reply(404, { code: 404, message: 'activity not found' })
			.get(`/v1/teams/${TEAM}/activities/${ACTIVITY}/events`)
			.reply(200, [{ id: 'E1', state: 'started' }]);
		const { items, error } = await runMasv(
			{ resource: 'activity', operation: 'getEvents', teamId: rl(TEAM), activityId: '={{ $json.activity }}' },
			{ input: [{ json: { activity: 'NOPE' } }, { json: { activity: ACTIVITY } }], node: { continueOnFail: true } },
		);
		expect(error).toBeUndefined();
		expect(items).toEqual([
			{ json: { error: 'activity not found', httpCode: '404' }, pairedItem: { item: 0 } },
			{ json: { id: 'E1', state: 'started' }, pairedItem: { item: 1 } },
		]);
	});

	it('getAll: a failed page stops the walk with MASV message', async () => {
		nock(TEST_BASE_URL)
			.get(`/v1.1/teams/${TEAM}/activities`)
			.query(true)
			.reply(422, { code: 422, errors: [{ msg: 'unknown activity state nope' }] });
		const { error } = await runMasv({ resource: 'activity', operation: 'getAll', teamId: rl(TEAM), returnAll: true });
		expect(error?.message).toBe('unknown activity state nope');
		expect((error as { httpCode?: string }).httpCode).toBe('422');
	});
});

describe('activity (emulator)', () => {
	beforeAll(() => nock.enableNetConnect());
	const emu = useEmulator();

	async function createPackage(name: string): Promise<string> {
		return (await api<{ id: string }>(emu, 'POST', `/v1/teams/${emu.teamId}/packages`, { name })).id;
	}

	it('getAll walks every page of the history and filters by package and type; getEvents lists the transitions', async () => {
		const ids: string[] = [];
		for (let i = 0; i < 55; i++) ids.push(await createPackage(`History ${i}`));

		// Return All over the emulator's real pages of 50: 55 uploads (and whatever the seed holds), each once.
		emu.resetRequests();
		const all = await runMasv({ resource: 'activity', operation: 'getAll', teamId: rl(emu.teamId), returnAll: true }, { credentials: credentialsFor(emu) });
		expect(all.error).toBeUndefined();
		const allIds = all.items.map((item) => item.json.id);
		expect(new Set(allIds).size).toBe(allIds.length);
		for (const id of ids) expect(all.items.some((item) => item.json.package_id === id)).toBe(true);
		expect(emu.requests({ kind: 'api', path: `/v1.1/teams/${emu.teamId}/activities` }).map((call) => call.query.page)).toEqual(['1', '2']);

		const limited = await runMasv(
			{ resource: 'activity', operation: 'getAll', teamId: rl(emu.teamId), returnAll: false, limit: 3 },
			{ credentials: credentialsFor(emu) },
		);
		expect(limited.items).toHaveLength(3);

		const filtered = await runMasv(
			{
				resource: 'activity',
				operation: 'getAll',
				teamId: rl(emu.teamId),
				returnAll: true,
				filters: { packageId: ids[3], activityTypes: ['package_upload_to_masv'], activityStates: ['pending'] },
			},
			{ credentials: credentialsFor(emu) },
		);
		expect(filtered.error).toBeUndefined();
		expect(filtered.items).toHaveLength(1);
		expect(filtered.items[0].json).toMatchObject({ package_id: ids[3], type: 'package_upload_to_masv', state: 'pending' });

		const none = await runMasv(
			{ resource: 'activity', operation: 'getAll', teamId: rl(emu.teamId), returnAll: true, filters: { packageId: ids[3], activityStates: ['complete'] } },
			{ credentials: credentialsFor(emu) },
		);
		expect(none.items).toHaveLength(0);

		const events = await runMasv(
			{ resource: 'activity', operation: 'getEvents', teamId: rl(emu.teamId), activityId: String(filtered.items[0].json.id) },
			{ credentials: credentialsFor(emu) },
		);
		expect(events.error).toBeUndefined();
		expect(events.items.map((item) => item.json.state)).toEqual(['pending']);
		expect(events.items[0].json.activity_id).toBe(filtered.items[0].json.id);
	});

	it('the created-at window is applied by the emulator as sent', async () => {
		const future = await runMasv(
			{ resource: 'activity', operation: 'getAll', teamId: rl(emu.teamId), returnAll: true, filters: { createdAtStart: '2999-01-01' } },
			{ credentials: credentialsFor(emu) },
		);
		expect(future.error).toBeUndefined();
		expect(future.items).toHaveLength(0);
		const call = emu.requests({ kind: 'api', path: `/v1.1/teams/${emu.teamId}/activities` }).pop();
		expect(call?.query.created_at_start).toBe('2999-01-01T00:00:00');
		const past = await runMasv(
			{ resource: 'activity', operation: 'getAll', teamId: rl(emu.teamId), returnAll: true, filters: { createdAtStart: '2000-01-01T00:00:00' } },
			{ credentials: credentialsFor(emu) },
		);
		expect(past.items.length).toBeGreaterThan(0);
	});
});
