// HTTP plumbing shared by the API and storage servers, and body-field validation helpers.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApiError, isRecord, validationError } from './util';

export type Json = Record<string, unknown>;

export function readRawBody(req: IncomingMessage, limit = 64 * 1024 * 1024): Promise<Buffer> {
	return new Promise((resolve, reject) => {
		const chunks: Buffer[] = [];
		let size = 0;
		req.on('data', (chunk: Buffer) => {
			size += chunk.length;
			if (size > limit) {
				reject(new ApiError(413, 'request body too large'));
				req.resume();
				return;
			}
			chunks.push(chunk);
		});
		req.on('end', () => resolve(Buffer.concat(chunks)));
		req.on('error', reject);
	});
}

/** Reads `req` fully and discards it; resolves when the body has ended (or the socket closed). */
export function drain(req: IncomingMessage): Promise<void> {
	return new Promise((resolve) => {
		if (req.readableEnded) return resolve();
		req.on('end', resolve);
		req.on('close', resolve);
		req.on('error', () => resolve());
		req.resume();
	});
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
	if (res.headersSent || res.destroyed) return;
	if (status === 204 || body === undefined) {
		res.writeHead(status, headers);
		res.end();
		return;
	}
	const text = JSON.stringify(body);
	res.writeHead(status, {
		'Content-Type': 'application/json; charset=utf-8',
		'Content-Length': String(Buffer.byteLength(text)),
		...headers,
	});
	res.end(text);
}

export function errorBody(err: ApiError): Json {
	const body: Json = { code: err.status, message: err.message };
	if (err.errors) body.errors = err.errors;
	return body;
}

export function isJsonContentType(req: IncomingMessage): boolean {
	const type = String(req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
	return type === 'application/json';
}

export function header(req: IncomingMessage, name: string): string | undefined {
	const value = req.headers[name.toLowerCase()];
	if (Array.isArray(value)) return value[0];
	return value === undefined || value === '' ? undefined : value;
}

// ---- body field readers (throw 422 validation errors, docs/masv-api.md §17.2) ----

export function asBody(body: unknown): Json {
	if (body === undefined || body === null) return {};
	if (!isRecord(body)) throw validationError('body', 'body must be a JSON object');
	return body;
}

export function optString(body: Json, field: string): string | undefined {
	const value = body[field];
	if (value === undefined || value === null) return undefined;
	if (typeof value !== 'string') throw validationError(field, `${field} must be a string`);
	return value;
}

export function reqString(body: Json, field: string): string {
	const value = optString(body, field);
	if (value === undefined || value.trim() === '') throw validationError(field, `${field} is required`, 'required');
	return value;
}

export function optInt(body: Json, field: string, min = Number.MIN_SAFE_INTEGER): number | undefined {
	const value = body[field];
	if (value === undefined || value === null) return undefined;
	if (typeof value !== 'number' || !Number.isInteger(value)) throw validationError(field, `${field} must be an integer`);
	if (value < min) throw validationError(field, `${field} must be >= ${min}`);
	return value;
}

export function optBool(body: Json, field: string): boolean | undefined {
	const value = body[field];
	if (value === undefined || value === null) return undefined;
	if (typeof value !== 'boolean') throw validationError(field, `${field} must be a boolean`);
	return value;
}

export function optStringArray(body: Json, field: string): string[] | undefined {
	const value = body[field];
	if (value === undefined || value === null) return undefined;
	if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) {
		throw validationError(field, `${field} must be an array of strings`);
	}
	return value as string[];
}

export function optDate(body: Json, field: string): number | undefined {
	const value = optString(body, field);
	if (value === undefined || value === '') return undefined;
	const ms = Date.parse(value);
	if (Number.isNaN(ms)) throw validationError(field, `${field} must be an ISO 8601 date-time`);
	return ms;
}

export function isEmail(value: string): boolean {
	return /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(value);
}
