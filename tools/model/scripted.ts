// A scripted, OpenAI-compatible chat model for the agent tests (docs/agents.md, "How it is
// tested"): n8n's OpenAI Chat Model node talks to it through its credential's Base URL. It decides
// nothing: each conversation replays the turns a test scripted for it (tool calls, then a final
// answer), so the tests assert on what n8n sends and receives. Every request is recorded.
//
//   const model = await startScriptedModel();
//   model.script('list', [{ toolCalls: [{ name: 'list_packages', args: { name: 'dailies' } }] }, (req) => ({ content: '...' })]);
//   // credential `openAiApi` with `url: model.baseUrl`; the agent's prompt holds "[case:list]"
//
// The Chat Completions API only (POST /v1/chat/completions, with or without `stream`) and the
// model list (GET /v1/models): n8n's OpenAI Chat Model 1.3 uses Chat Completions when its option
// "Use Responses API" (`responsesApiEnabled`) is off.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export const SCRIPTED_MODEL_ID = 'masv-scripted-model';

export interface ChatMessage {
	role: 'system' | 'user' | 'assistant' | 'tool' | 'developer';
	content?: string | Array<{ type: string; text?: string }> | null;
	tool_calls?: Array<{ id: string; type: 'function'; function: { name: string; arguments: string } }>;
	tool_call_id?: string;
	[key: string]: unknown;
}

export interface ChatTool {
	type: 'function';
	function: { name: string; description?: string; parameters?: Record<string, unknown>; [key: string]: unknown };
}

export interface ChatRequest {
	model?: string;
	messages: ChatMessage[];
	tools?: ChatTool[];
	stream?: boolean;
	[key: string]: unknown;
}

export interface ModelRequest {
	seq: number;
	method: string;
	path: string;
	headers: Record<string, string | string[] | undefined>;
	/** The raw body as received (for the "no secret ever reaches the model" checks). */
	raw: string;
	body?: ChatRequest;
	/** The conversation it belongs to (the `[case:…]` marker of its first user message). */
	caseId?: string;
	/** The turn it asked for: how many assistant messages it already holds. */
	step?: number;
	status?: number;
}

export interface ToolCall {
	name: string;
	args: Record<string, unknown>;
}

export type Turn = { toolCalls: ToolCall[]; content?: string } | { content: string };
/** A turn, or a function of the request that builds it (to use what a tool answered). */
export type Step = Turn | ((request: ChatRequest) => Turn);

export interface ScriptedModel {
	/** Base URL for the `openAiApi` credential (`…/v1`). */
	baseUrl: string;
	/** The turns of conversation `caseId`, in order: the n-th answers the request with n assistant messages. */
	script(caseId: string, steps: Step[]): void;
	/** Every request received, in order (copies). */
	requests(caseId?: string): ModelRequest[];
	close(): Promise<void>;
}

/** The text of a message's content (a string or text parts). */
export function messageText(message: ChatMessage): string {
	if (typeof message.content === 'string') return message.content;
	if (Array.isArray(message.content)) return message.content.map((part) => part.text ?? '').join('');
	return '';
}

/** The answers of the tools in a request, in order: the `tool` messages after the last assistant turn. */
export function toolResults(request: ChatRequest): Array<{ name: string; content: string }> {
	const calls = new Map<string, string>();
	for (const message of request.messages) for (const call of message.tool_calls ?? []) calls.set(call.id, call.function.name);
	return request.messages.filter((m) => m.role === 'tool').map((m) => ({ name: calls.get(m.tool_call_id ?? '') ?? '?', content: messageText(m) }));
}

const CASE_MARKER = /\[case:([\w-]+)\]/;

export async function startScriptedModel(options: { host?: string; port?: number } = {}): Promise<ScriptedModel> {
	const scripts = new Map<string, Step[]>();
	const log: ModelRequest[] = [];
	let callSeq = 0;

	const handle = async (req: IncomingMessage, res: ServerResponse) => {
		const chunks: Buffer[] = [];
		for await (const chunk of req) chunks.push(chunk as Buffer);
		const raw = Buffer.concat(chunks).toString('utf8');
		const path = (req.url ?? '/').split('?')[0];
		const record: ModelRequest = { seq: log.length + 1, method: req.method ?? 'GET', path, headers: { ...req.headers }, raw };
		log.push(record);
		const reply = (status: number, body: unknown) => {
			record.status = status;
			res.writeHead(status, { 'Content-Type': 'application/json' });
			res.end(JSON.stringify(body));
		};
		const fail = (status: number, message: string) => reply(status, { error: { message, type: 'invalid_request_error', code: null } });

		if (req.method === 'GET' && path.endsWith('/models')) {
			return reply(200, { object: 'list', data: [{ id: SCRIPTED_MODEL_ID, object: 'model', created: 0, owned_by: 'n8n-nodes-masv' }] });
		}
		if (req.method !== 'POST' || !path.endsWith('/chat/completions')) return fail(404, `the scripted model serves POST /v1/chat/completions, not ${req.method} ${path}`);
		let body: ChatRequest;
		try {
			body = JSON.parse(raw) as ChatRequest;
		} catch {
			return fail(400, 'the body is not JSON');
		}
		record.body = body;
		const firstUser = body.messages.find((m) => m.role === 'user');
		const caseId = firstUser ? CASE_MARKER.exec(messageText(firstUser))?.[1] : undefined;
		const step = body.messages.filter((m) => m.role === 'assistant').length;
		record.caseId = caseId;
		record.step = step;
		const steps = caseId ? scripts.get(caseId) : undefined;
		if (!steps) return fail(400, `no script for case ${caseId ?? '(no [case:…] marker in the first user message)'}`);
		if (step >= steps.length) return fail(400, `case ${caseId}: no turn ${step + 1} scripted (${steps.length} turns)`);
		const planned = steps[step];
		let turn: Turn;
		try {
			turn = typeof planned === 'function' ? planned(body) : planned;
		} catch (error) {
			return fail(400, `case ${caseId}, turn ${step + 1}: ${(error as Error).message}`);
		}
		const toolCalls = 'toolCalls' in turn ? turn.toolCalls.map((call) => ({ id: `call_${++callSeq}`, type: 'function' as const, function: { name: call.name, arguments: JSON.stringify(call.args) } })) : [];
		const content = turn.content ?? null;
		const finish = toolCalls.length ? 'tool_calls' : 'stop';
		const id = `chatcmpl-scripted-${record.seq}`;
		const created = Math.floor(Date.now() / 1000);
		const usage = { prompt_tokens: raw.length >> 2, completion_tokens: 1, total_tokens: (raw.length >> 2) + 1 };
		if (!body.stream) {
			return reply(200, {
				id,
				object: 'chat.completion',
				created,
				model: body.model ?? SCRIPTED_MODEL_ID,
				choices: [{ index: 0, message: { role: 'assistant', content, ...(toolCalls.length ? { tool_calls: toolCalls } : {}) }, finish_reason: finish, logprobs: null }],
				usage,
			});
		}
		// Streamed: the same turn as server-sent chunks.
		record.status = 200;
		res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache', Connection: 'keep-alive' });
		const send = (delta: Record<string, unknown>, finishReason: string | null, extra: Record<string, unknown> = {}) =>
			res.write(`data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model: body.model ?? SCRIPTED_MODEL_ID, choices: [{ index: 0, delta, finish_reason: finishReason, logprobs: null }], ...extra })}\n\n`);
		send({ role: 'assistant', content: content ?? '' }, null);
		toolCalls.forEach((call, index) => send({ tool_calls: [{ index, ...call }] }, null));
		send({}, finish, { usage });
		res.end('data: [DONE]\n\n');
	};

	const server: Server = createServer((req, res) => {
		handle(req, res).catch((error: Error) => {
			if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'application/json' });
			res.end(JSON.stringify({ error: { message: error.message } }));
		});
	});
	await new Promise<void>((resolve, reject) => {
		server.once('error', reject);
		server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
	});
	const { port } = server.address() as AddressInfo;
	return {
		baseUrl: `http://127.0.0.1:${port}/v1`,
		script(caseId, steps) {
			scripts.set(caseId, steps);
		},
		requests(caseId) {
			return log.filter((r) => caseId === undefined || r.caseId === caseId).map((r) => ({ ...r }));
		},
		close: () =>
			new Promise<void>((resolve) => {
				server.closeAllConnections();
				server.close(() => resolve());
			}),
	};
}
