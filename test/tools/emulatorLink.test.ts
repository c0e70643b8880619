// The emulator's slow link (tools/emulator/link.ts): latency, connection set-up and the ramp are
// paid as configured, and bytes arrive whole. Only lower bounds are checked (a busy machine can
// only make things slower).
import http from 'node:http';

import { useEmulator } from '../harness/emulator';

const RTT = 40;

function timedRequest(url: string, agent: http.Agent, body?: Buffer): Promise<{ ms: number; status: number; text: string }> {
	return new Promise((resolve, reject) => {
		const started = Date.now();
		const req = http.request(url, { method: body ? 'PUT' : 'GET', agent, headers: body ? { 'Content-Length': body.length } : {} }, (res) => {
			const chunks: Buffer[] = [];
			res.on('data', (chunk: Buffer) => chunks.push(chunk));
			res.on('end', () => resolve({ ms: Date.now() - started, status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString() }));
		});
		req.on('error', reject);
		req.end(body);
	});
}

describe('emulator slow link', () => {
	const emu = useEmulator({ start: { link: { rttMs: RTT } } });

	it('a request on a new connection waits for the set-up and one round trip; a reused one only for the round trip', async () => {
		const agent = new http.Agent({ keepAlive: true });
		try {
			const first = await timedRequest(`${emu.url}/_emulator/state`, agent);
			expect(first.status).toBe(200);
			expect(first.ms).toBeGreaterThanOrEqual(3 * RTT - 5); // two set-up round trips + the request's
			const again = await timedRequest(`${emu.url}/_emulator/state`, agent);
			expect(again.status).toBe(200);
			expect(again.ms).toBeGreaterThanOrEqual(RTT - 5);
			expect(again.ms).toBeLessThan(first.ms);
		} finally {
			agent.destroy();
		}
	});

	it('a new connection ramps up: 2 MiB take the set-up plus a round trip per doubling of the window', async () => {
		const body = Buffer.alloc(2 * 1024 * 1024, 7);
		const agent = new http.Agent();
		try {
			// The admin routes read the whole body before they answer (here: 404).
			const put = await timedRequest(`${emu.url}/_emulator/no-such-route`, agent, body);
			// 14,600 bytes, then 29,200, ...: 2 MiB need 8 windows, so the last bytes leave 7 round trips
			// after the 2 of set-up, and the answer comes one round trip later.
			expect(put.ms).toBeGreaterThanOrEqual((2 + 7 + 1) * RTT - 10);
			expect(put.status).toBeGreaterThanOrEqual(200);
		} finally {
			agent.destroy();
		}
	});
});

describe('emulator slow link: byte order', () => {
	it('delivers every byte in order, even when the clock moves within one turn of the event loop', async () => {
		const { createServer, connect } = await import('node:net');
		const { createHash } = await import('node:crypto');
		const { startLink } = await import('../../tools/emulator/link');
		const size = 4 * 1024 * 1024;
		// A sink that answers with the SHA-256 of the first `size` bytes it receives.
		const sink = createServer((socket) => {
			const hash = createHash('sha256');
			let received = 0;
			socket.on('data', (chunk: Buffer) => {
				hash.update(chunk);
				received += chunk.length;
				if (received === size) socket.end(hash.digest('hex'));
			});
		});
		await new Promise<void>((resolve) => sink.listen(0, '127.0.0.1', resolve));
		const link = await startLink('127.0.0.1', sink.address() as import('node:net').AddressInfo, { rttMs: 200, initialWindowBytes: 0 });
		// Each reading of the clock is a millisecond later than the last: chunks relayed in the same
		// turn of the event loop then get different delays, as on a busy machine.
		const realNow = Date.now.bind(Date);
		let skew = 0;
		const clock = jest.spyOn(Date, 'now').mockImplementation(() => realNow() + skew++);
		try {
			const body = Buffer.alloc(size);
			for (let i = 0; i < body.length; i += 4) body.writeUInt32LE(i, i);
			const expected = createHash('sha256').update(body).digest('hex');
			const received = await Promise.all(
				[1, 2, 3].map(
					() =>
						new Promise<string>((resolve, reject) => {
							const socket = connect(link.port, '127.0.0.1');
							let answer = '';
							socket.on('data', (chunk: Buffer) => (answer += chunk.toString()));
							socket.on('end', () => resolve(answer));
							socket.on('error', reject);
							for (let i = 0; i < body.length; i += 64 * 1024) socket.write(body.subarray(i, i + 64 * 1024));
						}),
				),
			);
			expect(received).toEqual([expected, expected, expected]);
		} finally {
			clock.mockRestore();
			link.close();
			sink.close();
		}
	}, 30_000);
});
