import type {
	IExecuteSingleFunctions,
	IHttpRequestOptions,
	INodeProperties,
} from 'n8n-workflow';


import { operationSelector } from '../types';
import { portalBody, portalCreateBody } from './common';
import type { PortalFields } from './common';
import {
	portalLocator,
	returnAllAndLimit,
	returnAllAndLimitUnpaged,
	showFor,
	idListFilter,
	sortOption,
	teamLocator,
} from '../../shared/descriptions';
import { requireParameter, requiredText } from '../../shared/preSend';
import { deletedResult, route } from '../../shared/routing';
import { includePackageTokenOption, stripTokens } from '../../shared/secrets';
import { simplifyParameter } from '../../shared/simplify';
import { NAME_SETTING, PORTAL_SETTINGS, SUBDOMAIN_SETTING } from './settings';
import * as update from './update.operation';
import { portalCreated } from '../../transport/readBack';

const show = showFor('portal');

/** preSend of `create`: the whole portal body, from Name, Subdomain and Additional Fields. */
async function portalCreateRequest(
	this: IExecuteSingleFunctions,
	requestOptions: IHttpRequestOptions,
): Promise<IHttpRequestOptions> {
	const name = requiredText(this, 'name', 'Name');
	const subdomain = requiredText(this, 'subdomain', 'Subdomain');
	const fields = this.getNodeParameter('additionalFields', {}) as PortalFields;
	const body = portalBody(this.getNode(), fields, 'Additional Fields', this.getItemIndex(), this.getTimezone());
	requestOptions.body = portalCreateBody(name, subdomain, body);
	return requestOptions;
}

/**
 * The Operation selector, with its options' literal types: every option without routing is a
 * custom operation, which actions/index.ts requires an implementation for.
 */
export const portalOperations = operationSelector({
	displayName: 'Operation',
	name: 'operation',
	type: 'options',
	noDataExpression: true,
	displayOptions: { show: { resource: ['portal'] } },
	default: 'getAll',
	options: [
		{
			name: 'Create',
			value: 'create',
			action: 'Create a portal',
			description: 'Create an upload portal for the team',
			routing: route({
				method: 'POST',
				url: '=/v1/teams/{{encodeURIComponent($parameter.teamId)}}/portals',
				preSend: [portalCreateRequest],
				create: portalCreated,
			}),
		},
		{
			name: 'Delete',
			value: 'delete',
			action: 'Delete a portal',
			description: 'Delete a portal; the packages it received stay with the team',
			routing: route({
				method: 'DELETE',
				url: '=/v1/portals/{{encodeURIComponent($parameter.portalId)}}',
				output: [deletedResult],
			}),
		},
		{
			name: 'Get',
			value: 'get',
			action: 'Get a portal',
			description: 'Get the settings of one portal',
			routing: route({
				method: 'GET',
				url: '=/v1.1/portals/{{encodeURIComponent($parameter.portalId)}}',
				simplify: 'portal',
			}),
		},
		{
			name: 'Get Many',
			value: 'getAll',
			action: 'Get many portals',
			description: 'List the portals of a team',
			routing: route({
				method: 'GET',
				url: '=/v1.1/teams/{{encodeURIComponent($parameter.teamId)}}/portals',
				list: true,
				simplify: 'portal',
			}),
		},
		{
			name: 'Get Packages',
			value: 'getPackages',
			action: 'Get the packages of a portal',
			description: 'List the packages uploaded to one portal',
			routing: route({
				method: 'GET',
				url: '=/v1/portals/{{encodeURIComponent($parameter.portalId)}}/packages',
				list: true,
				output: [stripTokens],
				simplify: 'package',
			}),
		},
		{
			name: 'Update',
			value: 'update',
			action: 'Update a portal',
			description: 'Change settings of a portal; the ones not given keep their values',
		},
	],
});

export const portalFields: INodeProperties[] = [
	teamLocator(show(['create', 'getAll'])),
	{
		...portalLocator(show(['delete', 'get', 'getPackages', 'update'])),
		routing: { send: { preSend: [requireParameter('portalId', 'Portal')] } },
	},

	// create
	{ ...NAME_SETTING, required: true, placeholder: 'e.g. Dailies', displayOptions: show(['create']) },
	{ ...SUBDOMAIN_SETTING, required: true, displayOptions: show(['create']) },
	{
		displayName: 'Additional Fields',
		name: 'additionalFields',
		type: 'collection',
		placeholder: 'Add Field',
		default: {},
		displayOptions: show(['create']),
		options: PORTAL_SETTINGS,
	},

	...update.description,

	// getAll
	...returnAllAndLimit(show(['getAll']), 1),
	{
		displayName: 'Filters',
		name: 'filters',
		type: 'collection',
		placeholder: 'Add Filter',
		default: {},
		displayOptions: show(['getAll']),
		options: [
			{
				displayName: 'Name',
				name: 'name',
				type: 'string',
				default: '',
				description: 'Only portals whose name contains this text',
				routing: { send: { type: 'query', property: 'name', value: '={{ $value || undefined }}' } },
			},
			{
				displayName: 'Subdomain',
				name: 'subdomain',
				type: 'string',
				default: '',
				description: 'Only portals whose subdomain contains this text',
				routing: { send: { type: 'query', property: 'subdomain', value: '={{ $value || undefined }}' } },
			},
			idListFilter('Tag IDs', 'tags', 'tags', 'Comma-separated tag IDs; portals with any of them match'),
			idListFilter('Teamspace IDs', 'teamspaces', 'teamspaces', 'Comma-separated Teamspace IDs; portals in any of them match'),
		],
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		displayOptions: show(['getAll']),
		options: [
			sortOption([
				{ name: 'Active First', value: '-active' },
				{ name: 'Inactive First', value: 'active' },
				{ name: 'Name (A-Z)', value: 'name' },
				{ name: 'Name (Z-A)', value: '-name' },
				{ name: 'Newest First', value: '-created_at' },
				{ name: 'Oldest First', value: 'created_at' },
			]),
		],
	},

	// getPackages: MASV's legacy list with its state flags (docs/masv-api.md §5.9)
	...returnAllAndLimitUnpaged(show(['getPackages'])),
	{
		displayName: 'Filters',
		name: 'filters',
		type: 'collection',
		placeholder: 'Add Filter',
		default: {},
		description: 'Which package states to include. Unset states keep MASV\'s defaults: finalized and expired packages only.',
		displayOptions: show(['getPackages']),
		options: [
			{
				displayName: 'Archived',
				name: 'archived',
				type: 'boolean',
				default: false,
				description: 'Whether to include archived packages',
				routing: { send: { type: 'query', property: 'archived' } },
			},
			{
				displayName: 'Expired',
				name: 'expired',
				type: 'boolean',
				default: true,
				description: 'Whether to include expired packages',
				routing: { send: { type: 'query', property: 'expired' } },
			},
			{
				displayName: 'Finalized',
				name: 'finalized',
				type: 'boolean',
				default: true,
				description: 'Whether to include finalized packages',
				routing: { send: { type: 'query', property: 'finalized' } },
			},
			{
				displayName: 'New',
				name: 'new',
				type: 'boolean',
				default: false,
				description: 'Whether to include new packages (still being uploaded)',
				routing: { send: { type: 'query', property: 'new' } },
			},
		],
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		displayOptions: show(['getPackages']),
		options: [includePackageTokenOption],
	},
	simplifyParameter(show(['get', 'getAll', 'getPackages'])),
];
