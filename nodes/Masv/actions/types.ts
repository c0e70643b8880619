import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

export type CustomOperation = (this: IExecuteFunctions) => Promise<INodeExecutionData[][]>;

/** Custom operations by resource, then operation. */
export type CustomOperations = Record<string, Record<string, CustomOperation>>;

/**
 * An Operation selector as written, with the literal types of its options kept, so that the
 * options without routing can be told apart by the type checker.
 */
export function operationSelector<const T extends INodeProperties>(selector: T): T {
	return selector;
}
