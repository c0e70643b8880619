import { NodeOperationError } from 'n8n-workflow';
import type { IExecuteFunctions, INode, INodeProperties } from 'n8n-workflow';

import { DEFAULT_MAX_MEMORY, MIB } from '../transfer/parts';
import { policyFromOptions } from '../transport/retry';
import type { RetryPolicy } from '../transport/retry';

/** The retry options of every operation (docs/reliability.md, "Settings"). */
export const RETRY_WINDOW_OPTION: INodeProperties = {
	displayName: 'Retry Window (Minutes)',
	name: 'retryWindowMinutes',
	type: 'number',
	default: 5,
	typeOptions: { minValue: 0 },
	description:
		'How long a failing request (a MASV call, a part, a download) is retried before the node gives up: connection errors, timeouts, 5xx, 408, 429 and storage slow-downs. Failures that cannot heal fail at once; a create is never sent again blindly, it is read back. 0 turns retries off.',
};

export const STALL_TIMEOUT_OPTION: INodeProperties = {
	displayName: 'Stall Timeout (Seconds)',
	name: 'stallTimeoutSeconds',
	type: 'number',
	default: 60,
	typeOptions: { minValue: 1 },
	description: 'A request with no bytes moving for this long counts as failed, and is retried',
};

/** The transfer options shared by Upload and both Downloads (README "Reliability"). */
export interface TransferOptions {
	retryWindowMinutes?: number;
	stallTimeoutSeconds?: number;
	maxMemoryMiB?: number;
}

/** The retry window and stall timeout an item's options ask for, checked. */
export function transferPolicy(ctx: IExecuteFunctions, options: TransferOptions, itemIndex: number): RetryPolicy {
	return optionsPolicy(ctx.getNode(), options, itemIndex);
}

/** The retry window and stall timeout of an operation's Options, checked; the defaults where unset. */
export function optionsPolicy(node: INode, options: TransferOptions, itemIndex: number): RetryPolicy {
	const minutes = options.retryWindowMinutes;
	if (minutes !== undefined && minutes !== null && (!Number.isFinite(Number(minutes)) || Number(minutes) < 0)) {
		throw new NodeOperationError(node, 'The option "Retry Window (Minutes)" must be 0 or more', { itemIndex });
	}
	const seconds = options.stallTimeoutSeconds;
	if (seconds !== undefined && seconds !== null && (!Number.isFinite(Number(seconds)) || Number(seconds) < 1)) {
		throw new NodeOperationError(node, 'The option "Stall Timeout (Seconds)" must be at least 1', { itemIndex });
	}
	return policyFromOptions(options);
}

/**
 * The option *Max Memory (MiB)* of Upload, Upload From URL and Download, read by `maxMemoryOption`
 * (the same default, DEFAULT_MAX_MEMORY, and minimum); `description` says what the operation's buffers are.
 */
export function maxMemoryField(description: string): INodeProperties {
	return {
		displayName: 'Max Memory (MiB)',
		name: 'maxMemoryMiB',
		type: 'number',
		default: 256,
		typeOptions: { minValue: 10 },
		description,
	};
}

/** The memory ceiling for part buffers, in bytes. */
export function maxMemoryOption(ctx: IExecuteFunctions, options: TransferOptions, itemIndex: number): number {
	if (options.maxMemoryMiB === undefined || options.maxMemoryMiB === null) return DEFAULT_MAX_MEMORY;
	const mib = Number(options.maxMemoryMiB);
	if (!Number.isFinite(mib) || mib < 10) {
		throw new NodeOperationError(ctx.getNode(), 'The option "Max Memory (MiB)" must be at least 10 (two parts of 5 MiB)', { itemIndex });
	}
	return Math.floor(mib * MIB);
}

/** A whole-number option from 1 to `max` (parts or files in flight); `fallback` when not set. */
export function wholeNumberOption(
	ctx: IExecuteFunctions,
	raw: number | undefined | null,
	label: string,
	fallback: number,
	max: number,
	itemIndex: number,
): number {
	if (raw === undefined || raw === null) return fallback;
	const value = Math.floor(Number(raw));
	if (!Number.isFinite(value) || value < 1 || value > max) {
		throw new NodeOperationError(ctx.getNode(), `The option "${label}" must be between 1 and ${max}`, { itemIndex });
	}
	return value;
}

/** The retry window and stall timeout of an operation's item, from its Options (docs/reliability.md, "Settings"). */
export function callPolicy(ctx: IExecuteFunctions, itemIndex: number): RetryPolicy {
	const options = ctx.getNodeParameter('options', itemIndex, {}) as TransferOptions | undefined;
	return optionsPolicy(ctx.getNode(), options && typeof options === 'object' ? options : {}, itemIndex);
}
