import type { IDisplayOptions, INodeProperties } from 'n8n-workflow';


import { operationSelector } from '../types';
import {
	packageListFilters,
	TEAM_PACKAGE_FILTERS,
	packageLocator,
	packageTokenOption,
	resourceLocator,
	returnAllAndLimit,
	
	showFor,
	sortOption,
	teamLocator,
} from '../../shared/descriptions';
import { route } from '../../shared/routing';
import { includePackageTokenOption, stripTokens } from '../../shared/secrets';
import * as download from './download.operation';
import * as getFiles from './getFiles.operation';
import * as sendToIntegration from './sendToIntegration.operation';
import * as updateExpiry from './updateExpiry.operation';
import * as upload from './upload.operation';
import { simplifyParameter } from '../../shared/simplify';
import { packageCreated } from '../../transport/readBack';

const show = showFor('package');

/** Operations that act on one package with its package token (custom operations). */
const TOKEN_OPERATIONS = ['delete', 'finalize', 'getFiles', 'getMetadata', 'getTransfers', 'sendToIntegration', 'updateExpiry'];

/**
 * The Operation selector, with its options' literal types: every option without routing is a
 * custom operation, which actions/index.ts requires an implementation for.
 */
export const packageOperations = operationSelector({
	displayName: 'Operation',
	name: 'operation',
	type: 'options',
	noDataExpression: true,
	displayOptions: { show: { resource: ['package'] } },
	default: 'upload',
	options: [
		{
			name: 'Create',
			value: 'create',
			action: 'Create a package',
			description: 'Create an empty team package, to add files to and finalize later',
			routing: route({
				method: 'POST',
				url: '=/v1/teams/{{$parameter.teamId}}/packages',
				output: [stripTokens],
				create: packageCreated,
			}),
		},
		{
			name: 'Delete',
			value: 'delete',
			action: 'Delete a package',
			description: 'Delete a package and its files for good (also cancels an unfinished upload)',
		},
		{
			name: 'Download',
			value: 'download',
			action: 'Download the files of a package',
			description: 'Download the files of a package into binary data',
		},
		{
			name: 'Finalize',
			value: 'finalize',
			action: 'Finalize a package',
			description: 'Close a package whose files are uploaded: MASV then emails the recipients and activates its links',
		},
		{
			name: 'Get',
			value: 'get',
			action: 'Get a package',
			description: 'Get one team package',
			routing: route({
				method: 'GET',
				url: '=/v1.1/teams/{{$parameter.teamId}}/packages/{{$parameter.packageId}}',
				output: [stripTokens],
				simplify: 'package',
			}),
		},
		{
			name: 'Get Files',
			value: 'getFiles',
			action: 'Get the files of a package',
			description: 'List the files (and zips) of a package, one item per file',
		},
		{
			name: 'Get Many',
			value: 'getAll',
			action: 'Get many packages',
			description: 'List the packages the team sent',
			routing: route({
				method: 'GET',
				url: '=/v1.1/teams/{{$parameter.teamId}}/packages',
				list: true,
				output: [stripTokens],
				simplify: 'package',
			}),
		},
		{
			name: 'Get Metadata',
			value: 'getMetadata',
			action: 'Get the custom metadata of a package',
			description:
				'Get the answers the sender gave in the form of the portal the package came through (such as a project code), as fields and as a name → value map for routing',
		},
		{
			name: 'Get Received',
			value: 'getReceived',
			action: 'Get packages received through portals',
			description: 'List the packages the team received through its portals',
			routing: route({
				method: 'GET',
				url: '=/v1.1/teams/{{$parameter.teamId}}/inbox',
				list: true,
				output: [stripTokens],
				simplify: 'package',
			}),
		},
		{
			name: 'Get Transfers',
			value: 'getTransfers',
			action: 'Get the transfers of a package',
			description: 'List the deliveries of a package to storage integrations',
		},
		{
			name: 'Send to Integration',
			value: 'sendToIntegration',
			action: 'Send a package to an integration',
			description: 'Deliver a finalized package to a connected cloud storage',
		},
		{
			name: 'Update Expiry',
			value: 'updateExpiry',
			action: 'Update the expiry of a package',
			description: 'Set when a package expires, or keep it without a time limit',
		},
		{
			name: 'Upload',
			value: 'upload',
			action: 'Upload files to a package',
			description: 'Upload binary data as files to a new or existing package',
		},
	],
});

const PACKAGE_SORT = sortOption([
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
]);

/** `recipients` as a JSON array: comma-separated text, or an array from an expression. */
const RECIPIENTS_VALUE =
	'={{ (Array.isArray($value) ? $value : String($value ?? "").split(",")).map(r => String(r).trim()).filter(r => r) }}';

/** The team of a package-token operation: needed only to look the token up. */
export const tokenTeamLocator = (displayOptions: IDisplayOptions) =>
	resourceLocator(
		{
			name: 'teamId',
			displayName: 'Team',
			searchListMethod: 'searchTeams',
			description: 'The MASV team of the package, used to look up its package token. Not needed when Options > Package Token is set.',
			required: false,
		},
		displayOptions,
	);

export const packageFields: INodeProperties[] = [
	teamLocator(show(['create', 'get', 'getAll', 'getReceived'])),
	tokenTeamLocator(show(TOKEN_OPERATIONS)),
	packageLocator(show(['get', ...TOKEN_OPERATIONS])),

	// create
	{
		displayName: 'Name',
		name: 'name',
		type: 'string',
		required: true,
		default: '',
		placeholder: 'e.g. Episode 104 dailies',
		description: 'Name of the package',
		displayOptions: show(['create']),
		routing: { send: { type: 'body', property: 'name' } },
	},
	{
		displayName: 'Description',
		name: 'description',
		type: 'string',
		typeOptions: { rows: 3 },
		default: '',
		description: 'Message shown to the recipients',
		displayOptions: show(['create']),
		routing: { send: { type: 'body', property: 'description' } },
	},
	{
		displayName: 'Recipients',
		name: 'recipients',
		type: 'string',
		default: '',
		placeholder: 'e.g. editor@example.com, producer@example.com',
		description:
			'Comma-separated email addresses (or an array from an expression) that MASV emails once the package is finalized. Leave empty for a package shared by link only.',
		displayOptions: show(['create']),
		routing: { send: { type: 'body', property: 'recipients', value: RECIPIENTS_VALUE } },
	},
	{
		displayName: 'Additional Fields',
		name: 'additionalFields',
		type: 'collection',
		placeholder: 'Add Field',
		default: {},
		displayOptions: show(['create']),
		options: [
			{
				displayName: 'Download Limit',
				name: 'accessLimit',
				type: 'number',
				typeOptions: { minValue: 1 },
				default: 5,
				description: 'How many times each link of the package may be downloaded (team default when unset)',
				routing: { send: { type: 'body', property: 'access_limit' } },
			},
			{
				displayName: 'Password',
				name: 'password',
				type: 'string',
				typeOptions: { password: true },
				default: '',
				description: 'Password the recipients need to download the package',
				routing: { send: { type: 'body', property: 'password', value: '={{ $value || undefined }}' } },
			},
		],
	},

	...sendToIntegration.description,
	...updateExpiry.description,

	// lists
	...returnAllAndLimit(show(['getAll', 'getReceived']), 1),
	...packageListFilters(show(['getAll']), 'dateTime', TEAM_PACKAGE_FILTERS),
	...packageListFilters(show(['getReceived']), 'dateTime', [
		...TEAM_PACKAGE_FILTERS,
		{
			displayName: 'Portal Name',
			name: 'portal',
			type: 'string',
			default: '',
			description: 'Only packages received through the portal with this name',
			routing: { send: { type: 'query', property: 'portal', value: '={{ $value || undefined }}' } },
		},
	]),
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		displayOptions: show(['getAll', 'getReceived']),
		options: [includePackageTokenOption, PACKAGE_SORT],
	},
	...getFiles.description,

	// package-token operations
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		displayOptions: show(TOKEN_OPERATIONS),
		options: [packageTokenOption],
	},

	...upload.description,
	...download.description,
	simplifyParameter(show(['get', 'getAll', 'getReceived', 'getFiles', 'getMetadata', 'getTransfers'])),
];
