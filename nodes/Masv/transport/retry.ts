// The one retry policy of the package: every loop that repeats a network call (MASV API calls, the
// storage requests of uploads and downloads, finalize, trigger polls and pickers) asks this module
// whether a failure is worth another try and how long to wait. See docs/reliability.md.
//
// * Retries are bounded by time, not by count: a call keeps retrying transient failures until its
//   retry window (counted from its first failure) has passed.
// * Waits grow exponentially up to a cap, with full jitter (a uniform random wait between zero and
//   the ceiling), so that many parts failing together do not come back together.
// * `Retry-After` is honoured wherever it is sent (MASV and storage alike); a server that asks for a
//   longer wait than the window has left ends the retries at once.
// * Failures that cannot heal (a refusal, a full disk, one of n8n's size limits) are never retried.
import { sleep } from 'n8n-workflow';
import type { IDataObject } from 'n8n-workflow';

/** How one call or part is retried. */
export interface RetryPolicy {
	/** How long transient failures of one call or part are retried, from its first failure. */
	windowMs: number;
	/** No bytes moving for this long fails the request (it then counts as a transient failure). */
	stallMs: number;
	/**
	 * When the run that makes the call should be done (epoch ms); only trigger polls set one
	 * (`pollPolicy`). Every call of the run shares it: no wait for a retry ends past it (a wait
	 * that would cross it gives up at once).
	 */
	deadline?: number;
	/**
	 * Whether n8n abandons the run at the deadline (its durable scheduler's poll timeout): then no
	 * try starts after it and a request is cut at the time left. Otherwise calls that MASV answers
	 * go on past it, so that a long poll of a healthy MASV (a catch-up with metadata) completes.
	 */
	strictDeadline?: boolean;
}

/** The backoff curve. Exported so that tests can shorten it; the docs quote these numbers. */
export const BACKOFF = {
	/** Ceiling of the first wait; it doubles with every further try. */
	baseDelayMs: 1000,
	/** The ceiling stops growing here (the AWS SDK's cap). */
	maxDelayMs: 20_000,
	/** The jitter: a uniform random fraction of the ceiling. */
	jitter: () => Math.random(),
};

/** Defaults of the transfer options `retryWindowMinutes` and `stallTimeoutSeconds`. */
export const DEFAULT_RETRY_WINDOW_MINUTES = 5;
export const DEFAULT_STALL_TIMEOUT_SECONDS = 60;

/** The policy of calls made without transfer options (operations, trigger polls). */
export const DEFAULT_POLICY: RetryPolicy = {
	windowMs: DEFAULT_RETRY_WINDOW_MINUTES * 60_000,
	stallMs: DEFAULT_STALL_TIMEOUT_SECONDS * 1000,
};

/** Cleaning up after a failed upload: quick, and also after the execution was cancelled. */
export const CLEANUP_POLICY: RetryPolicy = { windowMs: 10_000, stallMs: 5_000 };

/** Trigger polls: the next poll comes soon, so a poll retries for a minute at most (and see `pollPolicy`). */
export const POLL_POLICY: RetryPolicy = { windowMs: 60_000, stallMs: 60_000 };

/**
 * How long one poll may take, all its calls together. n8n 2.40.7 abandons a poll after
 * `scheduler.pollTimeoutSeconds` (45 s, `N8N_SCHEDULER_POLL_TIMEOUT`, in `@n8n/config`) where its
 * durable scheduler runs polls, and tells the node its share through `getPollBudgetMs()` (the
 * timeout less a margin: 36 s); its default scheduler and n8n 1.x abandon nothing but start the
 * next poll after a minute at the soonest, and a poll still running then shares (and loses) the
 * workflow's expression isolate ("No bridge acquired"). So a poll ends by the smaller of n8n's
 * budget and 40 s: within 45 s with 5 s for n8n's own work, and well before the next minute.
 * Exported so that tests can shorten it. See docs/reliability.md, "Trigger polls: one deadline".
 */
export const POLL_DEADLINE = { maxMs: 40_000 };

/** The policy of every call of one poll started at `startedAt`, given n8n's poll budget where it tells one. */
export function pollPolicy(startedAt: number, budgetMs?: number): RetryPolicy {
	const budget = budgetMs !== undefined && Number.isFinite(budgetMs) && budgetMs > 0 ? budgetMs : Infinity;
	// Strict only where n8n's budget is the tighter bound: n8n then abandons the poll at it anyway.
	return { ...POLL_POLICY, deadline: startedAt + Math.min(POLL_DEADLINE.maxMs, budget), strictDeadline: budget <= POLL_DEADLINE.maxMs };
}

/**
 * The stall timeout of a request about to be sent under `policy`: its own, cut to the time left
 * before the policy's deadline (at least 1 ms: to n8n's HTTP helpers a timeout of 0 means none).
 */
export function stallTimeout(policy: RetryPolicy): number {
	if (policy.deadline === undefined || !policy.strictDeadline) return policy.stallMs;
	return Math.max(1, Math.min(policy.stallMs, policy.deadline - Date.now()));
}

/** Pickers and the credential test: someone is waiting in front of a dropdown. */
export const INTERACTIVE_POLICY: RetryPolicy = { windowMs: 20_000, stallMs: 30_000 };

/** The policy the user set in a node's options (`retryWindowMinutes`, `stallTimeoutSeconds`). */
export function policyFromOptions(options: { retryWindowMinutes?: unknown; stallTimeoutSeconds?: unknown }): RetryPolicy {
	const minutes = Number(options.retryWindowMinutes);
	const seconds = Number(options.stallTimeoutSeconds);
	const given = (value: unknown, number: number, min: number) =>
		value !== undefined && value !== null && value !== '' && Number.isFinite(number) && number >= min;
	return {
		windowMs: given(options.retryWindowMinutes, minutes, 0) ? minutes * 60_000 : DEFAULT_POLICY.windowMs,
		stallMs: given(options.stallTimeoutSeconds, seconds, 0.001) ? seconds * 1000 : DEFAULT_POLICY.stallMs,
	};
}

/** What a failure means for the next try. */
export interface Verdict {
	transient: boolean;
	/** The failure in words, for logs and the final error. */
	reason: string;
	/** The server's `Retry-After`, in milliseconds. */
	retryAfterMs?: number;
}

/** Storage (S3) error codes that are transient although some come with a 4xx status. */
const TRANSIENT_STORAGE_CODES = new Set(['RequestTimeout', 'SlowDown', 'InternalError', 'ServiceUnavailable', 'RequestTimeTooSkewed']);

/**
 * Whether an HTTP status (with S3's error `<Code>`, where storage sent one) is worth another try:
 * 408, 429 and 5xx, and storage's `RequestTimeout` / `SlowDown` whatever their status. 501 and 505
 * say that the server will never do it.
 */
export function isTransientStatus(status: number, storageCode?: string): boolean {
	if (storageCode && TRANSIENT_STORAGE_CODES.has(storageCode)) return true;
	if (status === 408 || status === 429) return true;
	return status >= 500 && status !== 501 && status !== 505;
}

/** A failed HTTP answer, judged. */
export function statusVerdict(status: number, headers?: IDataObject | Record<string, unknown>, storageCode?: string, text?: string): Verdict {
	const transient = isTransientStatus(status, storageCode);
	const detail = text ? ` (${text})` : '';
	return {
		transient,
		reason: `HTTP ${status}${detail}`,
		retryAfterMs: retryAfterMs(headers),
	};
}

/** Network error codes after which the same request can succeed (connection trouble, DNS, timeouts). */
const TRANSIENT_CODES = new Set([
	'ECONNRESET',
	'ECONNREFUSED',
	'ECONNABORTED',
	'ETIMEDOUT',
	'ESOCKETTIMEDOUT',
	'EPIPE',
	'ENOTFOUND',
	'EAI_AGAIN',
	'ENETUNREACH',
	'ENETDOWN',
	'EHOSTUNREACH',
	'EHOSTDOWN',
	'ERR_SOCKET_CONNECTION_TIMEOUT',
	'UND_ERR_SOCKET',
	'UND_ERR_CONNECT_TIMEOUT',
	'ERR_STREAM_PREMATURE_CLOSE',
	'STALLED',
]);

/** Local failures that no retry can heal: the disk, the file system, n8n's and Node's size limits. */
const PERMANENT_CODES: Record<string, string> = {
	ENOSPC: 'no space left on the disk that holds n8n binary data',
	EDQUOT: 'the disk quota of n8n binary data is exhausted',
	EROFS: 'n8n binary data is on a read-only file system',
	EACCES: 'n8n may not write its binary data folder (permission denied)',
	EFBIG: 'the file is larger than the file system allows',
	ERR_STRING_TOO_LONG: "the file is larger than n8n can hold in memory (binary data mode 'default'); use the filesystem binary data mode",
	ERR_BUFFER_TOO_LARGE: 'the file is larger than Node.js can hold in one buffer',
	ERR_OUT_OF_RANGE: 'the file is larger than Node.js can hold in one buffer',
};

/** Messages of n8n's and Node's size limits, which come without an error code. */
const PERMANENT_MESSAGES: Array<[RegExp, string]> = [
	[/string longer than|invalid string length/i, PERMANENT_CODES.ERR_STRING_TOO_LONG],
	[/array buffer allocation failed|buffer.*too large/i, PERMANENT_CODES.ERR_BUFFER_TOO_LARGE],
	[/exceeds.*(maximum|limit).*size|file size.*(limit|exceed)|too large/i, "the file exceeds n8n's binary data size limit"],
];

/**
 * An error without an HTTP answer, judged: connection failures and timeouts are transient; a full
 * disk and size limits are permanent, and their reason says which. Anything else unknown is
 * permanent, so that a bug is reported at once instead of retried for minutes.
 */
export function errorVerdict(error: unknown): Verdict {
	const { code, message, name } = (error ?? {}) as { code?: string; message?: string; name?: string };
	const text = networkMessage(error);
	if (code && PERMANENT_CODES[code]) return { transient: false, reason: `${PERMANENT_CODES[code]} (${CODE_WORDS[code] ? 'error' : code})` };
	for (const [pattern, reason] of PERMANENT_MESSAGES) {
		if (pattern.test(message ?? '')) return { transient: false, reason: `${reason} (${text})` };
	}
	if (code && TRANSIENT_CODES.has(code)) return { transient: true, reason: text };
	if (name === 'RangeError') return { transient: false, reason: text };
	// Errors that name no code but describe a broken connection (axios, Node's http client).
	if (/socket hang up|network|timeout|timed out|aborted|closed|reset|terminated|stalled/i.test(message ?? '')) {
		return { transient: true, reason: text };
	}
	return { transient: false, reason: text };
}

/**
 * Error codes in words. n8n replaces the message of a node error that mentions one of these codes
 * with a generic sentence of its own, which would hide what the node knows; so they are never
 * quoted as codes.
 */
const CODE_WORDS: Record<string, string> = {
	ECONNREFUSED: 'connection refused',
	ECONNRESET: 'connection reset',
	ENOTFOUND: 'host name not found (DNS)',
	ETIMEDOUT: 'timed out',
	ECONNABORTED: 'connection aborted',
	EHOSTUNREACH: 'host unreachable',
	EAI_AGAIN: 'DNS lookup failed',
	EACCES: 'permission denied',
	EADDRNOTAVAIL: 'address not available',
	ENOENT: 'no such file',
	EPERM: 'operation not permitted',
	GETADDRINFO: 'DNS lookup failed',
};

/**
 * A failed request without an HTTP answer, in words; never repeats a URL (pre-signed URLs carry
 * signatures).
 */
export function networkMessage(error: unknown): string {
	const { code, message } = (error ?? {}) as { code?: string; message?: string };
	const words = (text: string) => text.replace(/\b[A-Z][A-Z_]{3,}\b/g, (token) => CODE_WORDS[token] ?? token);
	const parts = [code ? words(code) : undefined, message ? words(message) : undefined].filter(Boolean) as string[];
	const text = [...new Set(parts)].join(': ') || 'network error';
	return text.replace(/https?:\/\/\S+/g, '<URL>');
}

/** `Retry-After` in seconds or as an HTTP date, in milliseconds. */
export function retryAfterMs(headers: IDataObject | Record<string, unknown> | undefined): number | undefined {
	const raw = headers?.['retry-after'] ?? headers?.['Retry-After'];
	if (raw === undefined || raw === null || raw === '') return undefined;
	const value = Array.isArray(raw) ? raw[0] : raw;
	const seconds = Number(value);
	if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
	const date = Date.parse(String(value));
	return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

/** The wait before try `attempt + 1`: full jitter under a ceiling that doubles up to the cap. */
export function backoffDelay(attempt: number): number {
	const ceiling = Math.min(BACKOFF.maxDelayMs, BACKOFF.baseDelayMs * 2 ** Math.max(0, attempt - 1));
	return Math.round(BACKOFF.jitter() * ceiling);
}

/** Thrown when the execution is cancelled during a call or a wait. */
export class CancelledError extends Error {
	constructor() {
		super('The execution was cancelled');
		this.name = 'CancelledError';
	}
}

/** Thrown by `guard` when a request showed no progress for the stall timeout. */
export class StallError extends Error {
	readonly code = 'STALLED';

	constructor(ms: number) {
		super(`no answer and no bytes moving for ${Math.round(ms / 1000)} s (stall timeout)`);
		this.name = 'StallError';
	}
}

/**
 * The retry window of one call or part. `failed()` records a failure and waits before the next try;
 * it returns false, without waiting, when the failure is permanent or the window is spent.
 */
export class RetryWindow {
	private firstFailureAt?: number;
	attempts = 1;
	/** The last failure, for the final error. */
	last?: Verdict;
	/** Whether the policy's deadline ended the retries (or left no time for a try). */
	deadlineReached = false;

	constructor(
		readonly policy: RetryPolicy,
		private readonly signal?: AbortSignal,
	) {}

	/** Seconds since the first failure, for messages. */
	get elapsedSeconds(): number {
		return this.firstFailureAt === undefined ? 0 : Math.round((Date.now() - this.firstFailureAt) / 1000);
	}

	/** How the retries ended, for an error message: "after 7 tries in 301 s" or "not retried". */
	summary(): string {
		if (this.last && !this.last.transient) return `${this.last.reason}; this failure is not retried`;
		return `${this.last?.reason ?? 'failed'}; gave up after ${this.attempts} tries in ${this.elapsedSeconds} s (retry window ${Math.round(this.policy.windowMs / 1000)} s)`;
	}

	/** How the retries of a failure MASV answered ended, for the error's description. */
	givenUp(): string {
		if (this.last?.reason.includes('beyond the retry window')) {
			return `MASV asked for a longer wait than the retry window allows (${this.last.reason}), so the node did not wait.`;
		}
		return `The node retried for ${this.elapsedSeconds} s (${this.attempts} tries) and gave up.`;
	}

	/** The wait before the next try, or undefined when there is none. */
	nextDelay(verdict: Verdict): number | undefined {
		this.last = verdict;
		if (!verdict.transient) return undefined;
		const now = Date.now();
		this.firstFailureAt ??= now;
		const left = this.firstFailureAt + this.policy.windowMs - now;
		if (left <= 0) return undefined;
		let delay: number;
		if (verdict.retryAfterMs !== undefined) {
			// The server said when: sooner is pointless, and later than the window is giving up.
			if (verdict.retryAfterMs > left) {
				verdict.reason = `${verdict.reason}, Retry-After ${Math.round(verdict.retryAfterMs / 1000)} s is beyond the retry window`;
				return undefined;
			}
			delay = verdict.retryAfterMs;
		} else {
			delay = Math.min(backoffDelay(this.attempts), left);
		}
		// A try after the deadline has no time left: a wait that would reach it gives up now.
		if (this.policy.deadline !== undefined && now + delay >= this.policy.deadline) {
			this.deadlineReached = true;
			return undefined;
		}
		return delay;
	}

	/** Whether the policy's deadline leaves no time for another try (and marks it reached). */
	outOfTime(): boolean {
		if (this.policy.deadline !== undefined && Date.now() >= this.policy.deadline) this.deadlineReached = true;
		return this.deadlineReached;
	}

	/** Records a failure; waits and returns true when another try is due. */
	async failed(verdict: Verdict): Promise<boolean> {
		const delay = this.nextDelay(verdict);
		if (delay === undefined) return false;
		await this.pause(delay);
		return true;
	}

	/** Waits `delay` (from `nextDelay`) before the next try; throws `CancelledError` on cancel. */
	async pause(delay: number): Promise<void> {
		await pauseUnlessAborted(delay, this.signal);
		this.attempts++;
	}
}

/** `sleep` from n8n-workflow in short slices; throws `CancelledError` as soon as `signal` aborts. */
export async function pauseUnlessAborted(ms: number, signal?: AbortSignal): Promise<void> {
	const until = Date.now() + ms;
	for (let left = ms; left > 0; left = until - Date.now()) {
		if (signal?.aborted) throw new CancelledError();
		await sleep(Math.min(left, 100));
	}
	if (signal?.aborted) throw new CancelledError();
}

/** One step of a watchdog's loop (a quarter second). */
export async function pauseSlice(): Promise<void> {
	await sleep(250);
}

/**
 * Runs one request so that it always ends: as soon as `cancel` aborts (with `CancelledError`), and
 * when `stallMs` pass without `progress()` being called (with `StallError`; a function is asked
 * again as the wait goes on). Either way `abort` is
 * aborted, which n8n's HTTP helpers pass on to the connection. The returned promise does not wait
 * for a helper that ignores its abort signal: the execution moves on.
 */
export async function guard<T>(
	run: (abort: AbortSignal, progress: () => void) => Promise<T>,
	options: { cancel?: AbortSignal; stallMs?: number | (() => number) },
): Promise<T> {
	const { cancel, stallMs } = options;
	if (cancel?.aborted) throw new CancelledError();
	const controller = new AbortController();
	let lastProgress = Date.now();
	let settled = false;
	let stop: ((error: Error) => void) | undefined;
	const stopped = new Promise<never>((_, reject) => (stop = reject));
	stopped.catch(() => undefined);
	const onCancel = () => {
		controller.abort();
		stop?.(new CancelledError());
	};
	const stopListening = whenAborted(cancel, onCancel);
	const watch = async () => {
		while (!settled) {
			await pauseSlice();
			if (settled) return;
			const limit = typeof stallMs === 'function' ? stallMs() : stallMs;
			if (limit !== undefined && Date.now() - lastProgress > limit) {
				const error = new StallError(limit);
				controller.abort();
				stop?.(error);
				return;
			}
		}
	};
	const request = run(controller.signal, () => (lastProgress = Date.now()));
	request.catch(() => undefined);
	if (stallMs !== undefined) void watch();
	try {
		return await Promise.race([request, stopped]);
	} finally {
		settled = true;
		stopListening();
	}
}

/** The callbacks waiting for each signal's abort, behind one listener per signal. */
const waiting = new WeakMap<AbortSignal, Set<() => void>>();

/**
 * Calls `callback` once when `signal` aborts; returns a function that stops waiting. Every waiter of
 * one signal shares a single listener on it: many parts in flight would otherwise add one listener
 * each to the execution's cancel signal, and Node warns past ten (MaxListenersExceededWarning).
 */
export function whenAborted(signal: AbortSignal | undefined, callback: () => void): () => void {
	if (!signal) return () => undefined;
	let callbacks = waiting.get(signal);
	if (!callbacks) {
		const set = new Set<() => void>();
		callbacks = set;
		waiting.set(signal, set);
		signal.addEventListener(
			'abort',
			() => {
				waiting.delete(signal);
				for (const waiter of [...set]) waiter();
			},
			{ once: true },
		);
	}
	const entry = () => callback();
	callbacks.add(entry);
	return () => {
		callbacks.delete(entry);
	};
}
