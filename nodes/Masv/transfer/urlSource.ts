// The body of an HTTP(S) URL as the source of an upload (Package → Upload From URL,
// docs/upload-from-url.md). The URL is checked once before anything is created in MASV; its bytes
// are then read part by part with `Range` where the source takes it (several parts at once, each
// resumed from its last byte after a reset), or as one stream otherwise. Requests to the source go
// out with plain `httpRequest` (transfer/storage.ts): no MASV credential ever goes to it.
import { NodeApiError, NodeOperationError } from 'n8n-workflow';
import type { IExecuteFunctions, INode } from 'n8n-workflow';

import { toNodeError } from '../transport/errors';
import { masvCancelled } from '../transport/request';
import { CancelledError, errorVerdict, guard, RetryWindow, StallError, statusVerdict } from '../transport/retry';
import type { RetryPolicy, Verdict } from '../transport/retry';
import { watchStream } from './download';
import { freeChunk } from './parts';
import type { PartRange } from './parts';
import { headerValue, storageErrorText, storageGetStream } from './storage';
import type { BinaryStream, StorageAnswer } from './storage';
import { READ_BUFFER_SIZE } from './upload';
import type { UploadSource } from './upload';

type SourceContext = Pick<IExecuteFunctions, 'helpers' | 'logger' | 'getNode'>;

/** What the check of a URL found out, before anything is created in MASV. */
export interface UrlSource {
	url: string;
	/** The body's length in bytes. */
	size: number;
	/** Whether the source answers `Range` requests (206 with a `Content-Range` of the whole length). */
	ranges: boolean;
	contentType?: string;
	/** The file name of `Content-Disposition`, where the answer has one. */
	dispositionName?: string;
	/** `ETag`, else `Last-Modified`, of the first answer: later answers must be of the same object. */
	version?: string;
	/** The source's answers keep their socket reads until V8 collects them (`StorageAnswer.readsHeld`). */
	readsHeld?: boolean;
}

/** Bytes asked for by the check: enough to tell an HTML page from a file by its first bytes. */
export const PROBE_BYTES = 1024;

/** Extra time `guard` gives a request beyond the helper's own idle timeout, until its answer starts. */
const STALL_GRACE_MS = 5000;

/**
 * Headers sent to the source, and nothing else: `Accept-Encoding: identity` so that lengths and
 * ranges count the file's own bytes (a compressed answer would not), and `Range` where asked.
 */
function sourceHeaders(range?: string): Record<string, string> {
	return range ? { 'Accept-Encoding': 'identity', Range: range } : { 'Accept-Encoding': 'identity' };
}

/** The URL, checked: http or https, nothing else (the parameter "URL"). */
export function sourceUrl(node: INode, raw: unknown, itemIndex: number): string {
	const text = typeof raw === 'string' ? raw.trim() : '';
	if (!text) throw new NodeOperationError(node, 'The parameter "URL" is empty', { itemIndex });
	let url: URL;
	try {
		url = new URL(text);
	} catch {
		throw new NodeOperationError(node, 'The parameter "URL" is not a valid URL', {
			itemIndex,
			description: 'Give a full address starting with https:// or http://.',
		});
	}
	if (url.protocol !== 'https:' && url.protocol !== 'http:') {
		throw new NodeOperationError(node, `The parameter "URL" must be an http or https address, not ${url.protocol.replace(/:$/, '')}`, {
			itemIndex,
		});
	}
	return url.toString();
}

/**
 * The file name of a `Content-Disposition` header: `filename*` (RFC 6266/5987, UTF-8) first, then
 * `filename`, quoted or not. Undefined when there is none.
 */
export function dispositionFileName(header: string | undefined): string | undefined {
	if (!header) return undefined;
	const extended = /filename\*\s*=\s*([^;]+)/i.exec(header)?.[1]?.trim();
	if (extended) {
		const match = /^([\w-]*)'[^']*'(.*)$/.exec(extended.replace(/^"|"$/g, ''));
		if (match) {
			try {
				const name = decodeURIComponent(match[2]);
				if (name.trim()) return name;
			} catch {
				// Badly encoded: fall back to `filename`.
			}
		}
	}
	const quoted = /filename\s*=\s*"((?:[^"\\]|\\.)*)"/i.exec(header)?.[1];
	if (quoted !== undefined && quoted.trim()) return quoted.replace(/\\(.)/g, '$1');
	const bare = /filename\s*=\s*([^;\s]+)/i.exec(header)?.[1];
	return bare?.trim() || undefined;
}

/** The last segment of the URL's path, decoded; undefined when the path ends in `/`. */
export function urlFileName(url: string): string | undefined {
	const path = new URL(url).pathname;
	const last = path.slice(path.lastIndexOf('/') + 1);
	if (!last) return undefined;
	try {
		return decodeURIComponent(last);
	} catch {
		return last;
	}
}

/** Whether a file name says that the file is an HTML page (so an HTML answer is what was wanted). */
export function isHtmlName(name: string): boolean {
	return /\.html?$/i.test(name.trim());
}

/**
 * Whether an answer is an HTML page: its `Content-Type` is `text/html` or
 * `application/xhtml+xml`, or its first bytes (after a byte-order mark and white space) open an
 * HTML document (`<!DOCTYPE html`, `<html`), whatever the type says.
 */
export function looksLikeHtml(contentType: string | undefined, head: Buffer): boolean {
	const type = (contentType ?? '').split(';')[0].trim().toLowerCase();
	if (type === 'text/html' || type === 'application/xhtml+xml') return true;
	const text = head.subarray(0, 256).toString('utf8').replace(/^\uFEFF/, '').trimStart().toLowerCase();
	return text.startsWith('<!doctype html') || text.startsWith('<html');
}

/** `Content-Range: bytes 0-1023/5000` → {start, end, total}; total undefined for `*`. */
function contentRange(header: string | undefined): { start?: number; total?: number } {
	const match = /bytes\s+(?:(\d+)-\d+|\*)\/(\d+|\*)/i.exec(header ?? '');
	if (!match) return {};
	return { start: match[1] === undefined ? undefined : Number(match[1]), total: match[2] === '*' ? undefined : Number(match[2]) };
}

function versionOf(answer: StorageAnswer<unknown>): string | undefined {
	const etag = headerValue(answer, 'ETag')?.replace(/^W\//, '');
	return etag ?? headerValue(answer, 'Last-Modified');
}

/** Up to `limit` bytes of a stream, which is then closed. */
async function streamHead(stream: BinaryStream, limit: number): Promise<Buffer> {
	const chunks: Buffer[] = [];
	let size = 0;
	try {
		for await (const chunk of stream as AsyncIterable<Buffer | string>) {
			const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk);
			chunks.push(buffer);
			size += buffer.length;
			if (size >= limit) break;
		}
	} finally {
		stream.destroy();
	}
	return Buffer.concat(chunks).subarray(0, limit);
}

function statusWords(status: number): string {
	const words: Record<number, string> = {
		401: 'Unauthorized',
		403: 'Forbidden',
		404: 'Not Found',
		405: 'Method Not Allowed',
		410: 'Gone',
		416: 'Range Not Satisfiable',
		451: 'Unavailable For Legal Reasons',
	};
	return words[status] ? `HTTP ${status} (${words[status]})` : `HTTP ${status}`;
}

/** A refusal by the source, in words for the user. */
function refusal(node: INode, status: number, text: string, itemIndex: number): NodeOperationError {
	const hint =
		status === 401 || status === 403
			? 'A pre-signed link may have expired, or the source wants credentials: this node sends none to the source URL. Make a fresh link that works without signing in.'
			: status === 404 || status === 410
				? 'Check the address: the file is not (or no longer) there.'
				: undefined;
	return new NodeOperationError(node, `The URL answered ${statusWords(status)}${text ? `: ${text}` : ''}; nothing was uploaded`, {
		itemIndex,
		description: hint,
	});
}

/**
 * Checks a URL before anything is created in MASV: a GET of its first bytes (`Range: bytes=0-1023`;
 * a HEAD would fail on pre-signed GET links), retried within the retry window on 408, 429, 5xx and
 * broken connections. Refuses, with an error that names the cause: a 4xx, an HTML page where a file
 * was expected (`expectHtml` false), a compressed answer, and a source that gives neither its
 * length nor ranges (MASV must know a file's size before its first part, docs/masv-api.md §6.4).
 */
export async function checkUrlSource(
	ctx: SourceContext,
	url: string,
	options: { policy: RetryPolicy; itemIndex: number; cancel?: AbortSignal; fileName?: string },
): Promise<UrlSource> {
	const node = ctx.getNode();
	const { policy, itemIndex, cancel } = options;
	const retry = new RetryWindow(policy, cancel);
	for (;;) {
		let verdict: Verdict;
		try {
			const answer = await guard(
				async (abort) =>
					await storageGetStream(ctx, { method: 'GET', url, headers: sourceHeaders(`bytes=0-${PROBE_BYTES - 1}`) }, { signal: abort, stallMs: policy.stallMs }),
				{ cancel, stallMs: policy.stallMs + STALL_GRACE_MS },
			);
			const status = answer.statusCode;
			if (status === 416) {
				// Nothing to give from byte 0: an empty file says so with `bytes */0`.
				if (contentRange(headerValue(answer, 'Content-Range')).total === 0) {
					return { url, size: 0, ranges: false, contentType: headerValue(answer, 'Content-Type'), dispositionName: dispositionFileName(headerValue(answer, 'Content-Disposition')), version: versionOf(answer) };
				}
				throw refusal(node, status, storageErrorText(String(answer.body)), itemIndex);
			}
			if (status >= 300) {
				const text = storageErrorText(String(answer.body));
				verdict = statusVerdict(status, answer.headers, undefined, text ? `source: ${text}` : 'source');
				if (!verdict.transient) throw refusal(node, status, text, itemIndex);
			} else {
				const stream = answer.body as BinaryStream;
				const encoding = (headerValue(answer, 'Content-Encoding') ?? 'identity').toLowerCase();
				const contentType = headerValue(answer, 'Content-Type');
				const head = await guard(async () => await streamHead(stream, PROBE_BYTES), { cancel, stallMs: policy.stallMs });
				if (encoding !== 'identity') {
					throw new NodeOperationError(node, `The URL answered with a compressed body (Content-Encoding ${encoding}), whose length is not the file's`, {
						itemIndex,
						description: 'The node asks for the file as it is (Accept-Encoding: identity); this source compresses anyway. Use a direct download link of the file.',
					});
				}
				const dispositionName = dispositionFileName(headerValue(answer, 'Content-Disposition'));
				const name = options.fileName || dispositionName || urlFileName(url) || '';
				if (looksLikeHtml(contentType, head) && !isHtmlName(name)) {
					throw new NodeOperationError(node, `The URL answered with an HTML page (Content-Type ${contentType ?? 'none'}), not a file; nothing was uploaded`, {
						itemIndex,
						description:
							'Most likely a sign-in, preview or error page. Use the direct download link of the file (for example Dropbox links ending in dl=1). To upload an HTML page on purpose, give a File Name ending in .html or .htm.',
					});
				}
				const range = contentRange(headerValue(answer, 'Content-Range'));
				const length = Number(headerValue(answer, 'Content-Length'));
				let size: number | undefined;
				let ranges = false;
				if (status === 206 && range.start === 0 && range.total !== undefined) {
					size = range.total;
					ranges = true;
				} else if (status === 200 && Number.isSafeInteger(length) && length >= 0 && headerValue(answer, 'Content-Length') !== undefined) {
					size = length;
				}
				if (size === undefined) {
					throw new NodeOperationError(node, 'The URL gives neither the length of its body (Content-Length) nor byte ranges (Accept-Ranges), so the file cannot be sent to MASV in parts; nothing was uploaded', {
						itemIndex,
						description:
							'MASV needs the size of a file before its first part. Download it first (HTTP Request node, into binary data) and use Package → Upload instead.',
					});
				}
				return { url, size, ranges, contentType, dispositionName, version: versionOf(answer), readsHeld: answer.readsHeld };
			}
		} catch (error) {
			if (cancel?.aborted || error instanceof CancelledError) throw masvCancelled(node);
			if (error instanceof NodeOperationError || error instanceof NodeApiError) throw toNodeError(node, error, itemIndex);
			if (/^Z_/.test(String((error as { code?: unknown }).code))) {
				// n8n's helper unpacks a compressed answer by itself; this one would not unpack.
				throw new NodeOperationError(node, `The URL answered with a compressed body that cannot be read as the file (${(error as Error).message})`, {
					itemIndex,
					description: 'The node asks for the file as it is (Accept-Encoding: identity); this source compresses anyway. Use a direct download link of the file.',
				});
			}
			verdict = errorVerdict(error);
		}
		if (!(await waitOrCancel(node, retry, verdict))) {
			throw new NodeOperationError(node, `The URL could not be read: ${retry.summary()}; nothing was uploaded`, { itemIndex });
		}
		ctx.logger.warn(`MASV upload from URL: checking the source failed (${verdict.reason}), try ${retry.attempts}`);
	}
}

async function waitOrCancel(node: INode, retry: RetryWindow, verdict: Verdict): Promise<boolean> {
	try {
		return await retry.failed(verdict);
	} catch {
		// Only a cancel ends a wait early.
		throw masvCancelled(node);
	}
}

/**
 * The bytes `[start, end)` of the source, across as many answers as it takes. With ranges, each
 * answer asks for the bytes from the last one received (`Range: bytes=<next>-<end − 1>`); without,
 * the body is asked for again from its start and the bytes already received are skipped. Every
 * answer must be of the same object (`ETag` / `Last-Modified` of the check), start where it was
 * asked to, and hold no more than asked. Transient failures (resets, stalls, 408, 429, 5xx) are
 * retried within the retry window, which starts again once bytes move.
 */
export async function* sourceBytes(
	ctx: SourceContext,
	source: UrlSource,
	range: { start: number; end: number },
	options: { policy: RetryPolicy; itemIndex: number; signal?: AbortSignal; name: string },
): AsyncGenerator<Buffer> {
	const node = ctx.getNode();
	const { policy, itemIndex, signal, name } = options;
	const failed = (message: string) => new NodeOperationError(node, `"${name}": ${message}`, { itemIndex });
	let retry = new RetryWindow(policy, signal);
	let next = range.start;
	let yielding = false;
	while (next < range.end) {
		let verdict: Verdict | undefined;
		let stream: BinaryStream | undefined;
		try {
			const header = source.ranges ? `bytes=${next}-${range.end - 1}` : undefined;
			const answer = await guard(
				async (abort) => await storageGetStream(ctx, { method: 'GET', url: source.url, headers: sourceHeaders(header) }, { signal: abort, stallMs: policy.stallMs }),
				{ cancel: signal, stallMs: policy.stallMs + STALL_GRACE_MS },
			);
			if (answer.statusCode >= 300) {
				const text = storageErrorText(String(answer.body));
				verdict = statusVerdict(answer.statusCode, answer.headers, undefined, text ? `source: ${text}` : 'source');
				if (!verdict.transient) throw failed(`the URL answered ${statusWords(answer.statusCode)}${text ? ` (${text})` : ''} while it was being read`);
			} else {
				stream = answer.body as BinaryStream;
				const version = versionOf(answer);
				if (source.version !== undefined && version !== undefined && version !== source.version) {
					throw failed(`the file at the URL changed while it was being read (${source.version}, now ${version})`);
				}
				let skip = 0;
				if (answer.statusCode === 206) {
					const { start, total } = contentRange(headerValue(answer, 'Content-Range'));
					if (start !== next || (total !== undefined && total !== source.size)) {
						throw failed(`the URL answered a request for byte ${next} with ${headerValue(answer, 'Content-Range') ?? 'no Content-Range'}`);
					}
				} else {
					// The whole body again (no ranges, or a server that ignored `Range`): skip to `next`.
					const length = headerValue(answer, 'Content-Length');
					if (length !== undefined && Number(length) !== source.size) {
						throw failed(`the URL now gives a body of ${length} bytes, not ${source.size}`);
					}
					skip = next;
				}
				const watch = watchStream(stream, policy.stallMs, signal);
				try {
					for await (const chunk of watch.chunks) {
						watch.progress();
						let buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk);
						if (skip > 0) {
							const dropped = Math.min(skip, buffer.length);
							skip -= dropped;
							buffer = buffer.subarray(dropped);
						}
						if (buffer.length === 0) continue;
						if (next + buffer.length > range.end) {
							if (answer.statusCode === 206 || range.end >= source.size) throw failed(`the URL sent more than its length of ${source.size} bytes`);
							// A whole body read for a part: the rest is not this part's.
							buffer = buffer.subarray(0, range.end - next);
						}
						next += buffer.length;
						// Bytes that move again start a new retry window for the next failure.
						if (retry.attempts > 1) retry = new RetryWindow(policy, signal);
						yielding = true;
						yield buffer;
						yielding = false;
						if (next >= range.end) break;
					}
				} catch (error) {
					// An error thrown in at `yield` is the consumer's: it ends the read as it is.
					if (yielding) throw toNodeError(node, error, itemIndex);
					if (signal?.aborted || error instanceof CancelledError) throw masvCancelled(node);
					if (error instanceof NodeOperationError) throw toNodeError(node, error, itemIndex);
					verdict = errorVerdict(watch.stalled ? new StallError(policy.stallMs) : error);
				} finally {
					watch.stop();
				}
				if (!verdict && next < range.end) {
					verdict = { transient: true, reason: `the connection closed at byte ${next} of ${source.size}` };
				}
			}
		} catch (error) {
			if (yielding) throw toNodeError(node, error, itemIndex);
			if (signal?.aborted || error instanceof CancelledError) throw masvCancelled(node);
			if (error instanceof NodeOperationError || error instanceof NodeApiError) throw toNodeError(node, error, itemIndex);
			verdict = errorVerdict(error);
		} finally {
			stream?.destroy();
		}
		if (!verdict) continue;
		if (!(await waitOrCancel(node, retry, verdict))) {
			throw failed(`the URL could not be read from byte ${next}: ${retry.summary()}`);
		}
		ctx.logger.warn(`MASV upload from URL "${name}": ${verdict.reason}; try ${retry.attempts} from byte ${next}`);
	}
}

/**
 * The upload source of a checked URL: parts read by range, several at once, when the source takes
 * ranges; one sequential stream otherwise (after a reset, read again from the start, the bytes
 * already sent skipped). An empty body is an empty buffer.
 */
export function urlUploadSource(
	ctx: SourceContext,
	source: UrlSource,
	options: { policy: RetryPolicy; itemIndex: number; name: string },
): UploadSource {
	if (source.size === 0) return { kind: 'buffer', buffer: Buffer.alloc(0) };
	if (source.ranges) {
		return {
			kind: 'ranges',
			read: async (range: PartRange, into: Buffer, signal: AbortSignal) => {
				let filled = 0;
				for await (const chunk of sourceBytes(ctx, source, range, { ...options, signal })) {
					chunk.copy(into, filled);
					filled += chunk.length;
					// The answer's chunks are this read's alone: their memory goes back at once instead of
					// to the collector (parts.ts freeChunk; docs/architecture.md, "Read chunks and the
					// garbage collector").
					freeChunk(chunk, READ_BUFFER_SIZE);
				}
				if (filled !== range.length) {
					throw new NodeOperationError(ctx.getNode(), `"${options.name}": part ${range.partNumber} of the URL's body holds ${filled} bytes, not ${range.length}`, {
						itemIndex: options.itemIndex,
					});
				}
			},
		};
	}
	return {
		kind: 'stream',
		open: async (_readBufferSize: number, signal?: AbortSignal) => sourceBytes(ctx, source, { start: 0, end: source.size }, { ...options, signal }),
	};
}
