import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { forEachItem } from '../../shared/items';
import { withoutTokens } from '../../shared/secrets';
import { isRecord, packageCall, packagePath, simplifiedIfAsked } from './common';

/** Its fields are the package-token fields of Package.resource.ts. */
export const description: INodeProperties[] = [];

/**
 * A package's custom metadata as the node outputs it (docs/masv-api.md §5.14): MASV's answer with
 * `fields` always an array (an answer without one read as no answers), plus `values`, the answers
 * by field name, for routing in IF and Switch nodes. The triggers' `includeMetadata` uses the same
 * shape.
 */
export function packageMetadata(packageId: string, answer: unknown): IDataObject {
	const body = isRecord(answer) ? withoutTokens(answer) : {};
	const fields = Array.isArray(body.fields) ? (body.fields as unknown[]).filter(isRecord) : [];
	const values: IDataObject = {};
	for (const field of fields) {
		if (typeof field.name === 'string' && field.name !== '') values[field.name] = field.value ?? null;
	}
	return { package_id: packageId, ...body, fields, values };
}

/** `package` / `getMetadata`: `GET /v1/packages/{id}/metadata` with the package token (§5.14). */
export async function execute(this: IExecuteFunctions) {
	return await forEachItem(this, async (itemIndex) => {
		const { packageId, body } = await packageCall(this, itemIndex, (id) => ({ method: 'GET', path: packagePath(id, '/metadata') }));
		return simplifiedIfAsked(this, itemIndex, packageMetadata(packageId, body), 'metadata');
	});
}
