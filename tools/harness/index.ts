import { afterThisTestFile, harnessHome } from './env';

import 'reflect-metadata';
import { Container } from '@n8n/di';
import { BinaryDataService, Credentials, ExecutionLifecycleHooks, WorkflowExecute } from 'n8n-core';
import { SSHClientsManager } from 'n8n-core/dist/execution-engine/ssh-clients-manager';
import { ICredentialsHelper, NodeHelpers, Workflow, createRunExecutionData } from 'n8n-workflow';
import type {
	ExecutionError,
	ICredentialDataDecryptedObject,
	ICredentialType,
	IConnections,
	IHttpRequestOptions,
	INode,
	INodeExecutionData,
	INodeType,
	INodeTypes,
	IRun,
	IWorkflowExecuteAdditionalData,
	INodeParameters,
} from 'n8n-workflow';

import { MasvApi } from '../../credentials/MasvApi.credentials';
import { Masv } from '../../nodes/Masv/Masv.node';

export { harnessHome };

export const MASV_TYPE = 'n8n-nodes-masv.masv';
export const MASV_TRIGGER_TYPE = 'n8n-nodes-masv.masvTrigger';

const nodeTypeRegistry: Record<string, INodeType> = { [MASV_TYPE]: new Masv() };
const credentialTypes: Record<string, ICredentialType> = { masvApi: new MasvApi() };

/** Adds a node type (a test stub, the trigger) to what the harness's workflows can use. */
export function registerNodeType(type: string, nodeType: INodeType): void {
	nodeTypeRegistry[type] = nodeType;
}

export const nodeTypes: INodeTypes = {
	getByName: (type) => nodeTypeRegistry[type],
	getByNameAndVersion: (type, version) => NodeHelpers.getVersionedNodeType(nodeTypeRegistry[type], version),
	getKnownTypes: () => ({}),
};

/**
 * Credentials as n8n's server applies them: generic authenticators have their expressions resolved
 * with `$credentials` and set on the request (packages/cli credentials-helper).
 */
export class TestCredentialsHelper extends ICredentialsHelper {
	constructor(private readonly data: Record<string, ICredentialDataDecryptedObject>) {
		super();
	}

	getParentTypes(): string[] {
		return [];
	}

	isCredentialUsableByNode(): boolean {
		return true;
	}

	getCredentialsProperties(type: string) {
		return credentialTypes[type].properties;
	}

	async getDecrypted(_additionalData: unknown, _nodeCredentials: unknown, type: string) {
		const data = this.data[type];
		if (!data) throw new Error(`The test gave no credential of type ${type}`);
		return data;
	}

	async getCredentials() {
		return new Credentials({ id: null, name: '' }, '', '');
	}

	async preAuthentication() {
		return undefined;
	}

	async runPreAuthentication() {
		return undefined;
	}

	async updateCredentials() {}

	async updateCredentialsOauthTokenData() {}

	async authenticate(
		credentials: ICredentialDataDecryptedObject,
		type: string,
		requestOptions: IHttpRequestOptions,
		workflow: Workflow,
		node: INode,
	): Promise<IHttpRequestOptions> {
		const authenticate = credentialTypes[type].authenticate;
		if (typeof authenticate === 'function') return await authenticate(credentials, requestOptions);
		if (authenticate?.type === 'generic') {
			for (const [outerKey, values] of Object.entries(authenticate.properties)) {
				const options = requestOptions as unknown as Record<string, Record<string, unknown>>;
				const target = (options[outerKey] ??= {});
				for (const [key, value] of Object.entries(values as Record<string, string>)) {
					target[key] = workflow.expression.getParameterValue(
						value,
						null,
						0,
						0,
						node.name,
						[],
						'manual',
						{ $credentials: credentials },
						undefined,
						false,
					);
				}
			}
		}
		return requestOptions;
	}
}

export interface RunOptions {
	nodes: INode[];
	connections?: IConnections;
	/** Credential data by type; defaults to a `masvApi` credential for `http://masv.test`. */
	credentials?: Record<string, ICredentialDataDecryptedObject>;
	/** Items fed to the first node. */
	input?: INodeExecutionData[];
	/** Called with the execution's cancel function as soon as it runs. */
	onStart?: (cancel: () => void) => void;
}

export interface RunResult {
	run: IRun;
	error: ExecutionError | undefined;
	/** Output items of a node's first run, main output 0. */
	output(nodeName?: string): INodeExecutionData[];
}

export const TEST_API_KEY = 'test-api-key-0123456789';
export const TEST_BASE_URL = 'http://masv.test';

/**
 * What n8n's server hands an execution or an activation (`IWorkflowExecuteAdditionalData`), as far
 * as the node and the engine read it: the credentials (default: a `masvApi` credential for
 * `TEST_BASE_URL`), the instance URLs and `extra`; anything else reads as undefined.
 */
export function additionalData(
	credentials: Record<string, ICredentialDataDecryptedObject> = { masvApi: { apiKey: TEST_API_KEY, baseUrl: TEST_BASE_URL } },
	extra: Record<string, unknown> = {},
): IWorkflowExecuteAdditionalData {
	const base: Record<string, unknown> = {
		credentialsHelper: new TestCredentialsHelper(credentials),
		restApiUrl: 'http://localhost/rest',
		instanceBaseUrl: 'http://localhost/',
		webhookBaseUrl: 'http://localhost/webhook',
		webhookTestBaseUrl: 'http://localhost/webhook-test',
		webhookWaitingBaseUrl: 'http://localhost/webhook-waiting',
		formWaitingBaseUrl: 'http://localhost/form-waiting',
		variables: {},
		currentNodeExecutionIndex: 0,
		...extra,
	};
	return new Proxy(base, {
		get: (target, key) => (key in target ? target[key as string] : undefined),
	}) as unknown as IWorkflowExecuteAdditionalData;
}

// n8n-core's SSHClientsManager, made with the first node execution context, starts a one-minute
// cleanup interval that only n8n's shutdown clears. Clear it after each jest test file, so jest
// exits by itself.
afterThisTestFile(() => Container.get(SSHClientsManager).onShutdown());

let binaryInit: Promise<void> | undefined;

async function initBinaryData(): Promise<void> {
	binaryInit ??= (async () => {
		const service = Container.get(BinaryDataService);
		const init = service.init as unknown as (config?: unknown) => Promise<void>;
		await init.call(service, {
			mode: process.env.N8N_DEFAULT_BINARY_DATA_MODE === 'filesystem' ? 'filesystem' : 'default',
			availableModes: ['filesystem'],
			localStoragePath: process.env.N8N_BINARY_DATA_STORAGE_PATH,
		});
	})();
	await binaryInit;
}

let executionCounter = 0;

/** Runs a workflow through n8n's own engine (`WorkflowExecute`) and returns the finished run. */
export async function runWorkflow(options: RunOptions): Promise<RunResult> {
	await initBinaryData();
	const executionId = String(++executionCounter);
	const connections = options.connections ?? chain(options.nodes.map((node) => node.name));
	const settings = {};
	const workflow = new Workflow({
		id: 'wf1',
		name: 'test',
		nodes: options.nodes,
		connections,
		nodeTypes,
		active: false,
		settings,
	});
	const hooks = new ExecutionLifecycleHooks('manual', executionId, {
		id: 'wf1',
		name: 'test',
		nodes: options.nodes,
		connections,
		active: false,
		settings,
	} as never);
	const finished = new Promise<IRun>((resolve) => hooks.addHandler('workflowExecuteAfter', (run) => resolve(run)));
	const start = workflow.getNode(options.nodes[0].name);
	if (!start) throw new Error('no start node');
	const runData = createRunExecutionData({
		executionData: {
			nodeExecutionStack: [{ node: start, data: { main: [options.input ?? [{ json: {} }]] }, source: null }],
		},
	});
	const data = additionalData(options.credentials, { hooks, executionId });
	const execution = new WorkflowExecute(data, 'manual', runData).processRunExecutionData(workflow);
	options.onStart?.(() => execution.cancel());
	const run = await finished;
	return {
		run,
		error: run.data.resultData.error,
		output(nodeName = 'MASV') {
			const runs = run.data.resultData.runData[nodeName];
			return runs?.[0]?.data?.main?.[0] ?? [];
		},
	};
}

export function chain(names: string[]): IConnections {
	const connections: IConnections = {};
	for (let i = 0; i < names.length - 1; i++) {
		connections[names[i]] = { main: [[{ node: names[i + 1], type: 'main' as never, index: 0 }]] };
	}
	return connections;
}

/** A MASV node with these parameters, as a saved workflow holds it. */
export function masvNode(parameters: INodeParameters, extra: Partial<INode> = {}): INode {
	return {
		id: `masv-${Math.random().toString(36).slice(2)}`,
		name: 'MASV',
		type: MASV_TYPE,
		typeVersion: 1,
		position: [0, 0],
		parameters,
		credentials: { masvApi: { id: '1', name: 'MASV account' } },
		...extra,
	};
}

/** Runs one MASV node with the given input items; returns its output and the run's error. */
export async function runMasv(
	parameters: INodeParameters,
	options: Omit<RunOptions, 'nodes'> & { node?: Partial<INode> } = {},
): Promise<{ items: INodeExecutionData[]; error: ExecutionError | undefined; run: IRun }> {
	const result = await runWorkflow({ ...options, nodes: [masvNode(parameters, options.node)] });
	return { items: result.output('MASV'), error: result.error, run: result.run };
}

/** `{__rl: true, mode: 'id', value}` as a saved workflow stores a resource locator. */
export const rl = (value: string, mode = 'id') => ({ __rl: true, mode, value });
