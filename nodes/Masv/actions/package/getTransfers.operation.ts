import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { forEachItem } from '../../shared/items';
import { recordsOf } from '../../shared/routing';
import { withoutTokens } from '../../shared/secrets';
import { packageCall, packagePath, simplifiedIfAsked } from './common';

/** Its fields are the package-token fields of Package.resource.ts. */
export const description: INodeProperties[] = [];

export async function execute(this: IExecuteFunctions) {
	return await forEachItem(this, async (itemIndex) => {
		// docs/masv-api.md §14.8: a plain array of transfer objects.
		const { body } = await packageCall(this, itemIndex, (id) => ({ method: 'GET', path: packagePath(id, '/transfer') }));
		return recordsOf(body).map((record) => simplifiedIfAsked(this, itemIndex, withoutTokens(record), 'transfer'));
	});
}
