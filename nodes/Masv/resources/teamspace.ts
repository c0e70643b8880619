import type { INodeProperties } from 'n8n-workflow';

// Placeholder: the teamspace operations of the contract are added here.
export const teamspaceOperations: INodeProperties = {
	displayName: 'Operation',
	name: 'operation',
	type: 'options',
	noDataExpression: true,
	displayOptions: { show: { resource: ['teamspace'] } },
	default: '',
	options: [],
};

export const teamspaceFields: INodeProperties[] = [];
