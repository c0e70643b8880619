import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { forEachItem } from '../../shared/items';
import { packageCall, packagePath } from './common';

/** Its fields are the package-token fields of Package.resource.ts. */
export const description: INodeProperties[] = [];

export async function execute(this: IExecuteFunctions) {
	return await forEachItem(this, async (itemIndex) => {
		// docs/masv-api.md §5.13: 204 without a body.
		const { packageId } = await packageCall(this, itemIndex, (id) => ({ method: 'DELETE', path: packagePath(id) }));
		return { deleted: true, id: packageId };
	});
}
