// The emulator as a test (or the benchmark) talks to it directly: the n8n credential for it and
// plain calls to its API for set-up. Free of side effects and of n8n and jest, so that anything
// can import it.
import type { Emulator } from '../emulator';

/** What these helpers need of an emulator (a started one, or its address and key passed on). */
export type EmulatorAddress = Pick<Emulator, 'url' | 'apiKey'>;

/** The `masvApi` credential data for the emulator's seed owner, as `RunOptions.credentials`. */
export function credentialsFor(emu: EmulatorAddress) {
	return { masvApi: { apiKey: emu.apiKey, baseUrl: emu.url } };
}

/**
 * A call to the emulator's API (test set-up, not through the node). It authenticates with the API
 * key, with `token` as `X-Package-Token` instead when one is given, or with nothing when `token` is
 * `null` (public routes). Throws on a status outside 2xx; returns the parsed body.
 */
export async function api<T = Record<string, unknown>>(
	emu: EmulatorAddress,
	method: string,
	route: string,
	body?: unknown,
	token?: string | null,
): Promise<T> {
	const headers: Record<string, string> = { 'Content-Type': 'application/json', Accept: 'application/json' };
	if (token) headers['X-Package-Token'] = token;
	else if (token !== null) headers['X-API-KEY'] = emu.apiKey;
	const response = await fetch(`${emu.url}${route}`, {
		method,
		headers,
		body: method === 'GET' ? undefined : JSON.stringify(body ?? {}),
	});
	const text = await response.text();
	if (!response.ok) throw new Error(`${method} ${route}: ${response.status} ${text}`);
	return (text ? JSON.parse(text) : undefined) as T;
}

/** The package's full record (with `access_token`) from the team route. */
export async function getPackage(emu: EmulatorAddress & Pick<Emulator, 'teamId'>, packageId: string): Promise<Record<string, unknown>> {
	return await api(emu, 'GET', `/v1.1/teams/${emu.teamId}/packages/${packageId}`);
}
