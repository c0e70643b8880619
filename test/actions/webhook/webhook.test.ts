import nock from 'nock';

import { searchWebhooks } from '../../../nodes/Masv/methods/listSearch';
import { TEST_API_KEY, TEST_BASE_URL, masvNode, rl, runMasv } from '../../../tools/harness';
import { stringMap } from '../../../nodes/Masv/actions/webhook/common';
import { credentialsFor } from '../../../tools/harness/emulatorApi';
import { loadOptionsContext } from '../../harness/loadOptions';
import { useNock } from '../../harness/offline';
import { useEmulator } from '../../harness/emulator';

const TEAM = '01FX8CYWMQAEGW8AYSNQRGAMRM';
const HOOK = '3VRWSDLYJBPVMOGC';

const exactBody = (expected: unknown) => (body: unknown) => {
	expect(body).toEqual(expected);
	return true;
};

const stored = {
	id: HOOK,
	name: 'intake',
	active: true,
	method: 'POST',
	url: 'https://n8n.example.com/webhook/masv',
	events: ['package.finalized'],
	headers: { 'X-Secret': 's3cret' },
	body_extras: { route: 'dailies' },
	created_at: '2024-01-01T00:00:00.000Z',
};

describe('webhook (nock)', () => {
	useNock();

	it('create sends url, method, events, active and the additional fields as MASV names them', async () => {
		const sent = {
			url: 'https://n8n.example.com/webhook/masv',
			method: 'PUT',
			events: ['package.created', 'package.finalized'],
			active: false,
			name: 'intake',
			headers: { 'X-Secret': 's3cret' },
			body_extras: { route: 'dailies' },
		};
		const scope = nock(TEST_BASE_URL, { reqheaders: { 'x-api-key': TEST_API_KEY, 'content-type': /application\/json/ } })
			.post(`/v1/teams/${TEAM}/custom_webhooks`, exactBody(sent))
			.reply(201, { id: HOOK, ...sent });
		const { items, error } = await runMasv({
			resource: 'webhook',
			operation: 'create',
			teamId: rl(TEAM),
			url: ' https://n8n.example.com/webhook/masv ',
			events: ['package.created', 'package.finalized'],
			additionalFields: {
				name: 'intake',
				method: 'PUT',
				active: false,
				headers: { header: [{ name: 'X-Secret', value: 's3cret' }] },
				bodyExtras: { extra: [{ name: 'route', value: '={{ "dailies" }}' }] },
			},
		});
		expect(error).toBeUndefined();
		expect(items).toEqual([{ json: { id: HOOK, ...sent }, pairedItem: { item: 0 } }]);
		scope.done();
	});

	it('create defaults to POST and active; a team without the feature gets MASV\'s 403 with a hint', async () => {
		const scope = nock(TEST_BASE_URL)
			.post(`/v1/teams/${TEAM}/custom_webhooks`, exactBody({ url: 'https://example.com/h', method: 'POST', active: true, events: ['package.finalized'] }))
			.reply(403, { code: 403, message: 'custom webhooks are not enabled for this team' });
		const { error } = await runMasv({ resource: 'webhook', operation: 'create', teamId: rl(TEAM), url: 'https://example.com/h', events: ['package.finalized'] });
		expect(error?.message).toBe('custom webhooks are not enabled for this team');
		expect((error as { httpCode?: string }).httpCode).toBe('403');
		expect(error?.description).toContain('polling MASV Trigger');
		scope.done();
	});

	it('create refuses a URL that is not http(s) and empty events, naming the parameter, before calling MASV', async () => {
		const bad = await runMasv({ resource: 'webhook', operation: 'create', teamId: rl(TEAM), url: 'ftp://example.com', events: ['package.finalized'] });
		expect(bad.error?.message).toBe('The parameter "URL" is not an http(s) URL: ftp://example.com');
		const none = await runMasv({ resource: 'webhook', operation: 'create', teamId: rl(TEAM), url: 'https://example.com/h', events: '={{ [] }}' });
		expect(none.error?.message).toBe('The parameter "Events" is empty');
	});

	it('headers and body extras: name/value entries, or an object of strings (from code)', () => {
		const node = masvNode({});
		expect(stringMap(node, { header: [{ name: ' X-A ', value: '1' }] }, 'header', 'Headers', 0)).toEqual({ 'X-A': '1' });
		expect(stringMap(node, { route: 'dailies' }, 'extra', 'Body Extras', 0)).toEqual({ route: 'dailies' });
		expect(stringMap(node, {}, 'extra', 'Body Extras', 0)).toEqual({});
		expect(() => stringMap(node, { n: 1 }, 'extra', 'Body Extras', 0)).toThrow('"Body Extras" must map names to text; "n" is not text');
		expect(() => stringMap(node, { header: [{ name: '', value: 'x' }] }, 'header', 'Headers', 0)).toThrow('An entry of "Headers" has no name');
	});

	it('get and getAll read the webhook(s); Simplify keeps the fields people use', async () => {
		const scope = nock(TEST_BASE_URL)
			.get(`/v1/custom_webhooks/${HOOK}`)
			.reply(200, stored)
			.get(`/v1/teams/${TEAM}/custom_webhooks`)
			.reply(200, [stored, { ...stored, id: 'OTHERHOOK0000000' }]);
		const one = await runMasv({ resource: 'webhook', operation: 'get', webhookId: rl(HOOK), simplify: false });
		expect(one.items).toEqual([{ json: stored, pairedItem: { item: 0 } }]);
		const many = await runMasv({ resource: 'webhook', operation: 'getAll', teamId: rl(TEAM), returnAll: false, limit: 1 });
		expect(many.error).toBeUndefined();
		expect(many.items).toEqual([
			{
				json: { id: HOOK, name: 'intake', url: stored.url, method: 'POST', events: ['package.finalized'], active: true },
				pairedItem: { item: 0 },
			},
		]);
		scope.done();
	});

	it('update reads the webhook and PUTs its writable fields back whole with the changes', async () => {
		const scope = nock(TEST_BASE_URL)
			.get(`/v1/custom_webhooks/${HOOK}`)
			.reply(200, stored)
			.put(
				`/v1/custom_webhooks/${HOOK}`,
				exactBody({
					name: 'intake',
					active: false,
					method: 'POST',
					url: stored.url,
					events: ['package.created'],
					headers: stored.headers,
					body_extras: stored.body_extras,
				}),
			)
			.reply(200, { ...stored, active: false, events: ['package.created'] });
		const { items, error } = await runMasv({
			resource: 'webhook',
			operation: 'update',
			webhookId: rl(HOOK),
			events: ['package.created'],
			additionalFields: { active: false },
		});
		expect(error).toBeUndefined();
		expect(items).toEqual([{ json: { ...stored, active: false, events: ['package.created'] }, pairedItem: { item: 0 } }]);
		scope.done();
	});

	it('update with nothing to change stops before calling MASV; a 404 keeps MASV\'s message (Continue On Fail: error item)', async () => {
		const nothing = await runMasv({ resource: 'webhook', operation: 'update', webhookId: rl(HOOK) });
		expect(nothing.error?.message).toBe('Nothing to update: set "URL", "Events" or an Additional Field');
		const scope = nock(TEST_BASE_URL).get(`/v1/custom_webhooks/${HOOK}`).reply(404, { code: 404, message: 'custom webhook not found' });
		const { items } = await runMasv(
			{ resource: 'webhook', operation: 'update', webhookId: HOOK, url: 'https://example.com/new' },
			{ node: { continueOnFail: true } },
		);
		expect(items).toEqual([{ json: { error: 'custom webhook not found' }, pairedItem: { item: 0 } }]);
		scope.done();
	});

	it('delete answers {deleted: true}', async () => {
		const scope = nock(TEST_BASE_URL).delete(`/v1/custom_webhooks/${HOOK}`).reply(204);
		const { items, error } = await runMasv({ resource: 'webhook', operation: 'delete', webhookId: rl(HOOK) });
		expect(error).toBeUndefined();
		expect(items).toEqual([{ json: { deleted: true }, pairedItem: { item: 0 } }]);
		scope.done();
	});
});

describe('webhook (emulator)', () => {
	const emu = useEmulator();

	it('create → picker → get → update → getAll → delete; the webhook attaches to a portal with writePortal\'s body', async () => {
		const credentials = credentialsFor(emu);
		const created = await runMasv(
			{
				resource: 'webhook',
				operation: 'create',
				teamId: rl(emu.teamId),
				url: 'https://n8n.example.com/webhook/masv',
				events: ['package.finalized'],
				additionalFields: { name: 'intake', headers: { header: [{ name: 'X-Secret', value: 's3cret' }] } },
			},
			{ credentials },
		);
		expect(created.error).toBeUndefined();
		const id = created.items[0].json.id as string;
		expect(created.items[0].json).toMatchObject({ method: 'POST', active: true, headers: { 'X-Secret': 's3cret' } });

		const picker = await searchWebhooks.call(loadOptionsContext({}, emu.url, emu.apiKey), 'intake');
		expect(picker.results).toEqual([{ name: 'intake (https://n8n.example.com/webhook/masv)', value: id }]);

		const updated = await runMasv(
			{ resource: 'webhook', operation: 'update', webhookId: rl(id), events: ['package.created', 'package.finalized'] },
			{ credentials },
		);
		expect(updated.error).toBeUndefined();
		expect(updated.items[0].json).toMatchObject({ id, name: 'intake', events: ['package.created', 'package.finalized'], headers: { 'X-Secret': 's3cret' } });

		const got = await runMasv({ resource: 'webhook', operation: 'get', webhookId: rl(id) }, { credentials });
		expect(got.items[0].json).toEqual({ id, name: 'intake', url: 'https://n8n.example.com/webhook/masv', method: 'POST', events: ['package.created', 'package.finalized'], active: true });

		// The webhook trigger attaches its webhook through the one portal write.
		const { portalWriteBody, referenceIds } = await import('../../../nodes/Masv/transport/portals');
		const portal = (await (await fetch(`${emu.url}/v1.1/portals/${emu.seed.portalId}`, { headers: { 'X-API-KEY': emu.apiKey } })).json()) as Record<string, never>;
		const body = portalWriteBody(portal, { custom_webhooks: [...referenceIds(portal, 'custom_webhooks'), { id }] });
		expect(body).toEqual({ name: 'Emulator Portal', subdomain: 'emulator-portal', custom_webhooks: [{ id }] });
		const put = await fetch(`${emu.url}/v1/portals/${emu.seed.portalId}`, {
			method: 'PUT',
			headers: { 'X-API-KEY': emu.apiKey, 'Content-Type': 'application/json' },
			body: JSON.stringify(body),
		});
		expect(put.status).toBe(200);
		expect(((await put.json()) as { custom_webhooks: Array<{ id: string }> }).custom_webhooks.map((hook) => hook.id)).toEqual([id]);

		const listed = await runMasv({ resource: 'webhook', operation: 'getAll', teamId: rl(emu.teamId), returnAll: true }, { credentials });
		expect(listed.items.map((item) => item.json.id)).toEqual([id]);

		emu.admin.setCustomWebhooks(false);
		const off = await runMasv({ resource: 'webhook', operation: 'getAll', teamId: rl(emu.teamId), returnAll: true }, { credentials });
		expect((off.error as { httpCode?: string }).httpCode).toBe('403');
		expect(off.error?.description).toContain('per team on request');
		emu.admin.setCustomWebhooks(true);

		const deleted = await runMasv({ resource: 'webhook', operation: 'delete', webhookId: rl(id) }, { credentials });
		expect(deleted.items).toEqual([{ json: { deleted: true }, pairedItem: { item: 0 } }]);
		const gone = await runMasv({ resource: 'webhook', operation: 'get', webhookId: rl(id) }, { credentials });
		expect((gone.error as { httpCode?: string }).httpCode).toBe('404');
	});
});
