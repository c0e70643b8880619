import type { INodeProperties } from 'n8n-workflow';

import { activityFields, activityOperations } from './activity/Activity.resource';
import { integrationFields, integrationOperations } from './integration/Integration.resource';
import * as importFiles from './integration/importFiles.operation';
import * as listFiles from './integration/listFiles.operation';
import { linkFields, linkOperations } from './link/Link.resource';
import * as linkCreate from './link/create.operation';
import * as linkDownload from './link/download.operation';
import * as linkGet from './link/get.operation';
import { packageFields, packageOperations } from './package/Package.resource';
import * as packageDelete from './package/delete.operation';
import * as packageDownload from './package/download.operation';
import * as finalize from './package/finalize.operation';
import * as getFiles from './package/getFiles.operation';
import * as getMetadata from './package/getMetadata.operation';
import * as getTransfers from './package/getTransfers.operation';
import * as sendToIntegration from './package/sendToIntegration.operation';
import * as updateExpiry from './package/updateExpiry.operation';
import * as upload from './package/upload.operation';
import { portalFields, portalOperations } from './portal/Portal.resource';
import * as portalUpdate from './portal/update.operation';
import { tagFields, tagOperations } from './tag/Tag.resource';
import { teamFields, teamOperations } from './team/Team.resource';
import { teamspaceFields, teamspaceOperations } from './teamspace/Teamspace.resource';
import { webhookFields, webhookOperations } from './webhook/Webhook.resource';
import * as webhookUpdate from './webhook/update.operation';
import type { CustomOperation, CustomOperations } from './types';
import { withRetryOptions } from '../shared/retryOptions';

export const resourceSelector: INodeProperties = {
	displayName: 'Resource',
	name: 'resource',
	type: 'options',
	noDataExpression: true,
	default: 'package',
	options: [
		{ name: 'Activity', value: 'activity', description: 'Transfer history: uploads, downloads, deliveries' },
		{ name: 'Integration', value: 'integration', description: 'Cloud storage connected to MASV' },
		{ name: 'Link', value: 'link', description: 'Download links to packages' },
		{ name: 'Package', value: 'package', description: 'Packages of files: create, upload, download, finalize' },
		{ name: 'Portal', value: 'portal', description: 'Upload pages that receive packages from anyone' },
		{ name: 'Tag', value: 'tag', description: 'Labels for packages and portals' },
		{ name: 'Team', value: 'team', description: 'Teams of the API key and their members' },
		{ name: 'Teamspace', value: 'teamspace', description: 'Groups of team members with their own packages' },
		{ name: 'Webhook', value: 'webhook', description: 'Custom webhooks: MASV calls a URL when packages are created or finalized' },
	],
};

/** Every resource's fields, before the retry options are added (`withRetryOptions`). */
const resourceFields: INodeProperties[] = [
	resourceSelector,
	activityOperations,
	...activityFields,
	integrationOperations,
	...integrationFields,
	linkOperations,
	...linkFields,
	packageOperations,
	...packageFields,
	portalOperations,
	...portalFields,
	tagOperations,
	...tagFields,
	teamOperations,
	...teamFields,
	teamspaceOperations,
	...teamspaceFields,
	webhookOperations,
	...webhookFields,
];

export const resourceProperties: INodeProperties[] = withRetryOptions(resourceFields);


/** The Operation selector of every resource, with its literal types. */
interface OperationSelectors {
	activity: typeof activityOperations;
	integration: typeof integrationOperations;
	link: typeof linkOperations;
	package: typeof packageOperations;
	portal: typeof portalOperations;
	tag: typeof tagOperations;
	team: typeof teamOperations;
	teamspace: typeof teamspaceOperations;
	webhook: typeof webhookOperations;
}

type OptionOf<Selector extends INodeProperties> = NonNullable<Selector['options']>[number];
type ValueOf<Option> = Option extends { value: infer Value } ? Value : never;

/** The values of a resource's operation options without routing, and with it. */
type UnroutedOperation<Selector extends INodeProperties> = ValueOf<Exclude<OptionOf<Selector>, { routing: object }>>;
type RoutedOperation<Selector extends INodeProperties> = ValueOf<Extract<OptionOf<Selector>, { routing: object }>>;

/**
 * Exactly one implementation for every operation option without routing, and none for a routed
 * one: an option with neither routing nor an entry here does not type-check.
 */
type CustomOperationMap = {
	[Resource in keyof OperationSelectors]: Record<UnroutedOperation<OperationSelectors[Resource]>, CustomOperation> &
		Partial<Record<RoutedOperation<OperationSelectors[Resource]>, never>>;
};

const byResource: CustomOperationMap = {
	activity: {},
	integration: { importFiles: importFiles.execute, listFiles: listFiles.execute },
	link: { create: linkCreate.execute, download: linkDownload.execute, get: linkGet.execute },
	package: {
		delete: packageDelete.execute,
		download: packageDownload.execute,
		finalize: finalize.execute,
		getFiles: getFiles.execute,
		getMetadata: getMetadata.execute,
		getTransfers: getTransfers.execute,
		sendToIntegration: sendToIntegration.execute,
		updateExpiry: updateExpiry.execute,
		upload: upload.execute,
	},
	portal: { update: portalUpdate.execute },
	tag: {},
	team: {},
	teamspace: {},
	webhook: { update: webhookUpdate.execute },
};

/**
 * The operations that routing cannot do well, by resource and operation: package-token calls (the
 * token is looked up first and sent instead of the API key), uploads, downloads and multi-call
 * integration operations. Resources without any are left out.
 */
export const customOperations: CustomOperations = {};
for (const [resource, operations] of Object.entries(byResource)) {
	const implemented = Object.entries(operations as Record<string, CustomOperation>);
	if (implemented.length > 0) customOperations[resource] = Object.fromEntries(implemented);
}
