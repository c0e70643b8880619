import { NodeConnectionTypes } from 'n8n-workflow';
import type { INodeType, INodeTypeDescription } from 'n8n-workflow';

import { customOperations } from './actions';
import { resourceProperties } from './actions';
import { searchIntegrations, searchPackages, searchPortals, searchTeams, searchTeamspaces } from './methods/listSearch';

export class Masv implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'MASV',
		name: 'masv',
		icon: { light: 'file:../../icons/masv.svg', dark: 'file:../../icons/masv.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: '={{$parameter["operation"] + ": " + $parameter["resource"]}}',
		description: 'Send, receive and manage large files with MASV',
		defaults: { name: 'MASV' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'masvApi', required: true }],
		requestDefaults: {
			baseURL: '={{ ($credentials.baseUrl || "https://api.massive.app").replace(new RegExp("/+$"), "") }}',
			headers: { Accept: 'application/json', 'Content-Type': 'application/json' },
			json: true,
		},
		properties: resourceProperties,
	};

	methods = {
		listSearch: { searchTeams, searchPackages, searchPortals, searchTeamspaces, searchIntegrations },
	};

	customOperations = customOperations;
}
