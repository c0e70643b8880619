// Workflow files (examples/*.json, test/e2e/workflows/*.json) as a user imports them, prepared for
// a local run: the package's node types become the custom-extension types, MASV nodes get the
// emulator credential, an empty Team picker gets the emulator's team, and the example folder
// /tmp/masv-demo becomes the run's own folder.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export const PACKAGE_PREFIX = 'n8n-nodes-masv.';
/** n8n registers nodes loaded through N8N_CUSTOM_EXTENSIONS under the package name CUSTOM. */
export const CUSTOM_PREFIX = 'CUSTOM.';
/** The folder the example workflows read from and write to. */
export const EXAMPLE_FOLDER = '/tmp/masv-demo';

export const EMULATOR_CREDENTIAL = { id: 'masvEmulator0001', name: 'MASV (local emulator)' };

export interface WorkflowNode {
	id?: string;
	name: string;
	type: string;
	typeVersion: number;
	position: [number, number];
	parameters: Record<string, unknown>;
	credentials?: Record<string, { id: string; name: string }>;
	[key: string]: unknown;
}

export interface WorkflowFile {
	id: string;
	name: string;
	nodes: WorkflowNode[];
	connections: Record<string, unknown>;
	[key: string]: unknown;
}

export interface PrepareOptions {
	teamId: string;
	filesDir: string;
	/** Extra parameter overrides by node name (merged into `parameters`). */
	overrides?: Record<string, Record<string, unknown>>;
}

function isEmptyLocator(value: unknown): value is { __rl: true; mode: string; value: string } {
	return typeof value === 'object' && value !== null && (value as { __rl?: boolean }).__rl === true && !(value as { value?: string }).value;
}

export function prepareWorkflow(workflow: WorkflowFile, options: PrepareOptions): WorkflowFile {
	const text = JSON.stringify(workflow).split(EXAMPLE_FOLDER).join(options.filesDir);
	const copy = JSON.parse(text) as WorkflowFile;
	for (const node of copy.nodes) {
		if (!node.type.startsWith(PACKAGE_PREFIX)) continue;
		node.type = CUSTOM_PREFIX + node.type.slice(PACKAGE_PREFIX.length);
		node.credentials = { masvApi: { ...EMULATOR_CREDENTIAL } };
		if (isEmptyLocator(node.parameters.teamId)) {
			node.parameters.teamId = { __rl: true, mode: 'id', value: options.teamId };
		}
		const override = options.overrides?.[node.name];
		if (override) node.parameters = mergeDeep(node.parameters, override);
	}
	return copy;
}

function mergeDeep(base: Record<string, unknown>, extra: Record<string, unknown>): Record<string, unknown> {
	const out: Record<string, unknown> = { ...base };
	for (const [key, value] of Object.entries(extra)) {
		const current = out[key];
		out[key] =
			value && typeof value === 'object' && !Array.isArray(value) && current && typeof current === 'object' && !Array.isArray(current)
				? mergeDeep(current as Record<string, unknown>, value as Record<string, unknown>)
				: value;
	}
	return out;
}

export function readWorkflow(file: string): WorkflowFile {
	const workflow = JSON.parse(readFileSync(file, 'utf8')) as WorkflowFile;
	if (!workflow.id || !Array.isArray(workflow.nodes) || !workflow.connections) {
		throw new Error(`${file}: a workflow needs an id, nodes and connections`);
	}
	return workflow;
}

export function readWorkflowDir(dir: string): WorkflowFile[] {
	return readdirSync(dir)
		.filter((f) => f.endsWith('.json'))
		.sort()
		.map((f) => readWorkflow(join(dir, f)));
}

/** The credential file for `n8n import:credentials` (data is encrypted by n8n on import). */
export function emulatorCredential(url: string, apiKey: string): unknown[] {
	return [{ ...EMULATOR_CREDENTIAL, type: 'masvApi', data: { apiKey, baseUrl: url } }];
}

// ---- the output of `n8n execute --rawOutput` -------------------------------------------------

export interface NodeRun {
	data?: { main?: Array<Array<{ json: Record<string, unknown>; binary?: Record<string, Record<string, unknown>> }> | null> };
	error?: { message?: string; description?: string; httpCode?: string };
	executionStatus?: string;
}

export interface ExecutionResult {
	status?: string;
	data: { resultData: { runData: Record<string, NodeRun[]>; error?: { message?: string; description?: string } } };
}

/** n8n prints log lines before the JSON on stdout: the run is the last top-level `{ ... }` block. */
export function parseExecuteOutput(stdout: string): ExecutionResult | undefined {
	const lines = stdout.split('\n');
	for (let i = 0; i < lines.length; i++) {
		if (lines[i] !== '{') continue;
		const end = lines.lastIndexOf('}');
		if (end <= i) return undefined;
		try {
			return JSON.parse(lines.slice(i, end + 1).join('\n')) as ExecutionResult;
		} catch {
			// a log line that starts with "{": keep looking
		}
	}
	return undefined;
}

/** The items a node put out on its first output (last run). */
export function nodeItems(result: ExecutionResult, node: string): Array<{ json: Record<string, unknown>; binary?: Record<string, Record<string, unknown>> }> {
	const runs = result.data.resultData.runData[node];
	if (!runs?.length) throw new Error(`node "${node}" did not run (ran: ${Object.keys(result.data.resultData.runData).join(', ')})`);
	const run = runs[runs.length - 1];
	if (run.error) throw new Error(`node "${node}" failed: ${run.error.message} ${run.error.description ?? ''}`);
	return run.data?.main?.[0] ?? [];
}
