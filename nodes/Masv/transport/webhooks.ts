import type { IDataObject, INode } from 'n8n-workflow';

import { toNodeError } from './errors';

import { putPortal, readPortal, referenceIds } from './portals';
import { findWebhook, readBack } from './readBack';
import { masvApiRequest } from './request';
import type { MasvContext } from './request';

/**
 * MASV custom webhooks (docs/masv-api.md §13): team-owned definitions that MASV calls for package
 * events, in effect only while attached to a portal (§9.6). One function per MASV call, so that the
 * `webhook` resource and the MASV Webhook Trigger send the same requests.
 */

/** The events MASV documents (§13.4). Other names are not offered until MASV documents them. */
export const WEBHOOK_EVENTS = ['package.created', 'package.finalized'] as const;
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];

/** The writable fields of a custom webhook (§13.2). `headers` and `body_extras` hold strings only. */
export interface CustomWebhookFields {
	url: string;
	events: string[];
	method: 'POST' | 'PUT';
	active: boolean;
	name?: string;
	headers?: Record<string, string>;
	bodyExtras?: Record<string, string>;
}

/** The JSON body of a create or update (§13.2, §13.3: update takes the full object). */
export function customWebhookBody(fields: CustomWebhookFields): IDataObject {
	const body: IDataObject = {
		active: fields.active,
		events: [...fields.events],
		method: fields.method,
		url: fields.url,
	};
	if (fields.name !== undefined) body.name = fields.name;
	if (fields.headers !== undefined) body.headers = { ...fields.headers };
	if (fields.bodyExtras !== undefined) body.body_extras = { ...fields.bodyExtras };
	return body;
}

const webhookPath = (webhookId: string) => `/v1/custom_webhooks/${encodeURIComponent(webhookId)}`;

/**
 * `POST /v1/teams/{teamId}/custom_webhooks` (§13.2): 201 with the webhook. Never sent again after a
 * doubt: the webhook is read back (`findWebhook`) and adopted.
 */
export async function createCustomWebhook(ctx: MasvContext, teamId: string, fields: CustomWebhookFields): Promise<IDataObject> {
	const body = customWebhookBody(fields);
	return await masvApiRequest<IDataObject>(ctx, {
		method: 'POST',
		path: `/v1/teams/${encodeURIComponent(teamId)}/custom_webhooks`,
		body,
		readBack: async (sentAt) => await readBack(`A webhook for "${String(body.url)}"`, async () => await findWebhook(ctx, teamId, body, sentAt)),
	});
}

/** `GET /v1/custom_webhooks/{id}` (§13.3, UNCERTAIN route). */
export async function getCustomWebhook(ctx: MasvContext, webhookId: string): Promise<IDataObject> {
	return await masvApiRequest<IDataObject>(ctx, { method: 'GET', path: webhookPath(webhookId) });
}

/** `GET /v1/teams/{teamId}/custom_webhooks` (§13.3, UNCERTAIN route): a plain array, or `records`. */
export async function listCustomWebhooks(ctx: MasvContext, teamId: string): Promise<IDataObject[]> {
	const body = await masvApiRequest<unknown>(ctx, {
		method: 'GET',
		path: `/v1/teams/${encodeURIComponent(teamId)}/custom_webhooks`,
	});
	if (Array.isArray(body)) return body as IDataObject[];
	const records = (body as IDataObject | undefined)?.records;
	return Array.isArray(records) ? (records as IDataObject[]) : [];
}

/** `PUT /v1/custom_webhooks/{id}` (§13.3): the full object. */
export async function updateCustomWebhook(ctx: MasvContext, webhookId: string, fields: CustomWebhookFields): Promise<IDataObject> {
	return await masvApiRequest<IDataObject>(ctx, {
		method: 'PUT',
		path: webhookPath(webhookId),
		body: customWebhookBody(fields),
		idempotent: true,
	});
}

/** `DELETE /v1/custom_webhooks/{id}` (§13.3, UNCERTAIN route). */
export async function deleteCustomWebhook(ctx: MasvContext, webhookId: string): Promise<void> {
	await masvApiRequest(ctx, { method: 'DELETE', path: webhookPath(webhookId) });
}

/** The IDs of the webhooks a portal, as read, has attached (`custom_webhooks`: IDs or `{id}`). */
export function attachedWebhookIds(portal: IDataObject): string[] {
	return [...new Set(referenceIds(portal, 'custom_webhooks').map(({ id }) => id))];
}

/**
 * Attaches a webhook to a portal: a portal write (`putPortal`, so `name`, `subdomain` and
 * `custom_webhooks` only) of `[{id}, …the ids already attached]`, since MASV replaces the whole
 * list. Writes nothing when the webhook is attached already. Returns whether it wrote.
 */
export async function attachWebhookToPortal(ctx: MasvContext, portalId: string, webhookId: string): Promise<boolean> {
	return await changePortalWebhooks(ctx, portalId, (attached) =>
		attached.includes(webhookId) ? undefined : [webhookId, ...attached],
	);
}

/** Detaches a webhook from a portal, keeping every other attached webhook. Returns whether it wrote. */
export async function detachWebhookFromPortal(ctx: MasvContext, portalId: string, webhookId: string): Promise<boolean> {
	return await changePortalWebhooks(ctx, portalId, (attached) =>
		attached.includes(webhookId) ? attached.filter((id) => id !== webhookId) : undefined,
	);
}

/** Reads the portal; when `next` gives a new list of webhook IDs, writes it. Returns whether it wrote. */
async function changePortalWebhooks(
	ctx: MasvContext,
	portalId: string,
	next: (attached: string[]) => string[] | undefined,
): Promise<boolean> {
	const portal = await readPortal(ctx, portalId);
	const ids = next(attachedWebhookIds(portal));
	if (!ids) return false;
	await putPortal(ctx, portalId, portal, { custom_webhooks: ids.map((id) => ({ id })) });
	return true;
}

/** The answers of a team's webhook routes read as "custom webhooks are off for this team". */
export const WEBHOOKS_OFF_STATUSES = [402, 403];

/**
 * Whether a failed webhook call means the team may not use custom webhooks. MASV enables them per
 * team (§13.1) and does not document the refusal; a 402 or 403 on the team's webhook routes is
 * taken as that answer.
 */
export function isWebhooksFeatureRefusal(error: unknown): boolean {
	return WEBHOOKS_OFF_STATUSES.includes(Number((error as { httpCode?: unknown }).httpCode));
}

/** Whether a failed MASV call answered 404. */
export function isNotFound(error: unknown): boolean {
	return String((error as { httpCode?: unknown }).httpCode) === '404';
}

/** The call's answer, or undefined when MASV answers 404 (the webhook, portal or package is gone). */
export async function unlessGone<T>(node: INode, call: () => Promise<T>): Promise<T | undefined> {
	try {
		return await call();
	} catch (error) {
		if (isNotFound(error)) return undefined;
		throw toNodeError(node, error, 0);
	}
}
