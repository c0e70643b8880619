import type { IDataObject, IExecuteSingleFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

/**
 * Fields of MASV answers that carry credentials: a package's `access_token` (full package token),
 * link info's `package_token` (download token) and the PubNub keys of `progress_channels`. The node
 * looks tokens up itself when it needs them, so none of them goes into an output item.
 */
const TOKEN_FIELDS = ['access_token', 'package_token'];
const CHANNEL_AUTH_FIELDS = ['token', 'auth_key'];

/**
 * A copy of a MASV object without its tokens (keeping `access_token` when asked to): the one token
 * scrubber of the node, used by routed answers (stripTokens) and by custom operations alike.
 */
export function withoutTokens(record: IDataObject, keepPackageToken = false): IDataObject {
	if (!record || typeof record !== 'object' || Array.isArray(record)) return record;
	const copy: IDataObject = { ...record };
	for (const field of TOKEN_FIELDS) {
		if (!(keepPackageToken && field === 'access_token')) delete copy[field];
	}
	if (Array.isArray(copy.progress_channels)) {
		copy.progress_channels = (copy.progress_channels as IDataObject[]).map((channel) => {
			if (!channel || typeof channel !== 'object' || !channel.auth || typeof channel.auth !== 'object') {
				return channel;
			}
			const auth: IDataObject = { ...(channel.auth as IDataObject) };
			for (const field of CHANNEL_AUTH_FIELDS) delete auth[field];
			return { ...channel, auth };
		});
	}
	return copy;
}

/**
 * A package record without anything that grants access: `withoutTokens`, and neither the progress
 * channels nor any other field named like a token. Used where the node shows a package it created.
 */
export function publicPackage(pkg: IDataObject): IDataObject {
	const copy = withoutTokens(pkg ?? {});
	delete copy.progress_channels;
	for (const key of Object.keys(copy)) {
		if (/token/i.test(key)) delete copy[key];
	}
	return copy;
}

/**
 * postReceive step: removes tokens from every item of a routed answer, except `access_token` where
 * the operation offers `options.includePackageToken` and the user turned it on.
 */
export async function stripTokens(
	this: IExecuteSingleFunctions,
	items: INodeExecutionData[],
): Promise<INodeExecutionData[]> {
	const keep = this.getNodeParameter('options.includePackageToken', false) === true;
	return items.map((item) => ({ ...item, json: withoutTokens(item.json, keep) }));
}

/**
 * Packages received through a portal may be invisible to the API key's package lookup; their token
 * comes only from the lists that name them. This option hands it out, for Options > Package Token
 * of a later MASV node, on request only.
 */
export const includePackageTokenOption: INodeProperties = {
	displayName: 'Include Package Token',
	name: 'includePackageToken',
	type: 'boolean',
	default: false,
	description:
		'Whether to keep each package\'s access token (access_token) in the output, to pass to Options > Package Token of a later MASV node. It grants full access to the package: keep it out of logs and messages.',
};
