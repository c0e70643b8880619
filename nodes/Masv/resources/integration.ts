import type { INodeProperties } from 'n8n-workflow';

import { resourceLocator, returnAllAndLimitUnpaged, showFor, teamLocator } from '../shared/descriptions';
import { route } from '../shared/routing';
import { simplifyParameter } from '../shared/simplify';

const show = showFor('integration');

export const integrationOperations: INodeProperties = {
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
			action: 'Get an integration',
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
			action: 'Get many integrations',
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
			action: 'Import files from an integration into a new package',
			description: 'Create a team package from files already in the connected storage',
		},
		{
			name: 'List Files',
			value: 'listFiles',
			action: 'List the files of an integration',
			description: 'Browse a folder of the connected storage or Storage Gateway, every page',
		},
	],
};

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

	// listFiles
	{
		displayName: 'Folder or Prefix',
		name: 'prefix',
		type: 'string',
		default: '',
		placeholder: 'e.g. media/',
		description:
			'Folder to list, ending with a slash (media/). For cloud storage this is a key prefix, so media/clip also matches names that start with "clip". Empty lists the top level.',
		displayOptions: show(['listFiles']),
	},
	...returnAllAndLimitUnpaged(show(['listFiles'])),
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		displayOptions: show(['listFiles']),
		options: [
			{
				displayName: 'Page Size',
				name: 'pageSize',
				type: 'number',
				default: 100,
				typeOptions: { minValue: 1, maxValue: 1000 },
				description: 'How many entries to ask MASV for per request; the node reads every page it needs',
			},
			{
				displayName: 'Storage Type',
				name: 'storageType',
				type: 'options',
				default: 'auto',
				description: 'Which MASV browse API to use',
				options: [
					{
						name: 'Automatic',
						value: 'auto',
						description: 'Read the integration first and pick the API from its provider',
					},
					{
						name: 'Cloud Storage',
						value: 'cloud',
						description: 'S3-style storage (Amazon S3, Wasabi, …), paged by last key',
					},
					{
						name: 'Storage Gateway',
						value: 'storageGateway',
						description: 'A MASV Storage Gateway, paged by offset',
					},
				],
			},
		],
	},

	// importFiles
	{
		displayName: 'Files',
		name: 'files',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'e.g. media/clip.mov, media/stills/',
		description:
			'Keys or paths in the connected storage, comma-separated; a folder ends with a slash. From an expression, also an array of keys or of entries with an ID, name and kind, such as the output of List Files.',
		displayOptions: show(['importFiles']),
	},
	{
		displayName: 'Package Name',
		name: 'name',
		type: 'string',
		default: '',
		required: true,
		description: 'Name of the new package',
		displayOptions: show(['importFiles']),
	},
	{
		displayName: 'Description',
		name: 'description',
		type: 'string',
		default: '',
		typeOptions: { rows: 2 },
		description: 'Message sent with the package',
		displayOptions: show(['importFiles']),
	},
	{
		displayName: 'Recipients',
		name: 'recipients',
		type: 'string',
		default: '',
		placeholder: 'e.g. name@email.com, other@email.com',
		description:
			'Comma-separated email addresses (or an array from an expression) to notify when the package is ready; empty for a link-only package',
		displayOptions: show(['importFiles']),
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		displayOptions: show(['importFiles']),
		options: [
			{
				displayName: 'Notify Email',
				name: 'notifyEmail',
				type: 'string',
				default: '',
				placeholder: 'name@email.com',
				description: 'Email address MASV tells when the import is done',
			},
			{
				displayName: 'Provider',
				name: 'provider',
				type: 'string',
				default: '',
				placeholder: 'e.g. amazon_s3',
				description:
					'Provider of the integration as MASV names it. Leave empty to read it from the integration (one extra call).',
			},
		],
	},
	simplifyParameter(show(['get', 'getAll'])),
];
