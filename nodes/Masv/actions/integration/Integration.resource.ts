import type { INodeProperties } from 'n8n-workflow';


import { operationSelector } from '../types';
import { resourceLocator, returnAllAndLimitUnpaged, showFor, teamLocator } from '../../shared/descriptions';
import { route } from '../../shared/routing';
import { simplifyParameter } from '../../shared/simplify';
import * as importFiles from './importFiles.operation';
import * as listFiles from './listFiles.operation';

const show = showFor('integration');

/**
 * The Operation selector, with its options' literal types: every option without routing is a
 * custom operation, which actions/index.ts requires an implementation for.
 */
export const integrationOperations = operationSelector({
	displayName: 'Operation',
	name: 'operation',
	type: 'options',
	noDataExpression: true,
	displayOptions: { show: { resource: ['integration'] } },
	default: 'getAll',
	options: [
		{
			name: 'Get',
			value: 'get',
			action: 'Get a storage integration',
			description: 'Get a storage integration (cloud connection) by ID',
			routing: route({
				method: 'GET',
				url: '=/v1/cloud_connections/{{$parameter.integrationId}}',
				simplify: 'integration',
			}),
		},
		{
			name: 'Get Many',
			value: 'getAll',
			action: 'Get many storage integrations',
			description: 'List the storage integrations (cloud connections) of a team',
			routing: route({
				method: 'GET',
				url: '=/v1/teams/{{$parameter.teamId}}/cloud_connections',
				list: true,
				simplify: 'integration',
			}),
		},
		{
			name: 'Import Files',
			value: 'importFiles',
			action: 'Import files from a storage integration into a new package',
			description: 'Create a team package from files already in the connected storage',
		},
		{
			name: 'List Files',
			value: 'listFiles',
			action: 'List the files in a storage integration',
			description: 'Browse a folder of the connected storage or Storage Gateway, every page',
		},
	],
});

const integrationLocator = resourceLocator(
	{
		name: 'integrationId',
		displayName: 'Integration',
		searchListMethod: 'searchIntegrations',
		description:
			'The storage integration (cloud connection). The list shows the integrations of the team chosen above, or of every team of the API key.',
	},
	show(['get', 'importFiles', 'listFiles']),
);

export const integrationFields: INodeProperties[] = [
	teamLocator(show(['getAll', 'importFiles'])),
	integrationLocator,
	...returnAllAndLimitUnpaged(show(['getAll'])),

	...listFiles.description,
	...importFiles.description,
	simplifyParameter(show(['get', 'getAll'])),
];
