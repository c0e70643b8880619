import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { forEachItem, idParameter } from '../../shared/items';
import { linkInfo } from '../../transfer/downloadApi';
import { getMasvBaseUrl } from '../../transport/request';
import { objectOr } from '../package/common';
import { linkUrl } from './common';

/** Its fields are in Link.resource.ts. */
export const description: INodeProperties[] = [];

export async function execute(this: IExecuteFunctions) {
	return await forEachItem(this, async (itemIndex) => {
		const linkId = idParameter(this, 'linkId', itemIndex);
		const secret = idParameter(this, 'linkSecret', itemIndex);
		const password = String(this.getNodeParameter('linkPassword', itemIndex, '') ?? '');
		const body = await linkInfo(this, await getMasvBaseUrl(this), { linkId, secret, password }, itemIndex);
		const info = objectOr(body, { id: linkId });
		return { ...info, url: linkUrl(linkId, secret) };
	});
}
