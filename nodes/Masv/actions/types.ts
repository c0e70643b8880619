import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

export type CustomOperation = (this: IExecuteFunctions) => Promise<INodeExecutionData[][]>;

/** Custom operations by resource, then operation. */
export type CustomOperations = Record<string, Record<string, CustomOperation>>;
