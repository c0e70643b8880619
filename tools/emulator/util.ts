// Small shared helpers: ids, secrets, time formatting, the API error type.
import { randomBytes, randomInt } from 'node:crypto';

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

let lastUlidTime = 0;
let ulidSeq = 0;

/** 26-character ULID-style id (Crockford base32, uppercase), monotonic within this process (docs/masv-api.md §1). */
export function ulid(nowMs: number = Date.now()): string {
	let time = Math.max(nowMs, lastUlidTime);
	if (time === lastUlidTime) ulidSeq++;
	else ulidSeq = 0;
	lastUlidTime = time;
	let head = '';
	for (let i = 0; i < 10; i++) {
		head = CROCKFORD[time % 32] + head;
		time = Math.floor(time / 32);
	}
	// 16 random characters, but the first two carry a per-millisecond sequence so ids sort by creation.
	const seqPart = CROCKFORD[(ulidSeq >> 5) % 32] + CROCKFORD[ulidSeq % 32];
	let tail = '';
	const bytes = randomBytes(14);
	for (let i = 0; i < 14; i++) tail += CROCKFORD[bytes[i] % 32];
	return head + seqPart + tail;
}

/** Random alphanumeric string (link download secrets are 16 of these, docs/masv-api.md §8.1). */
export function alnum(length: number): string {
	let out = '';
	for (let i = 0; i < length; i++) out += ALNUM[randomInt(ALNUM.length)];
	return out;
}

export function hex(bytes: number): string {
	return randomBytes(bytes).toString('hex');
}

export const ZERO_TIME = '0001-01-01T00:00:00.000Z';

export function iso(ms: number): string {
	return new Date(ms).toISOString();
}

export function base64url(input: Buffer | string): string {
	return Buffer.from(input).toString('base64url');
}

export interface FieldError {
	code: string;
	msg: string;
	type: 'validation_failed';
	/** Emulator addition: the offending field. */
	field?: string;
}

/** An error answered as JSON `{code, message}` (+ `errors[]` for validation failures), docs/masv-api.md §17.2. */
export class ApiError extends Error {
	constructor(
		public readonly status: number,
		message: string,
		public readonly errors?: FieldError[],
		public readonly headers?: Record<string, string>,
	) {
		super(message);
	}
}

export function validationError(field: string, msg: string, code = 'invalid'): ApiError {
	return new ApiError(422, 'validation failed', [{ code, msg, type: 'validation_failed', field }]);
}

export const notFound = (what: string): ApiError => new ApiError(404, `${what} not found`);
export const conflict = (message: string): ApiError => new ApiError(409, message);
export const badRequest = (message: string): ApiError => new ApiError(400, message);
export const forbidden = (message: string): ApiError => new ApiError(403, message);
export const unauthorized = (message = 'unauthorized'): ApiError => new ApiError(401, message);

export function isRecord(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function stripQuotes(etag: string): string {
	return etag.trim().replace(/^W\//, '').replace(/^"+|"+$/g, '');
}

export function sleep(ms: number): Promise<void> {
	return new Promise((resolve) => {
		const timer = setTimeout(resolve, ms);
		timer.unref?.();
	});
}
