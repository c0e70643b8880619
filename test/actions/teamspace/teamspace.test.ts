import nock from 'nock';

import { startEmulator } from '../../../tools/emulator';
import { TEST_API_KEY, TEST_BASE_URL, rl, runMasv } from '../../../tools/harness';
import { api, credentialsFor } from '../../../tools/harness/emulatorApi';
import { useNock } from '../../harness/offline';

const TEAM = '01FX8CYWMQAEGW8AYSNQRGAMRM';
const SPACE = '01E8TP2TJCTDNW11G67NKHQW5J';
const M1 = '01H6CTJJJ19PVMR0J0JXGFK96D';
const M2 = '01H6CTJJJ19PVMR0J0JXGFK96E';

const space = (id: string, name = `Space ${id}`) => ({ id, name, members: [] as unknown[] });
const spaces = (from: number, count: number) =>
	Array.from({ length: count }, (_, i) => space(`S${String(from + i).padStart(3, '0')}`));
const pkg = (n: number) => ({ id: `K${String(n).padStart(3, '0')}`, name: `pkg ${n}`, state: 'finalized', access_token: `tok-${n}` });
const pkgs = (from: number, count: number) => Array.from({ length: count }, (_, i) => pkg(from + i));
const withoutToken = (record: ReturnType<typeof pkg>) => {
	const copy: Partial<ReturnType<typeof pkg>> = { ...record };
	delete copy.access_token;
	return copy;
};

const jsonHeaders = { 'x-api-key': TEST_API_KEY, 'content-type': /application\/json/ };
const exactBody = (expected: unknown) => (body: unknown) => {
	expect(body).toEqual(expected);
	return true;
};
const ids = (items: Array<{ json: { id?: unknown } }>) => items.map((item) => item.json.id);

describe('teamspace (nock)', () => {
	useNock();

	describe('create', () => {
		it('posts the name and the member IDs (comma-separated) as member_ids', async () => {
			const answer = { id: SPACE, name: 'Marketing', members: [{ id: M1 }, { id: M2 }] };
			const scope = nock(TEST_BASE_URL, { reqheaders: jsonHeaders })
				.post(`/v1/teams/${TEAM}/spaces`, exactBody({ name: 'Marketing', member_ids: [M1, M2] }))
				.reply(201, answer);
			const { items, error } = await runMasv({
				resource: 'teamspace',
				operation: 'create',
				teamId: rl(TEAM),
				name: 'Marketing',
				memberIds: ` ${M1}, ${M2} ,`,
			});
			expect(error).toBeUndefined();
			expect(items).toEqual([{ json: answer, pairedItem: { item: 0 } }]);
			scope.done();
		});

		it('takes the member IDs as an array from an expression', async () => {
			const scope = nock(TEST_BASE_URL)
				.post(`/v1/teams/${TEAM}/spaces`, exactBody({ name: 'Ops', member_ids: [M1, M2] }))
				.reply(201, space(SPACE, 'Ops'));
			const { error } = await runMasv(
				{ resource: 'teamspace', operation: 'create', teamId: TEAM, name: 'Ops', memberIds: '={{ $json.members }}' },
				{ input: [{ json: { members: [M1, M2] } }] },
			);
			expect(error).toBeUndefined();
			scope.done();
		});

		it('sends no member_ids when none are given', async () => {
			const scope = nock(TEST_BASE_URL)
				.post(`/v1/teams/${TEAM}/spaces`, exactBody({ name: 'Empty' }))
				.reply(201, space(SPACE, 'Empty'));
			const { error } = await runMasv({ resource: 'teamspace', operation: 'create', teamId: rl(TEAM), name: 'Empty' });
			expect(error).toBeUndefined();
			scope.done();
		});

		it('an unknown member fails with MASV\'s validation message', async () => {
			nock(TEST_BASE_URL)
				.post(`/v1/teams/${TEAM}/spaces`)
				.reply(422, { code: 422, message: 'validation failed', errors: [{ msg: 'unknown team membership X' }] });
			const { error } = await runMasv({
				resource: 'teamspace',
				operation: 'create',
				teamId: rl(TEAM),
				name: 'Ops',
				memberIds: 'X',
			});
			expect(error?.message).toBe('validation failed');
			expect((error as { httpCode?: string }).httpCode).toBe('422');
		});
	});

	describe('get, update, delete', () => {
		it('get reads /v1/spaces/{teamspaceId}', async () => {
			const scope = nock(TEST_BASE_URL, { reqheaders: { 'x-api-key': TEST_API_KEY } })
				.get(`/v1/spaces/${SPACE}`)
				.reply(200, space(SPACE));
			const { items, error } = await runMasv({ resource: 'teamspace', operation: 'get', teamspaceId: rl(SPACE) });
			expect(error).toBeUndefined();
			expect(items).toEqual([{ json: space(SPACE), pairedItem: { item: 0 } }]);
			scope.done();
		});

		it('get of an unknown Teamspace fails with MASV\'s 404 message', async () => {
			nock(TEST_BASE_URL).get(`/v1/spaces/${SPACE}`).reply(404, { code: 404, message: 'Teamspace not found' });
			const { error } = await runMasv({ resource: 'teamspace', operation: 'get', teamspaceId: SPACE });
			expect(error?.message).toBe('Teamspace not found');
			expect((error as { httpCode?: string }).httpCode).toBe('404');
		});

		it('update PUTs the new name and outputs the single Teamspace MASV answers', async () => {
			const scope = nock(TEST_BASE_URL, { reqheaders: jsonHeaders })
				.put(`/v1/spaces/${SPACE}`, exactBody({ name: 'Renamed' }))
				.reply(200, space(SPACE, 'Renamed'));
			const { items, error } = await runMasv({
				resource: 'teamspace',
				operation: 'update',
				teamspaceId: rl(SPACE),
				name: 'Renamed',
			});
			expect(error).toBeUndefined();
			expect(items).toEqual([{ json: space(SPACE, 'Renamed'), pairedItem: { item: 0 } }]);
			scope.done();
		});

		it('update accepts the list envelope answer and picks the renamed Teamspace', async () => {
			const scope = nock(TEST_BASE_URL)
				.put(`/v1/spaces/${SPACE}`, exactBody({ name: 'Renamed' }))
				.reply(200, { metadata: { total: 2 }, teamspaces: [space('OTHER'), space(SPACE, 'Renamed')] });
			const { items, error } = await runMasv({
				resource: 'teamspace',
				operation: 'update',
				teamspaceId: rl(SPACE),
				name: 'Renamed',
			});
			expect(error).toBeUndefined();
			expect(items).toEqual([{ json: space(SPACE, 'Renamed'), pairedItem: { item: 0 } }]);
			scope.done();
		});

		it('update with an empty answer outputs the ID and the new name', async () => {
			const scope = nock(TEST_BASE_URL).put(`/v1/spaces/${SPACE}`).reply(200);
			const { items, error } = await runMasv({
				resource: 'teamspace',
				operation: 'update',
				teamspaceId: rl(SPACE),
				name: 'Renamed',
			});
			expect(error).toBeUndefined();
			expect(items).toEqual([{ json: { id: SPACE, name: 'Renamed' }, pairedItem: { item: 0 } }]);
			scope.done();
		});

		it('delete answers {deleted: true}', async () => {
			const scope = nock(TEST_BASE_URL, { reqheaders: { 'x-api-key': TEST_API_KEY } })
				.delete(`/v1/spaces/${SPACE}`)
				.reply(204);
			const { items, error } = await runMasv({ resource: 'teamspace', operation: 'delete', teamspaceId: rl(SPACE) });
			expect(error).toBeUndefined();
			expect(items).toEqual([{ json: { deleted: true }, pairedItem: { item: 0 } }]);
			scope.done();
		});

		it('an empty Teamspace stops with an error naming the parameter', async () => {
			const { error } = await runMasv({ resource: 'teamspace', operation: 'delete', teamspaceId: rl('={{ $json.id }}') });
			expect(error?.message).toBe('The parameter "Teamspace" is empty');
		});
	});

	describe('getAll (pages from 0, list key teamspaces)', () => {
		it('Return All walks pages 0, 1, 2 until metadata.total, each Teamspace once', async () => {
			const all = spaces(1, 120);
			const scope = nock(TEST_BASE_URL, { reqheaders: { 'x-api-key': TEST_API_KEY } })
				.get(`/v1.1/teams/${TEAM}/spaces`)
				.query({ page: '0', limit: '50' })
				.reply(200, { metadata: { total: 120 }, teamspaces: all.slice(0, 50) })
				.get(`/v1.1/teams/${TEAM}/spaces`)
				.query({ page: '1', limit: '50' })
				.reply(200, { metadata: { total: 120 }, teamspaces: all.slice(50, 100) })
				.get(`/v1.1/teams/${TEAM}/spaces`)
				.query({ page: '2', limit: '50' })
				.reply(200, { metadata: { total: 120 }, teamspaces: all.slice(100) });
			const { items, error } = await runMasv({ resource: 'teamspace', operation: 'getAll', teamId: rl(TEAM), returnAll: true });
			expect(error).toBeUndefined();
			expect(ids(items)).toEqual(all.map((s) => s.id));
			expect(items.every((item) => JSON.stringify(item.pairedItem) === '{"item":0}')).toBe(true);
			scope.done();
		});

		it('Return All stops at metadata.total on a full last page, and on a short page without total', async () => {
			const full = spaces(1, 100);
			let scope = nock(TEST_BASE_URL)
				.get(`/v1.1/teams/${TEAM}/spaces`)
				.query({ page: '0', limit: '50' })
				.reply(200, { metadata: { total: 100 }, teamspaces: full.slice(0, 50) })
				.get(`/v1.1/teams/${TEAM}/spaces`)
				.query({ page: '1', limit: '50' })
				.reply(200, { metadata: { total: 100 }, teamspaces: full.slice(50) });
			let run = await runMasv({ resource: 'teamspace', operation: 'getAll', teamId: rl(TEAM), returnAll: true });
			expect(ids(run.items)).toEqual(full.map((s) => s.id));
			scope.done();

			const short = spaces(1, 52);
			scope = nock(TEST_BASE_URL)
				.get(`/v1.1/teams/${TEAM}/spaces`)
				.query({ page: '0', limit: '50' })
				.reply(200, { teamspaces: short.slice(0, 50) })
				.get(`/v1.1/teams/${TEAM}/spaces`)
				.query({ page: '1', limit: '50' })
				.reply(200, short.slice(50));
			run = await runMasv({ resource: 'teamspace', operation: 'getAll', teamId: rl(TEAM), returnAll: true });
			expect(run.error).toBeUndefined();
			expect(ids(run.items)).toEqual(short.map((s) => s.id));
			scope.done();
		});

		it('Limit above 50 reads pages 0 and 1 and returns exactly Limit Teamspaces', async () => {
			const all = spaces(1, 150);
			const scope = nock(TEST_BASE_URL)
				.get(`/v1.1/teams/${TEAM}/spaces`)
				.query({ page: '0', limit: '50' })
				.reply(200, { metadata: { total: 150 }, teamspaces: all.slice(0, 50) })
				.get(`/v1.1/teams/${TEAM}/spaces`)
				.query({ page: '1', limit: '50' })
				.reply(200, { metadata: { total: 150 }, teamspaces: all.slice(50, 100) });
			const { items, error } = await runMasv({
				resource: 'teamspace',
				operation: 'getAll',
				teamId: rl(TEAM),
				returnAll: false,
				limit: 51,
			});
			expect(error).toBeUndefined();
			expect(ids(items)).toEqual(all.slice(0, 51).map((s) => s.id));
			scope.done();
		});
	});

	describe('getPackages (pages from 0)', () => {
		it('sends the package filters and sort (dates as days: this list takes no time), walks every page, strips package tokens', async () => {
			const all = pkgs(1, 75);
			const query = {
				limit: '50',
				status: 'new,finalized',
				name: 'promo',
				sender: 'a@example.com',
				tags: 'T1,T2',
				created_at_start: '2024-01-01',
				created_at_end: '2024-02-29',
				sort: '-size',
			};
			const scope = nock(TEST_BASE_URL, { reqheaders: { 'x-api-key': TEST_API_KEY } })
				.get(`/v1.1/spaces/${SPACE}/packages`)
				.query({ ...query, page: '0' })
				.reply(200, { metadata: { total: 75 }, records: all.slice(0, 50) })
				.get(`/v1.1/spaces/${SPACE}/packages`)
				.query({ ...query, page: '1' })
				.reply(200, { metadata: { total: 75 }, records: all.slice(50) });
			const { items, error } = await runMasv({
				resource: 'teamspace',
				operation: 'getPackages',
				teamspaceId: rl(SPACE),
				returnAll: true,
				filters: {
					status: ['new', 'finalized'],
					name: 'promo',
					sender: 'a@example.com',
					tags: 'T1, T2',
					createdAtStart: '2024-01-01T10:30:00',
					createdAtEnd: '2024-02-29',
				},
				options: { sort: '-size' },
			});
			expect(error).toBeUndefined();
			expect(items.map((item) => item.json)).toEqual(all.map(withoutToken));
			expect(JSON.stringify(items)).not.toContain('tok-');
			scope.done();
		});

		it('accepts bare arrays and stops on a short page', async () => {
			const all = pkgs(1, 60);
			const scope = nock(TEST_BASE_URL)
				.get(`/v1.1/spaces/${SPACE}/packages`)
				.query({ page: '0', limit: '50' })
				.reply(200, all.slice(0, 50))
				.get(`/v1.1/spaces/${SPACE}/packages`)
				.query({ page: '1', limit: '50' })
				.reply(200, all.slice(50));
			const { items, error } = await runMasv({
				resource: 'teamspace',
				operation: 'getPackages',
				teamspaceId: rl(SPACE),
				returnAll: true,
			});
			expect(error).toBeUndefined();
			expect(ids(items)).toEqual(all.map((p) => p.id));
			scope.done();
		});

		it('an empty first page gives no items', async () => {
			const scope = nock(TEST_BASE_URL)
				.get(`/v1.1/spaces/${SPACE}/packages`)
				.query({ page: '0', limit: '50' })
				.reply(200, { metadata: { total: 0 }, records: [] });
			const { items, error } = await runMasv({ resource: 'teamspace', operation: 'getPackages', teamspaceId: rl(SPACE), returnAll: true });
			expect(error).toBeUndefined();
			expect(items).toEqual([]);
			scope.done();
		});

		it('Limit above 50 returns exactly that many', async () => {
			const all = pkgs(1, 200);
			const scope = nock(TEST_BASE_URL)
				.get(`/v1.1/spaces/${SPACE}/packages`)
				.query({ page: '0', limit: '50' })
				.reply(200, { metadata: { total: 200 }, records: all.slice(0, 50) })
				.get(`/v1.1/spaces/${SPACE}/packages`)
				.query({ page: '1', limit: '50' })
				.reply(200, { metadata: { total: 200 }, records: all.slice(50, 100) })
				.get(`/v1.1/spaces/${SPACE}/packages`)
				.query({ page: '2', limit: '50' })
				.reply(200, { metadata: { total: 200 }, records: all.slice(100, 150) });
			const { items, error } = await runMasv({
				resource: 'teamspace',
				operation: 'getPackages',
				teamspaceId: rl(SPACE),
				returnAll: false,
				limit: 120,
			});
			expect(error).toBeUndefined();
			expect(ids(items)).toEqual(all.slice(0, 120).map((p) => p.id));
			scope.done();
		});

		it('a 5xx fails with the status; with Continue On Fail it is an error item', async () => {
			nock(TEST_BASE_URL)
				.get(`/v1.1/spaces/${SPACE}/packages`)
				.query(true)
				.times(2)
				.reply(503, { code: 503, message: 'service unavailable' });
			// A retry window of 0 gives up at once (retries: test/reliability).
			const failed = await runMasv({ resource: 'teamspace', operation: 'getPackages', teamspaceId: rl(SPACE), returnAll: true, options: { retryWindowMinutes: 0 } });
			expect(failed.error?.message).toBe('service unavailable');
			expect((failed.error as { httpCode?: string }).httpCode).toBe('503');

			const continued = await runMasv(
				{ resource: 'teamspace', operation: 'getPackages', teamspaceId: rl(SPACE), returnAll: true, options: { retryWindowMinutes: 0 } },
				{ node: { continueOnFail: true } },
			);
			expect(continued.error).toBeUndefined();
			expect(continued.items).toEqual([
				{ json: { error: 'service unavailable', httpCode: '503' }, pairedItem: { item: 0 } },
			]);
		});
	});

	describe('members', () => {
		const membership = (id: string, membershipId: string) => ({ id, membership_id: membershipId, teamspace_id: SPACE });

		it('addMembers posts member_ids and outputs one item per Teamspace membership', async () => {
			const answer = [membership('SM1', M1), membership('SM2', M2)];
			const scope = nock(TEST_BASE_URL, { reqheaders: jsonHeaders })
				.post(`/v1/spaces/${SPACE}/members`, exactBody({ member_ids: [M1, M2] }))
				.reply(201, answer);
			const { items, error } = await runMasv({
				resource: 'teamspace',
				operation: 'addMembers',
				teamspaceId: rl(SPACE),
				memberIds: `${M1},${M2}`,
			});
			expect(error).toBeUndefined();
			expect(items).toEqual(answer.map((json) => ({ json, pairedItem: { item: 0 } })));
			scope.done();
		});

		it('addMembers with no member IDs stops with an error naming the parameter', async () => {
			const { error } = await runMasv({
				resource: 'teamspace',
				operation: 'addMembers',
				teamspaceId: rl(SPACE),
				memberIds: '={{ " , " }}',
			});
			expect(error?.message).toBe('The parameter "Member IDs" is empty');
		});

		it('addMembers with Continue On Fail pairs results and errors with their inputs', async () => {
			const scope = nock(TEST_BASE_URL)
				.post('/v1/spaces/S1/members', exactBody({ member_ids: [M1] }))
				.reply(201, [membership('SM1', M1)])
				.post('/v1/spaces/S2/members', exactBody({ member_ids: [M2] }))
				.reply(404, { code: 404, message: 'Teamspace not found' });
			const { items, error } = await runMasv(
				{ resource: 'teamspace', operation: 'addMembers', teamspaceId: '={{ $json.space }}', memberIds: '={{ $json.member }}' },
				{
					input: [{ json: { space: 'S1', member: M1 } }, { json: { space: 'S2', member: M2 } }],
					node: { continueOnFail: true },
				},
			);
			expect(error).toBeUndefined();
			expect(items).toEqual([
				{ json: membership('SM1', M1), pairedItem: { item: 0 } },
				{ json: { error: 'Teamspace not found', httpCode: '404' }, pairedItem: { item: 1 } },
			]);
			scope.done();
		});

		it('getMembers lists the memberships; Limit cuts the plain array', async () => {
			const answer = [membership('SM1', M1), membership('SM2', M2), membership('SM3', 'M3')];
			const scope = nock(TEST_BASE_URL, { reqheaders: { 'x-api-key': TEST_API_KEY } })
				.get(`/v1/spaces/${SPACE}/members`)
				.reply(200, answer)
				.get(`/v1/spaces/${SPACE}/members`)
				.reply(200, answer);
			const all = await runMasv({ resource: 'teamspace', operation: 'getMembers', teamspaceId: rl(SPACE), returnAll: true });
			expect(all.items).toEqual(answer.map((json) => ({ json, pairedItem: { item: 0 } })));
			const limited = await runMasv({ resource: 'teamspace', operation: 'getMembers', teamspaceId: rl(SPACE), limit: 1 });
			expect(ids(limited.items)).toEqual(['SM1']);
			scope.done();
		});

		it('removeMember deletes the Teamspace membership', async () => {
			const scope = nock(TEST_BASE_URL, { reqheaders: { 'x-api-key': TEST_API_KEY } })
				.delete(`/v1/spaces/${SPACE}/members/SM1`)
				.reply(204);
			const { items, error } = await runMasv({
				resource: 'teamspace',
				operation: 'removeMember',
				teamspaceId: rl(SPACE),
				teamspaceMembershipId: 'SM1',
			});
			expect(error).toBeUndefined();
			expect(items).toEqual([{ json: { deleted: true }, pairedItem: { item: 0 } }]);
			scope.done();
		});

		it('removeMember with an empty membership ID stops before calling MASV', async () => {
			const { error } = await runMasv({
				resource: 'teamspace',
				operation: 'removeMember',
				teamspaceId: rl(SPACE),
				teamspaceMembershipId: '={{ $json.nothing }}',
			});
			expect(error?.message).toBe('The parameter "Teamspace Membership ID" is empty');
		});
	});
});

describe('teamspace (emulator)', () => {
	it('create with members → get → update → members → getAll → delete through the engine', async () => {
		const emu = await startEmulator();
		try {
			const credentials = credentialsFor(emu);
			const teamId = rl(emu.seed.teamId);
			const [owner, admin, member] = emu.seed.members;

			const created = await runMasv(
				{
					resource: 'teamspace',
					operation: 'create',
					teamId,
					name: 'n8n Space',
					memberIds: `${owner.membershipId}, ${admin.membershipId}`,
				},
				{ credentials },
			);
			expect(created.error).toBeUndefined();
			const spaceId = created.items[0].json.id as string;
			expect(created.items[0].json.name).toBe('n8n Space');
			expect((created.items[0].json.members as Array<{ id: string }>).map((m) => m.id).sort()).toEqual(
				[owner.membershipId, admin.membershipId].sort(),
			);

			const got = await runMasv({ resource: 'teamspace', operation: 'get', teamspaceId: rl(spaceId) }, { credentials });
			expect(got.items[0].json).toMatchObject({ id: spaceId, name: 'n8n Space' });

			const renamed = await runMasv(
				{ resource: 'teamspace', operation: 'update', teamspaceId: rl(spaceId), name: 'n8n Space 2' },
				{ credentials },
			);
			expect(renamed.items).toHaveLength(1);
			expect(renamed.items[0].json).toMatchObject({ id: spaceId, name: 'n8n Space 2' });

			const added = await runMasv(
				{ resource: 'teamspace', operation: 'addMembers', teamspaceId: rl(spaceId), memberIds: member.membershipId },
				{ credentials },
			);
			expect(added.items.map((item) => item.json.membership_id)).toEqual([member.membershipId]);

			const members = await runMasv(
				{ resource: 'teamspace', operation: 'getMembers', teamspaceId: rl(spaceId), returnAll: true },
				{ credentials },
			);
			expect(members.items).toHaveLength(3);
			const adminMembership = members.items.find((item) => item.json.membership_id === admin.membershipId);

			const removed = await runMasv(
				{
					resource: 'teamspace',
					operation: 'removeMember',
					teamspaceId: rl(spaceId),
					teamspaceMembershipId: adminMembership?.json.id as string,
				},
				{ credentials },
			);
			expect(removed.items).toEqual([{ json: { deleted: true }, pairedItem: { item: 0 } }]);
			const after = await runMasv({ resource: 'teamspace', operation: 'get', teamspaceId: rl(spaceId) }, { credentials });
			expect((after.items[0].json.members as Array<{ id: string }>).map((m) => m.id).sort()).toEqual(
				[owner.membershipId, member.membershipId].sort(),
			);

			const listed = await runMasv({ resource: 'teamspace', operation: 'getAll', teamId, returnAll: true }, { credentials });
			expect(listed.error).toBeUndefined();
			expect(listed.items.map((item) => item.json.name).sort()).toEqual(['Emulator Space', 'n8n Space 2']);

			for (const name of ['in-space-1', 'in-space-2']) {
				await api(emu, 'POST', `/v1/teams/${emu.seed.teamId}/packages`, { name, teamspace_id: spaceId });
			}
			const finalizedOnly = await runMasv(
				{ resource: 'teamspace', operation: 'getPackages', teamspaceId: rl(spaceId), returnAll: true },
				{ credentials },
			);
			expect(finalizedOnly.error).toBeUndefined();
			expect(finalizedOnly.items).toEqual([]);
			const packages = await runMasv(
				{
					resource: 'teamspace',
					operation: 'getPackages',
					teamspaceId: rl(spaceId),
					returnAll: true,
					filters: { status: ['new'] },
				},
				{ credentials },
			);
			expect(packages.error).toBeUndefined();
			expect(packages.items.map((item) => item.json.name).sort()).toEqual(['in-space-1', 'in-space-2']);
			expect(packages.items.every((item) => item.json.access_token === undefined)).toBe(true);

			const deleted = await runMasv({ resource: 'teamspace', operation: 'delete', teamspaceId: rl(spaceId) }, { credentials });
			expect(deleted.items).toEqual([{ json: { deleted: true }, pairedItem: { item: 0 } }]);

			const gone = await runMasv({ resource: 'teamspace', operation: 'get', teamspaceId: rl(spaceId) }, { credentials });
			expect((gone.error as { httpCode?: string }).httpCode).toBe('404');
		} finally {
			await emu.close();
		}
	});
});
