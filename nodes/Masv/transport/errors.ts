import { NodeApiError, NodeOperationError } from 'n8n-workflow';
import type { INode, JsonObject } from 'n8n-workflow';

/** Which credential a failed call carried: it decides what a 401 means to the user. */
export type MasvAuth = 'apiKey' | 'packageToken' | 'link' | 'none';

const MAX_TEXT = 300;

/**
 * MASV's error body comes in three shapes (docs/masv-api.md §17.2, UNCERTAIN): `{code, message}`,
 * `{code, errors: [{msg}]}`, or plain text/HTML from a proxy. Returns the best human message.
 */
export function masvErrorMessage(body: unknown): string | undefined {
	if (body === undefined || body === null) return undefined;
	if (typeof body === 'string' || Buffer.isBuffer(body)) {
		const text = body.toString().trim();
		if (!text) return undefined;
		try {
			return masvErrorMessage(JSON.parse(text)) ?? truncate(text);
		} catch {
			return truncate(text.replace(/<[^>]*>/g, ' ').replace(/\s+/g, ' ').trim());
		}
	}
	if (typeof body !== 'object') return String(body);
	const record = body as { message?: unknown; errors?: unknown; error?: unknown };
	if (typeof record.message === 'string' && record.message.trim()) return record.message.trim();
	if (Array.isArray(record.errors)) {
		const messages = record.errors
			.map((entry) =>
				entry && typeof entry === 'object'
					? ((entry as { msg?: unknown; message?: unknown }).msg ??
						(entry as { message?: unknown }).message)
					: entry,
			)
			.filter((m): m is string => typeof m === 'string' && m.length > 0);
		if (messages.length) return messages.join('; ');
	}
	if (typeof record.error === 'string' && record.error.trim()) return record.error.trim();
	return undefined;
}

function truncate(text: string): string {
	return text.length > MAX_TEXT ? `${text.slice(0, MAX_TEXT)}…` : text;
}

const AUTH_HINT: Record<MasvAuth, string> = {
	apiKey: 'The MASV API key was refused. Check the API key in the MASV credential and that it is active.',
	packageToken:
		'The package token was refused: it may have expired, or it does not allow this action (a download-only token cannot upload or create links).',
	link: 'The link was refused: check the link secret and, if the link has one, its password.',
	none: 'MASV refused the request.',
};

/**
 * A failed MASV call as n8n shows it: MASV's own message, the HTTP status, and a hint for the
 * statuses users can act on (`hints`: an operation's own, by status). Built only from the status and the response body, never from the
 * request, so neither the API key nor a package token can end up in the error.
 */
export function masvApiError(
	node: INode,
	status: number,
	body: unknown,
	auth: MasvAuth,
	itemIndex?: number,
	hints: Partial<Record<number, string>> = {},
): NodeApiError {
	const masvMessage = masvErrorMessage(body);
	let message = masvMessage ?? `MASV answered with HTTP ${status}`;
	let description: string | undefined;
	if (status === 401) {
		message = masvMessage ? `${AUTH_HINT[auth]} (MASV: ${masvMessage})` : AUTH_HINT[auth];
	} else if (status === 404) {
		description = 'The item does not exist, or the API key cannot see it.';
	} else if (status === 429) {
		description = 'MASV is rate limiting requests; the node retried and gave up.';
	} else if (status >= 500) {
		description = 'MASV had a server error; the node retried and gave up.';
	}
	description = hints[status] ?? description;
	const errorBody: JsonObject = { status, message: masvMessage ?? null };
	if (body && typeof body === 'object' && !Buffer.isBuffer(body)) errorBody.body = body as JsonObject;
	return new NodeApiError(node, errorBody, {
		message,
		description,
		httpCode: String(status),
		itemIndex,
	});
}

/**
 * An error as n8n shows it for item `itemIndex`: an n8n node error as it is, anything else wrapped
 * in a NodeOperationError; either way naming the item.
 */
export function toNodeError(node: INode, error: unknown, itemIndex: number): NodeOperationError | NodeApiError {
	const failure =
		error instanceof NodeOperationError || error instanceof NodeApiError
			? error
			: new NodeOperationError(node, error as Error, { itemIndex });
	failure.context.itemIndex = itemIndex;
	return failure;
}
