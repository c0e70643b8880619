// §6 uploads: system spec, add file (create blueprint), chunk URLs, finalize file, finalize package.
import { createHash } from 'node:crypto';
import { requirePackage, requireTeam } from '../auth';
import type { Core } from '../core';
import { asBody, optInt, optString, reqString } from '../http';
import type { Ctx, Router } from '../router';
import { fileJson, packageJson } from '../serialize';
import type { PFile, Pkg } from '../state';
import { badRequest, conflict, isRecord, notFound, stripQuotes, ulid, validationError, ZERO_TIME } from '../util';
import { deliverPortalConnections } from './integrations';

const MAX_FILE_SIZE = 15 * 1000 ** 4; // 15 TB (§6.2)
const DEFAULT_CHUNK = 104857600;

function requireNew(pkg: Pkg): void {
	// UNCERTAIN §6.4: code for changes after finalize; 409 chosen.
	if (pkg.state !== 'new') throw conflict(`package is ${pkg.state}; files can no longer be changed`);
}

function requireFile(ctx: Ctx, pkg: Pkg): PFile {
	const file = ctx.core.state.files.get(ctx.params.fileId);
	if (!file || file.packageId !== pkg.id) throw notFound('file');
	return file;
}

/** Normalizes a relative package path (§6.10): no leading `./` or `/`, no `..`. */
function cleanPath(raw: string | undefined): string {
	if (!raw) return '';
	const parts = raw.replace(/\\/g, '/').split('/').filter((p) => p !== '' && p !== '.');
	if (parts.some((p) => p === '..')) throw validationError('path', 'path must not contain ..');
	return parts.join('/');
}

function portalRules(core: Core, pkg: Pkg, name: string, size: number | undefined): void {
	const portal = pkg.portalId ? core.state.portals.get(pkg.portalId) : undefined;
	if (!portal) return;
	const d = portal.data;
	if (d.file_type_restriction_enabled === true && Array.isArray(d.file_types)) {
		const ext = name.includes('.') ? name.slice(name.lastIndexOf('.')).toLowerCase() : '';
		const listed = (d.file_types as string[]).map((t) => t.toLowerCase()).includes(ext);
		if (d.file_type_restriction_exclude === true ? listed : !listed) throw badRequest(`file type ${ext || '(none)'} is not allowed on this portal`);
	}
	if (d.package_size_restriction_enabled === true) {
		if (typeof d.max_file_size === 'number' && d.max_file_size > 0 && (size ?? 0) > d.max_file_size) throw badRequest('file exceeds the portal max_file_size');
		if (typeof d.max_file_count === 'number' && d.max_file_count > 0 && pkg.fileIds.length >= d.max_file_count) throw badRequest('package exceeds the portal max_file_count');
		const total = core.packageSize(pkg) + (size ?? 0);
		if (typeof d.max_package_size === 'number' && d.max_package_size > 0 && total > d.max_package_size) throw badRequest('package exceeds the portal max_package_size');
	}
}

interface ChunkExtra {
	partNumber: number;
	etag: string;
}

function parseChunkExtras(value: unknown): ChunkExtra[] {
	if (!Array.isArray(value)) throw validationError('chunk_extras', 'chunk_extras is required (array)', 'required');
	return value.map((item, i) => {
		if (!isRecord(item)) throw validationError('chunk_extras', `chunk_extras[${i}] must be an object`);
		// UNCERTAIN §6.8 (#22): `partNumber` (current) or `part_number`, string or integer.
		const raw = item.partNumber ?? item.part_number;
		const n = typeof raw === 'number' ? raw : typeof raw === 'string' && /^\s*\d+\s*$/.test(raw) ? Number(raw) : NaN;
		if (!Number.isInteger(n) || n < 1) throw validationError('chunk_extras', `chunk_extras[${i}].partNumber must be a positive integer`);
		if (typeof item.etag !== 'string' || item.etag === '') throw validationError('chunk_extras', `chunk_extras[${i}].etag is required`, 'required');
		// UNCERTAIN #23: compared with quotes stripped.
		return { partNumber: n, etag: stripQuotes(item.etag) };
	});
}

async function finalizeFile(ctx: Ctx): Promise<{ status: number; body: unknown }> {
	const { core } = ctx;
	const { pkg } = requirePackage(ctx, ctx.params.packageId, 'f');
	const file = requireFile(ctx, pkg);
	const body = asBody(ctx.body);
	const size = optInt(body, 'size', 0);
	if (size === undefined) throw validationError('size', 'size is required', 'required');
	const fileExtras = body.file_extras;
	if (!isRecord(fileExtras) || typeof fileExtras.upload_id !== 'string' || fileExtras.upload_id === '') {
		throw validationError('file_extras', 'file_extras.upload_id is required', 'required');
	}
	const uploadId = fileExtras.upload_id;
	const extras = parseChunkExtras(body.chunk_extras);
	// UNCERTAIN #24/§19: finalize-file is idempotent for the same upload.
	if (file.state === 'finalized') {
		if (file.finalUploadId === uploadId && file.blob?.size === size) return { status: 200, body: fileJson(file) };
		throw conflict('file is already finalized');
	}
	requireNew(pkg);
	const upload = core.storage.uploads.get(uploadId);
	if (!upload || upload.key !== file.key || upload.bucket !== core.config.bucket) throw badRequest(`unknown upload_id ${uploadId} for this file`);
	if (extras.length === 0) throw badRequest('chunk_extras must list at least 1 part');
	const byNumber = new Map<number, ChunkExtra>();
	for (const e of extras) {
		if (byNumber.has(e.partNumber)) throw badRequest(`part ${e.partNumber} is listed twice in chunk_extras`);
		byNumber.set(e.partNumber, e);
	}
	const count = Math.max(...byNumber.keys());
	let total = 0;
	for (let n = 1; n <= count; n++) {
		const given = byNumber.get(n);
		if (!given) throw badRequest(`part ${n} is missing from chunk_extras (parts 1..${count} expected)`);
		const part = upload.parts.get(n);
		if (!part) throw badRequest(`part ${n} was not uploaded`);
		if (part.etag !== given.etag) throw badRequest(`etag mismatch for part ${n}`);
		if (core.config.strictMinChunkSize && n < count && part.size < core.config.minChunkSize) {
			throw badRequest(`part ${n} is smaller than the minimum chunk size ${core.config.minChunkSize}`);
		}
		total += part.size;
	}
	if (total !== size) throw badRequest(`size ${size} does not match the ${total} bytes uploaded in parts 1..${count}`);
	const md5 = createHash('md5');
	for (let n = 1; n <= count; n++) md5.update(Buffer.from((byNumber.get(n) as ChunkExtra).etag, 'hex'));
	file.state = 'finalized';
	file.finalUploadId = uploadId;
	const numbers = Array.from({ length: count }, (_, i) => i + 1);
	const blob = await core.storage.complete(upload, numbers);
	file.blob = blob;
	core.storage.putObject(core.config.bucket, file.key, blob, `"${md5.digest('hex')}-${count}"`);
	for (const other of file.uploadIds) {
		const stale = core.storage.uploads.get(other);
		if (stale) core.track(core.storage.abort(stale));
	}
	// UNCERTAIN #24: 200 with the file object.
	return { status: 200, body: fileJson(file) };
}

function finalizePackage(core: Core, pkg: Pkg): { status: number; body: unknown } {
	core.finalizePackage(pkg);
	deliverPortalConnections(core, pkg);
	// UNCERTAIN §6.9 (#25): 200 with the package object.
	return { status: 200, body: packageJson(core, pkg) };
}

export function registerUploads(router: Router): void {
	// UNCERTAIN §6.2 (#18): no auth; the documented parameter names.
	router.get('/v1/system/packages/spec', (ctx) => ({
		status: 200,
		body: {
			max_chunk_count: ctx.core.config.maxChunkCount,
			max_chunk_size: ctx.core.config.maxChunkSize,
			min_chunk_size: ctx.core.config.minChunkSize,
		},
	}));

	router.post('/v1/packages/:packageId/files', (ctx) => {
		const { core } = ctx;
		const { pkg } = requirePackage(ctx, ctx.params.packageId, 'f');
		requireNew(pkg);
		const body = asBody(ctx.body);
		const kind = reqString(body, 'kind');
		// UNCERTAIN §6.10 (#26): only `file` entries are accepted.
		if (kind !== 'file') throw validationError('kind', "kind must be 'file'");
		const name = reqString(body, 'name');
		if (/[/\\]/.test(name) || name === '.' || name === '..') throw validationError('name', 'name must be a file name without slashes');
		const path = cleanPath(optString(body, 'path'));
		const size = optInt(body, 'size', 0);
		if (size !== undefined && size > MAX_FILE_SIZE) throw badRequest('file exceeds the maximum file size of 15 TB');
		const chunkSize = optInt(body, 'chunk_size', 1) ?? DEFAULT_CHUNK;
		const lastModified = optString(body, 'last_modified');
		if (lastModified && Number.isNaN(Date.parse(lastModified))) throw validationError('last_modified', 'last_modified must be an ISO 8601 date-time');
		portalRules(core, pkg, name, size);
		const now = core.now();
		const id = ulid(now);
		const file: PFile = {
			id,
			packageId: pkg.id,
			kind: 'file',
			name,
			path,
			declaredSize: size ?? null,
			chunkSize,
			lastModified: lastModified ? new Date(Date.parse(lastModified)).toISOString() : ZERO_TIME,
			state: 'new',
			key: `uploads/${pkg.id}/${id}`,
			uploadIds: new Set(),
			finalUploadId: '',
			blob: null,
			createdAt: now,
		};
		core.state.files.set(id, file);
		pkg.fileIds.push(id);
		pkg.updatedAt = now;
		const activity = core.state.activities.get(pkg.uploadActivityId);
		if (activity && activity.state === 'pending') core.setActivity(activity, 'started');
		// UNCERTAIN §6.4 (#19): 201; limits spelled `max_chunks_count` as one client reads them.
		return {
			status: 201,
			body: {
				file: { id, kind: 'file', name, path, size: size ?? 0, last_modified: file.lastModified },
				create_blueprint: {
					method: 'POST',
					url: core.storage.createUploadUrl(core.config.bucket, file.key, core.config.createUrlTtlMs),
					headers: {},
					body: '',
				},
				max_chunks_count: core.config.maxChunkCount,
				max_chunk_size: core.config.maxChunkSize,
				min_chunk_size: core.config.minChunkSize,
			},
		};
	});

	// §6.6 chunk URLs.
	router.post('/v1/packages/:packageId/files/:fileId', (ctx) => {
		const { core } = ctx;
		const { pkg } = requirePackage(ctx, ctx.params.packageId, 'f');
		const file = requireFile(ctx, pkg);
		requireNew(pkg);
		if (file.state === 'finalized') throw conflict('file is already finalized');
		const start = Number(ctx.query.get('start'));
		const count = Number(ctx.query.get('count'));
		if (ctx.query.get('start') === null || !Number.isInteger(start) || start < 0) throw badRequest('start must be an integer >= 0');
		if (ctx.query.get('count') === null || !Number.isInteger(count) || count < 1) throw badRequest('count must be an integer >= 1');
		// UNCERTAIN #21: out-of-range start/count → 400.
		if (start + count > core.config.maxChunkCount) throw badRequest(`start + count exceeds max_chunk_count ${core.config.maxChunkCount}`);
		const body = asBody(ctx.body);
		const uploadId = reqString(body, 'upload_id');
		const upload = core.storage.uploads.get(uploadId);
		if (!upload || upload.key !== file.key || upload.bucket !== core.config.bucket) throw badRequest(`unknown upload_id ${uploadId} for this file`);
		file.uploadIds.add(uploadId);
		const urls = [];
		for (let i = 0; i < count; i++) {
			urls.push({
				method: 'PUT',
				url: core.storage.partUrl(core.config.bucket, file.key, uploadId, start + i + 1, core.config.partUrlTtlMs),
				headers: {},
			});
		}
		return { status: 200, body: urls };
	});

	router.post('/v1/packages/:packageId/files/:fileId/finalize', finalizeFile);

	// UNCERTAIN §6.10 (#26): file removal before finalize.
	router.delete('/v1/packages/:packageId/files/:fileId', (ctx) => {
		const { pkg } = requirePackage(ctx, ctx.params.packageId, 'f');
		const file = requireFile(ctx, pkg);
		requireNew(pkg);
		ctx.core.removeFile(pkg, file);
		return { status: 204 };
	});

	router.post('/v1/packages/:packageId/finalize', (ctx) => {
		const { pkg } = requirePackage(ctx, ctx.params.packageId, 'f');
		return finalizePackage(ctx.core, pkg);
	});

	// UNCERTAIN §6.9 (#25): the team-scoped variant of one guide, with the API key.
	router.post('/v1/teams/:teamId/packages/:packageId/finalize', (ctx) => {
		const { team } = requireTeam(ctx, ctx.params.teamId);
		const pkg = ctx.core.state.packages.get(ctx.params.packageId);
		if (!pkg || pkg.teamId !== team.id) throw notFound('package');
		return finalizePackage(ctx.core, pkg);
	});

}
