import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { callPolicy } from '../../shared/transferOptions';
import { findTransfer } from '../../transport/readBack';
import { resourceLocator, showFor } from '../../shared/descriptions';
import { forEachItem, idParameter } from '../../shared/items';
import { objectOr, packageCall, packagePath } from './common';

const show = showFor('package');

export const description: INodeProperties[] = [
	resourceLocator(
		{
			name: 'integrationId',
			displayName: 'Integration',
			searchListMethod: 'searchIntegrations',
			description: 'The cloud storage integration (cloud connection) to deliver the package to',
		},
		show(['sendToIntegration']),
	),
];

export async function execute(this: IExecuteFunctions) {
	return await forEachItem(this, async (itemIndex) => {
		const integrationId = idParameter(this, 'integrationId', itemIndex);
		// docs/masv-api.md §14.7, masv_to_cloud: the default direction, so only the connection is sent.
		const request = { cloud_connection_id: integrationId };
		const { packageId, body } = await packageCall(this, itemIndex, (id, { baseUrl, token }) => ({
			method: 'POST',
			path: packagePath(id, '/transfer'),
			body: request,
			// Never sent again blindly: after a doubt the transfer is read back (transport/readBack.ts).
			readBack: async (sentAt) => await findTransfer(this, baseUrl, token, id, request, sentAt, callPolicy(this, itemIndex)),
		}));
		return objectOr(body, { package_id: packageId, cloud_connection_id: integrationId });
	});
}
