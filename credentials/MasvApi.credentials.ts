import type {
	IAuthenticateGeneric,
	Icon,
	ICredentialTestRequest,
	ICredentialType,
	INodeProperties,
} from 'n8n-workflow';

import { DEFAULT_BASE_URL } from '../nodes/Masv/transport/request';

export class MasvApi implements ICredentialType {
	name = 'masvApi';

	displayName = 'MASV API';

	icon: Icon = { light: 'file:../icons/masv.svg', dark: 'file:../icons/masv.dark.svg' };

	documentationUrl = 'https://developer.massive.io/masv-api/apikeys';

	properties: INodeProperties[] = [
		{
			displayName: 'API Key',
			name: 'apiKey',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			description: 'A MASV API key, created in the MASV web app under Settings > API Keys',
		},
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			default: DEFAULT_BASE_URL,
			description: 'The MASV API address. Change it only to point at a MASV emulator or proxy.',
		},
	];

	// The key goes only to the MASV API: storage URLs handed out by MASV are pre-signed and are
	// called without credentials (see nodes/Masv/transfer/storage.ts).
	authenticate: IAuthenticateGeneric = {
		type: 'generic',
		properties: {
			headers: {
				'X-API-KEY': '={{$credentials.apiKey}}',
			},
		},
	};

	test: ICredentialTestRequest = {
		request: {
			baseURL: '={{$credentials.baseUrl.replace(new RegExp("/+$"), "")}}',
			url: '/v1/teams',
			method: 'GET',
		},
	};
}
