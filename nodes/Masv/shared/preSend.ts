import { NodeOperationError } from 'n8n-workflow';
import type { IExecuteSingleFunctions, IHttpRequestOptions, PreSendAction } from 'n8n-workflow';

import { listParameter, plainText } from './items';

/**
 * The plain text of a string or resource-locator parameter of a routed operation, trimmed; a
 * NodeOperationError naming the parameter when it is empty.
 */
export function requiredText(ctx: IExecuteSingleFunctions, name: string, label: string): string {
	const text = plainText(ctx.getNodeParameter(name, '', { extractValue: true }));
	if (!text) {
		throw new NodeOperationError(ctx.getNode(), `The parameter "${label}" is empty`, {
			itemIndex: ctx.getItemIndex(),
			description: `Enter a value for "${label}".`,
		});
	}
	return text;
}

/**
 * A preSend step for a parameter the request path needs (an ID): an empty value would call a
 * different MASV route, so it stops the item with an error naming the parameter instead.
 */
export function requireParameter(name: string, label: string): PreSendAction {
	return async function (this: IExecuteSingleFunctions, requestOptions: IHttpRequestOptions) {
		requiredText(this, name, label);
		return requestOptions;
	};
}

/**
 * A preSend step that sends a list parameter (comma-separated text or an array from an expression)
 * as a JSON array body property; omitted when empty unless `required`.
 */
export function listBody(name: string, label: string, property: string, required: boolean): PreSendAction {
	return async function (this: IExecuteSingleFunctions, requestOptions: IHttpRequestOptions) {
		const list = listParameter(this.getNodeParameter(name, ''));
		if (list.length === 0 && required) {
			throw new NodeOperationError(this.getNode(), `The parameter "${label}" is empty`, {
				itemIndex: this.getItemIndex(),
				description: 'Give one or more IDs separated by commas, or an array of them from an expression.',
			});
		}
		if (list.length > 0) {
			requestOptions.body = { ...((requestOptions.body as object | undefined) ?? {}), [property]: list };
		}
		return requestOptions;
	};
}
