import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { returnAllAndLimitUnpaged, showFor } from '../../shared/descriptions';
import { forEachItem } from '../../shared/items';
import { recordsOf } from '../../shared/routing';
import { packageCall, packagePath, simplifiedIfAsked } from './common';

const show = showFor('package');

export const description: INodeProperties[] = [...returnAllAndLimitUnpaged(show(['getFiles']))];

export async function execute(this: IExecuteFunctions) {
	return await forEachItem(this, async (itemIndex) => {
		const returnAll = this.getNodeParameter('returnAll', itemIndex, false) as boolean;
		const limit = this.getNodeParameter('limit', itemIndex, 50) as number;
		// docs/masv-api.md §7.3: a plain array of every file and zip, not paginated.
		const { body } = await packageCall(this, itemIndex, (id) => ({ method: 'GET', path: packagePath(id, '/files') }));
		const files = recordsOf(body).map((file) => simplifiedIfAsked(this, itemIndex, file, 'file'));
		return returnAll ? files : files.slice(0, Math.max(0, limit));
	});
}
