import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

type CustomOperation = (this: IExecuteFunctions) => Promise<INodeExecutionData[][]>;

/**
 * The operations that routing cannot do well, by resource and operation: package-token calls (the
 * token is looked up first and sent instead of the API key), uploads and downloads.
 */
export const customOperations: Record<string, Record<string, CustomOperation>> = {};
