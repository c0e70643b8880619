// JSON shapes of the emulator's objects, as docs/masv-api.md describes them (UNCERTAIN extras noted).
import type { Core } from './core';
import type { Json } from './http';
import type { Activity, Connection, Link, Membership, PFile, Pkg, Portal, Space, SpaceMembership, Tag, Team, Transfer } from './state';
import { iso, ZERO_TIME } from './util';

export function teamJson(core: Core, team: Team): Json {
	// §3.1: id, name, subdomain + the five MASV Agent fields.
	return {
		id: team.id,
		name: team.name,
		subdomain: team.subdomain,
		custom_expiry_default: core.config.defaultExpiryDays,
		custom_expiry_enabled: false,
		download_limit_default: core.config.defaultAccessLimit,
		download_limit_enabled: true,
		max_email_recipients: 25,
		created_at: iso(team.createdAt),
	};
}

export function memberJson(core: Core, m: Membership): Json {
	const user = core.state.users.get(m.userId);
	const spaces = [...core.state.spaceMembers.values()]
		.filter((sm) => sm.membershipId === m.id)
		.map((sm) => core.state.spaces.get(sm.spaceId))
		.filter((s): s is Space => !!s)
		.map((s) => ({ id: s.id, name: s.name }));
	return {
		id: m.id,
		user_id: m.userId,
		team_id: m.teamId,
		email: user?.email ?? '',
		name: user?.name ?? '',
		approved: true,
		policy_key: m.policyKey,
		policy_name: m.policyKey.replace(/_/g, ' ').replace(/\b\w/g, (c) => c.toUpperCase()),
		invited: iso(m.invitedAt),
		invited_by: m.invitedBy,
		invitation_kind: 'email',
		invitation_sent: iso(m.invitedAt),
		invitation_accepted: iso(m.invitedAt),
		mfa_factors: 0,
		teamspaces: spaces,
	};
}

export function tagJson(tag: Tag): Json {
	return {
		id: tag.id,
		name: tag.name,
		team_id: tag.teamId,
		active: tag.active,
		created_at: iso(tag.createdAt),
		updated_at: iso(tag.updatedAt),
	};
}

export function linkJson(link: Link, pkg: Pkg, withSecret: boolean): Json {
	const out: Json = {
		id: link.id,
		email: link.email,
		password: link.password ? '****' : '',
		active: !link.disabled && pkg.state === 'finalized',
		access_limit: link.accessLimit,
		access_limit_enabled: link.accessLimit > 0,
		access_count: link.accessCount,
		expiry: iso(pkg.expiry || 253402300799000),
		accessed_at: link.accessedAt ? iso(link.accessedAt) : ZERO_TIME,
		created_at: iso(link.createdAt),
	};
	if (withSecret) out.download_secret = link.secret;
	return out;
}

/** Package object (§5.2); `access_token` is a fresh full-level token. */
export function packageJson(core: Core, pkg: Pkg): Json {
	core.refreshPackage(pkg);
	const files = core.finalizedFiles(pkg);
	const tag = pkg.tagId ? core.state.tags.get(pkg.tagId) : undefined;
	const out: Json = {
		id: pkg.id,
		name: pkg.name,
		description: pkg.description,
		sender: pkg.sender,
		state: pkg.state,
		access_token: core.packageToken(pkg, 'f', { uid: pkg.senderUserId || undefined }),
		access_limit: pkg.accessLimit,
		size: files.reduce((n, f) => n + (f.blob?.size ?? 0), 0),
		total_files: files.length,
		contains_virus: false,
		created_at: iso(pkg.createdAt),
		updated_at: iso(pkg.updatedAt),
		expiry: pkg.unlimitedStorage || !pkg.expiry ? ZERO_TIME : iso(pkg.expiry),
		custom_expiry: pkg.customExpiry,
		unlimited_storage: pkg.unlimitedStorage,
		extra_storage_days: 0,
		extra_storage_updated_at: ZERO_TIME,
		extras: {},
		teamspace_id: pkg.teamspaceId,
		// UNCERTAIN §5.2: portal_id and recipients on package objects; the emulator includes both.
		portal_id: pkg.portalId,
		recipients: pkg.recipients,
		links: pkg.linkIds.map((id) => core.state.links.get(id)).filter((l): l is Link => !!l).map((l) => linkJson(l, pkg, false)),
		progress_channels: [],
	};
	if (pkg.finalizedAt) out.finalized_at = iso(pkg.finalizedAt);
	if (tag) out.tag = { id: tag.id, name: tag.name, description: '' };
	return out;
}

export function fileJson(file: PFile): Json {
	return {
		id: file.id,
		kind: file.kind,
		name: file.name,
		path: file.path,
		size: file.blob ? file.blob.size : (file.declaredSize ?? 0),
		last_modified: file.lastModified,
		virus_detected: false,
		completed: file.state === 'finalized',
	};
}

export function portalJson(portal: Portal): Json {
	const data = { ...portal.data };
	// Write-only secrets are never echoed (§9.1), only their stored has_* flags.
	delete data.access_code;
	delete data.download_password;
	return {
		id: portal.id,
		team_id: portal.teamId,
		...data,
		has_access_code: data.has_access_code === true,
		has_download_password: data.has_download_password === true,
		created_at: iso(portal.createdAt),
		updated_at: iso(portal.updatedAt),
	};
}

export function spaceJson(core: Core, space: Space): Json {
	const members = [...core.state.spaceMembers.values()]
		.filter((sm) => sm.spaceId === space.id)
		.map((sm) => {
			const m = core.state.memberships.get(sm.membershipId);
			const user = m ? core.state.users.get(m.userId) : undefined;
			// UNCERTAIN §10.1: members[].id is the team membership id here.
			return { id: sm.membershipId, user_id: m?.userId ?? '', name: user?.name ?? '', email: user?.email ?? '', teamspace_membership_id: sm.id };
		});
	return {
		id: space.id,
		name: space.name,
		team_id: space.teamId,
		members,
		created_at: iso(space.createdAt),
		updated_at: iso(space.updatedAt),
	};
}

export function spaceMembershipJson(sm: SpaceMembership): Json {
	return { id: sm.id, membership_id: sm.membershipId, teamspace_id: sm.spaceId, created_at: iso(sm.createdAt) };
}

export function connectionJson(c: Connection): Json {
	return {
		id: c.id,
		team_id: c.teamId,
		name: c.name,
		provider: c.provider,
		direction: c.direction,
		state: c.state,
		target_directory_id: c.targetDirectoryId,
		source_directory_ids: c.sourceDirectoryIds,
		upload_transfer_manifest: c.uploadTransferManifest,
		created_at: iso(c.createdAt),
		updated_at: iso(c.updatedAt),
	};
}

export function transferJson(t: Transfer): Json {
	// UNCERTAIN §14.7-14.8: fields beyond id/state are emulator choices.
	return {
		id: t.id,
		package_id: t.packageId,
		cloud_connection_id: t.connectionId,
		direction: t.direction,
		provider: t.provider,
		state: t.state,
		files: t.files,
		total_files: t.filesTotal,
		total_bytes: t.bytesTotal,
		destination: t.destination,
		notify_email: t.notifyEmail,
		extras: t.extras,
		created_at: iso(t.createdAt),
		updated_at: iso(t.updatedAt),
	};
}

export function activityJson(a: Activity): Json {
	// UNCERTAIN §15.2: record fields.
	return {
		id: a.id,
		type: a.type,
		state: a.state,
		package_id: a.packageId,
		portal_id: a.portalId,
		teamspace_id: a.teamspaceId,
		link_id: a.linkId,
		transfer_id: a.transferId,
		extras: a.extras,
		created_at: iso(a.createdAt),
		updated_at: iso(a.updatedAt),
	};
}
