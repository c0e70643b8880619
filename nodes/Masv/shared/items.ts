import { NodeOperationError } from 'n8n-workflow';
import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { toNodeError } from '../transport/errors';

/**
 * The item loop of a custom operation: runs `perItem` for each input item in turn, pairs every
 * output item with its input, and turns a failure into an error item when "Continue On Fail" is on.
 */
export async function forEachItem(
	ctx: IExecuteFunctions,
	perItem: (itemIndex: number) => Promise<IDataObject | IDataObject[] | INodeExecutionData[]>,
): Promise<INodeExecutionData[][]> {
	const items = ctx.getInputData();
	const output: INodeExecutionData[] = [];
	for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
		try {
			const result = await perItem(itemIndex);
			for (const entry of Array.isArray(result) ? result : [result]) {
				const item = isExecutionData(entry) ? entry : { json: entry };
				output.push({ ...item, pairedItem: { item: itemIndex } });
			}
		} catch (error) {
			if (ctx.continueOnFail()) {
				output.push({ json: { error: (error as Error).message }, pairedItem: { item: itemIndex } });
				continue;
			}
			throw toNodeError(ctx.getNode(), error, itemIndex);
		}
	}
	return [output];
}

function isExecutionData(entry: IDataObject | INodeExecutionData): entry is INodeExecutionData {
	return typeof (entry as INodeExecutionData).json === 'object' && (entry as INodeExecutionData).json !== null && Object.keys(entry).every((key) => ['json', 'binary', 'pairedItem', 'error'].includes(key));
}

/** A parameter value as trimmed text (`''` for nothing). */
export function plainText(value: unknown): string {
	return typeof value === 'string' ? value.trim() : value === undefined || value === null ? '' : String(value);
}

/** The plain value of a string or resource-locator parameter, trimmed. */
export function idParameter(ctx: IExecuteFunctions, name: string, itemIndex: number): string {
	const id = plainText(ctx.getNodeParameter(name, itemIndex, '', { extractValue: true }));
	if (!id) {
		throw new NodeOperationError(ctx.getNode(), `The parameter "${name}" is empty`, {
			itemIndex,
			description: 'Choose a value from the list or enter an ID.',
		});
	}
	return id;
}

/** A list parameter given as comma-separated text or as an array (from an expression). */
export function listParameter(value: unknown): string[] {
	const parts = Array.isArray(value) ? value.map(String) : typeof value === 'string' ? value.split(',') : [];
	return parts.map((part) => part.trim()).filter((part) => part.length > 0);
}

/** A JSON object (not null, not an array). */
export function isRecord(value: unknown): value is IDataObject {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}
