// Polling triggers as n8n's server runs them: `ActiveWorkflows.add` (n8n-core) activates the
// workflow, which runs the first poll at once (`TriggersAndPollers.runPoll` with a `PollContext`) and
// registers a cron for the later ones. Here the cron is a list of ticks the test fires by hand.
import { ActiveWorkflows, PollContext } from 'n8n-core';
import { TriggersAndPollers } from 'n8n-core/dist/execution-engine/triggers-and-pollers';
import { commonPollingParameters } from 'n8n-core/dist/nodes-loader/constants';
import { Workflow } from 'n8n-workflow';
import type {
	ICredentialDataDecryptedObject,
	IDataObject,
	INode,
	INodeExecutionData,
	INodeParameters,
	INodeType,
	WorkflowActivateMode,
} from 'n8n-workflow';

import { MASV_TRIGGER_TYPE, additionalData, nodeTypes, registerNodeType } from '../../tools/harness/index';

/**
 * Registers a polling node type the way n8n's loader does (`DirectoryLoader.applySpecialNodeParameters`
 * adds the "Poll Times" parameter to every node with `polling: true`).
 */
export function registerPollingNodeType(type: string, nodeType: INodeType): void {
	const names = new Set(nodeType.description.properties.map((property) => property.name));
	if (nodeType.description.polling && !names.has('pollTimes')) {
		nodeType.description.properties.unshift(...commonPollingParameters);
	}
	registerNodeType(type, nodeType);
}

export function triggerNode(parameters: INodeParameters, extra: Partial<INode> = {}): INode {
	return {
		id: 'masv-trigger-1',
		name: 'MASV Trigger',
		type: MASV_TRIGGER_TYPE,
		typeVersion: 1,
		position: [0, 0],
		parameters: { pollTimes: { item: [{ mode: 'everyMinute' }] }, ...parameters },
		credentials: { masvApi: { id: '1', name: 'MASV account' } },
		...extra,
	};
}

export interface ActiveTrigger {
	/** What each poll handed to n8n (`__emit`), in order. */
	emitted: INodeExecutionData[][][];
	/** Errors of polls after activation (`__emitError`). */
	errors: Error[];
	/** Fires the cron once: one poll; resolves with what it emitted (or null). */
	tick(): Promise<INodeExecutionData[][] | null>;
	/** The node's static data as it is in memory now. */
	staticData(): IDataObject;
	/**
	 * The static data as n8n last saved it to its database: n8n saves a poller's static data at
	 * activation (after the first poll) and when a poll emits, not after a poll that emits nothing.
	 */
	savedStaticData(): IDataObject;
	/**
	 * Deactivates, then activates again with the static data n8n saved (JSON), like a restart of
	 * n8n (`init`), a new published version (`update`) or turning the workflow off and on
	 * (`activate`).
	 */
	restart(activation?: WorkflowActivateMode): Promise<void>;
	deactivate(): Promise<void>;
}

const quietLogger = { debug() {}, info() {}, warn() {}, error() {} };
const errorReporter = { error() {}, warn() {}, info() {} };

/**
 * Activates a one-node workflow holding a polling trigger (its first poll runs now). Throws what
 * n8n's activation throws (`WorkflowActivationError`) when that first poll fails.
 */
export async function activateTrigger(
	node: INode,
	options: {
		credentials?: Record<string, ICredentialDataDecryptedObject>;
		staticData?: IDataObject;
		/** How the workflow is activated: `activate` (turned on, the default), `init` (n8n started), `update`. */
		activation?: WorkflowActivateMode;
	} = {},
): Promise<ActiveTrigger> {
	const emitted: INodeExecutionData[][][] = [];
	const errors: Error[] = [];
	let ticks: Array<() => unknown> = [];
	let lastEmit: INodeExecutionData[][] | null = null;
	let saved = '{}';
	const save = () => {
		saved = JSON.stringify(workflow.staticData);
	};
	const scheduler = {
		registerCron: (_ctx: unknown, onTick: () => unknown) => ticks.push(onTick),
		deregisterCrons: () => {
			ticks = [];
		},
	};
	const activationData = additionalData(options.credentials);
	const active = new ActiveWorkflows(
		quietLogger as never,
		scheduler as never,
		new TriggersAndPollers(),
		errorReporter as never,
	);

	let workflow: Workflow;
	const activate = async (staticData: IDataObject, activation: WorkflowActivateMode) => {
		workflow = new Workflow({
			id: 'wf-poll',
			name: 'poll test',
			nodes: [node],
			connections: {},
			nodeTypes,
			active: true,
			staticData,
			settings: {},
		});
		await active.add('wf-poll', workflow, activationData, 'trigger', activation, () => {
			throw new Error('no trigger nodes here');
		}, (wf, pollNode, data, mode, activationMode) =>
			new PollContext(
				wf,
				pollNode,
				data,
				mode,
				activationMode,
				(response) => {
					lastEmit = response;
					emitted.push(response);
					save();
				},
				(error) => {
					errors.push(error);
				},
			),
		);
	};
	await activate(options.staticData ?? {}, options.activation ?? 'activate');
	save();

	const staticData = () => JSON.parse(JSON.stringify(workflow.staticData)) as IDataObject;
	return {
		emitted,
		errors,
		async tick() {
			if (ticks.length === 0) throw new Error('the trigger registered no poll time');
			lastEmit = null;
			await ticks[0]();
			return lastEmit;
		},
		staticData,
		savedStaticData: () => JSON.parse(saved) as IDataObject,
		async restart(activation = 'init') {
			await active.remove('wf-poll');
			await activate(JSON.parse(saved) as IDataObject, activation);
			save();
		},
		async deactivate() {
			await active.remove('wf-poll');
		},
	};
}
