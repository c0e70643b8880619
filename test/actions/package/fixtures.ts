// What the package tests share: IDs, the token lookup every package-token operation starts with,
// list records and parameters.
import nock from 'nock';

import { TEST_API_KEY, TEST_BASE_URL, rl } from '../../../tools/harness';

export const TEAM = '01FX8CYWMQAEGW8AYSNQRGAMRM';
export const PKG = '01ENX9B1J68NT9Y4QHXD7T0X6S';
export const TOKEN = 'eyJ.package-token.full';
export const CONNECTION = '01EKYZ1VH9GTS9GYMCMSR4NR9G';

export const withKey = { reqheaders: { 'x-api-key': TEST_API_KEY } };
/** A package-token call: the token, and never the API key. */
export const withToken = (token = TOKEN) => ({ reqheaders: { 'x-package-token': token }, badheaders: ['x-api-key'] });

/** The token lookup every package-token operation starts with. */
export function tokenLookup(times = 1) {
	return nock(TEST_BASE_URL, withKey)
		.get(`/v1.1/teams/${TEAM}/packages/${PKG}`)
		.times(times)
		.reply(200, { id: PKG, name: 'Dailies', state: 'new', access_token: TOKEN });
}

export const pkgRecord = (n: number) => ({ id: `PKG${String(n).padStart(8, '0')}`, name: `Package ${n}`, access_token: `token-${n}` });
export const records = (from: number, count: number) => Array.from({ length: count }, (_, i) => pkgRecord(from + i));

export const tokenParams = (operation: string, extra: Record<string, unknown> = {}) => ({
	resource: 'package',
	operation,
	teamId: rl(TEAM),
	packageId: rl(PKG),
	...extra,
});

export const continueOnFail = { node: { onError: 'continueRegularOutput' as const } };
