// §13 custom webhooks (cheap CRUD; deliveries are fired from core.emitWebhook).
import { requireTeam, requireTeamOf } from '../auth';
import { asBody, optBool, optString, optStringArray, type Json } from '../http';
import type { Ctx, Router } from '../router';
import type { Webhook } from '../state';
import { ApiError, isRecord, iso, ulid, validationError } from '../util';

function webhookBody(body: Json): Json {
	const active = optBool(body, 'active');
	if (active === undefined) throw validationError('active', 'active is required', 'required');
	const events = optStringArray(body, 'events');
	if (!events || events.length === 0) throw validationError('events', 'events is required', 'required');
	const method = (optString(body, 'method') ?? '').toUpperCase();
	if (method !== 'POST' && method !== 'PUT') throw validationError('method', "method must be 'POST' or 'PUT'", 'required');
	const url = optString(body, 'url') ?? '';
	if (!/^https?:\/\//.test(url)) throw validationError('url', 'url must be an http(s) URL', 'required');
	for (const f of ['headers', 'body_extras']) {
		const v = body[f];
		if (v !== undefined && (!isRecord(v) || Object.values(v).some((x) => typeof x !== 'string'))) {
			throw validationError(f, `${f} must be an object of strings`);
		}
	}
	return { name: optString(body, 'name') ?? '', active, events, method, url, headers: body.headers ?? {}, body_extras: body.body_extras ?? {} };
}

function webhookJson(w: Webhook): Json {
	return { id: w.id, team_id: w.teamId, ...w.data, created_at: iso(w.createdAt), updated_at: iso(w.updatedAt) };
}

/** A team without the feature is refused every custom-webhook call (see `State.customWebhooksOff`). */
function requireFeature(ctx: Ctx, teamId: string): void {
	if (ctx.core.state.customWebhooksOff.has(teamId)) throw new ApiError(403, 'custom webhooks are not enabled for this team');
}

function requireWebhook(ctx: Ctx): Webhook {
	const hook = ctx.core.state.webhooks.get(ctx.params.webhookId);
	requireTeamOf(ctx, hook?.teamId, 'custom webhook');
	requireFeature(ctx, (hook as Webhook).teamId);
	return hook as Webhook;
}

export function registerWebhooks(router: Router): void {
	router.post('/v1/teams/:teamId/custom_webhooks', (ctx) => {
		const { team } = requireTeam(ctx, ctx.params.teamId);
		requireFeature(ctx, team.id);
		const now = ctx.core.now();
		const hook: Webhook = { id: ulid(now), teamId: team.id, data: webhookBody(asBody(ctx.body)), createdAt: now, updatedAt: now };
		ctx.core.state.webhooks.set(hook.id, hook);
		return { status: 201, body: webhookJson(hook) };
	});

	// UNCERTAIN §13.3 (#42): list/get/delete are inferred; update answers 200 with the webhook.
	router.get('/v1/teams/:teamId/custom_webhooks', (ctx) => {
		const { team } = requireTeam(ctx, ctx.params.teamId);
		requireFeature(ctx, team.id);
		return { status: 200, body: [...ctx.core.state.webhooks.values()].filter((w) => w.teamId === team.id).map(webhookJson) };
	});

	router.get('/v1/custom_webhooks/:webhookId', (ctx) => ({ status: 200, body: webhookJson(requireWebhook(ctx)) }));

	router.put('/v1/custom_webhooks/:webhookId', (ctx) => {
		const hook = requireWebhook(ctx);
		hook.data = webhookBody(asBody(ctx.body));
		hook.updatedAt = ctx.core.now();
		return { status: 200, body: webhookJson(hook) };
	});

	router.delete('/v1/custom_webhooks/:webhookId', (ctx) => {
		const hook = requireWebhook(ctx);
		ctx.core.state.webhooks.delete(hook.id);
		// A deleted webhook is no longer attached anywhere (UNCERTAIN §13.3: assumed of MASV).
		for (const portal of ctx.core.state.portals.values()) {
			const list = Array.isArray(portal.data.custom_webhooks) ? (portal.data.custom_webhooks as Json[]) : [];
			if (list.some((entry) => entry.id === hook.id)) portal.data.custom_webhooks = list.filter((entry) => entry.id !== hook.id);
		}
		return { status: 204 };
	});
}
