// §15 activities: v1.1 list with filters, and an activity's events.
import { requireTeam } from '../auth';
import { LIMIT_CAP, applySort, dateBound, listParam, pageParams, paginate } from '../lists';
import type { Router } from '../router';
import { activityJson } from '../serialize';
import type { ActivityState, ActivityType } from '../state';
import { iso, notFound, validationError } from '../util';

const TYPES: ActivityType[] = ['package_upload_to_masv', 'package_download_from_masv', 'link_generation', 'package_transfer_masv_to_cloud'];
const STATES: ActivityState[] = ['pending', 'started', 'complete', 'cancelled', 'error'];

export function registerActivities(router: Router): void {
	// UNCERTAIN §15.2 (#45): `{metadata:{total}, records}`.
	router.get('/v1.1/teams/:teamId/activities', (ctx) => {
		const { team } = requireTeam(ctx, ctx.params.teamId);
		const q = ctx.query;
		const page = pageParams(q, 1, LIMIT_CAP.activities);
		const states = listParam(q, 'activity_states');
		const types = listParam(q, 'activity_types');
		for (const s of states) if (!STATES.includes(s as ActivityState)) throw validationError('activity_states', `unknown activity state ${s}`);
		for (const t of types) if (!TYPES.includes(t as ActivityType)) throw validationError('activity_types', `unknown activity type ${t}`);
		const portals = listParam(q, 'portals');
		const spaces = listParam(q, 'teamspaces');
		const packageId = q.get('package_id');
		const start = dateBound(q, 'created_at_start', false);
		const end = dateBound(q, 'created_at_end', true);
		const matching = [...ctx.core.state.activities.values()].filter((a) => {
			if (a.teamId !== team.id) return false;
			if (states.length && !states.includes(a.state)) return false;
			if (types.length && !types.includes(a.type)) return false;
			if (portals.length && !portals.includes(a.portalId)) return false;
			if (spaces.length && !spaces.includes(a.teamspaceId)) return false;
			if (packageId && a.packageId !== packageId) return false;
			if (start !== undefined && a.createdAt < start) return false;
			if (end !== undefined && a.createdAt > end) return false;
			return true;
		});
		const sorted = applySort(
			matching,
			q.get('sort'),
			{ created_at: (a) => a.createdAt, updated_at: (a) => a.updatedAt, type: (a) => a.type, state: (a) => a.state },
			'-created_at',
		);
		return { status: 200, body: { metadata: { total: sorted.length }, records: paginate(sorted, page).map(activityJson) } };
	});

	// UNCERTAIN §15.3: array of `{id, state, created_at, extras}`.
	router.get('/v1/teams/:teamId/activities/:activityId/events', (ctx) => {
		const { team } = requireTeam(ctx, ctx.params.teamId);
		const activity = ctx.core.state.activities.get(ctx.params.activityId);
		if (!activity || activity.teamId !== team.id) throw notFound('activity');
		return { status: 200, body: activity.events.map((e) => ({ id: e.id, activity_id: activity.id, state: e.state, created_at: iso(e.createdAt), extras: e.extras })) };
	});
}
