// Admin routes under /_emulator/ (not part of MASV): drive an emulator running in another process.
// No auth, no Content-Type requirement; bodies are optional JSON.
import type { EmulatorHandle } from './handle';
import { faultToJson, type FaultSpec } from './faults';
import { asBody, optString, type Json } from './http';
import { Router } from './router';
import { sourceJson, sourceSha256 } from './sources';
import type { PackageState, Role } from './state';
import { ApiError, isRecord, notFound } from './util';

const PACKAGE_STATES: PackageState[] = ['new', 'finalized', 'expired', 'archived'];

export function buildAdminRouter(emu: EmulatorHandle): Router {
	const r = new Router();
	const admin = emu.admin;

	r.get('/_emulator/state', () => ({ status: 200, body: admin.stateSummary() }));
	r.get('/_emulator/seed', () => ({ status: 200, body: emu.seed }));
	r.post('/_emulator/reset', async () => ({ status: 200, body: { seed: await admin.reset() } }));
	r.post('/_emulator/idle', async () => {
		await admin.idle();
		return { status: 200, body: { idle: true } };
	});

	r.get('/_emulator/requests', (ctx) => {
		const kind = ctx.query.get('kind');
		const method = ctx.query.get('method');
		const path = ctx.query.get('path');
		const list = emu.requests({
			kind: kind === 'api' || kind === 'storage' || kind === 'source' ? kind : undefined,
			method: method ?? undefined,
			path: path ? new RegExp(path) : undefined,
		});
		return { status: 200, body: list };
	});
	r.delete('/_emulator/requests', () => {
		emu.resetRequests();
		return { status: 204 };
	});

	r.get('/_emulator/faults', () => ({ status: 200, body: { totalFired: emu.faults.totalFired, faults: emu.faults.list().map(faultToJson) } }));
	r.post('/_emulator/faults', (ctx) => {
		const specs = Array.isArray(ctx.body) ? ctx.body : [ctx.body];
		const added = specs.map((s) => {
			if (!isRecord(s)) throw new ApiError(400, 'fault spec must be an object');
			return faultToJson(emu.faults.add(s as unknown as FaultSpec));
		});
		return { status: 201, body: Array.isArray(ctx.body) ? added : added[0] };
	});
	r.get('/_emulator/faults/:id', (ctx) => {
		const fault = emu.faults.get(ctx.params.id);
		if (!fault) throw notFound('fault');
		return { status: 200, body: faultToJson(fault) };
	});
	r.delete('/_emulator/faults', () => {
		emu.faults.clear();
		return { status: 204 };
	});
	r.delete('/_emulator/faults/:id', (ctx) => {
		if (!emu.faults.remove(ctx.params.id)) throw notFound('fault');
		return { status: 204 };
	});

	// Source files for Upload From URL (sources.ts): register one, read what it was asked, its SHA-256.
	r.post('/_emulator/sources', (ctx) => ({ status: 201, body: sourceJson(emu.core.sources.add(ctx.body), emu.storageUrl) }));
	r.get('/_emulator/sources/:id', (ctx) => {
		const source = emu.core.sources.get(ctx.params.id);
		if (!source) throw notFound('source');
		return { status: 200, body: sourceJson(source, emu.storageUrl) };
	});
	r.get('/_emulator/sources/:id/sha256', async (ctx) => {
		const source = emu.core.sources.get(ctx.params.id);
		if (!source) throw notFound('source');
		return { status: 200, body: { sha256: await sourceSha256(source.spec.seed, source.spec.size), size: source.spec.size } };
	});

	r.get('/_emulator/files', async () => ({ status: 200, body: await emu.files() }));
	r.get('/_emulator/objects', async () => ({ status: 200, body: await emu.objects() }));

	r.get('/_emulator/packages/:id', (ctx) => {
		const pkg = admin.getPackage(ctx.params.id);
		if (!pkg) throw notFound('package');
		return { status: 200, body: pkg };
	});
	r.post('/_emulator/packages/:id/state', (ctx) => {
		const state = optString(asBody(ctx.body), 'state');
		if (!state || !PACKAGE_STATES.includes(state as PackageState)) throw new ApiError(400, `state must be one of ${PACKAGE_STATES.join(', ')}`);
		return { status: 200, body: admin.setPackageState(ctx.params.id, state as PackageState) };
	});

	r.post('/_emulator/packages/:id/finalize', (ctx) => {
		const pkg = emu.core.state.packages.get(ctx.params.id);
		if (!pkg) throw notFound('package');
		emu.core.forceFinalize(pkg);
		return { status: 200, body: admin.getPackage(pkg.id) };
	});

	r.post('/_emulator/teams', (ctx) => ({ status: 201, body: admin.createTeam({ name: optString(asBody(ctx.body), 'name') }) }));
	r.post('/_emulator/api_keys', (ctx) => {
		const b = asBody(ctx.body);
		return {
			status: 201,
			body: admin.createApiKey({
				teamId: optString(b, 'teamId'),
				userId: optString(b, 'userId'),
				membershipId: optString(b, 'membershipId'),
				state: optString(b, 'state') as 'active' | 'inactive' | undefined,
				expiry: optString(b, 'expiry'),
			}),
		};
	});
	r.post('/_emulator/members', (ctx) => {
		const b = asBody(ctx.body);
		const email = optString(b, 'email');
		if (!email) throw new ApiError(400, 'email is required');
		return { status: 201, body: admin.addMember({ teamId: optString(b, 'teamId'), email, name: optString(b, 'name'), role: optString(b, 'role') as Role | undefined }) };
	});
	r.post('/_emulator/cloud_connections', (ctx) => {
		const b = asBody(ctx.body);
		return {
			status: 201,
			body: admin.createCloudConnection({
				teamId: optString(b, 'teamId'),
				name: optString(b, 'name'),
				provider: optString(b, 'provider'),
				direction: optString(b, 'direction') as 'masv_to_cloud' | 'cloud_to_masv' | undefined,
				targetDirectoryId: optString(b, 'targetDirectoryId'),
			}),
		};
	});
	r.get('/_emulator/integrations/:id', async (ctx) => ({
		status: 200,
		body: { dir: admin.integrationDir(ctx.params.id), files: await admin.integrationFiles(ctx.params.id) },
	}));

	r.post('/_emulator/clock', (ctx) => {
		const b = asBody(ctx.body);
		const ms = typeof b.advanceMs === 'number' ? b.advanceMs : 0;
		return { status: 200, body: { now: new Date(admin.advanceClock(ms)).toISOString(), offsetMs: emu.core.clockOffsetMs } };
	});
	r.post('/_emulator/config', (ctx) => ({ status: 200, body: admin.setConfig(asBody(ctx.body) as Json) }));
	r.get('/_emulator/webhooks', () => ({ status: 200, body: admin.webhookDeliveries() }));
	// Held deliveries (config holdWebhooks) go out now: `order` "made" or "reverse" (out of order),
	// `together` true sends them all at the same moment.
	r.post('/_emulator/webhooks/release', async (ctx) => {
		const b = asBody(ctx.body);
		const order = optString(b, 'order') ?? 'made';
		if (order !== 'made' && order !== 'reverse') throw new ApiError(400, 'order must be made or reverse');
		return { status: 200, body: await admin.releaseWebhooks(order, b.together === true) };
	});
	// Sends a delivery again, as MASV's next attempt at the same event.
	r.post('/_emulator/webhooks/:id/redeliver', async (ctx) => ({ status: 200, body: await admin.redeliverWebhook(ctx.params.id) }));
	r.post('/_emulator/custom_webhooks', (ctx) => {
		const body = asBody(ctx.body);
		admin.setCustomWebhooks(body.enabled !== false, optString(body, 'teamId'));
		return { status: 204 };
	});
	return r;
}
