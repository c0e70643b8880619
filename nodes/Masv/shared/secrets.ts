import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

/**
 * Fields of MASV answers that carry credentials: a package's `access_token` (full package token),
 * link info's `package_token` (download token) and the PubNub keys of `progress_channels`. The node
 * looks tokens up itself when it needs them, so none of them goes into an output item.
 */
const TOKEN_FIELDS = ['access_token', 'package_token'];
const CHANNEL_AUTH_FIELDS = ['token', 'auth_key'];

/** A copy of a MASV object without its tokens. */
export function withoutTokens(record: IDataObject): IDataObject {
	if (!record || typeof record !== 'object' || Array.isArray(record)) return record;
	const copy: IDataObject = { ...record };
	for (const field of TOKEN_FIELDS) delete copy[field];
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

/** postReceive step: removes tokens from every item of a routed answer. */
export async function stripTokens(items: INodeExecutionData[]): Promise<INodeExecutionData[]> {
	return items.map((item) => ({ ...item, json: withoutTokens(item.json) }));
}
