import type { INodeProperties } from 'n8n-workflow';

// Placeholder: the link operations of the contract are added here.
export const linkOperations: INodeProperties = {
	displayName: 'Operation',
	name: 'operation',
	type: 'options',
	noDataExpression: true,
	displayOptions: { show: { resource: ['link'] } },
	default: '',
	options: [],
};

export const linkFields: INodeProperties[] = [];
