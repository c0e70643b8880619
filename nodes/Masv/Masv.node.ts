import { NodeConnectionTypes } from 'n8n-workflow';
import type { INodeType, INodeTypeDescription } from 'n8n-workflow';

import { customOperations, resourceProperties } from './actions';
import { searchIntegrations, searchPackages, searchPortals, searchTeams, searchTeamspaces, searchWebhooks } from './methods/listSearch';
import { DEFAULT_BASE_URL } from './transport/request';
import { DEFAULT_STALL_TIMEOUT_SECONDS } from './transport/retry';

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
			baseURL: `={{ ($credentials.baseUrl || "${DEFAULT_BASE_URL}").replace(new RegExp("/+$"), "") }}`,
			headers: { Accept: 'application/json', 'Content-Type': 'application/json' },
			json: true,
			// n8n's routing replaces this with its own 300 s; the node's pagination function sets each
			// routed request's timeout to the operation's stall timeout (shared/routedCall.ts,
			// docs/reliability.md "Routed operations"). Kept for routing code that reads it first.
			timeout: DEFAULT_STALL_TIMEOUT_SECONDS * 1000,
		},
		properties: resourceProperties,
	};

	methods = {
		listSearch: { searchTeams, searchPackages, searchPortals, searchTeamspaces, searchIntegrations, searchWebhooks },
	};

	customOperations = customOperations;
}
