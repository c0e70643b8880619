import nock from 'nock';

import { TEST_BASE_URL, rl, runMasv } from '../../tools/harness';
import { useNock } from '../harness/offline';

const TEAM = '01FX8CYWMQAEGW8AYSNQRGAMRM';
const PKG = '01ENX9B1J68NT9Y4QHXD7T0X6S';
const full = {
	id: 'P1',
	name: 'Rushes day 1',
	description: 'Camera A',
	sender: 'editor@example.com',
	state: 'finalized',
	size: 41610,
	total_files: 3,
	created_at: '2026-11-01T20:09:48.249Z',
	expiry: '2026-11-08T20:09:48.175Z',
	access_token: 'pkg-token',
	access_limit: 3,
	contains_virus: false,
	custom_expiry: false,
	extra_storage_days: 0,
	links: [{ id: 'L1', download_secret: 'abc' }],
	tag: { id: 'T1', name: 'dailies', team_id: TEAM, active: true },
	progress_channels: [{ provider: 'pubnub', topic: 'zip', auth: { token: 'x' } }],
};

describe('Simplify', () => {
	useNock();

	it('is on by default for package lists and keeps the fields people use, never the token', async () => {
		nock(TEST_BASE_URL)
			.get(`/v1.1/teams/${TEAM}/packages`)
			.query(true)
			.reply(200, { metadata: { total: 1 }, records: [full] });
		const { items, error } = await runMasv({ resource: 'package', operation: 'getAll', teamId: rl(TEAM), returnAll: true });
		expect(error).toBeUndefined();
		expect(items[0].json).toEqual({
			id: 'P1',
			name: 'Rushes day 1',
			description: 'Camera A',
			sender: 'editor@example.com',
			state: 'finalized',
			size: 41610,
			total_files: 3,
			created_at: '2026-11-01T20:09:48.249Z',
			expiry: '2026-11-08T20:09:48.175Z',
			tag: { id: 'T1', name: 'dailies' },
			contains_virus: false,
		});
		expect(items[0].pairedItem).toEqual({ item: 0 });
	});

	it('off returns the whole MASV record (still without tokens)', async () => {
		nock(TEST_BASE_URL)
			.get(`/v1.1/teams/${TEAM}/packages`)
			.query(true)
			.reply(200, { metadata: { total: 1 }, records: [full] });
		const { items } = await runMasv({
			resource: 'package',
			operation: 'getAll',
			teamId: rl(TEAM),
			returnAll: true,
			simplify: false,
		});
		const rest: Record<string, unknown> = { ...full };
		delete rest.access_token;
		delete rest.progress_channels;
		expect(items[0].json).toMatchObject(rest);
		expect(items[0].json.access_token).toBeUndefined();
	});

	it('applies to the files of a package (a custom operation)', async () => {
		nock(TEST_BASE_URL).get(`/v1.1/teams/${TEAM}/packages/${PKG}`).reply(200, { id: 'P1', access_token: 'pkg-token' });
		nock(TEST_BASE_URL, { reqheaders: { 'x-package-token': 'pkg-token' } })
			.get(`/v1/packages/${PKG}/files`)
			.reply(200, [
				{ id: 'F1', kind: 'file', name: 'a.mov', path: 'day1', size: 10, last_modified: '0001-01-01T00:00:00.000Z', virus_detected: false, completed: true },
			]);
		const { items, error } = await runMasv({
			resource: 'package',
			operation: 'getFiles',
			teamId: rl(TEAM),
			packageId: rl(PKG),
			returnAll: true,
		});
		expect(error).toBeUndefined();
		expect(items.map((item) => item.json)).toEqual([
			{ id: 'F1', kind: 'file', name: 'a.mov', path: 'day1', size: 10, last_modified: '0001-01-01T00:00:00.000Z', virus_detected: false },
		]);
	});
});
