// A load-options context for calling the node's list searches (methods/listSearch.ts) directly.
import type { ILoadOptionsFunctions, INodeParameters } from 'n8n-workflow';

import { TEST_API_KEY, TEST_BASE_URL, masvNode } from '../../tools/harness/index';

/**
 * The part of n8n's load-options context the list search uses: node parameters, the credential,
 * and the authenticated request helper (the credential's `X-API-KEY`, as n8n applies it).
 */
export function loadOptionsContext(parameters: INodeParameters, baseUrl = TEST_BASE_URL, apiKey = TEST_API_KEY): ILoadOptionsFunctions {
	const node = masvNode(parameters);
	return {
		getNode: () => node,
		getNodeParameter: (name: string, fallback: unknown, options?: { extractValue?: boolean }) => {
			const value = parameters[name] ?? fallback;
			return options?.extractValue && value && typeof value === 'object' && '__rl' in value ? (value as unknown as { value: unknown }).value : value;
		},
		getCredentials: async () => ({ apiKey, baseUrl }),
		helpers: {
			httpRequestWithAuthentication: async (_type: string, request: { url: string; method: string; qs?: Record<string, string>; headers?: Record<string, string> }) => {
				const url = new URL(request.url);
				for (const [key, value] of Object.entries(request.qs ?? {})) url.searchParams.set(key, String(value));
				const response = await fetch(url, { method: request.method, headers: { ...request.headers, 'X-API-KEY': apiKey } });
				const text = await response.text();
				return { statusCode: response.status, headers: {}, body: text ? JSON.parse(text) : undefined };
			},
		},
	} as unknown as ILoadOptionsFunctions;
}
