import type {
	DeclarativeRestApiSettings,
	IDataObject,
	IExecutePaginationFunctions,
	IExecuteSingleFunctions,
	IHttpRequestMethods,
	IN8nHttpFullResponse,
	INodeExecutionData,
	INodePropertyOptions,
	PostReceiveAction,
	PreSendAction,
} from 'n8n-workflow';

import { masvApiError } from '../transport/errors';
import { cannotReadBack } from '../transport/readBack';
import type { CreateReadBack } from '../transport/readBack';
import { PageWalk } from './pages';
import { routedCall, sendRouted } from './routedCall';
import { simplifyOutput } from './simplify';
import type { SimpleKind } from './simplify';

/** MASV's v1.1 lists serve at most 50 records a page on some routes (docs/masv-api.md §18.2). */
export const PAGE_SIZE = 50;

/**
 * Every routed call ends here first: a MASV error becomes a NodeApiError with MASV's message and
 * status; with "Continue On Fail" it becomes an error item instead, paired with its input.
 */
export async function handleMasvError(
	this: IExecuteSingleFunctions,
	items: INodeExecutionData[],
	response: IN8nHttpFullResponse,
): Promise<INodeExecutionData[]> {
	return await masvErrorStep({}).call(this, items, response);
}

/** `handleMasvError` with an operation's own hints, by HTTP status. */
export function masvErrorStep(hints: Partial<Record<number, string>>) {
	return async function (
		this: IExecuteSingleFunctions,
		items: INodeExecutionData[],
		response: IN8nHttpFullResponse,
	): Promise<INodeExecutionData[]> {
		if (response.statusCode < 400) return items;
		const error = masvApiError(this.getNode(), response.statusCode, response.body, 'apiKey', this.getItemIndex(), hints);
		if (this.continueOnFail()) {
			return [{ json: { error: error.message, httpCode: String(response.statusCode) } }];
		}
		throw error;
	};
}

/** Pairs every item a routed call returns with the input item that made it. */
export async function pairWithInput(
	this: IExecuteSingleFunctions,
	items: INodeExecutionData[],
): Promise<INodeExecutionData[]> {
	const item = this.getItemIndex();
	return items.map((entry) => ({ ...entry, pairedItem: { item } }));
}

/** A 204 (delete) answers with nothing: say what happened instead. */
export async function deletedResult(
	this: IExecuteSingleFunctions,
	items: INodeExecutionData[],
	response: IN8nHttpFullResponse,
): Promise<INodeExecutionData[]> {
	if (response.statusCode >= 400) return items;
	return [{ json: { deleted: true } }];
}

/**
 * The records of a list answer: a bare array, or an object holding them under `key` (or
 * `records`), as docs/masv-api.md §18 allows for every v1.1 list.
 */
export function listRecords(key = 'records') {
	return async function (
		this: IExecuteSingleFunctions,
		items: INodeExecutionData[],
		response: IN8nHttpFullResponse,
	): Promise<INodeExecutionData[]> {
		if (response.statusCode >= 400) return items;
		return recordsOf(response.body, key).map((json) => ({ json }));
	};
}

export function recordsOf(body: unknown, key = 'records'): IDataObject[] {
	if (Array.isArray(body)) return body as IDataObject[];
	if (body && typeof body === 'object') {
		const value = (body as IDataObject)[key] ?? (body as IDataObject).records;
		if (Array.isArray(value)) return value as IDataObject[];
	}
	return [];
}

export function totalOf(body: unknown): number | undefined {
	const total = (body as { metadata?: { total?: unknown } } | undefined)?.metadata?.total;
	return typeof total === 'number' ? total : undefined;
}

/**
 * Return All / Limit for MASV's v1.1 lists (`page` + `limit`, `metadata.total`). Walks pages from
 * `firstPage` by the stop rule of `PageWalk` (shared/pages.ts), each record once. With Return All
 * off it reads only as many pages as the Limit needs.
 */
export function v11Pagination(firstPage: 0 | 1) {
	return async function (
		this: IExecutePaginationFunctions,
		requestData: DeclarativeRestApiSettings.ResultOptions,
	): Promise<INodeExecutionData[]> {
		const returnAll = this.getNodeParameter('returnAll', false) as boolean;
		const limit = returnAll ? Infinity : (this.getNodeParameter('limit', PAGE_SIZE) as number);
		const pageSize = Math.max(1, Math.min(PAGE_SIZE, limit));
		let total: number | undefined;
		const captureTotal: PostReceiveAction = async function (items, response) {
			if (response.statusCode < 400) total = totalOf(response.body);
			return items;
		};
		requestData.postReceive.unshift({ actions: [captureTotal], data: { parameterValue: undefined } });

		const results: INodeExecutionData[] = [];
		const walk = new PageWalk<INodeExecutionData>(pageSize, (item) => item.json.id);
		for (let page = firstPage; results.length < limit; page++) {
			const options = {
				...requestData.options,
				qs: { ...requestData.options.qs, page, limit: pageSize },
			};
			total = undefined;
			const items = await sendRouted(this, requestData, options);
			if (items.some((item) => item.json.error !== undefined && item.json.httpCode !== undefined)) {
				// Continue On Fail turned a failed page into an error item: report it and stop.
				results.push(...items);
				break;
			}
			const { fresh, more } = walk.page(items, total);
			results.push(...fresh);
			if (!more) break;
		}
		return results.slice(0, limit);
	};
}

interface RouteSpec {
	method: IHttpRequestMethods;
	/** An n8n expression for the path, e.g. `=/v1/teams/{{$parameter.teamId}}/members`. */
	url: string;
	/** Whether the MASV answer is a list to split into items, and under which key (`records`). */
	list?: string | boolean;
	/** Extra postReceive steps after the error check and list unwrapping. */
	output?: PostReceiveAction[];
	/** The kind of record, for the operation's Simplify switch (shared/simplify.ts). */
	simplify?: SimpleKind;
	/** The operation's own error hints, by HTTP status. */
	hints?: Partial<Record<number, string>>;
	/** Steps that build or check the request (n8n's `preSend`). */
	preSend?: PreSendAction[];
	/**
	 * A POST that makes something: how to find what it made after a doubt (transport/readBack.ts).
	 * Other calls are reads or writes that are safe to repeat.
	 */
	create?: CreateReadBack;
}

/**
 * The routing of one declarative operation: its request, then MASV error handling, list
 * unwrapping, the operation's own output steps, and `pairedItem` on every item. The request is
 * sent by the node's own pagination function (`routedCall`, shared/routedCall.ts), which every
 * operation has, so that every routed call gets the node's retry policy and stall timeout; the
 * Return All lists replace it with `v11Pagination`, which sends each page the same way.
 */
export function route(spec: RouteSpec): NonNullable<INodePropertyOptions['routing']> {
	const postReceive: PostReceiveAction[] = [spec.hints ? masvErrorStep(spec.hints) : handleMasvError];
	if (spec.list) postReceive.push(listRecords(typeof spec.list === 'string' ? spec.list : 'records'));
	postReceive.push(...(spec.output ?? []));
	if (spec.simplify) postReceive.push(simplifyOutput(spec.simplify));
	postReceive.push(pairWithInput);
	// A POST makes something; one without a read-back of its own is never sent again after a doubt.
	const create = spec.create ?? (spec.method === 'POST' ? cannotReadBack(() => `The record this call creates (${spec.method} ${spec.url.replace(/^=/, '')})`) : undefined);
	return {
		request: { method: spec.method, url: spec.url, ignoreHttpStatusErrors: true },
		send: { paginate: true, ...(spec.preSend ? { preSend: spec.preSend } : {}) },
		operations: { pagination: routedCall(create ? { create } : 'read') },
		output: { postReceive },
	};
}
