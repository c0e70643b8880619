import type { INodeProperties } from 'n8n-workflow';


import { operationSelector } from '../types';
import { returnAllAndLimitUnpaged, showFor, teamLocator } from '../../shared/descriptions';
import { route } from '../../shared/routing';
import { simplifyParameter } from '../../shared/simplify';

const show = showFor('team');

/**
 * The Operation selector, with its options' literal types: every option without routing is a
 * custom operation, which actions/index.ts requires an implementation for.
 */
export const teamOperations = operationSelector({
	displayName: 'Operation',
	name: 'operation',
	type: 'options',
	noDataExpression: true,
	displayOptions: { show: { resource: ['team'] } },
	default: 'getAll',
	options: [
		{
			name: 'Get Many',
			value: 'getAll',
			action: 'Get many teams',
			description: 'List the teams the API key belongs to; their IDs are what the other resources take as Team',
			routing: route({ method: 'GET', url: '/v1/teams', list: true, simplify: 'team' }),
		},
		{
			name: 'Get Members',
			value: 'getMembers',
			action: 'Get the members of a team',
			description: 'List the memberships of a team; their IDs are what Teamspaces take',
			routing: route({
				method: 'GET',
				url: '=/v1/teams/{{$parameter.teamId}}/members',
				list: true,
				simplify: 'member',
			}),
		},
	],
});

export const teamFields: INodeProperties[] = [
	teamLocator(show(['getMembers'])),
	...returnAllAndLimitUnpaged(show(['getAll', 'getMembers'])),
	simplifyParameter(show(['getAll', 'getMembers'])),
];
