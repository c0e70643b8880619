import type { INodeProperties } from 'n8n-workflow';

import { operationSelector } from '../types';
import { dateFilter } from '../../shared/dates';
import { idListFilter, returnAllAndLimit, showFor, sortOption, teamLocator } from '../../shared/descriptions';
import { route } from '../../shared/routing';
import { simplifyParameter } from '../../shared/simplify';

const show = showFor('activity');

const JOINED = '={{ $value && $value.length ? [].concat($value).join(",") : undefined }}';

/**
 * The Operation selector, with its options' literal types: every option without routing is a
 * custom operation, which actions/index.ts requires an implementation for.
 */
export const activityOperations = operationSelector({
	displayName: 'Operation',
	name: 'operation',
	type: 'options',
	noDataExpression: true,
	displayOptions: { show: { resource: ['activity'] } },
	default: 'getAll',
	options: [
		{
			name: 'Get Events',
			value: 'getEvents',
			action: 'Get the events of an activity',
			description: 'List the state changes of one activity, one item each',
			routing: route({
				method: 'GET',
				url: '=/v1/teams/{{$parameter.teamId}}/activities/{{encodeURIComponent(String($parameter.activityId).trim())}}/events',
				list: true,
			}),
		},
		{
			name: 'Get Many',
			value: 'getAll',
			action: 'Get many activities of the transfer history',
			description: 'List the transfer history of a team: uploads, downloads, links and deliveries',
			routing: route({
				method: 'GET',
				url: '=/v1.1/teams/{{$parameter.teamId}}/activities',
				list: true,
				simplify: 'activity',
			}),
		},
	],
});

export const activityFields: INodeProperties[] = [
	teamLocator(show(['getAll', 'getEvents'])),
	{
		displayName: 'Activity ID',
		name: 'activityId',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'e.g. 01ENX9B1J68NT9Y4QHXD7T0X6S',
		description: 'The activity, as Get Many returns it (ID)',
		displayOptions: show(['getEvents']),
	},
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
				displayName: 'Activity States',
				name: 'activityStates',
				type: 'multiOptions',
				default: [],
				description: 'Only activities in these states',
				options: [
					{ name: 'Cancelled', value: 'cancelled' },
					{ name: 'Complete', value: 'complete' },
					{ name: 'Error', value: 'error' },
					{ name: 'Pending', value: 'pending' },
					{ name: 'Started', value: 'started' },
				],
				routing: { send: { type: 'query', property: 'activity_states', value: JOINED } },
			},
			{
				displayName: 'Activity Types',
				name: 'activityTypes',
				type: 'multiOptions',
				default: [],
				description: 'Only activities of these types',
				options: [
					{ name: 'Delivery to Integration', value: 'package_transfer_masv_to_cloud' },
					{ name: 'Download', value: 'package_download_from_masv' },
					{ name: 'Link Created', value: 'link_generation' },
					{ name: 'Upload', value: 'package_upload_to_masv' },
				],
				routing: { send: { type: 'query', property: 'activity_types', value: JOINED } },
			},
			{
				displayName: 'Created After',
				name: 'createdAtStart',
				type: 'dateTime',
				default: '',
				description: 'Only activities created at or after this time (UTC when the value has no time zone)',
				routing: { send: { preSend: [dateFilter('createdAtStart', 'Created After', 'created_at_start', false, 'dateTime')] } },
			},
			{
				displayName: 'Created Before',
				name: 'createdAtEnd',
				type: 'dateTime',
				default: '',
				description: 'Only activities created at or before this time (UTC when the value has no time zone)',
				routing: { send: { preSend: [dateFilter('createdAtEnd', 'Created Before', 'created_at_end', true, 'dateTime')] } },
			},
			{
				displayName: 'Package ID',
				name: 'packageId',
				type: 'string',
				default: '',
				placeholder: 'e.g. 01ENX9B1J68NT9Y4QHXD7T0X6S',
				description: 'Only activities of this package',
				routing: { send: { type: 'query', property: 'package_id', value: '={{ String($value || "").trim() || undefined }}' } },
			},
			idListFilter('Portal IDs', 'portals', 'portals', 'Comma-separated portal IDs; activities of packages received through any of them match'),
			idListFilter('Teamspace IDs', 'teamspaces', 'teamspaces', 'Comma-separated Teamspace IDs; activities of packages in any of them match'),
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
				{ name: 'Newest First', value: '-created_at' },
				{ name: 'Oldest First', value: 'created_at' },
			]),
		],
	},
	simplifyParameter(show(['getAll'])),
];
