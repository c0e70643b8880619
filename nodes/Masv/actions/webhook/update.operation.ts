import { NodeOperationError } from 'n8n-workflow';
import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { showFor } from '../../shared/descriptions';
import { forEachItem, idParameter } from '../../shared/items';
import { masvApiRequest } from '../../transport/request';
import { WEBHOOK_EVENTS, WEBHOOK_FIELDS, WEBHOOK_HINTS, webhookChanges, webhookUpdateBody } from './common';
import type { WebhookFields } from './common';

const show = showFor('webhook');

export const description: INodeProperties[] = [
	{
		displayName: 'URL',
		name: 'url',
		type: 'string',
		default: '',
		placeholder: 'e.g. https://n8n.example.com/webhook/masv',
		description: 'The new address MASV calls for every event. Empty keeps the current one.',
		displayOptions: show(['update']),
	},
	{
		displayName: 'Events',
		name: 'events',
		type: 'multiOptions',
		default: [],
		description: 'The events MASV sends from now on. None chosen keeps the current ones.',
		options: WEBHOOK_EVENTS,
		displayOptions: show(['update']),
	},
	{
		displayName: 'Additional Fields',
		name: 'additionalFields',
		type: 'collection',
		placeholder: 'Add Field',
		default: {},
		displayOptions: show(['update']),
		options: WEBHOOK_FIELDS,
	},
];

/**
 * `webhook` / `update`: MASV's PUT takes the whole webhook (docs/masv-api.md §13.3, decision 7), so
 * the webhook is read first and its writable fields are sent back with the changes on top.
 */
export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	return await forEachItem(this, async (itemIndex) => {
		const webhookId = idParameter(this, 'webhookId', itemIndex);
		const fields = this.getNodeParameter('additionalFields', itemIndex, {}) as WebhookFields;
		const changes = webhookChanges(
			this.getNode(),
			{ url: this.getNodeParameter('url', itemIndex, ''), events: this.getNodeParameter('events', itemIndex, []), fields },
			itemIndex,
		);
		if (Object.keys(changes).length === 0) {
			throw new NodeOperationError(this.getNode(), 'Nothing to update: set "URL", "Events" or an Additional Field', {
				itemIndex,
				description: 'The webhook keeps every setting that is not given.',
			});
		}
		const path = `/v1/custom_webhooks/${encodeURIComponent(webhookId)}`;
		const current = await masvApiRequest<IDataObject>(this, { method: 'GET', path, itemIndex, hints: WEBHOOK_HINTS });
		const body = webhookUpdateBody(current, changes);
		const answer = await masvApiRequest<IDataObject>(this, { method: 'PUT', path, body, idempotent: true, itemIndex, hints: WEBHOOK_HINTS });
		return answer && typeof answer === 'object' && !Array.isArray(answer) && answer.id !== undefined ? answer : { ...current, ...body };
	});
}
