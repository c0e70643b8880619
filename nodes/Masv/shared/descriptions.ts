import type { IDisplayOptions, INodeProperties } from 'n8n-workflow';

import { v11Pagination } from './routing';

const ID_REGEX = '[0-9A-Za-z]{10,40}';

interface LocatorSpec {
	name: 'teamId' | 'packageId' | 'portalId' | 'teamspaceId' | 'integrationId';
	displayName: string;
	searchListMethod: string;
	description: string;
	required?: boolean;
}

/** A resource locator: a searchable list fed by the API, or an ID typed in. */
export function resourceLocator(spec: LocatorSpec, displayOptions: IDisplayOptions): INodeProperties {
	return {
		displayName: spec.displayName,
		name: spec.name,
		type: 'resourceLocator',
		default: { mode: 'list', value: '' },
		required: spec.required ?? true,
		description: spec.description,
		displayOptions,
		modes: [
			{
				displayName: 'From List',
				name: 'list',
				type: 'list',
				placeholder: `Select a ${spec.displayName.toLowerCase()}...`,
				typeOptions: { searchListMethod: spec.searchListMethod, searchable: true },
			},
			{
				displayName: 'ID',
				name: 'id',
				type: 'string',
				placeholder: 'e.g. 01ENX9B1J68NT9Y4QHXD7T0X6S',
				validation: [
					{
						type: 'regex',
						properties: { regex: `^${ID_REGEX}$`, errorMessage: 'Not a valid MASV ID' },
					},
				],
			},
		],
	};
}

export const teamLocator = (displayOptions: IDisplayOptions) =>
	resourceLocator(
		{
			name: 'teamId',
			displayName: 'Team',
			searchListMethod: 'searchTeams',
			description: 'The MASV team',
		},
		displayOptions,
	);

export const packageLocator = (displayOptions: IDisplayOptions) =>
	resourceLocator(
		{
			name: 'packageId',
			displayName: 'Package',
			searchListMethod: 'searchPackages',
			description: 'The package. The list shows the packages of the team chosen above.',
		},
		displayOptions,
	);

export const portalLocator = (displayOptions: IDisplayOptions) =>
	resourceLocator(
		{
			name: 'portalId',
			displayName: 'Portal',
			searchListMethod: 'searchPortals',
			description: 'The portal. The list shows the portals of every team of the API key.',
		},
		displayOptions,
	);

export const teamspaceLocator = (displayOptions: IDisplayOptions) =>
	resourceLocator(
		{
			name: 'teamspaceId',
			displayName: 'Teamspace',
			searchListMethod: 'searchTeamspaces',
			description: 'The Teamspace. The list shows the Teamspaces of every team of the API key.',
		},
		displayOptions,
	);

/** The Return All switch and the Limit it hides, with the routing a kind of list needs. */
function returnAllPair(
	displayOptions: IDisplayOptions,
	routing: { returnAll?: INodeProperties['routing']; limit?: INodeProperties['routing'] },
): INodeProperties[] {
	return [
		{
			displayName: 'Return All',
			name: 'returnAll',
			type: 'boolean',
			default: false,
			description: 'Whether to return all results or only up to a given limit',
			displayOptions,
			...(routing.returnAll ? { routing: routing.returnAll } : {}),
		},
		{
			displayName: 'Limit',
			name: 'limit',
			type: 'number',
			default: 50,
			typeOptions: { minValue: 1 },
			description: 'Max number of results to return',
			displayOptions: {
				...displayOptions,
				show: { ...displayOptions.show, returnAll: [false] },
			},
			...(routing.limit ? { routing: routing.limit } : {}),
		},
	];
}

/**
 * Return All / Limit for a v1.1 list. `firstPage` is the list's page base: 1 for packages,
 * portals, the inbox and activities; 0 for Teamspaces and Teamspace packages. The paginator reads
 * both parameters itself (Limit also reads only the pages it needs).
 */
export function returnAllAndLimit(displayOptions: IDisplayOptions, firstPage: 0 | 1): INodeProperties[] {
	return returnAllPair(displayOptions, {
		returnAll: { send: { paginate: true }, operations: { pagination: v11Pagination(firstPage) } },
	});
}

/** Limit for a list MASV returns whole (v1 plain arrays): cut after the call. */
export function returnAllAndLimitUnpaged(displayOptions: IDisplayOptions): INodeProperties[] {
	return returnAllPair(displayOptions, { limit: { output: { maxResults: '={{$value}}' } } });
}

/** `YYYY-MM-DD` of a date parameter, as the v1.1 package lists take it. */
export const DATE_VALUE = '={{ $value ? (typeof $value === "string" ? $value.slice(0, 10) : $value.toISOString().slice(0, 10)) : undefined }}';

/** The filters of a package list (team packages, Teamspace packages, inbox). */
export function packageListFilters(displayOptions: IDisplayOptions, extra: INodeProperties[] = []): INodeProperties[] {
	return [
		{
			displayName: 'Filters',
			name: 'filters',
			type: 'collection',
			placeholder: 'Add Filter',
			default: {},
			displayOptions,
			options: [
				{
					displayName: 'Created After',
					name: 'createdAtStart',
					type: 'dateTime',
					default: '',
					description: 'Only packages created on or after this day',
					routing: { send: { type: 'query', property: 'created_at_start', value: DATE_VALUE } },
				},
				{
					displayName: 'Created Before',
					name: 'createdAtEnd',
					type: 'dateTime',
					default: '',
					description: 'Only packages created on or before this day',
					routing: { send: { type: 'query', property: 'created_at_end', value: DATE_VALUE } },
				},
				{
					displayName: 'Name',
					name: 'name',
					type: 'string',
					default: '',
					description: 'Only packages whose name contains this text',
					routing: { send: { type: 'query', property: 'name', value: '={{ $value || undefined }}' } },
				},
				{
					displayName: 'Sender',
					name: 'sender',
					type: 'string',
					default: '',
					placeholder: 'name@email.com',
					description: 'Only packages sent by this email address',
					routing: { send: { type: 'query', property: 'sender', value: '={{ $value || undefined }}' } },
				},
				{
					displayName: 'Status',
					name: 'status',
					type: 'multiOptions',
					default: [],
					description: 'Only packages in these states. MASV returns finalized and expired packages when none is chosen.',
					options: [
						{ name: 'Archived', value: 'archived' },
						{ name: 'Expired', value: 'expired' },
						{ name: 'Finalized', value: 'finalized' },
						{ name: 'New', value: 'new' },
					],
					routing: {
						send: {
							type: 'query',
							property: 'status',
							value: '={{ $value && $value.length ? [].concat($value).join(",") : undefined }}',
						},
					},
				},
				{
					displayName: 'Tag IDs',
					name: 'tags',
					type: 'string',
					default: '',
					placeholder: 'e.g. 01FZGG2QQQTJV9CJ1Q2ZNXVKCQ, 01FZGG2QQQTJV9CJ1Q2ZNXVKCR',
					description: 'Comma-separated tag IDs; packages with any of them match',
					routing: {
						send: {
							type: 'query',
							property: 'tags',
							value: '={{ $value ? [].concat($value).join(",").split(",").map(t => t.trim()).filter(t => t).join(",") || undefined : undefined }}',
						},
					},
				},
				...extra,
			],
		},
	];
}

export function sortOption(values: Array<{ name: string; value: string }>): INodeProperties {
	return {
		displayName: 'Sort',
		name: 'sort',
		type: 'options',
		default: '-created_at',
		description: 'Order of the results',
		options: values,
		routing: { send: { type: 'query', property: 'sort' } },
	};
}

/** Options > Package Token, for packages the API key cannot see. */
export const packageTokenOption: INodeProperties = {
	displayName: 'Package Token',
	name: 'packageToken',
	type: 'string',
	typeOptions: { password: true },
	default: '',
	description:
		'The package token (access_token) to use instead of looking it up with the team, for packages the API key cannot see, such as packages received through a portal',
};

/** The display options of a resource's parameters: shown for these operations of `resource`. */
export function showFor(resource: string): (operations: string[]) => IDisplayOptions {
	return (operations) => ({ show: { resource: [resource], operation: operations } });
}

