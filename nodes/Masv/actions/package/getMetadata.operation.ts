import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { forEachItem } from '../../shared/items';
import { packageMetadata } from '../../shared/metadata';
import { packageCall, packagePath, simplifiedIfAsked } from './common';

/** Its fields are the package-token fields of Package.resource.ts. */
export const description: INodeProperties[] = [];

/** `package` / `getMetadata`: `GET /v1/packages/{id}/metadata` with the package token (§5.14). */
export async function execute(this: IExecuteFunctions) {
	return await forEachItem(this, async (itemIndex) => {
		const { packageId, body } = await packageCall(this, itemIndex, (id) => ({ method: 'GET', path: packagePath(id, '/metadata') }));
		return simplifiedIfAsked(this, itemIndex, packageMetadata(packageId, body), 'metadata');
	});
}
