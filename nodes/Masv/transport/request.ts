import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import type {
	IAllExecuteFunctions,
	IDataObject,
	IExecuteFunctions,
	IHttpRequestMethods,
	IHttpRequestOptions,
	IN8nHttpFullResponse,
	INode,
} from 'n8n-workflow';

import { optionsPolicy } from '../shared/transferOptions';
import { masvApiError, masvErrorMessage } from './errors';
import type { MasvAuth } from './errors';
import type { ReadBackOutcome } from './readBack';
import { CancelledError, DEFAULT_POLICY, errorVerdict, guard, POLL_DEADLINE, RetryWindow, stallTimeout, statusVerdict } from './retry';
import type { RetryPolicy, Verdict } from './retry';

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
	/** Retry window and stall timeout; `DEFAULT_POLICY` when not given (transport/retry.ts). */
	policy?: RetryPolicy;
	/** Runs even after the execution was cancelled (cleanup); its own window still bounds it. */
	ignoreCancel?: boolean;
	/** The operation's own hints for a failure, by HTTP status (see `masvApiError`). */
	hints?: Partial<Record<number, string>>;
	/**
	 * For a create: finds what the call made, after a failure that leaves it unknown (no answer, a
	 * 5xx other than 503), given the time the call was sent (transport/readBack.ts). What it adopts is
	 * returned as MASV's answer; when it finds nothing the create is sent again.
	 */
	readBack?: (sentAt: number) => Promise<ReadBackOutcome>;
	/** For a create without `readBack`: what it makes, for the error after a doubt ("A package named …"). */
	creates?: string;
}

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
	return await withRetries(
		ctx,
		request,
		'apiKey',
		async (options) =>
			(await ctx.helpers.httpRequestWithAuthentication.call(ctx, 'masvApi', options)) as IN8nHttpFullResponse,
		toHttpOptions(baseUrl, request),
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
	return await withRetries(
		ctx,
		request,
		auth,
		async (options) => (await ctx.helpers.httpRequest(options)) as IN8nHttpFullResponse,
		toHttpOptions(baseUrl, request),
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
	send: (options: IHttpRequestOptions) => Promise<IN8nHttpFullResponse>,
	options: IHttpRequestOptions,
): Promise<T> {
	const node = ctx.getNode();
	const idempotent = request.idempotent ?? (request.method === 'GET' || request.method === 'DELETE');
	const policy = callPolicy(ctx, request);
	const cancel = request.ignoreCancel ? undefined : cancelSignal(ctx);
	const retry = new RetryWindow(policy, cancel);
	// A DELETE that failed in doubt may have been carried out: a 404 to its repeat means it was.
	let goneMeansDone = false;
	for (;;) {
		// A poll's deadline (`policy.deadline`): no try starts after a strict one, and no retry after
		// any (`nextDelay` gives up).
		if (policy.strictDeadline ? retry.outOfTime() : retry.deadlineReached) throw masvOutOfTime(node, retry, 0, undefined, request.itemIndex);
		let response: IN8nHttpFullResponse;
		const sentAt = Date.now();
		// The stall timeout, cut to the time the deadline leaves where there is one.
		const stallMs = stallTimeout(policy);
		const guardMs = Math.min(stallMs + STALL_GRACE_MS, policy.deadline === undefined || !policy.strictDeadline ? Infinity : policy.deadline - sentAt);
		try {
			// `timeout` is the helper's idle timeout; `guard` ends the call a little later in case a
			// helper ignores it (at the deadline at the latest), and at once on cancel.
			response = await guard(
				async (abortSignal) => await send({ ...options, timeout: stallMs, abortSignal }),
				{ cancel, stallMs: guardMs },
			);
		} catch (error) {
			if (error instanceof CancelledError || cancel?.aborted) throw masvCancelled(node);
			// No HTTP answer at all (reset, refused, timeout). A call that is safe to repeat, or one
			// that never reached MASV, is tried again; a create is read back first.
			// A request whose stall timeout the deadline cut, unanswered until then: said so, rather
			// than in the helper's words for its timeout.
			const cut = stallMs < policy.stallMs && Date.now() - sentAt >= stallMs;
			const verdict = cut ? { transient: true, reason: `no answer in the ${(stallMs / 1000).toFixed(1)} s the poll had left` } : errorVerdict(error);
			const neverSent = (error as { code?: string }).code === 'ECONNREFUSED';
			if (verdict.transient && !idempotent && !neverSent) {
				const adopted = await afterDoubt<T>(node, request, auth, sentAt, 0, verdict.reason);
				if (adopted !== NOT_MADE) return adopted;
			} else if (!idempotent && !neverSent) {
				throw masvApiError(node, 0, `Could not reach MASV: ${verdict.reason}; this failure is not retried`, auth, request.itemIndex);
			}
			if (request.method === 'DELETE' && !neverSent) goneMeansDone = true;
			if (await retryOrCancel(node, retry, verdict)) continue;
			if (retry.deadlineReached) throw masvOutOfTime(node, retry, 0, undefined, request.itemIndex);
			throw masvApiError(node, 0, `Could not reach MASV: ${retry.summary()}`, auth, request.itemIndex);
		}
		const status = response.statusCode;
		if (status < 400) return response.body as T;
		if (status === 404 && goneMeansDone) return undefined as T;
		const verdict = statusVerdict(status, response.headers);
		// A create that got a 5xx may have been carried out (read back first); 429 and 503 mean MASV did not act.
		if (verdict.transient && !idempotent && status !== 429 && status !== 503) {
			const adopted = await afterDoubt<T>(node, request, auth, sentAt, status, masvErrorMessage(response.body) ?? verdict.reason);
			if (adopted !== NOT_MADE) return adopted;
		}
		if (request.method === 'DELETE' && verdict.transient && status !== 429 && status !== 503) goneMeansDone = true;
		if (verdict.transient && (await retryOrCancel(node, retry, verdict))) continue;
		if (verdict.transient && retry.deadlineReached) throw masvOutOfTime(node, retry, status, response.body, request.itemIndex);
		const error = masvApiError(node, status, response.body, auth, request.itemIndex, request.hints);
		if (verdict.transient) {
			error.description = `${error.description ?? ''} ${retry.givenUp()}`.trim();
		}
		throw error;
	}
}

/** `afterDoubt` found nothing: the create was not carried out and may be sent again. */
const NOT_MADE = Symbol('not made');

/**
 * After a create whose outcome is unknown: the record its read-back adopts, `NOT_MADE` when the
 * read-back found nothing, and otherwise an error that names what may have been created.
 */
async function afterDoubt<T>(node: INode, request: MasvRequest, auth: MasvAuth, sentAt: number, status: number, reason: string): Promise<T | typeof NOT_MADE> {
	if (!request.readBack) {
		const what = request.creates ?? `What this ${request.method} ${request.path.replace(/[0-9A-Z]{20,}/g, '{id}')} creates`;
		throw masvApiError(node, status, `${what} may have been created: MASV did not answer (${reason}), and the call is not repeated because MASV may have acted on it. Check before running this again`, auth, request.itemIndex);
	}
	const outcome = await request.readBack(sentAt);
	if (outcome.adopt !== undefined) return outcome.adopt as T;
	if (outcome.unknown !== undefined) throw masvApiError(node, status, `${outcome.unknown} (${reason})`, auth, request.itemIndex);
	return NOT_MADE;
}

/**
 * The policy of a call: the one it names; else, for a call of an operation's item, the retry
 * options of that item (`options.retryWindowMinutes`, `options.stallTimeoutSeconds`, which every
 * operation offers: docs/reliability.md, "Settings"); else the defaults.
 */
function callPolicy(ctx: MasvContext, request: MasvRequest): RetryPolicy {
	if (request.policy) return request.policy;
	const execute = ctx as Partial<IExecuteFunctions> & { getItemIndex?: unknown };
	// Only an operation's execute context takes an item index as getNodeParameter's second argument.
	if (request.itemIndex === undefined || typeof execute.getItemIndex === 'function' || typeof execute.getInputData !== 'function') {
		return DEFAULT_POLICY;
	}
	const options = execute.getNodeParameter?.('options', request.itemIndex, {}) as IDataObject | undefined;
	return optionsPolicy(ctx.getNode(), options && typeof options === 'object' ? options : {}, request.itemIndex);
}

/** Extra time `guard` gives an API call beyond the helper's own idle timeout. */
export const STALL_GRACE_MS = 5000;

async function retryOrCancel(node: INode, retry: RetryWindow, verdict: Verdict): Promise<boolean> {
	try {
		return await retry.failed(verdict);
	} catch {
		// Only a cancel ends a wait early.
		throw masvCancelled(node);
	}
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

/**
 * A call that its run's deadline ended (`RetryPolicy.deadline`; only trigger polls have one): MASV
 * did not answer in time, and the next poll tries again. The failure is declared temporary the way
 * n8n 2.x's poll scheduler reads it (`failure.cause`, as on n8n's own PollTimeoutError: its poll
 * back-off counts it as a transient failure); n8n 1.x ignores the field.
 */
function masvOutOfTime(
	node: INode,
	retry: RetryWindow,
	status: number,
	body: unknown,
	itemIndex?: number,
): NodeApiError {
	const masvMessage = status ? masvErrorMessage(body) : undefined;
	const reason = retry.last ? `${retry.last.reason}${masvMessage ? `: ${masvMessage}` : ''}` : undefined;
	const tries = retry.last ? ` (${retry.attempts} ${retry.attempts === 1 ? 'try' : 'tries'}, the last: ${reason})` : '';
	const error = new NodeApiError(
		node,
		{ status, message: masvMessage ?? null },
		{
			message: `MASV did not answer in time for this poll${tries}; the next poll will try again`,
			description:
				`All calls of one poll share one deadline, ${Math.round(POLL_DEADLINE.maxMs / 1000)} s after the poll started or sooner where n8n gives a poll less time, ` +
				'so that the poll ends before n8n abandons it. Nothing is lost: the poll state stays as the last complete poll left it, and the next poll reads from there.',
			httpCode: status ? String(status) : undefined,
			itemIndex,
		},
	);
	return Object.assign(error, { failure: { cause: 'temporarily-unavailable' } });
}

export function masvCancelled(node: INode): NodeOperationError {
	return new NodeOperationError(node, 'The execution was cancelled');
}
