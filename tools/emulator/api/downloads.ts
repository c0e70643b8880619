// §7 downloads and §8 links: link create/disable, link info (→ download-level token), file list
// with the package zip, per-file download URL.
import { requirePackage } from '../auth';
import type { Core } from '../core';
import { asBody, header, isEmail, optString } from '../http';
import type { Ctx, Router } from '../router';
import { fileJson, linkJson } from '../serialize';
import type { DownloadSession, Link, Pkg } from '../state';
import type { PackageClaims } from '../tokens';
import { alnum, ApiError, conflict, forbidden, iso, notFound, unauthorized, ulid, validationError, ZERO_TIME } from '../util';
import { zipSize } from '../zip';

function zipName(pkg: Pkg): string {
	return `${pkg.name.replace(/[\\/:*?"<>|]/g, '_') || 'MASV Package'}.zip`;
}

/** Content of expired/archived packages is gone (§5.1); UNCERTAIN code, 410 chosen. */
function requireContent(pkg: Pkg): void {
	if (pkg.state === 'expired' || pkg.state === 'archived') throw new ApiError(410, `package is ${pkg.state}; its files are no longer available`);
}

function linkUsable(link: Link, pkg: Pkg): void {
	// Emulator choice for UNCERTAIN §7.2 (#28): disabled/expired/limit → 403.
	if (link.disabled) throw forbidden('link is disabled');
	if (pkg.state === 'expired' || pkg.state === 'archived') throw forbidden(`package is ${pkg.state}`);
	if (pkg.state !== 'finalized') throw forbidden('link is not active until the package is finalized');
	if (link.accessLimit > 0 && link.accessCount >= link.accessLimit) throw forbidden('link access limit reached');
}

/** One download session per token (`jti`); its first download counts toward the link's access_limit. */
function sessionFor(core: Core, pkg: Pkg, claims: PackageClaims): DownloadSession {
	let session = core.state.sessions.get(claims.jti);
	if (session) return session;
	const link = claims.lid ? core.state.links.get(claims.lid) : undefined;
	if (claims.lid) {
		if (!link) throw forbidden('link no longer exists');
		linkUsable(link, pkg);
		// UNCERTAIN §7.2: what counts toward access_limit; here a download session (first URL fetched).
		link.accessCount++;
	}
	const activity = core.addActivity('package_download_from_masv', pkg, 'started', { linkId: link?.id });
	session = { id: claims.jti, packageId: pkg.id, linkId: link?.id ?? '', activityId: activity.id, bytesServed: new Map(), complete: false };
	core.state.sessions.set(session.id, session);
	return session;
}

function fileList(core: Core, pkg: Pkg): unknown[] {
	const files = core.finalizedFiles(pkg);
	const list: unknown[] = files.map(fileJson);
	if (pkg.state === 'finalized' && pkg.zipId && files.length > 0) {
		// UNCERTAIN §7.3 (#29): only `zip_windows` is listed (no macOS zip).
		list.push({
			id: pkg.zipId,
			kind: 'zip_windows',
			name: zipName(pkg),
			path: '',
			size: zipSize(core.zipEntries(pkg)),
			last_modified: iso(pkg.finalizedAt),
			virus_detected: false,
			completed: true,
		});
	}
	return list;
}

function requireLink(ctx: Ctx, pkg: Pkg): Link {
	const link = ctx.core.state.links.get(ctx.params.linkId);
	if (!link || link.packageId !== pkg.id) throw notFound('link');
	return link;
}

export function registerDownloads(router: Router): void {
	router.post('/v1/packages/:packageId/links', (ctx) => {
		const { core } = ctx;
		const { pkg } = requirePackage(ctx, ctx.params.packageId, 'f');
		if (pkg.state !== 'new' && pkg.state !== 'finalized') throw conflict(`package is ${pkg.state}`);
		const body = asBody(ctx.body);
		const email = optString(body, 'email') ?? '';
		if (email && !isEmail(email)) throw validationError('email', 'email must be an email address');
		const password = optString(body, 'password');
		const now = core.now();
		const link: Link = {
			id: ulid(now),
			packageId: pkg.id,
			secret: alnum(16),
			email,
			// The package password (if any) applies to links without their own.
			password: password ?? pkg.password,
			disabled: false,
			accessLimit: pkg.accessLimit,
			accessCount: 0,
			accessedAt: 0,
			createdAt: now,
			activityId: '',
		};
		link.activityId = core.addActivity('link_generation', pkg, 'pending', { linkId: link.id }).id;
		core.state.links.set(link.id, link);
		pkg.linkIds.push(link.id);
		return { status: 201, body: linkJson(link, pkg, true) };
	});

	// Inferred (UNCERTAIN §8.3 #32): list the package's links.
	router.get('/v1/packages/:packageId/links', (ctx) => {
		const { pkg } = requirePackage(ctx, ctx.params.packageId, 'f');
		const links = pkg.linkIds.map((id) => ctx.core.state.links.get(id)).filter((l): l is Link => !!l);
		return { status: 200, body: links.map((l) => linkJson(l, pkg, true)) };
	});

	// UNCERTAIN §8.3 (#32): disable = DELETE on the package's link.
	router.delete('/v1/packages/:packageId/links/:linkId', (ctx) => {
		const { pkg } = requirePackage(ctx, ctx.params.packageId, 'f');
		requireLink(ctx, pkg).disabled = true;
		return { status: 204 };
	});

	router.get('/v1/links/:linkId', (ctx) => {
		const { core } = ctx;
		const link = core.state.links.get(ctx.params.linkId);
		const secret = ctx.query.get('secret');
		// UNCERTAIN §7.2 (#28): unknown link or wrong secret → 404; password → 401; unusable → 403.
		if (!link || !secret || secret !== link.secret) throw notFound('link');
		const pkg = core.state.packages.get(link.packageId);
		if (!pkg) throw notFound('link');
		core.refreshPackage(pkg);
		if (link.password && header(ctx.req, 'x-link-password') !== link.password) {
			throw unauthorized(header(ctx.req, 'x-link-password') === undefined ? 'link password required' : 'wrong link password');
		}
		linkUsable(link, pkg);
		link.accessedAt = core.now();
		const activity = core.state.activities.get(link.activityId);
		if (activity && activity.state === 'pending') core.setActivity(activity, 'started');
		const team = core.state.teams.get(pkg.teamId);
		return {
			status: 200,
			body: {
				id: link.id,
				name: pkg.name,
				package_id: pkg.id,
				package_size: core.packageSize(pkg),
				package_token: core.packageToken(pkg, 'd', { lid: link.id }),
				expiry: pkg.expiry ? iso(pkg.expiry) : ZERO_TIME,
				sender_email: pkg.sender,
				recipient_email: link.email,
				description: pkg.description,
				team_name: team?.name ?? '',
				branding: { primary_color: '#1DD4CA' },
			},
		};
	});

	router.get('/v1/packages/:packageId/files', (ctx) => {
		const { pkg } = requirePackage(ctx, ctx.params.packageId, 'd');
		requireContent(pkg);
		return { status: 200, body: fileList(ctx.core, pkg) };
	});

	// UNCERTAIN §7.4 (#30): route and `{method, url, headers, size}` shape.
	router.get('/v1/packages/:packageId/files/:fileId/download', (ctx) => {
		const { core } = ctx;
		const { pkg, claims } = requirePackage(ctx, ctx.params.packageId, 'd');
		requireContent(pkg);
		let key: string;
		let name: string;
		let size: number;
		if (pkg.zipId && ctx.params.fileId === pkg.zipId) {
			key = core.zipKey(pkg);
			name = zipName(pkg);
			size = zipSize(core.zipEntries(pkg));
		} else {
			const file = core.state.files.get(ctx.params.fileId);
			if (!file || file.packageId !== pkg.id || file.state !== 'finalized' || !file.blob) throw notFound('file');
			key = file.key;
			name = file.name;
			size = file.blob.size;
		}
		if (pkg.state !== 'finalized') throw conflict('package is not finalized; files are not downloadable yet');
		const session = sessionFor(core, pkg, claims);
		const url = core.storage.downloadUrl(core.config.bucket, key, core.config.downloadUrlTtlMs, name, {
			sessionId: session.id,
			fileId: ctx.params.fileId,
		});
		return { status: 200, body: { method: 'GET', url, headers: {}, size } };
	});
}
