import nock from 'nock';

import { startEmulator } from '../../../tools/emulator';
import { TEST_API_KEY, TEST_BASE_URL, rl, runMasv } from '../../../tools/harness';
import { credentialsFor } from '../../../tools/harness/emulatorApi';
import { useNock } from '../../harness/offline';

const TEAM = '01FX8CYWMQAEGW8AYSNQRGAMRM';
const TAG = '01FZGG2QQQTJV9CJ1Q2ZNXVKCQ';

const tag = (id: string, name: string) => ({
	id,
	name,
	team_id: TEAM,
	active: true,
	created_at: '2022-03-31T17:23:57.815Z',
	updated_at: '2022-03-31T17:23:57.815Z',
});

describe('tag (nock)', () => {
	useNock();

	it('create posts the name to the team and returns the tag', async () => {
		const scope = nock(TEST_BASE_URL, {
			reqheaders: { 'x-api-key': TEST_API_KEY, 'content-type': /application\/json/ },
		})
			.post(`/v1/teams/${TEAM}/tags`, (body) => JSON.stringify(body) === JSON.stringify({ name: 'Season 2' }))
			.reply(201, tag(TAG, 'Season 2'));
		const { items, error } = await runMasv({ resource: 'tag', operation: 'create', teamId: rl(TEAM), name: 'Season 2' });
		expect(error).toBeUndefined();
		expect(items).toEqual([{ json: tag(TAG, 'Season 2'), pairedItem: { item: 0 } }]);
		scope.done();
	});

	it('create runs once per input item, each output paired with its input', async () => {
		const scope = nock(TEST_BASE_URL)
			.post(`/v1/teams/${TEAM}/tags`, { name: 'A' })
			.reply(201, tag('01FZGG2QQQTJV9CJ1Q2ZNXVKA1', 'A'))
			.post(`/v1/teams/${TEAM}/tags`, { name: 'B' })
			.reply(201, tag('01FZGG2QQQTJV9CJ1Q2ZNXVKB1', 'B'));
		const { items, error } = await runMasv(
			{ resource: 'tag', operation: 'create', teamId: TEAM, name: '={{ $json.tag }}' },
			{ input: [{ json: { tag: 'A' } }, { json: { tag: 'B' } }] },
		);
		expect(error).toBeUndefined();
		expect(items.map((item) => [item.json.name, item.pairedItem])).toEqual([
			['A', { item: 0 }],
			['B', { item: 1 }],
		]);
		scope.done();
	});

	it('create with an empty name stops with an error naming the parameter and calls nothing', async () => {
		const { error } = await runMasv({ resource: 'tag', operation: 'create', teamId: rl(TEAM), name: '  ' });
		expect(error?.message).toBe('The parameter "Name" is empty');
		expect(nock.pendingMocks()).toEqual([]);
	});

	it('with Continue On Fail an empty name is an error item for that input only', async () => {
		const scope = nock(TEST_BASE_URL).post(`/v1/teams/${TEAM}/tags`, { name: 'ok' }).reply(201, tag(TAG, 'ok'));
		const { items, error } = await runMasv(
			{ resource: 'tag', operation: 'create', teamId: rl(TEAM), name: '={{ $json.tag }}' },
			{ input: [{ json: { tag: '' } }, { json: { tag: 'ok' } }], node: { continueOnFail: true } },
		);
		expect(error).toBeUndefined();
		expect(items.map((item) => [item.json, item.pairedItem])).toEqual([
			[{ error: 'The parameter "Name" is empty' }, { item: 0 }],
			[tag(TAG, 'ok'), { item: 1 }],
		]);
		scope.done();
	});

	it('getAll lists the tags, one item each; Limit cuts the plain array', async () => {
		const tags = [tag('T1', 'one'), tag('T2', 'two'), tag('T3', 'three')];
		const scope = nock(TEST_BASE_URL, { reqheaders: { 'x-api-key': TEST_API_KEY } })
			.get(`/v1/teams/${TEAM}/tags`)
			.reply(200, tags)
			.get(`/v1/teams/${TEAM}/tags`)
			.reply(200, tags);
		const all = await runMasv({ resource: 'tag', operation: 'getAll', teamId: rl(TEAM), returnAll: true });
		expect(all.error).toBeUndefined();
		expect(all.items).toEqual(tags.map((json) => ({ json, pairedItem: { item: 0 } })));
		const limited = await runMasv({ resource: 'tag', operation: 'getAll', teamId: rl(TEAM), returnAll: false, limit: 2 });
		expect(limited.items.map((item) => item.json.id)).toEqual(['T1', 'T2']);
		scope.done();
	});

	it('delete answers {deleted: true} for a 204 and for an empty 200', async () => {
		const scope = nock(TEST_BASE_URL, { reqheaders: { 'x-api-key': TEST_API_KEY } })
			.delete(`/v1/tags/${TAG}`)
			.reply(204)
			.delete(`/v1/tags/${TAG}`)
			.reply(200, '');
		for (let run = 0; run < 2; run++) {
			const { items, error } = await runMasv({ resource: 'tag', operation: 'delete', tagId: TAG });
			expect(error).toBeUndefined();
			expect(items).toEqual([{ json: { deleted: true }, pairedItem: { item: 0 } }]);
		}
		scope.done();
	});

	it('the tag ID goes into the path encoded', async () => {
		const scope = nock(TEST_BASE_URL).delete('/v1/tags/a%2F..%2Fb').reply(204);
		const { error } = await runMasv({ resource: 'tag', operation: 'delete', tagId: 'a/../b' });
		expect(error).toBeUndefined();
		scope.done();
	});

	it('a 404 fails with MASV\'s message and the HTTP status', async () => {
		nock(TEST_BASE_URL).delete(`/v1/tags/${TAG}`).reply(404, { code: 404, message: 'tag not found' });
		const { error, items } = await runMasv({ resource: 'tag', operation: 'delete', tagId: TAG });
		expect(items).toEqual([]);
		expect(error?.message).toBe('tag not found');
		expect((error as { httpCode?: string }).httpCode).toBe('404');
		expect(JSON.stringify(error)).not.toContain(TEST_API_KEY);
	});

	it('a 5xx fails with the HTTP status', async () => {
		nock(TEST_BASE_URL).get(`/v1/teams/${TEAM}/tags`).reply(502, '<html><body>Bad Gateway</body></html>');
		// A retry window of 0 gives up at once (retries: test/reliability).
		const { error } = await runMasv({ resource: 'tag', operation: 'getAll', teamId: rl(TEAM), returnAll: true, options: { retryWindowMinutes: 0 } });
		expect(error?.message).toBe('Bad Gateway');
		expect((error as { httpCode?: string }).httpCode).toBe('502');
	});

	it('with Continue On Fail a failed item becomes an error item and the others go on', async () => {
		const scope = nock(TEST_BASE_URL)
			.delete('/v1/tags/T1')
			.reply(404, { code: 404, message: 'tag not found' })
			.delete('/v1/tags/T2')
			.reply(204);
		const { items, error } = await runMasv(
			{ resource: 'tag', operation: 'delete', tagId: '={{ $json.id }}' },
			{ input: [{ json: { id: 'T1' } }, { json: { id: 'T2' } }], node: { continueOnFail: true } },
		);
		expect(error).toBeUndefined();
		expect(items).toEqual([
			{ json: { error: 'tag not found', httpCode: '404' }, pairedItem: { item: 0 } },
			{ json: { deleted: true }, pairedItem: { item: 1 } },
		]);
		scope.done();
	});
});

describe('tag (emulator)', () => {
	it('create → getAll → delete against the emulator', async () => {
		const emu = await startEmulator();
		try {
			const credentials = credentialsFor(emu);
			const teamId = rl(emu.seed.teamId);
			const created = await runMasv({ resource: 'tag', operation: 'create', teamId, name: 'n8n-tag' }, { credentials });
			expect(created.error).toBeUndefined();
			const tagId = created.items[0].json.id as string;
			expect(created.items[0].json).toMatchObject({ name: 'n8n-tag', team_id: emu.seed.teamId });

			const listed = await runMasv({ resource: 'tag', operation: 'getAll', teamId, returnAll: true }, { credentials });
			expect(listed.items.map((item) => item.json.name).sort()).toEqual(['emulator-tag', 'n8n-tag']);

			const deleted = await runMasv({ resource: 'tag', operation: 'delete', tagId }, { credentials });
			expect(deleted.items).toEqual([{ json: { deleted: true }, pairedItem: { item: 0 } }]);

			const again = await runMasv({ resource: 'tag', operation: 'delete', tagId }, { credentials });
			expect((again.error as { httpCode?: string }).httpCode).toBe('404');
		} finally {
			await emu.close();
		}
	});
});
