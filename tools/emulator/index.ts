// MASV emulator: a local fake of the MASV API (docs/masv-api.md) and its S3-style storage.
//
//   const emu = await startEmulator();
//   fetch(`${emu.url}/v1/teams`, { headers: { 'X-API-KEY': emu.apiKey } });
//   ...
//   await emu.close();
import { createHash } from 'node:crypto';
import { createReadStream, promises as fsp } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { buildAdminRouter } from './admin';
import { registerActivities } from './api/activities';
import { registerDownloads } from './api/downloads';
import { registerIntegrations } from './api/integrations';
import { registerPackages } from './api/packages';
import { registerPortals } from './api/portals';
import { registerSpaces } from './api/spaces';
import { registerTags } from './api/tags';
import { registerTeams } from './api/teams';
import { registerUploads } from './api/uploads';
import { registerWebhooks } from './api/webhooks';
import { Blob } from './blobs';
import { Core, DEFAULT_CONFIG, type EmulatorConfig, type FinalizedFileInfo, type RequestRecord } from './core';
import type { FaultRegistry } from './faults';
import type { Emulator, EmulatorAdmin, RequestFilter, StoredObjectInfo } from './handle';
import { Router } from './router';
import { addMember, applySeed, createApiKey, createConnection, createTeam, type SeedInfo } from './seed';
import { connectionJson, fileJson, packageJson } from './serialize';
import { startLink, type LinkOptions } from './link';
import { startServers, type Servers } from './server';
import { State } from './state';
import { ApiError, notFound } from './util';

export type { EmulatorConfig, FinalizedFileInfo, RequestRecord } from './core';
export type { Fault, FaultSpec, FaultTarget, FaultType } from './faults';
export type { Emulator, EmulatorAdmin, EmulatorHandle, IntegrationFile, RequestFilter, StoredObjectInfo } from './handle';
export type { SeedInfo, SeedMember, TeamSeed } from './seed';
export type { Source, SourceRequest, SourceSpec } from './sources';
export { sourceSha256, sourceStream } from './sources';

export interface EmulatorOptions {
	/** Interface to listen on; default 127.0.0.1. */
	host?: string;
	/** API port; default 0 (random). */
	port?: number;
	/** Storage port; default 0 (random). */
	storagePort?: number;
	/** Where parts, files and integration folders live; default a fresh temp dir, removed on close. */
	dataDir?: string;
	/** Keep a temp dataDir on close. */
	keepDataDir?: boolean;
	config?: Partial<EmulatorConfig>;
	/** Benchmarks: a slow link (latency, connection set-up, ramp) in front of both servers (link.ts). */
	link?: LinkOptions;
}

/** The SHA-256 of a file, read as a stream. */
export async function sha256File(path: string): Promise<string> {
	const hash = createHash('sha256');
	for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
	return hash.digest('hex');
}

async function walkFiles(root: string, dir = root): Promise<string[]> {
	let entries;
	try {
		entries = await fsp.readdir(dir, { withFileTypes: true });
	} catch {
		return [];
	}
	const out: string[] = [];
	for (const e of entries) {
		const full = join(dir, e.name);
		if (e.isDirectory()) out.push(...(await walkFiles(root, full)));
		else if (e.isFile()) out.push(full);
	}
	return out;
}

function buildApiRouter(): Router {
	const router = new Router();
	registerTeams(router);
	registerPackages(router);
	registerUploads(router);
	registerDownloads(router);
	registerPortals(router);
	registerSpaces(router);
	registerTags(router);
	registerWebhooks(router);
	registerIntegrations(router);
	registerActivities(router);
	return router;
}

class MasvEmulator implements Emulator {
	url = '';
	storageUrl = '';
	seed!: SeedInfo;
	servers!: Servers;
	readonly admin: EmulatorAdmin;

	constructor(
		readonly core: Core,
		readonly dataDir: string,
		private readonly removeDataDir: boolean,
	) {
		this.admin = this.buildAdmin();
	}

	get apiKey(): string {
		return this.seed.apiKey;
	}

	get teamId(): string {
		return this.seed.teamId;
	}

	get faults(): FaultRegistry {
		return this.core.faults;
	}

	get config(): EmulatorConfig {
		return this.core.config;
	}

	requests(filter: RequestFilter = {}): RequestRecord[] {
		return this.core.requestLog.filter((r) => {
			if (filter.kind && r.kind !== filter.kind) return false;
			if (filter.method && r.method !== filter.method.toUpperCase()) return false;
			if (filter.path !== undefined && !(typeof filter.path === 'string' ? r.path === filter.path : filter.path.test(r.path))) return false;
			return true;
		});
	}

	resetRequests(): void {
		this.core.requestLog = [];
	}

	files(): Promise<FinalizedFileInfo[]> {
		return this.core.finalizedFileReport();
	}

	async objects(): Promise<StoredObjectInfo[]> {
		const out: StoredObjectInfo[] = [];
		for (const o of this.core.storage.objects.values()) {
			if (o.bucket === this.core.config.bucket || !(o.content instanceof Blob)) continue;
			await o.content.ready;
			out.push({ bucket: o.bucket, key: o.key, size: o.content.size, etag: o.etag, sha256: o.content.sha256 ?? '' });
		}
		return out;
	}

	async close(): Promise<void> {
		await this.servers.close();
		await this.core.shutdown();
		if (this.removeDataDir) await fsp.rm(this.dataDir, { recursive: true, force: true });
	}

	private teamOr(teamId?: string): string {
		const id = teamId ?? this.seed.teamId;
		if (!this.core.state.teams.has(id)) throw notFound('team');
		return id;
	}

	private buildAdmin(): EmulatorAdmin {
		const core = this.core;
		return {
			createTeam: (opts = {}) => createTeam(core, opts),
			createApiKey: (opts = {}) => {
				const teamId = this.teamOr(opts.teamId);
				let userId = opts.userId;
				if (opts.membershipId) {
					const m = core.state.memberships.get(opts.membershipId);
					if (!m) throw notFound('membership');
					userId = m.userId;
				}
				userId ??= core.state.membershipsOfTeam(teamId).find((m) => m.policyKey === 'owner')?.userId;
				if (!userId || !core.state.membershipOf(userId, teamId)) throw new ApiError(400, 'user is not a member of the team');
				const expiry = typeof opts.expiry === 'string' ? Date.parse(opts.expiry) : opts.expiry;
				return createApiKey(core, { teamId, userId, name: opts.name, state: opts.state, expiry: expiry && !Number.isNaN(expiry) ? expiry : 0 });
			},
			addMember: (opts) => {
				const teamId = this.teamOr(opts.teamId);
				const m = addMember(core, teamId, { email: opts.email, name: opts.name ?? opts.email.split('@')[0], role: opts.role ?? 'member' });
				return { membershipId: m.id, userId: m.userId, email: opts.email, name: core.state.users.get(m.userId)?.name ?? '', policyKey: m.policyKey };
			},
			setPackageState: (packageId, state) => {
				const pkg = core.state.packages.get(packageId);
				if (!pkg) throw notFound('package');
				core.setPackageState(pkg, state);
				return packageJson(core, pkg);
			},
			getPackage: (packageId) => {
				const pkg = core.state.packages.get(packageId);
				if (!pkg) return undefined;
				const files = pkg.fileIds.map((id) => core.state.files.get(id)).filter((f) => !!f);
				return { ...packageJson(core, pkg), team_id: pkg.teamId, files: files.map(fileJson) };
			},
			packageToken: (packageId, level = 'f') => {
				const pkg = core.state.packages.get(packageId);
				if (!pkg) throw notFound('package');
				return core.packageToken(pkg, level);
			},
			createCloudConnection: (opts = {}) => {
				const c = createConnection(core, {
					teamId: this.teamOr(opts.teamId),
					name: opts.name ?? 'Emulator connection',
					provider: opts.provider ?? 'amazon_s3',
					direction: opts.direction ?? 'masv_to_cloud',
					targetDirectoryId: opts.targetDirectoryId,
				});
				core.track(fsp.mkdir(core.integrationDir(c.id), { recursive: true }));
				return { ...connectionJson(c), dir: core.integrationDir(c.id) };
			},
			integrationDir: (id) => core.integrationDir(id),
			integrationFiles: async (id) => {
				await core.idle();
				const root = core.integrationDir(id);
				const files = (await walkFiles(root)).sort();
				return Promise.all(
					files.map(async (full) => ({ path: relative(root, full).split('\\').join('/'), size: (await fsp.stat(full)).size, sha256: await sha256File(full) })),
				);
			},
			advanceClock: (ms) => {
				core.clockOffsetMs += ms;
				return core.now();
			},
			setConfig: (partial) => {
				for (const [k, v] of Object.entries(partial)) {
					if (!(k in DEFAULT_CONFIG)) throw new ApiError(400, `unknown config key ${k}`);
					if (typeof v !== typeof DEFAULT_CONFIG[k as keyof EmulatorConfig]) throw new ApiError(400, `config ${k} must be a ${typeof DEFAULT_CONFIG[k as keyof EmulatorConfig]}`);
				}
				Object.assign(core.config, partial);
				return { ...core.config };
			},
			webhookDeliveries: () => [...core.state.webhookDeliveries],
			releaseWebhooks: (order, together) => core.releaseWebhooks(order, together),
			redeliverWebhook: (eventId) => core.redeliver(eventId),
			setCustomWebhooks: (enabled, teamId) => {
				const id = this.teamOr(teamId);
				if (enabled) core.state.customWebhooksOff.delete(id);
				else core.state.customWebhooksOff.add(id);
			},
			setPackageMetadata: (packageId, fields) => {
				const pkg = core.state.packages.get(packageId);
				if (!pkg) throw notFound('package');
				pkg.metadata = fields;
			},
			idle: () => core.idle(),
			reset: async () => {
				await core.idle();
				core.state = new State();
				core.heldWebhooks = [];
				for (const upload of [...core.storage.uploads.values()]) await core.storage.abort(upload);
				core.storage.objects.clear();
				for (const dir of ['parts', 'objects', 'blobs', 'integrations']) await fsp.rm(join(this.dataDir, dir), { recursive: true, force: true });
				await core.init();
				core.faults.clear();
				core.sources.clear();
				core.requestLog = [];
				core.clockOffsetMs = 0;
				this.seed = await applySeed(core, this.seed);
				return this.seed;
			},
			stateSummary: () => {
				const s = core.state;
				return {
					url: this.url,
					storageUrl: this.storageUrl,
					dataDir: this.dataDir,
					now: new Date(core.now()).toISOString(),
					clockOffsetMs: core.clockOffsetMs,
					config: core.config,
					seed: this.seed,
					counts: {
						teams: s.teams.size,
						memberships: s.memberships.size,
						apiKeys: s.apiKeys.size,
						packages: s.packages.size,
						files: s.files.size,
						links: s.links.size,
						portals: s.portals.size,
						teamspaces: s.spaces.size,
						tags: s.tags.size,
						cloudConnections: s.connections.size,
						transfers: s.transfers.size,
						activities: s.activities.size,
						openUploads: core.storage.uploads.size,
						objects: core.storage.objects.size,
						requests: core.requestLog.length,
					},
					packages: [...s.packages.values()].map((p) => ({
						id: p.id,
						name: p.name,
						state: p.state,
						teamId: p.teamId,
						portalId: p.portalId,
						teamspaceId: p.teamspaceId,
						files: core.finalizedFiles(p).length,
					})),
					faults: { totalFired: core.faults.totalFired, pending: core.faults.pending().length },
				};
			},
		};
	}
}

/** Starts the emulator (API + storage servers) with its seed data. */
export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
	const host = options.host ?? '127.0.0.1';
	const ownDir = options.dataDir === undefined;
	const dataDir = options.dataDir ?? (await fsp.mkdtemp(join(tmpdir(), 'masv-emulator-')));
	await fsp.mkdir(dataDir, { recursive: true });
	const core = new Core(dataDir, { ...DEFAULT_CONFIG, ...options.config });
	await core.init();
	const emu = new MasvEmulator(core, dataDir, ownDir && !options.keepDataDir);
	emu.seed = await applySeed(core);
	emu.servers = await startServers(core, buildApiRouter(), buildAdminRouter(emu), {
		host,
		port: options.port ?? 0,
		storagePort: options.storagePort ?? 0,
	});
	const urlHost = host.includes(':') ? `[${host}]` : host;
	let { apiPort, storagePort } = emu.servers;
	if (options.link && options.link.rttMs > 0) {
		// Clients reach both servers through the slow link; the servers themselves are unchanged.
		const servers = emu.servers;
		const apiLink = await startLink(host, { address: host, family: '', port: apiPort }, options.link);
		const storageLink = await startLink(host, { address: host, family: '', port: storagePort }, options.link);
		({ port: apiPort } = apiLink);
		({ port: storagePort } = storageLink);
		const closeServers = servers.close.bind(servers);
		servers.close = async () => {
			for (const link of [apiLink, storageLink]) link.close();
			await closeServers();
		};
	}
	emu.url = `http://${urlHost}:${apiPort}`;
	emu.storageUrl = `http://${urlHost}:${storagePort}`;
	core.apiUrl = emu.url;
	core.storage.baseUrl = emu.storageUrl;
	return emu;
}
