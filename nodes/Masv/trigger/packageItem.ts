import type { IDataObject, INodeProperties } from 'n8n-workflow';

import { getMasvBaseUrl, masvApiRequest, masvPackageRequest } from '../transport/request';
import type { MasvContext } from '../transport/request';
import { packageMetadata } from '../shared/metadata';
import { INTERACTIVE_POLICY } from '../transport/retry';
import type { RetryPolicy } from '../transport/retry';
import { withoutTokens } from '../shared/secrets';
import { unlessGone } from '../transport/webhooks';

/**
 * The custom metadata of a package (the answers to its portal's form), in the shape of Package →
 * Get Metadata: `GET /v1/packages/{packageId}/metadata` with the package token (docs/masv-api.md
 * §5.14).
 */
export async function readPackageMetadata(ctx: MasvContext, packageId: string, packageToken: string, policy?: RetryPolicy): Promise<IDataObject> {
	const baseUrl = await getMasvBaseUrl(ctx);
	const body = await masvPackageRequest<unknown>(ctx, baseUrl, packageToken, {
		policy,
		method: 'GET',
		path: `/v1/packages/${encodeURIComponent(packageId)}/metadata`,
	});
	return packageMetadata(packageId, body);
}

/** Options > Include Metadata of both triggers. */
export const includeMetadataOption: INodeProperties = {
	displayName: 'Include Metadata',
	name: 'includeMetadata',
	type: 'boolean',
	default: false,
	description:
		"Whether to add the package's custom metadata (the answers to its portal's form) to each item, under metadata. Costs one more MASV call per package.",
};

export interface ItemOptions {
	/** Options > Include Package Token. */
	keepToken: boolean;
	/** Options > Include Metadata. */
	includeMetadata: boolean;
	/** The policy of the metadata read: the poll's in the polling trigger; else the default. */
	policy?: RetryPolicy;
}

/**
 * The output JSON of a trigger for one package: the package without its tokens (unless asked
 * for), with `metadata` when asked for. The metadata is read with the package's own token, which
 * the lists and the package lookup carry; a package without one gets metadata without fields.
 */
export async function packageItemJson(ctx: MasvContext, pkg: IDataObject, options: ItemOptions): Promise<IDataObject> {
	const json = withoutTokens(pkg, options.keepToken);
	if (options.includeMetadata) {
		const token = typeof pkg.access_token === 'string' ? pkg.access_token : '';
		json.metadata = token ? await readPackageMetadata(ctx, String(pkg.id), token, options.policy) : packageMetadata(String(pkg.id), {});
	}
	return json;
}

/**
 * A webhook delivery waits for the package read: retried briefly, since a failed read answers
 * MASV with a 503 and MASV sends the event again.
 */
const DELIVERY_POLICY = INTERACTIVE_POLICY;

/**
 * The package named by a webhook event, read fresh: MASV's event body holds a few fields only
 * (docs/masv-api.md §13.4). Read as a team package (`GET /v1.1/teams/{teamId}/packages/{id}`); a
 * portal package that the API key cannot read that way is looked up in its portal's list. When
 * MASV has it nowhere any more (deleted since the event), the event's own fields are what there is.
 */
export async function freshPackage(ctx: MasvContext, teamId: string, event: IDataObject): Promise<{ pkg: IDataObject; fresh: boolean }> {
	const id = String(event.id ?? '');
	const pkg = await unlessGone(ctx.getNode(), async () =>
		await masvApiRequest<IDataObject>(ctx, {
			policy: DELIVERY_POLICY,
			method: 'GET',
			path: `/v1.1/teams/${encodeURIComponent(teamId)}/packages/${encodeURIComponent(id)}`,
		}),
	);
	if (pkg && typeof pkg === 'object' && pkg.id !== undefined) return { pkg, fresh: true };
	const portalId = typeof event.portal_id === 'string' ? event.portal_id : '';
	if (portalId) {
		const listed = await masvApiRequest<unknown>(ctx, {
			policy: DELIVERY_POLICY,
			method: 'GET',
			path: `/v1/portals/${encodeURIComponent(portalId)}/packages`,
			qs: { new: true, finalized: true, expired: true, archived: true },
		});
		const match = Array.isArray(listed) ? (listed as IDataObject[]).find((pkg) => String(pkg.id) === id) : undefined;
		if (match) return { pkg: match, fresh: true };
	}
	return { pkg: { ...event }, fresh: false };
}
