// §9 portals (create, v1.1/legacy list, get, update, delete, public subdomain lookup) and §12 forms.
import { requireTeam, requireTeamOf } from '../auth';
import type { Core } from '../core';
import { asBody, isEmail, optString, type Json } from '../http';
import { LIMIT_CAP, applySort, listParam, pageParams, paginate } from '../lists';
import type { Ctx, Router } from '../router';
import { portalJson } from '../serialize';
import type { Portal } from '../state';
import { badRequest, conflict, isRecord, iso, notFound, ulid, validationError, ZERO_TIME } from '../util';

export function defaultPortalData(core: Core): Json {
	return {
		name: '',
		subdomain: '',
		message: '',
		// §9.2 (UNCERTAIN #33): `active` defaults to false on create (current docs).
		active: false,
		recipients: [],
		cc_recipients: [],
		disable_upload_receipt: false,
		access_level: 'regular',
		access_list: [],
		has_access_code: false,
		access_code: '',
		has_download_password: false,
		download_password: '',
		custom_expiry_days: core.config.defaultExpiryDays,
		expiry_enabled: false,
		expiry: ZERO_TIME,
		primary_color: '',
		logo_url: '',
		background_url: '',
		teamspace_id: '',
		tag: null,
		cloud_connections: [],
		custom_webhooks: [],
		file_type_restriction_enabled: false,
		file_type_restriction_exclude: false,
		file_types: [],
		package_size_restriction_enabled: false,
		max_file_count: 0,
		max_file_size: 0,
		max_package_size: 0,
		user_authentication_required: false,
		download_user_authentication_required: false,
		package_name_format_enabled: false,
		package_name_format: null,
		terms_of_service_enabled: false,
		terms_of_service: null,
	};
}

type FieldKind = 'string' | 'bool' | 'int' | 'emails' | 'strings' | 'object';

const FIELDS: Record<string, FieldKind> = {
	name: 'string',
	subdomain: 'string',
	message: 'string',
	active: 'bool',
	recipients: 'emails',
	cc_recipients: 'emails',
	disable_upload_receipt: 'bool',
	access_level: 'string',
	access_list: 'strings',
	custom_expiry_days: 'int',
	expiry_enabled: 'bool',
	expiry: 'string',
	primary_color: 'string',
	logo_url: 'string',
	background_url: 'string',
	teamspace_id: 'string',
	file_type_restriction_enabled: 'bool',
	file_type_restriction_exclude: 'bool',
	file_types: 'strings',
	package_size_restriction_enabled: 'bool',
	max_file_count: 'int',
	max_file_size: 'int',
	max_package_size: 'int',
	user_authentication_required: 'bool',
	download_user_authentication_required: 'bool',
	package_name_format_enabled: 'bool',
	package_name_format: 'object',
	terms_of_service_enabled: 'bool',
	terms_of_service: 'object',
};

function checkField(field: string, kind: FieldKind, value: unknown): unknown {
	const bad = (what: string) => validationError(field, `${field} must be ${what}`);
	switch (kind) {
		case 'string':
			if (typeof value !== 'string') throw bad('a string');
			return value;
		case 'bool':
			if (typeof value !== 'boolean') throw bad('a boolean');
			return value;
		case 'int':
			if (typeof value !== 'number' || !Number.isInteger(value)) throw bad('an integer');
			return value;
		case 'strings':
			if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) throw bad('an array of strings');
			return value;
		case 'emails':
			if (!Array.isArray(value) || value.some((v) => typeof v !== 'string' || !isEmail(v))) throw bad('an array of email addresses');
			return value;
		case 'object':
			if (value !== null && !isRecord(value)) throw bad('an object');
			return value;
	}
}

/** `custom_webhooks` / `cloud_connections` are written as `[{id}]`; other keys of an item are ignored. */
function idsOf(value: unknown, field: string): string[] {
	if (!Array.isArray(value)) throw validationError(field, `${field} must be an array`);
	return value.map((v) => {
		if (isRecord(v) && typeof v.id === 'string' && v.id !== '') return v.id;
		throw validationError(field, `${field} items must be objects with an id`);
	});
}

/** Fields MASV sets itself: a portal write that sends one is refused (§9.1, §9.6). */
const READ_ONLY = ['id', 'team_id', 'created_at', 'updated_at'];

/**
 * The portal passwords (§9.1, docs/masv-api.md decision 1): the `has_*` boolean is the switch. `true`
 * needs a non-empty value; `false` removes the password; a value sent without its `has_*` is ignored.
 */
const PASSWORDS: Array<[flag: string, field: string]> = [
	['has_access_code', 'access_code'],
	['has_download_password', 'download_password'],
];

function applyPasswords(data: Json, body: Json): void {
	for (const [flag, field] of PASSWORDS) {
		const on = body[flag];
		if (on === undefined) continue;
		if (typeof on !== 'boolean') throw validationError(flag, `${flag} must be a boolean`);
		if (!on) {
			data[flag] = false;
			data[field] = '';
			continue;
		}
		const value = body[field];
		if (typeof value !== 'string' || value === '') throw validationError(field, `${field} is required when ${flag} is true`, 'required');
		if (value.length > 72) throw validationError(field, `${field} must be at most 72 characters`);
		data[flag] = true;
		data[field] = value;
	}
}

/** A switch whose object must come with it when on (§9.1: package name format, terms of service). */
const SWITCHED_OBJECTS: Array<[flag: string, field: string, keys: string[]]> = [
	['package_name_format_enabled', 'package_name_format', ['value', 'label']],
	['terms_of_service_enabled', 'terms_of_service', ['title', 'description', 'checkbox_label', 'checkbox_url']],
];

/**
 * Validates and applies a portal body on top of `base`. Unknown fields are ignored, read-only ones
 * refused; `name` and `subdomain` are required on create and update (§9.2, §9.6; UNCERTAIN #34: PUT
 * merges the given fields onto the stored portal rather than resetting absent ones).
 */
function applyPortalBody(core: Core, teamId: string, base: Json, body: Json, selfId?: string): Json {
	for (const field of READ_ONLY) {
		if (body[field] !== undefined) throw validationError(field, `${field} is read-only`);
	}
	const data: Json = { ...base };
	for (const [field, kind] of Object.entries(FIELDS)) {
		if (body[field] === undefined) continue;
		data[field] = checkField(field, kind, body[field]);
	}
	applyPasswords(data, body);
	for (const [flag, field, keys] of SWITCHED_OBJECTS) {
		if (data[flag] !== true) continue;
		const value = data[field];
		if (!isRecord(value) || keys.some((key) => typeof value[key] !== 'string')) {
			throw validationError(field, `${field} {${keys.join(', ')}} is required when ${flag} is true`, 'required');
		}
	}
	const name = String(data.name ?? '').trim();
	if (!name) throw validationError('name', 'name is required', 'required');
	if (name.length > 255) throw validationError('name', 'name must be at most 255 characters');
	const subdomain = String(data.subdomain ?? '');
	if (!subdomain) throw validationError('subdomain', 'subdomain is required', 'required');
	if (!/^[a-z0-9](?:[a-z0-9-]{1,51})[a-z0-9]$/.test(subdomain)) {
		// UNCERTAIN §9.2: 400 for invalid, 409 for taken.
		throw badRequest('subdomain must be 3-53 characters of a-z, 0-9 and -, not starting or ending with -');
	}
	for (const p of core.state.portals.values()) {
		if (p.id !== selfId && p.data.subdomain === subdomain) throw conflict(`subdomain ${subdomain} is already taken`);
	}
	if (data.access_level !== 'regular' && data.access_level !== 'private') throw validationError('access_level', "access_level must be 'regular' or 'private'");
	if (data.access_level === 'private' && data.has_access_code !== true) throw validationError('access_code', 'private portals need an access_code', 'required');
	if (data.access_level === 'private' && data.teamspace_id) throw validationError('access_level', 'private portals cannot belong to a Teamspace');
	const days = data.custom_expiry_days as number;
	if (days < -1 || days > 65535) throw validationError('custom_expiry_days', 'custom_expiry_days must be between -1 and 65535');
	if (data.expiry_enabled === true && Number.isNaN(Date.parse(String(data.expiry)))) throw validationError('expiry', 'expiry is required when expiry_enabled', 'required');
	if (data.teamspace_id) {
		const space = core.state.spaces.get(String(data.teamspace_id));
		if (!space || space.teamId !== teamId) throw validationError('teamspace_id', 'unknown Teamspace');
	}
	for (const id of data.access_list as string[]) {
		const m = core.state.memberships.get(id);
		if (!m || m.teamId !== teamId) throw validationError('access_list', `unknown membership ${id}`);
	}
	// tag: `{id}` object or `tag_id` (emulator convenience); stored as {id, name}.
	const tagRef = body.tag_id !== undefined ? body.tag_id : body.tag !== undefined ? (isRecord(body.tag) ? body.tag.id : body.tag) : undefined;
	if (tagRef !== undefined) {
		if (tagRef === null || tagRef === '') data.tag = null;
		else {
			const tag = core.state.tags.get(String(tagRef));
			if (!tag || tag.teamId !== teamId) throw validationError('tag', 'unknown tag');
			data.tag = { id: tag.id, name: tag.name };
		}
	}
	if (body.cloud_connections !== undefined) {
		data.cloud_connections = idsOf(body.cloud_connections, 'cloud_connections').map((id) => {
			const c = core.state.connections.get(id);
			if (!c || c.teamId !== teamId) throw validationError('cloud_connections', `unknown cloud connection ${id}`);
			return { id: c.id, name: c.name, provider: c.provider, direction: c.direction };
		});
	}
	if (body.custom_webhooks !== undefined) {
		data.custom_webhooks = idsOf(body.custom_webhooks, 'custom_webhooks').map((id) => {
			const w = core.state.webhooks.get(id);
			if (!w || w.teamId !== teamId) throw validationError('custom_webhooks', `unknown custom webhook ${id}`);
			return { id: w.id, name: w.data.name ?? '', url: w.data.url, events: w.data.events, active: w.data.active };
		});
	}
	return data;
}

function requirePortal(ctx: Ctx): Portal {
	const portal = ctx.core.state.portals.get(ctx.params.portalId);
	requireTeamOf(ctx, portal?.teamId, 'portal');
	return portal as Portal;
}

export function registerPortals(router: Router): void {
	router.post('/v1/teams/:teamId/portals', (ctx) => {
		const { core } = ctx;
		const { team } = requireTeam(ctx, ctx.params.teamId);
		const data = applyPortalBody(core, team.id, defaultPortalData(core), asBody(ctx.body));
		const now = core.now();
		const portal: Portal = { id: ulid(now), teamId: team.id, seq: core.state.nextSeq(), data, createdAt: now, updatedAt: now };
		core.state.portals.set(portal.id, portal);
		return { status: 201, body: portalJson(portal) };
	});

	// UNCERTAIN §9.3 (#35): `{metadata:{total}, records}`.
	router.get('/v1.1/teams/:teamId/portals', (ctx) => {
		const { team } = requireTeam(ctx, ctx.params.teamId);
		const page = pageParams(ctx.query, 1, LIMIT_CAP.portals);
		const name = ctx.query.get('name')?.toLowerCase();
		const subdomain = ctx.query.get('subdomain')?.toLowerCase();
		const tags = listParam(ctx.query, 'tags');
		const spaces = listParam(ctx.query, 'teamspaces');
		const matching = [...ctx.core.state.portals.values()].filter((p) => {
			if (p.teamId !== team.id) return false;
			if (name && !String(p.data.name).toLowerCase().includes(name)) return false;
			if (subdomain && !String(p.data.subdomain).toLowerCase().includes(subdomain)) return false;
			if (tags.length && !tags.includes(String((p.data.tag as Json | null)?.id ?? ''))) return false;
			if (spaces.length && !spaces.includes(String(p.data.teamspace_id))) return false;
			return true;
		});
		const sorted = applySort(
			matching,
			ctx.query.get('sort'),
			{
				name: (p) => String(p.data.name).toLowerCase(),
				created_at: (p) => p.createdAt,
				active: (p) => (p.data.active ? 1 : 0),
			},
			'-created_at',
		);
		return { status: 200, body: { metadata: { total: sorted.length }, records: paginate(sorted, page).map(portalJson) } };
	});

	router.get('/v1/teams/:teamId/portals', (ctx) => {
		const { team } = requireTeam(ctx, ctx.params.teamId);
		const portals = [...ctx.core.state.portals.values()].filter((p) => p.teamId === team.id).sort((a, b) => b.createdAt - a.createdAt || b.seq - a.seq);
		return { status: 200, body: portals.map(portalJson) };
	});

	router.get('/v1.1/portals/:portalId', (ctx) => ({ status: 200, body: portalJson(requirePortal(ctx)) }));
	// UNCERTAIN §9.5: the v1 GET is served too.
	router.get('/v1/portals/:portalId', (ctx) => ({ status: 200, body: portalJson(requirePortal(ctx)) }));

	router.put('/v1/portals/:portalId', (ctx) => {
		const portal = requirePortal(ctx);
		portal.data = applyPortalBody(ctx.core, portal.teamId, portal.data, asBody(ctx.body), portal.id);
		portal.updatedAt = ctx.core.now();
		return { status: 200, body: portalJson(portal) };
	});

	router.delete('/v1/portals/:portalId', (ctx) => {
		const portal = requirePortal(ctx);
		ctx.core.state.portals.delete(portal.id);
		ctx.core.state.forms.delete(portal.id);
		return { status: 204 };
	});

	// §9.8: public. UNCERTAIN #36: fields beyond id.
	router.get('/v1/subdomains/portals/:subdomain', (ctx) => {
		const portal = [...ctx.core.state.portals.values()].find((p) => p.data.subdomain === ctx.params.subdomain.toLowerCase());
		if (!portal) throw notFound('portal');
		const d = portal.data;
		const form = ctx.core.state.forms.get(portal.id);
		return {
			status: 200,
			body: {
				id: portal.id,
				name: d.name,
				subdomain: d.subdomain,
				message: d.message,
				active: d.active,
				access_level: d.access_level,
				has_access_code: d.has_access_code === true,
				primary_color: d.primary_color,
				logo_url: d.logo_url,
				background_url: d.background_url,
				file_type_restriction_enabled: d.file_type_restriction_enabled,
				file_type_restriction_exclude: d.file_type_restriction_exclude,
				file_types: d.file_types,
				terms_of_service_enabled: d.terms_of_service_enabled,
				terms_of_service: d.terms_of_service,
				has_form: !!form,
			},
		};
	});

	// §12.3 (cheap): the portal's metadata form. UNCERTAIN #41: GET is inferred.
	router.post('/v1/portals/:portalId/form', (ctx) => {
		const portal = requirePortal(ctx);
		const body = asBody(ctx.body);
		const name = optString(body, 'name');
		if (!name) throw validationError('name', 'name is required', 'required');
		if (!Array.isArray(body.delivery_formats) || body.delivery_formats.length === 0) {
			throw validationError('delivery_formats', 'delivery_formats is required', 'required');
		}
		for (const f of body.delivery_formats) {
			if (!['json', 'csv', 'xml', 'email_body'].includes(String(f))) throw validationError('delivery_formats', `unknown delivery format ${String(f)}`);
		}
		if (body.fields !== undefined && !Array.isArray(body.fields)) throw validationError('fields', 'fields must be an array');
		const now = ctx.core.now();
		const form = {
			id: ulid(now),
			portalId: portal.id,
			data: { name, delivery_formats: body.delivery_formats, form_template_id: optString(body, 'form_template_id') ?? '', fields: body.fields ?? [] },
			createdAt: now,
			updatedAt: now,
		};
		ctx.core.state.forms.set(portal.id, form);
		return { status: 201, body: { id: form.id, portal_id: portal.id, ...form.data, created_at: iso(now), updated_at: iso(now) } };
	});

	router.get('/v1/portals/:portalId/form', (ctx) => {
		const portal = requirePortal(ctx);
		const form = ctx.core.state.forms.get(portal.id);
		if (!form) throw notFound('form');
		return { status: 200, body: { id: form.id, portal_id: portal.id, ...form.data, created_at: iso(form.createdAt), updated_at: iso(form.updatedAt) } };
	});
}
