import type { INodeProperties } from 'n8n-workflow';

/** The browser page of a link (docs/masv-api.md §7.5). */
const LINK_PAGE = 'https://get.massive.io';

/** The browser URL of a link (docs/masv-api.md §7.5), when the answer has both its parts. */
export function linkUrl(id: unknown, secret: unknown): string | undefined {
	if (typeof id !== 'string' || !id || typeof secret !== 'string' || !secret) return undefined;
	return `${LINK_PAGE}/${encodeURIComponent(id)}?secret=${encodeURIComponent(secret)}`;
}

/**
 * Link ID, Link Secret and Link Password: how Link → Get and Link → Download name a link. The ID
 * and the secret show where `show` says, the password where `showPassword` says.
 */
export function linkKeyFields(
	show: NonNullable<INodeProperties['displayOptions']>['show'],
	showPassword = show,
): INodeProperties[] {
	return [
		{
			displayName: 'Link ID',
			name: 'linkId',
			type: 'string',
			required: true,
			default: '',
			placeholder: 'e.g. 01D2TMG9F5GHMHX8RWZ453VA35',
			description: 'ID of the link (the part after get.massive.io/ in the link URL)',
			displayOptions: { show },
		},
		{
			displayName: 'Link Secret',
			name: 'linkSecret',
			type: 'string',
			typeOptions: { password: true },
			required: true,
			default: '',
			description: 'Secret of the link (its download_secret, the "secret" value of the link URL)',
			displayOptions: { show },
		},
		{
			displayName: 'Link Password',
			name: 'linkPassword',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			description: 'Password of the link, if it has one',
			displayOptions: { show: showPassword },
		},
	];
}
