// Fault injection: the next N matching requests fail in a chosen way. Faults are consumed as they
// fire; each keeps a `fired` count so tests can check what happened.
import { ApiError } from './util';

export type FaultTarget = 'api' | 'storage';
export type FaultType =
	/** answer `status` (default 500; 'api' → JSON error, 'storage' → S3 XML error) */
	| 'status'
	/** answer 429 with `Retry-After: retryAfter` (seconds, default 1) */
	| 'rateLimit'
	/** destroy the socket mid-request (storage PUT: after `afterBytes` of the body arrived; storage GET: after `afterBytes` of the body was sent, default half) */
	| 'reset'
	/** storage: 403 AccessDenied "Request has expired" (an expired pre-signed URL) */
	| 'expired'
	/** wait `delayMs`, then answer normally */
	| 'delay'
	/** never answer (the socket stays open until the client gives up or the emulator closes); storage PUT/POST read the body first (accepted, never answered) */
	| 'hang'
	/** close the connection at once, nothing answered (a refused or dropped connection) */
	| 'refuse'
	/** api: carry the request out, then close the connection instead of answering (a lost reply) */
	| 'dropReply'
	/** storage PUT: store the part with its first byte changed (bytes damaged on the way), ETag of what was stored */
	| 'corrupt';

export interface FaultSpec {
	target: FaultTarget;
	type: FaultType;
	/** HTTP method to match; default: any for 'api', PUT for 'storage'; '*' any. */
	method?: string;
	/** Regular expression (source string or RegExp) matched against the URL path. */
	path?: string | RegExp;
	/** storage only: only requests for this part number. */
	partNumber?: number;
	/** How many matching requests fail; default 1; -1 = every one until removed. */
	times?: number;
	status?: number;
	retryAfter?: number;
	delayMs?: number;
	afterBytes?: number;
	message?: string;
	/** storage 'status': the S3 error `<Code>` (default from the status: SlowDown, InternalError, …). */
	code?: string;
	/** Matching requests let through before the fault starts firing. */
	skip?: number;
	/** Once it first fired, the fault fires for this long and is then spent (an outage). */
	forMs?: number;
	/** api 'status' / 'rateLimit': carry the request out first, then answer the fault's status instead (a 5xx after the work was done). */
	carryOut?: boolean;
}

export interface Fault {
	id: string;
	spec: FaultSpec;
	/** How many times it fired so far. */
	fired: number;
	/** Firings left (-1 = unlimited). */
	remaining: number;
	/** Matching requests still to let through (`skip`). */
	skipping: number;
	/** When it first fired (for `forMs`). */
	firstFiredAt?: number;
}

const TYPES: FaultType[] = ['status', 'rateLimit', 'reset', 'expired', 'delay', 'hang', 'refuse', 'dropReply', 'corrupt'];

export class FaultRegistry {
	private faults: Fault[] = [];
	private nextId = 1;
	/** Total firings since the last clear(). */
	totalFired = 0;

	add(spec: FaultSpec): Fault {
		if (!spec || (spec.target !== 'api' && spec.target !== 'storage')) {
			throw new ApiError(400, "fault.target must be 'api' or 'storage'");
		}
		if (!TYPES.includes(spec.type)) throw new ApiError(400, `fault.type must be one of ${TYPES.join(', ')}`);
		if (spec.path !== undefined) {
			try {
				new RegExp(spec.path);
			} catch {
				throw new ApiError(400, 'fault.path must be a valid regular expression');
			}
		}
		const times = spec.times === undefined ? 1 : Math.trunc(spec.times);
		if (times === 0 || times < -1) throw new ApiError(400, 'fault.times must be >= 1 or -1');
		const fault: Fault = { id: `fault-${this.nextId++}`, spec: { ...spec }, fired: 0, remaining: times, skipping: Math.max(0, Math.trunc(spec.skip ?? 0)) };
		this.faults.push(fault);
		return fault;
	}

	list(): Fault[] {
		return [...this.faults];
	}

	get(id: string): Fault | undefined {
		return this.faults.find((f) => f.id === id);
	}

	remove(id: string): boolean {
		const before = this.faults.length;
		this.faults = this.faults.filter((f) => f.id !== id);
		return this.faults.length !== before;
	}

	clear(): void {
		this.faults = [];
		this.totalFired = 0;
	}

	/** Faults still armed. */
	pending(): Fault[] {
		return this.faults.filter((f) => f.remaining !== 0);
	}

	/** Finds the first armed fault matching the request and consumes one firing of it. */
	take(target: FaultTarget, method: string, path: string, partNumber?: number): Fault | undefined {
		if (this.faults.length === 0) return undefined;
		for (const fault of this.faults) {
			if (fault.remaining === 0) continue;
			const spec = fault.spec;
			if (spec.target !== target) continue;
			const wantMethod = (spec.method ?? (target === 'storage' ? 'PUT' : '')).toUpperCase();
			if (wantMethod && wantMethod !== '*' && wantMethod !== method.toUpperCase()) continue;
			if (spec.path !== undefined && !new RegExp(spec.path).test(path)) continue;
			if (spec.partNumber !== undefined && spec.partNumber !== partNumber) continue;
			if (fault.skipping > 0) {
				fault.skipping--;
				continue;
			}
			if (spec.forMs !== undefined) {
				const now = Date.now();
				fault.firstFiredAt ??= now;
				if (now - fault.firstFiredAt > spec.forMs) {
					fault.remaining = 0;
					continue;
				}
			}
			fault.fired++;
			this.totalFired++;
			if (fault.remaining > 0) fault.remaining--;
			return fault;
		}
		return undefined;
	}
}

export function faultToJson(fault: Fault): Record<string, unknown> {
	const spec = { ...fault.spec, path: fault.spec.path instanceof RegExp ? fault.spec.path.source : fault.spec.path };
	return { id: fault.id, ...spec, fired: fault.fired, remaining: fault.remaining };
}
