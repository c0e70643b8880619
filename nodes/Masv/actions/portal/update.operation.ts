import { NodeOperationError } from 'n8n-workflow';
import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { showFor } from '../../shared/descriptions';
import { forEachItem, idParameter } from '../../shared/items';
import { masvApiRequest } from '../../transport/request';
import { writePortal } from '../../transport/portals';
import { checkPasswordsKept, passwordsAtRisk, portalBody, portalFromUpdateAnswer } from './common';
import type { PortalFields } from './common';
import { NAME_SETTING, PORTAL_SETTINGS, SUBDOMAIN_SETTING, byDisplayName } from './settings';

const show = showFor('portal');

export const description: INodeProperties[] = [
	{
		displayName: 'Update Fields',
		name: 'updateFields',
		type: 'collection',
		placeholder: 'Add Field',
		default: {},
		displayOptions: show(['update']),
		options: [...PORTAL_SETTINGS, NAME_SETTING, SUBDOMAIN_SETTING].sort(byDisplayName),
	},
];

/**
 * `portal` / `update`: sends what MASV's own client sends (docs/masv-api.md §9.6, decision 2) through
 * `writePortal`: the portal's name and subdomain with the Update Fields only. While the reference's
 * older "full replacement" reading of the PUT is not ruled out, a portal that had a password the
 * update does not set is read again afterwards to check that the password is still there.
 */
export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	return await forEachItem(this, async (itemIndex) => {
		const portalId = idParameter(this, 'portalId', itemIndex);
		const fields = this.getNodeParameter('updateFields', itemIndex, {}) as PortalFields;
		if (Object.keys(fields).length === 0) {
			throw new NodeOperationError(this.getNode(), 'Add at least one field under "Update Fields"', {
				itemIndex,
				description: 'The portal keeps every setting that is not added there.',
			});
		}
		const changes = portalBody(this.getNode(), fields, 'Update Fields', itemIndex, this.getTimezone());
		for (const [property, label] of [['name', 'Name'], ['subdomain', 'Subdomain']]) {
			if (changes[property] === '') {
				throw new NodeOperationError(this.getNode(), `"Update Fields > ${label}" is empty`, {
					itemIndex,
					description: 'A portal needs a name and a subdomain; remove the field to keep the current one.',
				});
			}
		}
		const { current, body, answer } = await writePortal(this, portalId, changes, itemIndex);
		// A password the portal had and the update does not set: read the portal back to see it kept.
		if (passwordsAtRisk(current, fields)) {
			const after = await masvApiRequest<IDataObject>(this, { method: 'GET', path: `/v1.1/portals/${encodeURIComponent(portalId)}`, itemIndex });
			checkPasswordsKept(this.getNode(), current, after, fields, itemIndex);
		}
		return portalFromUpdateAnswer(answer, { ...current, ...body });
	});
}
