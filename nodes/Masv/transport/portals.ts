// Portal writes (docs/masv-api.md §9.6): the one body every portal update sends, and the read
// and write that Portal → Update and the MASV Webhook Trigger's attach and detach share.
import type { IDataObject } from 'n8n-workflow';

import { masvApiRequest } from './request';
import type { MasvContext } from './request';

/** The portal's size limits (§9.1). */
export const SIZE_FIELDS = ['max_file_count', 'max_file_size', 'max_package_size'];

/**
 * §9.1: the size limits apply only while `package_size_restriction_enabled` is on. When `changes`
 * touches a limit, the switch is computed from the limits the portal will have (`current` with
 * the changes on top) and added to `changes`.
 */
export function withSizeRestriction(changes: IDataObject, current: IDataObject = {}): IDataObject {
	if (!SIZE_FIELDS.some((field) => changes[field] !== undefined)) return changes;
	const merged = { ...current, ...changes };
	return {
		...changes,
		package_size_restriction_enabled: SIZE_FIELDS.some((field) => Number(merged[field] ?? 0) > 0),
	};
}

/**
 * The one body of every portal write after create (`PUT /v1/portals/{portalId}`), as MASV's own
 * client sends it (docs/masv-api.md §9.6, decision 2): `name` and `subdomain` (required on every
 * call; the changed ones, else the portal's current ones) and the changed MASV fields, nothing
 * else: no `id`, timestamps, `team_id` or `has_*` flags read back. `current` is the portal as read
 * (`GET /v1.1/portals/{id}`); `changes` are MASV portal fields (from `portalBody`, or
 * `custom_webhooks: [{id}, …]` from the webhook trigger).
 */
export function portalWriteBody(current: IDataObject, changes: IDataObject): IDataObject {
	return withSizeRestriction({ name: current.name, subdomain: current.subdomain, ...changes }, current);
}

/** The IDs of a portal's references as read (`custom_webhooks`, `cloud_connections`), as `[{id}]`. */
export function referenceIds(current: IDataObject, field: 'custom_webhooks' | 'cloud_connections'): Array<{ id: string }> {
	const list = Array.isArray(current[field]) ? (current[field] as unknown[]) : [];
	return list
		.map((entry) => (entry && typeof entry === 'object' ? (entry as IDataObject).id : entry))
		.filter((id): id is string => typeof id === 'string' && id !== '')
		.map((id) => ({ id }));
}

/** `GET /v1.1/portals/{portalId}` (§9.5): the portal as every write starts from it. */
export async function readPortal(ctx: MasvContext, portalId: string, itemIndex?: number): Promise<IDataObject> {
	return await masvApiRequest<IDataObject>(ctx, { method: 'GET', path: `/v1.1/portals/${encodeURIComponent(portalId)}`, itemIndex });
}

/**
 * `PUT /v1/portals/{portalId}` (§9.6) of `portalWriteBody(current, changes)`, where `current` is
 * the portal as just read (`readPortal`). Answers the body sent and MASV's answer.
 */
export async function putPortal(
	ctx: MasvContext,
	portalId: string,
	current: IDataObject,
	changes: IDataObject,
	itemIndex?: number,
): Promise<{ body: IDataObject; answer: unknown }> {
	const body = portalWriteBody(current, changes);
	const answer = await masvApiRequest(ctx, {
		method: 'PUT',
		path: `/v1/portals/${encodeURIComponent(portalId)}`,
		body,
		idempotent: true,
		itemIndex,
	});
	return { body, answer };
}

/**
 * Reads a portal, then writes `changes` to it (`putPortal`); answers the portal as read before
 * (`current`), the body sent and MASV's answer. `changes` may be a function of `current`.
 */
export async function writePortal(
	ctx: MasvContext,
	portalId: string,
	changes: IDataObject | ((current: IDataObject) => IDataObject),
	itemIndex?: number,
): Promise<{ current: IDataObject; body: IDataObject; answer: unknown }> {
	const current = await readPortal(ctx, portalId, itemIndex);
	const written = await putPortal(ctx, portalId, current, typeof changes === 'function' ? changes(current) : changes, itemIndex);
	return { current, ...written };
}
