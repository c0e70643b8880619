import type { IDataObject } from 'n8n-workflow';

import { createdAtMs } from './sources';
import type { PackageSource } from './sources';

/**
 * How far before the previous poll each poll looks again (by `created_at`), so that a package whose
 * creation time lies a little before the previous poll (clock skew between n8n and MASV, a list that
 * lags) is still read. Finalized packages seen in this window are remembered by ID.
 */
export const RECENT_WINDOW_MS = 15 * 60 * 1000;

/** Most packages in `new` remembered between polls (20 pages of the v1.1 lists). */
export const MAX_PENDING = 1000;

/**
 * What a poll leaves for the next one (workflow static data of the node).
 *
 * * `polledAt`: when the last poll started (n8n's clock, ms).
 * * `seen`: finalized packages created since `polledAt - RECENT_WINDOW_MS`, ID → `created_at` (ms).
 *   Each poll re-reads that window and skips these IDs; older entries are dropped, as no later poll
 *   reads so far back for them. Its size is the number of packages finalized within one poll
 *   interval plus the window.
 * * `pending`: packages that were still `new` at the last poll, ID → `created_at`, at most
 *   `MAX_PENDING` (the newest). A package that has left `new` since then is looked for in the
 *   finalized list however old it is: that is how a long upload finalized after the last poll fires.
 * * `target`: event and portal/team/Teamspace ID. A change starts over with a new baseline.
 */
export interface PollState {
	version: 1;
	target: string;
	polledAt: number;
	seen: Record<string, number>;
	pending: Record<string, number>;
}

export interface PollResult {
	/** Packages that reached `finalized` since the last poll, oldest first. Empty on a baseline poll. */
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
		state.version === 1 &&
		state.target === target &&
		typeof state.polledAt === 'number' &&
		!!state.seen &&
		typeof state.seen === 'object' &&
		!!state.pending &&
		typeof state.pending === 'object'
	);
}

/**
 * One poll. Reads the packages still `new` first, then finalized packages newest first, down to
 * the older of (a) the previous poll's start minus the window and (b) the oldest package that was
 * `new` at the previous poll and is not any more. Reading `new` before `finalized` matters: a
 * package finalized between the two reads is in the finalized read, one finalized later is still in
 * `pending` for the next poll.
 */
export async function pollPackages(
	source: PackageSource,
	previous: unknown,
	target: string,
	now: number,
): Promise<PollResult> {
	const baseline = !isPollState(previous, target);
	const last = baseline ? undefined : (previous as PollState);
	const stillNew = await source.newPackages(MAX_PENDING);

	const recentFloor = (last ? last.polledAt : now) - RECENT_WINDOW_MS;
	const stillNewIds = new Set(stillNew.map((pkg) => String(pkg.id)));
	// Packages that were uploading at the last poll and are not now: finalized (or deleted, expired).
	const leftNew = new Map<string, number>();
	for (const [id, created] of Object.entries(last?.pending ?? {})) {
		if (!stillNewIds.has(id)) leftNew.set(id, created);
	}

	const seen: Record<string, number> = { ...(last?.seen ?? {}) };
	const handled = new Set<string>();
	const found: Array<{ pkg: IDataObject; created: number }> = [];
	for await (const records of source.finalizedPages()) {
		let oldest = Infinity;
		for (const pkg of records) {
			if (pkg.id === undefined || pkg.id === null || pkg.id === '') continue;
			const id = String(pkg.id);
			const created = createdAtOr(pkg, now);
			oldest = Math.min(oldest, created);
			if (handled.has(id)) continue;
			handled.add(id);
			const wasNew = leftNew.delete(id);
			if (created >= recentFloor) {
				if (seen[id] !== undefined) continue;
				seen[id] = created;
				if (!baseline) found.push({ pkg, created });
			} else if (wasNew) {
				found.push({ pkg, created });
			}
		}
		if (records.length === 0) break;
		// The list is newest first: once past both floors nothing further can be wanted.
		if (oldest < Math.min(recentFloor, ...leftNew.values())) break;
	}

	const keepFrom = now - RECENT_WINDOW_MS;
	const nextSeen: Record<string, number> = {};
	for (const [id, created] of Object.entries(seen)) {
		if (created >= keepFrom) nextSeen[id] = created;
	}
	const emitted = new Set(found.map(({ pkg }) => String(pkg.id)));
	const nextPending: Record<string, number> = {};
	for (const pkg of stillNew) {
		const id = String(pkg.id);
		if (seen[id] === undefined && !emitted.has(id)) nextPending[id] = createdAtOr(pkg, now);
	}

	// Oldest first. The lists are newest first, so reversing keeps MASV's order for equal times.
	found.reverse().sort((a, b) => a.created - b.created);
	return {
		packages: found.map(({ pkg }) => pkg),
		baseline,
		state: { version: 1, target, polledAt: now, seen: nextSeen, pending: nextPending },
	};
}

function createdAtOr(pkg: IDataObject, fallback: number): number {
	const ms = createdAtMs(pkg);
	return Number.isNaN(ms) ? fallback : ms;
}
