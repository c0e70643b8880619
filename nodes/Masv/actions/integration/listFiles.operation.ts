import { NodeOperationError } from 'n8n-workflow';
import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { returnAllAndLimitUnpaged, showFor } from '../../shared/descriptions';
import { forEachItem, idParameter } from '../../shared/items';
import { masvApiRequest } from '../../transport/request';
import { gatewayPage, isStorageGatewayProvider, getConnection } from './common';

/** Most requests a folder listing makes before it gives up on a server that never ends. */
const MAX_PAGES = 10_000;

const show = showFor('integration');

export const description: INodeProperties[] = [
	{
		displayName: 'Folder or Prefix',
		name: 'prefix',
		type: 'string',
		default: '',
		placeholder: 'e.g. media/',
		description:
			'Folder to list, ending with a slash (media/). For cloud storage this is a key prefix, so media/clip also matches names that start with "clip". Empty lists the top level.',
		displayOptions: show(['listFiles']),
	},
	...returnAllAndLimitUnpaged(show(['listFiles'])),
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		displayOptions: show(['listFiles']),
		options: [
			{
				displayName: 'Page Size',
				name: 'pageSize',
				type: 'number',
				default: 100,
				typeOptions: { minValue: 1, maxValue: 1000 },
				description: 'How many entries to ask MASV for per request; the node reads every page it needs',
			},
			{
				displayName: 'Storage Type',
				name: 'storageType',
				type: 'options',
				default: 'auto',
				description: 'Which MASV browse API to use',
				options: [
					{
						name: 'Automatic',
						value: 'auto',
						description: 'Read the integration first and pick the API from its provider',
					},
					{
						name: 'Cloud Storage',
						value: 'cloud',
						description: 'S3-style storage (Amazon S3, Wasabi, …), paged by last key',
					},
					{
						name: 'Storage Gateway',
						value: 'storageGateway',
						description: 'A MASV Storage Gateway, paged by offset',
					},
				],
			},
		],
	},
];

interface ListOptions {
	pageSize?: number;
	storageType?: 'auto' | 'cloud' | 'storageGateway';
}

/**
 * `integration` / `listFiles`: every entry of a folder, one item each. Cloud storage pages by the
 * last key read (`prev_key`, docs/masv-api.md §14.5); a Storage Gateway by offset (§14.6). With
 * "Automatic" the integration's provider decides.
 */
export async function execute(this: IExecuteFunctions) {
	return await forEachItem(this, async (itemIndex) => {
		const integrationId = idParameter(this, 'integrationId', itemIndex);
		const prefix = String(this.getNodeParameter('prefix', itemIndex, '') ?? '').trim();
		const returnAll = this.getNodeParameter('returnAll', itemIndex, false) as boolean;
		const limit = returnAll ? Infinity : (this.getNodeParameter('limit', itemIndex, 50) as number);
		const options = this.getNodeParameter('options', itemIndex, {}) as ListOptions;
		if (!returnAll && (!Number.isInteger(limit) || limit < 1)) {
			throw new NodeOperationError(this.getNode(), 'The parameter "limit" must be a whole number of at least 1', { itemIndex });
		}
		const requested = Math.floor(Number(options.pageSize ?? 100));
		if (!Number.isFinite(requested) || requested < 1) {
			throw new NodeOperationError(this.getNode(), 'The option "pageSize" must be a whole number of at least 1', { itemIndex });
		}
		const pageSize = Math.min(requested, 1000, limit);

		let gateway = options.storageType === 'storageGateway';
		if (!options.storageType || options.storageType === 'auto') {
			const connection = await getConnection(this, integrationId, itemIndex);
			gateway = isStorageGatewayProvider(connection.provider);
		}

		const entries: IDataObject[] = [];
		if (gateway) {
			const path = `/v1/cloud_connections/providers/storage_gateway/${encodeURIComponent(integrationId)}/files`;
			let offset = 0;
			for (let page = 0; page < MAX_PAGES && entries.length < limit; page++) {
				const body = await masvApiRequest(this, {
					method: 'GET',
					path,
					qs: { path: prefix, offset, count: pageSize },
					itemIndex,
				});
				const { files, moreData } = gatewayPage(body);
				entries.push(...files);
				offset += files.length;
				if (!moreData || files.length === 0) break;
			}
		} else {
			const path = `/v1/cloud_connections/${encodeURIComponent(integrationId)}/files`;
			let prevKey = '';
			for (let page = 0; page < MAX_PAGES && entries.length < limit; page++) {
				const qs: IDataObject = { prefix, count: pageSize };
				if (prevKey) qs.prev_key = prevKey;
				const body = await masvApiRequest(this, { method: 'GET', path, qs, itemIndex });
				const files = Array.isArray(body) ? (body as IDataObject[]) : [];
				entries.push(...files);
				const lastKey = files.length ? files[files.length - 1].id : undefined;
				// Fewer than asked for is the last page; a page that does not move on would repeat forever.
				if (files.length < pageSize || typeof lastKey !== 'string' || !lastKey || lastKey === prevKey) break;
				prevKey = lastKey;
			}
		}
		return entries.slice(0, limit);
	});
}
