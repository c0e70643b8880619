import type { IDataObject, ILoadOptionsFunctions, INodeListSearchResult } from 'n8n-workflow';

import { masvApiRequest } from '../transport/request';
import { INTERACTIVE_POLICY } from '../transport/retry';
import { PageWalk } from '../shared/pages';
import { PAGE_SIZE, recordsOf, totalOf } from '../shared/routing';

function matches(filter: string | undefined, ...values: unknown[]): boolean {
	if (!filter) return true;
	const needle = filter.toLowerCase();
	return values.some((value) => typeof value === 'string' && value.toLowerCase().includes(needle));
}

async function teams(ctx: ILoadOptionsFunctions): Promise<IDataObject[]> {
	return recordsOf(await masvApiRequest(ctx, { method: 'GET', path: '/v1/teams', policy: INTERACTIVE_POLICY }));
}

function selectedTeam(ctx: ILoadOptionsFunctions): string {
	const teamId = ctx.getNodeParameter('teamId', '', { extractValue: true }) as string;
	return typeof teamId === 'string' ? teamId.trim() : '';
}

export async function searchTeams(this: ILoadOptionsFunctions, filter?: string): Promise<INodeListSearchResult> {
	const results = (await teams(this))
		.filter((team) => matches(filter, team.name, team.id))
		.map((team) => ({ name: String(team.name ?? team.id), value: String(team.id) }));
	return { results };
}

/** Packages of the team chosen in `teamId`, newest first, one page per request. */
export async function searchPackages(
	this: ILoadOptionsFunctions,
	filter?: string,
	paginationToken?: string,
): Promise<INodeListSearchResult> {
	const teamId = selectedTeam(this);
	if (!teamId) return { results: [] };
	const page = paginationToken ? Number(paginationToken) : 1;
	const limit = 50;
	const body = await masvApiRequest(this, {
		policy: INTERACTIVE_POLICY,
		method: 'GET',
		path: `/v1.1/teams/${encodeURIComponent(teamId)}/packages`,
		qs: { page, limit, sort: '-created_at', status: 'new,finalized,expired', ...(filter ? { name: filter } : {}) },
	});
	const records = recordsOf(body);
	const total = totalOf(body);
	const more = records.length === limit && (total === undefined || page * limit < total);
	return {
		results: records.map((pkg) => ({
			name: `${String(pkg.name || pkg.id)}${pkg.state ? ` (${String(pkg.state)})` : ''}`,
			value: String(pkg.id),
		})),
		paginationToken: more ? String(page + 1) : undefined,
	};
}

/** Most pages of one team's list read for a picker (1,050 records at 50 a page). */
const MAX_SEARCH_PAGES = 21;

/** Walks a v1.1 list of every team of the key (portals, Teamspaces) for a picker. */
async function acrossTeams(
	ctx: ILoadOptionsFunctions,
	route: (teamId: string) => string,
	listKey: string,
	firstPage: number,
): Promise<IDataObject[]> {
	const teamId = selectedTeam(ctx);
	const teamIds = teamId ? [teamId] : (await teams(ctx)).map((team) => String(team.id));
	const all: IDataObject[] = [];
	for (const id of teamIds) {
		const walk = new PageWalk<IDataObject>(PAGE_SIZE, (record) => record.id, MAX_SEARCH_PAGES);
		for (let page = firstPage; ; page++) {
			const body = await masvApiRequest(ctx, { method: 'GET', path: route(id), qs: { page, limit: PAGE_SIZE }, policy: INTERACTIVE_POLICY });
			const { fresh, more } = walk.page(recordsOf(body, listKey), totalOf(body));
			all.push(...fresh);
			if (!more) break;
		}
	}
	return all;
}

export async function searchPortals(this: ILoadOptionsFunctions, filter?: string): Promise<INodeListSearchResult> {
	const portals = await acrossTeams(this, (id) => `/v1.1/teams/${encodeURIComponent(id)}/portals`, 'records', 1);
	return {
		results: portals
			.filter((portal) => matches(filter, portal.name, portal.subdomain, portal.id))
			.map((portal) => ({
				name: `${String(portal.name ?? portal.id)}${portal.subdomain ? ` (${String(portal.subdomain)})` : ''}`,
				value: String(portal.id),
			})),
	};
}

export async function searchTeamspaces(this: ILoadOptionsFunctions, filter?: string): Promise<INodeListSearchResult> {
	const spaces = await acrossTeams(this, (id) => `/v1.1/teams/${encodeURIComponent(id)}/spaces`, 'teamspaces', 0);
	return {
		results: spaces
			.filter((space) => matches(filter, space.name, space.id))
			.map((space) => ({ name: String(space.name ?? space.id), value: String(space.id) })),
	};
}

/** Storage integrations (cloud connections) of the team chosen in `teamId`, or of every team of the key. */
export async function searchIntegrations(this: ILoadOptionsFunctions, filter?: string): Promise<INodeListSearchResult> {
	const teamId = selectedTeam(this);
	const teamList: IDataObject[] = teamId ? [{ id: teamId }] : await teams(this);
	const results: Array<{ name: string; value: string }> = [];
	for (const team of teamList) {
		const path = `/v1/teams/${encodeURIComponent(String(team.id))}/cloud_connections`;
		const connections = recordsOf(await masvApiRequest(this, { method: 'GET', path, policy: INTERACTIVE_POLICY }));
		for (const connection of connections) {
			if (!matches(filter, connection.name, connection.provider, connection.id)) continue;
			const details = [connection.provider, connection.direction === 'cloud_to_masv' ? 'import' : connection.direction ? 'delivery' : undefined]
				.filter((part) => typeof part === 'string' && part)
				.join(', ');
			const teamName = teamList.length > 1 && team.name ? ` · ${String(team.name)}` : '';
			results.push({
				name: `${String(connection.name || connection.id)}${details ? ` (${details})` : ''}${teamName}`,
				value: String(connection.id),
			});
		}
	}
	return { results };
}

/**
 * Custom webhooks of the team chosen in `teamId`, or of every team of the key (docs/masv-api.md
 * §13.3: the list route is inferred). Across teams, a team that refuses the list (no webhook
 * feature, 403) is left out.
 */
export async function searchWebhooks(this: ILoadOptionsFunctions, filter?: string): Promise<INodeListSearchResult> {
	const list = async (id: string) =>
		recordsOf(await masvApiRequest(this, { method: 'GET', path: `/v1/teams/${encodeURIComponent(id)}/custom_webhooks` }));
	const teamId = selectedTeam(this);
	const all: IDataObject[] = [];
	if (teamId) all.push(...(await list(teamId)));
	else {
		for (const team of await teams(this)) {
			all.push(...(await list(String(team.id)).catch(() => [])));
		}
	}
	const results = all
		.filter((hook) => matches(filter, hook.name, hook.url, hook.id))
		.map((hook) => ({
			name: hook.name ? `${String(hook.name)} (${String(hook.url ?? '')})` : String(hook.url ?? hook.id),
			value: String(hook.id),
		}));
	return { results };
}
