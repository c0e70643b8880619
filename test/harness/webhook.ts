// Webhook triggers as n8n's server runs them. Activation: `checkExists`, then `create` when it says
// no (n8n's WebhookService.createWebhookIfNotExists), with a HookContext; the static data is saved
// after. Deactivation: `delete`, then the static data is saved. Each delivery, as n8n 2.40.7's
// live-webhooks.js, webhook-helpers.js and workflow-runner.js do it (docs/n8n-issues.md): n8n reads
// the workflow (and its static data) from the database and runs the node's `webhook()` with a
// WebhookContext. When `workflowData` came back, it builds a second Workflow on the same static
// data (establishContextForPersistence), which clears its "changed" flag, and runs the execution
// (n8n's WorkflowExecute, the trigger node first) on the static data read from the database again;
// the execution's static data is saved when it ends, if a node changed it. Then the static data of
// `webhook()` is saved if its flag is still set. The "database" here is a JSON copy, so two
// deliveries at once each work on their own copy, as in n8n.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

import { ExecutionLifecycleHooks, HookContext, WebhookContext, WorkflowExecute } from 'n8n-core';
import { Workflow, createRunExecutionData } from 'n8n-workflow';
import type {
	ICredentialDataDecryptedObject,
	IDataObject,
	INode,
	INodeExecutionData,
	INodeParameters,
	INodeType,
	IWebhookData,
	WorkflowActivateMode,
} from 'n8n-workflow';

import { additionalData, nodeTypes, registerNodeType } from '../../tools/harness/index';

export const MASV_WEBHOOK_TRIGGER_TYPE = 'n8n-nodes-masv.masvWebhookTrigger';

export function registerWebhookTrigger(nodeType: INodeType): void {
	registerNodeType(MASV_WEBHOOK_TRIGGER_TYPE, nodeType);
}

export function webhookTriggerNode(parameters: INodeParameters, extra: Partial<INode> = {}): INode {
	return {
		id: 'masv-webhook-trigger-1',
		name: 'MASV Webhook Trigger',
		type: MASV_WEBHOOK_TRIGGER_TYPE,
		typeVersion: 1,
		position: [0, 0],
		webhookId: '5c3d0c1e-8a4f-4b8e-9d7a-1f2e3d4c5b6a',
		parameters,
		credentials: { masvApi: { id: '1', name: 'MASV account' } },
		...extra,
	};
}

export interface Answer {
	status: number;
	body: unknown;
}

export interface WebhookTrigger {
	/** n8n's production URL of the node. */
	url: string;
	/** The items of every execution a delivery started, in order (what the trigger node put out in it). */
	executions: INodeExecutionData[][];
	/** How each delivery was answered. */
	answers: Answer[];
	/** The static data as n8n last saved it. */
	saved(): IDataObject;
	/** Replaces the saved static data (a restored backup, a lost one). */
	setSaved(data: IDataObject): void;
	/** Activates: checkExists, create when it answered false. Returns whether create ran. */
	activate(activation?: WorkflowActivateMode): Promise<{ created: boolean }>;
	deactivate(): Promise<void>;
	close(): Promise<void>;
}

const WORKFLOW_ID = 'wf-webhook';

export async function startWebhookTrigger(
	node: INode,
	options: { credentials?: Record<string, ICredentialDataDecryptedObject>; staticData?: IDataObject } = {},
): Promise<WebhookTrigger> {
	let saved = JSON.stringify(options.staticData ?? {});
	const executions: INodeExecutionData[][] = [];
	const answers: Answer[] = [];
	const nodeType = nodeTypes.getByNameAndVersion(node.type, node.typeVersion);
	const description = nodeType.description.webhooks?.[0];
	const methods = nodeType.webhookMethods?.default;
	if (!description || !nodeType.webhook || !methods) throw new Error(`${node.type} is not a webhook trigger`);
	const runWebhook: NonNullable<INodeType['webhook']> = nodeType.webhook;

	const workflow = (staticData: IDataObject = JSON.parse(saved) as IDataObject) =>
		new Workflow({
			id: WORKFLOW_ID,
			name: 'webhook test',
			nodes: [node],
			connections: {},
			nodeTypes,
			active: true,
			staticData,
			settings: {},
		});
	const save = (wf: Workflow) => {
		saved = JSON.stringify(wf.staticData);
	};
	/** saveStaticData of n8n's WorkflowStaticDataService: only when the flag says it changed. */
	const saveIfChanged = (wf: Workflow) => {
		if (wf.staticData.__dataChanged === true) save(wf);
	};
	let executionCount = 0;
	/** An execution started by a delivery, in webhook mode: the trigger node's items first. */
	const execute = async (wf: Workflow, items: INodeExecutionData[]): Promise<INodeExecutionData[]> => {
		const executionId = `webhook-${++executionCount}`;
		const hooks = new ExecutionLifecycleHooks('webhook', executionId, { id: WORKFLOW_ID, name: 'webhook test', nodes: [node], connections: {}, active: true, settings: {} } as never);
		const finished = new Promise<void>((resolve) =>
			hooks.addHandler('workflowExecuteAfter', (_run, newStaticData) => {
				// n8n's hookFunctionsSave: the execution's static data, when a node changed it.
				if (newStaticData) saved = JSON.stringify(newStaticData);
				resolve();
			}),
		);
		const start = wf.getNode(node.name)!;
		const runData = createRunExecutionData({ executionData: { nodeExecutionStack: [{ node: start, data: { main: [items] }, source: null }] } });
		const run = await new WorkflowExecute(data({ hooks, executionId }), 'webhook', runData).processRunExecutionData(wf);
		await finished;
		if (run.data.resultData.error) throw new Error(`the execution failed: ${run.data.resultData.error.message}`);
		return run.data.resultData.runData[node.name]?.[0]?.data?.main?.[0] ?? [];
	};

	const server = http.createServer((req, res) => {
		const chunks: Buffer[] = [];
		req.on('data', (chunk: Buffer) => chunks.push(chunk));
		req.on('end', () => {
			void deliver(req, Buffer.concat(chunks).toString('utf8'), res);
		});
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const port = (server.address() as AddressInfo).port;
	const baseUrl = `http://127.0.0.1:${port}/webhook`;
	const data = (extra: Record<string, unknown> = {}) => additionalData(options.credentials, { webhookBaseUrl: baseUrl, ...extra });
	const webhookData = (wf: Workflow): IWebhookData => ({
		httpMethod: description.httpMethod as IWebhookData['httpMethod'],
		node: node.name,
		path: String(description.path),
		webhookDescription: description,
		workflowId: wf.id,
		workflowExecuteAdditionalData: data(),
		webhookId: node.webhookId,
	});

	async function deliver(req: http.IncomingMessage, text: string, res: http.ServerResponse): Promise<void> {
		let body: unknown;
		try {
			body = text ? JSON.parse(text) : {};
		} catch {
			body = {};
		}
		let status = 200;
		let answer: unknown;
		let answered = false;
		const response = {
			status(code: number) {
				status = code;
				return response;
			},
			json(value: unknown) {
				answer = value;
				answered = true;
				return response;
			},
			send(value: unknown) {
				answer = value;
				answered = true;
				return response;
			},
			end() {
				answered = true;
				return response;
			},
		};
		const request = { body, headers: req.headers, params: {}, query: {}, method: req.method };
		const staticData = JSON.parse(saved) as IDataObject;
		const wf = workflow(staticData);
		try {
			const context = new WebhookContext(
				wf,
				node,
				data({ httpRequest: request, httpResponse: response }),
				'webhook',
				webhookData(wf),
				[],
				null,
			);
			const result = await runWebhook.call(context);
			if (result.noWebhookResponse) {
				if (!answered) status = 500;
				saveIfChanged(wf);
			} else if (result.workflowData) {
				// WorkflowRunner.run: establishContextForPersistence builds a Workflow on the same object,
				// then the execution starts on the static data read from the database again.
				workflow(staticData);
				const execution = execute(workflow(), result.workflowData[0]);
				// live-webhooks.js, once the webhook answered (before the execution ends).
				saveIfChanged(wf);
				executions.push(await execution);
				answer = { message: 'Workflow was started' };
			} else {
				answer = result.webhookResponse ?? { message: 'Webhook call received' };
				saveIfChanged(wf);
			}
		} catch (error) {
			status = 500;
			answer = { message: (error as Error).message };
		}
		answers.push({ status, body: answer });
		res.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(answer ?? {}));
	}

	const hook = (wf: Workflow, activation: WorkflowActivateMode) =>
		new HookContext(wf, node, data(), 'trigger', activation, webhookData(wf));

	return {
		url: `${baseUrl}/${node.webhookId}/${String(description.path)}`,
		executions,
		answers,
		saved: () => JSON.parse(saved) as IDataObject,
		setSaved: (value) => {
			saved = JSON.stringify(value);
		},
		async activate(activation = 'activate') {
			const wf = workflow();
			const exists = await methods.checkExists.call(hook(wf, activation));
			let created = false;
			if (!exists) {
				await methods.create.call(hook(wf, activation));
				created = true;
			}
			save(wf);
			return { created };
		},
		async deactivate() {
			const wf = workflow();
			await methods.delete.call(hook(wf, 'update'));
			save(wf);
		},
		close: () => new Promise<void>((resolve) => server.close(() => resolve())),
	};
}
