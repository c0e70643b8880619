// A tiny method + path-pattern router for the API server.
import type { IncomingMessage } from 'node:http';
import type { Core } from './core';

export interface Ctx {
	core: Core;
	req: IncomingMessage;
	method: string;
	path: string;
	params: Record<string, string>;
	query: URLSearchParams;
	/** Parsed JSON body (POST/PUT), undefined when empty. */
	body: unknown;
}

export interface Reply {
	status: number;
	body?: unknown;
	headers?: Record<string, string>;
}

export type Handler = (ctx: Ctx) => Reply | Promise<Reply>;

export interface RouteOptions {
	/** No Content-Type check (admin routes). */
	skipContentType?: boolean;
}

interface Route {
	method: string;
	segments: string[];
	handler: Handler;
	options: RouteOptions;
}

export type RouteMatch = { handler: Handler; params: Record<string, string>; options: RouteOptions };

export class Router {
	private routes: Route[] = [];

	add(method: string, path: string, handler: Handler, options: RouteOptions = {}): this {
		this.routes.push({ method: method.toUpperCase(), segments: path.split('/').filter(Boolean), handler, options });
		return this;
	}

	get(path: string, handler: Handler, options?: RouteOptions): this {
		return this.add('GET', path, handler, options);
	}

	post(path: string, handler: Handler, options?: RouteOptions): this {
		return this.add('POST', path, handler, options);
	}

	put(path: string, handler: Handler, options?: RouteOptions): this {
		return this.add('PUT', path, handler, options);
	}

	delete(path: string, handler: Handler, options?: RouteOptions): this {
		return this.add('DELETE', path, handler, options);
	}

	/** The matching route, 'method' when only the method differs, or null. */
	match(method: string, pathname: string): RouteMatch | 'method' | null {
		const parts = pathname.split('/').filter(Boolean);
		let methodMismatch = false;
		for (const route of this.routes) {
			if (route.segments.length !== parts.length) continue;
			const params: Record<string, string> = {};
			let ok = true;
			for (let i = 0; i < parts.length; i++) {
				const seg = route.segments[i];
				if (seg.startsWith(':')) {
					try {
						params[seg.slice(1)] = decodeURIComponent(parts[i]);
					} catch {
						ok = false;
						break;
					}
				} else if (seg !== parts[i]) {
					ok = false;
					break;
				}
			}
			if (!ok) continue;
			if (route.method !== method) {
				methodMismatch = true;
				continue;
			}
			return { handler: route.handler, params, options: route.options };
		}
		return methodMismatch ? 'method' : null;
	}
}
