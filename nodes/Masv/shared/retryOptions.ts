import type { INodeProperties } from 'n8n-workflow';

import { RETRY_WINDOW_OPTION, STALL_TIMEOUT_OPTION } from './transferOptions';

const RETRY_OPTIONS = [RETRY_WINDOW_OPTION, STALL_TIMEOUT_OPTION];

/** The operations an `options` collection is shown for, as `resource/operation` keys. */
function shownFor(property: INodeProperties): string[] {
	const show = property.displayOptions?.show ?? {};
	const resources = (show.resource ?? []) as string[];
	const operations = (show.operation ?? []) as string[];
	return resources.flatMap((resource) => operations.map((operation) => `${resource}/${operation}`));
}

/**
 * Gives every operation of the node the retry options `retryWindowMinutes` and
 * `stallTimeoutSeconds` in its Options (docs/reliability.md, "Settings"): added to the `options`
 * collection an operation already has (Upload and the Downloads have them already), and in a new
 * `options` collection for the operations that have none. Names and places of existing
 * parameters are unchanged, so saved workflows load as before.
 */
export function withRetryOptions(properties: INodeProperties[]): INodeProperties[] {
	const covered = new Set<string>();
	const result = properties.map((property) => {
		if (property.name !== 'options' || property.type !== 'collection') return property;
		for (const key of shownFor(property)) covered.add(key);
		const have = new Set((property.options ?? []).map((option) => (option as INodeProperties).name));
		const added = RETRY_OPTIONS.filter((option) => !have.has(option.name));
		if (added.length === 0) return property;
		const options = [...(property.options as INodeProperties[]), ...added].sort((a, b) => a.displayName.localeCompare(b.displayName));
		return { ...property, options };
	});
	for (const selector of properties) {
		if (selector.name !== 'operation' || selector.type !== 'options') continue;
		const resource = (selector.displayOptions?.show?.resource ?? [])[0] as string | undefined;
		if (!resource) continue;
		const missing = (selector.options ?? [])
			.map((option) => String((option as { value: unknown }).value))
			.filter((operation) => !covered.has(`${resource}/${operation}`));
		if (missing.length === 0) continue;
		result.push({
			displayName: 'Options',
			name: 'options',
			type: 'collection',
			placeholder: 'Add Option',
			default: {},
			displayOptions: { show: { resource: [resource], operation: missing } },
			options: RETRY_OPTIONS,
		});
	}
	return result;
}
