// The parameters of Package → Upload and Package → Upload From URL (docs/upload-from-url.md).
import type { IDisplayOptions, INodeProperties } from 'n8n-workflow';

import { packageTokenOption, packageLocator, teamLocator } from '../../shared/descriptions';
import { maxMemoryField, RETRY_WINDOW_OPTION, STALL_TIMEOUT_OPTION } from '../../shared/transferOptions';
import { MAX_PART_BUFFER, MIB } from '../../transfer/parts';
import { DEFAULT_PARALLEL, DEFAULT_PARALLEL_FILES, MAX_PARALLEL_FILES } from './uploadOptions';

const FILE_NAME_OPTION: INodeProperties = {
	displayName: 'File Name',
	name: 'fileName',
	type: 'string',
	default: '',
	description: "Name of the file in the package, instead of the binary's own file name",
};

const OPTIONS: INodeProperties[] = [
	{
		displayName: 'Folder Path',
		name: 'folderPath',
		type: 'string',
		default: '',
		placeholder: 'e.g. shots/day1',
		description: 'Folder inside the package for the files, with / between folder names',
	},
	maxMemoryField(
		'Ceiling for the memory that part buffers take: part size × (parallel uploads + 1). Parallel uploads, then the part size, are lowered to fit under it.',
	),
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
		displayName: 'Parallel Files',
		name: 'parallelFiles',
		type: 'number',
		default: DEFAULT_PARALLEL_FILES,
		typeOptions: { minValue: 1, maxValue: MAX_PARALLEL_FILES },
		description:
			'Files uploaded at once, across items, into the same package. Their part buffers share one memory ceiling, so big files wait for memory rather than adding to it. Read from the first item.',
	},
	{
		displayName: 'Parallel Uploads',
		name: 'parallelUploads',
		type: 'number',
		default: DEFAULT_PARALLEL,
		typeOptions: { minValue: 1, maxValue: 16 },
		description:
			'Parts sent at once. Memory use is about part size × (parallel uploads + 1), whatever the file size; see Max Memory.',
	},
	{
		displayName: 'Part Size (MiB)',
		name: 'chunkSize',
		type: 'number',
		default: 32, // DEFAULT_PART_SIZE in MiB
		typeOptions: { minValue: 5, maxValue: MAX_PART_BUFFER / MIB },
		description:
			'Size of each uploaded part in MiB (at least 5). Raised automatically when a file would need more than 10,000 parts.',
	},
	RETRY_WINDOW_OPTION,
	STALL_TIMEOUT_OPTION,
];

/** Shown for both uploads: where the files go and how they are sent. */
const upload = { resource: ['package'], operation: ['upload', 'uploadFromUrl'] };
/** Upload only: the binaries of the input items. */
const binaryUpload = { resource: ['package'], operation: ['upload'] };
/** Upload From URL only: the URL and the file name. */
const urlUpload = { resource: ['package'], operation: ['uploadFromUrl'] };

/** The Options of an upload; `File Name` is an option of Upload only (Upload From URL has it as a parameter). */
function uploadOptions(show: IDisplayOptions['show'], withFileName: boolean): INodeProperties {
	return {
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		displayOptions: { show },
		options: withFileName ? [FILE_NAME_OPTION, ...OPTIONS] : OPTIONS,
	};
}

export const description: INodeProperties[] = [
	{
		displayName: 'URL',
		name: 'url',
		type: 'string',
		required: true,
		default: '',
		placeholder: 'e.g. https://example.com/media/interview.mov',
		description:
			'HTTP or HTTPS address of the file: a pre-signed S3 link, a direct Google Drive or Dropbox download link, a web server. Read in parts straight into MASV, never stored in n8n. Sent no credentials: it must work without signing in.',
		displayOptions: { show: urlUpload },
	},
	{
		displayName: 'File Name',
		name: 'fileName',
		type: 'string',
		default: '',
		placeholder: 'e.g. interview.mov',
		description:
			"Name of the file in the package. Empty: the name the source gives (Content-Disposition), else the last part of the URL's path.",
		displayOptions: { show: urlUpload },
	},
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
		displayOptions: { show: binaryUpload },
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
	uploadOptions(binaryUpload, true),
	uploadOptions(urlUpload, false),
];
