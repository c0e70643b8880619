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
import { includePackageTokenOption, withoutTokens } from '../Masv/shared/secrets';
import { pollPackages } from './trigger/poll';
import { portalSource, v11Source } from './trigger/sources';
import type { PackageSource } from './trigger/sources';

type MasvTriggerEvent = 'portalPackageFinalized' | 'teamPackageFinalized' | 'teamspacePackageFinalized';

const forEvent = (event: MasvTriggerEvent) => ({ show: { event: [event] } });

/** The list an event reads, and the ID that names it (kept with the poll state). */
function sourceFor(ctx: IPollFunctions, event: MasvTriggerEvent): { source: PackageSource; target: string } {
	const id = (name: string, label: string): string => {
		const text = plainText(ctx.getNodeParameter(name, '', { extractValue: true }));
		if (!text) throw new NodeOperationError(ctx.getNode(), `Choose a ${label} in the "${label}" parameter (${name})`);
		return text;
	};
	switch (event) {
		case 'portalPackageFinalized': {
			const portalId = id('portalId', 'Portal');
			return { source: portalSource(ctx, portalId), target: `${event}:${portalId}` };
		}
		case 'teamPackageFinalized': {
			const teamId = id('teamId', 'Team');
			const path = `/v1.1/teams/${encodeURIComponent(teamId)}/packages`;
			return { source: v11Source(ctx, path, 1), target: `${event}:${teamId}` };
		}
		case 'teamspacePackageFinalized': {
			const teamspaceId = id('teamspaceId', 'Teamspace');
			const path = `/v1.1/spaces/${encodeURIComponent(teamspaceId)}/packages`;
			return { source: v11Source(ctx, path, 0), target: `${event}:${teamspaceId}` };
		}
		default:
			throw new NodeOperationError(ctx.getNode(), `Unknown event "${String(event)}" in the "Event" parameter (event)`);
	}
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
				options: [includePackageTokenOption],
			},
			{
				displayName:
					'Each package fires once, when it reaches "finalized". The first poll after activation only records what exists; a manual test returns the latest finalized package.',
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
		const event = this.getNodeParameter('event') as MasvTriggerEvent;
		const { source, target } = sourceFor(this, event);

		const keepToken = this.getNodeParameter('options.includePackageToken', false) === true;
		const toItem = (pkg: IDataObject): INodeExecutionData => ({ json: withoutTokens(pkg, keepToken) });

		if (this.getMode() === 'manual') {
			// "Fetch Test Event": show the shape of an item; the poll state is not touched.
			const latest = await source.latestFinalized();
			return latest ? [[toItem(latest)]] : null;
		}

		const staticData = this.getWorkflowStaticData('node');
		const result = await pollPackages(source, staticData.masvTrigger, target, Date.now());
		staticData.masvTrigger = result.state as unknown as IDataObject;
		if (result.packages.length === 0) return null;
		return [result.packages.map(toItem)];
	}
}
