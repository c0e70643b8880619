import { NodeOperationError } from 'n8n-workflow';
import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { showFor } from '../../shared/descriptions';
import { forEachItem } from '../../shared/items';
import { isoTimestamp } from '../../shared/dates';
import { objectOr, packageCall, packagePath } from './common';

const show = showFor('package');

export const description: INodeProperties[] = [
	{
		displayName: 'Unlimited Storage',
		name: 'unlimitedStorage',
		type: 'boolean',
		default: false,
		description:
			'Whether to keep the package without a time limit (extended storage may be billed). Leave off and set Expiry to give it a new expiry date instead.',
		displayOptions: show(['updateExpiry']),
	},
	{
		displayName: 'Expiry',
		name: 'expiry',
		type: 'dateTime',
		default: '',
		description:
			"New expiry date and time of the package (in the workflow's time zone unless the value names one). Leave empty when Unlimited Storage is on.",
		displayOptions: show(['updateExpiry']),
	},
];

export async function execute(this: IExecuteFunctions) {
	return await forEachItem(this, async (itemIndex) => {
		const unlimited = this.getNodeParameter('unlimitedStorage', itemIndex, false) as boolean;
		const rawExpiry = this.getNodeParameter('expiry', itemIndex, '') as unknown;
		const hasExpiry = !(rawExpiry === '' || rawExpiry === null || rawExpiry === undefined);
		if (unlimited && hasExpiry) {
			throw new NodeOperationError(
				this.getNode(),
				'"Unlimited Storage" (unlimitedStorage) and "Expiry" (expiry) cannot be used together',
				{
					itemIndex,
					description: 'Turn Unlimited Storage off to give the package an expiry date, or clear Expiry to keep it without a time limit.',
				},
			);
		}
		if (!unlimited && !hasExpiry) {
			throw new NodeOperationError(this.getNode(), 'Set "Expiry" (expiry) or turn on "Unlimited Storage" (unlimitedStorage)', {
				itemIndex,
				description: 'Update Expiry needs either a new expiry date or unlimited storage.',
			});
		}
		// docs/masv-api.md §5.12: the two valid bodies.
		const body: IDataObject = unlimited
			? { unlimited_storage: true }
			: { unlimited_storage: false, expiry: expiryIso(this, rawExpiry, itemIndex) };
		const result = await packageCall(this, itemIndex, (id) => ({
			method: 'PUT',
			path: packagePath(id, '/expiry'),
			body,
			idempotent: true,
		}));
		return objectOr(result.body, { id: result.packageId, ...body });
	});
}

/**
 * The Expiry parameter as an ISO 8601 UTC timestamp (`isoTimestamp`, docs/masv-api.md §5.13): a
 * value without a zone is read in the workflow's time zone.
 */
export function expiryIso(ctx: IExecuteFunctions, value: unknown, itemIndex: number): string {
	const iso = isoTimestamp(value, ctx.getTimezone());
	if (iso === undefined) {
		throw new NodeOperationError(ctx.getNode(), `"Expiry" (expiry) is not a valid date: ${String(value).slice(0, 60)}`, {
			itemIndex,
			description: 'Use a date such as 2030-01-31 or 2030-01-31T18:00:00.',
		});
	}
	return iso;
}
