import { randomBytes } from 'crypto';
import { NodeConnectionTypes, NodeOperationError } from 'n8n-workflow';
import type {
	IDataObject,
	IExecuteFunctions,
	IHookFunctions,
	ILoadOptionsFunctions,
	INodeExecutionData,
	INodePropertyOptions,
	INodeType,
	INodeTypeDescription,
	IWebhookFunctions,
	IWebhookResponseData,
	NodeApiError,
} from 'n8n-workflow';

import {
	attachWebhookToPortal,
	attachedWebhookIds,
	createCustomWebhook,
	deleteCustomWebhook,
	detachWebhookFromPortal,
	getCustomWebhook,
	isWebhooksFeatureRefusal,
	unlessGone,
	listCustomWebhooks,
	updateCustomWebhook,
} from './transport/webhooks';
import type { CustomWebhookFields } from './transport/webhooks';
import { readPortal } from './transport/portals';
import { toNodeError } from './transport/errors';
import type { MasvContext } from './transport/request';
import { searchPortals, searchTeams } from './methods/listSearch';
import { teamLocator } from './shared/descriptions';
import { listParameter, plainText } from './shared/items';
import { includePackageTokenOption } from './shared/secrets';
import { freshPackage, includeMetadataOption, packageItemJson } from './trigger/packageItem';
import {
	EventLedger,
	keepInExecution,
	parseEvent,
	HEADER_NAME,
	secretMatches,
	shareEvents,
	shareRegistration,
} from './trigger/webhookDeliveries';

/**
 * What the trigger keeps in the node's static data: the MASV webhook it registered, the secret
 * in its header, the portals it attached it to, and the event IDs it has taken (ID → ms).
 */
interface HookState {
	webhookId?: string;
	secret?: string;
	portalIds?: string[];
	events?: Record<string, number>;
}

function hookState(ctx: IHookFunctions | IWebhookFunctions): HookState & IDataObject {
	return ctx.getWorkflowStaticData('node') as HookState & IDataObject;
}

/** Which trigger the event IDs of this process belong to: workflow and node. */
function triggerKey(ctx: IHookFunctions | IWebhookFunctions | IExecuteFunctions): string {
	return `${ctx.getWorkflow().id ?? ''}:${ctx.getNode().id}`;
}

function teamIdOf(ctx: IHookFunctions | IWebhookFunctions): string {
	const teamId = plainText(ctx.getNodeParameter('teamId', '', { extractValue: true }));
	if (!teamId) throw new NodeOperationError(ctx.getNode(), 'Choose a team in the "Team" parameter (teamId)');
	return teamId;
}

function portalIdsOf(ctx: IHookFunctions): string[] {
	const ids = listParameter(ctx.getNodeParameter('portalIds', []));
	if (ids.length === 0) {
		throw new NodeOperationError(ctx.getNode(), 'Choose at least one portal in the "Portals" parameter (portalIds)', {
			description: 'MASV sends webhook events only for packages uploaded through the portals a webhook is attached to.',
		});
	}
	return [...new Set(ids)];
}

function eventsOf(ctx: IHookFunctions | IWebhookFunctions): string[] {
	const events = listParameter(ctx.getNodeParameter('events', []));
	if (events.length === 0) {
		throw new NodeOperationError(ctx.getNode(), 'Choose at least one event in the "Events" parameter (events)');
	}
	return events;
}

function webhookUrlOf(ctx: IHookFunctions): string {
	const url = ctx.getNodeWebhookUrl('default');
	if (!url) throw new NodeOperationError(ctx.getNode(), 'n8n gave no URL for this trigger');
	return url;
}

/**
 * A refusal of the team's webhook routes as the user can act on it: MASV enables custom webhooks
 * per team (docs/masv-api.md §13.1).
 */
function featureRefusal(ctx: IHookFunctions, error: unknown): NodeOperationError | NodeApiError {
	if (!isWebhooksFeatureRefusal(error)) return toNodeError(ctx.getNode(), error, 0);
	const status = String((error as { httpCode?: unknown }).httpCode);
	return new NodeOperationError(
		ctx.getNode(),
		`MASV does not let this team use custom webhooks (HTTP ${status}: ${(error as Error).message})`,
		{
			description:
				'Custom webhooks are enabled per team by MASV: ask MASV support to turn them on for the team, or use the "MASV Trigger" node, which polls MASV and needs no webhook.',
		},
	);
}

async function withFeatureCheck<T>(ctx: IHookFunctions, call: () => Promise<T>): Promise<T> {
	try {
		return await call();
	} catch (error) {
		throw featureRefusal(ctx, error);
	}
}

function sameSet(a: unknown, b: string[]): boolean {
	const list = Array.isArray(a) ? a.map(String) : [];
	return list.length === b.length && b.every((entry) => list.includes(entry));
}

/** Whether the webhook MASV holds is the one this trigger needs (URL, events, active, header). */
function matches(hook: IDataObject, url: string, events: string[], secret: string | undefined): boolean {
	if (hook.url !== url || hook.active === false || !sameSet(hook.events, events)) return false;
	// MASV may not return the headers; where it does, they must hold this trigger's secret.
	const headers = hook.headers as IDataObject | undefined;
	if (headers && typeof headers === 'object' && headers[HEADER_NAME] !== undefined) {
		return headers[HEADER_NAME] === secret;
	}
	return true;
}

async function portalsMissing(ctx: MasvContext, webhookId: string, portalIds: string[]): Promise<boolean> {
	for (const portalId of portalIds) {
		const portal = await readPortal(ctx, portalId);
		if (!attachedWebhookIds(portal).includes(webhookId)) return true;
	}
	return false;
}

/** Detaches a webhook from portals, passing over portals that no longer exist. */
async function detachAll(ctx: IHookFunctions, webhookId: string, portalIds: string[]): Promise<void> {
	for (const portalId of portalIds) {
		await unlessGone(ctx.getNode(), async () => await detachWebhookFromPortal(ctx, portalId, webhookId));
	}
}

export class MasvWebhookTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'MASV Webhook Trigger',
		name: 'masvWebhookTrigger',
		icon: { light: 'file:../../icons/masv.svg', dark: 'file:../../icons/masv.dark.svg' },
		group: ['trigger'],
		version: 1,
		subtitle: '={{ ($parameter["events"] || []).join(", ") }}',
		description: 'Starts the workflow at once when MASV reports a package event on a portal (MASV custom webhooks)',
		defaults: { name: 'MASV Webhook Trigger' },
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'masvApi', required: true }],
		webhooks: [
			{
				name: 'default',
				httpMethod: 'POST',
				responseMode: 'onReceived',
				path: 'webhook',
			},
		],
		properties: [
			{
				displayName:
					'MASV calls this workflow when a package is created or finalized on the chosen portals. Your team must have custom webhooks enabled by MASV, and MASV must reach n8n at its production URL (WEBHOOK_URL). Each event starts one execution, however often MASV sends it.',
				name: 'notice',
				type: 'notice',
				default: '',
			},
			teamLocator({}),
			{
				displayName: 'Portal Names or IDs',
				name: 'portalIds',
				type: 'multiOptions',
				typeOptions: { loadOptionsMethod: 'getPortals', loadOptionsDependsOn: ['teamId.value'] },
				required: true,
				default: [],
				description:
					'The portals whose packages start the workflow. The webhook is attached to each of them and detached again when the workflow is turned off. Choose from the list, or specify IDs using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
			},
			{
				displayName: 'Events',
				name: 'events',
				type: 'multiOptions',
				required: true,
				default: ['package.finalized'],
				options: [
					{
						name: 'Package Created',
						value: 'package.created',
						description: 'An upload to the portal has started (the package is still uploading)',
					},
					{
						name: 'Package Finalized',
						value: 'package.finalized',
						description: 'An upload to the portal has finished: every file is in MASV',
					},
				],
			},
			{
				displayName: 'Options',
				name: 'options',
				type: 'collection',
				placeholder: 'Add Option',
				default: {},
				options: [includeMetadataOption, includePackageTokenOption],
			},
		],
	};

	methods = {
		listSearch: { searchPortals, searchTeams },
		loadOptions: {
			async getPortals(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
				const { results } = await searchPortals.call(this);
				return results.map((result) => ({ name: result.name, value: String(result.value) }));
			},
		},
	};

	webhookMethods = {
		default: {
			/**
			 * True when the webhook an earlier activation registered still exists as this trigger needs
			 * it, attached to every chosen portal. A webhook at this trigger's URL whose ID the static
			 * data lost is adopted (create() then rewrites it) rather than joined by a second one.
			 */
			async checkExists(this: IHookFunctions): Promise<boolean> {
				const state = hookState(this);
				const teamId = teamIdOf(this);
				const url = webhookUrlOf(this);
				const events = eventsOf(this);
				const portalIds = portalIdsOf(this);
				if (state.webhookId) {
					const hook = await withFeatureCheck(this, async () =>
						await unlessGone(this.getNode(), async () => await getCustomWebhook(this, state.webhookId as string)),
					);
					// Not found by the (inferred) read route: create() rewrites it by the documented PUT,
					// or registers a new one if MASV does not know the ID either.
					if (!hook) return false;
					// Without its secret the trigger could not tell MASV's deliveries from others.
					if (!state.secret || !matches(hook, url, events, state.secret)) return false;
					if (!sameSet(state.portalIds, portalIds)) return false;
					return !(await portalsMissing(this, state.webhookId, portalIds));
				}
				// The list route is inferred (docs/masv-api.md §13.3): where MASV does not serve it, no
				// earlier webhook can be found this way.
				const hooks = (await withFeatureCheck(this, async () => await unlessGone(this.getNode(), async () => await listCustomWebhooks(this, teamId)))) ?? [];
				const earlier = hooks.find((hook) => hook.url === url);
				if (earlier?.id !== undefined) state.webhookId = String(earlier.id);
				return false;
			},

			/**
			 * Registers the webhook with a new secret (or rewrites the one found by checkExists), then
			 * attaches it to the chosen portals and detaches it from portals no longer chosen. If an
			 * attach fails, the webhook is removed again, so a failed activation leaves nothing behind.
			 */
			async create(this: IHookFunctions): Promise<boolean> {
				const state = hookState(this);
				const teamId = teamIdOf(this);
				const portalIds = portalIdsOf(this);
				const secret = randomBytes(24).toString('hex');
				const fields: CustomWebhookFields = {
					url: webhookUrlOf(this),
					events: eventsOf(this),
					method: 'POST',
					active: true,
					name: `n8n: ${this.getWorkflow().name ?? this.getWorkflow().id} / ${this.getNode().name}`.slice(0, 255),
					headers: { [HEADER_NAME]: secret },
				};
				let webhookId: string | undefined;
				if (state.webhookId) {
					const updated = await withFeatureCheck(this, async () =>
						await unlessGone(this.getNode(), async () => await updateCustomWebhook(this, state.webhookId as string, fields)),
					);
					if (updated !== undefined) webhookId = state.webhookId;
				}
				if (!webhookId) {
					const created = await withFeatureCheck(this, async () => await createCustomWebhook(this, teamId, fields));
					if (created?.id === undefined) {
						throw new NodeOperationError(this.getNode(), 'MASV answered the webhook registration without an ID');
					}
					webhookId = String(created.id);
				}
				const previousPortals = state.portalIds ?? [];
				try {
					for (const portalId of portalIds) await attachWebhookToPortal(this, portalId, webhookId);
					await detachAll(
						this,
						webhookId,
						previousPortals.filter((id) => !portalIds.includes(id)),
					);
				} catch (error) {
					try {
						await detachAll(this, webhookId, portalIds);
						await unlessGone(this.getNode(), async () => await deleteCustomWebhook(this, webhookId as string));
					} catch (cleanupError) {
						this.logger.warn(
							`MASV Webhook Trigger: could not remove webhook ${webhookId} after a failed activation: ${(cleanupError as Error).message}`,
						);
					}
					delete state.webhookId;
					delete state.secret;
					delete state.portalIds;
					shareRegistration(triggerKey(this), {});
					throw toNodeError(this.getNode(), error, 0);
				}
				state.webhookId = webhookId;
				state.secret = secret;
				state.portalIds = portalIds;
				shareRegistration(triggerKey(this), { webhookId, secret, portalIds });
				return true;
			},

			/** Detaches the webhook from its portals and deletes it; one that is gone already is fine. */
			async delete(this: IHookFunctions): Promise<boolean> {
				const state = hookState(this);
				if (!state.webhookId) return true;
				await detachAll(this, state.webhookId, state.portalIds ?? []);
				await unlessGone(this.getNode(), async () => await deleteCustomWebhook(this, state.webhookId as string));
				delete state.webhookId;
				delete state.secret;
				delete state.portalIds;
				shareRegistration(triggerKey(this), {});
				return true;
			},
		},
	};

	/**
	 * The trigger's step in the execution a delivery started: its items pass through unchanged, and
	 * their event IDs go into the execution's static data, which n8n saves when the execution ends,
	 * so that a restarted n8n still knows them (docs/reliability.md, "Duplicate deliveries").
	 */
	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const items = this.getInputData();
		const eventIds = items.map((item) => item.json.eventId).filter((id): id is string => typeof id === 'string' && id !== '');
		const state = this.getWorkflowStaticData('node');
		// A queue-mode worker of n8n 2.40.7 runs the execution on static data it did not read from the
		// database (the trigger's registration is missing): n8n would save a write there over the
		// registration, so nothing is written (docs/reliability.md, "Duplicate webhook deliveries").
		const loaded = typeof state.secret === 'string' && state.secret !== '';
		if (eventIds.length > 0 && loaded) keepInExecution(triggerKey(this), state, eventIds, Date.now());
		return [items.map((item, index) => ({ ...item, pairedItem: { item: index } }))];
	}

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		const state = hookState(this);
		const response = this.getResponseObject();
		if (!secretMatches(state.secret, this.getHeaderData()[HEADER_NAME])) {
			response.status(401).json({ message: 'This URL accepts MASV webhook deliveries for its trigger only' });
			return { noWebhookResponse: true };
		}
		const event = parseEvent(this.getBodyData());
		if (!event) {
			response.status(400).json({ message: 'Not a MASV webhook event' });
			return { noWebhookResponse: true };
		}
		if (!eventsOf(this).includes(event.eventType)) {
			return { webhookResponse: { received: true, started: false, reason: 'event not chosen' } };
		}

		const now = Date.now();
		const key = triggerKey(this);
		const ledger = new EventLedger(key, state.events ?? {});
		if (!ledger.take(event.eventId, now)) {
			return { webhookResponse: { received: true, started: false, reason: 'repeated event' } };
		}
		let json: IDataObject;
		try {
			const { pkg } = await freshPackage(this, teamIdOf(this), event.object);
			json = await packageItemJson(this, pkg, {
				keepToken: this.getNodeParameter('options.includePackageToken', false) === true,
				includeMetadata: this.getNodeParameter('options.includeMetadata', false) === true,
			});
		} catch (error) {
			// No execution: MASV gets an error answer and tries the event again (up to 5 attempts).
			// (An error thrown here would make n8n start an execution that failed.)
			ledger.release(event.eventId);
			const message = (error as Error).message;
			this.logger.warn(`MASV Webhook Trigger: event ${event.eventId} not taken, MASV will send it again: ${message}`);
			response.status(503).json({ message: `Could not read the package from MASV: ${message}` });
			return { noWebhookResponse: true };
		}
		// Lost in n8n 2.40.7 when the execution starts (docs/n8n-issues.md); execute() keeps the ID.
		state.events = ledger.toSave(now);
		shareEvents(key, now);
		return {
			workflowData: [[{ json: { ...json, event: event.eventType, eventId: event.eventId } }]],
		};
	}
}
