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
 * can: an ID is taken here before the first `await` of a delivery. The static data is meant to keep
 * the IDs across restarts, but n8n 2.40.7 was not seen saving it after a webhook call (README,
 * "Limits of the duplicate check").
 */
const taken = new Map<string, Map<string, number>>();

/** Forgets what this process remembers (tests). */
export function forgetDeliveries(): void {
	taken.clear();
}

export class EventLedger {
	private readonly memory: Map<string, number>;

	/** `key`: workflow and node; `saved`: the node's static data `events` (ID → when received, ms). */
	constructor(
		key: string,
		private readonly saved: Record<string, number>,
	) {
		let memory = taken.get(key);
		if (!memory) {
			memory = new Map();
			taken.set(key, memory);
		}
		this.memory = memory;
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
