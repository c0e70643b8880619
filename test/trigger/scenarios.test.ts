// The polling MASV Trigger in the situations where a poller loses or repeats packages: records
// moving between pages while a poll reads them, a long upload, n8n restarting at any point (it
// saves the trigger's state only at activation and when a poll emits), and turning the workflow
// off and on again.
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

import { MASV_TRIGGER_TYPE, rl } from '../../tools/harness';
import { activateTrigger, registerPollingNodeType, triggerNode, type ActiveTrigger } from '../harness/poll';
import { api, credentialsFor } from '../../tools/harness/emulatorApi';
import type { RequestRecord } from '../../tools/emulator';
import { MasvTrigger } from '../../nodes/Masv/MasvTrigger.node';
import type { PollState } from '../../nodes/Masv/trigger/poll';
import { useEmulator } from '../harness/emulator';

registerPollingNodeType(MASV_TRIGGER_TYPE, new MasvTrigger());

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

const ids = (batches: INodeExecutionData[][] | null) => (batches?.[0] ?? []).map((item) => String(item.json.id));
const allEmitted = (trigger: ActiveTrigger) => trigger.emitted.flatMap((batch) => ids(batch));
const stateOf = (data: IDataObject) => (data['node:MASV Trigger'] as IDataObject | undefined)?.masvTrigger as unknown as PollState;

describe('MASV Trigger: never misses, never repeats', () => {
	const emu = useEmulator({ each: 'reset' });
	let credentials: ReturnType<typeof credentialsFor>;
	/** n8n's and MASV's clocks (both read Date.now here), moved by the tests. */
	let offset = 0;

	beforeAll(() => {
		credentials = credentialsFor(emu);
	});
	beforeEach(() => {
		offset = 0;
		const realNow = Date.now.bind(Date);
		jest.spyOn(Date, 'now').mockImplementation(() => realNow() + offset);
	});
	afterEach(() => jest.restoreAllMocks());

	const later = (ms: number) => {
		offset += ms;
	};
	const createPackage = async (name: string) => String((await api(emu, 'POST', `/v1/teams/${emu.teamId}/packages`, { name })).id);
	const finalize = (id: string) => emu.core.forceFinalize(emu.core.state.packages.get(id)!);
	const backdate = (id: string, ms: number) => {
		emu.core.state.packages.get(id)!.createdAt -= ms;
	};
	const teamTrigger = (options: Record<string, string | boolean> = {}) => triggerNode({ event: 'teamPackageFinalized', teamId: rl(emu.teamId), options });
	/** Runs `action` once, when the first request matching `when` reaches the emulator (before it is answered). */
	const onRequest = (when: (record: Omit<RequestRecord, 'seq' | 'time'>) => boolean, action: () => void) => {
		let done = false;
		const log = emu.core.logRequest.bind(emu.core);
		jest.spyOn(emu.core, 'logRequest').mockImplementation((record) => {
			if (!done && when(record)) {
				done = true;
				action();
			}
			return log(record);
		});
	};
	const listPage = (status: string, page: string) => (record: Omit<RequestRecord, 'seq' | 'time'>) =>
		record.path === `/v1.1/teams/${emu.teamId}/packages` && record.query.status === status && record.query.page === page;

	it('more than 50 uploads, one finalized while the list is read: the one pushed to the previous page is still followed', async () => {
		// 60 uploads started hours ago, newest first: uploads[0..49] on page 1, uploads[50..59] on page 2.
		const uploads: string[] = [];
		for (let i = 0; i < 60; i++) {
			const id = await createPackage(`upload ${i}`);
			backdate(id, 3 * HOUR + i * 1000);
			uploads.push(id);
		}
		const trigger = await activateTrigger(teamTrigger(), { credentials });
		expect(Object.keys(stateOf(trigger.staticData()).pending)).toHaveLength(60);

		// uploads[0] finishes between the reads of page 1 and page 2 of the `new` list, so page 2
		// starts one record later and uploads[50] is in neither page of that read.
		later(MINUTE);
		onRequest(listPage('new', '2'), () => finalize(uploads[0]));
		expect(ids(await trigger.tick())).toEqual([uploads[0]]);
		expect(Object.keys(stateOf(trigger.staticData()).pending).sort()).toEqual(uploads.slice(1).sort());

		// Hours later uploads[50] finishes: it fires, once.
		later(2 * HOUR);
		expect(await trigger.tick()).toBeNull();
		finalize(uploads[50]);
		later(MINUTE);
		expect(ids(await trigger.tick())).toEqual([uploads[50]]);
		expect(await trigger.tick()).toBeNull();
		expect(allEmitted(trigger)).toEqual([uploads[0], uploads[50]]);
	});

	it('a finalized package that leaves the list while it is read does not push another past the read', async () => {
		const trigger = await activateTrigger(teamTrigger(), { credentials });
		const burst: string[] = [];
		for (let i = 0; i < 60; i++) {
			const id = await createPackage(`burst ${i}`);
			finalize(id);
			burst.push(id);
		}
		// The newest (page 1) is deleted while page 2 of the finalized list is being read: page 2
		// then starts one record later, past burst[9]. The read is repeated, in this poll.
		later(MINUTE);
		onRequest(listPage('finalized', '2'), () => emu.core.deletePackage(emu.core.state.packages.get(burst[59])!));
		const fired = ids(await trigger.tick());
		expect([...fired].sort()).toEqual(burst.slice(0, 59).sort());
		expect(await trigger.tick()).toBeNull();
	});

	it('a 3-hour upload fires once when it finishes, whatever happened meanwhile', async () => {
		const long = await createPackage('3-hour upload');
		const trigger = await activateTrigger(teamTrigger(), { credentials });
		const others: string[] = [];
		for (let minute = 10; minute <= 180; minute += 10) {
			later(10 * MINUTE);
			// Other uploads come and go; some are abandoned, one is deleted.
			const quick = await createPackage(`quick ${minute}`);
			finalize(quick);
			others.push(quick);
			if (minute === 60) emu.core.deletePackage(emu.core.state.packages.get(await createPackage('abandoned'))!);
			if (minute === 90) await trigger.restart();
			await trigger.tick();
		}
		expect(stateOf(trigger.staticData()).pending).toHaveProperty(long);
		finalize(long);
		later(MINUTE);
		expect(ids(await trigger.tick())).toEqual([long]);
		expect(await trigger.tick()).toBeNull();
		const emitted = allEmitted(trigger);
		expect(emitted.filter((id) => id === long)).toHaveLength(1);
		expect([...emitted].sort()).toEqual([...others, long].sort());
	});

	describe('a restart after any poll, with the state n8n saved, loses and repeats nothing', () => {
		/**
		 * Ten polls, ten minutes apart (more than the look-back in all), with packages created,
		 * finalized and left uploading across polls that emit nothing. Returns what should fire.
		 */
		const timeline = async () => {
			const expected: string[] = [];
			let a = '';
			let c = '';
			const long = await createPackage('long upload');
			backdate(long, 2 * HOUR);
			const steps: Array<() => Promise<void>> = [
				async () => {
					a = await createPackage('A');
				},
				async () => {},
				async () => {
					finalize(a);
					const b = await createPackage('B');
					finalize(b);
					expected.push(a, b);
				},
				async () => {
					c = await createPackage('C');
				},
				async () => later(30 * MINUTE),
				async () => {
					finalize(c);
					expected.push(c);
				},
				async () => {},
				async () => {
					finalize(long);
					expected.push(long);
				},
				async () => {
					const d = await createPackage('D');
					finalize(d);
					expected.push(d);
				},
				async () => {},
			];
			return { expected, steps };
		};

		for (const activation of ['init', 'update'] as const) {
			for (let restartAfter = 0; restartAfter < 10; restartAfter++) {
				it(`${activation}: restart after poll ${restartAfter}`, async () => {
					const old = await createPackage('finalized before activation');
					finalize(old);
					const plan = await timeline();
					const trigger = await activateTrigger(teamTrigger(), { credentials });
					for (let step = 0; step < plan.steps.length; step++) {
						later(10 * MINUTE);
						await plan.steps[step]();
						await trigger.tick();
						if (step === restartAfter) {
							// Down for a while; a package is finalized meanwhile.
							later(20 * MINUTE);
							const whileDown = await createPackage('finalized while n8n was down');
							finalize(whileDown);
							plan.expected.push(whileDown);
							await trigger.restart(activation);
						}
					}
					later(10 * MINUTE);
					await trigger.tick();
					const emitted = allEmitted(trigger);
					expect([...emitted].sort()).toEqual([...plan.expected].sort());
					expect(trigger.errors).toEqual([]);
				});
			}
		}
	});

	describe('turning the workflow off and on', () => {
		it('starts from the moment it is turned on, as the notice says; Start From reaches back; a restart or a new version resumes', async () => {
			const notice = new MasvTrigger().description.properties.find((p) => p.name === 'notice')!.displayName;
			expect(notice).toMatch(/Turning the workflow on starts from that moment \(or from Options > Start From\)/);
			expect(notice).toMatch(/packages finalized while it was off do not fire/);
			expect(notice).toMatch(/Restarting n8n or publishing a new version of the workflow resumes/);

			const first = await createPackage('uploading when turned off');
			let trigger = await activateTrigger(teamTrigger(), { credentials });
			later(MINUTE);
			expect(await trigger.tick()).toBeNull();
			await trigger.deactivate();

			// While it is off: one package finishes, another starts.
			later(HOUR);
			finalize(first);
			const second = await createPackage('started while off');
			later(HOUR);

			// Turned on again (same saved state): nothing from the time it was off fires...
			await trigger.restart('activate');
			expect(trigger.emitted).toEqual([]);
			// ...but what is uploading now fires when it finishes.
			finalize(second);
			later(MINUTE);
			expect(ids(await trigger.tick())).toEqual([second]);

			// With Start From before the time it was off, turning it on fires what finished meanwhile.
			const third = await createPackage('finished while off, caught by Start From');
			const offAt = Date.now();
			await trigger.deactivate();
			later(HOUR);
			finalize(third);
			later(HOUR);
			trigger = await activateTrigger(teamTrigger({ startFrom: new Date(offAt).toISOString() }), {
				credentials,
				staticData: trigger.savedStaticData(),
			});
			expect(trigger.emitted.map(ids)).toEqual([[third]]);
			expect(await trigger.tick()).toBeNull();

			// A restart of n8n or a new published version resumes: what finished in between fires.
			for (const activation of ['init', 'update'] as const) {
				const pkg = await createPackage(`finished during ${activation}`);
				later(MINUTE);
				await trigger.tick();
				finalize(pkg);
				later(10 * MINUTE);
				const before = trigger.emitted.length;
				await trigger.restart(activation);
				expect(trigger.emitted.slice(before).map(ids)).toEqual([[pkg]]);
			}
		});

		it('Start From on a first activation fires what finished since then, not what finished before', async () => {
			const before = await createPackage('finished before Start From');
			finalize(before);
			later(HOUR);
			const startFrom = Date.now();
			later(MINUTE);
			const after = await createPackage('finished after Start From');
			finalize(after);
			// Created two days before Start From, finished after it.
			const longOne = await createPackage('long upload finished after Start From');
			backdate(longOne, 48 * HOUR);
			finalize(longOne);
			later(HOUR);
			const trigger = await activateTrigger(teamTrigger({ startFrom: new Date(startFrom).toISOString() }), { credentials });
			expect([...ids(trigger.emitted[0] ?? null)].sort()).toEqual([after, longOne].sort());
			later(MINUTE);
			expect(await trigger.tick()).toBeNull();
		});
	});

	describe('options and saved state', () => {
		it('Include Metadata adds the package\'s custom metadata, read with its own token', async () => {
			const trigger = await activateTrigger(teamTrigger({ includeMetadata: true }), { credentials });
			const id = await createPackage('with a form');
			emu.core.state.packages.get(id)!.metadata = [{ name: 'project_code', value: 'P-42' }] as never;
			finalize(id);
			emu.resetRequests();
			later(MINUTE);
			const [item] = (await trigger.tick())?.[0] ?? [];
			expect(item.json).toMatchObject({
				id,
				metadata: { package_id: id, fields: [{ name: 'project_code', value: 'P-42' }], values: { project_code: 'P-42' } },
			});
			expect(item.json.access_token).toBeUndefined();
			const read = emu.requests({ kind: 'api', path: `/v1/packages/${id}/metadata` });
			expect(read).toHaveLength(1);
			expect(read[0].headers['x-package-token']).toEqual(expect.any(String));
			expect(read[0].headers['x-api-key']).toBeUndefined();
		});

		it('the state of the trigger\'s first version is read on, not replaced by a new start', async () => {
			const uploading = await createPackage('uploading under the old version');
			const now = Date.now();
			const v1 = { version: 1, target: `teamPackageFinalized:${emu.teamId}`, polledAt: now - MINUTE, seen: {}, pending: { [uploading]: now - MINUTE } };
			later(MINUTE);
			finalize(uploading);
			// n8n restarted with the new version of the package installed.
			const trigger = await activateTrigger(teamTrigger(), {
				credentials,
				staticData: { 'node:MASV Trigger': { masvTrigger: v1 } } as IDataObject,
				activation: 'init',
			});
			expect(trigger.emitted.map(ids)).toEqual([[uploading]]);
			expect(stateOf(trigger.staticData()).version).toBe(2);
		});
	});
});
