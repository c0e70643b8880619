// The retry policy (nodes/Masv/transport/retry.ts): what is retried, how long it waits, when it stops.
import {
	BACKOFF,
	backoffDelay,
	errorVerdict,
	isTransientStatus,
	networkMessage,
	policyFromOptions,
	retryAfterMs,
	RetryWindow,
	stallTimeout,
} from '../../nodes/Masv/transport/retry';
import { Masv } from '../../nodes/Masv/Masv.node';
import { DEFAULT_MAX_MEMORY, MIB } from '../../nodes/Masv/transfer/parts';
import { DEFAULT_RETRY_WINDOW_MINUTES, DEFAULT_STALL_TIMEOUT_SECONDS } from '../../nodes/Masv/transport/retry';
import { etagMatches } from '../../nodes/Masv/transfer/upload';
import { useRetryTimings } from '../harness/retries';

describe('retry policy', () => {
	useRetryTimings(BACKOFF, {});

	it('transient: 408, 429, 5xx but 501/505, and storage RequestTimeout/SlowDown whatever the status', () => {
		for (const status of [408, 429, 500, 502, 503, 504]) expect(isTransientStatus(status)).toBe(true);
		for (const status of [400, 401, 403, 404, 409, 413, 501, 505]) expect(isTransientStatus(status)).toBe(false);
		expect(isTransientStatus(400, 'RequestTimeout')).toBe(true);
		expect(isTransientStatus(503, 'SlowDown')).toBe(true);
		expect(isTransientStatus(400, 'InvalidArgument')).toBe(false);
	});

	it('network errors are transient; a full disk and size limits are permanent and say which', () => {
		for (const code of ['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'ENOTFOUND', 'EAI_AGAIN', 'EPIPE', 'STALLED']) {
			expect(errorVerdict(Object.assign(new Error('x'), { code })).transient).toBe(true);
		}
		expect(errorVerdict(new Error('socket hang up')).transient).toBe(true);
		const full = errorVerdict(Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' }));
		expect(full).toMatchObject({ transient: false, reason: expect.stringMatching(/no space left on the disk/) });
		const long = errorVerdict(Object.assign(new Error('Cannot create a string longer than 0x1fffffe8 characters'), { code: 'ERR_STRING_TOO_LONG' }));
		expect(long).toMatchObject({ transient: false, reason: expect.stringMatching(/filesystem binary data mode/) });
		expect(errorVerdict(new RangeError('Invalid string length')).transient).toBe(false);
		expect(errorVerdict(new TypeError('x is not a function')).transient).toBe(false);
	});

	it('error codes are put in words (n8n would replace a message that quotes one) and URLs are hidden', () => {
		const text = networkMessage(Object.assign(new Error('connect ECONNREFUSED https://bucket.example/key?X-Amz-Signature=s'), { code: 'ECONNREFUSED' }));
		expect(text).not.toMatch(/ECONNREFUSED|Signature/);
		expect(text).toMatch(/connection refused/);
	});

	it('full jitter: waits spread from 0 up to a ceiling that doubles and is capped', () => {
		Object.assign(BACKOFF, { baseDelayMs: 1000, maxDelayMs: 20_000, jitter: () => 1 });
		expect([1, 2, 3, 4, 5, 6, 7].map(backoffDelay)).toEqual([1000, 2000, 4000, 8000, 16_000, 20_000, 20_000]);
		BACKOFF.jitter = () => 0;
		expect(backoffDelay(5)).toBe(0);
	});

	it('Retry-After in seconds or as a date; a wait beyond the window ends the retries', () => {
		expect(retryAfterMs({ 'retry-after': '3' })).toBe(3000);
		expect(retryAfterMs({ 'Retry-After': new Date(Date.now() + 10_000).toUTCString() })).toBeGreaterThan(8000);
		const window = new RetryWindow({ windowMs: 5000, stallMs: 1000 });
		expect(window.nextDelay({ transient: true, reason: 'HTTP 503', retryAfterMs: 2000 })).toBe(2000);
		expect(window.nextDelay({ transient: true, reason: 'HTTP 503', retryAfterMs: 60_000 })).toBeUndefined();
		expect(window.summary()).toMatch(/Retry-After 60 s is beyond the retry window/);
	});

	it('a window is time: retries until it has passed since the first failure; a permanent failure gets none', async () => {
		Object.assign(BACKOFF, { baseDelayMs: 20, maxDelayMs: 40 });
		const window = new RetryWindow({ windowMs: 300, stallMs: 1000 });
		const startedAt = Date.now();
		while (await window.failed({ transient: true, reason: 'HTTP 500' })) {
			// retried
		}
		expect(Date.now() - startedAt).toBeGreaterThanOrEqual(290);
		expect(window.attempts).toBeGreaterThan(5);
		expect(window.summary()).toMatch(/HTTP 500; gave up after \d+ tries in 0 s \(retry window 0 s\)/);
		const permanent = new RetryWindow({ windowMs: 300, stallMs: 1000 });
		expect(await permanent.failed({ transient: false, reason: 'HTTP 400' })).toBe(false);
		expect(permanent.summary()).toBe('HTTP 400; this failure is not retried');
	});

	it("a deadline: a wait that would reach it gives up at once, and a request's stall timeout is cut to the time left", () => {
		BACKOFF.jitter = () => 1;
		const now = Date.now();
		const window = new RetryWindow({ windowMs: 60_000, stallMs: 60_000, deadline: now + 1500 });
		expect(window.nextDelay({ transient: true, reason: 'HTTP 502' })).toBe(1000);
		expect(window.deadlineReached).toBe(false);
		window.attempts = 2;
		// The next wait (2 s) would end past the deadline, although the window has 60 s left.
		expect(window.nextDelay({ transient: true, reason: 'HTTP 502' })).toBeUndefined();
		expect(window.deadlineReached).toBe(true);
		// So would a server's Retry-After.
		const asked = new RetryWindow({ windowMs: 60_000, stallMs: 60_000, deadline: now + 1500 });
		expect(asked.nextDelay({ transient: true, reason: 'HTTP 429', retryAfterMs: 3000 })).toBeUndefined();
		expect(asked.deadlineReached).toBe(true);

		const strict = { windowMs: 60_000, stallMs: 60_000, strictDeadline: true };
		expect(stallTimeout({ ...strict, deadline: Date.now() + 5000 })).toBeLessThanOrEqual(5000);
		expect(stallTimeout({ ...strict, deadline: Date.now() + 5000 })).toBeGreaterThan(4000);
		expect(stallTimeout({ ...strict, stallMs: 2000, deadline: Date.now() + 5000 })).toBe(2000);
		// Never 0, which n8n's helpers read as no timeout at all.
		expect(stallTimeout({ ...strict, deadline: Date.now() - 10 })).toBe(1);
		// A deadline that n8n does not enforce leaves a request its whole stall timeout.
		expect(stallTimeout({ windowMs: 60_000, stallMs: 60_000, deadline: Date.now() + 5000 })).toBe(60_000);
		expect(new RetryWindow({ windowMs: 60_000, stallMs: 60_000, deadline: Date.now() - 10 }).outOfTime()).toBe(true);
		// Without a deadline nothing changes.
		expect(stallTimeout({ windowMs: 60_000, stallMs: 60_000 })).toBe(60_000);
		const plain = new RetryWindow({ windowMs: 60_000, stallMs: 60_000 });
		plain.attempts = 2;
		expect(plain.nextDelay({ transient: true, reason: 'HTTP 502' })).toBe(2000);
		expect(plain.outOfTime()).toBe(false);
	});

	it('options: minutes and seconds, defaults when unset', () => {
		expect(policyFromOptions({})).toEqual({ windowMs: 5 * 60_000, stallMs: 60_000 });
		expect(policyFromOptions({ retryWindowMinutes: 30, stallTimeoutSeconds: 120 })).toEqual({ windowMs: 30 * 60_000, stallMs: 120_000 });
		expect(policyFromOptions({ retryWindowMinutes: 0 })).toMatchObject({ windowMs: 0 });
	});

	it("the options' defaults in the node's description are the engine's defaults", () => {
		const defaults: Record<string, unknown> = {};
		const walk = (properties: Array<{ name: string; default?: unknown; options?: unknown[] }>) => {
			for (const property of properties) {
				if (['retryWindowMinutes', 'stallTimeoutSeconds', 'maxMemoryMiB'].includes(property.name)) {
					defaults[property.name] = property.default;
				}
				if (Array.isArray(property.options)) walk(property.options as typeof properties);
			}
		};
		walk(new Masv().description.properties as Parameters<typeof walk>[0]);
		expect(defaults).toEqual({
			retryWindowMinutes: DEFAULT_RETRY_WINDOW_MINUTES,
			stallTimeoutSeconds: DEFAULT_STALL_TIMEOUT_SECONDS,
			maxMemoryMiB: DEFAULT_MAX_MEMORY / MIB,
		});
	});

	it('routed operations time out after the stall timeout too (requestDefaults)', () => {
		expect(new Masv().description.requestDefaults?.timeout).toBe(DEFAULT_STALL_TIMEOUT_SECONDS * 1000);
	});

	it("a part's ETag is checked against its MD5 where it is one", () => {
		const md5 = '0123456789abcdef0123456789abcdef';
		expect(etagMatches(`"${md5}"`, md5)).toBe(true);
		expect(etagMatches('"ffffffffffffffffffffffffffffffff"', md5)).toBe(false);
		// KMS-encrypted buckets and other stores answer ETags that are not an MD5: not checkable.
		expect(etagMatches('"abc-3"', md5)).toBe(true);
	});
});
