import type { INodeProperties } from 'n8n-workflow';

// Placeholder: the tag operations of the contract are added here.
export const tagOperations: INodeProperties = {
	displayName: 'Operation',
	name: 'operation',
	type: 'options',
	noDataExpression: true,
	displayOptions: { show: { resource: ['tag'] } },
	default: '',
	options: [],
};

export const tagFields: INodeProperties[] = [];
