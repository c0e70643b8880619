import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { forEachItem } from '../../shared/items';
import { callPolicy } from '../../shared/transferOptions';
import { findLink } from '../../transport/readBack';
import { objectOr, packageCall, packagePath } from '../package/common';
import { linkUrl } from './common';

/** Its fields are in Link.resource.ts. */
export const description: INodeProperties[] = [];

export async function execute(this: IExecuteFunctions) {
	return await forEachItem(this, async (itemIndex) => {
		const email = String(this.getNodeParameter('email', itemIndex, '') ?? '').trim();
		const password = String(this.getNodeParameter('password', itemIndex, '') ?? '');
		// docs/masv-api.md §8.2: an empty email makes a direct link. It is always sent, so that the body is
		// never empty (n8n sends no body at all for `{}`).
		const request: IDataObject = { email };
		if (password) request.password = password;
		// docs/masv-api.md §8.2: never sent again blindly, a second link could be made; after a doubt
		// the link is read back and adopted (transport/readBack.ts).
		const { body } = await packageCall(this, itemIndex, (id, { baseUrl, token }) => ({
			method: 'POST',
			path: packagePath(id, '/links'),
			body: request,
			readBack: async (sentAt) => await findLink(this, baseUrl, token, id, email, sentAt, callPolicy(this, itemIndex)),
		}));
		const link = objectOr(body, {});
		const url = linkUrl(link.id, link.download_secret);
		return url ? { ...link, url } : link;
	});
}
