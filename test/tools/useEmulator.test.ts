// The jest fixture useEmulator (test/harness/emulator.ts): one emulator per block, started before
// its tests and stopped after them, brought back to a known state before each test as asked.
import { api } from '../../tools/harness/emulatorApi';
import { useEmulator } from '../harness/emulator';

const createPackage = async (emu: ReturnType<typeof useEmulator>, name: string) =>
	(await api<{ id: string }>(emu, 'POST', `/v1/teams/${emu.teamId}/packages`, { name })).id;

describe('useEmulator', () => {
	let outside: unknown;
	const emu = useEmulator();
	try {
		void emu.url;
	} catch (error) {
		outside = error;
	}
	let url = '';
	let kept = '';

	it('is not there while the describe body runs, and is a running emulator in the tests', async () => {
		expect((outside as Error).message).toMatch(/runs only during the tests and hooks/);
		url = emu.url;
		expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
		expect(emu.admin.getPackage('nothing')).toBeUndefined();
		kept = await createPackage(emu, 'kept');
	});

	it("keeps one emulator and what earlier tests made (each: 'keep')", async () => {
		expect(emu.url).toBe(url);
		expect(emu.admin.getPackage(kept)).toMatchObject({ name: 'kept' });
	});
});

describe("useEmulator({ each: 'reset' })", () => {
	const emu = useEmulator({ each: 'reset' });
	const seedIds = () => [emu.teamId, emu.apiKey, emu.seed.portalId, emu.seed.teamspaceId];
	let before: string[] = [];
	let made = '';

	it('makes a package and a fault', async () => {
		before = seedIds();
		made = await createPackage(emu, 'gone by the next test');
		emu.faults.add({ target: 'api', type: 'status', status: 503 });
		expect(emu.faults.list()).toHaveLength(1);
	});

	it('starts each test from the seed: same IDs, no package, fault or logged request of the test before', async () => {
		expect(seedIds()).toEqual(before);
		expect(emu.faults.list()).toHaveLength(0);
		expect(emu.requests()).toHaveLength(0);
		expect(emu.admin.getPackage(made)).toBeUndefined();
	});
});

describe("useEmulator({ each: 'clean' })", () => {
	const emu = useEmulator({ each: 'clean' });
	let made = '';

	it('makes a package and a fault', async () => {
		made = await createPackage(emu, 'still there');
		emu.faults.add({ target: 'api', type: 'status', status: 503 });
	});

	it('clears faults and the request log before each test, and keeps the packages', async () => {
		expect(emu.faults.list()).toHaveLength(0);
		expect(emu.requests()).toHaveLength(0);
		expect(emu.admin.getPackage(made)).toMatchObject({ name: 'still there' });
	});
});

describe('useEmulator with start options', () => {
	const emu = useEmulator({ start: { config: { defaultExpiryDays: 3 } } });

	it('starts the emulator with them', () => {
		expect(emu.config.defaultExpiryDays).toBe(3);
	});
});
