// The emulator's engine: state, clock, tokens and the domain operations shared by several routes
// (package lifecycle, activities, webhooks, download sessions).
import { randomBytes } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import type { IncomingHttpHeaders } from 'node:http';
import { join } from 'node:path';
import { FaultRegistry } from './faults';
import { SourceRegistry } from './sources';
import type { Json } from './http';
import type { Activity, ActivityState, ActivityType, PackageState, PFile, Pkg, WebhookDelivery } from './state';
import { State } from './state';
import { Storage, type SignedUrl, type StoredObject } from './storage';
import { signToken, verifyToken, type PackageClaims, type UserClaims } from './tokens';
import { ApiError, hex, iso, ulid } from './util';
import { ZipObject, type ZipEntry } from './zip';

export interface EmulatorConfig {
	/** Bucket name used in blueprint and download URLs. */
	bucket: string;
	/** Lifetime of chunk (part) URLs (§6.6). Tests shorten it to exercise 403 → fresh URLs. */
	partUrlTtlMs: number;
	/** Lifetime of create_blueprint URLs. */
	createUrlTtlMs: number;
	/** Lifetime of download URLs (§7.4). */
	downloadUrlTtlMs: number;
	/** Lifetime of package tokens (7 days in the one dated example, §2.1). */
	packageTokenTtlMs: number;
	/** Lifetime of link-derived (lvl d) tokens. */
	linkTokenTtlMs: number;
	/** Enforce the 5 MiB minimum for non-final parts at finalize (§6.2: off unless strict). */
	strictMinChunkSize: boolean;
	maxChunkCount: number;
	maxChunkSize: number;
	minChunkSize: number;
	/** Team default storage period in days. */
	defaultExpiryDays: number;
	/** Default downloads per link (§5.3: 5 seen). */
	defaultAccessLimit: number;
	/** Actually POST webhook deliveries (§13). */
	deliverWebhooks: boolean;
	/** Copies of each delivery attempt, sent at the same moment (2: every event arrives twice at once). */
	webhookCopies: number;
	/** Hold deliveries until `releaseWebhooks()` (admin `POST /_emulator/webhooks/release`), to send them out of order. */
	holdWebhooks: boolean;
	/** Cap on the request log. */
	maxRequestLog: number;
}

export const DEFAULT_CONFIG: EmulatorConfig = {
	bucket: 'masv-emulator',
	partUrlTtlMs: 15 * 60 * 1000,
	createUrlTtlMs: 15 * 60 * 1000,
	downloadUrlTtlMs: 60 * 60 * 1000,
	packageTokenTtlMs: 7 * 24 * 3600 * 1000,
	linkTokenTtlMs: 24 * 3600 * 1000,
	strictMinChunkSize: false,
	maxChunkCount: 10000,
	maxChunkSize: 5 * 1024 * 1024 * 1024,
	minChunkSize: 5 * 1024 * 1024,
	defaultExpiryDays: 7,
	defaultAccessLimit: 5,
	deliverWebhooks: true,
	webhookCopies: 1,
	holdWebhooks: false,
	maxRequestLog: 200000,
};

export interface RequestRecord {
	seq: number;
	time: string;
	/** `source`: a request to a source file of Upload From URL (sources.ts). */
	kind: 'api' | 'storage' | 'source';
	method: string;
	path: string;
	query: Record<string, string>;
	headers: IncomingHttpHeaders;
	/** Parsed JSON body of API calls (undefined otherwise). */
	body?: unknown;
	status?: number;
	/** Id of the fault that fired on this request, if any. */
	fault?: string;
}

export interface FinalizedFileInfo {
	packageId: string;
	packageName: string;
	teamId: string;
	fileId: string;
	name: string;
	path: string;
	size: number;
	sha256: string;
}

export class Core {
	state = new State();
	readonly faults = new FaultRegistry();
	/** Source files for Upload From URL (sources.ts), served by the storage server. */
	readonly sources = new SourceRegistry();
	readonly storage: Storage;
	readonly secret = randomBytes(32);
	clockOffsetMs = 0;
	apiUrl = '';
	requestLog: RequestRecord[] = [];
	private requestSeq = 0;
	private readonly background = new Set<Promise<unknown>>();
	private readonly aborter = new AbortController();

	constructor(
		readonly dataDir: string,
		readonly config: EmulatorConfig,
	) {
		this.storage = new Storage({
			now: () => this.now(),
			faults: this.faults,
			dataDir,
			onServed: (signed, bytes, object) => this.onServed(signed, bytes, object),
		});
	}

	async init(): Promise<void> {
		await this.storage.init();
		await fsp.mkdir(this.blobDir(), { recursive: true });
		await fsp.mkdir(join(this.dataDir, 'integrations'), { recursive: true });
	}

	now(): number {
		return Date.now() + this.clockOffsetMs;
	}

	blobDir(): string {
		return join(this.dataDir, 'blobs');
	}

	integrationDir(connectionId: string): string {
		return join(this.dataDir, 'integrations', connectionId);
	}

	/** Runs `work` in the background; close() waits for it. */
	track<T>(work: Promise<T>): void {
		const p = work.catch(() => undefined);
		this.background.add(p);
		void p.finally(() => this.background.delete(p));
	}

	async idle(): Promise<void> {
		while (this.background.size > 0) await Promise.all([...this.background]);
	}

	get signal(): AbortSignal {
		return this.aborter.signal;
	}

	async shutdown(): Promise<void> {
		this.aborter.abort();
		await this.idle();
	}

	logRequest(record: Omit<RequestRecord, 'seq' | 'time'>): RequestRecord {
		const full: RequestRecord = { seq: ++this.requestSeq, time: iso(this.now()), ...record };
		this.requestLog.push(full);
		if (this.requestLog.length > this.config.maxRequestLog) this.requestLog.splice(0, this.requestLog.length - this.config.maxRequestLog);
		return full;
	}

	// ------------------------------------------------------------------ tokens

	packageToken(pkg: Pkg, lvl: 'f' | 'd', extra: { lid?: string; uid?: string } = {}): string {
		const ttl = lvl === 'f' ? this.config.packageTokenTtlMs : this.config.linkTokenTtlMs;
		const claims: PackageClaims = {
			exp: Math.floor((this.now() + ttl) / 1000),
			imp: false,
			lvl,
			sub: pkg.id,
			typ: 'package',
			...(extra.uid ? { uid: extra.uid } : {}),
			...(extra.lid ? { lid: extra.lid } : {}),
			jti: hex(8),
		};
		return signToken(this.secret, claims);
	}

	readPackageToken(token: string): PackageClaims | null {
		const claims = verifyToken(this.secret, token);
		if (!claims || claims.typ !== 'package' || typeof claims.sub !== 'string') return null;
		if (typeof claims.exp !== 'number' || claims.exp * 1000 <= this.now()) return null;
		return claims as unknown as PackageClaims;
	}

	userToken(userId: string): string {
		const claims: UserClaims = { exp: Math.floor((this.now() + 30 * 24 * 3600 * 1000) / 1000), ext: {}, imp: false, sub: userId, typ: 'user', jti: hex(8) };
		return signToken(this.secret, claims);
	}

	readUserToken(token: string): UserClaims | null {
		const claims = verifyToken(this.secret, token);
		if (!claims || claims.typ !== 'user' || typeof claims.sub !== 'string') return null;
		if (typeof claims.exp !== 'number' || claims.exp * 1000 <= this.now()) return null;
		return claims as unknown as UserClaims;
	}

	// ------------------------------------------------------------------ packages

	createPackage(init: {
		teamId: string;
		portalId?: string;
		teamspaceId?: string;
		tagId?: string;
		name: string;
		description?: string;
		sender: string;
		senderUserId?: string;
		recipients?: string[];
		password?: string;
		accessLimit?: number;
		expiryDays?: number;
	}): Pkg {
		const now = this.now();
		const days = init.expiryDays ?? this.config.defaultExpiryDays;
		const pkg: Pkg = {
			id: ulid(now),
			seq: this.state.nextSeq(),
			teamId: init.teamId,
			portalId: init.portalId ?? '',
			teamspaceId: init.teamspaceId ?? '',
			tagId: init.tagId ?? '',
			name: init.name,
			description: init.description ?? '',
			sender: init.sender,
			senderUserId: init.senderUserId ?? '',
			recipients: init.recipients ?? [],
			password: init.password ?? '',
			accessLimit: init.accessLimit ?? this.config.defaultAccessLimit,
			state: 'new',
			createdAt: now,
			updatedAt: now,
			finalizedAt: 0,
			expiry: days < 0 ? 0 : now + days * 24 * 3600 * 1000,
			unlimitedStorage: days < 0,
			customExpiry: init.expiryDays !== undefined && init.expiryDays !== this.config.defaultExpiryDays,
			fileIds: [],
			linkIds: [],
			metadata: [],
			uploadActivityId: '',
			zipId: '',
		};
		this.state.packages.set(pkg.id, pkg);
		pkg.uploadActivityId = this.addActivity('package_upload_to_masv', pkg, 'pending').id;
		this.emitWebhook('package.created', pkg);
		return pkg;
	}

	/** Applies expiry lazily (finalized → expired when `expiry` has passed). */
	refreshPackage(pkg: Pkg): Pkg {
		if (pkg.state === 'finalized' && !pkg.unlimitedStorage && pkg.expiry > 0 && this.now() > pkg.expiry) {
			this.setPackageState(pkg, 'expired');
		}
		return pkg;
	}

	finalizedFiles(pkg: Pkg): PFile[] {
		return pkg.fileIds.map((id) => this.state.files.get(id)).filter((f): f is PFile => !!f && f.state === 'finalized' && !!f.blob);
	}

	packageSize(pkg: Pkg): number {
		return this.finalizedFiles(pkg).reduce((n, f) => n + (f.blob?.size ?? 0), 0);
	}

	zipEntries(pkg: Pkg): ZipEntry[] {
		return this.finalizedFiles(pkg).map((f) => ({
			name: f.path ? `${f.path.replace(/^\/+|\/+$/g, '')}/${f.name}` : f.name,
			blob: f.blob as NonNullable<PFile['blob']>,
			mtime: Date.parse(f.lastModified) > 315532800000 ? Date.parse(f.lastModified) : pkg.finalizedAt,
		}));
	}

	zipKey(pkg: Pkg): string {
		return `zips/${pkg.id}/${pkg.zipId}`;
	}

	/** Finalizes a package (docs/masv-api.md §6.9); errors as documented there. */
	finalizePackage(pkg: Pkg): void {
		if (pkg.state === 'finalized') throw new ApiError(409, 'package is already finalized');
		if (pkg.state !== 'new') throw new ApiError(409, `package is ${pkg.state}`);
		if (this.finalizedFiles(pkg).length === 0) throw new ApiError(400, 'package must have at least 1 file');
		// Files added but never finalized are dropped with the package's unfinished uploads (UNCERTAIN, §6.9).
		for (const id of [...pkg.fileIds]) {
			const file = this.state.files.get(id);
			if (file && file.state !== 'finalized') this.removeFile(pkg, file);
		}
		const now = this.now();
		pkg.state = 'finalized';
		pkg.finalizedAt = now;
		pkg.updatedAt = now;
		pkg.zipId = ulid(now);
		this.storage.putObject(this.config.bucket, this.zipKey(pkg), new ZipObject(this.zipEntries(pkg)), `"${hex(16)}"`, 'application/zip');
		const upload = this.state.activities.get(pkg.uploadActivityId);
		if (upload) this.setActivity(upload, 'complete');
		for (const linkId of pkg.linkIds) {
			const link = this.state.links.get(linkId);
			const activity = link && this.state.activities.get(link.activityId);
			if (activity) activity.updatedAt = now;
		}
		this.emitWebhook('package.finalized', pkg);
	}

	/**
	 * Test hook: a `new` package becomes `finalized` as after a finalize call (webhook event
	 * included), whether or not it holds files, for tests of what follows a finalize (triggers).
	 */
	forceFinalize(pkg: Pkg): void {
		if (pkg.state !== 'new') throw new ApiError(409, `package is ${pkg.state}`);
		if (this.finalizedFiles(pkg).length > 0) return this.finalizePackage(pkg);
		const now = this.now();
		pkg.state = 'finalized';
		pkg.finalizedAt = now;
		pkg.updatedAt = now;
		const upload = this.state.activities.get(pkg.uploadActivityId);
		if (upload) this.setActivity(upload, 'complete');
		this.emitWebhook('package.finalized', pkg);
	}

	removeFile(pkg: Pkg, file: PFile): void {
		pkg.fileIds = pkg.fileIds.filter((id) => id !== file.id);
		this.state.files.delete(file.id);
		for (const uploadId of file.uploadIds) {
			const upload = this.storage.uploads.get(uploadId);
			if (upload) this.track(this.storage.abort(upload));
		}
		if (file.blob) this.track(this.storage.deleteObject(this.config.bucket, file.key));
	}

	/** Deletes the package's bytes (expiry, archive, delete). */
	private dropContent(pkg: Pkg): void {
		for (const id of [...pkg.fileIds]) {
			const file = this.state.files.get(id);
			if (file) this.removeFile(pkg, file);
		}
		if (pkg.zipId) this.storage.objects.delete(`${this.config.bucket}/${this.zipKey(pkg)}`);
	}

	/** Test hook and expiry: move a package to any state (§5.1: archived only server-side). */
	setPackageState(pkg: Pkg, state: PackageState): void {
		if (state === 'expired' || state === 'archived') {
			this.dropContent(pkg);
			if (state === 'expired' && pkg.expiry > this.now()) pkg.expiry = this.now();
		}
		if (state === 'finalized' && pkg.state === 'new') {
			this.finalizePackage(pkg);
			return;
		}
		pkg.state = state;
		pkg.updatedAt = this.now();
	}

	deletePackage(pkg: Pkg): void {
		this.dropContent(pkg);
		this.state.packages.delete(pkg.id);
		for (const linkId of pkg.linkIds) this.state.links.delete(linkId);
		for (const activity of this.state.activities.values()) {
			if (activity.packageId === pkg.id && activity.state !== 'complete' && activity.state !== 'cancelled') {
				this.setActivity(activity, 'error', { reason: 'package deleted' });
			}
		}
	}

	// ------------------------------------------------------------------ activities (§15)

	addActivity(type: ActivityType, pkg: Pkg, state: ActivityState, opts: { linkId?: string; transferId?: string; extras?: Json } = {}): Activity {
		const now = this.now();
		const activity: Activity = {
			id: ulid(now),
			seq: this.state.nextSeq(),
			teamId: pkg.teamId,
			type,
			state,
			packageId: pkg.id,
			portalId: pkg.portalId,
			teamspaceId: pkg.teamspaceId,
			linkId: opts.linkId ?? '',
			transferId: opts.transferId ?? '',
			extras: opts.extras ?? {},
			createdAt: now,
			updatedAt: now,
			events: [{ id: ulid(now), state, createdAt: now, extras: {} }],
		};
		this.state.activities.set(activity.id, activity);
		return activity;
	}

	setActivity(activity: Activity, state: ActivityState, extras?: Json): void {
		const now = this.now();
		if (extras) activity.extras = { ...activity.extras, ...extras };
		if (activity.state === state) return;
		activity.state = state;
		activity.updatedAt = now;
		activity.events.push({ id: ulid(now), state, createdAt: now, extras: extras ?? {} });
	}

	// ------------------------------------------------------------------ downloads

	/** Counts storage bytes served per download session; completes the download activity (§15.1). */
	private onServed(signed: SignedUrl, bytes: number, object: StoredObject): void {
		if (!signed.sessionId) return;
		const session = this.state.sessions.get(signed.sessionId);
		if (!session || session.complete) return;
		const pkg = this.state.packages.get(session.packageId);
		if (!pkg) return;
		const key = signed.fileId ?? object.key;
		session.bytesServed.set(key, (session.bytesServed.get(key) ?? 0) + bytes);
		const files = this.finalizedFiles(pkg);
		const zipDone = pkg.zipId !== '' && (session.bytesServed.get(pkg.zipId) ?? 0) >= object.content.size && key === pkg.zipId;
		const allFiles = files.every((f) => (session.bytesServed.get(f.id) ?? 0) >= (f.blob?.size ?? 0));
		if (zipDone || allFiles) {
			session.complete = true;
			const activity = this.state.activities.get(session.activityId);
			if (activity) this.setActivity(activity, 'complete');
			const link = session.linkId ? this.state.links.get(session.linkId) : undefined;
			const linkActivity = link && this.state.activities.get(link.activityId);
			if (linkActivity) this.setActivity(linkActivity, 'complete');
		}
	}

	// ------------------------------------------------------------------ webhooks (§13)

	emitWebhook(event: 'package.created' | 'package.finalized', pkg: Pkg): void {
		if (!pkg.portalId) return;
		const portal = this.state.portals.get(pkg.portalId);
		if (!portal) return;
		const attached = Array.isArray(portal.data.custom_webhooks) ? (portal.data.custom_webhooks as unknown[]) : [];
		for (const item of attached) {
			const id = typeof item === 'string' ? item : typeof item === 'object' && item ? String((item as Json).id ?? '') : '';
			const hook = this.state.webhooks.get(id);
			if (!hook || hook.data.active === false) continue;
			const events = Array.isArray(hook.data.events) ? (hook.data.events as string[]) : [];
			if (!events.includes(event)) continue;
			const extras = typeof hook.data.body_extras === 'object' && hook.data.body_extras ? (hook.data.body_extras as Json) : {};
			const body: Json = {
				event_id: ulid(this.now()),
				event_time: iso(this.now()),
				event_type: event,
				object: {
					id: pkg.id,
					name: pkg.name,
					sender: pkg.sender,
					total_files: this.finalizedFiles(pkg).length,
					state: pkg.state,
					type: 'portal',
					portal_id: pkg.portalId,
				},
				...extras,
			};
			const delivery: WebhookDelivery = {
				id: body.event_id as string,
				webhookId: hook.id,
				url: String(hook.data.url ?? ''),
				method: String(hook.data.method ?? 'POST').toUpperCase(),
				headers: typeof hook.data.headers === 'object' && hook.data.headers ? { ...(hook.data.headers as Record<string, string>) } : {},
				body,
				attempts: 0,
				status: null,
				error: null,
				statuses: [],
			};
			this.state.webhookDeliveries.push(delivery);
			if (!this.config.deliverWebhooks || !delivery.url) continue;
			if (this.config.holdWebhooks) this.heldWebhooks.push(delivery);
			else this.track(this.deliver(delivery));
		}
	}

	/** Deliveries held back by `holdWebhooks`, in the order MASV would have sent them. */
	heldWebhooks: WebhookDelivery[] = [];

	/**
	 * Sends the held deliveries, in the order they were made or the reverse (out of order), one
	 * after the other or all at once; resolves when every one of them is done (with its retries).
	 */
	async releaseWebhooks(order: 'made' | 'reverse' = 'made', together = false): Promise<WebhookDelivery[]> {
		const held = order === 'reverse' ? [...this.heldWebhooks].reverse() : [...this.heldWebhooks];
		this.heldWebhooks = [];
		if (together) {
			await Promise.all(held.map((delivery) => this.deliver(delivery)));
		} else {
			for (const delivery of held) await this.deliver(delivery);
		}
		return held;
	}

	/** Sends one delivery again, as MASV's next attempt of the same event would. */
	async redeliver(eventId: string): Promise<WebhookDelivery> {
		const delivery = this.state.webhookDeliveries.find((d) => d.id === eventId);
		if (!delivery) throw new ApiError(404, `no webhook delivery ${eventId}`);
		await this.deliver(delivery);
		return delivery;
	}

	/**
	 * Up to 5 attempts (§13.1, §19) until one answers 2xx; each attempt is sent `webhookCopies`
	 * times at once. Headers are the webhook's static headers; the body carries its body extras.
	 */
	private async deliver(delivery: WebhookDelivery): Promise<void> {
		for (let attempt = 1; attempt <= 5 && !this.signal.aborted; attempt++) {
			delivery.attempts++;
			const copies = Math.max(1, Math.floor(this.config.webhookCopies));
			const results = await Promise.all(Array.from({ length: copies }, async () => await this.sendOnce(delivery)));
			if (results.some((ok) => ok) || attempt === 5) return;
			await new Promise((resolve) => setTimeout(resolve, 100 * 2 ** attempt).unref());
		}
	}

	private async sendOnce(delivery: WebhookDelivery): Promise<boolean> {
		try {
			const res = await fetch(delivery.url, {
				method: delivery.method,
				headers: { 'Content-Type': 'application/json', ...delivery.headers },
				body: JSON.stringify(delivery.body),
				signal: AbortSignal.any([this.signal, AbortSignal.timeout(5000)]),
			});
			delivery.status = res.status;
			delivery.statuses.push(res.status);
			await res.arrayBuffer().catch(() => undefined);
			return res.ok;
		} catch (err) {
			delivery.error = (err as Error).message;
			delivery.statuses.push(0);
			return false;
		}
	}

	// ------------------------------------------------------------------ reports

	async finalizedFileReport(): Promise<FinalizedFileInfo[]> {
		const out: FinalizedFileInfo[] = [];
		for (const pkg of this.state.packages.values()) {
			for (const file of this.finalizedFiles(pkg)) {
				const blob = file.blob as NonNullable<PFile['blob']>;
				await blob.ready;
				out.push({
					packageId: pkg.id,
					packageName: pkg.name,
					teamId: pkg.teamId,
					fileId: file.id,
					name: file.name,
					path: file.path,
					size: blob.size,
					sha256: blob.sha256 ?? '',
				});
			}
		}
		return out;
	}
}
