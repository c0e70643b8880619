import type { INodeProperties } from 'n8n-workflow';

import { activityFields, activityOperations } from './activity';
import { integrationFields, integrationOperations } from './integration';
import { linkFields, linkOperations } from './link';
import { packageFields, packageOperations } from './package';
import { portalFields, portalOperations } from './portal';
import { tagFields, tagOperations } from './tag';
import { teamFields, teamOperations } from './team';
import { teamspaceFields, teamspaceOperations } from './teamspace';

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
	],
};

export const resourceProperties: INodeProperties[] = [
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
];
