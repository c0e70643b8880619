// Every routed (declarative) operation sends its request through here, so that it gets the same
// retry policy as the custom operations and the transfers (transport/retry.ts): see
// docs/reliability.md, "Routed operations".
//
// n8n's routing hands a custom pagination function (`routing.operations.pagination`) the request
// and `makeRoutingRequest`, which sends it and runs the operation's postReceive steps. Every
// routed operation has one (`route()` in shared/routing.ts), even the ones that read no pages, so
// the node decides when the request is sent again, and with which timeout: n8n sets every routed
// request's timeout to 300 s (or Request Options → Timeout) after the node's own defaults.
import { NodeApiError, NodeOperationError } from 'n8n-workflow';
import type {
	DeclarativeRestApiSettings,
	IDataObject,
	IExecutePaginationFunctions,
	IExecuteSingleFunctions,
	IN8nHttpFullResponse,
	INodeExecutionData,
	PostReceiveAction,
} from 'n8n-workflow';

import { masvApiError, toNodeError } from '../transport/errors';
import { masvCancelled, STALL_GRACE_MS } from '../transport/request';
import type { CreateReadBack } from '../transport/readBack';
import { CancelledError, errorVerdict, guard, RetryWindow, statusVerdict } from '../transport/retry';
import type { RetryPolicy, Verdict } from '../transport/retry';
import { optionsPolicy } from './transferOptions';

/**
 * How a routed call may be repeated. `read`: GET, and writes that are safe to repeat (PUT and
 * DELETE by ID). A create is never sent again blindly after a doubt: it is read back first.
 */
export type RoutedKind = 'read' | { create: CreateReadBack };

/** A transient answer (429, 5xx) caught before the operation's error step turns it into an error. */
class TransientAnswer extends Error {
	constructor(
		readonly response: IN8nHttpFullResponse,
		readonly verdict: Verdict,
	) {
		super(verdict.reason);
	}
}

/** A 404 to a DELETE sent again after a doubt: the first one did its work. */
class GoneAfterDoubt extends Error {}

/** The first postReceive step of a request: notes that MASV answered, and stops transient answers. */
interface Gate {
	answered: boolean;
	/** A DELETE failed in doubt before: a 404 now means it was carried out. */
	goneMeansDone: boolean;
	action: PostReceiveAction;
}

const gates = new WeakMap<DeclarativeRestApiSettings.ResultOptions, Gate>();

function gateOf(requestData: DeclarativeRestApiSettings.ResultOptions): Gate {
	let gate = gates.get(requestData);
	if (!gate) {
		const created: Gate = {
			answered: false,
			goneMeansDone: false,
			action: async function (items, response) {
				created.answered = true;
				if (response.statusCode < 400) return items;
				if (response.statusCode === 404 && created.goneMeansDone) throw new GoneAfterDoubt();
				const verdict = statusVerdict(response.statusCode, response.headers);
				if (verdict.transient) throw new TransientAnswer(response, verdict);
				return items;
			},
		};
		gate = created;
		// `makeRoutingRequest` runs the postReceive steps of this very object (n8n's routing-node.js).
		requestData.postReceive.unshift({ actions: [created.action], data: { parameterValue: undefined } });
		gates.set(requestData, created);
	}
	return gate;
}

/**
 * The operation's postReceive steps, run on an answer the node already holds (the last transient
 * answer, when it gives up; a record it adopted after a create): the output then has the shape and
 * the error the operation always gives.
 */
async function runPostReceive(
	ctx: IExecuteSingleFunctions,
	requestData: DeclarativeRestApiSettings.ResultOptions,
	response: IN8nHttpFullResponse,
): Promise<INodeExecutionData[]> {
	const gate = gates.get(requestData);
	let items: INodeExecutionData[] = [{ json: response.body as IDataObject }];
	for (const step of requestData.postReceive) {
		for (const action of step.actions) {
			if (action === gate?.action) continue;
			if (typeof action !== 'function') {
				throw new NodeOperationError(ctx.getNode(), 'A routed operation of the MASV node has a postReceive step the node cannot run itself', {
					itemIndex: ctx.getItemIndex(),
				});
			}
			items = await action.call(ctx, items, response);
		}
	}
	return items;
}

/** The error inside an n8n wrapper (NodeApiError keeps the HTTP client's error as its cause). */
function rootCause(error: unknown): unknown {
	const cause = (error as { cause?: unknown } | undefined)?.cause;
	return cause && typeof cause === 'object' ? cause : error;
}

/** The retry window and stall timeout of a routed operation: its Options, else the defaults. */
export function routedPolicy(ctx: IExecuteSingleFunctions): RetryPolicy {
	const options = ctx.getNodeParameter('options', {}) as IDataObject;
	return optionsPolicy(ctx.getNode(), options && typeof options === 'object' ? options : {}, ctx.getItemIndex());
}

/**
 * Sends one routed request (`options`) with the node's retry policy and returns the operation's
 * output items: transient failures are retried within the retry window; a create is read back
 * after a doubt (transport/readBack.ts) and adopts what it made; everything else ends as the
 * operation's own error.
 */
export async function sendRouted(
	ctx: IExecutePaginationFunctions,
	requestData: DeclarativeRestApiSettings.ResultOptions,
	options: DeclarativeRestApiSettings.HttpRequestOptions,
	kind: RoutedKind = 'read',
): Promise<INodeExecutionData[]> {
	const node = ctx.getNode();
	const itemIndex = ctx.getItemIndex();
	const policy = routedPolicy(ctx);
	const cancel = ctx.getExecutionCancelSignal?.();
	const retry = new RetryWindow(policy, cancel);
	const gate = gateOf(requestData);
	const create = typeof kind === 'object' ? kind.create : undefined;
	const deletes = String(options.method ?? requestData.options.method ?? '').toUpperCase() === 'DELETE';
	for (;;) {
		gate.answered = false;
		const sentAt = Date.now();
		let verdict: Verdict;
		let answer: IN8nHttpFullResponse | undefined;
		try {
			// n8n sets `timeout` to 300 s (or Request Options → Timeout) before this point; the
			// stall timeout replaces it. `guard` stops waiting a little later in case the helper
			// does not end the request, and at once on cancel.
			return await guard(
				async () => await ctx.makeRoutingRequest({ ...requestData, options: { ...options, timeout: policy.stallMs } }),
				{ cancel, stallMs: policy.stallMs + STALL_GRACE_MS },
			);
		} catch (error) {
			if (error instanceof CancelledError || cancel?.aborted) throw masvCancelled(node);
			if (error instanceof GoneAfterDoubt) {
				return await runPostReceive(ctx, requestData, { statusCode: 204, statusMessage: 'No Content', headers: {}, body: '' });
			}
			if (error instanceof TransientAnswer) {
				verdict = error.verdict;
				answer = error.response;
			} else if (gate.answered) {
				// MASV answered and a later step failed (the operation's own error): not a transport matter.
				throw toNodeError(node, error, itemIndex);
			} else {
				verdict = errorVerdict(rootCause(error));
				if (!verdict.transient) throw toNodeError(node, error, itemIndex);
			}
		}
		if (deletes && inDoubt(verdict, answer)) gate.goneMeansDone = true;
		if (create && inDoubt(verdict, answer)) {
			const outcome = await create.resolve(ctx, options, sentAt, policy);
			if (outcome.adopt !== undefined) {
				return await runPostReceive(ctx, requestData, { statusCode: 201, statusMessage: 'Created', headers: {}, body: outcome.adopt });
			}
			if (outcome.unknown !== undefined) {
				throw masvApiError(node, answer?.statusCode ?? 0, `${outcome.unknown} (${verdict.reason})`, 'apiKey', itemIndex);
			}
			// Read back and found nothing: MASV did not carry the create out, so it may be sent again.
		}
		const delay = retry.nextDelay(verdict);
		if (delay !== undefined) {
			try {
				await retry.pause(delay);
			} catch {
				throw masvCancelled(node);
			}
			continue;
		}
		if (answer) {
			// Given up on a transient answer: the operation's error step says what MASV said.
			try {
				return await runPostReceive(ctx, requestData, answer);
			} catch (error) {
				if (error instanceof NodeApiError) {
					error.description = `${error.description ?? ''} ${retry.givenUp()}`.trim();
				}
				throw toNodeError(node, error, itemIndex);
			}
		}
		throw masvApiError(node, 0, `Could not reach MASV: ${retry.summary()}`, 'apiKey', itemIndex);
	}
}

/**
 * Whether a failed create may have been carried out: no answer at all (reset, timeout, a lost
 * reply) or a server error. A 429, a 503 and a refused connection say that MASV did not act.
 */
export function inDoubt(verdict: Verdict, answer?: IN8nHttpFullResponse): boolean {
	if (answer) return answer.statusCode !== 429 && answer.statusCode !== 503;
	return !/connection refused/.test(verdict.reason);
}

/** The pagination function of a routed operation that reads one answer (routing.ts `route`). */
export function routedCall(kind: RoutedKind) {
	return async function (
		this: IExecutePaginationFunctions,
		requestData: DeclarativeRestApiSettings.ResultOptions,
	): Promise<INodeExecutionData[]> {
		return await sendRouted(this, requestData, requestData.options, kind);
	};
}
