import { NodeOperationError } from 'n8n-workflow';
import type { IExecuteFunctions } from 'n8n-workflow';

import { policyFromOptions } from '../api/retry';
import type { RetryPolicy } from '../api/retry';
import { DEFAULT_MAX_MEMORY, MIB } from '../transfer/parts';

/** The transfer options shared by Upload and both Downloads (node-contract.md "Transfer options"). */
export interface TransferOptions {
	retryWindowMinutes?: number;
	stallTimeoutSeconds?: number;
	maxMemoryMiB?: number;
}

/** The retry window and stall timeout an item's options ask for, checked. */
export function transferPolicy(ctx: IExecuteFunctions, options: TransferOptions, itemIndex: number): RetryPolicy {
	const minutes = options.retryWindowMinutes;
	if (minutes !== undefined && minutes !== null && (!Number.isFinite(Number(minutes)) || Number(minutes) < 0)) {
		throw new NodeOperationError(ctx.getNode(), 'The option "Retry Window (Minutes)" must be 0 or more', { itemIndex });
	}
	const seconds = options.stallTimeoutSeconds;
	if (seconds !== undefined && seconds !== null && (!Number.isFinite(Number(seconds)) || Number(seconds) < 1)) {
		throw new NodeOperationError(ctx.getNode(), 'The option "Stall Timeout (Seconds)" must be at least 1', { itemIndex });
	}
	return policyFromOptions(options);
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
