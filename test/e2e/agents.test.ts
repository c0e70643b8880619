// End-to-end: the MASV node as a tool (`masvTool`, "MASV Tool") in a running n8n 2.x, driven by
// n8n's AI Agent and by an MCP client through n8n's MCP Server Trigger, against the MASV emulator.
// Run by scripts/e2e/run.sh for the pinned n8n 2.x only (docs/agents.md, "How it is tested").
//
// The model is scripted (tools/model/scripted.ts): it replays tool calls and answers, so the test
// asserts what n8n sends to the model and what it gets back. One n8n start serves every case: the
// agent workflows answer webhooks, the MCP server example (examples/mcp-server-masv-tools.json)
// answers an MCP client (the official TypeScript SDK) over Streamable HTTP and over SSE.
//
// The run also writes what the model sees of the tools into docs/agents-tools.md when it differs
// and MASV_WRITE_DOCS=1; otherwise a difference fails the test (the file stays true).
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';

import { SCRIPTED_MODEL_ID, startScriptedModel, toolResults, type ChatRequest, type ModelRequest, type ScriptedModel } from '../../tools/model/scripted';
import { REPO, installedN8n, pinned, readLog, tail, type RunningN8n } from '../../tools/n8n/n8n';
import { EXAMPLES_DIR, openSession, setupOwner, type Session } from '../../tools/n8n/session';
import { readWorkflow, readWorkflowDir, type WorkflowFile } from '../../tools/n8n/workflows';

const VERSION = process.env.N8N_VERSION || pinned().n8nDefault;
const OUT = join(REPO, '.test-output/e2e-agents', `n8n-${VERSION}`);
const AGENT_WORKFLOW = 'masvE2eAgent';
const UPLOAD_WORKFLOW = 'masvE2eAgentUpload';
const MCP_EXAMPLE = 'mcp-server-masv-tools.json';
const AGENT_EXAMPLE = 'agent-client-deliveries.json';
const MCP_TOKEN = `mcp-${randomBytes(12).toString('hex')}`;
const UNKNOWN_PACKAGE = '01JUNKN0WNPACKAGE000000000';
/** Every package token the emulator signs starts with this JWT header (tools/emulator/tokens.ts). */
const TOKEN_HEADER = Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT' })).toString('base64url');
const DOC = join(REPO, 'docs/agents-tools.md');

let session: Session;
let server: RunningN8n;
let model: ScriptedModel;
let files: Server;
let filesUrl = '';
let url = '';
let cookie = '';
const timings: Record<string, number> = {};
const started = Date.now();
const mark = (name: string, since: number) => {
	timings[name] = Date.now() - since;
};
/** Seeded, finalized team packages by name. */
const seeded: Record<string, string> = {};
/** Finalized portal packages (the team's inbox) by name. */
const received: Record<string, string> = {};
/** The chat URL of the agent example (its Chat Trigger made public for the run). */
let chatUrl = '';
/** The file the upload case sends, served by `files`. */
const CUT = randomBytes(3 * 1024 * 1024 + 777);

async function until<T>(what: string, check: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs: number): Promise<T> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const result = await check();
		if (result) return result;
		if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\n${tail(readLog(session.config), 40)}`);
		await new Promise((resolve) => setTimeout(resolve, 500));
	}
}

async function masvApi(path: string, init: RequestInit = {}): Promise<{ status: number; body: Record<string, unknown> }> {
	const res = await fetch(`${session.emulator.url}${path}`, {
		...init,
		headers: { 'X-API-KEY': session.emulator.apiKey, 'Content-Type': 'application/json', ...(init.headers as Record<string, string>) },
	});
	const text = await res.text();
	return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

async function seedPackage(name: string): Promise<string> {
	const created = await masvApi(`/v1/teams/${session.emulator.teamId}/packages`, { method: 'POST', body: JSON.stringify({ name, description: 'seeded by the agents e2e run' }) });
	assert.equal(created.status, 201, JSON.stringify(created.body));
	const id = String(created.body.id);
	session.emulator.core.forceFinalize(session.emulator.core.state.packages.get(id)!);
	seeded[name] = id;
	return id;
}

/** A package uploaded to the seed portal by `sender` and finalized: it is in the team's inbox. */
async function uploadToPortal(name: string, sender: string): Promise<string> {
	const res = await fetch(`${session.emulator.url}/v1/portals/${session.emulator.seed.portalId}/packages`, {
		method: 'POST',
		headers: { 'Content-Type': 'application/json' },
		body: JSON.stringify({ name, sender }),
	});
	const text = await res.text();
	assert.equal(res.status, 201, text);
	const id = String((JSON.parse(text) as { id: string }).id);
	session.emulator.core.forceFinalize(session.emulator.core.state.packages.get(id)!);
	return id;
}

/** Sends a message to the agent example's chat, in a session of its own (the agent has memory). */
async function chat(sessionId: string, chatInput: string): Promise<{ status: number; json: Record<string, unknown>; text: string }> {
	const res = await fetch(`${url}${chatUrl}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ action: 'sendMessage', sessionId, chatInput }) });
	const text = await res.text();
	let json: Record<string, unknown> = {};
	try {
		json = JSON.parse(text) as Record<string, unknown>;
	} catch {
		json = {};
	}
	return { status: res.status, json, text };
}

/** Asks the agent workflow at `path` (a webhook answering with the agent's output). */
async function ask(path: string, prompt: string): Promise<{ status: number; json: Record<string, unknown>; text: string }> {
	const res = await fetch(`${url}/webhook/${path}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ prompt }) });
	const text = await res.text();
	let json: Record<string, unknown> = {};
	try {
		json = JSON.parse(text) as Record<string, unknown>;
	} catch {
		json = {};
	}
	return { status: res.status, json, text };
}

/** Publishes a workflow's current version (REST, the owner's session). */
async function activate(workflowId: string): Promise<void> {
	const headers = { 'Content-Type': 'application/json', Cookie: `n8n-auth=${cookie}` };
	const got = await fetch(`${url}/rest/workflows/${workflowId}`, { headers });
	const workflow = (await got.json()) as { data?: { versionId?: string } };
	assert.equal(got.status, 200, JSON.stringify(workflow));
	const res = await fetch(`${url}/rest/workflows/${workflowId}/activate`, { method: 'POST', headers, body: JSON.stringify({ versionId: workflow.data?.versionId }) });
	assert.equal(res.status, 200, `publishing ${workflowId}: ${await res.text()}`);
}

/** The last execution n8n holds for a workflow (REST, the owner's session). */
async function lastExecution(workflowId: string): Promise<{ id: string; status: string }> {
	const filter = encodeURIComponent(JSON.stringify({ workflowId }));
	const res = await fetch(`${url}/rest/executions?filter=${filter}&limit=10`, { headers: { Cookie: `n8n-auth=${cookie}` } });
	const json = (await res.json()) as { data?: { results?: Array<{ id: string; status: string }> } };
	const results = json.data?.results ?? [];
	assert.ok(results.length > 0, `no execution of ${workflowId}`);
	return results.reduce((a, b) => (Number(b.id) > Number(a.id) ? b : a));
}

/** The requests the model got for a case, which must all have been answered. */
function caseRequests(caseId: string, count: number): ChatRequest[] {
	const requests = model.requests(caseId);
	assert.deepEqual(
		requests.map((r) => r.status),
		Array(count).fill(200),
		`case ${caseId}: ${JSON.stringify(requests.map((r) => ({ step: r.step, status: r.status })))}`,
	);
	return requests.map((r) => r.body!);
}

function json<T = unknown>(text: string): T {
	return JSON.parse(text) as T;
}

/** The tool answer as the model gets it: n8n's JSON of the tool's output items. */
function toolAnswer(request: ChatRequest, tool: string): string {
	const answers = toolResults(request).filter((r) => r.name === tool);
	assert.equal(answers.length, 1, `one answer of ${tool} in ${JSON.stringify(toolResults(request))}`);
	return answers[0].content;
}

function secretsIn(text: string): string[] {
	const found: string[] = [];
	if (text.includes(session.emulator.apiKey)) found.push('the API key');
	if (text.includes(TOKEN_HEADER)) found.push('a package token');
	return found;
}

describe(`MASV tools for AI agents and MCP clients in a running n8n ${VERSION}`, () => {
	before(async () => {
		let t = Date.now();
		model = await startScriptedModel();
		files = createServer((req, res) => {
			if (req.url === '/files/cut-v4.mov') {
				res.writeHead(200, { 'Content-Type': 'video/quicktime', 'Content-Length': String(CUT.length) });
				res.end(CUT);
			} else {
				res.writeHead(404).end();
			}
		});
		await new Promise<void>((resolve) => files.listen(0, '127.0.0.1', resolve));
		filesUrl = `http://127.0.0.1:${(files.address() as AddressInfo).port}`;

		const agentWorkflows = readWorkflowDir(join(REPO, 'test/e2e/agent-workflows'));
		const mcp = readWorkflow(join(EXAMPLES_DIR, MCP_EXAMPLE));
		const trigger = mcp.nodes.find((node) => node.type === '@n8n/n8n-nodes-langchain.mcpTrigger')!;
		trigger.credentials = { httpBearerAuth: { id: 'masvMcpBearer001', name: 'MCP clients (local)' } };
		// The agent example as a user runs it, with two changes: its chat answers on a public URL
		// (an editor's chat session is not at hand here) and its model is the scripted one.
		const example = readWorkflow(join(EXAMPLES_DIR, AGENT_EXAMPLE));
		for (const node of example.nodes) {
			if (node.type === '@n8n/n8n-nodes-langchain.chatTrigger') {
				node.parameters.public = true;
				chatUrl = `/webhook/${String(node.webhookId)}/chat`;
			}
			if (node.type === '@n8n/n8n-nodes-langchain.lmChatOpenAi') {
				node.parameters = { ...node.parameters, model: { __rl: true, mode: 'id', value: SCRIPTED_MODEL_ID }, responsesApiEnabled: false };
				node.credentials = { openAiApi: { id: 'masvScriptedModel', name: 'Scripted model (local)' } };
			}
		}
		const workflows: WorkflowFile[] = [...agentWorkflows, mcp, example];
		session = await openSession({
			version: VERSION,
			workDir: OUT,
			workflows,
			credentials: [
				{ id: 'masvScriptedModel', name: 'Scripted model (local)', type: 'openAiApi', data: { apiKey: 'sk-scripted-not-a-key', url: model.baseUrl } },
				{ id: 'masvMcpBearer001', name: 'MCP clients (local)', type: 'httpBearerAuth', data: { token: MCP_TOKEN } },
			],
			log: (line) => console.log(`# ${line}`),
		});
		mark('setup', t);

		for (const name of ['Dailies ep104 day 1', 'Dailies ep104 day 2', 'Trailer cut v3', 'Trailer cut v4']) await seedPackage(name);
		for (const [name, sender] of [
			['Selects ep104', 'client@example.com'],
			['Sound mix ep104', 'client@example.com'],
			['Reel from another studio', 'other@example.com'],
		]) {
			received[name] = await uploadToPortal(name, sender);
		}

		t = Date.now();
		server = await session.startServer();
		url = server.url;
		mark('n8n start', t);
		cookie = await setupOwner(url);
		t = Date.now();
		// Published through the REST API as the editor does (one `n8n publish:workflow` each would
		// start n8n once more per workflow).
		for (const workflow of workflows) await activate(workflow.id);
		await until('the agent webhook', async () => (await (await fetch(`${url}/webhook/masv-agent-e2e`)).text()).includes('POST request'), 30_000);
		// The MCP server answers a request without its bearer token with 403 once it is active.
		await until('the MCP server', async () => (await fetch(`${url}/mcp/masv`, { method: 'POST' })).status === 403, 30_000);
		await until('the example\'s chat', async () => (await fetch(`${url}${chatUrl}`)).status === 200, 30_000);
		mark('activation', t);
	});

	after(async () => {
		timings.total = Date.now() - started;
		console.log(`# agents e2e timings (ms): ${JSON.stringify({ ...session?.timings, ...timings })}`);
		// What the model got, for a look after the run.
		if (model) writeFileSync(join(OUT, 'model-requests.json'), JSON.stringify(model.requests(), null, 1));
		await session?.close();
		await model?.close();
		files?.closeAllConnections();
		await new Promise((resolve) => files?.close(resolve));
	});

	it('the agent lists a team\'s packages with a filter it fills through $fromAI, and gets the names back', async () => {
		const t = Date.now();
		model.script('list', [
			{ toolCalls: [{ name: 'list_packages', args: { name_contains: 'Dailies' } }] },
			(request) => {
				const names = json<Array<{ name: string }>>(toolAnswer(request, 'list_packages')).map((p) => p.name);
				return { content: `The dailies: ${names.sort().join('; ')}.` };
			},
		]);
		const answer = await ask('masv-agent-e2e', '[case:list] Which dailies did we send?');
		assert.equal(answer.status, 200, answer.text);
		assert.equal(answer.json.output, 'The dailies: Dailies ep104 day 1; Dailies ep104 day 2.');

		const [first, second] = caseRequests('list', 2);
		// What n8n offers the model: one function per MASV Tool node, named after the node.
		assert.deepEqual(first.tools?.map((tool) => tool.function.name).sort(), ['create_link', 'get_package', 'list_packages']);
		const list = first.tools!.find((tool) => tool.function.name === 'list_packages')!.function;
		assert.equal(list.description, 'Get many packages the team sent in MASV');
		assert.deepEqual((list.parameters as { required?: string[] }).required, ['name_contains']);
		// The tool's answer reached the model in its next request: the two dailies, not the trailer.
		const answerText = toolAnswer(second, 'list_packages');
		const listed = json<Array<{ id: string; name: string; state: string }>>(answerText);
		assert.deepEqual(listed.map((p) => p.name).sort(), ['Dailies ep104 day 1', 'Dailies ep104 day 2']);
		assert.deepEqual(listed.map((p) => p.id).sort(), [seeded['Dailies ep104 day 1'], seeded['Dailies ep104 day 2']].sort());
		// …from the filter the model chose.
		const calls = session.emulator.requests({ kind: 'api', method: 'GET', path: `/v1.1/teams/${session.emulator.teamId}/packages` });
		assert.equal(calls.at(-1)?.query.name, 'Dailies');
		assert.equal((await lastExecution(AGENT_WORKFLOW)).status, 'success');
		mark('agent: list', t);
	});

	it('the agent creates a link for a package and its final answer holds the link\'s URL', async () => {
		const t = Date.now();
		const packageId = seeded['Trailer cut v3'];
		model.script('link', [
			{ toolCalls: [{ name: 'create_link', args: { package_id: packageId, email: 'client@example.com' } }] },
			(request) => {
				const [link] = json<Array<{ url?: string }>>(toolAnswer(request, 'create_link'));
				if (!link?.url) throw new Error(`no url in ${toolAnswer(request, 'create_link')}`);
				return { content: `Sent to client@example.com: ${link.url}` };
			},
		]);
		const answer = await ask('masv-agent-e2e', '[case:link] Send the trailer cut to client@example.com');
		assert.equal(answer.status, 200, answer.text);
		caseRequests('link', 2);
		const links = [...session.emulator.core.state.links.values()].filter((link) => link.packageId === packageId);
		assert.equal(links.length, 1, 'one link made');
		assert.equal(links[0].email, 'client@example.com');
		assert.equal(answer.json.output, `Sent to client@example.com: https://get.massive.io/${links[0].id}?secret=${links[0].secret}`);
		assert.equal((await lastExecution(AGENT_WORKFLOW)).status, 'success');
		mark('agent: link', t);
	});

	it('the agent asks for a package that does not exist: MASV\'s message reaches the model, the agent goes on, the execution succeeds', async () => {
		const t = Date.now();
		model.script('unknown', [
			{ toolCalls: [{ name: 'get_package', args: { package_id: UNKNOWN_PACKAGE } }] },
			{ content: 'There is no such package.' },
		]);
		const answer = await ask('masv-agent-e2e', `[case:unknown] What is in package ${UNKNOWN_PACKAGE}?`);
		assert.equal(answer.status, 200, answer.text);
		assert.equal(answer.json.output, 'There is no such package.');
		const [, second] = caseRequests('unknown', 2);
		const direct = await masvApi(`/v1.1/teams/${session.emulator.teamId}/packages/${UNKNOWN_PACKAGE}`);
		assert.equal(direct.status, 404);
		const error = json<Array<{ error?: string }>>(toolAnswer(second, 'get_package'));
		assert.equal(error.length, 1);
		assert.ok(error[0].error?.includes(String(direct.body.message)), `MASV's message "${direct.body.message}" not in ${JSON.stringify(error)}`);
		assert.equal((await lastExecution(AGENT_WORKFLOW)).status, 'success');
		mark('agent: unknown package', t);
	});

	it('the agent uploads a file through Upload From URL and gets the finalized package back', async () => {
		const t = Date.now();
		model.script('upload', [
			{ toolCalls: [{ name: 'upload_from_url', args: { url: `${filesUrl}/files/cut-v4.mov`, file_name: '', package_name: 'Cut v4 for the client', recipients: 'client@example.com' } }] },
			(request) => {
				const [item] = json<Array<{ package?: { id: string; state: string } }>>(toolAnswer(request, 'upload_from_url'));
				return { content: `Uploaded as package ${item.package?.id} (${item.package?.state}).` };
			},
		]);
		const answer = await ask('masv-agent-upload-e2e', '[case:upload] Send the cut at the URL to client@example.com');
		assert.equal(answer.status, 200, answer.text);
		const [, second] = caseRequests('upload', 2);
		const [item] = json<Array<{ package: { id: string; name: string; state: string }; files: Array<{ name: string; size: number }> }>>(toolAnswer(second, 'upload_from_url'));
		assert.equal(item.package.state, 'finalized');
		assert.equal(item.package.name, 'Cut v4 for the client');
		assert.deepEqual(
			item.files.map((f) => [f.name, f.size]),
			[['cut-v4.mov', CUT.length]],
		);
		const stored = (await session.emulator.files()).filter((f) => f.packageId === item.package.id);
		assert.deepEqual(
			stored.map((f) => [f.name, f.size, f.sha256]),
			[['cut-v4.mov', CUT.length, createHash('sha256').update(CUT).digest('hex')]],
		);
		assert.deepEqual(session.emulator.core.state.packages.get(item.package.id)?.recipients, ['client@example.com']);
		assert.equal(answer.json.output, `Uploaded as package ${item.package.id} (finalized).`);
		assert.equal((await lastExecution(UPLOAD_WORKFLOW)).status, 'success');
		mark('agent: upload from URL', t);
	});

	it('the agent example answers "what did client X send this week" from the team\'s inbox', async () => {
		const t = Date.now();
		const now = new Date();
		const monday = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() - ((now.getUTCDay() + 6) % 7))).toISOString();
		model.script('weekly', [
			{ toolCalls: [{ name: 'list_received_packages', args: { sender: 'client@example.com', created_after: monday } }] },
			(request) => {
				const names = json<Array<{ name: string }>>(toolAnswer(request, 'list_received_packages')).map((p) => p.name);
				return { content: `This week client@example.com sent: ${names.sort().join('; ')}.` };
			},
		]);
		const answer = await chat('weekly-session', '[case:weekly] What did client@example.com send this week?');
		assert.equal(answer.status, 200, answer.text);
		assert.equal(answer.json.output, 'This week client@example.com sent: Selects ep104; Sound mix ep104.');
		const [first] = caseRequests('weekly', 2);
		// The system message's expressions were evaluated: the model knows the date.
		const system = first.messages.find((m) => m.role === 'system');
		assert.match(String(system?.content), new RegExp(`Today is ${now.toISOString().slice(0, 10)}`));
		assert.doesNotMatch(String(system?.content), /\{\{/);
		assert.deepEqual(first.tools?.map((tool) => tool.function.name).sort(), ['create_link', 'get_package_files', 'list_received_packages', 'list_sent_packages']);
		const inbox = session.emulator.requests({ kind: 'api', method: 'GET', path: `/v1.1/teams/${session.emulator.teamId}/inbox` }).at(-1);
		assert.equal(inbox?.query.sender, 'client@example.com');
		assert.ok(inbox?.query.created_at_start?.startsWith(monday.slice(0, 10)), JSON.stringify(inbox?.query));
		mark('example agent: weekly', t);
	});

	it('the agent example sends the latest cut: the newest package named "cut" gets a link emailed to the person', async () => {
		const t = Date.now();
		model.script('cut', [
			{ toolCalls: [{ name: 'list_sent_packages', args: { name_contains: 'cut', created_after: '' } }] },
			(request) => {
				const [latest] = json<Array<{ id: string }>>(toolAnswer(request, 'list_sent_packages'));
				return { toolCalls: [{ name: 'create_link', args: { package_id: latest.id, email: 'producer@example.com' } }] };
			},
			(request) => {
				const [link] = json<Array<{ url?: string }>>(toolAnswer(request, 'create_link'));
				return { content: `Sent to producer@example.com: ${link.url}` };
			},
		]);
		const answer = await chat('cut-session', '[case:cut] Send the latest cut to producer@example.com');
		assert.equal(answer.status, 200, answer.text);
		caseRequests('cut', 3);
		// The newest of the team's sent packages named "cut" (the upload case may have made one).
		const cuts = [...session.emulator.core.state.packages.values()]
			.filter((p) => p.teamId === session.emulator.teamId && !p.portalId && /cut/i.test(p.name) && p.state === 'finalized')
			.sort((a, b) => b.createdAt - a.createdAt || b.seq - a.seq);
		assert.ok(cuts.length >= 2, 'there is an older cut to pass over');
		const latest = cuts[0].id;
		const links = [...session.emulator.core.state.links.values()].filter((link) => link.email === 'producer@example.com');
		assert.deepEqual(
			links.map((link) => link.packageId),
			[latest],
			'one link, to the newest cut',
		);
		assert.equal(answer.json.output, `Sent to producer@example.com: https://get.massive.io/${links[0].id}?secret=${links[0].secret}`);
		mark('example agent: latest cut', t);
	});

	it('an MCP client lists the tools with their input schemas and calls two of them over Streamable HTTP; SSE lists them too', async () => {
		const t = Date.now();
		const endpoint = new URL(`${url}/mcp/masv`);
		const headers = { Authorization: `Bearer ${MCP_TOKEN}` };
		const refused = await fetch(endpoint, { method: 'POST', headers: { 'Content-Type': 'application/json', Authorization: 'Bearer wrong' }, body: '{}' });
		assert.equal(refused.status, 403, 'a wrong bearer token is refused');

		const client = new Client({ name: 'masv-e2e', version: '1.0.0' });
		await client.connect(new StreamableHTTPClientTransport(endpoint, { requestInit: { headers } }));
		try {
			const { tools } = await client.listTools();
			const example = readWorkflow(join(EXAMPLES_DIR, MCP_EXAMPLE));
			const expected = example.nodes.filter((node) => node.type === 'n8n-nodes-masv.masvTool').map((node) => node.name);
			assert.deepEqual(tools.map((tool) => tool.name).sort(), [...expected].sort());
			const listSent = tools.find((tool) => tool.name === 'list_sent_packages')!;
			assert.deepEqual(Object.keys(listSent.inputSchema.properties ?? {}).sort(), ['created_after', 'name_contains']);
			mcpTools = tools.map((tool) => ({ name: tool.name, description: tool.description ?? '', parameters: tool.inputSchema }));

			const listed = await client.callTool({ name: 'list_sent_packages', arguments: { name_contains: 'ep104', created_after: '' } });
			assert.ok(!listed.isError, JSON.stringify(listed));
			const listedText = (listed.content as Array<{ type: string; text: string }>).map((c) => c.text).join('');
			const packages = json<Array<{ id: string; name: string; state: string }>>(listedText);
			const inEmulator = [...session.emulator.core.state.packages.values()].filter((p) => p.name.includes('ep104') && p.teamId === session.emulator.teamId && !p.portalId); // sent, not received
			assert.deepEqual(
				packages.map((p) => [p.id, p.name, p.state]).sort(),
				inEmulator.map((p) => [p.id, p.name, p.state]).sort(),
			);

			const packageId = seeded['Dailies ep104 day 2'];
			const got = await client.callTool({ name: 'get_package', arguments: { package_id: packageId } });
			assert.ok(!got.isError, JSON.stringify(got));
			const gotText = (got.content as Array<{ type: string; text: string }>).map((c) => c.text).join('');
			const [pkg] = json<Array<{ id: string; name: string; state: string; description: string }>>(gotText);
			const state = session.emulator.core.state.packages.get(packageId)!;
			assert.deepEqual([pkg.id, pkg.name, pkg.state, pkg.description], [state.id, state.name, state.state, state.description]);
			// A value the node refuses comes back as a tool error naming the parameter.
			const refusedDate = await client.callTool({ name: 'list_sent_packages', arguments: { name_contains: '', created_after: 'last Monday' } });
			const refusedText = (refusedDate.content as Array<{ type: string; text: string }>).map((c) => c.text).join('');
			assert.match(refusedText, /"Filters > Created After" is not a date: last Monday/);
			assert.deepEqual(secretsIn(listedText + gotText + refusedText), []);
		} finally {
			await client.close();
		}

		const sse = new Client({ name: 'masv-e2e-sse', version: '1.0.0' });
		await sse.connect(new SSEClientTransport(endpoint, { requestInit: { headers }, eventSourceInit: { fetch: (input, init) => fetch(input, { ...init, headers: { ...(init?.headers as Record<string, string>), ...headers } }) } }));
		try {
			const { tools } = await sse.listTools();
			assert.deepEqual(tools.map((tool) => tool.name).sort(), mcpTools.map((tool) => tool.name).sort());
		} finally {
			await sse.close();
		}
		mark('mcp', t);
	});

	it('no model request and no MCP answer ever held the API key or a package token', () => {
		const requests = model.requests();
		assert.ok(requests.length >= 11, `${requests.length} model requests`);
		const leaks = requests.map((r: ModelRequest) => ({ seq: r.seq, found: secretsIn(r.raw + JSON.stringify(r.headers)) })).filter((r) => r.found.length);
		assert.deepEqual(leaks, []);
		// The test would see a token if one were there: n8n did use package tokens (link, files).
		assert.ok(session.emulator.requests({ kind: 'api' }).some((r) => String(r.headers['x-package-token'] ?? '').startsWith(TOKEN_HEADER)));
	});

	it('docs/agents-tools.md is what n8n sends the model', async () => {
		const first = model.requests('list')[0]?.body;
		assert.ok(first?.tools, 'the list case did not run');
		const agentTools = first.tools.map((tool) => ({ name: tool.function.name, description: tool.function.description ?? '', parameters: tool.function.parameters ?? {} }));
		const text = toolsDoc(agentTools, mcpTools, await operationDescriptions());
		writeFileSync(join(OUT, 'agents-tools.md'), text);
		const current = (() => {
			try {
				return readFileSync(DOC, 'utf8');
			} catch {
				return '';
			}
		})();
		if (current === text) return;
		if (process.env.MASV_WRITE_DOCS === '1') {
			writeFileSync(DOC, text);
			console.log(`# wrote ${DOC}`);
			return;
		}
		assert.fail(`docs/agents-tools.md is out of date: run this test with MASV_WRITE_DOCS=1, or compare with ${join(OUT, 'agents-tools.md')}`);
	});
});

interface ToolDoc {
	name: string;
	description: string;
	parameters: unknown;
}

let mcpTools: ToolDoc[] = [];

/** For every resource and operation: the description n8n gives a MASV Tool set to "Set Automatically". */
async function operationDescriptions(): Promise<Array<{ resource: string; operation: string; name: string; tool: string; description: string }>> {
	const dir = installedN8n(VERSION)!;
	// n8n's own function, from the n8n under test.
	const { NodeHelpers } = (await import(join(dir, 'node_modules/n8n-workflow'))) as {
		NodeHelpers: { getToolDescriptionForNode(node: { parameters: Record<string, unknown> }, nodeType: { description: unknown }): string };
	};
	const { Masv } = (await import(join(REPO, 'dist/nodes/Masv/Masv.node.js'))) as { Masv: new () => { description: NodeDescription } };
	const description = new Masv().description;
	const resources = description.properties.find((p) => p.name === 'resource')!.options!;
	const out: Array<{ resource: string; operation: string; name: string; tool: string; description: string }> = [];
	for (const resource of resources) {
		const selector = description.properties.find((p) => p.name === 'operation' && p.displayOptions?.show?.resource?.includes(resource.value));
		for (const option of selector?.options ?? []) {
			out.push({
				resource: resource.name,
				operation: option.name,
				name: `${resource.value} / ${option.value}`,
				tool: NodeHelpers.getToolDescriptionForNode({ parameters: { resource: resource.value, operation: option.value } }, { description }),
				description: option.description ?? '',
			});
		}
	}
	return out;
}

interface NodeDescription {
	properties: Array<{ name: string; options?: Array<{ name: string; value: string; description?: string }>; displayOptions?: { show?: { resource?: string[] } } }>;
}

function toolsDoc(agent: ToolDoc[], mcp: ToolDoc[], operations: Awaited<ReturnType<typeof operationDescriptions>>): string {
	const section = (tools: ToolDoc[]) =>
		[...tools]
			.sort((a, b) => a.name.localeCompare(b.name))
			.map((tool) => [`### \`${tool.name}\``, '', `> ${tool.description}`, '', '```json', JSON.stringify(tool.parameters, null, 2), '```', ''].join('\n'))
			.join('\n');
	return [
		'# What a model sees of the MASV tools',
		'',
		'<!-- Generated by test/e2e/agents.test.ts from a real n8n run: do not edit by hand. Rewrite it with',
		'     `MASV_WRITE_DOCS=1 N8N_VERSION=2.40.7 node --test .tmp/e2e/test/e2e/agents.test.js` after `npm run build`',
		'     and `npx tsc -p scripts/e2e/tsconfig.json`. -->',
		'',
		`Recorded in n8n ${VERSION}. A MASV Tool is one MASV node with one resource and operation; n8n names the`,
		'tool after the node, describes it with the operation\'s action ("Tool Description: Set Automatically")',
		'or with your own text ("Set Manually"), and builds its parameters from the `$fromAI()` expressions in',
		'the node: nothing else of the node reaches the model. See [agents.md](agents.md).',
		'',
		'## The AI Agent\'s tools',
		'',
		'The `tools` of the first Chat Completions request of `test/e2e/agent-workflows/e2e-agent.json`.',
		'',
		section(agent),
		'## The MCP server example\'s tools',
		'',
		'`tools/list` of [`examples/mcp-server-masv-tools.json`](../examples/mcp-server-masv-tools.json), as the MCP',
		'client gets it.',
		'',
		section(mcp),
		'## Every operation, described automatically',
		'',
		'What the model reads for a MASV Tool left on "Set Automatically"; the editor\'s description of the',
		'operation is beside it (it does not reach the model: put what matters into a manual description or',
		'into the `$fromAI()` descriptions).',
		'',
		'| Resource | Operation | Tool description (to the model) | Operation description (editor) |',
		'|---|---|---|---|',
		...operations.map((o) => `| ${o.resource} | ${o.operation} | ${o.tool} | ${o.description.replace(/\|/g, '\\|')} |`),
		'',
	].join('\n');
}
