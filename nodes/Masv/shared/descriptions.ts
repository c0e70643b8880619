import type { IDisplayOptions, INodeProperties } from 'n8n-workflow';

import { dateFilter } from './dates';
import type { DateForm } from './dates';
import { v11Pagination } from './routing';

const ID_REGEX = '[0-9A-Za-z]{10,40}';

interface LocatorSpec {
	name: 'teamId' | 'packageId' | 'portalId' | 'teamspaceId' | 'integrationId' | 'webhookId';
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

/**
 * A comma-separated list of IDs (or an array from an expression) as one comma-joined query value:
 * MASV reads `a,b`, not a repeated key (docs/masv-api.md §1, decision 5).
 */
export const ID_LIST_VALUE =
	'={{ $value ? [].concat($value).join(",").split(",").map(t => t.trim()).filter(t => t).join(",") || undefined : undefined }}';

/** A filter of comma-separated IDs, sent comma-joined as `property`. */
export function idListFilter(displayName: string, name: string, property: string, description: string): INodeProperties {
	return {
		displayName,
		name,
		type: 'string',
		default: '',
		placeholder: 'e.g. 01FZGG2QQQTJV9CJ1Q2ZNXVKCQ, 01FZGG2QQQTJV9CJ1Q2ZNXVKCR',
		description,
		routing: { send: { type: 'query', property, value: ID_LIST_VALUE } },
	};
}

/** A date filter of a list, converted by the one date converter (`shared/dates.ts`). */
export function dateFilterOption(
	displayName: string,
	name: string,
	property: string,
	end: boolean,
	form: DateForm,
	description: string,
): INodeProperties {
	return {
		displayName,
		name,
		type: 'dateTime',
		default: '',
		description,
		routing: { send: { preSend: [dateFilter(name, displayName, property, end, form)] } },
	};
}

const DAY_NOTE = 'Day only: this list takes no time.';
const TIME_NOTE = 'A day without a time counts whole; a time without a zone is sent as written.';

/**
 * The filters of a package list. `dates` is how the list takes dates (docs/masv-api.md §5.5,
 * §5.10; decision 4): the team list and the inbox a date-time, Teamspace packages a day. `extra`
 * are the list's own filters.
 */
export function packageListFilters(displayOptions: IDisplayOptions, dates: DateForm, extra: INodeProperties[] = []): INodeProperties[] {
	const note = dates === 'day' ? DAY_NOTE : TIME_NOTE;
	const options: INodeProperties[] = [
		dateFilterOption('Created After', 'createdAtStart', 'created_at_start', false, dates, `Only packages created at or after this time. ${note}`),
		dateFilterOption('Created Before', 'createdAtEnd', 'created_at_end', true, dates, `Only packages created at or before this time. ${note}`),
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
		idListFilter('Tag IDs', 'tags', 'tags', 'Comma-separated tag IDs; packages with any of them match'),
		...extra,
	];
	return [
		{
			displayName: 'Filters',
			name: 'filters',
			type: 'collection',
			placeholder: 'Add Filter',
			default: {},
			displayOptions,
			options: options.sort((a, b) => a.displayName.localeCompare(b.displayName)),
		},
	];
}

/**
 * The filters MASV's team package list and inbox take beyond the common ones (docs/masv-api.md
 * §5.5, decision 5): Teamspaces, expiry range and extended storage.
 */
export const TEAM_PACKAGE_FILTERS: INodeProperties[] = [
	dateFilterOption('Expires After', 'expiryStart', 'expiry_start', false, 'dateTime', `Only packages expiring at or after this time. ${TIME_NOTE}`),
	dateFilterOption('Expires Before', 'expiryEnd', 'expiry_end', true, 'dateTime', `Only packages expiring at or before this time. ${TIME_NOTE}`),
	{
		displayName: 'Extended Storage Only',
		name: 'extraStorage',
		type: 'boolean',
		default: false,
		description: 'Whether to return only packages that will incur or have incurred extended storage costs',
		routing: { send: { type: 'query', property: 'extra_storage', value: '={{ $value === true ? "true" : undefined }}' } },
	},
	idListFilter('Teamspace IDs', 'teamspaces', 'teamspaces', 'Comma-separated Teamspace IDs; packages in any of them match'),
];

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

