// The two HTTP servers: the MASV API (with the /_emulator/ admin routes) and the storage.
// Every request is logged; faults fire here before routing.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Core } from './core';
import type { Fault } from './faults';
import { drain, errorBody, isJsonContentType, readRawBody, sendJson } from './http';
import type { Router } from './router';
import { ApiError, sleep } from './util';

function queryObject(params: URLSearchParams): Record<string, string> {
	const out: Record<string, string> = {};
	for (const [k, v] of params) out[k] = v;
	return out;
}

function parseJson(raw: Buffer): unknown {
	if (raw.length === 0) return undefined;
	try {
		return JSON.parse(raw.toString('utf8'));
	} catch {
		throw new ApiError(400, 'request body is not valid JSON');
	}
}

async function handleAdmin(core: Core, admin: Router, req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
	const method = (req.method ?? 'GET').toUpperCase();
	try {
		const raw = await readRawBody(req);
		const match = admin.match(method, url.pathname);
		if (match === null) throw new ApiError(404, `no admin route ${method} ${url.pathname}`);
		if (match === 'method') throw new ApiError(405, 'method not allowed');
		const reply = await match.handler({ core, req, method, path: url.pathname, params: match.params, query: url.searchParams, body: parseJson(raw) });
		sendJson(res, reply.status, reply.body, reply.headers);
	} catch (err) {
		const e = err instanceof ApiError ? err : new ApiError(500, (err as Error).message);
		sendJson(res, e.status, errorBody(e), e.headers);
	}
}

async function handleApi(core: Core, api: Router, admin: Router, req: IncomingMessage, res: ServerResponse): Promise<void> {
	const url = new URL(req.url ?? '/', 'http://emulator.invalid');
	if (url.pathname.startsWith('/_emulator/')) return handleAdmin(core, admin, req, res, url);
	const method = (req.method ?? 'GET').toUpperCase();
	const record = core.logRequest({ kind: 'api', method, path: url.pathname, query: queryObject(url.searchParams), headers: { ...req.headers } });
	res.on('finish', () => {
		record.status = res.statusCode;
	});
	let fault: Fault | undefined;
	try {
		fault = core.faults.take('api', method, url.pathname);
		if (fault) {
			record.fault = fault.id;
			const spec = fault.spec;
			if (spec.type === 'hang') return;
			if (spec.type === 'reset' || spec.type === 'refuse') {
				req.socket.destroy();
				return;
			}
			if (spec.type === 'delay') {
				await sleep(spec.delayMs ?? 1000);
			} else if (spec.type === 'dropReply' || (spec.carryOut && (spec.type === 'status' || spec.type === 'rateLimit'))) {
				// Handled below: the request is carried out, then its answer is lost or replaced.
			} else {
				await drain(req);
				const status = spec.type === 'rateLimit' ? 429 : spec.type === 'expired' ? 403 : (spec.status ?? 500);
				const headers: Record<string, string> = {};
				if (spec.type === 'rateLimit' || spec.retryAfter !== undefined) headers['Retry-After'] = String(spec.retryAfter ?? 1);
				throw new ApiError(status, spec.message ?? `injected fault (${status})`, undefined, headers);
			}
		}
		const match = api.match(method, url.pathname);
		if (match === null) {
			await drain(req);
			throw new ApiError(404, `no route ${method} ${url.pathname}`);
		}
		if (match === 'method') {
			await drain(req);
			throw new ApiError(405, `method ${method} not allowed on ${url.pathname}`);
		}
		let body: unknown;
		if (method === 'POST' || method === 'PUT') {
			// §1 (UNCERTAIN #1): every POST/PUT needs Content-Type: application/json, even with no body → 415.
			if (!isJsonContentType(req)) {
				await drain(req);
				throw new ApiError(415, 'unsupported Content-Type: application/json is required');
			}
			body = parseJson(await readRawBody(req));
			record.body = body;
		} else {
			await drain(req);
		}
		const reply = await match.handler({ core, req, method, path: url.pathname, params: match.params, query: url.searchParams, body });
		if (fault?.spec.type === 'dropReply') {
			record.status = reply.status;
			req.socket.destroy();
			return;
		}
		if (fault?.spec.carryOut) {
			const status = fault.spec.type === 'rateLimit' ? 429 : (fault.spec.status ?? 500);
			const headers: Record<string, string> = fault.spec.retryAfter !== undefined || fault.spec.type === 'rateLimit' ? { 'Retry-After': String(fault.spec.retryAfter ?? 1) } : {};
			throw new ApiError(status, fault.spec.message ?? `injected fault (${status}) after the request was carried out`, undefined, headers);
		}
		sendJson(res, reply.status, reply.body, reply.headers);
	} catch (err) {
		if (err instanceof ApiError) {
			sendJson(res, err.status, errorBody(err), err.headers);
			return;
		}
		sendJson(res, 500, { code: 500, message: `emulator error: ${(err as Error).message}` });
	}
}

async function handleStorage(core: Core, req: IncomingMessage, res: ServerResponse): Promise<void> {
	const url = new URL(req.url ?? '/', 'http://storage.invalid');
	const record = core.logRequest({
		kind: 'storage',
		method: (req.method ?? 'GET').toUpperCase(),
		path: url.pathname,
		query: queryObject(url.searchParams),
		headers: { ...req.headers },
	});
	res.on('finish', () => {
		record.status = res.statusCode;
	});
	await core.storage.handle(req, res, url, record);
}

function listen(server: Server, port: number, host: string): Promise<number> {
	return new Promise((resolve, reject) => {
		server.once('error', reject);
		server.listen(port, host, () => {
			server.off('error', reject);
			resolve((server.address() as AddressInfo).port);
		});
	});
}

export interface Servers {
	api: Server;
	storage: Server;
	apiPort: number;
	storagePort: number;
	close(): Promise<void>;
}

export async function startServers(core: Core, api: Router, admin: Router, opts: { host: string; port: number; storagePort: number }): Promise<Servers> {
	const apiServer = createServer((req, res) => {
		handleApi(core, api, admin, req, res).catch(() => res.destroy());
	});
	const storageServer = createServer((req, res) => {
		handleStorage(core, req, res).catch(() => res.destroy());
	});
	for (const s of [apiServer, storageServer]) {
		s.keepAliveTimeout = 5000;
		s.requestTimeout = 0; // long uploads and 'hang' faults must not be cut by Node
		s.on('clientError', (_err, socket) => socket.destroy());
	}
	const apiPort = await listen(apiServer, opts.port, opts.host);
	const storagePort = await listen(storageServer, opts.storagePort, opts.host);
	return {
		api: apiServer,
		storage: storageServer,
		apiPort,
		storagePort,
		close: async () => {
			await Promise.all(
				[apiServer, storageServer].map(
					(s) =>
						new Promise<void>((resolve) => {
							s.close(() => resolve());
							s.closeAllConnections();
						}),
				),
			);
		},
	};
}
