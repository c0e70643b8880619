import type {
	IExecuteSingleFunctions,
	IN8nHttpFullResponse,
	INodeExecutionData,
	INodeProperties,
} from 'n8n-workflow';


import { operationSelector } from '../types';
import { teamspaceFromRenameAnswer } from './common';
import {
	packageListFilters,
	returnAllAndLimit,
	returnAllAndLimitUnpaged,
	showFor,
	sortOption,
	teamLocator,
	teamspaceLocator,
} from '../../shared/descriptions';
import { listBody, requireParameter } from '../../shared/preSend';
import { deletedResult, route } from '../../shared/routing';
import { stripTokens } from '../../shared/secrets';
import { simplifyParameter } from '../../shared/simplify';
import { membersAdded, teamspaceCreated } from '../../transport/readBack';

const show = showFor('teamspace');

/** postReceive of `update`: the renamed Teamspace, whichever shape MASV answered with. */
async function renamedTeamspace(
	this: IExecuteSingleFunctions,
	items: INodeExecutionData[],
	response: IN8nHttpFullResponse,
): Promise<INodeExecutionData[]> {
	if (response.statusCode >= 400) return items;
	const teamspaceId = String(this.getNodeParameter('teamspaceId', '', { extractValue: true })).trim();
	const name = String(this.getNodeParameter('name', '')).trim();
	return [{ json: teamspaceFromRenameAnswer(response.body, teamspaceId, name) }];
}

const SPACE_URL = '/v1/spaces/{{encodeURIComponent($parameter.teamspaceId)}}';

/**
 * The Operation selector, with its options' literal types: every option without routing is a
 * custom operation, which actions/index.ts requires an implementation for.
 */
export const teamspaceOperations = operationSelector({
	displayName: 'Operation',
	name: 'operation',
	type: 'options',
	noDataExpression: true,
	displayOptions: { show: { resource: ['teamspace'] } },
	default: 'getAll',
	options: [
		{
			name: 'Add Members',
			value: 'addMembers',
			action: 'Add members to a teamspace',
			description: 'Add team members to a Teamspace, one output item per new Teamspace membership',
			routing: route({ method: 'POST', url: `=${SPACE_URL}/members`, list: true, create: membersAdded }),
		},
		{
			name: 'Create',
			value: 'create',
			action: 'Create a teamspace',
			description: 'Create a Teamspace in a team, optionally with members',
			routing: route({ method: 'POST', url: '=/v1/teams/{{encodeURIComponent($parameter.teamId)}}/spaces', create: teamspaceCreated }),
		},
		{
			name: 'Delete',
			value: 'delete',
			action: 'Delete a teamspace',
			description: 'Delete a Teamspace; its packages and portals stay with the team',
			routing: route({ method: 'DELETE', url: `=${SPACE_URL}`, output: [deletedResult] }),
		},
		{
			name: 'Get',
			value: 'get',
			action: 'Get a teamspace',
			description: 'Get one Teamspace with its members',
			routing: route({ method: 'GET', url: `=${SPACE_URL}`, simplify: 'teamspace' }),
		},
		{
			name: 'Get Many',
			value: 'getAll',
			action: 'Get many teamspaces',
			description: 'List the Teamspaces of a team',
			routing: route({
				method: 'GET',
				url: '=/v1.1/teams/{{encodeURIComponent($parameter.teamId)}}/spaces',
				list: 'teamspaces',
				simplify: 'teamspace',
			}),
		},
		{
			name: 'Get Members',
			value: 'getMembers',
			action: 'Get the members of a teamspace',
			description: 'List the Teamspace memberships; their IDs are what Remove Member takes',
			routing: route({ method: 'GET', url: `=${SPACE_URL}/members`, list: true }),
		},
		{
			name: 'Get Packages',
			value: 'getPackages',
			action: 'Get the packages of a teamspace',
			description: 'List the packages of a Teamspace',
			routing: route({
				method: 'GET',
				url: '=/v1.1/spaces/{{encodeURIComponent($parameter.teamspaceId)}}/packages',
				list: true,
				output: [stripTokens],
				simplify: 'package',
			}),
		},
		{
			name: 'Remove Member',
			value: 'removeMember',
			action: 'Remove a member from a teamspace',
			description: 'Take a member out of a Teamspace (they stay in the team)',
			routing: route({
				method: 'DELETE',
				url: `=${SPACE_URL}/members/{{encodeURIComponent($parameter.teamspaceMembershipId)}}`,
				output: [deletedResult],
			}),
		},
		{
			name: 'Update',
			value: 'update',
			action: 'Rename a teamspace',
			description: 'Give a Teamspace a new name',
			routing: route({ method: 'PUT', url: `=${SPACE_URL}`, output: [renamedTeamspace] }),
		},
	],
});

const SPACE_OPERATIONS = ['addMembers', 'delete', 'get', 'getMembers', 'getPackages', 'removeMember', 'update'];

const MEMBER_IDS_DESCRIPTION =
	'Comma-separated team membership IDs (or an array from an expression), as Team > Get Members lists them';

export const teamspaceFields: INodeProperties[] = [
	teamLocator(show(['create', 'getAll'])),
	{
		...teamspaceLocator(show(SPACE_OPERATIONS)),
		routing: { send: { preSend: [requireParameter('teamspaceId', 'Teamspace')] } },
	},

	// create, update
	{
		displayName: 'Name',
		name: 'name',
		type: 'string',
		required: true,
		default: '',
		placeholder: 'e.g. Marketing',
		description: 'Name of the Teamspace',
		displayOptions: show(['create']),
		routing: { send: { type: 'body', property: 'name', preSend: [requireParameter('name', 'Name')] } },
	},
	{
		displayName: 'New Name',
		name: 'name',
		type: 'string',
		required: true,
		default: '',
		placeholder: 'e.g. Marketing',
		description: 'The new name of the Teamspace',
		displayOptions: show(['update']),
		routing: { send: { type: 'body', property: 'name', preSend: [requireParameter('name', 'New Name')] } },
	},
	{
		displayName: 'Member IDs',
		name: 'memberIds',
		type: 'string',
		default: '',
		placeholder: 'e.g. 01H6CTJJJ19PVMR0J0JXGFK96D, 01H6CTJJJ19PVMR0J0JXGFK96E',
		description: `${MEMBER_IDS_DESCRIPTION}. Optional.`,
		displayOptions: show(['create']),
		routing: { send: { preSend: [listBody('memberIds', 'Member IDs', 'member_ids', false)] } },
	},
	{
		displayName: 'Member IDs',
		name: 'memberIds',
		type: 'string',
		required: true,
		default: '',
		placeholder: 'e.g. 01H6CTJJJ19PVMR0J0JXGFK96D, 01H6CTJJJ19PVMR0J0JXGFK96E',
		description: MEMBER_IDS_DESCRIPTION,
		displayOptions: show(['addMembers']),
		routing: { send: { preSend: [listBody('memberIds', 'Member IDs', 'member_ids', true)] } },
	},

	// removeMember
	{
		displayName: 'Teamspace Membership ID',
		name: 'teamspaceMembershipId',
		type: 'string',
		required: true,
		default: '',
		placeholder: 'e.g. 01H6CTJJJ19PVMR0J0JXGFK96D',
		description: 'ID of the Teamspace membership (from Get Members or Add Members), not the team membership ID',
		displayOptions: show(['removeMember']),
		routing: { send: { preSend: [requireParameter('teamspaceMembershipId', 'Teamspace Membership ID')] } },
	},

	// lists
	...returnAllAndLimit(show(['getAll', 'getPackages']), 0),
	...returnAllAndLimitUnpaged(show(['getMembers'])),
	...packageListFilters(show(['getPackages']), 'day'),
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		displayOptions: show(['getPackages']),
		options: [
			sortOption([
				{ name: 'Expiry (Latest First)', value: '-expiry' },
				{ name: 'Expiry (Soonest First)', value: 'expiry' },
				{ name: 'Name (A-Z)', value: 'name' },
				{ name: 'Name (Z-A)', value: '-name' },
				{ name: 'Newest First', value: '-created_at' },
				{ name: 'Oldest First', value: 'created_at' },
				{ name: 'Sender', value: 'sender' },
				{ name: 'Size (Largest First)', value: '-size' },
				{ name: 'Size (Smallest First)', value: 'size' },
				{ name: 'Status', value: 'status' },
			]),
		],
	},
	simplifyParameter(show(['get', 'getAll', 'getPackages'])),
];
