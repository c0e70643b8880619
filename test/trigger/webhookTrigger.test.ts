import type { IDataObject } from 'n8n-workflow';

import { rl } from '../../tools/harness';
import { api, credentialsFor } from '../../tools/harness/emulatorApi';
import { registerWebhookTrigger, startWebhookTrigger, webhookTriggerNode, type WebhookTrigger } from '../harness/webhook';
import { MasvWebhookTrigger } from '../../nodes/Masv/MasvWebhookTrigger.node';
import { HEADER_NAME, forgetDeliveries } from '../../nodes/Masv/trigger/webhookDeliveries';
import { useEmulator } from '../harness/emulator';

registerWebhookTrigger(new MasvWebhookTrigger());

describe('MASV Webhook Trigger against the emulator', () => {
	const emu = useEmulator({ each: 'reset' });
	let credentials: ReturnType<typeof credentialsFor>;
	const open: WebhookTrigger[] = [];

	beforeAll(() => {
		credentials = credentialsFor(emu);
	});
	beforeEach(() => {
		forgetDeliveries();
	});
	afterEach(async () => {
		emu.admin.setConfig({ holdWebhooks: false, webhookCopies: 1 });
		emu.admin.setCustomWebhooks(true);
		await emu.admin.idle();
		for (const trigger of open.splice(0)) await trigger.close();
	});

	const portalId = () => emu.seed.portalId;
	const start = async (parameters: IDataObject = {}, staticData?: IDataObject) => {
		const trigger = await startWebhookTrigger(
			webhookTriggerNode({ teamId: rl(emu.teamId), portalIds: [portalId()], events: ['package.finalized'], ...parameters }),
			{ credentials, staticData },
		);
		open.push(trigger);
		return trigger;
	};
	const webhooks = () => [...emu.core.state.webhooks.values()];
	const portal = (id = portalId()) => emu.core.state.portals.get(id)!;
	const attached = (id = portalId()) => (portal(id).data.custom_webhooks as Array<{ id: string }>).map((w) => w.id);
	/** A package uploaded through the portal (public route), still `new`. */
	const upload = async (name: string, id = portalId()) =>
		String((await api(emu, 'POST', `/v1/portals/${id}/packages`, { name, sender: 'editor@example.com' }, null)).id);
	/** Finalizes it as MASV would, which sends `package.finalized` to the attached webhooks; waits for the deliveries. */
	const finalize = async (packageId: string) => {
		emu.core.forceFinalize(emu.core.state.packages.get(packageId)!);
		await emu.admin.idle();
	};
	const started = (trigger: WebhookTrigger) => trigger.executions.map((items) => items.map((item) => item.json.id));

	it('activation registers a webhook at n8n\'s URL with a secret header and attaches it, changing nothing else on the portal', async () => {
		// Another webhook is attached already: it must stay.
		const other = await api(emu, 'POST', `/v1/teams/${emu.teamId}/custom_webhooks`, {
			active: true,
			events: ['package.created'],
			method: 'PUT',
			url: 'https://hooks.example.com/other',
		});
		await api(emu, 'PUT', `/v1/portals/${portalId()}`, { name: portal().data.name, subdomain: portal().data.subdomain, custom_webhooks: [{ id: other.id }] });
		const before = JSON.parse(JSON.stringify(portal().data)) as IDataObject;
		emu.resetRequests();

		const trigger = await start({ events: ['package.created', 'package.finalized'] });
		expect(await trigger.activate()).toEqual({ created: true });

		expect(webhooks()).toHaveLength(2);
		const mine = webhooks().find((w) => w.id !== other.id)!;
		const saved = trigger.saved()['node:MASV Webhook Trigger'] as IDataObject;
		expect(mine.data).toMatchObject({ url: trigger.url, method: 'POST', active: true, events: ['package.created', 'package.finalized'] });
		expect(saved.webhookId).toBe(mine.id);
		expect(String(saved.secret)).toMatch(/^[0-9a-f]{48}$/);
		expect(mine.data.headers).toEqual({ [HEADER_NAME]: saved.secret });
		expect(saved.portalIds).toEqual([portalId()]);

		// Attached in front of the other one; every other portal field is as it was.
		expect(attached()).toEqual([mine.id, other.id]);
		const withoutWebhooks = (data: IDataObject) => Object.fromEntries(Object.entries(data).filter(([key]) => key !== 'custom_webhooks'));
		expect(withoutWebhooks(portal().data as IDataObject)).toEqual(withoutWebhooks(before));
		// The portal write names the webhooks and nothing else but what PUT requires.
		const puts = emu.requests({ kind: 'api', method: 'PUT', path: `/v1/portals/${portalId()}` });
		expect(puts).toHaveLength(1);
		expect(puts[0].body).toEqual({
			name: before.name,
			subdomain: before.subdomain,
			custom_webhooks: [{ id: mine.id }, { id: other.id }],
		});
	});

	it('checkExists finds the webhook of an earlier activation instead of adding a second', async () => {
		const trigger = await start();
		await trigger.activate();
		emu.resetRequests();
		// n8n restarted: the same static data, the webhook still there.
		expect(await trigger.activate('init')).toEqual({ created: false });
		expect(webhooks()).toHaveLength(1);
		expect(emu.requests({ kind: 'api', method: 'POST' })).toEqual([]);
		expect(emu.requests({ kind: 'api', method: 'PUT' })).toEqual([]);

		// The static data was lost (workflow re-imported): the webhook at this URL is taken over and
		// given a new secret, not doubled.
		const oldSecret = (trigger.saved()['node:MASV Webhook Trigger'] as IDataObject).secret;
		trigger.setSaved({});
		expect(await trigger.activate('init')).toEqual({ created: true });
		expect(webhooks()).toHaveLength(1);
		const saved = trigger.saved()['node:MASV Webhook Trigger'] as IDataObject;
		expect(saved.webhookId).toBe(webhooks()[0].id);
		expect(saved.secret).not.toBe(oldSecret);
		expect(webhooks()[0].data.headers).toEqual({ [HEADER_NAME]: saved.secret });
		expect(attached()).toEqual([webhooks()[0].id]);

		// The read routes are inferred (docs/masv-api.md §13.3): where MASV answers 404 for them,
		// the documented PUT still finds the webhook, and no second one is made.
		const id = webhooks()[0].id;
		emu.faults.add({ target: 'api', type: 'status', status: 404, method: 'GET', path: '^/v1/custom_webhooks/', times: -1 });
		expect(await trigger.activate('init')).toEqual({ created: true });
		expect(webhooks().map((w) => w.id)).toEqual([id]);
		expect(attached()).toEqual([id]);
		emu.faults.clear();

		// Someone deleted it in MASV: a new one is made.
		await api(emu, 'DELETE', `/v1/custom_webhooks/${webhooks()[0].id}`);
		expect(await trigger.activate('init')).toEqual({ created: true });
		expect(webhooks()).toHaveLength(1);
		expect(attached()).toEqual([webhooks()[0].id]);
	});

	it('deactivation detaches the webhook from its portals and deletes it, leaving other webhooks attached', async () => {
		const other = await api(emu, 'POST', `/v1/teams/${emu.teamId}/custom_webhooks`, {
			active: true,
			events: ['package.finalized'],
			method: 'POST',
			url: 'https://hooks.example.com/other',
		});
		await api(emu, 'PUT', `/v1/portals/${portalId()}`, { name: portal().data.name, subdomain: portal().data.subdomain, custom_webhooks: [{ id: other.id }] });
		const trigger = await start();
		await trigger.activate();
		expect(attached()).toHaveLength(2);

		await trigger.deactivate();
		expect(attached()).toEqual([other.id]);
		expect(webhooks().map((w) => w.id)).toEqual([other.id]);
		expect(trigger.saved()['node:MASV Webhook Trigger']).toEqual({});
		// A second deactivation (or one after the webhook was removed in MASV) is fine.
		await trigger.deactivate();
	});

	it('a package finalized on the portal starts one execution with the package read fresh, tokens removed', async () => {
		const trigger = await start();
		await trigger.activate();
		const id = await upload('Rushes day 1');
		await finalize(id);

		expect(started(trigger)).toEqual([[id]]);
		const [item] = trigger.executions[0];
		const delivery = emu.admin.webhookDeliveries()[0];
		expect(item.json).toMatchObject({
			id,
			name: 'Rushes day 1',
			state: 'finalized',
			portal_id: portalId(),
			event: 'package.finalized',
			eventId: delivery.id,
		});
		// Fields the event body does not carry: the package was read from MASV.
		expect(item.json.created_at).toEqual(expect.any(String));
		expect(item.json.expiry).toEqual(expect.any(String));
		expect(JSON.stringify(item.json)).not.toContain('access_token');
		expect(delivery.statuses).toEqual([200]);
		expect(delivery.headers[HEADER_NAME]).toBe((trigger.saved()['node:MASV Webhook Trigger'] as IDataObject).secret);
	});

	it('the events not chosen start nothing; Include Package Token and Include Metadata add to the item', async () => {
		const trigger = await start({ options: { includePackageToken: true, includeMetadata: true } });
		await trigger.activate();
		const id = await upload('with token');
		await emu.admin.idle();
		// package.created went nowhere: the webhook was registered for package.finalized only.
		expect(emu.admin.webhookDeliveries()).toEqual([]);
		await finalize(id);
		const [item] = trigger.executions[0];
		expect(item.json.id).toBe(id);
		expect(String(item.json.access_token)).toMatch(/\S{20,}/);
		expect(item.json.metadata).toEqual({ package_id: id, fields: [], values: {} });
	});

	it('a delivery without the secret is refused (401) and starts nothing', async () => {
		const trigger = await start();
		await trigger.activate();
		const body = { event_id: '01HXEVENT0000000000000001', event_type: 'package.finalized', event_time: new Date().toISOString(), object: { id: 'x' } };
		const wrongHeaders: Array<Record<string, string>> = [{}, { [HEADER_NAME]: 'wrong' }, { [HEADER_NAME]: '' }];
		for (const headers of wrongHeaders) {
			const res = await fetch(trigger.url, { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body: JSON.stringify(body) });
			expect(res.status).toBe(401);
		}
		expect(trigger.executions).toEqual([]);
		expect(emu.requests({ kind: 'api', method: 'GET', path: /packages/ })).toEqual([]);
		// Before activation there is no secret at all: refused too.
		const fresh = await start();
		const res = await fetch(fresh.url, { method: 'POST', headers: { 'Content-Type': 'application/json', [HEADER_NAME]: '' }, body: JSON.stringify(body) });
		expect(res.status).toBe(401);
	});

	it('the same event delivered again, or twice at the same moment, starts one execution', async () => {
		const trigger = await start();
		await trigger.activate();
		emu.admin.setConfig({ webhookCopies: 2 });
		const first = await upload('sent twice at once');
		await finalize(first);
		expect(started(trigger)).toEqual([[first]]);
		expect(trigger.answers.map((a) => a.status)).toEqual([200, 200]);
		const [delivery] = emu.admin.webhookDeliveries();
		expect(delivery.statuses).toEqual([200, 200]);

		// MASV tries again later (it did not see the answer): still one execution.
		emu.admin.setConfig({ webhookCopies: 1 });
		await emu.admin.redeliverWebhook(delivery.id);
		expect(started(trigger)).toEqual([[first]]);
		// The event ID was saved with the static data: a restarted n8n knows it too.
		forgetDeliveries();
		await emu.admin.redeliverWebhook(delivery.id);
		expect(started(trigger)).toEqual([[first]]);
		expect(Object.keys((trigger.saved()['node:MASV Webhook Trigger'] as IDataObject).events as IDataObject)).toEqual([delivery.id]);
	});

	it('deliveries held and released out of order, two at once, each start one execution', async () => {
		const trigger = await start();
		await trigger.activate();
		emu.admin.setConfig({ holdWebhooks: true, webhookCopies: 2 });
		const ids = [await upload('a'), await upload('b'), await upload('c')];
		for (const id of ids) await finalize(id);
		expect(trigger.executions).toEqual([]);
		await emu.admin.releaseWebhooks('reverse', true);
		expect(started(trigger).flat().sort()).toEqual([...ids].sort());
		expect(trigger.executions).toHaveLength(3);
		// Each delivery saved its static data from its own copy; none lost another's event.
		forgetDeliveries();
		for (const delivery of emu.admin.webhookDeliveries()) await emu.admin.redeliverWebhook(delivery.id);
		expect(trigger.executions).toHaveLength(3);
	});

	it('a failed package read answers 503 and starts nothing; MASV\'s next attempt starts the execution', async () => {
		const trigger = await start();
		await trigger.activate();
		const id = await upload('read fails once');
		emu.faults.add({ target: 'api', type: 'status', status: 400, method: 'GET', path: `^/v1.1/teams/[^/]+/packages/${id}$` });
		await finalize(id);
		const [delivery] = emu.admin.webhookDeliveries();
		expect(delivery.statuses).toEqual([503, 200]);
		expect(trigger.answers[0].body).toEqual({ message: expect.stringMatching(/^Could not read the package from MASV: /) });
		expect(started(trigger)).toEqual([[id]]);
	});

	it('a team without custom webhooks: activation fails with a message that says so and points to polling', async () => {
		emu.admin.setCustomWebhooks(false);
		const trigger = await start();
		const failure = trigger.activate();
		await expect(failure).rejects.toThrow(/does not let this team use custom webhooks \(HTTP 403/);
		await expect(failure).rejects.toMatchObject({ description: expect.stringMatching(/"MASV Trigger" node, which polls/) });
		expect(webhooks()).toEqual([]);
		expect(attached()).toEqual([]);
	});

	it('an attach that fails leaves no webhook behind', async () => {
		const trigger = await start({ portalIds: [portalId(), '01JUNKN0WNPORTAL000000000'] });
		await expect(trigger.activate()).rejects.toThrow();
		expect(webhooks()).toEqual([]);
		expect(attached()).toEqual([]);
		expect(trigger.saved()).toEqual({});
	});
});
