import { createHash, timingSafeEqual } from 'crypto';
import type { IDataObject } from 'n8n-workflow';

/**
 * The header that carries the MASV Webhook Trigger's secret. MASV signs nothing (docs/masv-api.md
 * §13.4): the trigger registers its webhook with this static header and refuses deliveries without it.
 */
export const HEADER_NAME = 'x-n8n-masv-secret';

/** Whether a delivery's header holds the secret (compared in constant time). */
export function secretMatches(expected: unknown, given: unknown): boolean {
	if (typeof expected !== 'string' || !expected) return false;
	const value = Array.isArray(given) ? given[0] : given;
	if (typeof value !== 'string') return false;
	const digest = (text: string) => createHash('sha256').update(text).digest();
	return timingSafeEqual(digest(expected), digest(value));
}

/** How long an event ID is remembered: MASV's retries of one event come well within it. */
export const EVENT_MEMORY_MS = 24 * 3600 * 1000;

/** Most event IDs remembered per trigger (the newest). */
export const MAX_EVENTS = 1000;

/**
 * Event IDs a trigger has taken, per workflow and node, in the memory of this n8n instance. MASV
 * attempts each event up to 5 times, and two attempts can arrive at the same moment. n8n runs each
 * delivery with its own copy of the workflow's static data, read before the other delivery saved
 * its own, so the static data alone cannot see a copy that is being handled right now. This map
 * can: an ID is taken here before the first `await` of a delivery.
 *
 * Across restarts the IDs live in the static data, written by the execution a delivery starts
 * (`keepInExecution`): n8n 2.40.7 loses what `webhook()` itself writes there when it starts an
 * execution (docs/n8n-issues.md), but saves what the execution's nodes write once it ends.
 */
const taken = new Map<string, Map<string, number>>();

/** Forgets what this process remembers (tests). */
export function forgetDeliveries(): void {
	taken.clear();
	running.clear();
}

function memoryOf(key: string): Map<string, number> {
	let memory = taken.get(key);
	if (!memory) {
		memory = new Map();
		taken.set(key, memory);
	}
	return memory;
}

/** What the trigger registered with MASV (static data), as the newest activation or delivery saw it. */
export interface Registration {
	webhookId?: string;
	secret?: string;
	portalIds?: string[];
}

/** Most executions per trigger whose static data this process keeps up to date. */
export const MAX_RUNNING_COPIES = 50;

/**
 * The node's static data in the executions this process started most recently, per workflow and
 * node. n8n saves an execution's whole static data, as it loaded it when the execution began, once
 * the execution ends; a long execution would otherwise write back the event IDs and the
 * registration of its start over what others saved since. Writes to the copy of an execution that
 * has ended change nothing.
 */
const running = new Map<string, IDataObject[]>();

/**
 * Keeps an execution's event IDs in its copy of the static data, which n8n saves when the
 * execution ends, and brings the copies of this process's other executions up to date with them.
 */
export function keepInExecution(key: string, state: IDataObject, eventIds: string[], now: number): void {
	const memory = memoryOf(key);
	for (const id of eventIds) if (!memory.has(id)) memory.set(id, now);
	prune(memory, now);
	const copies = (running.get(key) ?? []).filter((copy) => copy !== state);
	copies.push(state);
	running.set(key, copies.slice(-MAX_RUNNING_COPIES));
	shareEvents(key, now);
}

/** Writes every event ID this process knows into the running executions' copies. */
export function shareEvents(key: string, now: number): void {
	const copies = running.get(key);
	if (!copies) return;
	const memory = memoryOf(key);
	for (const copy of copies) {
		const all = new Map<string, number>(Object.entries((copy.events as Record<string, number> | undefined) ?? {}));
		for (const [id, at] of memory) all.set(id, at);
		prune(all, now);
		copy.events = Object.fromEntries(all);
	}
}

/**
 * Brings the running executions' copies up to the registration an activation, a deactivation or a
 * delivery (which reads the saved static data) just saw, so that an execution that ends later does
 * not write back the secret or webhook it started with.
 */
export function shareRegistration(key: string, registration: Registration): void {
	for (const copy of running.get(key) ?? []) {
		for (const field of ['webhookId', 'secret', 'portalIds'] as const) {
			const value = registration[field];
			if (value === undefined) {
				if (copy[field] !== undefined) delete copy[field];
			} else if (JSON.stringify(copy[field]) !== JSON.stringify(value)) {
				copy[field] = Array.isArray(value) ? [...value] : value;
			}
		}
	}
}

export class EventLedger {
	private readonly memory: Map<string, number>;

	/** `key`: workflow and node; `saved`: the node's static data `events` (ID → when received, ms). */
	constructor(
		key: string,
		private readonly saved: Record<string, number>,
	) {
		this.memory = memoryOf(key);
	}

	/** Takes an event ID: false when it was taken before (a repeat). Synchronous on purpose. */
	take(eventId: string, now: number): boolean {
		if (this.memory.has(eventId) || this.saved[eventId] !== undefined) return false;
		this.memory.set(eventId, now);
		prune(this.memory, now);
		return true;
	}

	/** Gives an ID back after a delivery failed, so that MASV's next attempt is handled. */
	release(eventId: string): void {
		this.memory.delete(eventId);
	}

	/**
	 * What the static data should hold: the IDs it had and those this process took (so that a
	 * delivery whose copy of the static data is older does not drop another's ID when it saves),
	 * minus the expired ones, at most MAX_EVENTS.
	 */
	toSave(now: number): Record<string, number> {
		const all = new Map<string, number>(Object.entries(this.saved));
		for (const [id, at] of this.memory) all.set(id, at);
		prune(all, now);
		return Object.fromEntries(all);
	}
}

function prune(events: Map<string, number>, now: number): void {
	for (const [id, at] of events) {
		if (now - at > EVENT_MEMORY_MS) events.delete(id);
	}
	if (events.size <= MAX_EVENTS) return;
	const oldest = [...events.entries()].sort((a, b) => a[1] - b[1]).slice(0, events.size - MAX_EVENTS);
	for (const [id] of oldest) events.delete(id);
}

/** The parts of a MASV event body the trigger reads (docs/masv-api.md §13.4). */
export interface MasvEvent {
	eventId: string;
	eventType: string;
	eventTime?: string;
	object: IDataObject;
}

export function parseEvent(body: unknown): MasvEvent | undefined {
	if (!body || typeof body !== 'object' || Array.isArray(body)) return undefined;
	const record = body as IDataObject;
	const object = record.object;
	if (typeof record.event_id !== 'string' || !record.event_id) return undefined;
	if (typeof record.event_type !== 'string' || !object || typeof object !== 'object' || Array.isArray(object)) return undefined;
	if ((object as IDataObject).id === undefined) return undefined;
	return {
		eventId: record.event_id,
		eventType: record.event_type,
		eventTime: typeof record.event_time === 'string' ? record.event_time : undefined,
		object: object as IDataObject,
	};
}
