// §2 auth and API keys, §3 teams, §4 members.
import { authenticate, requireRole, requireTeam, requireTeamOf } from '../auth';
import { asBody, optDate, optString, reqString } from '../http';
import type { Ctx, Router } from '../router';
import { createApiKey } from '../seed';
import { memberJson, teamJson } from '../serialize';
import type { ApiKey } from '../state';
import { forbidden, iso, notFound, unauthorized, validationError, ZERO_TIME } from '../util';

function apiKeyJson(key: ApiKey, withSecret: boolean): Record<string, unknown> {
	// UNCERTAIN §2.5 (#4): response shape and the name of the secret field (`key`).
	const out: Record<string, unknown> = {
		id: key.id,
		name: key.name,
		description: key.description,
		state: key.state,
		expiry: key.expiry ? iso(key.expiry) : ZERO_TIME,
		created_at: iso(key.createdAt),
		updated_at: iso(key.updatedAt),
		team_id: key.teamId,
		user_id: key.userId,
	};
	if (withSecret) out.key = key.secret;
	return out;
}

function keyState(value: string | undefined, required: boolean): 'active' | 'inactive' | undefined {
	if (value === undefined) {
		if (required) throw validationError('state', 'state is required', 'required');
		return undefined;
	}
	if (value !== 'active' && value !== 'inactive') throw validationError('state', "state must be 'active' or 'inactive'");
	return value;
}

export function registerTeams(router: Router): void {
	router.post('/v1/auth', (ctx) => {
		const body = asBody(ctx.body);
		const email = reqString(body, 'email');
		const password = reqString(body, 'password');
		const user = [...ctx.core.state.users.values()].find((u) => u.email.toLowerCase() === email.toLowerCase());
		if (!user || user.password !== password) throw unauthorized('invalid email or password');
		const teams = [...ctx.core.state.memberships.values()]
			.filter((m) => m.userId === user.id)
			.map((m) => ctx.core.state.teams.get(m.teamId))
			.filter((t) => !!t)
			.map((t) => ({ id: t.id, name: t.name, subdomain: t.subdomain }));
		return {
			status: 200,
			body: {
				teams,
				token: ctx.core.userToken(user.id),
				user: {
					email: user.email,
					id: user.id,
					level: 'basic',
					name: user.name,
					preferred_team_id: teams[0]?.id ?? '',
					primary_team_id: teams[0]?.id ?? '',
					time_zone: 'UTC',
				},
			},
		};
	});

	router.get('/v1/teams', (ctx) => {
		const principal = authenticate(ctx);
		const teams = [...principal.teamIds].map((id) => ctx.core.state.teams.get(id)).filter((t) => !!t);
		return { status: 200, body: teams.map((t) => teamJson(ctx.core, t)) };
	});

	router.get('/v1/teams/:teamId/members', (ctx) => {
		const { team } = requireTeam(ctx, ctx.params.teamId);
		return { status: 200, body: ctx.core.state.membershipsOfTeam(team.id).map((m) => memberJson(ctx.core, m)) };
	});

	// API key management: X-User-Token only (an API key cannot manage API keys, §2.5).
	const requireUserTokenTeam = (ctx: Ctx, teamId: string) => {
		const access = requireTeam(ctx, teamId);
		if (access.principal.via !== 'userToken') throw forbidden('API keys cannot manage API keys; use X-User-Token');
		requireRole(access, ['owner', 'admin', 'integration_manager'], 'manage API keys');
		return access;
	};

	router.post('/v1/teams/:teamId/api_keys', (ctx) => {
		const access = requireUserTokenTeam(ctx, ctx.params.teamId);
		const body = asBody(ctx.body);
		const state = keyState(optString(body, 'state'), true) as 'active' | 'inactive';
		const expiry = optDate(body, 'expiry');
		const created = createApiKey(ctx.core, {
			teamId: access.team.id,
			userId: access.principal.userId,
			name: optString(body, 'name') ?? '',
			state,
			expiry: expiry && expiry > 0 ? expiry : 0,
		});
		const key = ctx.core.state.apiKeys.get(created.key) as ApiKey;
		key.description = optString(body, 'description') ?? '';
		return { status: 201, body: apiKeyJson(key, true) };
	});

	// Inferred (UNCERTAIN #4): list and delete.
	router.get('/v1/teams/:teamId/api_keys', (ctx) => {
		const access = requireUserTokenTeam(ctx, ctx.params.teamId);
		const keys = [...ctx.core.state.apiKeys.values()].filter((k) => k.teamId === access.team.id);
		return { status: 200, body: keys.map((k) => apiKeyJson(k, false)) };
	});

	const ownedKey = (ctx: Ctx) => {
		const key = ctx.core.state.apiKeyById(ctx.params.apiKeyId);
		const access = requireTeamOf(ctx, key?.teamId, 'API key');
		if (access.principal.via !== 'userToken') throw forbidden('API keys cannot manage API keys; use X-User-Token');
		if (!key) throw notFound('API key');
		if (access.membership.policyKey !== 'owner' && key.userId !== access.principal.userId) throw forbidden('only the owner may manage keys created by others');
		return key;
	};

	router.put('/v1/api_keys/:apiKeyId', (ctx) => {
		const key = ownedKey(ctx);
		const body = asBody(ctx.body);
		const name = optString(body, 'name');
		const description = optString(body, 'description');
		const state = keyState(optString(body, 'state'), false);
		const expiry = optDate(body, 'expiry');
		if (name !== undefined) key.name = name;
		if (description !== undefined) key.description = description;
		if (state !== undefined) key.state = state;
		if (body.expiry !== undefined) key.expiry = expiry && expiry > 0 ? expiry : 0;
		key.updatedAt = ctx.core.now();
		return { status: 200, body: apiKeyJson(key, false) };
	});

	router.delete('/v1/api_keys/:apiKeyId', (ctx) => {
		const key = ownedKey(ctx);
		ctx.core.state.apiKeys.delete(key.secret);
		return { status: 204 };
	});
}
