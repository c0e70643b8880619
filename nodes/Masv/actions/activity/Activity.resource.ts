import type { IExecuteSingleFunctions, IHttpRequestOptions, INodeProperties } from 'n8n-workflow';


import { operationSelector } from '../types';
import { returnAllAndLimit, showFor, teamLocator } from '../../shared/descriptions';
import { route } from '../../shared/routing';
import { simplifyParameter } from '../../shared/simplify';

const show = showFor('activity');

const pad = (value: number) => String(value).padStart(2, '0');

/**
 * A date filter as the activity list takes it (docs/masv-api.md §15.2): `YYYY-MM-DDTHH:mm:SS`. A value
 * with a time zone (or a Date / Luxon DateTime from an expression) is sent in UTC; a value without
 * one is sent as written; a bare day is its first second (from) or its last second (to).
 */
export function activityDate(value: unknown, endOfDay: boolean): string | undefined {
	if (value === undefined || value === null || value === '') return undefined;
	let date: Date | undefined;
	if (value instanceof Date) date = value;
	else if (typeof value === 'object' && typeof (value as { toJSDate?: unknown }).toJSDate === 'function') {
		date = (value as { toJSDate: () => Date }).toJSDate();
	} else {
		const text = String(value).trim();
		if (/^\d{4}-\d{2}-\d{2}$/.test(text)) return `${text}T${endOfDay ? '23:59:59' : '00:00:00'}`;
		const local = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2})(:\d{2})?(\.\d+)?$/.exec(text);
		if (local) return `${local[1]}T${local[2]}${local[3] ?? ':00'}`;
		date = new Date(text);
	}
	if (Number.isNaN(date.getTime())) return undefined;
	return (
		`${date.getUTCFullYear()}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())}` +
		`T${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())}`
	);
}

function sendDate(filter: 'createdAtStart' | 'createdAtEnd', query: string) {
	return async function (this: IExecuteSingleFunctions, requestOptions: IHttpRequestOptions): Promise<IHttpRequestOptions> {
		const value = this.getNodeParameter(`filters.${filter}`, '') as unknown;
		const formatted = activityDate(value, filter === 'createdAtEnd');
		if (formatted) requestOptions.qs = { ...requestOptions.qs, [query]: formatted };
		return requestOptions;
	};
}

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
			action: 'Get many activities',
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
				routing: { send: { preSend: [sendDate('createdAtStart', 'created_at_start')] } },
			},
			{
				displayName: 'Created Before',
				name: 'createdAtEnd',
				type: 'dateTime',
				default: '',
				description: 'Only activities created at or before this time (UTC when the value has no time zone)',
				routing: { send: { preSend: [sendDate('createdAtEnd', 'created_at_end')] } },
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
		],
	},
	simplifyParameter(show(['getAll'])),
];
