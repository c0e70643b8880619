import type {
	IDataObject,
	IDisplayOptions,
	IExecuteSingleFunctions,
	INodeExecutionData,
	INodeProperties,
} from 'n8n-workflow';

/**
 * The fields people (and AI agents) use, per kind of MASV record. "Simplify" keeps these and drops
 * the rest (branding, billing details, notification settings, nested link lists, …).
 */
export const SIMPLE_FIELDS = {
	team: ['id', 'name', 'subdomain'],
	member: ['id', 'user_id', 'email', 'name', 'policy_key', 'approved', 'teamspaces'],
	package: [
		'id',
		'name',
		'description',
		'sender',
		'state',
		'size',
		'total_files',
		'created_at',
		'expiry',
		'teamspace_id',
		'portal_id',
		'tag',
		'contains_virus',
		'access_token',
	],
	file: ['id', 'kind', 'name', 'path', 'size', 'last_modified', 'virus_detected'],
	portal: ['id', 'name', 'subdomain', 'active', 'message', 'recipients', 'teamspace_id', 'tag', 'created_at'],
	teamspace: ['id', 'name', 'members'],
	tag: ['id', 'name', 'active'],
	integration: ['id', 'name', 'provider', 'direction', 'state'],
	activity: ['id', 'type', 'state', 'package_id', 'portal_id', 'created_at', 'updated_at'],
	transfer: ['id', 'state', 'direction', 'cloud_connection_id', 'created_at', 'updated_at'],
	metadata: ['package_id', 'values'],
	webhook: ['id', 'name', 'url', 'method', 'events', 'active'],
} satisfies Record<string, string[]>;

export type SimpleKind = keyof typeof SIMPLE_FIELDS;

/** A record cut down to the fields of its kind (fields MASV did not send stay absent). */
export function simplifyRecord(record: IDataObject, kind: SimpleKind): IDataObject {
	const simple: IDataObject = {};
	for (const field of SIMPLE_FIELDS[kind]) {
		if (record[field] !== undefined) simple[field] = record[field];
	}
	if (kind === 'package' || kind === 'portal') {
		const tag = record.tag as IDataObject | undefined;
		if (tag && typeof tag === 'object') simple.tag = { id: tag.id, name: tag.name };
	}
	return simple;
}

/** The Simplify switch of a list or get operation. */
export function simplifyParameter(displayOptions: IDisplayOptions): INodeProperties {
	return {
		displayName: 'Simplify',
		name: 'simplify',
		type: 'boolean',
		default: true,
		description:
			'Whether to return only the fields people use most (ID, name, state, sizes, dates) instead of the full MASV record',
		displayOptions,
	};
}

/** postReceive step: applies Simplify when the operation shows it and it is on. */
export function simplifyOutput(kind: SimpleKind) {
	return async function (this: IExecuteSingleFunctions, items: INodeExecutionData[]): Promise<INodeExecutionData[]> {
		if (this.getNodeParameter('simplify', false) !== true) return items;
		return items.map((item) =>
			item.json.error !== undefined && item.json.httpCode !== undefined
				? item
				: { ...item, json: simplifyRecord(item.json, kind) },
		);
	};
}
