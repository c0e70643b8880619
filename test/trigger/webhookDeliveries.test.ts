import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import { MasvWebhookTrigger } from '../../nodes/Masv/MasvWebhookTrigger.node';

import {
	EventLedger,
	MAX_RUNNING_COPIES,
	forgetDeliveries,
	keepInExecution,
	shareEvents,
	shareRegistration,
} from '../../nodes/Masv/trigger/webhookDeliveries';

// n8n saves an execution's whole static data, as loaded when it began, once it ends: these are the
// copies of executions that overlap (docs/reliability.md, "Duplicate webhook deliveries").
describe('the static data of running executions of the webhook trigger', () => {
	const key = 'wf:node';
	const now = Date.parse('2026-12-06T06:00:00Z');
	beforeEach(() => forgetDeliveries());

	it('an execution that ends after a later one still saves the later one\'s event ID', () => {
		const registration = { webhookId: 'w1', secret: 's1', portalIds: ['p1'] };
		const first: IDataObject = { ...registration };
		const second: IDataObject = { ...registration };
		expect(new EventLedger(key, {}).take('e1', now)).toBe(true);
		keepInExecution(key, first, ['e1'], now);
		expect(new EventLedger(key, {}).take('e2', now + 1)).toBe(true);
		keepInExecution(key, second, ['e2'], now + 1);
		// The second execution ends first and saves; the first ends later and saves over it.
		expect(Object.keys(second.events as object).sort()).toEqual(['e1', 'e2']);
		expect(Object.keys(first.events as object).sort()).toEqual(['e1', 'e2']);
		// A delivery taken while both still run reaches both.
		expect(new EventLedger(key, {}).take('e3', now + 2)).toBe(true);
		shareEvents(key, now + 2);
		expect(Object.keys(first.events as object).sort()).toEqual(['e1', 'e2', 'e3']);
	});

	it('an execution that spans a new activation saves the new webhook and secret, not those it began with', () => {
		const running: IDataObject = { webhookId: 'w1', secret: 'old', portalIds: ['p1'] };
		keepInExecution(key, running, ['e1'], now);
		shareRegistration(key, {}); // deactivated: the webhook is deleted
		expect(running).toEqual({ events: { e1: now } });
		shareRegistration(key, { webhookId: 'w2', secret: 'new', portalIds: ['p1', 'p2'] });
		expect(running).toEqual({ events: { e1: now }, webhookId: 'w2', secret: 'new', portalIds: ['p1', 'p2'] });
		// Another trigger's executions are left alone.
		const other: IDataObject = { webhookId: 'x', secret: 'y' };
		keepInExecution('wf:other', other, ['e9'], now);
		shareRegistration(key, { webhookId: 'w3', secret: 'newer' });
		expect(other.secret).toBe('y');
	});

	it(`only the ${MAX_RUNNING_COPIES} most recent executions are kept up to date; expired IDs leave`, () => {
		const copies = Array.from({ length: MAX_RUNNING_COPIES + 1 }, (): IDataObject => ({}));
		copies.forEach((copy, i) => keepInExecution(key, copy, [`e${i}`], now));
		expect(new EventLedger(key, {}).take('late', now + 1)).toBe(true);
		shareEvents(key, now + 1);
		expect((copies[0].events as IDataObject).late).toBeUndefined();
		expect((copies[MAX_RUNNING_COPIES].events as IDataObject).late).toBe(now + 1);
		const day = 24 * 3600 * 1000;
		expect(new EventLedger(key, {}).take('next day', now + day + 2)).toBe(true);
		shareEvents(key, now + day + 2);
		expect(Object.keys(copies[MAX_RUNNING_COPIES].events as object)).toEqual(['next day']);
	});
});

describe('the trigger\'s step in the execution', () => {
	beforeEach(() => forgetDeliveries());
	const run = async (state: IDataObject) => {
		const context = {
			getInputData: () => [{ json: { id: 'p1', eventId: 'e1' } }],
			getWorkflowStaticData: () => state,
			getWorkflow: () => ({ id: 'wf', name: 'w', active: true }),
			getNode: () => ({ id: 'node', name: 'MASV Webhook Trigger' }),
		} as unknown as IExecuteFunctions;
		return await new MasvWebhookTrigger().execute.call(context);
	};

	it('passes the items on and keeps their event IDs in static data that holds the registration', async () => {
		const state: IDataObject = { webhookId: 'w1', secret: 's1', portalIds: ['p'] };
		expect(await run(state)).toEqual([[{ json: { id: 'p1', eventId: 'e1' }, pairedItem: { item: 0 } }]]);
		expect(Object.keys(state.events as object)).toEqual(['e1']);
	});

	it('writes nothing into static data without the registration (a queue-mode worker\'s), which n8n would save over it', async () => {
		const state: IDataObject = {};
		expect(await run(state)).toEqual([[{ json: { id: 'p1', eventId: 'e1' }, pairedItem: { item: 0 } }]]);
		expect(state).toEqual({});
	});
});
