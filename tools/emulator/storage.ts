// The S3-style object storage behind the blueprints (docs/masv-api.md §6.5, §6.7, §7.4 and §6.11):
// pre-signed URLs issued by the API, multipart uploads with parts streamed to disk, object GET
// with Range. It also answers the plain S3 multipart API (path-style, SigV4 ignored) so that
// `@aws-sdk/lib-storage` can upload to it.
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { AwsChunkedDecoder, Blob, writeStreamToFile } from './blobs';
import type { Fault, FaultRegistry } from './faults';
import { drain, readRawBody } from './http';
import { alnum, sleep, stripQuotes, ulid } from './util';

export interface Part {
	path: string;
	size: number;
	/** hex MD5, unquoted */
	etag: string;
}

export interface MultipartUpload {
	uploadId: string;
	bucket: string;
	key: string;
	dir: string;
	parts: Map<number, Part>;
	createdAt: number;
	state: 'open' | 'completed' | 'aborted';
}

/** Something readable by byte range: a Blob or a generated ZipObject. */
export interface Content {
	readonly size: number;
	read(start?: number, end?: number): Readable;
}

export interface StoredObject {
	bucket: string;
	key: string;
	content: Content;
	/** quoted */
	etag: string;
	contentType: string;
	lastModified: number;
}

export interface SignedUrl {
	method: string;
	bucket: string;
	key: string;
	expiresAt: number;
	partNumber?: number;
	uploadId?: string;
	/** Download session (activity tracking), for GET URLs issued by the download route. */
	sessionId?: string;
	fileId?: string;
}

export interface StorageDeps {
	now(): number;
	faults: FaultRegistry;
	dataDir: string;
	/** Called after a GET streamed its bytes completely. */
	onServed?(signed: SignedUrl, bytes: number, object: StoredObject): void;
}

export class StorageError extends Error {
	constructor(
		public readonly status: number,
		public readonly code: string,
		message: string,
		public readonly headers: Record<string, string> = {},
	) {
		super(message);
	}
}

const S3_NS = 'http://s3.amazonaws.com/doc/2006-03-01/';
const MIN_S3_PART = 5 * 1024 * 1024;

export function xmlEscape(value: string): string {
	return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

function xmlUnescape(value: string): string {
	return value
		.replace(/&quot;/g, '"')
		.replace(/&apos;/g, "'")
		.replace(/&lt;/g, '<')
		.replace(/&gt;/g, '>')
		.replace(/&#34;/g, '"')
		.replace(/&amp;/g, '&');
}

function amzDate(ms: number): string {
	return new Date(ms).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}

export function encodeKey(key: string): string {
	return key.split('/').map(encodeURIComponent).join('/');
}

function parseRange(header: string | undefined, size: number): { start: number; end: number } | 'invalid' | null {
	if (!header) return null;
	const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
	if (!m) return null; // multi-range or garbage: S3 serves the whole object
	if (m[1] === '' && m[2] === '') return null;
	let start: number;
	let end: number;
	if (m[1] === '') {
		const suffix = Number(m[2]);
		if (suffix === 0) return 'invalid';
		start = Math.max(0, size - suffix);
		end = size - 1;
	} else {
		start = Number(m[1]);
		end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
	}
	if (start >= size || start > end) return 'invalid';
	return { start, end };
}

/** Changes the first byte of a stream (the 'corrupt' fault: bytes damaged on the way). */
function flipFirstByte(): Transform {
	let first = true;
	return new Transform({
		transform(chunk: Buffer, _encoding, callback) {
			if (first && chunk.length > 0) {
				first = false;
				const copy = Buffer.from(chunk);
				copy[0] ^= 0xff;
				callback(null, copy);
				return;
			}
			callback(null, chunk);
		},
	});
}

export class Storage {
	baseUrl = '';
	readonly uploads = new Map<string, MultipartUpload>();
	readonly objects = new Map<string, StoredObject>();
	private readonly signed = new Map<string, SignedUrl>();
	private readonly secret = randomBytes(32);
	private readonly partsDir: string;
	private readonly objectsDir: string;

	constructor(private readonly deps: StorageDeps) {
		this.partsDir = join(deps.dataDir, 'parts');
		this.objectsDir = join(deps.dataDir, 'objects');
	}

	async init(): Promise<void> {
		await fsp.mkdir(this.partsDir, { recursive: true });
		await fsp.mkdir(this.objectsDir, { recursive: true });
	}

	// ---------------------------------------------------------------- URLs

	/** A pre-signed-looking URL. `pre` query params go before the X-Amz ones, `mid` between them and the signature. */
	sign(
		info: SignedUrl,
		ttlMs: number,
		pre: [string, string][] = [],
		mid: [string, string][] = [],
	): string {
		const now = this.deps.now();
		const signature = createHmac('sha256', this.secret).update(`${info.method} ${info.key} ${now} ${randomBytes(8).toString('hex')}`).digest('hex');
		this.signed.set(signature, { ...info, expiresAt: now + ttlMs });
		const query = new URLSearchParams([
			...pre,
			['X-Amz-Algorithm', 'AWS4-HMAC-SHA256'],
			['X-Amz-Credential', `EMULATORACCESSKEY/${amzDate(now).slice(0, 8)}/us-east-1/s3/aws4_request`],
			['X-Amz-Date', amzDate(now)],
			['X-Amz-Expires', String(Math.max(1, Math.ceil(ttlMs / 1000)))],
			['X-Amz-SignedHeaders', 'host'],
			...mid,
			['X-Amz-Signature', signature],
		]);
		// S3 writes the bare `uploads` subresource without '='
		const text = query.toString().replace(/^uploads=&/, 'uploads&');
		return `${this.baseUrl}/${info.bucket}/${encodeKey(info.key)}?${text}`;
	}

	createUploadUrl(bucket: string, key: string, ttlMs: number): string {
		return this.sign({ method: 'POST', bucket, key, expiresAt: 0 }, ttlMs, [['uploads', '']]);
	}

	/** Part URL: `partNumber` and `uploadId` sit in the middle of the query, never first or last (§6.6). */
	partUrl(bucket: string, key: string, uploadId: string, partNumber: number, ttlMs: number): string {
		return this.sign({ method: 'PUT', bucket, key, partNumber, uploadId, expiresAt: 0 }, ttlMs, [], [
			['partNumber', String(partNumber)],
			['uploadId', uploadId],
		]);
	}

	downloadUrl(bucket: string, key: string, ttlMs: number, fileName: string, extra: Partial<SignedUrl> = {}): string {
		const disposition = `attachment; filename="${fileName.replace(/["\\]/g, '_')}"; filename*=UTF-8''${encodeURIComponent(fileName)}`;
		return this.sign({ method: 'GET', bucket, key, expiresAt: 0, ...extra }, ttlMs, [], [
			['response-content-disposition', disposition],
		]);
	}

	// ---------------------------------------------------------------- object/upload bookkeeping

	putObject(bucket: string, key: string, content: Content, etag: string, contentType = 'application/octet-stream'): StoredObject {
		const object: StoredObject = { bucket, key, content, etag, contentType, lastModified: this.deps.now() };
		this.objects.set(`${bucket}/${key}`, object);
		return object;
	}

	getObject(bucket: string, key: string): StoredObject | undefined {
		return this.objects.get(`${bucket}/${key}`);
	}

	async deleteObject(bucket: string, key: string): Promise<void> {
		const object = this.objects.get(`${bucket}/${key}`);
		this.objects.delete(`${bucket}/${key}`);
		if (object && object.content instanceof Blob) await object.content.remove();
	}

	async initiate(bucket: string, key: string): Promise<MultipartUpload> {
		const uploadId = `EMU${alnum(45)}`;
		const dir = join(this.partsDir, ulid());
		await fsp.mkdir(dir, { recursive: true });
		const upload: MultipartUpload = { uploadId, bucket, key, dir, parts: new Map(), createdAt: this.deps.now(), state: 'open' };
		this.uploads.set(uploadId, upload);
		return upload;
	}

	/**
	 * Closes an upload into a Blob made of the listed parts (in order); unlisted parts are deleted.
	 * The caller validated the list.
	 */
	async complete(upload: MultipartUpload, partNumbers: number[]): Promise<Blob> {
		upload.state = 'completed';
		this.uploads.delete(upload.uploadId);
		const used = new Set(partNumbers);
		const segments = partNumbers.map((n) => {
			const part = upload.parts.get(n) as Part;
			return { path: part.path, size: part.size };
		});
		await Promise.all(
			[...upload.parts.entries()].filter(([n]) => !used.has(n)).map(([, p]) => fsp.rm(p.path, { force: true })),
		);
		return new Blob(segments, segments.reduce((n, s) => n + s.size, 0));
	}

	async abort(upload: MultipartUpload): Promise<void> {
		upload.state = 'aborted';
		this.uploads.delete(upload.uploadId);
		await fsp.rm(upload.dir, { recursive: true, force: true });
	}

	// ---------------------------------------------------------------- HTTP

	/** Serves one storage request; `record` (the request log entry) learns which fault fired. */
	async handle(req: IncomingMessage, res: ServerResponse, url: URL, record?: { fault?: string }): Promise<void> {
		const method = (req.method ?? 'GET').toUpperCase();
		const q = url.searchParams;
		const partNumberRaw = q.get('partNumber');
		const partNumber = partNumberRaw === null ? undefined : Number(partNumberRaw);
		const fault = this.deps.faults.take('storage', method === 'HEAD' ? 'GET' : method, url.pathname, partNumber);
		let resetAfter: number | undefined;
		let corrupt = false;
		if (fault) {
			if (record) record.fault = fault.id;
			const outcome = await this.applyFault(fault, req, res);
			if (outcome === 'done') return;
			if (outcome === 'reset') resetAfter = fault.spec.afterBytes ?? -1;
			corrupt = fault.spec.type === 'corrupt';
		}
		try {
			const slash = url.pathname.indexOf('/', 1);
			if (slash < 0) throw new StorageError(400, 'InvalidRequest', 'path-style URL /<bucket>/<key> expected');
			const bucket = decodeURIComponent(url.pathname.slice(1, slash));
			const key = url.pathname.slice(slash + 1).split('/').map(decodeURIComponent).join('/');
			const signed = this.checkSignature(q, method, bucket, key);
			if (method === 'POST' && q.has('uploads')) return await this.handleInitiate(res, bucket, key);
			if (method === 'PUT' && q.has('uploadId')) {
				return await this.handleUploadPart(req, res, bucket, key, q.get('uploadId') as string, partNumberRaw, corrupt);
			}
			if (method === 'PUT') return await this.handlePutObject(req, res, bucket, key);
			if (method === 'POST' && q.has('uploadId')) return await this.handleComplete(req, res, bucket, key, q.get('uploadId') as string);
			if (method === 'DELETE' && q.has('uploadId')) return await this.handleAbort(req, res, bucket, key, q.get('uploadId') as string);
			if (method === 'DELETE') {
				await drain(req);
				await this.deleteObject(bucket, key);
				res.writeHead(204);
				res.end();
				return;
			}
			if (method === 'GET' || method === 'HEAD') return await this.handleGet(req, res, bucket, key, q, signed, resetAfter);
			throw new StorageError(405, 'MethodNotAllowed', 'The specified method is not allowed against this resource.');
		} catch (err) {
			if (res.headersSent || res.destroyed) {
				res.destroy();
				return;
			}
			if (err instanceof StorageError) {
				await drain(req);
				this.sendError(res, err);
				return;
			}
			if (req.destroyed || (err as NodeJS.ErrnoException).code === 'ECONNRESET' || (err as Error).message === 'aborted') {
				res.destroy();
				return;
			}
			this.sendError(res, new StorageError(500, 'InternalError', (err as Error).message));
		}
	}

	private async applyFault(fault: Fault, req: IncomingMessage, res: ServerResponse): Promise<'done' | 'continue' | 'reset'> {
		const spec = fault.spec;
		switch (spec.type) {
			case 'delay':
				await sleep(spec.delayMs ?? 1000);
				return 'continue';
			case 'hang':
				// A request with a body is read in full first: accepted, then never answered.
				if (req.method === 'PUT' || req.method === 'POST') await drain(req);
				return 'done';
			case 'refuse':
				req.socket.destroy();
				return 'done';
			case 'dropReply':
			case 'corrupt':
				return 'continue';
			case 'reset':
				if (req.method === 'GET' || req.method === 'HEAD') return 'reset';
				await this.resetDuringBody(req, spec.afterBytes ?? 1);
				return 'done';
			case 'expired':
				await drain(req);
				this.sendError(res, new StorageError(403, 'AccessDenied', spec.message ?? 'Request has expired'));
				return 'done';
			case 'rateLimit':
			case 'status': {
				await drain(req);
				const status = spec.type === 'rateLimit' ? 429 : (spec.status ?? 500);
				const headers: Record<string, string> = {};
				if (spec.retryAfter !== undefined || spec.type === 'rateLimit') headers['Retry-After'] = String(spec.retryAfter ?? 1);
				const code = spec.code ?? (status === 503 || status === 429 ? 'SlowDown' : status >= 500 ? 'InternalError' : 'InjectedFault');
				this.sendError(res, new StorageError(status, code, spec.message ?? `injected fault (${status})`, headers));
				return 'done';
			}
		}
		return 'continue';
	}

	/** Lets `afterBytes` of the request body in, then destroys the socket (a connection reset mid-upload). */
	private resetDuringBody(req: IncomingMessage, afterBytes: number): Promise<void> {
		return new Promise((resolve) => {
			let seen = 0;
			const kill = () => {
				req.socket.destroy();
				resolve();
			};
			if (afterBytes <= 0 || req.readableEnded) return kill();
			req.on('data', (chunk: Buffer) => {
				seen += chunk.length;
				if (seen >= afterBytes) kill();
			});
			req.on('end', kill);
			req.on('error', () => resolve());
		});
	}

	private checkSignature(q: URLSearchParams, method: string, bucket: string, key: string): SignedUrl | undefined {
		const signature = q.get('X-Amz-Signature');
		// No query signature: an SDK request signed with SigV4 headers, which the emulator ignores.
		if (signature === null) return undefined;
		const info = this.signed.get(signature);
		const effective = method === 'HEAD' ? 'GET' : method;
		if (!info || info.bucket !== bucket || info.key !== key || info.method !== effective) {
			throw new StorageError(403, 'SignatureDoesNotMatch', 'The request signature we calculated does not match the signature you provided.');
		}
		if (info.partNumber !== undefined && (String(info.partNumber) !== q.get('partNumber') || info.uploadId !== q.get('uploadId'))) {
			throw new StorageError(403, 'SignatureDoesNotMatch', 'The request signature we calculated does not match the signature you provided.');
		}
		if (this.deps.now() > info.expiresAt) throw new StorageError(403, 'AccessDenied', 'Request has expired');
		return info;
	}

	private async handleInitiate(res: ServerResponse, bucket: string, key: string): Promise<void> {
		const upload = await this.initiate(bucket, key);
		// Element order Bucket, Key, UploadId with the S3 namespace (§6.5).
		this.sendXml(
			res,
			200,
			`<InitiateMultipartUploadResult xmlns="${S3_NS}"><Bucket>${xmlEscape(bucket)}</Bucket><Key>${xmlEscape(key)}</Key><UploadId>${xmlEscape(upload.uploadId)}</UploadId></InitiateMultipartUploadResult>`,
		);
	}

	private decoders(req: IncomingMessage): Transform[] {
		const encoding = String(req.headers['content-encoding'] ?? '');
		const out: Transform[] = [];
		if (/aws-chunked/i.test(encoding)) out.push(new AwsChunkedDecoder());
		return out;
	}

	/** The hot path: stream the part to disk with its MD5, answer `ETag: "<md5>"`. */
	private async handleUploadPart(
		req: IncomingMessage,
		res: ServerResponse,
		bucket: string,
		key: string,
		uploadId: string,
		partNumberRaw: string | null,
		corrupt = false,
	): Promise<void> {
		const upload = this.uploads.get(uploadId);
		if (!upload || upload.bucket !== bucket || upload.key !== key) {
			throw new StorageError(404, 'NoSuchUpload', 'The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.');
		}
		const partNumber = Number(partNumberRaw);
		if (!Number.isInteger(partNumber) || partNumber < 1 || partNumber > 10000) {
			throw new StorageError(400, 'InvalidArgument', 'Part number must be an integer between 1 and 10000, inclusive');
		}
		const decoders = this.decoders(req);
		if (corrupt) decoders.push(flipFirstByte());
		const written = await writeStreamToFile(req, join(upload.dir, `${partNumber}-${randomBytes(4).toString('hex')}`), decoders);
		if (upload.state !== 'open') {
			await fsp.rm(written.path, { force: true });
			throw new StorageError(404, 'NoSuchUpload', 'The specified upload does not exist.');
		}
		const previous = upload.parts.get(partNumber);
		upload.parts.set(partNumber, { path: written.path, size: written.size, etag: written.md5 });
		if (previous) await fsp.rm(previous.path, { force: true });
		res.writeHead(200, { ETag: `"${written.md5}"`, 'Content-Length': '0' });
		res.end();
	}

	private async handlePutObject(req: IncomingMessage, res: ServerResponse, bucket: string, key: string): Promise<void> {
		const written = await writeStreamToFile(req, join(this.objectsDir, ulid()), this.decoders(req));
		const old = this.getObject(bucket, key);
		this.putObject(bucket, key, new Blob([{ path: written.path, size: written.size }], written.size), `"${written.md5}"`, String(req.headers['content-type'] ?? 'application/octet-stream'));
		if (old && old.content instanceof Blob) await old.content.remove();
		res.writeHead(200, { ETag: `"${written.md5}"`, 'Content-Length': '0' });
		res.end();
	}

	private async handleComplete(req: IncomingMessage, res: ServerResponse, bucket: string, key: string, uploadId: string): Promise<void> {
		const body = (await readRawBody(req, 16 * 1024 * 1024)).toString('utf8');
		const upload = this.uploads.get(uploadId);
		if (!upload || upload.bucket !== bucket || upload.key !== key) {
			throw new StorageError(404, 'NoSuchUpload', 'The specified upload does not exist.');
		}
		const listed: { partNumber: number; etag: string }[] = [];
		for (const m of body.matchAll(/<Part>([\s\S]*?)<\/Part>/g)) {
			const n = /<PartNumber>\s*(\d+)\s*<\/PartNumber>/.exec(m[1]);
			const e = /<ETag>([\s\S]*?)<\/ETag>/.exec(m[1]);
			if (!n || !e) throw new StorageError(400, 'MalformedXML', 'The XML you provided was not well-formed.');
			listed.push({ partNumber: Number(n[1]), etag: stripQuotes(xmlUnescape(e[1])) });
		}
		if (listed.length === 0) throw new StorageError(400, 'MalformedXML', 'You must specify at least one part.');
		for (let i = 0; i < listed.length; i++) {
			if (i > 0 && listed[i].partNumber <= listed[i - 1].partNumber) {
				throw new StorageError(400, 'InvalidPartOrder', 'The list of parts was not in ascending order.');
			}
			const part = upload.parts.get(listed[i].partNumber);
			if (!part || part.etag !== listed[i].etag) {
				throw new StorageError(400, 'InvalidPart', `One or more of the specified parts could not be found (part ${listed[i].partNumber}).`);
			}
			if (i < listed.length - 1 && part.size < MIN_S3_PART) {
				throw new StorageError(400, 'EntityTooSmall', 'Your proposed upload is smaller than the minimum allowed object size.');
			}
		}
		const md5 = createHash('md5');
		for (const p of listed) md5.update(Buffer.from(p.etag, 'hex'));
		const etag = `"${md5.digest('hex')}-${listed.length}"`;
		const blob = await this.complete(upload, listed.map((p) => p.partNumber));
		const old = this.getObject(bucket, key);
		this.putObject(bucket, key, blob, etag);
		if (old && old.content instanceof Blob) await old.content.remove();
		const location = `${this.baseUrl}/${bucket}/${encodeKey(key)}`;
		this.sendXml(
			res,
			200,
			`<CompleteMultipartUploadResult xmlns="${S3_NS}"><Location>${xmlEscape(location)}</Location><Bucket>${xmlEscape(bucket)}</Bucket><Key>${xmlEscape(key)}</Key><ETag>${xmlEscape(etag)}</ETag></CompleteMultipartUploadResult>`,
		);
	}

	private async handleAbort(req: IncomingMessage, res: ServerResponse, bucket: string, key: string, uploadId: string): Promise<void> {
		await drain(req);
		const upload = this.uploads.get(uploadId);
		if (!upload || upload.bucket !== bucket || upload.key !== key) {
			throw new StorageError(404, 'NoSuchUpload', 'The specified upload does not exist.');
		}
		await this.abort(upload);
		res.writeHead(204);
		res.end();
	}

	private async handleGet(
		req: IncomingMessage,
		res: ServerResponse,
		bucket: string,
		key: string,
		q: URLSearchParams,
		signed: SignedUrl | undefined,
		resetAfter: number | undefined,
	): Promise<void> {
		await drain(req);
		const object = this.getObject(bucket, key);
		if (!object) throw new StorageError(404, 'NoSuchKey', 'The specified key does not exist.');
		const size = object.content.size;
		const range = parseRange(typeof req.headers.range === 'string' ? req.headers.range : undefined, size);
		if (range === 'invalid') {
			throw new StorageError(416, 'InvalidRange', 'The requested range is not satisfiable', { 'Content-Range': `bytes */${size}` });
		}
		const start = range ? range.start : 0;
		const end = range ? range.end : size - 1;
		const length = size === 0 ? 0 : end - start + 1;
		const headers: Record<string, string> = {
			'Content-Type': q.get('response-content-type') ?? object.contentType,
			'Content-Length': String(length),
			ETag: object.etag,
			'Last-Modified': new Date(object.lastModified).toUTCString(),
			'Accept-Ranges': 'bytes',
		};
		const disposition = q.get('response-content-disposition');
		if (disposition) headers['Content-Disposition'] = disposition;
		if (range) headers['Content-Range'] = `bytes ${start}-${end}/${size}`;
		res.writeHead(range ? 206 : 200, headers);
		if (req.method === 'HEAD' || length === 0) {
			res.end();
			if (length === 0 && signed) this.deps.onServed?.(signed, 0, object);
			return;
		}
		if (resetAfter !== undefined) {
			await this.sendThenReset(res, object.content.read(start, end), resetAfter < 0 ? Math.floor(length / 2) : resetAfter);
			return;
		}
		try {
			await pipeline(object.content.read(start, end), res);
		} catch {
			res.destroy();
			return;
		}
		const sent = length;
		if (signed) this.deps.onServed?.(signed, sent, object);
	}

	/** Sends `limit` bytes of the body, then destroys the socket (a connection reset mid-download). */
	private async sendThenReset(res: ServerResponse, body: Readable, limit: number): Promise<void> {
		let sent = 0;
		try {
			for await (const chunk of body) {
				const piece = (chunk as Buffer).subarray(0, Math.max(0, limit - sent));
				sent += piece.length;
				if (piece.length > 0 && !res.write(piece)) {
					await new Promise<void>((resolve) => {
						const done = () => {
							res.off('drain', done);
							res.off('close', done);
							resolve();
						};
						res.once('drain', done);
						res.once('close', done);
					});
				}
				if (sent >= limit || res.destroyed) break;
			}
			await new Promise<void>((resolve) => res.write('', () => resolve()));
		} finally {
			body.destroy();
			res.socket?.destroy();
		}
	}

	private sendXml(res: ServerResponse, status: number, xml: string, headers: Record<string, string> = {}): void {
		const text = `<?xml version="1.0" encoding="UTF-8"?>\n${xml}`;
		res.writeHead(status, { 'Content-Type': 'application/xml', 'Content-Length': String(Buffer.byteLength(text)), ...headers });
		res.end(text);
	}

	sendError(res: ServerResponse, err: StorageError): void {
		if (res.headersSent || res.destroyed) return;
		this.sendXml(
			res,
			err.status,
			`<Error><Code>${xmlEscape(err.code)}</Code><Message>${xmlEscape(err.message)}</Message><RequestId>${ulid()}</RequestId></Error>`,
			err.headers,
		);
	}
}
