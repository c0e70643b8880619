import nock from 'nock';

import { TEST_BASE_URL, rl, runMasv } from '../../tools/harness';
import { useNock } from '../harness/offline';

const TEAM = '01FX8CYWMQAEGW8AYSNQRGAMRM';
const PORTAL = '01CTDNW11G67NKHQW5JE8TP2TJ';
const packages = [
	{
		id: 'P1',
		name: 'Rushes',
		state: 'finalized',
		access_token: 'pkg-token-1',
		progress_channels: [{ provider: 'pubnub', topic: 'zip', auth: { token: 'pubnub-secret', channel_name: 'c1' } }],
	},
];

describe('package tokens in outputs', () => {
	useNock();

	it('portal getPackages leaves tokens out unless Include Package Token is on', async () => {
		nock(TEST_BASE_URL).get(`/v1/portals/${PORTAL}/packages`).twice().reply(200, packages);
		const base = { resource: 'portal', operation: 'getPackages', portalId: rl(PORTAL), returnAll: true };

		const plain = await runMasv(base);
		expect(plain.error).toBeUndefined();
		expect(plain.items[0].json.access_token).toBeUndefined();
		expect(JSON.stringify(plain.items)).not.toContain('pubnub-secret');

		const withToken = await runMasv({ ...base, options: { includePackageToken: true } });
		expect(withToken.error).toBeUndefined();
		expect(withToken.items[0].json.access_token).toBe('pkg-token-1');
		expect(JSON.stringify(withToken.items)).not.toContain('pubnub-secret');
	});

	it('package getReceived hands out the token of a received package only on request', async () => {
		const page = { metadata: { total: 1 }, records: packages };
		nock(TEST_BASE_URL).get(`/v1.1/teams/${TEAM}/inbox`).query(true).twice().reply(200, page);
		const base = { resource: 'package', operation: 'getReceived', teamId: rl(TEAM), returnAll: true };

		const plain = await runMasv(base);
		expect(plain.items.map((item) => item.json.access_token)).toEqual([undefined]);

		const withToken = await runMasv({ ...base, options: { includePackageToken: true } });
		expect(withToken.items.map((item) => item.json.access_token)).toEqual(['pkg-token-1']);
	});
});
