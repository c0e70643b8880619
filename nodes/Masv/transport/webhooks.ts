import type { IDataObject, INode } from 'n8n-workflow';

import { toNodeError } from './errors';

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

/** `POST /v1/teams/{teamId}/custom_webhooks` (§13.2): 201 with the webhook. Not repeated on doubt. */
export async function createCustomWebhook(ctx: MasvContext, teamId: string, fields: CustomWebhookFields): Promise<IDataObject> {
	return await masvApiRequest<IDataObject>(ctx, {
		method: 'POST',
		path: `/v1/teams/${encodeURIComponent(teamId)}/custom_webhooks`,
		body: customWebhookBody(fields),
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

/** The IDs of the webhooks a portal object lists (`custom_webhooks`: IDs or objects with `id`). */
export function attachedWebhookIds(portal: IDataObject): string[] {
	const list = Array.isArray(portal.custom_webhooks) ? (portal.custom_webhooks as unknown[]) : [];
	const ids: string[] = [];
	for (const entry of list) {
		const id = typeof entry === 'string' ? entry : entry && typeof entry === 'object' ? (entry as IDataObject).id : undefined;
		if (typeof id === 'string' && id && !ids.includes(id)) ids.push(id);
	}
	return ids;
}

/** `GET /v1.1/portals/{portalId}` (§9.5). */
export async function getPortal(ctx: MasvContext, portalId: string): Promise<IDataObject> {
	return await masvApiRequest<IDataObject>(ctx, { method: 'GET', path: `/v1.1/portals/${encodeURIComponent(portalId)}` });
}

/**
 * The body of a portal write that changes only the attached webhooks: `name` and `subdomain`
 * (which `PUT /v1/portals/{id}` requires, §9.6) as the portal has them, and `custom_webhooks` as
 * `[{id}]`. Nothing else of the portal is sent, so nothing else can change.
 */
export function portalWebhooksBody(portal: IDataObject, webhookIds: string[]): IDataObject {
	return {
		name: portal.name,
		subdomain: portal.subdomain,
		custom_webhooks: webhookIds.map((id) => ({ id })),
	};
}

async function writePortalWebhooks(ctx: MasvContext, portalId: string, webhookIds: string[], portal: IDataObject): Promise<void> {
	await masvApiRequest(ctx, {
		method: 'PUT',
		path: `/v1/portals/${encodeURIComponent(portalId)}`,
		body: portalWebhooksBody(portal, webhookIds),
		idempotent: true,
	});
}

/**
 * Attaches a webhook to a portal: `custom_webhooks: [{id}, …the ids already attached]`. Reads the
 * portal first, as MASV replaces the whole list; does nothing when the webhook is attached already.
 * Returns whether it wrote.
 */
export async function attachWebhookToPortal(ctx: MasvContext, portalId: string, webhookId: string): Promise<boolean> {
	const portal = await getPortal(ctx, portalId);
	const attached = attachedWebhookIds(portal);
	if (attached.includes(webhookId)) return false;
	await writePortalWebhooks(ctx, portalId, [webhookId, ...attached], portal);
	return true;
}

/** Detaches a webhook from a portal, keeping every other attached webhook. Returns whether it wrote. */
export async function detachWebhookFromPortal(ctx: MasvContext, portalId: string, webhookId: string): Promise<boolean> {
	const portal = await getPortal(ctx, portalId);
	const attached = attachedWebhookIds(portal);
	if (!attached.includes(webhookId)) return false;
	await writePortalWebhooks(
		ctx,
		portalId,
		attached.filter((id) => id !== webhookId),
		portal,
	);
	return true;
}

/**
 * Whether a failed webhook call means the team may not use custom webhooks. MASV enables them per
 * team (§13.1) and does not document the refusal; a 402 or 403 on the team's webhook routes is
 * taken as that answer.
 */
export function isWebhooksFeatureRefusal(error: unknown): boolean {
	const status = Number((error as { httpCode?: unknown }).httpCode);
	return status === 402 || status === 403;
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
