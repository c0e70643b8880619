import { integrationOperations } from './integrationOperations';
import { packageTokenOperations } from './packageOperations';
import { portalOperations } from './portalOperations';
import { transferOperations } from './transferOperations';
import type { CustomOperations } from './types';

function merge(...groups: CustomOperations[]): CustomOperations {
	const merged: CustomOperations = {};
	for (const group of groups) {
		for (const [resource, operations] of Object.entries(group)) {
			merged[resource] = { ...merged[resource], ...operations };
		}
	}
	return merged;
}

/**
 * The operations that routing cannot do well, by resource and operation: package-token calls (the
 * token is looked up first and sent instead of the API key), uploads, downloads and multi-call
 * integration operations.
 */
export const customOperations = merge(packageTokenOperations, transferOperations, integrationOperations, portalOperations);
