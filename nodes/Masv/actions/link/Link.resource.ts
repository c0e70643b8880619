import type { INodeProperties } from 'n8n-workflow';


import { operationSelector } from '../types';
import { packageLocator, packageTokenOption, showFor } from '../../shared/descriptions';
import { tokenTeamLocator } from '../package/Package.resource';
import { linkKeyFields } from './common';
import * as download from './download.operation';

const show = showFor('link');

/**
 * The Operation selector, with its options' literal types: every option without routing is a
 * custom operation, which actions/index.ts requires an implementation for.
 */
export const linkOperations = operationSelector({
	displayName: 'Operation',
	name: 'operation',
	type: 'options',
	noDataExpression: true,
	displayOptions: { show: { resource: ['link'] } },
	default: 'create',
	options: [
		{
			name: 'Create',
			value: 'create',
			action: 'Create a download link for a package',
			description:
				'Create a download link to a package, emailed by MASV to a recipient or shared directly; returns the link with its URL',
		},
		{
			name: 'Download',
			value: 'download',
			action: 'Download the files behind a link',
			description: 'Download the files of the package behind a link into binary data',
		},
		{
			name: 'Get',
			value: 'get',
			action: 'Get what a download link points at',
			description: 'Get what a link points at: package, size, sender, expiry',
		},
	],
});

export const linkFields: INodeProperties[] = [
	// create
	tokenTeamLocator(show(['create'])),
	packageLocator(show(['create'])),
	{
		displayName: 'Email',
		name: 'email',
		type: 'string',
		placeholder: 'name@email.com',
		default: '',
		description: 'Recipient MASV emails the link to. Leave empty for a direct link to share yourself.',
		displayOptions: show(['create']),
	},
	{
		displayName: 'Password',
		name: 'password',
		type: 'string',
		typeOptions: { password: true },
		default: '',
		description: 'Password needed to download through the link. Leave empty for none.',
		displayOptions: show(['create']),
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		displayOptions: show(['create']),
		options: [packageTokenOption],
	},

	// get
	...linkKeyFields(show(['get']).show),

	...download.description,
];
