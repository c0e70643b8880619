// Where an upload goes: a new team package, an existing package or a new portal package.
import { NodeOperationError } from 'n8n-workflow';
import type { IExecuteFunctions } from 'n8n-workflow';

import { idParameter, listParameter } from '../../shared/items';
import { createPortalPackage, createTeamPackage } from '../../transfer/uploadApi';
import type { UploadPackage } from '../../transfer/uploadApi';
import type { RetryPolicy } from '../../transport/retry';
import { packageTokenForItem } from './common';

/** The package an item uploads into: new, existing or on a portal. */
export async function packageForItem(
	ctx: IExecuteFunctions,
	baseUrl: string,
	itemIndex: number,
	policy: RetryPolicy,
): Promise<{ pkg: UploadPackage; created: boolean; teamId?: string }> {
	const destination = ctx.getNodeParameter('destination', itemIndex, 'newPackage') as string;
	if (destination === 'existingPackage') {
		const { packageId, token, pkg } = await packageTokenForItem(ctx, itemIndex);
		// A token given under Options: the package cannot be read with the API key to check it.
		if (!pkg) return { pkg: { id: packageId, name: '', state: 'new', token }, created: false };
		const state = String(pkg.state ?? 'new');
		if (state !== 'new') {
			throw new NodeOperationError(ctx.getNode(), `The package ${packageId} is ${state}: files can only be added to a package that is not finalized`, {
				itemIndex,
				description: 'Choose another package under "Package", or upload into a new package.',
			});
		}
		const teamId = idParameter(ctx, 'teamId', itemIndex);
		return { pkg: { id: packageId, name: String(pkg.name ?? ''), state, token }, created: false, teamId };
	}
	const name = String(ctx.getNodeParameter('name', itemIndex, '') ?? '').trim();
	const description = String(ctx.getNodeParameter('description', itemIndex, '') ?? '');
	if (destination === 'portal') {
		const subdomain = String(ctx.getNodeParameter('subdomain', itemIndex, '') ?? '')
			.trim()
			.replace(/\.portal\.massive\.io.*$/i, '')
			.replace(/^https?:\/\//i, '');
		if (!subdomain) {
			throw new NodeOperationError(ctx.getNode(), 'The parameter "Portal Subdomain" is empty', { itemIndex });
		}
		const sender = String(ctx.getNodeParameter('senderEmail', itemIndex, '') ?? '').trim();
		if (!sender) throw new NodeOperationError(ctx.getNode(), 'The parameter "Sender Email" is empty', { itemIndex });
		return { pkg: await createPortalPackage(ctx, baseUrl, subdomain, { name, sender, description }, itemIndex, policy), created: true };
	}
	if (destination !== 'newPackage') {
		throw new NodeOperationError(ctx.getNode(), `Unknown destination "${destination}"`, { itemIndex });
	}
	const teamId = idParameter(ctx, 'teamId', itemIndex);
	const recipients = listParameter(ctx.getNodeParameter('recipients', itemIndex, ''));
	const { pkg } = await createTeamPackage(ctx, teamId, { name, description, recipients }, itemIndex, policy);
	return { pkg, created: true, teamId };
}
