// The emulator's handle as tests, tools and the admin router see it: types only, in a module of its
// own so that index.ts (which builds the handle) and admin.ts (which serves it over HTTP) do not
// import each other.
import type { Core, EmulatorConfig, FinalizedFileInfo, RequestRecord } from './core';
import type { FaultRegistry } from './faults';
import type { Json } from './http';
import type { SeedInfo, SeedMember, TeamSeed } from './seed';
import type { PackageState, Role, WebhookDelivery } from './state';

export interface RequestFilter {
	kind?: 'api' | 'storage' | 'source';
	method?: string;
	path?: string | RegExp;
}

export interface StoredObjectInfo {
	bucket: string;
	key: string;
	size: number;
	etag: string;
	sha256: string;
}

export interface IntegrationFile {
	/** Path relative to the connection folder, `/`-separated. */
	path: string;
	size: number;
	sha256: string;
}

export interface EmulatorAdmin {
	/** A new team (owner, admin, member, guest) with an owner API key. */
	createTeam(opts?: { name?: string }): TeamSeed;
	/** An API key for a user of a team (default: the seed team's owner). */
	createApiKey(opts?: { teamId?: string; userId?: string; membershipId?: string; state?: 'active' | 'inactive'; expiry?: number | string; name?: string }): { id: string; key: string };
	addMember(opts: { teamId?: string; email: string; name?: string; role?: Role }): SeedMember;
	/** Forces a package state (expired/archived delete its content). */
	setPackageState(packageId: string, state: PackageState): Json;
	/** Package object plus its files, or undefined. */
	getPackage(packageId: string): Json | undefined;
	/** A fresh package token (`f` full or `d` download). */
	packageToken(packageId: string, level?: 'f' | 'd'): string;
	createCloudConnection(opts?: { teamId?: string; name?: string; provider?: string; direction?: 'masv_to_cloud' | 'cloud_to_masv'; targetDirectoryId?: string }): Json;
	/** The folder on disk standing for a cloud connection's storage. */
	integrationDir(connectionId: string): string;
	/** Every file under the connection folder with its SHA-256. */
	integrationFiles(connectionId: string): Promise<IntegrationFile[]>;
	/** Moves the emulator clock forward (token, URL and package expiry); returns the new now (ms). */
	advanceClock(ms: number): number;
	setConfig(partial: Partial<EmulatorConfig>): EmulatorConfig;
	webhookDeliveries(): WebhookDelivery[];
	/** Sends the deliveries held by config `holdWebhooks`: in the order made or reversed, one by one or all at once. */
	releaseWebhooks(order?: 'made' | 'reverse', together?: boolean): Promise<WebhookDelivery[]>;
	/** Sends a delivery (by event ID) once more, as MASV's next attempt. */
	redeliverWebhook(eventId: string): Promise<WebhookDelivery>;
	/** Turns the custom-webhook feature on or off for a team (default: the seed team); off answers 403. */
	setCustomWebhooks(enabled: boolean, teamId?: string): void;
	/** The custom metadata (portal form answers, §5.14) of a package: `[{name, value}]`. */
	setPackageMetadata(packageId: string, fields: Array<{ name: string; value: string }>): void;
	/** Waits for background work (hashing, portal deliveries, webhooks). */
	idle(): Promise<void>;
	/** Back to the seed (same ids and API key); clears files, faults and the request log. */
	reset(): Promise<SeedInfo>;
	stateSummary(): Json;
}

export interface Emulator {
	/** API base URL, e.g. http://127.0.0.1:43121 (no trailing slash). */
	url: string;
	/** Storage base URL (path-style S3 endpoint). */
	storageUrl: string;
	/** API key of the seed team's owner. */
	apiKey: string;
	/** The seed team. */
	teamId: string;
	dataDir: string;
	seed: SeedInfo;
	faults: FaultRegistry;
	config: EmulatorConfig;
	/** Logged requests, oldest first. */
	requests(filter?: RequestFilter): RequestRecord[];
	resetRequests(): void;
	/** Every finalized file of every package, with its SHA-256 (waits for hashing). */
	files(): Promise<FinalizedFileInfo[]>;
	/** Objects written through the plain S3 API (not MASV package files). */
	objects(): Promise<StoredObjectInfo[]>;
	admin: EmulatorAdmin;
	/** The engine, for tests that need to poke at state directly. */
	core: Core;
	close(): Promise<void>;
}

/** What the admin router needs. */
export type EmulatorHandle = Emulator;
