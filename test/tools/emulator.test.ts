// Unit tests of the MASV emulator itself, through plain fetch.
import { createHash, randomBytes } from 'node:crypto';
import { useEmulator } from '../harness/emulator';

const emu = useEmulator();

interface CallOptions {
	key?: string | null;
	token?: string;
	body?: unknown;
	headers?: Record<string, string>;
	contentType?: string | null;
}

/** Whatever JSON.parse gives back. */
type ParsedJson = ReturnType<typeof JSON.parse>;

async function call(method: string, path: string, opts: CallOptions = {}): Promise<{ status: number; body: ParsedJson; headers: Headers }> {
	const headers: Record<string, string> = { ...opts.headers };
	if (opts.key !== null) headers['X-API-KEY'] = opts.key ?? emu.apiKey;
	if (opts.token) headers['X-Package-Token'] = opts.token;
	if ((method === 'POST' || method === 'PUT') && opts.contentType !== null) headers['Content-Type'] = opts.contentType ?? 'application/json';
	const res = await fetch(`${emu.url}${path}`, {
		method,
		headers,
		body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
	});
	const text = await res.text();
	return { status: res.status, body: text ? JSON.parse(text) : undefined, headers: res.headers };
}

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const md5 = (b: Buffer) => createHash('md5').update(b).digest('hex');

function claims(token: string): Record<string, unknown> {
	return JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8'));
}

async function createPackage(name: string, teamId = emu.teamId, key?: string): Promise<{ id: string; token: string }> {
	const res = await call('POST', `/v1/teams/${teamId}/packages`, { key, body: { name, description: 'test', recipients: [] } });
	expect(res.status).toBe(201);
	return { id: res.body.id, token: res.body.access_token };
}

interface UploadedFile {
	fileId: string;
	uploadId: string;
	etags: string[];
	sizes: number[];
}

/** Add file → create blueprint → chunk URLs → part PUTs; returns what finalize needs. */
async function uploadParts(pkg: { id: string; token: string }, name: string, parts: Buffer[], path = ''): Promise<UploadedFile> {
	const total = parts.reduce((n, p) => n + p.length, 0);
	const add = await call('POST', `/v1/packages/${pkg.id}/files`, { key: null, token: pkg.token, body: { kind: 'file', name, path, size: total, chunk_size: parts[0].length } });
	expect(add.status).toBe(201);
	const bp = add.body.create_blueprint;
	expect(bp.method).toBe('POST');
	expect(bp.url.startsWith(emu.storageUrl)).toBe(true);
	const init = await fetch(bp.url, { method: 'POST', headers: bp.headers });
	expect(init.status).toBe(200);
	const xml = await init.text();
	expect(xml).toMatch(/<InitiateMultipartUploadResult xmlns="http:\/\/s3\.amazonaws\.com\/doc\/2006-03-01\/"><Bucket>.+<\/Bucket><Key>.+<\/Key><UploadId>.+<\/UploadId><\/InitiateMultipartUploadResult>/);
	const uploadId = /<UploadId>(.*?)<\/UploadId>/.exec(xml)![1];
	const urls = await call('POST', `/v1/packages/${pkg.id}/files/${add.body.file.id}?start=0&count=${parts.length}`, { key: null, token: pkg.token, body: { upload_id: uploadId } });
	expect(urls.status).toBe(200);
	expect(urls.body).toHaveLength(parts.length);
	const etags: string[] = [];
	for (let i = 0; i < parts.length; i++) {
		const chunk = urls.body[i];
		expect(chunk.method).toBe('PUT');
		const query = chunk.url.split('?')[1];
		expect(query).toMatch(new RegExp(`&partNumber=${i + 1}&`));
		expect(query).toMatch(/&uploadId=[^&]+&/);
		const put = await fetch(chunk.url, { method: 'PUT', headers: chunk.headers, body: parts[i] });
		expect(put.status).toBe(200);
		const etag = put.headers.get('etag')!;
		expect(etag).toBe(`"${md5(parts[i])}"`);
		etags.push(etag);
	}
	return { fileId: add.body.file.id, uploadId, etags, sizes: parts.map((p) => p.length) };
}

function finalizeBody(u: UploadedFile, extras?: unknown[], size?: number) {
	return {
		size: size ?? u.sizes.reduce((a, b) => a + b, 0),
		chunk_size: u.sizes[0],
		file_extras: { upload_id: u.uploadId },
		chunk_extras: extras ?? u.etags.map((etag, i) => ({ partNumber: String(i + 1), etag })),
	};
}

describe('teams and members', () => {
	it('lists the seed team and its members', async () => {
		const teams = await call('GET', '/v1/teams');
		expect(teams.status).toBe(200);
		expect(teams.body).toEqual([expect.objectContaining({ id: emu.teamId, name: 'Emulator Team' })]);
		const members = await call('GET', `/v1/teams/${emu.teamId}/members`);
		expect(members.body.length).toBeGreaterThanOrEqual(3);
		for (const m of members.body) expect(m).toEqual(expect.objectContaining({ id: expect.any(String), user_id: expect.any(String), email: expect.any(String), name: expect.any(String), policy_key: expect.any(String) }));
		expect(members.body.map((m: { policy_key: string }) => m.policy_key)).toEqual(expect.arrayContaining(['owner', 'admin', 'member']));
	});

	it('accepts the header in any case, and X-User-Token', async () => {
		const lower = await call('GET', '/v1/teams', { key: null, headers: { 'x-api-key': emu.apiKey } });
		expect(lower.status).toBe(200);
		const user = await call('GET', '/v1/teams', { key: null, headers: { 'X-User-Token': emu.seed.userToken } });
		expect(user.status).toBe(200);
	});
});

describe('upload flow', () => {
	let pkg: { id: string; token: string };
	let parts: Buffer[];
	let upload: UploadedFile;

	it('uploads a file in 3 parts and keeps every byte', async () => {
		pkg = await createPackage('upload test');
		const c = claims(pkg.token);
		expect(c).toEqual(expect.objectContaining({ sub: pkg.id, lvl: 'f', typ: 'package', exp: expect.any(Number) }));
		parts = [randomBytes(256 * 1024), randomBytes(256 * 1024), randomBytes(100_003)];
		upload = await uploadParts(pkg, 'clip.bin', parts, 'shots/day1');
		const fin = await call('POST', `/v1/packages/${pkg.id}/files/${upload.fileId}/finalize`, { key: null, token: pkg.token, body: finalizeBody(upload) });
		expect(fin.status).toBe(200);
		expect(fin.body).toEqual(expect.objectContaining({ id: upload.fileId, name: 'clip.bin', path: 'shots/day1', size: 624_291 }));
		// finalize file is idempotent for the same upload
		const again = await call('POST', `/v1/packages/${pkg.id}/files/${upload.fileId}/finalize`, { key: null, token: pkg.token, body: finalizeBody(upload) });
		expect(again.status).toBe(200);

		const done = await call('POST', `/v1/packages/${pkg.id}/finalize`, { key: null, token: pkg.token });
		expect(done.status).toBe(200);
		expect(done.body.state).toBe('finalized');
		const twice = await call('POST', `/v1/packages/${pkg.id}/finalize`, { key: null, token: pkg.token });
		expect(twice.status).toBe(409);

		const files = (await emu.files()).filter((f) => f.packageId === pkg.id);
		expect(files).toEqual([{ packageId: pkg.id, packageName: 'upload test', teamId: emu.teamId, fileId: upload.fileId, name: 'clip.bin', path: 'shots/day1', size: 624_291, sha256: sha256(Buffer.concat(parts)) }]);
	});

	it('never sends MASV credentials to storage', () => {
		const storage = emu.requests({ kind: 'storage' });
		expect(storage.length).toBeGreaterThan(0);
		for (const r of storage) {
			expect(r.headers['x-api-key']).toBeUndefined();
			expect(r.headers['x-package-token']).toBeUndefined();
		}
	});

	it('refuses changes after finalize', async () => {
		const add = await call('POST', `/v1/packages/${pkg.id}/files`, { key: null, token: pkg.token, body: { kind: 'file', name: 'late.bin', size: 1 } });
		expect(add.status).toBe(409);
		expect(add.body).toEqual({ code: 409, message: expect.any(String) });
	});

	it('lists the finalized package with its size', async () => {
		const got = await call('GET', `/v1.1/teams/${emu.teamId}/packages/${pkg.id}`);
		expect(got.status).toBe(200);
		expect(got.body).toEqual(expect.objectContaining({ id: pkg.id, state: 'finalized', size: 624_291, total_files: 1, access_token: expect.any(String) }));
	});

	describe('link download', () => {
		let link: { id: string; download_secret: string };
		let dToken: string;

		it('creates a link with a password', async () => {
			const res = await call('POST', `/v1/packages/${pkg.id}/links`, { key: null, token: pkg.token, body: { email: '', password: 'pw' } });
			expect(res.status).toBe(201);
			expect(res.body.download_secret).toMatch(/^[A-Za-z0-9]{16}$/);
			expect(res.body.password).toBe('****');
			link = res.body;
		});

		it('asks for the password, then hands out a download token', async () => {
			const none = await call('GET', `/v1/links/${link.id}?secret=${link.download_secret}`, { key: null });
			expect(none.status).toBe(401);
			const wrongSecret = await call('GET', `/v1/links/${link.id}?secret=nope`, { key: null, headers: { 'X-Link-Password': 'pw' } });
			expect(wrongSecret.status).toBe(404);
			const ok = await call('GET', `/v1/links/${link.id}?secret=${link.download_secret}`, { key: null, headers: { 'X-Link-Password': 'pw' } });
			expect(ok.status).toBe(200);
			expect(ok.body.package_id).toBe(pkg.id);
			expect(claims(ok.body.package_token)).toEqual(expect.objectContaining({ lvl: 'd', sub: pkg.id, lid: link.id }));
			dToken = ok.body.package_token;
		});

		it('refuses uploads and link creation with a download token', async () => {
			const res = await call('POST', `/v1/packages/${pkg.id}/links`, { key: null, token: dToken, body: {} });
			expect(res.status).toBe(403);
			const add = await call('POST', `/v1/packages/${pkg.id}/files`, { key: null, token: dToken, body: { kind: 'file', name: 'x', size: 1 } });
			expect(add.status).toBe(403);
		});

		it('lists files with the zip and serves bytes, with Range', async () => {
			const files = await call('GET', `/v1/packages/${pkg.id}/files`, { key: null, token: dToken });
			expect(files.status).toBe(200);
			expect(files.body.map((f: { kind: string }) => f.kind)).toEqual(['file', 'zip_windows']);
			const dl = await call('GET', `/v1/packages/${pkg.id}/files/${upload.fileId}/download`, { key: null, token: dToken });
			expect(dl.status).toBe(200);
			expect(dl.body).toEqual({ method: 'GET', url: expect.any(String), headers: {}, size: 624_291 });
			const whole = Buffer.from(await (await fetch(dl.body.url)).arrayBuffer());
			expect(sha256(whole)).toBe(sha256(Buffer.concat(parts)));
			const ranged = await fetch(dl.body.url, { headers: { Range: 'bytes=262140-262150' } });
			expect(ranged.status).toBe(206);
			expect(ranged.headers.get('content-range')).toBe('bytes 262140-262150/624291');
			expect(Buffer.from(await ranged.arrayBuffer())).toEqual(Buffer.concat(parts).subarray(262140, 262151));

			const zipEntry = files.body[1];
			const zipUrl = await call('GET', `/v1/packages/${pkg.id}/files/${zipEntry.id}/download`, { key: null, token: dToken });
			const zip = Buffer.from(await (await fetch(zipUrl.body.url)).arrayBuffer());
			expect(zip.length).toBe(zipEntry.size);
			expect(zip.subarray(0, 4)).toEqual(Buffer.from([0x50, 0x4b, 0x03, 0x04]));
			expect(zip.includes(Buffer.from('shots/day1/clip.bin'))).toBe(true);
		});

		it('records upload and download activities', async () => {
			const res = await call('GET', `/v1.1/teams/${emu.teamId}/activities?package_id=${pkg.id}&limit=100`);
			expect(res.status).toBe(200);
			const types = res.body.records.map((a: { type: string; state: string }) => `${a.type}:${a.state}`);
			expect(types).toEqual(expect.arrayContaining(['package_upload_to_masv:complete', 'package_download_from_masv:complete', 'link_generation:complete']));
			const upload = res.body.records.find((a: { type: string }) => a.type === 'package_upload_to_masv');
			const events = await call('GET', `/v1/teams/${emu.teamId}/activities/${upload.id}/events`);
			expect(events.body.map((e: { state: string }) => e.state)).toEqual(['pending', 'started', 'complete']);
		});
	});
});

describe('finalize errors', () => {
	let pkg: { id: string; token: string };
	let u: UploadedFile;

	beforeAll(async () => {
		pkg = await createPackage('finalize errors');
		u = await uploadParts(pkg, 'f.bin', [randomBytes(1000), randomBytes(1000), randomBytes(10)]);
	});

	const finalize = (body: unknown) => call('POST', `/v1/packages/${pkg.id}/files/${u.fileId}/finalize`, { key: null, token: pkg.token, body });

	it('refuses to finalize a package without files', async () => {
		const res = await call('POST', `/v1/packages/${pkg.id}/finalize`, { key: null, token: pkg.token });
		expect(res.status).toBe(400);
		expect(res.body).toEqual({ code: 400, message: 'package must have at least 1 file' });
	});

	it('reports a missing part', async () => {
		const res = await finalize(finalizeBody(u, [{ partNumber: '1', etag: u.etags[0] }, { partNumber: '3', etag: u.etags[2] }], 1010));
		expect(res.status).toBe(400);
		expect(res.body.message).toMatch(/part 2/);
	});

	it('reports a wrong etag', async () => {
		const res = await finalize(finalizeBody(u, u.etags.map((e, i) => ({ partNumber: String(i + 1), etag: i === 1 ? '"0123456789abcdef0123456789abcdef"' : e }))));
		expect(res.status).toBe(400);
		expect(res.body.message).toMatch(/etag mismatch for part 2/);
	});

	it('reports a wrong size', async () => {
		const res = await finalize(finalizeBody(u, undefined, 2011));
		expect(res.status).toBe(400);
		expect(res.body.message).toMatch(/2011/);
	});

	it('answers 422 with errors[] for a malformed body', async () => {
		const res = await finalize({ size: 2010, chunk_extras: [] });
		expect(res.status).toBe(422);
		expect(res.body.errors[0]).toEqual(expect.objectContaining({ msg: expect.any(String), type: 'validation_failed' }));
	});

	it('accepts part_number as integers and unquoted etags', async () => {
		const res = await finalize(finalizeBody(u, u.etags.map((e, i) => ({ part_number: i + 1, etag: e.replace(/"/g, '') }))));
		expect(res.status).toBe(200);
		const pkgDone = await call('POST', `/v1/packages/${pkg.id}/finalize`, { key: null, token: pkg.token });
		expect(pkgDone.status).toBe(200);
	});
});

describe('auth errors', () => {
	it('401 without or with an unknown key, as JSON', async () => {
		const none = await call('GET', `/v1/teams/${emu.teamId}/members`, { key: null });
		expect(none.status).toBe(401);
		expect(none.body).toEqual({ code: 401, message: expect.any(String) });
		const bad = await call('GET', `/v1/teams/${emu.teamId}/members`, { key: 'nope' });
		expect(bad.status).toBe(401);
	});

	it('404 across teams', async () => {
		const other = emu.admin.createTeam({ name: 'Other team' });
		const res = await call('GET', `/v1/teams/${emu.teamId}/members`, { key: other.apiKey });
		expect(res.status).toBe(404);
		const theirs = await createPackage('theirs', other.teamId, other.apiKey);
		const peek = await call('GET', `/v1.1/teams/${emu.teamId}/packages/${theirs.id}`);
		expect(peek.status).toBe(404);
		const tag = await call('DELETE', `/v1/tags/${emu.seed.tagId}`, { key: other.apiKey });
		expect(tag.status).toBe(404);
		// a package token of one package does not open another
		const mine = await createPackage('mine');
		const cross = await call('GET', `/v1/packages/${mine.id}/files`, { key: null, token: theirs.token });
		expect(cross.status).toBe(404);
	});

	it('403 for a guest changing team resources', async () => {
		const guest = emu.seed.members.find((m) => m.policyKey === 'guest')!;
		const key = emu.admin.createApiKey({ membershipId: guest.membershipId });
		expect((await call('GET', `/v1/teams/${emu.teamId}/tags`, { key: key.key })).status).toBe(200);
		const res = await call('POST', `/v1/teams/${emu.teamId}/tags`, { key: key.key, body: { name: 'guest-tag' } });
		expect(res.status).toBe(403);
		expect(res.body).toEqual({ code: 403, message: expect.any(String) });
	});

	it('415 without Content-Type: application/json, even with no body', async () => {
		const mine = await createPackage('content type');
		const res = await call('POST', `/v1/packages/${mine.id}/finalize`, { key: null, token: mine.token, contentType: null });
		expect(res.status).toBe(415);
		const text = await call('POST', `/v1/teams/${emu.teamId}/tags`, { body: { name: 'x' }, contentType: 'text/plain' });
		expect(text.status).toBe(415);
	});

	it('package routes need X-Package-Token, not the API key', async () => {
		const mine = await createPackage('needs token');
		const res = await call('GET', `/v1/packages/${mine.id}/files`);
		expect(res.status).toBe(401);
	});

	it('storage, subdomain lookup and portal package create need no credential', async () => {
		const portal = await call('GET', `/v1/subdomains/portals/${emu.seed.portalSubdomain}`, { key: null });
		expect(portal.status).toBe(200);
		expect(portal.body.id).toBe(emu.seed.portalId);
		const created = await call('POST', `/v1/portals/${emu.seed.portalId}/packages`, { key: null, body: { name: 'from portal', sender: 'someone@example.com' } });
		expect(created.status).toBe(201);
		expect(created.body.access_token).toEqual(expect.any(String));
	});
});

describe('v1.1 pagination', () => {
	it('counts every match and treats page 0 and 1 alike', async () => {
		const team = emu.admin.createTeam({ name: 'Paging' });
		for (let i = 0; i < 7; i++) await createPackage(`p${i}`, team.teamId, team.apiKey);
		const list = (q: string) => call('GET', `/v1.1/teams/${team.teamId}/packages?${q}`, { key: team.apiKey });
		const defaults = await list('');
		expect(defaults.body).toEqual({ metadata: { total: 0 }, records: [] }); // default status finalized,expired
		const p0 = await list('status=new&limit=3&page=0');
		const p1 = await list('status=new&limit=3&page=1');
		const p3 = await list('status=new&limit=3&page=3');
		expect(p0.body.metadata.total).toBe(7);
		expect(p0.body.records.map((r: { id: string }) => r.id)).toEqual(p1.body.records.map((r: { id: string }) => r.id));
		expect(p3.body.records).toHaveLength(1);
		const all = await list('status=new,finalized&limit=50&sort=name');
		expect(all.body.records.map((r: { name: string }) => r.name)).toEqual(['p0', 'p1', 'p2', 'p3', 'p4', 'p5', 'p6']);
		const named = await list('status=new&name=p4');
		expect(named.body.metadata.total).toBe(1);
		expect((await list('limit=51')).status).toBe(422);
		const spaces = await call('GET', `/v1.1/teams/${emu.teamId}/spaces?page=0&limit=1`);
		expect(spaces.body).toEqual({ metadata: { total: 1 }, teamspaces: [expect.objectContaining({ id: emu.seed.teamspaceId })] });
	});
});

describe('limit caps (docs/masv-api.md §18.2: the lowest documented cap of each list)', () => {
	it('refuses a limit above the cap of each v1.1 list, and takes the cap itself', async () => {
		const spaceId = emu.seed.teamspaceId;
		const lists: Array<[string, number]> = [
			[`/v1.1/teams/${emu.teamId}/packages`, 50],
			[`/v1.1/teams/${emu.teamId}/spaces`, 50],
			[`/v1.1/teams/${emu.teamId}/inbox`, 100],
			[`/v1.1/spaces/${spaceId}/packages`, 100],
			[`/v1.1/teams/${emu.teamId}/portals`, 100],
			[`/v1.1/teams/${emu.teamId}/activities`, 100],
		];
		for (const [path, cap] of lists) {
			expect([path, (await call('GET', `${path}?limit=${cap}`)).status]).toEqual([path, 200]);
			const over = await call('GET', `${path}?limit=${cap + 1}`);
			expect([path, over.status, over.body.errors?.[0]?.msg]).toEqual([path, 422, `limit must be between 1 and ${cap}`]);
		}
	});
});

describe('date filters', () => {
	it('Teamspace packages take days only; the team list and inbox also take a date-time', async () => {
		const spaceId = emu.seed.teamspaceId;
		expect((await call('GET', `/v1.1/spaces/${spaceId}/packages?created_at_start=2024-01-01`)).status).toBe(200);
		const timed = await call('GET', `/v1.1/spaces/${spaceId}/packages?created_at_start=2024-01-01T10:00:00`);
		expect(timed.status).toBe(422);
		expect(timed.body.errors[0]).toMatchObject({ field: 'created_at_start', msg: 'created_at_start must be a date in the form YYYY-MM-DD' });
		for (const path of [`/v1.1/teams/${emu.teamId}/packages`, `/v1.1/teams/${emu.teamId}/inbox`]) {
			expect((await call('GET', `${path}?created_at_start=2024-01-01T10:00:00&expiry_end=2030-01-01T00:00:00`)).status).toBe(200);
		}
	});
});

describe('faults', () => {
	it('fails a part PUT once with 500, then lets the retry through', async () => {
		const pkg = await createPackage('fault');
		const fault = emu.faults.add({ target: 'storage', type: 'status', status: 500, partNumber: 2 });
		const parts = [randomBytes(2000), randomBytes(2000)];
		const add = await call('POST', `/v1/packages/${pkg.id}/files`, { key: null, token: pkg.token, body: { kind: 'file', name: 'f.bin', size: 4000 } });
		const xml = await (await fetch(add.body.create_blueprint.url, { method: 'POST' })).text();
		const uploadId = /<UploadId>(.*?)<\/UploadId>/.exec(xml)![1];
		const urls = await call('POST', `/v1/packages/${pkg.id}/files/${add.body.file.id}?start=0&count=2`, { key: null, token: pkg.token, body: { upload_id: uploadId } });
		expect((await fetch(urls.body[0].url, { method: 'PUT', body: parts[0] })).status).toBe(200);
		const failed = await fetch(urls.body[1].url, { method: 'PUT', body: parts[1] });
		expect(failed.status).toBe(500);
		expect(await failed.text()).toMatch(/<Error><Code>InternalError<\/Code>/);
		expect(fault.fired).toBe(1);
		expect(fault.remaining).toBe(0);
		expect((await fetch(urls.body[1].url, { method: 'PUT', body: parts[1] })).status).toBe(200);
		expect(fault.fired).toBe(1);
	});

	it('answers 429 with Retry-After on a matching API call, once', async () => {
		emu.faults.add({ target: 'api', type: 'rateLimit', method: 'GET', path: '^/v1/teams$', retryAfter: 2 });
		const limited = await call('GET', '/v1/teams');
		expect(limited.status).toBe(429);
		expect(limited.headers.get('retry-after')).toBe('2');
		expect((await call('GET', '/v1/teams')).status).toBe(200);
	});

	it('resets the connection and hangs on demand', async () => {
		emu.faults.add({ target: 'api', type: 'reset', path: '^/v1/teams$' });
		await expect(fetch(`${emu.url}/v1/teams`, { headers: { 'X-API-KEY': emu.apiKey } })).rejects.toThrow();
		emu.faults.add({ target: 'api', type: 'hang', path: '^/v1/teams$' });
		await expect(fetch(`${emu.url}/v1/teams`, { headers: { 'X-API-KEY': emu.apiKey }, signal: AbortSignal.timeout(300) })).rejects.toThrow();
	});

	it('expires part URLs: 403 until fresh URLs are fetched', async () => {
		const pkg = await createPackage('expiry');
		const add = await call('POST', `/v1/packages/${pkg.id}/files`, { key: null, token: pkg.token, body: { kind: 'file', name: 'e.bin', size: 10 } });
		const xml = await (await fetch(add.body.create_blueprint.url, { method: 'POST' })).text();
		const uploadId = /<UploadId>(.*?)<\/UploadId>/.exec(xml)![1];
		const urlsFor = async () => (await call('POST', `/v1/packages/${pkg.id}/files/${add.body.file.id}?start=0&count=1`, { key: null, token: pkg.token, body: { upload_id: uploadId } })).body;
		const stale = await urlsFor();
		emu.admin.advanceClock(16 * 60 * 1000);
		try {
			const res = await fetch(stale[0].url, { method: 'PUT', body: Buffer.alloc(10) });
			expect(res.status).toBe(403);
			expect(await res.text()).toMatch(/Request has expired/);
			const fresh = await urlsFor();
			expect((await fetch(fresh[0].url, { method: 'PUT', body: Buffer.alloc(10) })).status).toBe(200);
		} finally {
			emu.admin.advanceClock(-16 * 60 * 1000);
		}
	});

	it('resets storage connections mid-upload and mid-download', async () => {
		const base = `${emu.storageUrl}/faulty/obj.bin`;
		const body = randomBytes(300_000);
		const put = emu.faults.add({ target: 'storage', type: 'reset', method: 'PUT', afterBytes: 1000 });
		await expect(fetch(base, { method: 'PUT', body })).rejects.toThrow();
		expect(put.fired).toBe(1);
		expect((await fetch(base, { method: 'PUT', body })).status).toBe(200);
		const get = emu.faults.add({ target: 'storage', type: 'reset', method: 'GET' });
		const res = await fetch(base);
		expect(res.status).toBe(200);
		await expect(res.arrayBuffer()).rejects.toThrow();
		expect(get.fired).toBe(1);
		expect(sha256(Buffer.from(await (await fetch(base)).arrayBuffer()))).toBe(sha256(body));
	});

	it('is driven over HTTP too', async () => {
		const added = await fetch(`${emu.url}/_emulator/faults`, { method: 'POST', body: JSON.stringify({ target: 'api', type: 'status', status: 502, path: '^/v1/teams$' }) });
		expect(added.status).toBe(201);
		const fault: ParsedJson = await added.json();
		expect((await call('GET', '/v1/teams')).status).toBe(502);
		const after = await (await fetch(`${emu.url}/_emulator/faults/${fault.id}`)).json();
		expect(after).toEqual(expect.objectContaining({ fired: 1, remaining: 0 }));
	});
});

describe('S3 multipart API', () => {
	it('round-trips CreateMultipartUpload, UploadPart, CompleteMultipartUpload', async () => {
		const base = `${emu.storageUrl}/bench-bucket/some/key.bin`;
		const init = await fetch(`${base}?uploads`, { method: 'POST', headers: { Authorization: 'AWS4-HMAC-SHA256 Credential=x' } });
		expect(init.status).toBe(200);
		const uploadId = /<UploadId>(.*?)<\/UploadId>/.exec(await init.text())![1];
		const parts = [randomBytes(5 * 1024 * 1024), randomBytes(12345)];
		const etags: string[] = [];
		for (let i = 0; i < parts.length; i++) {
			const put = await fetch(`${base}?partNumber=${i + 1}&uploadId=${encodeURIComponent(uploadId)}`, { method: 'PUT', body: parts[i] });
			expect(put.status).toBe(200);
			etags.push(put.headers.get('etag')!);
		}
		const xml = `<CompleteMultipartUpload>${etags.map((e, i) => `<Part><PartNumber>${i + 1}</PartNumber><ETag>${e.replace(/"/g, '&quot;')}</ETag></Part>`).join('')}</CompleteMultipartUpload>`;
		const done = await fetch(`${base}?uploadId=${encodeURIComponent(uploadId)}`, { method: 'POST', body: xml });
		expect(done.status).toBe(200);
		expect(await done.text()).toMatch(/<CompleteMultipartUploadResult xmlns="http:\/\/s3\.amazonaws\.com\/doc\/2006-03-01\/">.*<ETag>&quot;[0-9a-f]{32}-2&quot;<\/ETag>/);
		const got = Buffer.from(await (await fetch(base)).arrayBuffer());
		expect(sha256(got)).toBe(sha256(Buffer.concat(parts)));
		const objects = (await emu.objects()).filter((o) => o.bucket === 'bench-bucket');
		expect(objects).toEqual([expect.objectContaining({ bucket: 'bench-bucket', key: 'some/key.bin', size: parts[0].length + parts[1].length, sha256: sha256(Buffer.concat(parts)) })]);
	});

	it('aborts an upload', async () => {
		const base = `${emu.storageUrl}/bench-bucket/aborted.bin`;
		const uploadId = /<UploadId>(.*?)<\/UploadId>/.exec(await (await fetch(`${base}?uploads`, { method: 'POST' })).text())![1];
		expect((await fetch(`${base}?uploadId=${uploadId}`, { method: 'DELETE' })).status).toBe(204);
		const put = await fetch(`${base}?partNumber=1&uploadId=${uploadId}`, { method: 'PUT', body: 'x' });
		expect(put.status).toBe(404);
		expect(await put.text()).toMatch(/NoSuchUpload/);
	});
});

describe('cloud connections', () => {
	it('browses, imports from and delivers to connection folders', async () => {
		const { s3InId, s3OutId, gatewayId } = emu.seed.cloudConnections;
		const root = await call('GET', `/v1/cloud_connections/${s3InId}/files?prefix=media/&count=10`);
		expect(root.body.map((f: { id: string }) => f.id)).toEqual(['media/clip-a.bin', 'media/stills/']);
		const paged = await call('GET', `/v1/cloud_connections/${s3InId}/files?prefix=media/&count=1&prev_key=media/clip-a.bin`);
		expect(paged.body.map((f: { id: string }) => f.id)).toEqual(['media/stills/']);
		const gw = await call('GET', `/v1/cloud_connections/providers/storage_gateway/${gatewayId}/files?path=/projects/show&offset=0&count=1`);
		expect(gw.body).toEqual({ files: [expect.objectContaining({ id: '/projects/show/ep1.mov', kind: 'file' })], more_data: true });

		const pkg = await createPackage('imported');
		const imp = await call('POST', `/v1/packages/${pkg.id}/transfer`, {
			key: null,
			token: pkg.token,
			body: { cloud_connection_id: s3InId, direction: 'cloud_to_masv', provider: 'amazon_s3', files: [{ id: 'media/clip-a.bin', name: 'clip-a.bin', kind: 'file' }, { id: 'media/stills/', name: 'stills', kind: 'directory' }] },
		});
		expect(imp.status).toBe(201);
		expect(imp.body.state).toBe('complete');
		const files = (await emu.files()).filter((f) => f.packageId === pkg.id);
		expect(files.map((f) => `${f.path}|${f.name}|${f.size}`).sort()).toEqual(['|clip-a.bin|307200', 'stills|still-1.bin|4096', 'stills|still-2.bin|5000'].sort());

		// A Storage Gateway imports whatever its direction; its file IDs are full paths (§14.6).
		const fromGateway = await createPackage('from gateway');
		const gwImport = await call('POST', `/v1/packages/${fromGateway.id}/transfer`, {
			key: null,
			token: fromGateway.token,
			body: { cloud_connection_id: gatewayId, direction: 'cloud_to_masv', provider: 'storage_gateway', files: [{ id: '/projects/show/ep1.mov', name: 'ep1.mov', kind: 'file' }] },
		});
		expect(gwImport.status).toBe(201);
		expect((await emu.files()).filter((f) => f.packageId === fromGateway.id).map((f) => f.name)).toEqual(['ep1.mov']);
		const wrongWay = await createPackage('wrong way');
		const refused = await call('POST', `/v1/packages/${wrongWay.id}/transfer`, {
			key: null,
			token: wrongWay.token,
			body: { cloud_connection_id: s3OutId, direction: 'cloud_to_masv', provider: 'amazon_s3', files: [{ id: 'x.bin', name: 'x.bin', kind: 'file' }] },
		});
		expect(refused.status).toBe(400);

		const out = await call('POST', `/v1/packages/${pkg.id}/transfer`, { key: null, token: pkg.token, body: { cloud_connection_id: s3OutId } });
		expect(out.status).toBe(201);
		const delivered = await emu.admin.integrationFiles(s3OutId);
		expect(delivered.map((f) => f.path).sort()).toEqual(['deliveries/imported/clip-a.bin', 'deliveries/imported/stills/still-1.bin', 'deliveries/imported/stills/still-2.bin']);
		const clip = files.find((f) => f.name === 'clip-a.bin')!;
		expect(delivered.find((f) => f.path.endsWith('clip-a.bin'))!.sha256).toBe(clip.sha256);
		const transfers = await call('GET', `/v1/packages/${pkg.id}/transfer`, { key: null, token: pkg.token });
		expect(transfers.body).toHaveLength(2);
	});
});

describe('portals, Teamspaces, tags', () => {
	it('creates portals with unique subdomains', async () => {
		const body = { name: 'P', subdomain: 'unique-sub', message: 'hi', recipients: ['a@example.com'], active: true };
		const created = await call('POST', `/v1/teams/${emu.teamId}/portals`, { body });
		expect(created.status).toBe(201);
		expect((await call('POST', `/v1/teams/${emu.teamId}/portals`, { body })).status).toBe(409);
		const list = await call('GET', `/v1.1/teams/${emu.teamId}/portals?page=1&limit=1`);
		expect(list.body.metadata.total).toBe(2);
		expect(list.body.records).toHaveLength(1);
		const upd = await call('PUT', `/v1/portals/${created.body.id}`, { body: { name: 'P2', subdomain: 'unique-sub', message: 'changed' } });
		expect(upd.body).toEqual(expect.objectContaining({ name: 'P2', message: 'changed', active: true }));
		expect((await call('DELETE', `/v1/portals/${created.body.id}`)).status).toBe(204);
	});

	it('portal passwords: has_* is the switch, its value required with true, ignored without it', async () => {
		const base = { name: 'Pw', subdomain: 'pw-portal' };
		const missing = await call('POST', `/v1/teams/${emu.teamId}/portals`, { body: { ...base, has_access_code: true } });
		expect(missing.status).toBe(422);
		expect(missing.body.errors[0]).toMatchObject({ field: 'access_code', msg: 'access_code is required when has_access_code is true' });
		const valueOnly = await call('POST', `/v1/teams/${emu.teamId}/portals`, { body: { ...base, access_code: 'ignored', download_password: 'ignored' } });
		expect(valueOnly.status).toBe(201);
		expect(valueOnly.body).toMatchObject({ has_access_code: false, has_download_password: false });
		expect(valueOnly.body.access_code).toBeUndefined();
		const id = valueOnly.body.id;
		const set = await call('PUT', `/v1/portals/${id}`, { body: { ...base, has_access_code: true, access_code: 'c0de', has_download_password: true, download_password: 'pw' } });
		expect(set.body).toMatchObject({ has_access_code: true, has_download_password: true });
		expect(set.body.access_code).toBeUndefined();
		const kept = await call('PUT', `/v1/portals/${id}`, { body: { ...base, message: 'still protected' } });
		expect(kept.body).toMatchObject({ has_access_code: true, has_download_password: true, message: 'still protected' });
		const cleared = await call('PUT', `/v1/portals/${id}`, { body: { ...base, has_download_password: false } });
		expect(cleared.body).toMatchObject({ has_access_code: true, has_download_password: false });
		expect((await call('DELETE', `/v1/portals/${id}`)).status).toBe(204);
	});

	it('portal writes refuse read-only fields; custom_webhooks and cloud_connections are written as [{id}]', async () => {
		const base = { name: 'Ro', subdomain: 'ro-portal' };
		const created = await call('POST', `/v1/teams/${emu.teamId}/portals`, { body: base });
		const id = created.body.id;
		for (const field of ['id', 'team_id', 'created_at', 'updated_at']) {
			const put = await call('PUT', `/v1/portals/${id}`, { body: { ...base, [field]: created.body[field] } });
			expect([field, put.status, put.body.errors?.[0]?.msg]).toEqual([field, 422, `${field} is read-only`]);
		}
		const hook = await call('POST', `/v1/teams/${emu.teamId}/custom_webhooks`, {
			body: { url: 'https://example.com/hook', method: 'POST', events: ['package.finalized'], active: true },
		});
		const { s3OutId } = emu.seed.cloudConnections;
		const attached = await call('PUT', `/v1/portals/${id}`, { body: { ...base, custom_webhooks: [{ id: hook.body.id }], cloud_connections: [{ id: s3OutId, name: 'ignored' }] } });
		expect(attached.status).toBe(200);
		expect(attached.body.custom_webhooks).toEqual([expect.objectContaining({ id: hook.body.id })]);
		expect(attached.body.cloud_connections).toEqual([expect.objectContaining({ id: s3OutId })]);
		expect((await call('PUT', `/v1/portals/${id}`, { body: { ...base, custom_webhooks: [hook.body.id] } })).status).toBe(422);
		expect((await call('PUT', `/v1/portals/${id}`, { body: { ...base, cloud_connections: [{ name: 'no id' }] } })).status).toBe(422);
		const format = await call('PUT', `/v1/portals/${id}`, { body: { ...base, package_name_format_enabled: true } });
		expect(format.body.errors?.[0]).toMatchObject({ field: 'package_name_format' });
		const terms = await call('PUT', `/v1/portals/${id}`, { body: { ...base, terms_of_service_enabled: true, terms_of_service: { title: 'T' } } });
		expect(terms.body.errors?.[0]).toMatchObject({ field: 'terms_of_service' });
		const both = await call('PUT', `/v1/portals/${id}`, {
			body: {
				...base,
				package_name_format_enabled: true,
				package_name_format: { value: '^[A-Z]{3}-\\d+$', label: 'ABC-123' },
				terms_of_service_enabled: true,
				terms_of_service: { title: 'T', description: 'D', checkbox_label: 'I agree', checkbox_url: 'https://example.com/tos' },
			},
		});
		expect(both.status).toBe(200);
		expect(both.body).toMatchObject({ package_name_format_enabled: true, terms_of_service_enabled: true });
		expect((await call('DELETE', `/v1/portals/${id}`)).status).toBe(204);
		expect((await call('DELETE', `/v1/custom_webhooks/${hook.body.id}`)).status).toBe(204);
	});

	it('custom webhooks answer 403 for a team without the feature', async () => {
		const body = { url: 'https://example.com/hook', method: 'POST', events: ['package.created'], active: true };
		const hook = await call('POST', `/v1/teams/${emu.teamId}/custom_webhooks`, { body });
		expect(hook.status).toBe(201);
		emu.admin.setCustomWebhooks(false);
		try {
			for (const [method, path] of [
				['POST', `/v1/teams/${emu.teamId}/custom_webhooks`],
				['GET', `/v1/teams/${emu.teamId}/custom_webhooks`],
				['GET', `/v1/custom_webhooks/${hook.body.id}`],
				['PUT', `/v1/custom_webhooks/${hook.body.id}`],
				['DELETE', `/v1/custom_webhooks/${hook.body.id}`],
			]) {
				const res = await call(method, path, { body: method === 'POST' || method === 'PUT' ? body : undefined });
				expect([method, path, res.status, res.body?.message]).toEqual([method, path, 403, 'custom webhooks are not enabled for this team']);
			}
		} finally {
			emu.admin.setCustomWebhooks(true);
		}
		expect((await call('DELETE', `/v1/custom_webhooks/${hook.body.id}`)).status).toBe(204);
	});

	it('manages Teamspaces and their members', async () => {
		const members = (await call('GET', `/v1/teams/${emu.teamId}/members`)).body;
		const space = await call('POST', `/v1/teams/${emu.teamId}/spaces`, { body: { name: 'S', member_ids: [members[0].id] } });
		expect(space.status).toBe(201);
		const renamed = await call('PUT', `/v1/spaces/${space.body.id}`, { body: { name: 'S2' } });
		expect(renamed.body).toEqual(expect.objectContaining({ id: space.body.id, name: 'S2' }));
		const added = await call('POST', `/v1/spaces/${space.body.id}/members`, { body: { member_ids: [members[1].id] } });
		expect(added.status).toBe(201);
		expect(added.body).toEqual([expect.objectContaining({ membership_id: members[1].id, teamspace_id: space.body.id })]);
		expect((await call('GET', `/v1/spaces/${space.body.id}/members`)).body).toHaveLength(2);
		expect((await call('DELETE', `/v1/spaces/${space.body.id}/members/${added.body[0].id}`)).status).toBe(204);
		expect((await call('DELETE', `/v1/spaces/${space.body.id}`)).status).toBe(204);
	});

	it('creates, lists and deletes tags', async () => {
		const tag = await call('POST', `/v1/teams/${emu.teamId}/tags`, { body: { name: 'new-tag' } });
		expect(tag.status).toBe(201);
		expect((await call('GET', `/v1/teams/${emu.teamId}/tags`)).body.map((t: { name: string }) => t.name)).toEqual(['emulator-tag', 'new-tag']);
		expect((await call('DELETE', `/v1/tags/${tag.body.id}`)).status).toBe(204);
	});
});

describe('admin routes', () => {
	it('forces a package to expired and lists files', async () => {
		const pkg = await createPackage('to expire');
		const u = await uploadParts(pkg, 'x.bin', [randomBytes(10)]);
		await call('POST', `/v1/packages/${pkg.id}/files/${u.fileId}/finalize`, { key: null, token: pkg.token, body: finalizeBody(u) });
		await call('POST', `/v1/packages/${pkg.id}/finalize`, { key: null, token: pkg.token });
		const listed: ParsedJson = await (await fetch(`${emu.url}/_emulator/files`)).json();
		expect(listed.some((f: { packageId: string }) => f.packageId === pkg.id)).toBe(true);
		const forced = await fetch(`${emu.url}/_emulator/packages/${pkg.id}/state`, { method: 'POST', body: JSON.stringify({ state: 'expired' }) });
		expect(((await forced.json()) as ParsedJson).state).toBe('expired');
		expect((await call('GET', `/v1/packages/${pkg.id}/files`, { key: null, token: pkg.token })).status).toBe(410);
		const state: ParsedJson = await (await fetch(`${emu.url}/_emulator/state`)).json();
		expect(state.seed.apiKey).toBe(emu.apiKey);
	});
});

describe('reset', () => {
	it('goes back to the seed with the same ids and key', async () => {
		const before = emu.seed;
		await createPackage('gone after reset');
		const seed = await emu.admin.reset();
		expect(seed.apiKey).toBe(before.apiKey);
		expect(seed.portalId).toBe(before.portalId);
		expect(emu.requests()).toHaveLength(0);
		const list = await call('GET', `/v1.1/teams/${emu.teamId}/packages?status=new,finalized`);
		expect(list.body.metadata.total).toBe(0);
		expect(await emu.admin.integrationFiles(seed.cloudConnections.s3InId)).toHaveLength(4);
	});
});
