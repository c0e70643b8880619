// One deadline for every MASV call of a poll (`pollPolicy`, nodes/Masv/transport/retry.ts): a poll
// ends before n8n abandons it (n8n 2.x: 45 s) or starts the next one (a minute), however MASV
// behaves. The timings are shortened as in the other reliability tests, keeping their order: the
// poll's deadline (2 s here, 40 s for real) comes before the end of its retry window (6 s; 60 s)
// and before a request's stall timeout (5 s; 60 s).
import { PollContext } from 'n8n-core';

import { MASV_TRIGGER_TYPE, rl } from '../../tools/harness';
import { api, credentialsFor } from '../../tools/harness/emulatorApi';
import { MasvTrigger } from '../../nodes/Masv/MasvTrigger.node';
import { BACKOFF, POLL_DEADLINE, POLL_POLICY, pollPolicy } from '../../nodes/Masv/transport/retry';
import { useEmulator } from '../harness/emulator';
import { activateTrigger, registerPollingNodeType, triggerNode } from '../harness/poll';
import { useRetryTimings } from '../harness/retries';

registerPollingNodeType(MASV_TRIGGER_TYPE, new MasvTrigger());

const DEADLINE_MS = 2000;
/** How far past the deadline a poll may end: the guard looks every 250 ms, and the machine is shared. */
const SLACK_MS = 1000;

describe('MASV Trigger: one deadline per poll', () => {
	const emu = useEmulator({ each: 'reset' });
	useRetryTimings(BACKOFF, { baseDelayMs: 100, maxDelayMs: 400 });
	useRetryTimings(POLL_POLICY, { windowMs: 6000, stallMs: 5000 });
	useRetryTimings(POLL_DEADLINE, { maxMs: DEADLINE_MS });
	// n8n 2.x's durable scheduler: it tells the poll its budget (getPollBudgetMs) and abandons the poll
	// after it, so the deadline is strict. The harness's n8n-core (1.x) has no such method: added for
	// these tests, and taken away for the last ones (n8n 1.x, 2.x's default scheduler).
	const budgeted = PollContext.prototype as { getPollBudgetMs?: () => number };
	beforeEach(() => {
		budgeted.getPollBudgetMs = () => DEADLINE_MS;
	});
	afterEach(() => {
		delete budgeted.getPollBudgetMs;
	});

	const listPath = () => `^/v1.1/teams/${emu.teamId}/packages$`;
	const apiCalls = () => emu.requests({ kind: 'api' });
	const finalizedPackage = async (name: string) => {
		const id = String((await api(emu, 'POST', `/v1/teams/${emu.teamId}/packages`, { name })).id);
		const pkg = emu.core.state.packages.get(id);
		if (!pkg) throw new Error(`no package ${id}`);
		pkg.state = 'finalized';
		pkg.updatedAt = emu.core.now();
		return id;
	};
	const activate = async () =>
		await activateTrigger(triggerNode({ event: 'teamPackageFinalized', teamId: rl(emu.teamId) }), { credentials: credentialsFor(emu) });
	/** One poll, timed; the calls MASV saw during it. */
	const timedTick = async (trigger: Awaited<ReturnType<typeof activate>>) => {
		emu.resetRequests();
		const started = Date.now();
		const emitted = await trigger.tick();
		return { emitted, started, elapsed: Date.now() - started, calls: apiCalls() };
	};

	it('MASV answering 502 for longer than the deadline: the poll fails by the deadline, calls nothing after it, and the next poll fires once MASV is back', async () => {
		const trigger = await activate();
		const id = await finalizedPackage('delivered during the outage');
		emu.faults.add({ target: 'api', type: 'status', status: 502, method: 'GET', path: listPath(), times: -1 });

		const { emitted, started, elapsed, calls } = await timedTick(trigger);
		expect(emitted).toBeNull();
		expect(trigger.errors).toHaveLength(1);
		expect(trigger.errors[0].message).toMatch(/^MASV did not answer in time for this poll \(\d+ tries, the last: HTTP 502.*\); the next poll will try again$/);
		expect((trigger.errors[0] as { httpCode?: string }).httpCode).toBe('502');
		expect((trigger.errors[0] as { failure?: unknown }).failure).toEqual({ cause: 'temporarily-unavailable' });
		// It kept trying until close to the deadline, and ended by it.
		expect(calls.length).toBeGreaterThan(2);
		expect(elapsed).toBeGreaterThanOrEqual(DEADLINE_MS - BACKOFF.maxDelayMs);
		expect(elapsed).toBeLessThan(DEADLINE_MS + SLACK_MS);
		// No call after the deadline, and none once the poll has failed.
		for (const call of calls) expect(Date.parse(call.time) - started).toBeLessThan(DEADLINE_MS);
		await new Promise((resolve) => setTimeout(resolve, 1000));
		expect(apiCalls()).toHaveLength(calls.length);

		emu.faults.clear();
		const next = await timedTick(trigger);
		expect(next.emitted?.[0].map((item) => item.json.id)).toEqual([id]);
		expect(trigger.errors).toHaveLength(1);
	});

	it('a call that hangs is cut at the time the poll has left, not at the full stall timeout', async () => {
		const trigger = await activate();
		// The first read takes a second; the second is never answered.
		emu.faults.add({ target: 'api', type: 'delay', delayMs: 1000, method: 'GET', path: listPath() });
		emu.faults.add({ target: 'api', type: 'hang', method: 'GET', path: listPath() });

		const { emitted, elapsed, calls } = await timedTick(trigger);
		expect(emitted).toBeNull();
		expect(calls.map((call) => call.query.status)).toEqual(['new', 'finalized']);
		expect(trigger.errors).toHaveLength(1);
		expect(trigger.errors[0].message).toMatch(/^MASV did not answer in time for this poll \(1 try, the last: no answer in the [01]\.\d s the poll had left\); the next poll will try again$/);
		// Cut when the poll's 2 s were up (1 s after the hung call began), not after its 5 s stall timeout.
		expect(elapsed).toBeGreaterThanOrEqual(DEADLINE_MS - 100);
		expect(elapsed).toBeLessThan(DEADLINE_MS + SLACK_MS);
	});

	it('one 502 within a poll: retried, and the poll fires as usual', async () => {
		const trigger = await activate();
		const id = await finalizedPackage('delivered');
		emu.faults.add({ target: 'api', type: 'status', status: 502, method: 'GET', path: listPath() });

		const { emitted, calls } = await timedTick(trigger);
		expect(trigger.errors).toEqual([]);
		expect(emitted?.[0].map((item) => item.json.id)).toEqual([id]);
		expect(calls.map((call) => call.status)).toEqual([502, 200, 200]);
	});

	it('without a budget from n8n (1.x, 2.x default scheduler): a poll whose calls all answer goes on past the deadline and fires', async () => {
		delete budgeted.getPollBudgetMs;
		const trigger = await activate();
		const ids = [await finalizedPackage('one'), await finalizedPackage('two')];
		// Each list read answers, slowly: together well past the 2 s deadline.
		emu.faults.add({ target: 'api', type: 'delay', delayMs: 1200, method: 'GET', path: listPath(), times: -1 });
		const { emitted, elapsed } = await timedTick(trigger);
		expect(trigger.errors).toEqual([]);
		expect(emitted?.[0].map((item) => item.json.id).sort()).toEqual([...ids].sort());
		expect(elapsed).toBeGreaterThan(DEADLINE_MS);
	});

	it('without a budget from n8n, MASV failing for longer than the deadline still ends the poll by then (no retry after it)', async () => {
		delete budgeted.getPollBudgetMs;
		const trigger = await activate();
		emu.faults.add({ target: 'api', type: 'status', status: 502, method: 'GET', path: listPath(), times: -1 });
		const { emitted, elapsed } = await timedTick(trigger);
		expect(emitted).toBeNull();
		expect(trigger.errors[0]?.message).toMatch(/^MASV did not answer in time for this poll/);
		expect(elapsed).toBeLessThan(DEADLINE_MS + SLACK_MS);
	});

	it("the deadline is 40 s after the poll started, or n8n's poll budget where that is shorter (then strict)", () => {
		POLL_DEADLINE.maxMs = 40_000;
		expect(pollPolicy(1000).deadline).toBe(41_000);
		// n8n 2.40.7's durable scheduler: 45 s poll timeout less its 9 s margin.
		expect(pollPolicy(1000, 36_000)).toMatchObject({ deadline: 37_000, strictDeadline: true });
		expect(pollPolicy(1000).strictDeadline).toBe(false);
		// Its default scheduler's budget (5 minutes) and an unusable one leave the 40 s.
		expect(pollPolicy(1000, 300_000).deadline).toBe(41_000);
		expect(pollPolicy(1000, 0).deadline).toBe(41_000);
		expect(pollPolicy(1000, NaN).deadline).toBe(41_000);
		expect(pollPolicy(1000)).toMatchObject({ windowMs: POLL_POLICY.windowMs, stallMs: POLL_POLICY.stallMs });
	});
});
