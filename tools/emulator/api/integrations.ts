// §14 cloud connections and transfers. Each connection is a folder on disk,
// `<dataDir>/integrations/<connectionId>/`: masv_to_cloud deliveries are written there as
// `<target_directory_id>/<package name>/<path>/<file>`, and cloud_to_masv imports read from it.
import { createWriteStream, promises as fsp } from 'node:fs';
import { basename, dirname, join, posix } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { requirePackage, requireTeam, requireTeamOf } from '../auth';
import { importFile } from '../blobs';
import type { Core } from '../core';
import { asBody, optBool, optString, optStringArray, type Json } from '../http';
import type { Ctx, Router } from '../router';
import { createConnection } from '../seed';
import { connectionJson, packageJson, transferJson } from '../serialize';
import type { Connection, PFile, Pkg, Transfer } from '../state';
import { ApiError, badRequest, conflict, isRecord, iso, notFound, ulid, validationError } from '../util';

const GATEWAY_PROVIDERS = ['storage_gateway', 'jellyfish_sg', 'synology_sg', 'qnap_sg', 'amazon_efs_sg', 'opendrives_sg', 'desktop_sg'];
const IMPORT_PROVIDERS = ['amazon_s3', 'wasabi_s3'];

function requireConnection(ctx: Ctx): Connection {
	const c = ctx.core.state.connections.get(ctx.params.connectionId);
	requireTeamOf(ctx, c?.teamId, 'cloud connection');
	return c as Connection;
}

/** A relative path inside a connection folder; refuses `..`. */
function safeRel(raw: string, field: string): string {
	const parts = raw.replace(/\\/g, '/').split('/').filter((p) => p !== '' && p !== '.');
	if (parts.includes('..')) throw validationError(field, `${field} must not contain ..`);
	return parts.join('/');
}

function safeName(name: string): string {
	return name.replace(/[\\/:*?"<>|]/g, '_').trim() || 'package';
}

interface Entry {
	rel: string;
	name: string;
	dir: boolean;
	size: number;
	mtime: number;
}

async function listDir(root: string, rel: string): Promise<Entry[]> {
	let dirents;
	try {
		dirents = await fsp.readdir(join(root, rel), { withFileTypes: true });
	} catch {
		return [];
	}
	const out: Entry[] = [];
	for (const d of dirents) {
		if (d.name.startsWith('.')) continue;
		const childRel = rel ? `${rel}/${d.name}` : d.name;
		const stat = await fsp.stat(join(root, childRel));
		out.push({ rel: childRel, name: d.name, dir: stat.isDirectory(), size: stat.isDirectory() ? 0 : stat.size, mtime: stat.mtimeMs });
	}
	return out;
}

async function walk(root: string, rel: string): Promise<Entry[]> {
	const out: Entry[] = [];
	for (const e of await listDir(root, rel)) {
		if (e.dir) out.push(...(await walk(root, e.rel)));
		else out.push(e);
	}
	return out;
}

function countParam(ctx: Ctx, def: number): number {
	const raw = ctx.query.get('count');
	if (raw === null || raw === '') return def;
	const n = Number(raw);
	if (!Number.isInteger(n) || n < 1 || n > 1000) throw badRequest('count must be an integer between 1 and 1000');
	return n;
}

// ---------------------------------------------------------------- transfers

function newTransfer(core: Core, pkg: Pkg, c: Connection, direction: Transfer['direction'], files: Json[], notifyEmail: string): Transfer {
	const now = core.now();
	const t: Transfer = {
		id: ulid(now),
		packageId: pkg.id,
		connectionId: c.id,
		direction,
		provider: c.provider,
		state: 'started',
		files,
		filesTotal: 0,
		bytesTotal: 0,
		destination: '',
		extras: {},
		notifyEmail,
		createdAt: now,
		updatedAt: now,
	};
	core.state.transfers.set(t.id, t);
	return t;
}

/** Writes every finalized file of `pkg` into the connection folder. */
async function deliver(core: Core, pkg: Pkg, c: Connection, t: Transfer): Promise<void> {
	const activity = core.addActivity('package_transfer_masv_to_cloud', pkg, 'started', { transferId: t.id, extras: { cloud_connection_id: c.id } });
	const rel = [safeRel(c.targetDirectoryId, 'target_directory_id'), safeName(pkg.name)].filter(Boolean).join('/');
	const root = join(core.integrationDir(c.id), rel);
	t.destination = rel;
	try {
		const files = core.finalizedFiles(pkg);
		for (const f of files) {
			const target = join(root, f.path, f.name);
			await fsp.mkdir(dirname(target), { recursive: true });
			await pipeline((f.blob as NonNullable<PFile['blob']>).read(), createWriteStream(target));
			t.filesTotal++;
			t.bytesTotal += f.blob?.size ?? 0;
		}
		if (c.uploadTransferManifest) {
			const manifest = {
				id: t.id,
				created_at: iso(t.createdAt),
				updated_at: iso(core.now()),
				package: {
					...packageJson(core, pkg),
					files: files.map((f) => ({ id: f.id, kind: 'file', name: f.name, path: `/${rel}/${f.path ? `${f.path}/` : ''}`, size: f.blob?.size ?? 0 })),
				},
			};
			await fsp.writeFile(join(root, `${safeName(pkg.name)}.transfer-manifest.json`), JSON.stringify(manifest, null, 2));
		}
		t.state = 'complete';
		core.setActivity(activity, 'complete');
	} catch (err) {
		t.state = 'error';
		t.extras = { error: (err as Error).message };
		core.setActivity(activity, 'error', { error: (err as Error).message });
	}
	t.updatedAt = core.now();
}

/** Imports files/folders of the connection into the (new) package, then finalizes it. */
async function importInto(core: Core, pkg: Pkg, c: Connection, t: Transfer, sources: { rel: string; dir: boolean }[]): Promise<void> {
	const root = core.integrationDir(c.id);
	const activity = core.state.activities.get(pkg.uploadActivityId);
	if (activity && activity.state === 'pending') core.setActivity(activity, 'started');
	for (const source of sources) {
		const entries = source.dir
			? (await walk(root, source.rel)).map((e) => ({ e, path: posix.join(basename(source.rel), posix.dirname(e.rel.slice(source.rel.length + 1))).replace(/\/\.$/, '') }))
			: [{ e: { rel: source.rel, name: basename(source.rel), dir: false, size: 0, mtime: (await fsp.stat(join(root, source.rel))).mtimeMs }, path: '' }];
		for (const { e, path } of entries) {
			const now = core.now();
			const id = ulid(now);
			const blob = await importFile(join(root, e.rel), join(core.blobDir(), id));
			const file: PFile = {
				id,
				packageId: pkg.id,
				kind: 'file',
				name: e.name,
				path: path === '.' ? '' : path,
				declaredSize: blob.size,
				chunkSize: 0,
				lastModified: iso(e.mtime),
				state: 'finalized',
				key: `uploads/${pkg.id}/${id}`,
				uploadIds: new Set(),
				finalUploadId: '',
				blob,
				createdAt: now,
			};
			core.state.files.set(id, file);
			pkg.fileIds.push(id);
			core.storage.putObject(core.config.bucket, file.key, blob, `"${blob.sha256?.slice(0, 32)}"`);
			t.filesTotal++;
			t.bytesTotal += blob.size;
		}
	}
	// UNCERTAIN §14.7 (#44): a cloud→MASV transfer finalizes the package when the files are in.
	core.finalizePackage(pkg);
	t.state = 'complete';
	t.updatedAt = core.now();
}

/** Auto-delivery to the cloud connections attached to a portal, after its package is finalized (§14.1). */
export function deliverPortalConnections(core: Core, pkg: Pkg): void {
	if (!pkg.portalId) return;
	const portal = core.state.portals.get(pkg.portalId);
	const attached = portal && Array.isArray(portal.data.cloud_connections) ? (portal.data.cloud_connections as Json[]) : [];
	for (const ref of attached) {
		const c = core.state.connections.get(String(ref.id));
		if (!c || c.direction !== 'masv_to_cloud') continue;
		const t = newTransfer(core, pkg, c, 'masv_to_cloud', [], '');
		core.track(deliver(core, pkg, c, t));
	}
}

export function registerIntegrations(router: Router): void {
	router.post('/v1/teams/:teamId/cloud_connections', (ctx) => {
		const { team } = requireTeam(ctx, ctx.params.teamId);
		const body = asBody(ctx.body);
		const provider = optString(body, 'provider');
		if (!provider) throw validationError('provider', 'provider is required', 'required');
		if (!isRecord(body.authorization)) throw validationError('authorization', 'authorization is required', 'required');
		const direction = optString(body, 'direction') ?? 'masv_to_cloud';
		if (direction !== 'masv_to_cloud' && direction !== 'cloud_to_masv') throw validationError('direction', "direction must be 'masv_to_cloud' or 'cloud_to_masv'");
		if (direction === 'cloud_to_masv' && !IMPORT_PROVIDERS.includes(provider)) {
			throw validationError('direction', `provider ${provider} does not support cloud_to_masv`);
		}
		const c = createConnection(ctx.core, {
			teamId: team.id,
			name: optString(body, 'name') ?? provider,
			provider,
			direction,
			targetDirectoryId: safeRel(optString(body, 'target_directory_id') ?? '', 'target_directory_id'),
			sourceDirectoryIds: optStringArray(body, 'source_directory_ids') ?? [],
		});
		c.uploadTransferManifest = optBool(body, 'upload_transfer_manifest') ?? false;
		ctx.core.track(fsp.mkdir(ctx.core.integrationDir(c.id), { recursive: true }));
		return { status: 201, body: connectionJson(c) };
	});

	router.get('/v1/teams/:teamId/cloud_connections', (ctx) => {
		const { team } = requireTeam(ctx, ctx.params.teamId);
		const list = [...ctx.core.state.connections.values()].filter((c) => c.teamId === team.id).sort((a, b) => a.createdAt - b.createdAt);
		return { status: 200, body: list.map(connectionJson) };
	});

	router.get('/v1/cloud_connections/:connectionId', (ctx) => ({ status: 200, body: connectionJson(requireConnection(ctx)) }));

	// Inferred (UNCERTAIN, §0): delete; the folder on disk is left for inspection.
	router.delete('/v1/cloud_connections/:connectionId', (ctx) => {
		const c = requireConnection(ctx);
		ctx.core.state.connections.delete(c.id);
		return { status: 204 };
	});

	// §14.5: S3-style browse with prefix / prev_key / count.
	router.get('/v1/cloud_connections/:connectionId/files', async (ctx) => {
		const c = requireConnection(ctx);
		const prefix = ctx.query.get('prefix') ?? '';
		const slash = prefix.lastIndexOf('/');
		const dir = safeRel(slash >= 0 ? prefix.slice(0, slash) : '', 'prefix');
		const namePrefix = slash >= 0 ? prefix.slice(slash + 1) : prefix;
		const prevKey = ctx.query.get('prev_key') ?? '';
		const count = countParam(ctx, 100);
		const items = (await listDir(ctx.core.integrationDir(c.id), dir))
			.filter((e) => e.name.startsWith(namePrefix))
			.map((e) => ({ id: e.dir ? `${e.rel}/` : e.rel, name: e.name, kind: e.dir ? 'directory' : 'file', size: e.size, last_modified: iso(e.mtime) }))
			.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
			.filter((item) => !prevKey || item.id > prevKey)
			.slice(0, count);
		return { status: 200, body: items };
	});

	// §14.6: storage-gateway browse with path / offset / count → {files, more_data}; ids are full paths.
	router.get('/v1/cloud_connections/providers/storage_gateway/:connectionId/files', async (ctx) => {
		const c = requireConnection(ctx);
		if (!GATEWAY_PROVIDERS.includes(c.provider)) throw badRequest('not a storage gateway connection');
		const dir = safeRel(ctx.query.get('path') ?? '', 'path');
		const offsetRaw = ctx.query.get('offset');
		const offset = offsetRaw === null || offsetRaw === '' ? 0 : Number(offsetRaw);
		if (!Number.isInteger(offset) || offset < 0) throw badRequest('offset must be an integer >= 0');
		const count = countParam(ctx, 100);
		const all = (await listDir(ctx.core.integrationDir(c.id), dir))
			.sort((a, b) => (a.rel < b.rel ? -1 : a.rel > b.rel ? 1 : 0))
			.map((e) => ({ id: `/${e.rel}`, name: e.name, kind: e.dir ? 'directory' : 'file', size: e.size, last_modified: iso(e.mtime) }));
		return { status: 200, body: { files: all.slice(offset, offset + count), more_data: offset + count < all.length } };
	});

	// §14.7; UNCERTAIN #44: 201 with the transfer object, processed before the answer.
	router.post('/v1/packages/:packageId/transfer', async (ctx) => {
		const { core } = ctx;
		const { pkg } = requirePackage(ctx, ctx.params.packageId, 'f');
		const body = asBody(ctx.body);
		const connectionId = optString(body, 'cloud_connection_id');
		if (!connectionId) throw validationError('cloud_connection_id', 'cloud_connection_id is required', 'required');
		const c = core.state.connections.get(connectionId);
		if (!c || c.teamId !== pkg.teamId) throw notFound('cloud connection');
		const direction = optString(body, 'direction') ?? 'masv_to_cloud';
		if (direction !== 'masv_to_cloud' && direction !== 'cloud_to_masv') throw validationError('direction', "direction must be 'masv_to_cloud' or 'cloud_to_masv'");
		// A Storage Gateway serves imports whatever its direction (its file IDs are full paths, §14.6);
		// a cloud connection only in the direction it was set up for.
		const gatewayImport = direction === 'cloud_to_masv' && GATEWAY_PROVIDERS.includes(c.provider);
		if (direction !== c.direction && !gatewayImport) throw badRequest(`cloud connection ${c.id} is configured for ${c.direction}`);
		const notifyEmail = optString(body, 'notify_email') ?? '';
		if (direction === 'masv_to_cloud') {
			if (pkg.state === 'expired' || pkg.state === 'archived') throw new ApiError(410, `package is ${pkg.state}`);
			if (pkg.state !== 'finalized') throw conflict('package must be finalized before it can be transferred');
			const t = newTransfer(core, pkg, c, 'masv_to_cloud', [], notifyEmail);
			await deliver(core, pkg, c, t);
			return { status: 201, body: transferJson(t) };
		}
		if (pkg.state !== 'new') throw conflict(`package is ${pkg.state}; cloud_to_masv needs a new, empty package`);
		if (!Array.isArray(body.files) || body.files.length === 0) throw validationError('files', 'files is required', 'required');
		const sources: { rel: string; dir: boolean }[] = [];
		for (const [i, item] of body.files.entries()) {
			if (!isRecord(item) || typeof item.id !== 'string' || item.id === '') throw validationError('files', `files[${i}].id is required`, 'required');
			const rel = safeRel(item.id, 'files');
			let stat;
			try {
				stat = await fsp.stat(join(core.integrationDir(c.id), rel));
			} catch {
				throw badRequest(`${item.id} was not found in cloud connection ${c.id}`);
			}
			if (item.kind === 'directory' && !stat.isDirectory()) throw badRequest(`${item.id} is not a directory`);
			sources.push({ rel, dir: stat.isDirectory() });
		}
		const t = newTransfer(core, pkg, c, 'cloud_to_masv', body.files as Json[], notifyEmail);
		try {
			await importInto(core, pkg, c, t, sources);
		} catch (err) {
			t.state = 'error';
			t.extras = { error: (err as Error).message };
			t.updatedAt = core.now();
			throw err;
		}
		return { status: 201, body: transferJson(t) };
	});

	router.get('/v1/packages/:packageId/transfer', (ctx) => {
		const { pkg } = requirePackage(ctx, ctx.params.packageId, 'f');
		const list = [...ctx.core.state.transfers.values()].filter((t) => t.packageId === pkg.id).sort((a, b) => a.createdAt - b.createdAt);
		return { status: 200, body: list.map(transferJson) };
	});
}
