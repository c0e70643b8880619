// Unit tests of the scripted chat model (tools/model/scripted.ts) that the agent e2e test puts
// behind n8n's OpenAI Chat Model, through plain fetch.
import { startScriptedModel, toolResults, type ChatRequest, type ScriptedModel } from '../../tools/model/scripted';

let model: ScriptedModel;

beforeAll(async () => {
	model = await startScriptedModel();
});

afterAll(async () => {
	await model.close();
});

const post = async (body: unknown) => {
	const res = await fetch(`${model.baseUrl}/chat/completions`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
	return { status: res.status, text: await res.text() };
};

const tools = [{ type: 'function', function: { name: 'list_packages', description: 'Get many packages the team sent in MASV', parameters: { type: 'object' } } }];

describe('scripted chat model', () => {
	test('replays the turn of the conversation: tool calls first, then an answer built from the tool\'s result', async () => {
		model.script('replay', [
			{ toolCalls: [{ name: 'list_packages', args: { name_contains: 'Dailies' } }] },
			(request: ChatRequest) => ({ content: `got ${toolResults(request)[0].content}` }),
		]);
		const user = { role: 'user', content: '[case:replay] which dailies?' };
		const first = await post({ model: 'm', messages: [{ role: 'system', content: 'be brief' }, user], tools });
		expect(first.status).toBe(200);
		const call = JSON.parse(first.text).choices[0];
		expect(call.finish_reason).toBe('tool_calls');
		expect(call.message.tool_calls).toHaveLength(1);
		expect(call.message.tool_calls[0].function).toEqual({ name: 'list_packages', arguments: '{"name_contains":"Dailies"}' });

		const second = await post({
			model: 'm',
			messages: [user, { role: 'assistant', content: null, tool_calls: call.message.tool_calls }, { role: 'tool', tool_call_id: call.message.tool_calls[0].id, content: '[{"name":"Dailies 1"}]' }],
			tools,
		});
		expect(second.status).toBe(200);
		expect(JSON.parse(second.text).choices[0]).toMatchObject({ finish_reason: 'stop', message: { role: 'assistant', content: 'got [{"name":"Dailies 1"}]' } });

		const recorded = model.requests('replay');
		expect(recorded.map((r) => [r.step, r.status])).toEqual([
			[0, 200],
			[1, 200],
		]);
		expect(recorded[0].body?.tools?.[0].function.name).toBe('list_packages');
		expect(recorded[1].raw).toContain('Dailies 1');
	});

	test('streams the same turn as chunks when asked to', async () => {
		model.script('stream', [{ toolCalls: [{ name: 'list_packages', args: {} }] }]);
		const res = await post({ model: 'm', stream: true, messages: [{ role: 'user', content: '[case:stream] go' }] });
		expect(res.status).toBe(200);
		const events = res.text.split('\n\n').filter(Boolean);
		expect(events.at(-1)).toBe('data: [DONE]');
		const chunks = events.slice(0, -1).map((e) => JSON.parse(e.slice('data: '.length)));
		expect(chunks.every((c) => c.object === 'chat.completion.chunk')).toBe(true);
		expect(chunks.flatMap((c) => c.choices[0].delta.tool_calls ?? []).map((t: { function: { name: string } }) => t.function.name)).toEqual(['list_packages']);
		expect(chunks.at(-1).choices[0].finish_reason).toBe('tool_calls');
	});

	test('refuses a conversation without a script, or past its last turn, saying so', async () => {
		const unknown = await post({ messages: [{ role: 'user', content: 'no marker' }] });
		expect(unknown.status).toBe(400);
		expect(unknown.text).toContain('no [case:');
		model.script('short', [{ content: 'only one' }]);
		const past = await post({ messages: [{ role: 'user', content: '[case:short] hi' }, { role: 'assistant', content: 'only one' }, { role: 'user', content: 'more' }] });
		expect(past.status).toBe(400);
		expect(past.text).toContain('no turn 2 scripted');
	});

	test('lists its model', async () => {
		const res = await fetch(`${model.baseUrl}/models`);
		expect(((await res.json()) as { data: Array<{ id: string }> }).data[0].id).toBe('masv-scripted-model');
	});
});
