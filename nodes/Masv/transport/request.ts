import { NodeOperationError, sleep } from 'n8n-workflow';

import type {
	IAllExecuteFunctions,
	IDataObject,
	IHttpRequestMethods,
	IHttpRequestOptions,
	IN8nHttpFullResponse,
	INode,
} from 'n8n-workflow';

import { masvApiError } from './errors';
import type { MasvAuth } from './errors';

/** Any n8n context that may call MASV: execute, declarative item, load options, poll. */
export type MasvContext = IAllExecuteFunctions;

export interface MasvRequest {
	method: IHttpRequestMethods;
	/** Path below the base URL, e.g. `/v1/teams`. */
	path: string;
	qs?: IDataObject;
	body?: IDataObject | IDataObject[];
	headers?: Record<string, string>;
	/**
	 * Whether a second attempt is harmless when the first may have reached MASV (GET, PUT, DELETE,
	 * finalize, chunk URLs). Creates are retried only where MASV cannot have acted (429).
	 */
	idempotent?: boolean;
	itemIndex?: number;
}

/** How API calls are retried (docs/masv-api.md §19). Exported for the tests and the docs only. */
export const API_RETRY = {
	maxAttempts: 5,
	baseDelayMs: 500,
	maxDelayMs: 30_000,
	/** Longest `Retry-After` honoured; a longer one ends the retries with MASV's error. */
	maxRetryAfterMs: 120_000,
};

/** MASV's API, where the credential names no other base URL. */
export const DEFAULT_BASE_URL = 'https://api.massive.app';

export function trimBaseUrl(baseUrl: unknown): string {
	const url = typeof baseUrl === 'string' && baseUrl.trim() ? baseUrl.trim() : DEFAULT_BASE_URL;
	return url.replace(/\/+$/, '');
}

/** The base URL of the MASV API, from the credential. */
export async function getMasvBaseUrl(ctx: MasvContext): Promise<string> {
	const credentials = await ctx.getCredentials('masvApi');
	return trimBaseUrl(credentials.baseUrl);
}

/** A call with the credential's API key (`X-API-KEY`). */
export async function masvApiRequest<T = unknown>(ctx: MasvContext, request: MasvRequest): Promise<T> {
	const baseUrl = await getMasvBaseUrl(ctx);
	return await withRetries(ctx, request, 'apiKey', async () =>
		(await ctx.helpers.httpRequestWithAuthentication.call(
			ctx,
			'masvApi',
			toHttpOptions(baseUrl, request),
		)) as IN8nHttpFullResponse,
	);
}

/** A call with a package token (`X-Package-Token`) and no API key. */
export async function masvPackageRequest<T = unknown>(
	ctx: MasvContext,
	baseUrl: string,
	packageToken: string,
	request: MasvRequest,
): Promise<T> {
	return await sendWithoutCredential<T>(ctx, baseUrl, {
		...request,
		headers: { ...request.headers, 'X-Package-Token': packageToken },
	}, 'packageToken');
}

/** A call MASV serves without credentials (portal lookup, portal package create, link info). */
export async function masvPublicRequest<T = unknown>(
	ctx: MasvContext,
	baseUrl: string,
	request: MasvRequest,
	auth: MasvAuth = 'none',
): Promise<T> {
	return await sendWithoutCredential<T>(ctx, baseUrl, request, auth);
}

async function sendWithoutCredential<T>(
	ctx: MasvContext,
	baseUrl: string,
	request: MasvRequest,
	auth: MasvAuth,
): Promise<T> {
	return await withRetries(ctx, request, auth, async () =>
		(await ctx.helpers.httpRequest(toHttpOptions(baseUrl, request))) as IN8nHttpFullResponse,
	);
}

function toHttpOptions(baseUrl: string, request: MasvRequest): IHttpRequestOptions {
	const options: IHttpRequestOptions = {
		method: request.method,
		url: `${baseUrl}${request.path}`,
		qs: request.qs,
		headers: { Accept: 'application/json', ...request.headers },
		json: true,
		returnFullResponse: true,
		ignoreHttpStatusErrors: true,
	};
	if (request.method === 'POST' || request.method === 'PUT') {
		// MASV refuses a POST or PUT without a JSON content type, even with no body (docs/masv-api.md §1).
		options.headers = { ...options.headers, 'Content-Type': 'application/json' };
		options.body = request.body ?? {};
	}
	return options;
}

async function withRetries<T>(
	ctx: MasvContext,
	request: MasvRequest,
	auth: MasvAuth,
	send: () => Promise<IN8nHttpFullResponse>,
): Promise<T> {
	const node = ctx.getNode();
	const idempotent = request.idempotent ?? (request.method === 'GET' || request.method === 'DELETE');
	for (let attempt = 1; ; attempt++) {
		throwIfCancelled(ctx, node);
		let response: IN8nHttpFullResponse;
		try {
			response = await send();
		} catch (error) {
			// No HTTP answer at all (reset, refused, timeout). Only a call that is safe to repeat, or
			// one that never reached MASV, is tried again.
			const neverSent = (error as { code?: string }).code === 'ECONNREFUSED';
			if ((idempotent || neverSent) && attempt < API_RETRY.maxAttempts) {
				await pause(ctx, node, backoffDelay(attempt));
				continue;
			}
			throw masvApiError(node, 0, `Could not reach MASV: ${networkMessage(error)}`, auth, request.itemIndex);
		}
		const status = response.statusCode;
		if (status < 400) return response.body as T;
		const retryable = status === 429 || (status >= 500 && (idempotent || status === 503));
		if (retryable && attempt < API_RETRY.maxAttempts) {
			const retryAfter = status === 429 ? retryAfterMs(response.headers) : undefined;
			if (retryAfter === undefined || retryAfter <= API_RETRY.maxRetryAfterMs) {
				await pause(ctx, node, retryAfter ?? backoffDelay(attempt));
				continue;
			}
		}
		throw masvApiError(node, status, response.body, auth, request.itemIndex);
	}
}

/** Exponential backoff with full jitter: attempt 1 waits up to base, attempt 2 up to 2×base, … */
export function backoffDelay(attempt: number, baseMs = API_RETRY.baseDelayMs, maxMs = API_RETRY.maxDelayMs): number {
	const ceiling = Math.min(maxMs, baseMs * 2 ** (attempt - 1));
	return Math.round(ceiling / 2 + (Math.random() * ceiling) / 2);
}

/** `Retry-After` in seconds or as an HTTP date, in milliseconds. */
export function retryAfterMs(headers: IDataObject | undefined): number | undefined {
	const raw = headers?.['retry-after'] ?? headers?.['Retry-After'];
	if (raw === undefined || raw === null || raw === '') return undefined;
	const seconds = Number(raw);
	if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
	const date = Date.parse(String(raw));
	return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

/** A failed request without an HTTP answer, in words; never repeats a URL (pre-signed URLs carry signatures). */
export function networkMessage(error: unknown): string {
	const { code, message } = (error ?? {}) as { code?: string; message?: string };
	const text = [code, message].filter(Boolean).join(' ') || 'network error';
	return text.replace(/https?:\/\/\S+/g, '<URL>');
}

function cancelSignal(ctx: MasvContext): AbortSignal | undefined {
	const withSignal = ctx as { getExecutionCancelSignal?: () => AbortSignal | undefined };
	return typeof withSignal.getExecutionCancelSignal === 'function'
		? withSignal.getExecutionCancelSignal()
		: undefined;
}

export function throwIfCancelled(ctx: MasvContext, node: INode): void {
	if (cancelSignal(ctx)?.aborted) {
		throw masvCancelled(node);
	}
}

export function masvCancelled(node: INode): NodeOperationError {
	return new NodeOperationError(node, 'The execution was cancelled');
}

/**
 * `sleep` from n8n-workflow in short slices that rejects as soon as `signal` aborts. (n8n-workflow
 * 1.x had `sleepWithAbort`; 2.x no longer exports it, so the node cannot rely on it.)
 */
export async function sleepUnlessAborted(ms: number, signal?: AbortSignal): Promise<void> {
	const until = Date.now() + ms;
	for (let left = ms; left > 0; left = until - Date.now()) {
		if (signal?.aborted) throw abortError();
		await sleep(Math.min(left, 100));
	}
	if (signal?.aborted) throw abortError();
}

function abortError(): Error {
	const error = new Error('The operation was aborted');
	error.name = 'AbortError';
	return error;
}

/** A wait that ends with a cancellation error as soon as the execution is cancelled. */
export async function pause(ctx: MasvContext, node: INode, ms: number): Promise<void> {
	await pauseUnlessCancelled(node, ms, cancelSignal(ctx));
}

/** A wait that ends with a cancellation error as soon as `signal` (the execution's) aborts. */
export async function pauseUnlessCancelled(node: INode, ms: number, signal?: AbortSignal): Promise<void> {
	try {
		await sleepUnlessAborted(ms, signal);
	} catch {
		throw masvCancelled(node);
	}
}
