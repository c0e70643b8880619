import { NodeOperationError } from 'n8n-workflow';
import type { IDataObject, INode, INodeProperties } from 'n8n-workflow';

import { listParameter } from '../../shared/items';
import { WEBHOOKS_OFF_STATUSES } from '../../transport/webhooks';

/** The events MASV documents for custom webhooks (docs/masv-api.md §13.1). */
export const WEBHOOK_EVENTS = [
	{ name: 'Package Created', value: 'package.created', description: 'A package was created (its upload started)' },
	{ name: 'Package Finalized', value: 'package.finalized', description: 'A package was finalized: every file is uploaded' },
];

/**
 * What a 402 or 403 from the webhook routes most likely means (docs/masv-api.md §13, decision 7:
 * no source documents the refusal; MASV enables custom webhooks per team on request).
 */
export const WEBHOOKS_OFF_HINT =
	'Custom webhooks may not be enabled for this MASV team: MASV turns them on per team on request. The polling MASV Trigger works without them.';

export const WEBHOOK_HINTS: Partial<Record<number, string>> = Object.fromEntries(
	WEBHOOKS_OFF_STATUSES.map((status) => [status, WEBHOOKS_OFF_HINT]),
);

/** The Additional Fields of a webhook, as the user enters them. */
export interface WebhookFields {
	name?: string;
	method?: 'POST' | 'PUT';
	active?: boolean;
	headers?: unknown;
	bodyExtras?: unknown;
}

/** A name → value list (fixedCollection), or an object of strings from an expression. */
function pairsParameter(displayName: string, name: string, entry: string, description: string): INodeProperties {
	return {
		displayName,
		name,
		type: 'fixedCollection',
		typeOptions: { multipleValues: true },
		default: {},
		placeholder: `Add ${displayName.replace(/s$/, '')}`,
		description,
		options: [
			{
				displayName: displayName.replace(/s$/, ''),
				name: entry,
				values: [
					{ displayName: 'Name', name: 'name', type: 'string', default: '' },
					{ displayName: 'Value', name: 'value', type: 'string', default: '' },
				],
			},
		],
	};
}

/** Additional Fields of Webhook → Create and Update (docs/masv-api.md §13.1). */
export const WEBHOOK_FIELDS: INodeProperties[] = [
	{
		displayName: 'Active',
		name: 'active',
		type: 'boolean',
		default: true,
		description: 'Whether MASV sends the events to the URL',
	},
	pairsParameter(
		'Body Extras',
		'bodyExtras',
		'extra',
		'Fields MASV adds to the body of every event it sends, such as a routing key',
	),
	pairsParameter(
		'Headers',
		'headers',
		'header',
		'HTTP headers MASV adds to every event it sends. MASV signs nothing, so put a secret here to check that a call comes from MASV.',
	),
	{
		displayName: 'Method',
		name: 'method',
		type: 'options',
		default: 'POST',
		description: 'The HTTP method MASV calls the URL with',
		options: [
			{ name: 'POST', value: 'POST' },
			{ name: 'PUT', value: 'PUT' },
		],
	},
	{
		displayName: 'Name',
		name: 'name',
		type: 'string',
		default: '',
		placeholder: 'e.g. n8n intake',
		description: 'A label for the webhook, seen only by the team',
	},
];

/** `{entries: [{name, value}]}` from the form, or an object of strings from an expression. */
export function stringMap(node: INode, value: unknown, entry: string, parameter: string, itemIndex: number): IDataObject {
	if (value === undefined || value === null || value === '') return {};
	const record = value as IDataObject;
	const map: IDataObject = {};
	if (typeof value === 'object' && !Array.isArray(value) && !Array.isArray(record[entry])) {
		for (const [key, text] of Object.entries(record)) {
			if (typeof text !== 'string') {
				throw new NodeOperationError(node, `"${parameter}" must map names to text; "${key}" is not text`, { itemIndex });
			}
			map[key] = text;
		}
		return map;
	}
	const entries = Array.isArray(record[entry]) ? (record[entry] as IDataObject[]) : [];
	for (const { name, value: text } of entries) {
		const key = String(name ?? '').trim();
		if (!key) {
			throw new NodeOperationError(node, `An entry of "${parameter}" has no name`, { itemIndex, description: 'Give every entry a name, or remove it.' });
		}
		map[key] = String(text ?? '');
	}
	return map;
}

/**
 * The MASV webhook fields (docs/masv-api.md §13.1) of the parameters the user set: `url`, `events`
 * and the Additional Fields. Only what is given is in the result; `webhookCreateBody` and the
 * update add the rest.
 */
export function webhookChanges(
	node: INode,
	given: { url?: unknown; events?: unknown; fields: WebhookFields },
	itemIndex: number,
): IDataObject {
	const body: IDataObject = {};
	if (given.url !== undefined && String(given.url).trim() !== '') {
		const url = String(given.url).trim();
		if (!/^https?:\/\/\S+$/i.test(url)) {
			throw new NodeOperationError(node, `The parameter "URL" is not an http(s) URL: ${url.slice(0, 80)}`, {
				itemIndex,
				description: 'MASV calls this address for every event; use the Production URL of a Webhook node, for example.',
			});
		}
		body.url = url;
	}
	const events = listParameter(given.events);
	if (events.length > 0) body.events = events;
	const { fields } = given;
	if (fields.name !== undefined) body.name = String(fields.name).trim();
	if (fields.method !== undefined) body.method = String(fields.method).toUpperCase();
	if (fields.active !== undefined) body.active = fields.active === true;
	if (fields.headers !== undefined) body.headers = stringMap(node, fields.headers, 'header', 'Headers', itemIndex);
	if (fields.bodyExtras !== undefined) body.body_extras = stringMap(node, fields.bodyExtras, 'extra', 'Body Extras', itemIndex);
	return body;
}

/** The fields of a webhook MASV takes on a write: the full object, without `id` and timestamps. */
const WRITABLE = ['name', 'url', 'method', 'events', 'active', 'headers', 'body_extras'];

/**
 * The body of `PUT /v1/custom_webhooks/{id}`: the webhook as read, its writable fields only, with
 * the changes on top (docs/masv-api.md §13.3: the full object).
 */
export function webhookUpdateBody(current: IDataObject, changes: IDataObject): IDataObject {
	const body: IDataObject = {};
	for (const field of WRITABLE) {
		if (current[field] !== undefined && current[field] !== null) body[field] = current[field];
	}
	return { ...body, ...changes };
}
