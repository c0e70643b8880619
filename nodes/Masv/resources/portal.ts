import type {
	IExecuteSingleFunctions,
	IHttpRequestOptions,
	INodeProperties,
} from 'n8n-workflow';

import { portalBody, portalCreateBody } from '../api/portals';
import type { PortalFields } from '../api/portals';
import {
	portalLocator,
	returnAllAndLimit,
	returnAllAndLimitUnpaged,
	showFor,
	sortOption,
	teamLocator,
} from '../shared/descriptions';
import { requireParameter, requiredText } from '../shared/preSend';
import { deletedResult, route } from '../shared/routing';
import { includePackageTokenOption, stripTokens } from '../shared/secrets';
import { simplifyParameter } from '../shared/simplify';

const show = showFor('portal');

/** preSend of `create`: the whole portal body, from Name, Subdomain and Additional Fields. */
async function portalCreateRequest(
	this: IExecuteSingleFunctions,
	requestOptions: IHttpRequestOptions,
): Promise<IHttpRequestOptions> {
	const name = requiredText(this, 'name', 'Name');
	const subdomain = requiredText(this, 'subdomain', 'Subdomain');
	const fields = this.getNodeParameter('additionalFields', {}) as PortalFields;
	const body = portalBody(this.getNode(), fields, 'Additional Fields', this.getItemIndex());
	requestOptions.body = portalCreateBody(name, subdomain, body);
	return requestOptions;
}

export const portalOperations: INodeProperties = {
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
			routing: {
				...route({ method: 'POST', url: '=/v1/teams/{{encodeURIComponent($parameter.teamId)}}/portals' }),
				send: { preSend: [portalCreateRequest] },
			},
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
};

/** The writable portal settings (masv-api.md §9.1), for Additional Fields and Update Fields. */
const PORTAL_SETTINGS: INodeProperties[] = [
	{
		displayName: 'Active',
		name: 'active',
		type: 'boolean',
		default: true,
		description: 'Whether the portal accepts uploads. A new portal is created active unless this is off.',
	},
	{
		displayName: 'Background Image URL',
		name: 'backgroundUrl',
		type: 'string',
		default: '',
		placeholder: 'e.g. https://example.com/background.jpg',
		description: 'Background image of the upload page',
	},
	{
		displayName: 'CC Recipients',
		name: 'ccRecipients',
		type: 'string',
		default: '',
		placeholder: 'e.g. producer@example.com',
		description: 'Comma-separated email addresses (or an array from an expression) told about uploads, without the download link',
	},
	{
		displayName: 'Custom Expiry Days',
		name: 'customExpiryDays',
		type: 'number',
		typeOptions: { minValue: -1, maxValue: 65535 },
		default: 7,
		description: 'Days the packages of this portal are kept, instead of the team default; -1 keeps them without a time limit (plan permitting)',
	},
	{
		displayName: 'Disable Upload Receipt',
		name: 'disableUploadReceipt',
		type: 'boolean',
		default: false,
		description: 'Whether to send no receipt email to the uploader',
	},
	{
		displayName: 'Download Password',
		name: 'downloadPassword',
		type: 'string',
		typeOptions: { password: true },
		default: '',
		description: 'Password needed to download every package uploaded to this portal',
	},
	{
		displayName: 'Download Requires Login',
		name: 'downloadUserAuthenticationRequired',
		type: 'boolean',
		default: false,
		description: 'Whether downloading packages of this portal requires a MASV login',
	},
	{
		displayName: 'File Type Mode',
		name: 'fileTypeMode',
		type: 'options',
		default: 'allow',
		description: 'Whether File Types lists the only types accepted or the types refused',
		options: [
			{ name: 'Allow Only These', value: 'allow' },
			{ name: 'Block These', value: 'block' },
		],
	},
	{
		displayName: 'File Types',
		name: 'fileTypes',
		type: 'string',
		default: '',
		placeholder: 'e.g. .mov, .mp4, .wav',
		description: 'Comma-separated file extensions the portal restricts uploads to (or refuses, see File Type Mode). Empty removes the restriction.',
	},
	{
		displayName: 'Integration IDs',
		name: 'integrationIds',
		type: 'string',
		default: '',
		placeholder: 'e.g. 01FX8CYWMQAEGW8AYSNQRGAMRM',
		description: 'Comma-separated IDs of storage integrations (cloud connections) that receive every upload automatically. Empty detaches them all.',
	},
	{
		displayName: 'Logo URL',
		name: 'logoUrl',
		type: 'string',
		default: '',
		placeholder: 'e.g. https://example.com/logo.png',
		description: 'Logo shown on the upload page',
	},
	{
		displayName: 'Max File Count',
		name: 'maxFileCount',
		type: 'number',
		typeOptions: { minValue: 0 },
		default: 0,
		description: 'Most files one upload may hold; 0 for no limit',
	},
	{
		displayName: 'Max File Size (Bytes)',
		name: 'maxFileSize',
		type: 'number',
		typeOptions: { minValue: 0 },
		default: 0,
		description: 'Largest file one upload may hold, in bytes; 0 for no limit',
	},
	{
		displayName: 'Max Package Size (Bytes)',
		name: 'maxPackageSize',
		type: 'number',
		typeOptions: { minValue: 0 },
		default: 0,
		description: 'Largest total size of one upload, in bytes; 0 for no limit',
	},
	{
		displayName: 'Message',
		name: 'message',
		type: 'string',
		typeOptions: { rows: 3 },
		default: '',
		description: 'Welcome text on the upload page',
	},
	{
		displayName: 'Portal Expiry',
		name: 'expiry',
		type: 'dateTime',
		default: '',
		description: 'When the portal stops accepting uploads. Empty means never.',
	},
	{
		displayName: 'Primary Color',
		name: 'primaryColor',
		type: 'color',
		default: '#0075ff',
		description: 'Main color of the upload page',
	},
	{
		displayName: 'Recipients',
		name: 'recipients',
		type: 'string',
		default: '',
		placeholder: 'e.g. editor@example.com, producer@example.com',
		description: 'Comma-separated email addresses (or an array from an expression) that get the download link of every upload',
	},
	{
		displayName: 'Tag ID',
		name: 'tagId',
		type: 'string',
		default: '',
		placeholder: 'e.g. 01FZGG2QQQTJV9CJ1Q2ZNXVKCQ',
		description: 'Tag given to every package uploaded to the portal. Empty removes the tag.',
	},
	{
		displayName: 'Teamspace ID',
		name: 'teamspace',
		type: 'string',
		default: '',
		placeholder: 'e.g. 01E8TP2TJCTDNW11G67NKHQW5J',
		description: 'The Teamspace the portal belongs to; its members see the packages. Empty takes the portal out of its Teamspace.',
	},
	{
		displayName: 'Upload Access Code',
		name: 'accessCode',
		type: 'string',
		typeOptions: { password: true },
		default: '',
		description: 'Password uploaders must enter on the upload page',
	},
	{
		displayName: 'Upload Requires Login',
		name: 'userAuthenticationRequired',
		type: 'boolean',
		default: false,
		description: 'Whether only signed-in users of the team may upload',
	},
];

const NAME_SETTING: INodeProperties = {
	displayName: 'Name',
	name: 'name',
	type: 'string',
	default: '',
	description: 'Name of the portal',
};

const SUBDOMAIN_SETTING: INodeProperties = {
	displayName: 'Subdomain',
	name: 'subdomain',
	type: 'string',
	default: '',
	placeholder: 'e.g. acme-uploads',
	description: 'The portal address: https://{subdomain}.portal.massive.io (3-53 characters: a-z, 0-9, -)',
};

const byDisplayName = (a: INodeProperties, b: INodeProperties) => a.displayName.localeCompare(b.displayName);

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

	// update
	{
		displayName: 'Update Fields',
		name: 'updateFields',
		type: 'collection',
		placeholder: 'Add Field',
		default: {},
		displayOptions: show(['update']),
		options: [...PORTAL_SETTINGS, NAME_SETTING, SUBDOMAIN_SETTING].sort(byDisplayName),
	},

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

	// getPackages: MASV's legacy list with its state flags (masv-api.md §5.9)
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
