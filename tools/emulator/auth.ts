// Credentials (docs/masv-api.md §2): X-API-KEY (or X-User-Token) on team routes, X-Package-Token on
// package routes. Unknown/absent credential → 401; ids the caller cannot see → 404.
import type { Ctx } from './router';
import { header } from './http';
import type { ApiKey, Membership, Pkg, Team } from './state';
import type { PackageClaims } from './tokens';
import { ApiError, forbidden, notFound, unauthorized } from './util';

export interface Principal {
	userId: string;
	/** Teams this credential may act on. */
	teamIds: Set<string>;
	via: 'apiKey' | 'userToken';
	apiKey?: ApiKey;
}

export function authenticate(ctx: Ctx): Principal {
	const { core } = ctx;
	const key = header(ctx.req, 'x-api-key');
	if (key !== undefined) {
		const apiKey = core.state.apiKeys.get(key);
		if (!apiKey) throw unauthorized('invalid API key');
		if (apiKey.state !== 'active') throw unauthorized('API key is inactive');
		if (apiKey.expiry > 0 && apiKey.expiry <= core.now()) throw unauthorized('API key has expired');
		if (!core.state.membershipOf(apiKey.userId, apiKey.teamId)) throw unauthorized('API key user is no longer a team member');
		return { userId: apiKey.userId, teamIds: new Set([apiKey.teamId]), via: 'apiKey', apiKey };
	}
	const token = header(ctx.req, 'x-user-token');
	if (token !== undefined) {
		const claims = core.readUserToken(token);
		if (!claims || !core.state.users.has(claims.sub)) throw unauthorized('invalid or expired user token');
		const teamIds = new Set([...core.state.memberships.values()].filter((m) => m.userId === claims.sub).map((m) => m.teamId));
		return { userId: claims.sub, teamIds, via: 'userToken' };
	}
	throw unauthorized('missing credentials: send X-API-KEY');
}

export interface TeamAccess {
	principal: Principal;
	team: Team;
	membership: Membership;
}

/**
 * Emulator choice (roles, §1): guests may read team resources and send packages, but not create,
 * change or delete portals, Teamspaces, tags, webhooks or cloud connections (403).
 */
function checkGuest(ctx: Ctx, membership: Membership): void {
	if (membership.policyKey !== 'guest' || ctx.method === 'GET' || /\/packages(\/|$)/.test(ctx.path)) return;
	throw forbidden('guests may not change team resources');
}

/** Authenticates and resolves a team the caller belongs to (404 otherwise). */
export function requireTeam(ctx: Ctx, teamId: string): TeamAccess {
	const principal = authenticate(ctx);
	const team = ctx.core.state.teams.get(teamId);
	if (!team || !principal.teamIds.has(teamId)) throw notFound('team');
	const membership = ctx.core.state.membershipOf(principal.userId, teamId) as Membership;
	checkGuest(ctx, membership);
	return { principal, team, membership };
}

/** For resources addressed by their own id: 404 unless the caller may see the owning team. */
export function requireTeamOf(ctx: Ctx, teamId: string | undefined, what: string): TeamAccess {
	const principal = authenticate(ctx);
	if (!teamId || !principal.teamIds.has(teamId)) throw notFound(what);
	const team = ctx.core.state.teams.get(teamId);
	if (!team) throw notFound(what);
	const membership = ctx.core.state.membershipOf(principal.userId, teamId) as Membership;
	checkGuest(ctx, membership);
	return { principal, team, membership };
}

export interface PackageAccess {
	pkg: Pkg;
	claims: PackageClaims;
}

/**
 * X-Package-Token for `packageId`. `need: 'f'` refuses download-level (`d`) tokens with 403
 * (§2.1 UNCERTAIN #3: only f and d are issued).
 */
export function requirePackage(ctx: Ctx, packageId: string, need: 'f' | 'd'): PackageAccess {
	const token = header(ctx.req, 'x-package-token');
	if (token === undefined) throw unauthorized('missing X-Package-Token');
	const claims = ctx.core.readPackageToken(token);
	if (!claims) throw unauthorized('invalid or expired package token');
	const pkg = ctx.core.state.packages.get(packageId);
	if (!pkg || claims.sub !== packageId) throw notFound('package');
	if (need === 'f' && claims.lvl !== 'f') throw forbidden('package token does not allow this operation');
	ctx.core.refreshPackage(pkg);
	return { pkg, claims };
}

export function requireRole(access: TeamAccess, roles: string[], action: string): void {
	if (!roles.includes(access.membership.policyKey)) throw new ApiError(403, `role ${access.membership.policyKey} may not ${action}`);
}
