import { NodeConnectionTypes, NodeOperationError } from 'n8n-workflow';

import type {
	IDataObject,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
	IPollFunctions,
} from 'n8n-workflow';

import { searchPortals, searchTeams, searchTeamspaces } from '../Masv/methods/listSearch';
import { portalLocator, teamLocator, teamspaceLocator } from '../Masv/shared/descriptions';
import { plainText } from '../Masv/shared/items';
import { includePackageTokenOption } from '../Masv/shared/secrets';
import { masvApiRequest } from './transport/request';
import { pollPolicy } from './transport/retry';
import type { RetryPolicy } from './transport/retry';
import { includeMetadataOption, packageItemJson } from './trigger/packageItem';
import { pollPackages } from './trigger/poll';
import { portalSource, v11Source } from './trigger/sources';
import type { PackageSource } from './trigger/sources';

type MasvTriggerEvent = 'portalPackageFinalized' | 'teamPackageFinalized' | 'teamspacePackageFinalized';

const forEvent = (event: MasvTriggerEvent) => ({ show: { event: [event] } });

/** The list an event reads, and the ID that names it (kept with the poll state). */
function sourceFor(ctx: IPollFunctions, event: MasvTriggerEvent, policy: RetryPolicy): { source: PackageSource; target: string } {
	const id = (name: string, label: string): string => {
		const text = plainText(ctx.getNodeParameter(name, '', { extractValue: true }));
		if (!text) throw new NodeOperationError(ctx.getNode(), `Choose a ${label} in the "${label}" parameter (${name})`);
		return text;
	};
	switch (event) {
		case 'portalPackageFinalized': {
			const portalId = id('portalId', 'Portal');
			return { source: portalSource(ctx, portalId, policy), target: `${event}:${portalId}` };
		}
		case 'teamPackageFinalized': {
			const teamId = id('teamId', 'Team');
			const path = `/v1.1/teams/${encodeURIComponent(teamId)}/packages`;
			return { source: v11Source(ctx, path, 1, async () => teamId, policy), target: `${event}:${teamId}` };
		}
		case 'teamspacePackageFinalized': {
			const teamspaceId = id('teamspaceId', 'Teamspace');
			const path = `/v1.1/spaces/${encodeURIComponent(teamspaceId)}/packages`;
			// A Teamspace's package is read through its team (`team_id` of the Teamspace, §10.3).
			let teamOf: Promise<string> | undefined;
			const team = async () => {
				teamOf ??= masvApiRequest<IDataObject>(ctx, { policy, method: 'GET', path: `/v1/spaces/${encodeURIComponent(teamspaceId)}` }).then(
					(space) => String(space?.team_id ?? ''),
				);
				return await teamOf;
			};
			return { source: v11Source(ctx, path, 0, team, policy), target: `${event}:${teamspaceId}` };
		}
		default:
			throw new NodeOperationError(ctx.getNode(), `Unknown event "${String(event)}" in the "Event" parameter (event)`);
	}
}

/**
 * The poll contexts this process has polled with. n8n makes one context per activation and polls
 * with it every time, so "not seen yet" marks the first poll of an activation. (Not the static data
 * object: where n8n keeps poll state in its own cursor store, each poll gets a fresh copy.)
 */
const polledActivations = new WeakSet<object>();

/**
 * Whether this poll is the first after the user turned the workflow on (activation mode
 * `activate`: first publish, or publish after unpublish). It then starts from now, or from Start
 * From, whatever state an earlier activation left. A restart of n8n (`init`), a newly published
 * version of a running workflow (`update`) and a change of leader (`leadershipChange`) resume from
 * the saved state instead.
 */
function isTurnedOn(ctx: IPollFunctions): boolean {
	const first = !polledActivations.has(ctx);
	polledActivations.add(ctx);
	return first && ctx.getActivationMode() === 'activate';
}

function startFromMs(ctx: IPollFunctions): number | undefined {
	const value = ctx.getNodeParameter('options.startFrom', '') as unknown;
	if (value === '' || value === undefined || value === null) return undefined;
	const ms = Date.parse(String(value));
	if (Number.isNaN(ms)) {
		throw new NodeOperationError(ctx.getNode(), `"${String(value)}" in "Options > Start From" (startFrom) is not a date`);
	}
	return ms;
}

export class MasvTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'MASV Trigger',
		name: 'masvTrigger',
		icon: { light: 'file:../../icons/masv.svg', dark: 'file:../../icons/masv.dark.svg' },
		group: ['trigger'],
		version: 1,
		subtitle:
			'={{ {"portalPackageFinalized": "Portal package finalized", "teamPackageFinalized": "Team package finalized", "teamspacePackageFinalized": "Teamspace package finalized"}[$parameter["event"]] }}',
		description: 'Starts the workflow when a MASV package is finalized: received on a portal, sent by a team or added to a Teamspace',
		defaults: { name: 'MASV Trigger' },
		polling: true,
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'masvApi', required: true }],
		properties: [
			{
				displayName: 'Event',
				name: 'event',
				type: 'options',
				noDataExpression: true,
				default: 'portalPackageFinalized',
				options: [
					{
						name: 'Portal Package Finalized',
						value: 'portalPackageFinalized',
						description: 'A package uploaded through a portal has finished uploading',
					},
					{
						name: 'Team Package Finalized',
						value: 'teamPackageFinalized',
						description: 'A package sent by the team has finished uploading',
					},
					{
						name: 'Teamspace Package Finalized',
						value: 'teamspacePackageFinalized',
						description: 'A package of a Teamspace has finished uploading',
					},
				],
			},
			portalLocator(forEvent('portalPackageFinalized')),
			teamLocator(forEvent('teamPackageFinalized')),
			teamspaceLocator(forEvent('teamspacePackageFinalized')),
			{
				displayName: 'Options',
				name: 'options',
				type: 'collection',
				placeholder: 'Add Option',
				default: {},
				options: [
					includeMetadataOption,
					includePackageTokenOption,
					{
						displayName: 'Start From',
						name: 'startFrom',
						type: 'dateTime',
						default: '',
						description:
							'When the workflow is turned on, also fire the packages finalized since this time, even those finalized before. Without it, only packages finalized after the workflow is turned on fire.',
					},
				],
			},
			{
				displayName:
					'Each package fires once, when it reaches "finalized". Turning the workflow on starts from that moment (or from Options > Start From): packages finalized while it was off do not fire. Restarting n8n or publishing a new version of the workflow resumes where the last poll stopped, so nothing is missed. A manual test returns the latest finalized package.',
				name: 'notice',
				type: 'notice',
				default: '',
			},
		],
	};

	methods = {
		listSearch: { searchPortals, searchTeams, searchTeamspaces },
	};

	async poll(this: IPollFunctions): Promise<INodeExecutionData[][] | null> {
		// Every MASV call of this poll shares one deadline, within the time n8n gives a poll
		// (`pollPolicy`, transport/retry.ts). n8n 2.x tells that time (`getPollBudgetMs`); 1.x does not.
		const budget = (this as { getPollBudgetMs?: () => number }).getPollBudgetMs;
		const policy = pollPolicy(Date.now(), typeof budget === 'function' ? budget.call(this) : undefined);
		const event = this.getNodeParameter('event') as MasvTriggerEvent;
		const { source, target } = sourceFor(this, event, policy);

		const itemOptions = {
			keepToken: this.getNodeParameter('options.includePackageToken', false) === true,
			includeMetadata: this.getNodeParameter('options.includeMetadata', false) === true,
			policy,
		};
		const toItems = async (packages: IDataObject[]): Promise<INodeExecutionData[]> => {
			const items: INodeExecutionData[] = [];
			for (const pkg of packages) items.push({ json: await packageItemJson(this, pkg, itemOptions) });
			return items;
		};

		if (this.getMode() === 'manual') {
			// "Fetch Test Event": show the shape of an item; the poll state is not touched.
			const latest = await source.latestFinalized();
			return latest ? [await toItems([latest])] : null;
		}

		const staticData = this.getWorkflowStaticData('node');
		const result = await pollPackages(source, staticData.masvTrigger, target, Date.now(), {
			restart: isTurnedOn(this),
			startFrom: startFromMs(this),
		});
		// The items are built before the state is kept: a failure (metadata) leaves the state as it
		// was, and the next poll fires the same packages again.
		const items = result.packages.length > 0 ? await toItems(result.packages) : [];
		staticData.masvTrigger = result.state as unknown as IDataObject;
		if (items.length === 0) return null;
		return [items];
	}
}
