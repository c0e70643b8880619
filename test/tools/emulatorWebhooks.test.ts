// The emulator's webhook deliveries (§13): method, headers and body extras as registered, up to 5
// attempts, copies at the same moment, held deliveries released out of order, the feature switch.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

import { api } from '../../tools/harness/emulatorApi';
import { useEmulator } from '../harness/emulator';

interface Received {
	method: string;
	headers: http.IncomingHttpHeaders;
	body: Record<string, unknown>;
}

describe('emulator: webhook deliveries', () => {
	const emu = useEmulator({ each: 'reset' });
	let server: http.Server;
	let url = '';
	const received: Received[] = [];
	/** Status codes to answer with, in turn (200 once they run out). */
	let answers: number[] = [];

	beforeAll(async () => {
		server = http.createServer((req, res) => {
			const chunks: Buffer[] = [];
			req.on('data', (chunk: Buffer) => chunks.push(chunk));
			req.on('end', () => {
				received.push({ method: String(req.method), headers: req.headers, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) });
				res.writeHead(answers.shift() ?? 200).end();
			});
		});
		await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
		url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
	});
	afterAll(async () => {
		await new Promise<void>((resolve) => server.close(() => resolve()));
	});
	beforeEach(() => {
		received.length = 0;
		answers = [];
	});
	afterEach(() => {
		emu.admin.setConfig({ holdWebhooks: false, webhookCopies: 1 });
		emu.admin.setCustomWebhooks(true);
	});

	const portalId = () => emu.seed.portalId;
	const register = async (extra: Record<string, unknown> = {}) => {
		const hook = await api(emu, 'POST', `/v1/teams/${emu.teamId}/custom_webhooks`, {
			active: true,
			events: ['package.created', 'package.finalized'],
			method: 'POST',
			url,
			...extra,
		});
		const portal = emu.core.state.portals.get(portalId())!;
		await api(emu, 'PUT', `/v1/portals/${portalId()}`, { name: portal.data.name, subdomain: portal.data.subdomain, custom_webhooks: [{ id: hook.id }] });
		return String(hook.id);
	};
	const upload = async (name: string) =>
		String((await api(emu, 'POST', `/v1/portals/${portalId()}/packages`, { name, sender: 'editor@example.com' }, null)).id);

	it('sends each event with the registered method, headers and body extras', async () => {
		await register({ method: 'PUT', headers: { 'x-secret': 's3cr3t' }, body_extras: { env: 'test' } });
		const id = await upload('rushes');
		emu.core.forceFinalize(emu.core.state.packages.get(id)!);
		await emu.admin.idle();
		expect(received.map((r) => [r.method, r.body.event_type])).toEqual([
			['PUT', 'package.created'],
			['PUT', 'package.finalized'],
		]);
		for (const r of received) {
			expect(r.headers['x-secret']).toBe('s3cr3t');
			expect(r.headers['content-type']).toBe('application/json');
			expect(r.body).toMatchObject({ env: 'test', event_id: expect.any(String), event_time: expect.any(String), object: { id, portal_id: portalId() } });
		}
		expect(received[0].body.event_id).not.toBe(received[1].body.event_id);
	});

	it('tries an event up to 5 times until it is answered with 2xx', async () => {
		await register({ events: ['package.created'] });
		answers = [500, 503, 500, 500, 500, 500];
		await upload('never taken');
		await emu.admin.idle();
		expect(received).toHaveLength(5);
		expect(new Set(received.map((r) => r.body.event_id)).size).toBe(1);
		expect(emu.admin.webhookDeliveries()[0]).toMatchObject({ attempts: 5, statuses: [500, 503, 500, 500, 500] });

		received.length = 0;
		answers = [500];
		await upload('taken at the second attempt');
		await emu.admin.idle();
		expect(received).toHaveLength(2);
		expect(emu.admin.webhookDeliveries()[1]).toMatchObject({ attempts: 2, statuses: [500, 200] });
	});

	it('sends copies at the same moment, holds deliveries and releases them reversed, and sends one again on request', async () => {
		await register({ events: ['package.created'] });
		emu.admin.setConfig({ webhookCopies: 2, holdWebhooks: true });
		const ids = [await upload('a'), await upload('b')];
		await emu.admin.idle();
		expect(received).toEqual([]);
		await emu.admin.releaseWebhooks('reverse');
		expect(received.map((r) => (r.body.object as { id: string }).id)).toEqual([ids[1], ids[1], ids[0], ids[0]]);
		const [first] = emu.admin.webhookDeliveries();
		await emu.admin.redeliverWebhook(first.id);
		expect(received).toHaveLength(6);
		expect(received.slice(4).map((r) => r.body.event_id)).toEqual([first.id, first.id]);
	});

	it('answers 403 on every webhook route when the team may not use custom webhooks', async () => {
		const id = await register();
		emu.admin.setCustomWebhooks(false);
		const routes: Array<[string, string]> = [
			['POST', `/v1/teams/${emu.teamId}/custom_webhooks`],
			['GET', `/v1/teams/${emu.teamId}/custom_webhooks`],
			['GET', `/v1/custom_webhooks/${id}`],
			['DELETE', `/v1/custom_webhooks/${id}`],
		];
		for (const [method, route] of routes) {
			await expect(api(emu, method, route, { active: true, events: ['package.created'], method: 'POST', url })).rejects.toThrow(
				/403 .*custom webhooks are not enabled for this team/,
			);
		}
	});
});
