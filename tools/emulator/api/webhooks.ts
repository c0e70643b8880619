// §13 custom webhooks (cheap CRUD; deliveries are fired from core.emitWebhook).
import { requireTeam, requireTeamOf } from '../auth';
import { asBody, optBool, optString, optStringArray, type Json } from '../http';
import type { Ctx, Router } from '../router';
import type { Webhook } from '../state';
import { isRecord, iso, ulid, validationError } from '../util';

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

function requireWebhook(ctx: Ctx): Webhook {
	const hook = ctx.core.state.webhooks.get(ctx.params.webhookId);
	requireTeamOf(ctx, hook?.teamId, 'custom webhook');
	return hook as Webhook;
}

export function registerWebhooks(router: Router): void {
	router.post('/v1/teams/:teamId/custom_webhooks', (ctx) => {
		const { team } = requireTeam(ctx, ctx.params.teamId);
		const now = ctx.core.now();
		const hook: Webhook = { id: ulid(now), teamId: team.id, data: webhookBody(asBody(ctx.body)), createdAt: now, updatedAt: now };
		ctx.core.state.webhooks.set(hook.id, hook);
		return { status: 201, body: webhookJson(hook) };
	});

	// UNCERTAIN §13.3 (#42): list/get/delete are inferred; update answers 200 with the webhook.
	router.get('/v1/teams/:teamId/custom_webhooks', (ctx) => {
		const { team } = requireTeam(ctx, ctx.params.teamId);
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
		requireWebhook(ctx);
		ctx.core.state.webhooks.delete(ctx.params.webhookId);
		return { status: 204 };
	});
}
