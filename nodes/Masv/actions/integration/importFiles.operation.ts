import { NodeApiError, NodeOperationError } from 'n8n-workflow';
import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { showFor } from '../../shared/descriptions';
import { forEachItem, idParameter, listParameter } from '../../shared/items';
import { publicPackage } from '../../shared/secrets';
import { createTeamPackage } from '../../transfer/uploadApi';
import { callPolicy } from '../../shared/transferOptions';
import { findTransfer } from '../../transport/readBack';
import { toNodeError } from '../../transport/errors';
import { getMasvBaseUrl, masvPackageRequest } from '../../transport/request';
import { getConnection } from './common';

const show = showFor('integration');

export const description: INodeProperties[] = [
	{
		displayName: 'Files',
		name: 'files',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'e.g. media/clip.mov, media/stills/',
		description:
			'Keys or paths in the connected storage, comma-separated; a folder ends with a slash. For a Storage Gateway, the full path of each file (path and file name). From an expression, also an array of keys or of entries with an ID, name and kind, such as the output of List Files.',
		displayOptions: show(['importFiles']),
	},
	{
		displayName: 'Package Name',
		name: 'name',
		type: 'string',
		default: '',
		required: true,
		description: 'Name of the new package',
		displayOptions: show(['importFiles']),
	},
	{
		displayName: 'Description',
		name: 'description',
		type: 'string',
		default: '',
		typeOptions: { rows: 2 },
		description: 'Message sent with the package',
		displayOptions: show(['importFiles']),
	},
	{
		displayName: 'Recipients',
		name: 'recipients',
		type: 'string',
		default: '',
		placeholder: 'e.g. name@email.com, other@email.com',
		description:
			'Comma-separated email addresses (or an array from an expression) to notify when the package is ready; empty for a link-only package',
		displayOptions: show(['importFiles']),
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		displayOptions: show(['importFiles']),
		options: [
			{
				displayName: 'Notify Email',
				name: 'notifyEmail',
				type: 'string',
				default: '',
				placeholder: 'name@email.com',
				description: 'Email address MASV tells when the import is done',
			},
			{
				displayName: 'Provider',
				name: 'provider',
				type: 'string',
				default: '',
				placeholder: 'e.g. amazon_s3',
				description:
					'Provider of the integration as MASV names it. Leave empty to read it from the integration (one extra call).',
			},
		],
	},
];

interface TransferFile extends IDataObject {
	id: string;
	name: string;
	kind: string;
}

/** The last segment of a storage key (`a/b/` → `b`: a folder key ends with `/`). */
function keyLeaf(key: string): string {
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
				files.push({ id: key, name: keyLeaf(key), kind: key.endsWith('/') ? 'directory' : 'file' });
			}
			continue;
		}
		const record = (entry ?? {}) as IDataObject;
		const source = record.json && typeof record.json === 'object' ? (record.json as IDataObject) : record;
		const id = typeof source.id === 'string' ? source.id.trim() : '';
		if (!id) throw fail(`has an entry without an ID (entry ${index + 1})`);
		const kind = typeof source.kind === 'string' && source.kind ? source.kind : id.endsWith('/') ? 'directory' : 'file';
		const name = typeof source.name === 'string' && source.name ? source.name : keyLeaf(id);
		files.push({ id, name, kind });
	}
	if (files.length === 0) throw fail('is empty');
	return files;
}

interface ImportOptions {
	notifyEmail?: string;
	provider?: string;
}

/**
 * `integration` / `importFiles`: a new team package filled from the connected storage
 * (docs/masv-api.md §14.7, `cloud_to_masv`): create the package with the API key, then start the
 * transfer with the new package's token. A refused transfer removes the empty package again.
 * Any connection is tried, whatever its `direction`: Storage Gateway connections import too, and
 * MASV's own client checks no direction (docs/masv-api.md §14.7, decision 3); MASV's refusal of a
 * connection that cannot import is reported with its message.
 */
export async function execute(this: IExecuteFunctions) {
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
			provider = typeof connection.provider === 'string' ? connection.provider : '';
			if (!provider) {
				throw new NodeOperationError(this.getNode(), 'MASV returned the integration without its provider', {
					itemIndex,
					description: 'Give the provider under Options > Provider (e.g. amazon_s3).',
				});
			}
		}

		const { pkg, answer } = await createTeamPackage(this, teamId, { name, description, recipients }, itemIndex, callPolicy(this, itemIndex));
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
				readBack: async (sentAt) => await findTransfer(this, baseUrl, token, packageId, body, sentAt, callPolicy(this, itemIndex)),
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
