import type { INodeProperties } from 'n8n-workflow';

// Placeholder: the activity operations of the contract are added here.
export const activityOperations: INodeProperties = {
	displayName: 'Operation',
	name: 'operation',
	type: 'options',
	noDataExpression: true,
	displayOptions: { show: { resource: ['activity'] } },
	default: '',
	options: [],
};

export const activityFields: INodeProperties[] = [];
