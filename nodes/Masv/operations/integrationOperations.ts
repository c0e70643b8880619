import { NodeApiError, NodeOperationError } from 'n8n-workflow';
import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import { gatewayPage, isStorageGatewayProvider } from '../api/cloudConnections';
import { toNodeError } from '../api/errors';
import { getMasvBaseUrl, masvApiRequest, masvPackageRequest } from '../api/request';
import { createTeamPackage } from '../api/uploadFlow';
import { forEachItem, idParameter, listParameter } from '../shared/items';
import type { CustomOperations } from './types';

/** Most requests a folder listing makes before it gives up on a server that never ends. */
const MAX_PAGES = 10_000;

async function getConnection(ctx: IExecuteFunctions, integrationId: string, itemIndex: number): Promise<IDataObject> {
	return await masvApiRequest<IDataObject>(ctx, {
		method: 'GET',
		path: `/v1/cloud_connections/${encodeURIComponent(integrationId)}`,
		itemIndex,
	});
}

interface ListOptions {
	pageSize?: number;
	storageType?: 'auto' | 'cloud' | 'storageGateway';
}

/**
 * `integration` / `listFiles`: every entry of a folder, one item each. Cloud storage pages by the
 * last key read (`prev_key`, masv-api.md §14.5); a Storage Gateway by offset (§14.6). With
 * "Automatic" the integration's provider decides.
 */
async function listFiles(this: IExecuteFunctions) {
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

interface TransferFile extends IDataObject {
	id: string;
	name: string;
	kind: string;
}

function baseName(key: string): string {
	const parts = key.split('/').filter((part) => part.length > 0);
	return parts.length ? parts[parts.length - 1] : key;
}

/**
 * The `files` parameter as MASV's transfer takes them: comma-separated keys, an array of keys, or
 * an array of `{id, name?, kind?}` entries (the output of List Files). A key ending in `/` is a folder.
 */
export function transferFiles(ctx: IExecuteFunctions, value: unknown, itemIndex: number): TransferFile[] {
	const fail = (message: string) =>
		new NodeOperationError(ctx.getNode(), `The parameter "files" ${message}`, {
			itemIndex,
			description: 'Give keys or paths in the connected storage, comma-separated, or an array of them or of {id, name, kind} entries.',
		});
	const entries: unknown[] = Array.isArray(value)
		? value
		: value && typeof value === 'object'
			? [value]
			: listParameter(value);
	const files: TransferFile[] = [];
	for (const [index, entry] of entries.entries()) {
		if (typeof entry === 'string' || typeof entry === 'number') {
			for (const key of listParameter(String(entry))) {
				files.push({ id: key, name: baseName(key), kind: key.endsWith('/') ? 'directory' : 'file' });
			}
			continue;
		}
		const record = (entry ?? {}) as IDataObject;
		const source = record.json && typeof record.json === 'object' ? (record.json as IDataObject) : record;
		const id = typeof source.id === 'string' ? source.id.trim() : '';
		if (!id) throw fail(`has an entry without an ID (entry ${index + 1})`);
		const kind = typeof source.kind === 'string' && source.kind ? source.kind : id.endsWith('/') ? 'directory' : 'file';
		const name = typeof source.name === 'string' && source.name ? source.name : baseName(id);
		files.push({ id, name, kind });
	}
	if (files.length === 0) throw fail('is empty');
	return files;
}

/** A package as the node shows it: never with its token or the progress channels' credentials. */
function publicPackage(pkg: IDataObject): IDataObject {
	const copy: IDataObject = {};
	for (const [key, value] of Object.entries(pkg ?? {})) {
		if (key === 'access_token' || key === 'progress_channels' || /token/i.test(key)) continue;
		copy[key] = value;
	}
	return copy;
}

interface ImportOptions {
	notifyEmail?: string;
	provider?: string;
}

/**
 * `integration` / `importFiles`: a new team package filled from the connected storage
 * (masv-api.md §14.7, `cloud_to_masv`): create the package with the API key, then start the
 * transfer with the new package's token. A refused transfer removes the empty package again.
 */
async function importFiles(this: IExecuteFunctions) {
	return await forEachItem(this, async (itemIndex) => {
		const teamId = idParameter(this, 'teamId', itemIndex);
		const integrationId = idParameter(this, 'integrationId', itemIndex);
		const files = transferFiles(this, this.getNodeParameter('files', itemIndex, ''), itemIndex);
		const name = String(this.getNodeParameter('name', itemIndex, '') ?? '').trim();
		if (!name) {
			throw new NodeOperationError(this.getNode(), 'The parameter "name" is empty', {
				itemIndex,
				description: 'Give the new package a name.',
			});
		}
		const description = String(this.getNodeParameter('description', itemIndex, '') ?? '');
		const recipients = listParameter(this.getNodeParameter('recipients', itemIndex, ''));
		const options = this.getNodeParameter('options', itemIndex, {}) as ImportOptions;
		const notifyEmail = typeof options.notifyEmail === 'string' ? options.notifyEmail.trim() : '';

		let provider = typeof options.provider === 'string' ? options.provider.trim() : '';
		if (!provider) {
			const connection = await getConnection(this, integrationId, itemIndex);
			if (typeof connection.direction === 'string' && connection.direction !== 'cloud_to_masv') {
				throw new NodeOperationError(
					this.getNode(),
					`The integration "${String(connection.name ?? integrationId)}" is set up for ${connection.direction}, not for imports (cloud_to_masv)`,
					{ itemIndex, description: 'Choose an integration that MASV may read from (cloud to MASV) in the parameter "integrationId".' },
				);
			}
			provider = typeof connection.provider === 'string' ? connection.provider : '';
			if (!provider) {
				throw new NodeOperationError(this.getNode(), 'MASV returned the integration without its provider', {
					itemIndex,
					description: 'Give the provider under Options > Provider (e.g. amazon_s3).',
				});
			}
		}

		const { pkg, answer } = await createTeamPackage(this, teamId, { name, description, recipients }, itemIndex);
		const { id: packageId, token } = pkg;

		const baseUrl = await getMasvBaseUrl(this);
		const body: IDataObject = { cloud_connection_id: integrationId, direction: 'cloud_to_masv', provider, files };
		if (notifyEmail) body.notify_email = notifyEmail;
		let transfer: IDataObject;
		try {
			transfer = await masvPackageRequest<IDataObject>(this, baseUrl, token, {
				method: 'POST',
				path: `/v1/packages/${encodeURIComponent(packageId)}/transfer`,
				body,
				itemIndex,
			});
		} catch (error) {
			// MASV refused the transfer outright: the empty package is of no use, remove it. After a
			// network failure the transfer may be running, so the package stays.
			const failure = toNodeError(this.getNode(), error, itemIndex);
			const status = failure instanceof NodeApiError ? Number(failure.httpCode) : 0;
			if (status >= 400 && status < 500) {
				await masvPackageRequest(this, baseUrl, token, {
					method: 'DELETE',
					path: `/v1/packages/${encodeURIComponent(packageId)}`,
					itemIndex,
				}).catch(() => undefined);
			}
			throw failure;
		}
		return { package: publicPackage(answer), transfer: transfer ?? {} };
	});
}

export const integrationOperations: CustomOperations = {
	integration: { listFiles, importFiles },
};
