// Driving a running n8n (`n8n start`) from the bad-day e2e and the soak: start workflows through
// their Webhook node (responseMode "lastNode": the answer comes when the execution ends) and read
// executions through the REST API with the owner's session.
import http from 'node:http';

export interface WebhookRun {
	/** HTTP status of n8n's answer (0: no answer within the client's time limit, or no connection). */
	status: number;
	body: unknown;
	ms: number;
	/** The client gave up waiting (an execution that did not end in time). */
	timedOut: boolean;
	error?: string;
}

/**
 * POSTs `body` to a production webhook of n8n and waits for the answer without a time limit of
 * its own but `timeoutMs` (fetch's 300 s header timeout would cut a long execution).
 */
export function callWebhook(baseUrl: string, path: string, body: unknown, timeoutMs: number): Promise<WebhookRun> {
	const started = Date.now();
	const url = new URL(`/webhook/${path}`, baseUrl);
	const payload = JSON.stringify(body ?? {});
	return new Promise((resolve) => {
		let done = false;
		const finish = (run: Omit<WebhookRun, 'ms'>) => {
			if (done) return;
			done = true;
			clearTimeout(timer);
			resolve({ ...run, ms: Date.now() - started });
		};
		const req = http.request(
			url,
			{ method: 'POST', agent: false, headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(payload) } },
			(res) => {
				const chunks: Buffer[] = [];
				res.on('data', (chunk: Buffer) => chunks.push(chunk));
				res.on('end', () => {
					const text = Buffer.concat(chunks).toString('utf8');
					let parsed: unknown = text;
					try {
						parsed = text ? (JSON.parse(text) as unknown) : undefined;
					} catch {
						// not JSON: keep the text
					}
					finish({ status: res.statusCode ?? 0, body: parsed, timedOut: false });
				});
				res.on('error', (error) => finish({ status: 0, body: undefined, timedOut: false, error: error.message }));
			},
		);
		const timer = setTimeout(() => {
			req.destroy();
			finish({ status: 0, body: undefined, timedOut: true, error: `no answer within ${timeoutMs / 1000} s` });
		}, timeoutMs);
		req.on('error', (error) => finish({ status: 0, body: undefined, timedOut: false, error: error.message }));
		req.end(payload);
	});
}

export interface ExecutionSummary {
	id: string;
	workflowId: string;
	status: string;
	mode?: string;
	startedAt?: string;
	stoppedAt?: string;
}

/** The owner's REST session of a running n8n. */
export class N8nRest {
	constructor(
		readonly url: string,
		public cookie: string,
	) {}

	async call(method: string, path: string, body?: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
		const res = await fetch(`${this.url}/rest${path}`, {
			method,
			headers: { 'Content-Type': 'application/json', Cookie: `n8n-auth=${this.cookie}` },
			body: body === undefined ? undefined : JSON.stringify(body),
		});
		const text = await res.text();
		let json: Record<string, unknown> = {};
		try {
			json = text ? (JSON.parse(text) as Record<string, unknown>) : {};
		} catch {
			json = { text };
		}
		return { status: res.status, json };
	}

	/** Every execution of a workflow n8n holds (newest first), paging through the REST list. */
	async executions(workflowId: string): Promise<ExecutionSummary[]> {
		const all: ExecutionSummary[] = [];
		let lastId: string | undefined;
		for (;;) {
			const filter = encodeURIComponent(JSON.stringify({ workflowId }));
			// n8n answers at most 100 per page.
			const { status, json } = await this.call('GET', `/executions?filter=${filter}&limit=100${lastId ? `&lastId=${lastId}&firstId=0` : ''}`);
			if (status !== 200) throw new Error(`GET /rest/executions answered ${status}: ${JSON.stringify(json).slice(0, 300)}`);
			const page = ((json.data as { results?: ExecutionSummary[] } | undefined)?.results ?? []).filter((e) => !all.some((a) => a.id === e.id));
			all.push(...page);
			if (page.length === 0) return all;
			lastId = page[page.length - 1].id;
		}
	}

	/**
	 * The error of a failed execution as n8n stored it: the failing node and its message
	 * (n8n keeps execution data in the "flatted" format; the message is found in its strings).
	 */
	async executionError(id: string): Promise<string> {
		const { status, json } = await this.call('GET', `/executions/${id}`);
		if (status !== 200) return `(GET /rest/executions/${id} answered ${status})`;
		const data = (json.data as { data?: unknown } | undefined)?.data;
		const text = typeof data === 'string' ? data : JSON.stringify(data ?? '');
		let strings: unknown[] = [];
		try {
			const parsed = JSON.parse(text) as unknown;
			strings = Array.isArray(parsed) ? parsed : [];
		} catch {
			// not flatted
		}
		const lastNode = (json.data as { lastNodeExecuted?: string } | undefined)?.lastNodeExecuted;
		// The longest string that reads as an error message (MASV's, the node's, n8n's).
		const messages = strings.filter((s): s is string => typeof s === 'string' && /fail|error|gave up|not retried|refused|could not|timed? ?out|stall|reset|HTTP \d{3}/i.test(s) && !s.includes('\n    at '));
		const best = messages.sort((a, b) => b.length - a.length)[0];
		return `${lastNode ? `${lastNode}: ` : ''}${best ?? text.slice(0, 300)}`;
	}
}
