import type { INodeProperties } from 'n8n-workflow';

import { packageLocator, packageTokenOption, teamLocator } from '../shared/descriptions';
import { MAX_PART_BUFFER, MIB } from '../transfer/parts';

/** Transfer options of Upload and both Downloads (node-contract.md "Transfer options"). */
const RETRY_WINDOW_OPTION: INodeProperties = {
	displayName: 'Retry Window (Minutes)',
	name: 'retryWindowMinutes',
	type: 'number',
	default: 5,
	typeOptions: { minValue: 0 },
	description:
		'How long a failing request (a part, a download, a MASV call) is retried before the node gives up: connection errors, timeouts, 5xx, 408, 429 and storage slow-downs. Failures that cannot heal fail at once.',
};

const STALL_TIMEOUT_OPTION: INodeProperties = {
	displayName: 'Stall Timeout (Seconds)',
	name: 'stallTimeoutSeconds',
	type: 'number',
	default: 60,
	typeOptions: { minValue: 1 },
	description: 'A request with no bytes moving for this long counts as failed, and is retried',
};

// The fields of package upload, package download and link download (node-contract.md "Upload" and
// "Download"). The package and link resources spread these arrays and list the operations.

const upload = { resource: ['package'], operation: ['upload'] };
const packageDownload = { resource: ['package'], operation: ['download'] };
const linkDownload = { resource: ['link'], operation: ['download'] };

export const packageUploadFields: INodeProperties[] = [
	{
		displayName: 'Destination',
		name: 'destination',
		type: 'options',
		noDataExpression: true,
		default: 'newPackage',
		displayOptions: { show: upload },
		options: [
			{
				name: 'Existing Package',
				value: 'existingPackage',
				description: 'Add the files to a team package that is not finalized yet',
			},
			{
				name: 'New Package',
				value: 'newPackage',
				description: 'Create a team package for the files',
			},
			{
				name: 'Portal',
				value: 'portal',
				description: 'Create a package on a portal, as a sender uploading through it',
			},
		],
	},
	teamLocator({ show: { ...upload, destination: ['newPackage', 'existingPackage'] } }),
	packageLocator({ show: { ...upload, destination: ['existingPackage'] } }),
	{
		displayName: 'Portal Subdomain',
		name: 'subdomain',
		type: 'string',
		required: true,
		default: '',
		placeholder: 'e.g. acme',
		description: 'The part of the portal address before .portal.massive.io',
		displayOptions: { show: { ...upload, destination: ['portal'] } },
	},
	{
		displayName: 'Sender Email',
		name: 'senderEmail',
		type: 'string',
		required: true,
		default: '',
		placeholder: 'name@email.com',
		description: 'Email address of the sender, as the portal shows it to the team',
		displayOptions: { show: { ...upload, destination: ['portal'] } },
	},
	{
		displayName: 'Package Name',
		name: 'name',
		type: 'string',
		default: '',
		description: 'Name of the new package. Empty lets MASV choose one.',
		displayOptions: { show: { ...upload, destination: ['newPackage', 'portal'] } },
	},
	{
		displayName: 'Description',
		name: 'description',
		type: 'string',
		default: '',
		typeOptions: { rows: 2 },
		description: 'Message shown with the package',
		displayOptions: { show: { ...upload, destination: ['newPackage', 'portal'] } },
	},
	{
		displayName: 'Recipients',
		name: 'recipients',
		type: 'string',
		default: '',
		placeholder: 'e.g. editor@example.com, producer@example.com',
		description:
			'Email addresses, comma-separated (or an array from an expression), that get a download link once the package is finalized. Empty makes a link-only package.',
		displayOptions: { show: { ...upload, destination: ['newPackage'] } },
	},
	{
		displayName: 'Input Binary Field',
		name: 'binaryPropertyName',
		type: 'string',
		required: true,
		default: 'data',
		hint: 'The name of the input binary field containing the file to be uploaded',
		description:
			'Name of the binary property holding the file. Several names, comma-separated, upload several files of each item.',
		displayOptions: { show: upload },
	},
	{
		displayName: 'Finalize',
		name: 'finalize',
		type: 'boolean',
		default: true,
		description:
			'Whether to finalize the package once every file of this run is uploaded: recipients are notified and links work. Turn off to add more files later.',
		displayOptions: { show: upload },
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		displayOptions: { show: upload },
		options: [
			{
				displayName: 'File Name',
				name: 'fileName',
				type: 'string',
				default: '',
				description: "Name of the file in the package, instead of the binary's own file name",
			},
			{
				displayName: 'Folder Path',
				name: 'folderPath',
				type: 'string',
				default: '',
				placeholder: 'e.g. shots/day1',
				description: 'Folder inside the package for the files, with / between folder names',
			},
			{
				displayName: 'Max Memory (MiB)',
				name: 'maxMemoryMiB',
				type: 'number',
				default: 256,
				typeOptions: { minValue: 10 },
				description:
					'Ceiling for the memory that part buffers take: part size × (parallel uploads + 1). Parallel uploads, then the part size, are lowered to fit under it.',
			},
			{
				displayName: 'One Package per Item',
				name: 'onePackagePerItem',
				type: 'boolean',
				default: false,
				description:
					'Whether each input item gets its own package. Off: the files of all items go into one package.',
			},
			packageTokenOption,
			{
				displayName: 'Parallel Uploads',
				name: 'parallelUploads',
				type: 'number',
				default: 4,
				typeOptions: { minValue: 1, maxValue: 16 },
				description:
					'Parts sent at once. Memory use is about part size × parallel uploads, whatever the file size.',
			},
			{
				displayName: 'Part Size (MiB)',
				name: 'chunkSize',
				type: 'number',
				default: 16,
				typeOptions: { minValue: 5, maxValue: MAX_PART_BUFFER / MIB },
				description:
					'Size of each uploaded part in MiB (at least 5). Raised automatically when a file would need more than 10,000 parts.',
			},
			RETRY_WINDOW_OPTION,
			STALL_TIMEOUT_OPTION,
		],
	},
];

const downloadOptions = (extra: INodeProperties[]): INodeProperties => ({
	displayName: 'Options',
	name: 'options',
	type: 'collection',
	placeholder: 'Add Option',
	default: {},
	options: [
		{
			displayName: 'File Name Filter',
			name: 'fileNameFilter',
			type: 'string',
			default: '',
			placeholder: 'e.g. *.mov',
			description:
				'Only download matching files. With * or ? a pattern on the file name (on folder/name when it holds a /), otherwise a part of the file name; case-insensitive; several comma-separated.',
		},
		{
			displayName: 'Include Zips',
			name: 'includeZips',
			type: 'boolean',
			default: false,
			description: 'Whether to also download the zip archives MASV builds of the whole package',
		},
		{
			displayName: 'Put Output File in Field',
			name: 'binaryPropertyName',
			type: 'string',
			default: 'data',
			hint: 'The name of the output binary field to put the file in',
			description: 'Name of the binary property of each output item that holds the file',
		},
		RETRY_WINDOW_OPTION,
		STALL_TIMEOUT_OPTION,
		...extra,
	],
});

export const packageDownloadFields: INodeProperties[] = [
	teamLocator({ show: packageDownload }),
	packageLocator({ show: packageDownload }),
	{
		...downloadOptions([
			packageTokenOption,
		]),
		displayOptions: { show: packageDownload },
	},
];

/**
 * Link ID, Link Secret and Link Password: how Link → Get and Link → Download name a link. The ID
 * and the secret show where `show` says, the password where `showPassword` says.
 */
export function linkKeyFields(
	show: NonNullable<INodeProperties['displayOptions']>['show'],
	showPassword = show,
): INodeProperties[] {
	return [
		{
			displayName: 'Link ID',
			name: 'linkId',
			type: 'string',
			required: true,
			default: '',
			placeholder: 'e.g. 01D2TMG9F5GHMHX8RWZ453VA35',
			description: 'ID of the link (the part after get.massive.io/ in the link URL)',
			displayOptions: { show },
		},
		{
			displayName: 'Link Secret',
			name: 'linkSecret',
			type: 'string',
			typeOptions: { password: true },
			required: true,
			default: '',
			description: 'Secret of the link (its download_secret, the "secret" value of the link URL)',
			displayOptions: { show },
		},
		{
			displayName: 'Link Password',
			name: 'linkPassword',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			description: 'Password of the link, if it has one',
			displayOptions: { show: showPassword },
		},
	];
}

export const linkDownloadFields: INodeProperties[] = [
	{
		displayName: 'Link Given As',
		name: 'linkSource',
		type: 'options',
		noDataExpression: true,
		default: 'url',
		displayOptions: { show: linkDownload },
		options: [
			{ name: 'ID and Secret', value: 'idAndSecret', description: 'The link ID and its secret, separately' },
			{ name: 'URL', value: 'url', description: 'The download link as MASV sends it' },
		],
	},
	{
		displayName: 'Link URL',
		name: 'linkUrl',
		type: 'string',
		required: true,
		default: '',
		placeholder: 'e.g. https://get.massive.io/01D2TMG9F5GHMHX8RWZ453VA35?secret=abcdefgh12345678',
		description: 'The download link, with its secret',
		displayOptions: { show: { ...linkDownload, linkSource: ['url'] } },
	},
	...linkKeyFields({ ...linkDownload, linkSource: ['idAndSecret'] }, linkDownload),
	{ ...downloadOptions([]), displayOptions: { show: linkDownload } },
];
