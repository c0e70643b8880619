import { NodeOperationError } from 'n8n-workflow';
import type { IExecuteSingleFunctions, IHttpRequestOptions, INodeProperties } from 'n8n-workflow';

import { operationSelector } from '../types';
import { resourceLocator, returnAllAndLimitUnpaged, showFor, teamLocator } from '../../shared/descriptions';
import { requireParameter } from '../../shared/preSend';
import { deletedResult, route } from '../../shared/routing';
import { simplifyParameter } from '../../shared/simplify';
import { WEBHOOK_EVENTS, WEBHOOK_FIELDS, WEBHOOK_HINTS, webhookChanges } from './common';
import type { WebhookFields } from './common';
import * as update from './update.operation';
import { webhookCreated } from '../../transport/readBack';

const show = showFor('webhook');

/**
 * preSend of `create`: the webhook body (docs/masv-api.md §13.2). `method` (POST) and `active`
 * (true) are required by MASV and always sent.
 */
async function webhookCreateRequest(this: IExecuteSingleFunctions, requestOptions: IHttpRequestOptions): Promise<IHttpRequestOptions> {
	const itemIndex = this.getItemIndex();
	const fields = this.getNodeParameter('additionalFields', {}) as WebhookFields;
	const changes = webhookChanges(
		this.getNode(),
		{ url: this.getNodeParameter('url', ''), events: this.getNodeParameter('events', []), fields },
		itemIndex,
	);
	if (changes.url === undefined) {
		throw new NodeOperationError(this.getNode(), 'The parameter "URL" is empty', { itemIndex, description: 'Enter the address MASV should call.' });
	}
	if (changes.events === undefined) {
		throw new NodeOperationError(this.getNode(), 'The parameter "Events" is empty', { itemIndex, description: 'Choose at least one event.' });
	}
	requestOptions.body = { method: 'POST', active: true, ...changes };
	return requestOptions;
}

/**
 * The Operation selector, with its options' literal types: every option without routing is a
 * custom operation, which actions/index.ts requires an implementation for.
 */
export const webhookOperations = operationSelector({
	displayName: 'Operation',
	name: 'operation',
	type: 'options',
	noDataExpression: true,
	displayOptions: { show: { resource: ['webhook'] } },
	default: 'getAll',
	options: [
		{
			name: 'Create',
			value: 'create',
			action: 'Create a webhook',
			description:
				'Create a custom webhook: MASV calls the URL when a package of the team is created or finalized. Attach it to portals to hear about their packages.',
			routing: route({
				method: 'POST',
				url: '=/v1/teams/{{encodeURIComponent($parameter.teamId)}}/custom_webhooks',
				hints: WEBHOOK_HINTS,
				preSend: [webhookCreateRequest],
				create: webhookCreated,
			}),
		},
		{
			name: 'Delete',
			value: 'delete',
			action: 'Delete a webhook',
			description:
				'Delete a custom webhook; MASV stops calling its URL. MASV documents this route only by inference (a 404 may mean the route is missing).',
			routing: route({
				method: 'DELETE',
				url: '=/v1/custom_webhooks/{{encodeURIComponent($parameter.webhookId)}}',
				output: [deletedResult],
				hints: WEBHOOK_HINTS,
			}),
		},
		{
			name: 'Get',
			value: 'get',
			action: 'Get a webhook',
			description:
				'Get one custom webhook: its URL, events, method and whether it is active. MASV documents this route only by inference (a 404 may mean the route is missing).',
			routing: route({
				method: 'GET',
				url: '=/v1/custom_webhooks/{{encodeURIComponent($parameter.webhookId)}}',
				simplify: 'webhook',
				hints: WEBHOOK_HINTS,
			}),
		},
		{
			name: 'Get Many',
			value: 'getAll',
			action: 'Get many webhooks',
			description:
				'List the custom webhooks of a team. MASV documents this route only by inference (a 404 may mean the route is missing).',
			routing: route({
				method: 'GET',
				url: '=/v1/teams/{{encodeURIComponent($parameter.teamId)}}/custom_webhooks',
				list: true,
				simplify: 'webhook',
				hints: WEBHOOK_HINTS,
			}),
		},
		{
			name: 'Update',
			value: 'update',
			action: 'Update a webhook',
			description: 'Change the URL, events or settings of a custom webhook; the others stay as they are',
		},
	],
});

export const webhookFields: INodeProperties[] = [
	teamLocator(show(['create', 'getAll'])),
	{
		...resourceLocator(
			{
				name: 'webhookId',
				displayName: 'Webhook',
				searchListMethod: 'searchWebhooks',
				description: 'The custom webhook. The list shows the webhooks of every team of the API key.',
			},
			show(['get', 'update', 'delete']),
		),
		routing: { send: { preSend: [requireParameter('webhookId', 'Webhook')] } },
	},
	{
		displayName: 'URL',
		name: 'url',
		type: 'string',
		required: true,
		default: '',
		placeholder: 'e.g. https://n8n.example.com/webhook/masv',
		description: 'The address MASV calls for every event (http or https)',
		displayOptions: show(['create']),
	},
	{
		displayName: 'Events',
		name: 'events',
		type: 'multiOptions',
		required: true,
		default: ['package.finalized'],
		description: 'The events MASV sends',
		options: WEBHOOK_EVENTS,
		displayOptions: show(['create']),
	},
	{
		displayName: 'Additional Fields',
		name: 'additionalFields',
		type: 'collection',
		placeholder: 'Add Field',
		default: {},
		displayOptions: show(['create']),
		options: WEBHOOK_FIELDS,
	},
	...update.description,
	...returnAllAndLimitUnpaged(show(['getAll'])),
	simplifyParameter(show(['get', 'getAll'])),
];
