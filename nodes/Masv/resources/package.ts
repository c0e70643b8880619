import type { INodeProperties } from 'n8n-workflow';

// Placeholder: the package operations of the contract are added here.
export const packageOperations: INodeProperties = {
	displayName: 'Operation',
	name: 'operation',
	type: 'options',
	noDataExpression: true,
	displayOptions: { show: { resource: ['package'] } },
	default: '',
	options: [],
};

export const packageFields: INodeProperties[] = [];
