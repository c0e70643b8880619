import type { INodeProperties } from 'n8n-workflow';

// Placeholder: the portal operations of the contract are added here.
export const portalOperations: INodeProperties = {
	displayName: 'Operation',
	name: 'operation',
	type: 'options',
	noDataExpression: true,
	displayOptions: { show: { resource: ['portal'] } },
	default: '',
	options: [],
};

export const portalFields: INodeProperties[] = [];
