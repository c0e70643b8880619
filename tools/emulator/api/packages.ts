// §5 packages: create (team, portal), v1.1 and legacy lists, get, inbox, Teamspace packages,
// update, expiry, delete, metadata.
import { requirePackage, requireTeam, requireTeamOf } from '../auth';
import type { Core } from '../core';
import { asBody, isEmail, optBool, optDate, optInt, optString, optStringArray, type Json } from '../http';
import { LIMIT_CAP, applySort, boolParam, dateBound, dayBound, listParam, pageParams, paginate, type SortKey } from '../lists';
import type { Ctx, Router } from '../router';
import { packageJson } from '../serialize';
import type { PackageState, Pkg } from '../state';
import { conflict, forbidden, notFound, unauthorized, validationError } from '../util';

const STATES: PackageState[] = ['new', 'finalized', 'expired', 'archived'];

const SORT_KEYS: Record<string, SortKey<Pkg>> = {
	name: (p) => p.name.toLowerCase(),
	created_at: (p) => p.createdAt,
	size: (p) => p.seq, // replaced per call (needs core)
	usage_total_bytes: (p) => p.seq,
	expiry: (p) => p.expiry,
	sender: (p) => p.sender.toLowerCase(),
	status: (p) => p.state,
	teamspace_id: (p) => p.teamspaceId,
};

function defaultName(core: Core, teamName: string): string {
	// The v1.1 example shows auto-named packages ("Delta's Team - 202211012009"), so a missing name
	// gets one (UNCERTAIN §5.3 whether the server enforces `name`).
	const d = new Date(core.now()).toISOString();
	return `${teamName} - ${d.slice(0, 4)}${d.slice(5, 7)}${d.slice(8, 10)}${d.slice(11, 13)}${d.slice(14, 16)}`;
}

function recipientsOf(body: Json): string[] {
	const recipients = optStringArray(body, 'recipients') ?? [];
	for (const r of recipients) if (!isEmail(r)) throw validationError('recipients', `invalid email: ${r}`);
	return recipients;
}

/** How one v1.1 package list pages and reads dates. */
interface PackageList {
	firstPage: 0 | 1;
	maxLimit: number;
	/** The Teamspace package list takes days only (§5.10); the others a day or a date-time. */
	dates: typeof dateBound;
}

const TEAM_LIST: PackageList = { firstPage: 1, maxLimit: LIMIT_CAP.teamPackages, dates: dateBound };
const INBOX_LIST: PackageList = { firstPage: 1, maxLimit: LIMIT_CAP.inbox, dates: dateBound };
const TEAMSPACE_LIST: PackageList = { firstPage: 0, maxLimit: LIMIT_CAP.teamspacePackages, dates: dayBound };

/** v1.1 package filters and sort (§5.5), shared by team, inbox and Teamspace lists. */
export function filterPackages(core: Core, packages: Pkg[], query: URLSearchParams, list: PackageList): { total: number; records: Json[] } {
	const bound = list.dates;
	const page = pageParams(query, list.firstPage, list.maxLimit);
	const statuses = listParam(query, 'status');
	for (const s of statuses) if (!STATES.includes(s as PackageState)) throw validationError('status', `unknown status ${s}`);
	const wanted = new Set(statuses.length ? statuses : ['finalized', 'expired']);
	const name = query.get('name')?.toLowerCase();
	const sender = query.get('sender')?.toLowerCase();
	const tags = listParam(query, 'tags');
	const spaces = listParam(query, 'teamspaces');
	const createdStart = bound(query, 'created_at_start', false);
	const createdEnd = bound(query, 'created_at_end', true);
	const expiryStart = bound(query, 'expiry_start', false);
	const expiryEnd = bound(query, 'expiry_end', true);
	const extraStorage = boolParam(query, 'extra_storage');
	const matching = packages.filter((p) => {
		core.refreshPackage(p);
		if (!wanted.has(p.state)) return false;
		if (name && !p.name.toLowerCase().includes(name)) return false;
		if (sender && !p.sender.toLowerCase().includes(sender)) return false;
		if (tags.length && !tags.includes(p.tagId)) return false;
		if (spaces.length && !spaces.includes(p.teamspaceId)) return false;
		if (createdStart !== undefined && p.createdAt < createdStart) return false;
		if (createdEnd !== undefined && p.createdAt > createdEnd) return false;
		if (expiryStart !== undefined && (!p.expiry || p.expiry < expiryStart)) return false;
		if (expiryEnd !== undefined && (!p.expiry || p.expiry > expiryEnd)) return false;
		if (extraStorage === true) return false; // the emulator never bills extended storage
		return true;
	});
	const keys = { ...SORT_KEYS, size: (p: Pkg) => core.packageSize(p), usage_total_bytes: (p: Pkg) => core.packageSize(p) };
	const sorted = applySort(matching, query.get('sort'), keys, '-created_at');
	return { total: sorted.length, records: paginate(sorted, page).map((p) => packageJson(core, p)) };
}

/** Legacy state flags (§5.6): defaults expired+finalized; all false/absent → finalized+expired. */
function legacyFilter(core: Core, packages: Pkg[], query: URLSearchParams): Json[] {
	const flags: Record<PackageState, boolean> = {
		expired: boolParam(query, 'expired') ?? true,
		finalized: boolParam(query, 'finalized') ?? true,
		new: boolParam(query, 'new') ?? false,
		archived: boolParam(query, 'archived') ?? false,
	};
	if (!Object.values(flags).some(Boolean)) {
		flags.expired = true;
		flags.finalized = true;
	}
	return packages
		.filter((p) => flags[core.refreshPackage(p).state])
		.sort((a, b) => b.createdAt - a.createdAt || b.seq - a.seq)
		.map((p) => packageJson(core, p));
}

function teamPackages(core: Core, teamId: string, portal: boolean): Pkg[] {
	return [...core.state.packages.values()].filter((p) => p.teamId === teamId && (p.portalId !== '') === portal);
}

export function resolveTag(core: Core, teamId: string, tagId: string | undefined): string | undefined {
	if (tagId === undefined) return undefined;
	if (tagId === '') return '';
	const tag = core.state.tags.get(tagId);
	if (!tag || tag.teamId !== teamId) throw validationError('tag_id', 'unknown tag');
	return tag.id;
}

export function resolveSpace(core: Core, teamId: string, spaceId: string | undefined, field = 'teamspace_id'): string | undefined {
	if (spaceId === undefined) return undefined;
	if (spaceId === '') return '';
	const space = core.state.spaces.get(spaceId);
	if (!space || space.teamId !== teamId) throw validationError(field, 'unknown Teamspace');
	return space.id;
}

function requireTeamPackage(ctx: Ctx): Pkg {
	const { team } = requireTeam(ctx, ctx.params.teamId);
	const pkg = ctx.core.state.packages.get(ctx.params.packageId);
	if (!pkg || pkg.teamId !== team.id) throw notFound('package');
	return pkg;
}

export function registerPackages(router: Router): void {
	router.post('/v1/teams/:teamId/packages', (ctx) => {
		const { team, principal } = requireTeam(ctx, ctx.params.teamId);
		const body = asBody(ctx.body);
		const user = ctx.core.state.users.get(principal.userId);
		const name = optString(body, 'name');
		const accessLimit = optInt(body, 'access_limit', 0);
		// UNCERTAIN §5.3 (#7): teamspace_id / tag_id are not documented; the emulator accepts them so
		// tests can place packages in a Teamspace or tag them.
		const teamspaceId = resolveSpace(ctx.core, team.id, optString(body, 'teamspace_id'));
		const tagId = resolveTag(ctx.core, team.id, optString(body, 'tag_id'));
		const pkg = ctx.core.createPackage({
			teamId: team.id,
			name: name && name.trim() ? name : defaultName(ctx.core, team.name),
			description: optString(body, 'description') ?? '',
			sender: user?.email ?? '',
			senderUserId: principal.userId,
			recipients: recipientsOf(body),
			password: optString(body, 'password') ?? '',
			accessLimit,
			teamspaceId,
			tagId,
		});
		// UNCERTAIN §5.3: success status; 201 assumed.
		return { status: 201, body: packageJson(ctx.core, pkg) };
	});

	// §5.4: public, no credential.
	router.post('/v1/portals/:portalId/packages', (ctx) => {
		const portal = ctx.core.state.portals.get(ctx.params.portalId);
		if (!portal) throw notFound('portal');
		const data = portal.data;
		if (data.active !== true) throw forbidden('portal is not accepting uploads');
		if (data.expiry_enabled === true && Date.parse(String(data.expiry)) < ctx.core.now()) throw forbidden('portal has expired');
		const body = asBody(ctx.body);
		const sender = optString(body, 'sender') ?? '';
		if (!sender) throw validationError('sender', 'sender is required', 'required');
		if (!isEmail(sender)) throw validationError('sender', 'sender must be an email');
		// UNCERTAIN §5.4 (#8): how the access code is supplied; the emulator reads body `access_code`.
		if (String(data.access_code ?? '') !== '' && optString(body, 'access_code') !== data.access_code) {
			throw unauthorized('invalid access code');
		}
		const team = ctx.core.state.teams.get(portal.teamId);
		const name = optString(body, 'name');
		const tag = data.tag as Json | null;
		const days = typeof data.custom_expiry_days === 'number' && data.custom_expiry_days !== 0 ? data.custom_expiry_days : undefined;
		const pkg = ctx.core.createPackage({
			teamId: portal.teamId,
			portalId: portal.id,
			teamspaceId: String(data.teamspace_id ?? ''),
			tagId: tag && typeof tag.id === 'string' ? tag.id : '',
			name: name && name.trim() ? name : defaultName(ctx.core, String(data.name ?? team?.name ?? 'Portal')),
			description: optString(body, 'description') ?? '',
			sender,
			recipients: Array.isArray(data.recipients) ? (data.recipients as string[]) : [],
			password: String(data.download_password ?? ''),
			expiryDays: days,
		});
		return { status: 201, body: packageJson(ctx.core, pkg) };
	});

	router.get('/v1.1/teams/:teamId/packages', (ctx) => {
		const { team } = requireTeam(ctx, ctx.params.teamId);
		const { total, records } = filterPackages(ctx.core, teamPackages(ctx.core, team.id, false), ctx.query, TEAM_LIST);
		return { status: 200, body: { metadata: { total }, records } };
	});

	router.get('/v1/teams/:teamId/packages', (ctx) => {
		const { team } = requireTeam(ctx, ctx.params.teamId);
		return { status: 200, body: legacyFilter(ctx.core, teamPackages(ctx.core, team.id, false), ctx.query) };
	});

	router.get('/v1.1/teams/:teamId/packages/:packageId', (ctx) => ({ status: 200, body: packageJson(ctx.core, requireTeamPackage(ctx)) }));

	// UNCERTAIN §5.8 (#13): route and envelope as the client-observed variant.
	router.get('/v1.1/teams/:teamId/inbox', (ctx) => {
		const { team } = requireTeam(ctx, ctx.params.teamId);
		// `portal` filters by portal name (case-insensitive substring); `portals` by ids.
		const portalName = ctx.query.get('portal')?.toLowerCase();
		const portalIds = listParam(ctx.query, 'portals');
		const packages = teamPackages(ctx.core, team.id, true).filter((p) => {
			if (portalIds.length && !portalIds.includes(p.portalId)) return false;
			if (!portalName) return true;
			const portal = ctx.core.state.portals.get(p.portalId);
			return !!portal && String(portal.data.name ?? '').toLowerCase().includes(portalName);
		});
		const { total, records } = filterPackages(ctx.core, packages, ctx.query, INBOX_LIST);
		return { status: 200, body: { metadata: { total }, records } };
	});

	router.get('/v1/portals/:portalId/packages', (ctx) => {
		const portal = ctx.core.state.portals.get(ctx.params.portalId);
		requireTeamOf(ctx, portal?.teamId, 'portal');
		const packages = [...ctx.core.state.packages.values()].filter((p) => p.portalId === ctx.params.portalId);
		return { status: 200, body: legacyFilter(ctx.core, packages, ctx.query) };
	});

	// UNCERTAIN §5.10 (#14): the wrapped envelope, not the bare array of the old example.
	router.get('/v1.1/spaces/:spaceId/packages', (ctx) => {
		const space = ctx.core.state.spaces.get(ctx.params.spaceId);
		requireTeamOf(ctx, space?.teamId, 'Teamspace');
		const packages = [...ctx.core.state.packages.values()].filter((p) => p.teamspaceId === ctx.params.spaceId);
		const { total, records } = filterPackages(ctx.core, packages, ctx.query, TEAMSPACE_LIST);
		return { status: 200, body: { metadata: { total }, records } };
	});

	// UNCERTAIN §5.11 (#15): package token (full), fields name/description/tag_id/teamspace_id.
	router.put('/v1/packages/:packageId', (ctx) => {
		const { pkg } = requirePackage(ctx, ctx.params.packageId, 'f');
		if (pkg.state !== 'new') throw conflict(`package is ${pkg.state} and can no longer be modified`);
		const body = asBody(ctx.body);
		const name = optString(body, 'name');
		const description = optString(body, 'description');
		const tagId = resolveTag(ctx.core, pkg.teamId, optString(body, 'tag_id'));
		const spaceId = resolveSpace(ctx.core, pkg.teamId, optString(body, 'teamspace_id'));
		if (name !== undefined) {
			if (!name.trim()) throw validationError('name', 'name must not be empty');
			pkg.name = name;
		}
		if (description !== undefined) pkg.description = description;
		if (tagId !== undefined) pkg.tagId = tagId;
		if (spaceId !== undefined) pkg.teamspaceId = spaceId;
		pkg.updatedAt = ctx.core.now();
		return { status: 200, body: packageJson(ctx.core, pkg) };
	});

	// §5.12; UNCERTAIN #16: answers the updated package.
	router.put('/v1/packages/:packageId/expiry', (ctx) => {
		const { pkg } = requirePackage(ctx, ctx.params.packageId, 'f');
		if (pkg.state === 'expired' || pkg.state === 'archived') throw conflict(`package is ${pkg.state}`);
		const body = asBody(ctx.body);
		const unlimited = optBool(body, 'unlimited_storage');
		if (unlimited === undefined) throw validationError('unlimited_storage', 'unlimited_storage is required', 'required');
		if (unlimited) {
			pkg.unlimitedStorage = true;
		} else {
			const expiry = optDate(body, 'expiry');
			if (expiry === undefined) throw validationError('expiry', 'expiry is required when unlimited_storage is false', 'required');
			if (expiry <= ctx.core.now()) throw validationError('expiry', 'expiry must be in the future');
			pkg.unlimitedStorage = false;
			pkg.expiry = expiry;
		}
		pkg.customExpiry = true;
		pkg.updatedAt = ctx.core.now();
		return { status: 200, body: packageJson(ctx.core, pkg) };
	});

	router.delete('/v1/packages/:packageId', (ctx) => {
		const { pkg } = requirePackage(ctx, ctx.params.packageId, 'f');
		ctx.core.deletePackage(pkg);
		return { status: 204 };
	});

	// UNCERTAIN §5.14 (#17): `{fields: []}` for packages without a form.
	router.get('/v1/packages/:packageId/metadata', (ctx) => {
		const { pkg } = requirePackage(ctx, ctx.params.packageId, 'd');
		return { status: 200, body: { fields: pkg.metadata } };
	});
}
