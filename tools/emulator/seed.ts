// Seed data: one team with members, an API key bound to the owner, a portal, a tag, a Teamspace
// and three cloud connections (S3 out, S3 in with files on disk, a storage gateway). Also the
// admin helpers that add teams, members and API keys.
import { promises as fsp } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Core } from './core';
import { defaultPortalData } from './api/portals';
import type { Connection, Membership, Role } from './state';
import { alnum, ulid } from './util';

export interface SeedMember {
	membershipId: string;
	userId: string;
	email: string;
	name: string;
	policyKey: Role;
}

export interface TeamSeed {
	teamId: string;
	teamName: string;
	teamSubdomain: string;
	apiKey: string;
	apiKeyId: string;
	owner: SeedMember & { password: string };
	members: SeedMember[];
}

export interface SeedInfo extends TeamSeed {
	/** X-User-Token of the owner (for API key management routes). */
	userToken: string;
	portalId: string;
	portalName: string;
	portalSubdomain: string;
	tagId: string;
	tagName: string;
	teamspaceId: string;
	teamspaceName: string;
	cloudConnections: { s3OutId: string; s3InId: string; gatewayId: string };
	/** Files present in the S3-in connection's folder (relative keys → contents length). */
	s3InFiles: Record<string, number>;
	bucket: string;
}

export const SEED_PASSWORD = 'emulator-password';

function memberSeed(core: Core, m: Membership): SeedMember {
	const user = core.state.users.get(m.userId);
	return { membershipId: m.id, userId: m.userId, email: user?.email ?? '', name: user?.name ?? '', policyKey: m.policyKey };
}

export function addMember(core: Core, teamId: string, init: { email: string; name: string; role: Role; userId?: string; membershipId?: string }): Membership {
	const now = core.now();
	let userId = init.userId;
	if (!userId) {
		const existing = [...core.state.users.values()].find((u) => u.email.toLowerCase() === init.email.toLowerCase());
		userId = existing?.id ?? ulid(now);
	}
	if (!core.state.users.has(userId)) core.state.users.set(userId, { id: userId, email: init.email, name: init.name, password: SEED_PASSWORD });
	const owner = core.state.membershipsOfTeam(teamId).find((m) => m.policyKey === 'owner');
	const membership: Membership = {
		id: init.membershipId ?? ulid(now),
		userId,
		teamId,
		policyKey: init.role,
		invitedAt: now,
		invitedBy: owner?.userId ?? userId,
	};
	core.state.memberships.set(membership.id, membership);
	return membership;
}

export function createApiKey(core: Core, init: { teamId: string; userId: string; name?: string; secret?: string; id?: string; state?: 'active' | 'inactive'; expiry?: number }): { id: string; key: string } {
	const now = core.now();
	const key = init.secret ?? `masv_emu_${alnum(40)}`;
	const id = init.id ?? ulid(now);
	core.state.apiKeys.set(key, {
		id,
		secret: key,
		teamId: init.teamId,
		userId: init.userId,
		name: init.name ?? 'emulator key',
		description: '',
		state: init.state ?? 'active',
		expiry: init.expiry ?? 0,
		createdAt: now,
		updatedAt: now,
	});
	return { id, key };
}

/** A team with an owner, an admin and a member (and a guest), and an API key of the owner. */
export function createTeam(core: Core, opts: { name?: string; previous?: TeamSeed; emailDomain?: string } = {}): TeamSeed {
	const prev = opts.previous;
	const now = core.now();
	const teamId = prev?.teamId ?? ulid(now);
	const name = prev?.teamName ?? opts.name ?? `Team ${teamId.slice(-6)}`;
	const subdomain = prev?.teamSubdomain ?? `team-${teamId.slice(-8).toLowerCase()}`;
	core.state.teams.set(teamId, { id: teamId, name, subdomain, createdAt: now });
	const domain = opts.emailDomain ?? `${subdomain}.example.com`;
	const people: { role: Role; first: string; last: string }[] = [
		{ role: 'owner', first: 'Olivia', last: 'Owner' },
		{ role: 'admin', first: 'Adam', last: 'Admin' },
		{ role: 'member', first: 'Mia', last: 'Member' },
		{ role: 'guest', first: 'Gus', last: 'Guest' },
	];
	const members = people.map((p, i) => {
		const previous = prev?.members[i];
		const m = addMember(core, teamId, {
			email: previous?.email ?? `${p.first.toLowerCase()}@${domain}`,
			name: previous?.name ?? `${p.first} ${p.last}`,
			role: p.role,
			userId: previous?.userId,
			membershipId: previous?.membershipId,
		});
		return memberSeed(core, m);
	});
	const owner = members[0];
	const key = createApiKey(core, { teamId, userId: owner.userId, name: 'emulator owner key', secret: prev?.apiKey, id: prev?.apiKeyId });
	return {
		teamId,
		teamName: name,
		teamSubdomain: subdomain,
		apiKey: key.key,
		apiKeyId: key.id,
		owner: { ...owner, password: SEED_PASSWORD },
		members,
	};
}

export function createConnection(core: Core, init: { teamId: string; name: string; provider: string; direction: Connection['direction']; id?: string; targetDirectoryId?: string; sourceDirectoryIds?: string[] }): Connection {
	const now = core.now();
	const connection: Connection = {
		id: init.id ?? ulid(now),
		teamId: init.teamId,
		name: init.name,
		provider: init.provider,
		direction: init.direction,
		state: 'ok',
		targetDirectoryId: init.targetDirectoryId ?? '',
		sourceDirectoryIds: init.sourceDirectoryIds ?? [],
		uploadTransferManifest: false,
		createdAt: now,
		updatedAt: now,
	};
	core.state.connections.set(connection.id, connection);
	return connection;
}

/** Deterministic bytes for seeded cloud files. */
export function seedBytes(length: number, salt: number): Buffer {
	const buf = Buffer.alloc(length);
	let x = (salt * 2654435761) >>> 0 || 1;
	for (let i = 0; i < length; i++) {
		x ^= x << 13;
		x >>>= 0;
		x ^= x >>> 17;
		x ^= x << 5;
		x >>>= 0;
		buf[i] = x & 0xff;
	}
	return buf;
}

const S3_IN_FILES: Record<string, number> = {
	'media/clip-a.bin': 300 * 1024,
	'media/stills/still-1.bin': 4096,
	'media/stills/still-2.bin': 5000,
	'readme.txt': 64,
};

const GATEWAY_FILES: Record<string, number> = {
	'projects/show/ep1.mov': 128 * 1024,
	'projects/show/notes.txt': 100,
};

async function writeFiles(root: string, files: Record<string, number>): Promise<void> {
	let salt = 1;
	for (const [rel, size] of Object.entries(files)) {
		const target = join(root, rel);
		await fsp.mkdir(dirname(target), { recursive: true });
		await fsp.writeFile(target, rel.endsWith('.txt') ? Buffer.from('x'.repeat(size)) : seedBytes(size, salt++));
	}
}

export async function applySeed(core: Core, previous?: SeedInfo): Promise<SeedInfo> {
	const team = createTeam(core, { name: 'Emulator Team', previous, emailDomain: 'emulator.example.com' });
	const now = core.now();
	const tagId = previous?.tagId ?? ulid(now);
	core.state.tags.set(tagId, { id: tagId, teamId: team.teamId, name: 'emulator-tag', active: true, createdAt: now, updatedAt: now });

	const teamspaceId = previous?.teamspaceId ?? ulid(now);
	core.state.spaces.set(teamspaceId, { id: teamspaceId, teamId: team.teamId, seq: core.state.nextSeq(), name: 'Emulator Space', createdAt: now, updatedAt: now });
	for (const m of [team.members[0], team.members[2]]) {
		const smId = ulid(now);
		core.state.spaceMembers.set(smId, { id: smId, spaceId: teamspaceId, membershipId: m.membershipId, createdAt: now });
	}

	const portalId = previous?.portalId ?? ulid(now);
	core.state.portals.set(portalId, {
		id: portalId,
		teamId: team.teamId,
		seq: core.state.nextSeq(),
		data: {
			...defaultPortalData(core),
			name: 'Emulator Portal',
			subdomain: 'emulator-portal',
			message: 'Send us your files',
			active: true,
			recipients: [team.owner.email],
		},
		createdAt: now,
		updatedAt: now,
	});

	const s3Out = createConnection(core, { teamId: team.teamId, name: 'Emulator S3 (deliveries)', provider: 'amazon_s3', direction: 'masv_to_cloud', id: previous?.cloudConnections.s3OutId, targetDirectoryId: 'deliveries' });
	const s3In = createConnection(core, { teamId: team.teamId, name: 'Emulator S3 (imports)', provider: 'amazon_s3', direction: 'cloud_to_masv', id: previous?.cloudConnections.s3InId, sourceDirectoryIds: ['media/'] });
	const gateway = createConnection(core, { teamId: team.teamId, name: 'Emulator Storage Gateway', provider: 'storage_gateway', direction: 'masv_to_cloud', id: previous?.cloudConnections.gatewayId });
	for (const c of [s3Out, s3In, gateway]) await fsp.mkdir(core.integrationDir(c.id), { recursive: true });
	await writeFiles(core.integrationDir(s3In.id), S3_IN_FILES);
	await writeFiles(core.integrationDir(gateway.id), GATEWAY_FILES);

	return {
		...team,
		userToken: core.userToken(team.owner.userId),
		portalId,
		portalName: 'Emulator Portal',
		portalSubdomain: 'emulator-portal',
		tagId,
		tagName: 'emulator-tag',
		teamspaceId,
		teamspaceName: 'Emulator Space',
		cloudConnections: { s3OutId: s3Out.id, s3InId: s3In.id, gatewayId: gateway.id },
		s3InFiles: { ...S3_IN_FILES },
		bucket: core.config.bucket,
	};
}
