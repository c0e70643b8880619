// The emulator's in-memory model. Everything here is plain data; behaviour lives in core.ts and api/*.
import type { Blob } from './blobs';
import type { Json } from './http';

export type Role = 'owner' | 'admin' | 'member' | 'guest' | 'integration_manager';
export type PackageState = 'new' | 'finalized' | 'expired' | 'archived';
export type ActivityType =
	| 'package_upload_to_masv'
	| 'package_download_from_masv'
	| 'link_generation'
	| 'package_transfer_masv_to_cloud';
export type ActivityState = 'pending' | 'started' | 'complete' | 'cancelled' | 'error';

export interface User {
	id: string;
	email: string;
	name: string;
	password: string;
}

export interface Team {
	id: string;
	name: string;
	subdomain: string;
	createdAt: number;
}

export interface Membership {
	id: string;
	userId: string;
	teamId: string;
	policyKey: Role;
	invitedAt: number;
	invitedBy: string;
}

export interface ApiKey {
	id: string;
	secret: string;
	teamId: string;
	userId: string;
	name: string;
	description: string;
	state: 'active' | 'inactive';
	/** 0 = never expires. */
	expiry: number;
	createdAt: number;
	updatedAt: number;
}

export interface Pkg {
	id: string;
	seq: number;
	teamId: string;
	portalId: string;
	teamspaceId: string;
	tagId: string;
	name: string;
	description: string;
	sender: string;
	senderUserId: string;
	recipients: string[];
	password: string;
	accessLimit: number;
	state: PackageState;
	createdAt: number;
	updatedAt: number;
	finalizedAt: number;
	expiry: number;
	unlimitedStorage: boolean;
	customExpiry: boolean;
	fileIds: string[];
	linkIds: string[];
	metadata: { name: string; value: string }[];
	uploadActivityId: string;
	/** Id of the `zip_windows` entry, set at finalize. */
	zipId: string;
}

export interface PFile {
	id: string;
	packageId: string;
	kind: 'file';
	name: string;
	path: string;
	declaredSize: number | null;
	chunkSize: number;
	lastModified: string;
	state: 'new' | 'finalized';
	/** Object key in the emulator bucket. */
	key: string;
	uploadIds: Set<string>;
	finalUploadId: string;
	blob: Blob | null;
	createdAt: number;
}

export interface Link {
	id: string;
	packageId: string;
	secret: string;
	email: string;
	password: string;
	disabled: boolean;
	accessLimit: number;
	accessCount: number;
	accessedAt: number;
	createdAt: number;
	activityId: string;
}

export interface Portal {
	id: string;
	teamId: string;
	seq: number;
	/** Every writable portal field as last written (docs/masv-api.md §9.1), with defaults applied. */
	data: Json;
	createdAt: number;
	updatedAt: number;
}

export interface Space {
	id: string;
	teamId: string;
	seq: number;
	name: string;
	createdAt: number;
	updatedAt: number;
}

export interface SpaceMembership {
	id: string;
	spaceId: string;
	membershipId: string;
	createdAt: number;
}

export interface Tag {
	id: string;
	teamId: string;
	name: string;
	active: boolean;
	createdAt: number;
	updatedAt: number;
}

export interface Webhook {
	id: string;
	teamId: string;
	data: Json;
	createdAt: number;
	updatedAt: number;
}

export interface WebhookDelivery {
	/** The event's `event_id`. */
	id: string;
	webhookId: string;
	url: string;
	method: string;
	/** The webhook's static headers, sent with every attempt. */
	headers: Record<string, string>;
	body: Json;
	/** Attempts made (each one sent `webhookCopies` times). */
	attempts: number;
	/** Status of the last answer (0 when there was none). */
	status: number | null;
	error: string | null;
	/** Status of every copy of every attempt, in order (0: no answer). */
	statuses: number[];
}

export interface Form {
	id: string;
	portalId: string;
	data: Json;
	createdAt: number;
	updatedAt: number;
}

export interface Connection {
	id: string;
	teamId: string;
	name: string;
	provider: string;
	direction: 'masv_to_cloud' | 'cloud_to_masv';
	state: string;
	targetDirectoryId: string;
	sourceDirectoryIds: string[];
	uploadTransferManifest: boolean;
	createdAt: number;
	updatedAt: number;
}

export interface Transfer {
	id: string;
	packageId: string;
	connectionId: string;
	direction: 'masv_to_cloud' | 'cloud_to_masv';
	provider: string;
	state: ActivityState;
	files: Json[];
	filesTotal: number;
	bytesTotal: number;
	destination: string;
	extras: Json;
	notifyEmail: string;
	createdAt: number;
	updatedAt: number;
}

export interface ActivityEvent {
	id: string;
	state: ActivityState;
	createdAt: number;
	extras: Json;
}

export interface Activity {
	id: string;
	seq: number;
	teamId: string;
	type: ActivityType;
	state: ActivityState;
	packageId: string;
	portalId: string;
	teamspaceId: string;
	linkId: string;
	transferId: string;
	extras: Json;
	createdAt: number;
	updatedAt: number;
	events: ActivityEvent[];
}

/** A download session: one link-derived (or full) package token's downloads. */
export interface DownloadSession {
	id: string;
	packageId: string;
	linkId: string;
	activityId: string;
	bytesServed: Map<string, number>;
	complete: boolean;
}

export class State {
	seq = 0;
	users = new Map<string, User>();
	teams = new Map<string, Team>();
	memberships = new Map<string, Membership>();
	/** Keyed by the secret value. */
	apiKeys = new Map<string, ApiKey>();
	packages = new Map<string, Pkg>();
	files = new Map<string, PFile>();
	links = new Map<string, Link>();
	portals = new Map<string, Portal>();
	spaces = new Map<string, Space>();
	spaceMembers = new Map<string, SpaceMembership>();
	tags = new Map<string, Tag>();
	webhooks = new Map<string, Webhook>();
	/**
	 * Teams without the custom-webhook feature (§13: enabled per team on request). The 403 they get
	 * is an emulator invention: no source documents the refusal (docs/masv-api.md §13, decision 7).
	 */
	customWebhooksOff = new Set<string>();
	webhookDeliveries: WebhookDelivery[] = [];
	forms = new Map<string, Form>();
	connections = new Map<string, Connection>();
	transfers = new Map<string, Transfer>();
	activities = new Map<string, Activity>();
	sessions = new Map<string, DownloadSession>();

	nextSeq(): number {
		return ++this.seq;
	}

	apiKeyById(id: string): ApiKey | undefined {
		for (const key of this.apiKeys.values()) if (key.id === id) return key;
		return undefined;
	}

	membershipsOfTeam(teamId: string): Membership[] {
		return [...this.memberships.values()].filter((m) => m.teamId === teamId);
	}

	membershipOf(userId: string, teamId: string): Membership | undefined {
		for (const m of this.memberships.values()) if (m.userId === userId && m.teamId === teamId) return m;
		return undefined;
	}
}
