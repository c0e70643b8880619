import type { IDataObject } from 'n8n-workflow';

import { isRecord } from './items';
import { withoutTokens } from './secrets';

/**
 * A package's custom metadata as the node outputs it, in Package → Get Metadata and in the
 * triggers' Include Metadata (docs/masv-api.md §5.14): MASV's answer with `fields` always an array
 * (an answer without one read as no answers), plus `values`, the answers by field name, for routing
 * in IF and Switch nodes.
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
