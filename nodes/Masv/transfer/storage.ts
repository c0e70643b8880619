// The only code that talks to storage URLs: the pre-signed requests MASV hands out in blueprints
// (create multipart upload, part PUTs, file downloads). They go out with plain `httpRequest`, the
// blueprint's method, URL and headers verbatim, and never a MASV credential: these URLs may point
// at a third party (docs/masv-api.md §6.1). Nothing here reads a credential.
import type { IExecuteFunctions, IHttpRequestMethods, IHttpRequestOptions, IN8nHttpFullResponse } from 'n8n-workflow';

import { freeSocketReads } from './socketReads';

/** A raw HTTP request described by MASV (docs/masv-api.md §6.1). */
export interface StorageBlueprint {
	method?: string;
	url: string;
	headers?: Record<string, string>;
	body?: string;
}

/** What storage requests need of an n8n context: plain HTTP, nothing else. */
export interface StorageContext {
	helpers: Pick<IExecuteFunctions['helpers'], 'httpRequest'>;
}

/** A readable stream as n8n's helpers hand it out (no `stream` import in runtime code). */
export type BinaryStream = Awaited<ReturnType<IExecuteFunctions['helpers']['getBinaryStream']>>;

export interface StorageAnswer<T> {
	statusCode: number;
	headers: Record<string, string | string[] | undefined>;
	body: T;
	/**
	 * A streamed answer whose socket reads the node cannot free (`freeSocketReads`): they wait for
	 * V8's collector, tens of MiB at a time on a fast source (docs/upload-from-url.md, "Memory").
	 */
	readsHeld?: boolean;
}

/** How a storage request is bounded: `signal` ends it (cancel, stall), `stallMs` is the helper's idle timeout. */
export interface StorageCall {
	signal?: AbortSignal;
	stallMs: number;
}

/** Headers that are MASV credentials: never sent to storage, even if a blueprint carried them. */
const CREDENTIAL_HEADERS = new Set(['x-api-key', 'x-package-token', 'x-user-token', 'x-link-password']);

function blueprintHeaders(blueprint: StorageBlueprint): Record<string, string> {
	const headers: Record<string, string> = {};
	for (const [name, value] of Object.entries(blueprint.headers ?? {})) {
		if (CREDENTIAL_HEADERS.has(name.toLowerCase())) continue;
		if (value !== undefined && value !== null) headers[name] = String(value);
	}
	return headers;
}

function hasHeader(headers: Record<string, string>, name: string): boolean {
	const lower = name.toLowerCase();
	return Object.keys(headers).some((key) => key.toLowerCase() === lower);
}

function method(blueprint: StorageBlueprint, fallback: IHttpRequestMethods): IHttpRequestMethods {
	const value = typeof blueprint.method === 'string' ? blueprint.method.toUpperCase() : '';
	return (['DELETE', 'GET', 'HEAD', 'PATCH', 'POST', 'PUT'].includes(value) ? value : fallback) as IHttpRequestMethods;
}

async function send<T>(ctx: StorageContext, options: IHttpRequestOptions, call: StorageCall): Promise<StorageAnswer<T>> {
	const response = (await ctx.helpers.httpRequest({
		...options,
		json: false,
		returnFullResponse: true,
		ignoreHttpStatusErrors: true,
		// n8n's helper applies it as the socket's idle timeout: no bytes moving for this long.
		timeout: call.stallMs,
		abortSignal: call.signal,
	})) as IN8nHttpFullResponse;
	return {
		statusCode: response.statusCode,
		headers: (response.headers ?? {}) as StorageAnswer<T>['headers'],
		body: response.body as T,
	};
}

/** A storage request with a small text answer (S3 CreateMultipartUpload, §6.5). */
export async function storageTextRequest(
	ctx: StorageContext,
	blueprint: StorageBlueprint,
	call: StorageCall,
): Promise<StorageAnswer<string>> {
	const headers = blueprintHeaders(blueprint);
	const body = typeof blueprint.body === 'string' ? blueprint.body : '';
	if (!hasHeader(headers, 'content-length')) headers['Content-Length'] = String(Buffer.byteLength(body));
	const answer = await send<unknown>(ctx, {
		method: method(blueprint, 'POST'),
		url: blueprint.url,
		headers,
		body: body || undefined,
		encoding: 'text',
	}, call);
	return { ...answer, body: bodyText(answer.body) };
}

/** PUT of one part's bytes (S3 UploadPart, §6.7). The `ETag` header comes back verbatim. */
export async function storagePutPart(
	ctx: StorageContext,
	blueprint: StorageBlueprint,
	body: Buffer,
	call: StorageCall,
): Promise<StorageAnswer<string> & { etag?: string }> {
	const headers = blueprintHeaders(blueprint);
	if (!hasHeader(headers, 'content-length')) headers['Content-Length'] = String(body.length);
	const answer = await send<unknown>(ctx, {
		method: method(blueprint, 'PUT'),
		url: blueprint.url,
		headers,
		body,
		encoding: 'text',
		// A part goes where its pre-signed URL says and nowhere else: a redirect is answered as a
		// failure rather than followed with the part's bytes (this also spares the redirect wrapper).
		disableFollowRedirect: true,
	}, call);
	return { ...answer, body: bodyText(answer.body), etag: headerValue(answer, 'ETag') };
}

/**
 * GET of a download URL as a stream (§7.4), from byte `from` on (a `Range` request) when it is not
 * 0, and up to byte `to` (exclusive) when given. A failed answer's body is read as text instead.
 */
export async function storageGetStream(
	ctx: StorageContext,
	blueprint: StorageBlueprint,
	call: StorageCall,
	from = 0,
	to?: number,
): Promise<StorageAnswer<BinaryStream | string>> {
	const headers = blueprintHeaders(blueprint);
	if (to !== undefined) headers.Range = `bytes=${from}-${to - 1}`;
	else if (from > 0) headers.Range = `bytes=${from}-`;
	const answer = await send<BinaryStream>(ctx, {
		method: method(blueprint, 'GET'),
		url: blueprint.url,
		headers,
		encoding: 'stream',
	}, call);
	if (answer.statusCode < 300) {
		// The socket's reads go back as soon as the parser has copied the body out of them.
		return { ...answer, readsHeld: freeSocketReads(answer.body) === undefined };
	}
	if (answer.statusCode < 400) return answer;
	return { ...answer, body: await streamText(answer.body) };
}

function bodyText(body: unknown): string {
	if (typeof body === 'string') return body;
	if (Buffer.isBuffer(body)) return body.toString('utf8');
	if (body === undefined || body === null) return '';
	return typeof body === 'object' ? JSON.stringify(body) : String(body);
}

/** The first few KiB of an error answer (S3 XML), enough for a message; the rest is dropped. */
async function streamText(stream: BinaryStream): Promise<string> {
	const chunks: Buffer[] = [];
	let size = 0;
	try {
		for await (const chunk of stream) {
			const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string);
			chunks.push(buffer);
			size += buffer.length;
			if (size > 16 * 1024) break;
		}
	} catch (error) {
		chunks.push(Buffer.from(` (${(error as Error).message})`));
	}
	stream.destroy();
	return Buffer.concat(chunks).toString('utf8');
}

/** S3's error `<Code>` (`RequestTimeout`, `SlowDown`, `AccessDenied`, …), if the answer has one. */
export function storageErrorCode(body: string): string | undefined {
	return /<Code>([^<]*)<\/Code>/.exec(body)?.[1] || undefined;
}

/** A header of a storage answer as one string. */
export function headerValue(answer: StorageAnswer<unknown>, name: string): string | undefined {
	const raw = answer.headers[name.toLowerCase()] ?? answer.headers[name];
	const value = Array.isArray(raw) ? raw[0] : raw;
	return typeof value === 'string' && value ? value : undefined;
}

/** S3's error `<Code>` and `<Message>`, or the text itself, short, for error messages. */
export function storageErrorText(body: string): string {
	const code = /<Code>([^<]*)<\/Code>/.exec(body)?.[1];
	const message = /<Message>([^<]*)<\/Message>/.exec(body)?.[1];
	const text = [code, message].filter(Boolean).join(': ') || body.replace(/<[^>]*>/g, ' ').replace(/\s+/g, ' ').trim();
	return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}
