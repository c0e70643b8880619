import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { forEachItem } from '../../shared/items';
import { objectOr, packageCall, packagePath } from './common';

/** Its fields are the package-token fields of Package.resource.ts. */
export const description: INodeProperties[] = [];

export async function execute(this: IExecuteFunctions) {
	return await forEachItem(this, async (itemIndex) => {
		// docs/masv-api.md §6.9: no body; repeating it is harmless (§19), so it is retried like a GET.
		const { packageId, body } = await packageCall(this, itemIndex, (id) => ({
			method: 'POST',
			path: packagePath(id, '/finalize'),
			idempotent: true,
		}));
		return objectOr(body, { id: packageId, finalized: true });
	});
}
