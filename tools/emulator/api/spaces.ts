// §10 Teamspaces and their members.
import { requireTeam, requireTeamOf } from '../auth';
import type { Core } from '../core';
import { asBody, optStringArray, reqString } from '../http';
import { LIMIT_CAP, pageParams, paginate } from '../lists';
import type { Ctx, Router } from '../router';
import { spaceJson, spaceMembershipJson } from '../serialize';
import type { Space, SpaceMembership } from '../state';
import { notFound, ulid, validationError } from '../util';

function requireSpace(ctx: Ctx): Space {
	const space = ctx.core.state.spaces.get(ctx.params.spaceId);
	requireTeamOf(ctx, space?.teamId, 'Teamspace');
	return space as Space;
}

function checkMembers(core: Core, teamId: string, ids: string[]): void {
	for (const id of ids) {
		const m = core.state.memberships.get(id);
		if (!m || m.teamId !== teamId) throw validationError('member_ids', `unknown team membership ${id}`);
	}
}

/** Adds memberships (existing ones are returned as they are). */
function addMembers(core: Core, space: Space, ids: string[]): SpaceMembership[] {
	return [...new Set(ids)].map((membershipId) => {
		const existing = [...core.state.spaceMembers.values()].find((sm) => sm.spaceId === space.id && sm.membershipId === membershipId);
		if (existing) return existing;
		const now = core.now();
		const sm: SpaceMembership = { id: ulid(now), spaceId: space.id, membershipId, createdAt: now };
		core.state.spaceMembers.set(sm.id, sm);
		return sm;
	});
}

export function registerSpaces(router: Router): void {
	router.post('/v1/teams/:teamId/spaces', (ctx) => {
		const { core } = ctx;
		const { team } = requireTeam(ctx, ctx.params.teamId);
		const body = asBody(ctx.body);
		const name = reqString(body, 'name');
		const memberIds = optStringArray(body, 'member_ids') ?? [];
		checkMembers(core, team.id, memberIds);
		const now = core.now();
		const space: Space = { id: ulid(now), teamId: team.id, seq: core.state.nextSeq(), name, createdAt: now, updatedAt: now };
		core.state.spaces.set(space.id, space);
		addMembers(core, space, memberIds);
		// UNCERTAIN §10.2 (#37): 201 with the Teamspace.
		return { status: 201, body: spaceJson(core, space) };
	});

	router.get('/v1/spaces/:spaceId', (ctx) => ({ status: 200, body: spaceJson(ctx.core, requireSpace(ctx)) }));

	router.get('/v1.1/teams/:teamId/spaces', (ctx) => {
		const { team } = requireTeam(ctx, ctx.params.teamId);
		const page = pageParams(ctx.query, 0, LIMIT_CAP.teamspaces);
		const name = ctx.query.get('name')?.toLowerCase();
		const spaces = [...ctx.core.state.spaces.values()]
			.filter((s) => s.teamId === team.id && (!name || s.name.toLowerCase().includes(name)))
			.sort((a, b) => a.seq - b.seq);
		return { status: 200, body: { metadata: { total: spaces.length }, teamspaces: paginate(spaces, page).map((s) => spaceJson(ctx.core, s)) } };
	});

	// UNCERTAIN §10.5 (#38): answers the single renamed Teamspace.
	router.put('/v1/spaces/:spaceId', (ctx) => {
		const space = requireSpace(ctx);
		space.name = reqString(asBody(ctx.body), 'name');
		space.updatedAt = ctx.core.now();
		return { status: 200, body: spaceJson(ctx.core, space) };
	});

	router.delete('/v1/spaces/:spaceId', (ctx) => {
		const { core } = ctx;
		const space = requireSpace(ctx);
		core.state.spaces.delete(space.id);
		for (const sm of [...core.state.spaceMembers.values()]) if (sm.spaceId === space.id) core.state.spaceMembers.delete(sm.id);
		for (const p of core.state.packages.values()) if (p.teamspaceId === space.id) p.teamspaceId = '';
		for (const p of core.state.portals.values()) if (p.data.teamspace_id === space.id) p.data.teamspace_id = '';
		return { status: 204 };
	});

	router.post('/v1/spaces/:spaceId/members', (ctx) => {
		const space = requireSpace(ctx);
		const ids = optStringArray(asBody(ctx.body), 'member_ids');
		if (!ids || ids.length === 0) throw validationError('member_ids', 'member_ids is required', 'required');
		checkMembers(ctx.core, space.teamId, ids);
		return { status: 201, body: addMembers(ctx.core, space, ids).map(spaceMembershipJson) };
	});

	router.get('/v1/spaces/:spaceId/members', (ctx) => {
		const space = requireSpace(ctx);
		const members = [...ctx.core.state.spaceMembers.values()].filter((sm) => sm.spaceId === space.id);
		return { status: 200, body: members.map(spaceMembershipJson) };
	});

	router.delete('/v1/spaces/:spaceId/members/:membershipId', (ctx) => {
		const space = requireSpace(ctx);
		const sm = ctx.core.state.spaceMembers.get(ctx.params.membershipId);
		if (!sm || sm.spaceId !== space.id) throw notFound('Teamspace membership');
		ctx.core.state.spaceMembers.delete(sm.id);
		return { status: 204 };
	});
}
