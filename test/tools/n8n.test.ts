// The e2e run waits for a real n8n to be ready before it sets up the owner and opens the editor.
// n8n listens before its database is migrated and meanwhile answers every request with 200 and
// "n8n is starting up. Please wait"; a wait that took any 200 for ready once let the owner set-up
// run into a 404 in CI. A fake server plays those start-up phases here.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

import { majorVersion, n8nEnv, type N8nConfig, untilRestReady } from '../../tools/n8n/n8n';

type Phase = { status: number; type: string; body: string };

const STARTING: Phase = { status: 200, type: 'text/html', body: 'n8n is starting up. Please wait' };
const NO_ROUTES: Phase = { status: 404, type: 'text/html', body: '<!DOCTYPE html><pre>Cannot GET /rest/settings</pre>' };
const READY: Phase = { status: 200, type: 'application/json', body: '{"data":{"settingsMode":"public"}}' };

async function fakeN8n(phases: Phase[]): Promise<{ url: string; requests: string[]; close: () => Promise<void> }> {
	const requests: string[] = [];
	const server = http.createServer((req, res) => {
		const phase = phases[Math.min(requests.length, phases.length - 1)];
		requests.push(`${req.method} ${req.url} -> ${phase.status} ${phase.type}`);
		res.writeHead(phase.status, { 'Content-Type': phase.type }).end(phase.body);
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as AddressInfo;
	return {
		url: `http://127.0.0.1:${port}`,
		requests,
		close: () => new Promise<void>((resolve) => server.close(() => resolve())),
	};
}

describe('waiting for a starting n8n (tools/n8n/n8n.ts untilRestReady)', () => {
	it('is not ready while n8n migrates or has no REST routes yet, only on the settings as JSON', async () => {
		const n8n = await fakeN8n([STARTING, STARTING, NO_ROUTES, NO_ROUTES, READY]);
		try {
			await expect(untilRestReady(n8n.url, { timeoutMs: 10_000, intervalMs: 5 })).resolves.toBe('ready');
			expect(n8n.requests).toEqual([
				'GET /rest/settings -> 200 text/html',
				'GET /rest/settings -> 200 text/html',
				'GET /rest/settings -> 404 text/html',
				'GET /rest/settings -> 404 text/html',
				'GET /rest/settings -> 200 application/json',
			]);
		} finally {
			await n8n.close();
		}
	});

	it('gives up when n8n exits, and after the timeout when it never gets ready', async () => {
		const n8n = await fakeN8n([STARTING]);
		try {
			let polls = 0;
			const exited = () => ++polls > 3;
			await expect(untilRestReady(n8n.url, { timeoutMs: 10_000, intervalMs: 5, exited })).resolves.toBe('exited');
			expect(n8n.requests).toHaveLength(3);

			const started = Date.now();
			await expect(untilRestReady(n8n.url, { timeoutMs: 200, intervalMs: 20 })).resolves.toBe('timeout');
			expect(Date.now() - started).toBeGreaterThanOrEqual(200);
		} finally {
			await n8n.close();
		}
	});
});

describe("n8n's environment (tools/n8n/n8n.ts n8nEnv): the webhook base URL", () => {
	const config = (version: string): N8nConfig => ({
		version,
		dir: '/n8n',
		userFolder: '/user',
		extensions: '/ext',
		port: 5679,
		brokerPort: 5680,
		encryptionKey: 'key',
		filesDir: '/files',
		logFile: '/log',
	});

	it('n8n 2.x: N8N_WEBHOOK_URL only (2.x logs WEBHOOK_URL as deprecated at start-up)', () => {
		const env = n8nEnv(config('2.40.7'));
		expect(env.N8N_WEBHOOK_URL).toBe('http://localhost:5679/');
		expect(env).not.toHaveProperty('WEBHOOK_URL');
	});

	it('n8n 1.x: WEBHOOK_URL too, the only name 1.x reads', () => {
		const env = n8nEnv(config('1.123.81'));
		expect([env.N8N_WEBHOOK_URL, env.WEBHOOK_URL]).toEqual(['http://localhost:5679/', 'http://localhost:5679/']);
	});

	it('majorVersion refuses what is not a version', () => {
		expect(majorVersion('10.0.1')).toBe(10);
		expect(() => majorVersion('latest')).toThrow('not an n8n version: latest');
	});
});
