// A slow link in front of a server, for benchmarks: a TCP relay that adds what a real network costs
// and loopback does not.
// * Round-trip latency: every byte reaches the other side half a round trip later, both ways.
// * Connection set-up: a new connection carries nothing for `handshakeRtts` round trips (TCP's
//   handshake is one, TLS 1.3 one more, TLS 1.2 two more).
// * A per-connection ramp like TCP slow start: in each direction a connection may send
//   `initialWindowBytes` in its first round trip, and twice as much in each round trip after one it
//   filled, without limit (no loss). A connection that is reused keeps its window, as TCP does; one
//   idle for longer than `idleResetMs` starts again from the initial window (slow-start restart).
// A client that reuses connections pays the set-up and the ramp once per connection; one that opens
// a connection per request pays them on every request.
import { createServer, connect, type AddressInfo, type Server, type Socket } from 'node:net';

export interface LinkOptions {
	/** Round-trip time added to the connection, in ms. */
	rttMs: number;
	/** Round trips a new connection waits before its first byte (default 2: TCP + TLS 1.3). */
	handshakeRtts?: number;
	/** Bytes a connection may send in its first round trip (default 10 segments of 1460 bytes); 0 turns the ramp off. */
	initialWindowBytes?: number;
	/** Idle time after which a connection's window starts again from the initial one (default 1000 ms). */
	idleResetMs?: number;
}

export const DEFAULT_INITIAL_WINDOW = 10 * 1460;

/** Bytes held in one direction before the sender is paused (the relay's own buffer). */
const MAX_QUEUED = 32 * 1024 * 1024;

/** One direction of a relayed connection: delay, window and pacing. */
class Direction {
	private window: number;
	private sentInWindow = 0;
	private windowStart = 0;
	private lastActivity = 0;
	private lastDelivery = 0;
	/** Bytes on their way (sent into the delay, not yet delivered). */
	private queued = 0;
	/** Bytes received but not yet sent: beyond the window, they wait for the next round trip. */
	private readonly held: Buffer[] = [];
	private waiting = false;
	private ended = false;
	private endSent = false;

	constructor(
		private readonly from: Socket,
		private readonly to: Socket,
		private readonly options: Required<LinkOptions>,
		private readonly openedAt: number,
	) {
		this.window = options.initialWindowBytes;
		from.on('data', (chunk: Buffer) => {
			this.held.push(chunk);
			this.pump();
		});
		from.on('end', () => {
			this.ended = true;
			this.pump();
		});
	}

	/** Sends what the window allows, in order; pauses the sender while anything waits. */
	private pump(): void {
		const { initialWindowBytes, idleResetMs } = this.options;
		const ramp = initialWindowBytes > 0;
		while (this.held.length > 0 && !this.waiting) {
			const now = Date.now();
			if (ramp) {
				if (this.lastActivity && now - this.lastActivity > idleResetMs) {
					this.window = initialWindowBytes;
					this.sentInWindow = 0;
					this.windowStart = now;
				}
				if (!this.windowStart) this.windowStart = Math.max(now, this.openedAt);
			}
			this.lastActivity = now;
			let chunk = this.held[0];
			const room = this.window - this.sentInWindow;
			if (ramp && chunk.length > room) {
				this.held[0] = chunk.subarray(room);
				chunk = chunk.subarray(0, room);
			} else {
				this.held.shift();
			}
			this.send(chunk);
			if (ramp) {
				this.sentInWindow += chunk.length;
				if (this.sentInWindow >= this.window) this.waitForNextWindow();
			}
		}
		if (this.ended && this.held.length === 0 && !this.endSent) {
			this.endSent = true;
			this.after(() => this.to.end());
		}
		if (this.held.length > 0 || this.queued > MAX_QUEUED) this.from.pause();
		else if (!this.from.destroyed) this.from.resume();
	}

	/** The window is full: nothing more until the next round trip, which may send twice as much. */
	private waitForNextWindow(): void {
		this.waiting = true;
		const next = this.windowStart + this.options.rttMs;
		setTimeout(
			() => {
				this.waiting = false;
				this.windowStart = Math.max(Date.now(), next);
				this.sentInWindow = 0;
				this.window *= 2;
				this.pump();
			},
			Math.max(0, next - Date.now()),
		);
	}

	private send(chunk: Buffer): void {
		this.queued += chunk.length;
		this.after(() => {
			this.queued -= chunk.length;
			if (!this.to.destroyed) this.to.write(chunk);
			this.pump();
		});
	}

	/**
	 * Runs `action` half a round trip after it is sent (not before the connection is set up), in order.
	 * One timer drains a queue in order: a timer per action could run them out of order (two timers
	 * set up in the same turn of the event loop with different delays for the same due time fire
	 * shortest delay first), and reordered chunks are corrupted bytes.
	 */
	private after(action: () => void): void {
		const at = Math.max(Math.max(Date.now(), this.openedAt) + this.options.rttMs / 2, this.lastDelivery);
		this.lastDelivery = at;
		this.due.push({ at, action });
		this.schedule();
	}

	private readonly due: Array<{ at: number; action: () => void }> = [];
	private timer: ReturnType<typeof setTimeout> | undefined;

	private schedule(): void {
		if (this.timer || this.due.length === 0) return;
		this.timer = setTimeout(() => {
			this.timer = undefined;
			try {
				while (this.due.length > 0 && this.due[0].at <= Date.now()) (this.due.shift() as { action: () => void }).action();
			} finally {
				this.schedule();
			}
		}, Math.max(0, this.due[0].at - Date.now()));
	}
}

/** Listens on `host` (a free port) and relays every connection to `target` through a slow link. */
export async function startLink(
	host: string,
	target: AddressInfo,
	link: LinkOptions,
): Promise<{ server: Server; port: number; close: () => void }> {
	const options: Required<LinkOptions> = {
		handshakeRtts: 2,
		initialWindowBytes: DEFAULT_INITIAL_WINDOW,
		idleResetMs: 1000,
		...link,
	};
	const sockets = new Set<Socket>();
	const server = createServer((client) => {
		const upstream = connect(target.port, target.address);
		for (const socket of [client, upstream]) {
			sockets.add(socket);
			socket.setNoDelay(true);
			// A failed side ends both at once; a side that closes normally has ended its direction,
			// which passes the end on after the bytes still on their way (Direction).
			socket.on('error', () => {
				client.destroy();
				upstream.destroy();
			});
			socket.on('close', () => sockets.delete(socket));
		}
		// The handshake: the first bytes go out after the set-up round trips.
		const openedAt = Date.now() + options.handshakeRtts * options.rttMs;
		new Direction(client, upstream, options, openedAt);
		new Direction(upstream, client, options, openedAt);
	});
	const port = await new Promise<number>((resolve, reject) => {
		server.once('error', reject);
		server.listen(0, host, () => resolve((server.address() as AddressInfo).port));
	});
	// Closing ends the relayed connections too (a server's close waits for its connections).
	const close = () => {
		server.close();
		for (const socket of sockets) socket.destroy();
	};
	return { server, port, close };
}
