import { NodeOperationError } from 'n8n-workflow';
import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { checkPasswordsKept, passwordsAtRisk, portalBody, portalFromUpdateAnswer, portalUpdateBody } from '../api/portals';
import type { PortalFields } from '../api/portals';
import { masvApiRequest } from '../api/request';
import { forEachItem, idParameter } from '../shared/items';
import type { CustomOperations } from './types';

/**
 * `portal` / `update`: MASV's PUT may replace the whole portal (masv-api.md §9.6), so the portal is
 * read first and sent back whole with the Update Fields on top; when it had a password the update
 * does not set, it is read again afterwards to check that the password is still there.
 */
async function updatePortal(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	return await forEachItem(this, async (itemIndex) => {
		const portalId = idParameter(this, 'portalId', itemIndex);
		const fields = this.getNodeParameter('updateFields', itemIndex, {}) as PortalFields;
		if (Object.keys(fields).length === 0) {
			throw new NodeOperationError(this.getNode(), 'Add at least one field under "Update Fields"', {
				itemIndex,
				description: 'The portal keeps every setting that is not added there.',
			});
		}
		const changes = portalBody(this.getNode(), fields, 'Update Fields', itemIndex);
		for (const [property, label] of [['name', 'Name'], ['subdomain', 'Subdomain']]) {
			if (changes[property] === '') {
				throw new NodeOperationError(this.getNode(), `"Update Fields > ${label}" is empty`, {
					itemIndex,
					description: 'A portal needs a name and a subdomain; remove the field to keep the current one.',
				});
			}
		}
		const path = `/v1/portals/${encodeURIComponent(portalId)}`;
		const read = async () =>
			await masvApiRequest<IDataObject>(this, { method: 'GET', path: `/v1.1/portals/${encodeURIComponent(portalId)}`, itemIndex });
		const current = await read();
		const body = portalUpdateBody(current, changes);
		const answer = await masvApiRequest(this, { method: 'PUT', path, body, idempotent: true, itemIndex });
		// A password the portal had and the update does not set: read the portal back to see it kept.
		if (passwordsAtRisk(current, fields)) checkPasswordsKept(this.getNode(), current, await read(), fields, itemIndex);
		return portalFromUpdateAnswer(answer, body);
	});
}

export const portalOperations: CustomOperations = {
	portal: { update: updatePortal },
};
