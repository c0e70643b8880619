// §11 tags.
import { requireTeam, requireTeamOf } from '../auth';
import { asBody, reqString } from '../http';
import type { Router } from '../router';
import { tagJson } from '../serialize';
import type { Tag } from '../state';
import { conflict, ulid } from '../util';

export function registerTags(router: Router): void {
	router.post('/v1/teams/:teamId/tags', (ctx) => {
		const { core } = ctx;
		const { team } = requireTeam(ctx, ctx.params.teamId);
		const name = reqString(asBody(ctx.body), 'name');
		for (const t of core.state.tags.values()) {
			if (t.teamId === team.id && t.name.toLowerCase() === name.toLowerCase()) throw conflict(`tag ${name} already exists`);
		}
		const now = core.now();
		const tag: Tag = { id: ulid(now), teamId: team.id, name, active: true, createdAt: now, updatedAt: now };
		core.state.tags.set(tag.id, tag);
		return { status: 201, body: tagJson(tag) };
	});

	router.get('/v1/teams/:teamId/tags', (ctx) => {
		const { team } = requireTeam(ctx, ctx.params.teamId);
		const tags = [...ctx.core.state.tags.values()].filter((t) => t.teamId === team.id).sort((a, b) => a.createdAt - b.createdAt);
		return { status: 200, body: tags.map(tagJson) };
	});

	router.delete('/v1/tags/:tagId', (ctx) => {
		const { core } = ctx;
		const tag = core.state.tags.get(ctx.params.tagId);
		requireTeamOf(ctx, tag?.teamId, 'tag');
		core.state.tags.delete(ctx.params.tagId);
		for (const p of core.state.packages.values()) if (p.tagId === ctx.params.tagId) p.tagId = '';
		for (const p of core.state.portals.values()) {
			const t = p.data.tag as { id?: string } | null;
			if (t && t.id === ctx.params.tagId) p.data.tag = null;
		}
		return { status: 204 };
	});
}
