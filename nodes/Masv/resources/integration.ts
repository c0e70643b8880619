import type { INodeProperties } from 'n8n-workflow';

// Placeholder: the integration operations of the contract are added here.
export const integrationOperations: INodeProperties = {
	displayName: 'Operation',
	name: 'operation',
	type: 'options',
	noDataExpression: true,
	displayOptions: { show: { resource: ['integration'] } },
	default: '',
	options: [],
};

export const integrationFields: INodeProperties[] = [];
