import type { INodeProperties } from 'n8n-workflow';


import { operationSelector } from '../types';
import { returnAllAndLimitUnpaged, showFor, teamLocator } from '../../shared/descriptions';
import { requireParameter } from '../../shared/preSend';
import { deletedResult, route } from '../../shared/routing';
import { tagCreated } from '../../transport/readBack';

const show = showFor('tag');

/**
 * The Operation selector, with its options' literal types: every option without routing is a
 * custom operation, which actions/index.ts requires an implementation for.
 */
export const tagOperations = operationSelector({
	displayName: 'Operation',
	name: 'operation',
	type: 'options',
	noDataExpression: true,
	displayOptions: { show: { resource: ['tag'] } },
	default: 'getAll',
	options: [
		{
			name: 'Create',
			value: 'create',
			action: 'Create a tag',
			description: 'Create a tag in a team',
			routing: route({ method: 'POST', url: '=/v1/teams/{{encodeURIComponent($parameter.teamId)}}/tags', create: tagCreated }),
		},
		{
			name: 'Delete',
			value: 'delete',
			action: 'Delete a tag',
			description: 'Delete a tag; packages and portals that carried it lose it',
			routing: route({
				method: 'DELETE',
				url: '=/v1/tags/{{encodeURIComponent($parameter.tagId)}}',
				output: [deletedResult],
			}),
		},
		{
			name: 'Get Many',
			value: 'getAll',
			action: 'Get many tags',
			description: 'List the tags of a team',
			routing: route({
				method: 'GET',
				url: '=/v1/teams/{{encodeURIComponent($parameter.teamId)}}/tags',
				list: true,
			}),
		},
	],
});

export const tagFields: INodeProperties[] = [
	teamLocator(show(['create', 'getAll'])),
	{
		displayName: 'Name',
		name: 'name',
		type: 'string',
		required: true,
		default: '',
		placeholder: 'e.g. Season 2',
		description: 'Name of the tag',
		displayOptions: show(['create']),
		routing: { send: { type: 'body', property: 'name', preSend: [requireParameter('name', 'Name')] } },
	},
	{
		displayName: 'Tag ID',
		name: 'tagId',
		type: 'string',
		required: true,
		default: '',
		placeholder: 'e.g. 01FZGG2QQQTJV9CJ1Q2ZNXVKCQ',
		description: 'ID of the tag, as Get Many lists it',
		displayOptions: show(['delete']),
		routing: { send: { preSend: [requireParameter('tagId', 'Tag ID')] } },
	},
	...returnAllAndLimitUnpaged(show(['getAll'])),
];
