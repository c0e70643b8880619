import type { IDataObject } from 'n8n-workflow';

import { createdAtMs } from './sources';
import type { PackageSource } from './sources';

/**
 * How far behind n8n's clock each poll's look-back ends (by `created_at`), so that a package whose
 * creation time lies a little before the poll (clock skew between n8n and MASV, a list that lags)
 * is still read by the next one.
 */
export const RECENT_WINDOW_MS = 15 * 60 * 1000;

/**
 * Most packages in `new` followed at once (20 pages of the v1.1 lists). Past it, the uploads that
 * were started longest ago are no longer followed: when one of them is finalized it fires only if
 * it was created within the look-back.
 */
export const MAX_PENDING = 1000;

/** How far before Start From a package may have been created and still be read for it (by `created_at`). */
export const START_FROM_LOOKBACK_MS = 7 * 24 * 3600 * 1000;

/**
 * What a poll leaves for the next one (workflow static data of the node).
 *
 * * `floor`: every finalized package created before it (MASV's `created_at`, ms) has fired, or was
 *   finalized before the trigger's start. Each poll reads the finalized list back to it. It moves
 *   up only after a poll whose reads were settled (see sources.ts `walkList`); after a read that may
 *   have skipped a record it stays, and the next poll reads the same range again.
 * * `seen`: finalized packages created since `floor` that fired or were there at the start,
 *   ID → `created_at`. Entries older than `floor` are dropped: no later read reaches them.
 * * `pending`: packages seen in `new`, ID → `created_at`, at most `MAX_PENDING` (the newest). A
 *   package leaves `pending` only when it is seen finalized (it fires, however old it is), or when
 *   MASV says it is expired, archived or gone. A package that a read skipped stays.
 * * `polledAt`: when the last poll started (n8n's clock, ms), for the reader of the state.
 * * `target`: event and portal/team/Teamspace ID. A change starts over with a new baseline.
 *
 * Restarts: n8n saves static data at activation and when a poll emits, not after a poll that emits
 * nothing. Each state a poll leaves is valid input for any later poll, so a restart that brings back
 * an older saved state only makes the next poll read a longer range again: packages finalized since
 * then fire (they are not in the saved `seen`), and those that already fired are in it, because
 * the state that holds them was saved with their emission.
 */
export interface PollState {
	version: 2;
	target: string;
	floor: number;
	polledAt: number;
	seen: Record<string, number>;
	pending: Record<string, number>;
}

export interface PollResult {
	/** Packages that reached `finalized` since the last poll, oldest first. Empty on a baseline poll without Start From. */
	packages: IDataObject[];
	state: PollState;
	/** Whether this poll only recorded the current state (first poll, or a changed target). */
	baseline: boolean;
}

export function isPollState(value: unknown, target: string): value is PollState {
	const state = value as PollState | undefined;
	return (
		!!state &&
		typeof state === 'object' &&
		state.version === 2 &&
		state.target === target &&
		typeof state.floor === 'number' &&
		typeof state.polledAt === 'number' &&
		!!state.seen &&
		typeof state.seen === 'object' &&
		!!state.pending &&
		typeof state.pending === 'object'
	);
}

/**
 * The state of the first version of this trigger (`version: 1`, no `floor`), read as it meant:
 * each of its polls read back to the previous poll's start minus the look-back.
 */
function upgradeState(value: unknown): unknown {
	const state = value as (Omit<PollState, 'version' | 'floor'> & { version?: number }) | undefined;
	if (!state || typeof state !== 'object' || state.version !== 1 || typeof state.polledAt !== 'number') return value;
	return { ...state, version: 2, floor: state.polledAt - RECENT_WINDOW_MS };
}

export interface PollOptions {
	/** Start over from here, ignoring any saved state (a new activation). */
	restart?: boolean;
	/** Options > Start From (ms): on a baseline poll, also fire packages finalized since then. */
	startFrom?: number;
}

/**
 * When a finalized package was finalized, as far as its record tells: `finalized_at` where MASV
 * gives it, else `updated_at` (its last change, at or after finalization), else `created_at`.
 */
export function finalizedAtMs(pkg: IDataObject): number {
	for (const field of ['finalized_at', 'updated_at', 'created_at']) {
		const value = pkg[field];
		const ms = typeof value === 'string' ? Date.parse(value) : NaN;
		if (!Number.isNaN(ms)) return ms;
	}
	return NaN;
}

/**
 * One poll. Reads the packages still `new` first, then finalized packages newest first, down to
 * the older of `floor` and the oldest pending package that is no longer `new`. Reading `new`
 * before `finalized` matters: a package finalized between the two reads is in the finalized read,
 * one finalized later is still `new` for this poll and pending for the next.
 */
export async function pollPackages(
	source: PackageSource,
	previous: unknown,
	target: string,
	now: number,
	options: PollOptions = {},
): Promise<PollResult> {
	const saved = upgradeState(previous);
	const last = !options.restart && isPollState(saved, target) ? saved : undefined;
	return last ? await nextPoll(source, last, now) : await baselinePoll(source, target, now, options.startFrom);
}

async function baselinePoll(source: PackageSource, target: string, now: number, startFrom?: number): Promise<PollResult> {
	const stillNew = await source.readNew(MAX_PENDING);
	const floor = now - RECENT_WINDOW_MS;
	const catchUp = startFrom !== undefined && !Number.isNaN(startFrom);
	const finalized = await source.readFinalized(catchUp ? Math.min(floor, startFrom - START_FROM_LOOKBACK_MS) : floor);

	const seen: Record<string, number> = {};
	const found: IDataObject[] = [];
	for (const pkg of finalized.records) {
		const created = createdAtOr(pkg, now);
		if (catchUp && finalizedAtMs(pkg) >= startFrom) found.push(pkg);
		if (created >= floor) seen[String(pkg.id)] = created;
	}
	const pending: Record<string, number> = {};
	for (const pkg of stillNew.records) {
		const id = String(pkg.id);
		if (seen[id] === undefined) pending[id] = createdAtOr(pkg, now);
	}
	return {
		packages: oldestFirst(found),
		baseline: true,
		state: { version: 2, target, floor, polledAt: now, seen, pending: newest(pending, MAX_PENDING) },
	};
}

async function nextPoll(source: PackageSource, last: PollState, now: number): Promise<PollResult> {
	const stillNew = await source.readNew(MAX_PENDING);
	const stillNewIds = new Set(stillNew.records.map((pkg) => String(pkg.id)));
	// Packages that were uploading at the last poll and are not in this read: finalized, expired,
	// deleted, or skipped by the read.
	const leftNew = new Map<string, number>();
	for (const [id, created] of Object.entries(last.pending)) {
		if (!stillNewIds.has(id)) leftNew.set(id, created);
	}

	const readFloor = Math.min(last.floor, ...leftNew.values());
	const finalized = await source.readFinalized(readFloor);
	const seen: Record<string, number> = { ...last.seen };
	const found: IDataObject[] = [];
	for (const pkg of finalized.records) {
		const id = String(pkg.id);
		const created = createdAtOr(pkg, now);
		if (leftNew.delete(id)) {
			found.push(pkg);
			seen[id] = created;
		} else if (created >= last.floor && seen[id] === undefined) {
			found.push(pkg);
			seen[id] = created;
		}
	}

	// A pending package in neither read: ask MASV for it, so that only one that is really no longer
	// uploading leaves `pending`.
	const keep: Record<string, number> = {};
	for (const [id, created] of leftNew) {
		const pkg = await source.lookup(id);
		if (!pkg) continue;
		if (pkg.state === 'finalized' && seen[id] === undefined) {
			found.push(pkg);
			seen[id] = created;
		} else if (pkg.state === 'new') {
			keep[id] = created;
		}
	}

	const settled = stillNew.settled && finalized.settled;
	const floor = settled ? Math.max(last.floor, now - RECENT_WINDOW_MS) : last.floor;
	const nextSeen: Record<string, number> = {};
	for (const [id, created] of Object.entries(seen)) {
		if (created >= floor) nextSeen[id] = created;
	}
	const pending: Record<string, number> = { ...keep };
	for (const pkg of stillNew.records) {
		const id = String(pkg.id);
		if (seen[id] === undefined) pending[id] = createdAtOr(pkg, now);
	}
	return {
		packages: oldestFirst(found),
		baseline: false,
		state: { version: 2, target: last.target, floor, polledAt: now, seen: nextSeen, pending: newest(pending, MAX_PENDING) },
	};
}

/** Oldest first by `created_at`; the lists are newest first, so reversing keeps MASV's order for equal times. */
function oldestFirst(packages: IDataObject[]): IDataObject[] {
	return [...packages].reverse().sort((a, b) => (createdAtMs(a) || 0) - (createdAtMs(b) || 0));
}

function newest(entries: Record<string, number>, max: number): Record<string, number> {
	const list = Object.entries(entries);
	if (list.length <= max) return entries;
	return Object.fromEntries(list.sort((a, b) => b[1] - a[1]).slice(0, max));
}

function createdAtOr(pkg: IDataObject, fallback: number): number {
	const ms = createdAtMs(pkg);
	return Number.isNaN(ms) ? fallback : ms;
}
