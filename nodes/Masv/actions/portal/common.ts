import { NodeOperationError } from 'n8n-workflow';
import type { IDataObject, INode } from 'n8n-workflow';

import { isoTimestamp } from '../../shared/dates';
import { listParameter } from '../../shared/items';
import { withSizeRestriction } from '../../transport/portals';

/**
 * The portal fields the node offers (Additional Fields of `create`, Update Fields of `update`),
 * as the user enters them. Every key is optional: only what the user added is set.
 */
export interface PortalFields {
	name?: string;
	subdomain?: string;
	message?: string;
	active?: boolean;
	recipients?: string | string[];
	ccRecipients?: string | string[];
	disableUploadReceipt?: boolean;
	accessCode?: string;
	downloadPassword?: string;
	customExpiryDays?: number;
	expiry?: string;
	primaryColor?: string;
	logoUrl?: string;
	backgroundUrl?: string;
	teamspace?: string;
	tagId?: string;
	integrationIds?: string | string[];
	fileTypes?: string | string[];
	fileTypeMode?: 'allow' | 'block';
	maxFileCount?: number;
	maxFileSize?: number;
	maxPackageSize?: number;
	userAuthenticationRequired?: boolean;
	downloadUserAuthenticationRequired?: boolean;
	packageNameFormat?: { format?: { value?: string; label?: string } };
	termsOfService?: { terms?: { title?: string; description?: string; checkboxLabel?: string; checkboxUrl?: string } };
}

/** Node field → MASV portal field, for the fields that go over unchanged (docs/masv-api.md §9.1). */
const PLAIN_FIELDS: Array<[keyof PortalFields, string]> = [
	['name', 'name'],
	['subdomain', 'subdomain'],
	['message', 'message'],
	['active', 'active'],
	['disableUploadReceipt', 'disable_upload_receipt'],
	['customExpiryDays', 'custom_expiry_days'],
	['primaryColor', 'primary_color'],
	['logoUrl', 'logo_url'],
	['backgroundUrl', 'background_url'],
	['teamspace', 'teamspace_id'],
	['maxFileCount', 'max_file_count'],
	['maxFileSize', 'max_file_size'],
	['maxPackageSize', 'max_package_size'],
	['userAuthenticationRequired', 'user_authentication_required'],
	['downloadUserAuthenticationRequired', 'download_user_authentication_required'],
];

/** Free text kept exactly as typed. */
const UNTRIMMED = new Set<keyof PortalFields>(['message']);

/** The portal passwords MASV never returns, with the flag that says whether one is set (§9.1). */
const PASSWORDS: Array<{ flag: string; field: 'accessCode' | 'downloadPassword'; property: string; label: string }> = [
	{ flag: 'has_access_code', field: 'accessCode', property: 'access_code', label: 'Upload Access Code' },
	{ flag: 'has_download_password', field: 'downloadPassword', property: 'download_password', label: 'Download Password' },
];

const EMAIL = /^[^\s@,;]+@[^\s@,;]+\.[^\s@,;]+$/;

function emails(node: INode, value: unknown, parameter: string, itemIndex: number): string[] {
	const list = listParameter(value);
	const wrong = list.find((entry) => !EMAIL.test(entry));
	if (wrong !== undefined) {
		throw new NodeOperationError(node, `"${wrong}" in "${parameter}" is not an email address`, {
			itemIndex,
			description: 'Give email addresses separated by commas, or an array of them from an expression.',
		});
	}
	return list;
}

function isoDate(node: INode, value: unknown, parameter: string, itemIndex: number, timeZone: string): string {
	const iso = isoTimestamp(value, timeZone);
	if (iso === undefined) {
		throw new NodeOperationError(node, `"${String(value)}" in "${parameter}" is not a date`, { itemIndex });
	}
	return iso;
}

/**
 * The MASV portal body (docs/masv-api.md §9.1) for the fields the user set. `collection` names the
 * node parameter that holds them (for error messages). An empty value clears a field: no tag, no
 * expiry, no file-type restriction, no recipients. `timeZone` (the workflow's) reads an Expiry
 * without a zone.
 */
export function portalBody(node: INode, fields: PortalFields, collection: string, itemIndex: number, timeZone: string): IDataObject {
	const body: IDataObject = {};
	for (const [field, property] of PLAIN_FIELDS) {
		const value = fields[field];
		if (value === undefined || value === null) continue;
		body[property] = typeof value === 'string' && !UNTRIMMED.has(field) ? value.trim() : value;
	}
	if (fields.recipients !== undefined) {
		body.recipients = emails(node, fields.recipients, `${collection} > Recipients`, itemIndex);
	}
	if (fields.ccRecipients !== undefined) {
		body.cc_recipients = emails(node, fields.ccRecipients, `${collection} > CC Recipients`, itemIndex);
	}
	if (fields.expiry !== undefined) {
		// §9.1: `expiry` is only read when `expiry_enabled`; an empty Expiry turns it off.
		const enabled = String(fields.expiry).trim() !== '';
		body.expiry_enabled = enabled;
		if (enabled) body.expiry = isoDate(node, fields.expiry, `${collection} > Expiry`, itemIndex, timeZone);
	}
	if (fields.fileTypes !== undefined) {
		const types = listParameter(fields.fileTypes).map((type) => (type.startsWith('.') ? type : `.${type}`));
		body.file_type_restriction_enabled = types.length > 0;
		body.file_types = types;
	}
	if (fields.fileTypeMode !== undefined) body.file_type_restriction_exclude = fields.fileTypeMode === 'block';
	Object.assign(body, portalPasswords(fields), portalSwitchedObjects(fields), portalReferences(fields));
	return body;
}

/**
 * The portal passwords as MASV's own client sends them (docs/masv-api.md §9.1, decision 1): the
 * `has_*` boolean is the switch and the value goes with `true`. A password the user set (kept
 * exactly as typed) → `{has_access_code: true, access_code}`; the field added but empty →
 * `{has_access_code: false}` (removes it); the field not added → neither key. Same for the
 * download password. Used by Create and Update.
 */
export function portalPasswords(fields: Pick<PortalFields, 'accessCode' | 'downloadPassword'>): IDataObject {
	const body: IDataObject = {};
	for (const { flag, field, property } of PASSWORDS) {
		const value = fields[field];
		if (value === undefined || value === null) continue;
		const text = String(value);
		body[flag] = text !== '';
		if (text !== '') body[property] = text;
	}
	return body;
}

/**
 * Package Name Format and Terms of Service (docs/masv-api.md §9.1): each an object that MASV reads
 * only while its `*_enabled` switch is on. Set → the switch on and the object; added but empty
 * (no entry, or every value empty) → the switch off.
 */
function portalSwitchedObjects(fields: Pick<PortalFields, 'packageNameFormat' | 'termsOfService'>): IDataObject {
	const body: IDataObject = {};
	if (fields.packageNameFormat !== undefined) {
		const format = fields.packageNameFormat?.format ?? {};
		const value = String(format.value ?? '');
		const label = String(format.label ?? '').trim();
		body.package_name_format_enabled = value !== '' || label !== '';
		if (body.package_name_format_enabled) body.package_name_format = { value, label };
	}
	if (fields.termsOfService !== undefined) {
		const terms = fields.termsOfService?.terms ?? {};
		const object = {
			title: String(terms.title ?? '').trim(),
			description: String(terms.description ?? ''),
			checkbox_label: String(terms.checkboxLabel ?? '').trim(),
			checkbox_url: String(terms.checkboxUrl ?? '').trim(),
		};
		body.terms_of_service_enabled = Object.values(object).some((text) => text !== '');
		if (body.terms_of_service_enabled) body.terms_of_service = object;
	}
	return body;
}

/**
 * The tag and storage integrations of a portal. UNCERTAIN (docs/masv-api.md §9.1): the docs show `tag`
 * as `{id, name}` and `cloud_connections[]` as objects with at least `id`; the node sends objects
 * holding only the `id`, and `tag: null` to remove the tag.
 */
export function portalReferences(fields: Pick<PortalFields, 'tagId' | 'integrationIds'>): IDataObject {
	const body: IDataObject = {};
	if (fields.tagId !== undefined) {
		const tagId = String(fields.tagId).trim();
		body.tag = tagId ? { id: tagId } : null;
	}
	if (fields.integrationIds !== undefined) {
		body.cloud_connections = listParameter(fields.integrationIds).map((id) => ({ id }));
	}
	return body;
}

/**
 * The body of `POST /v1/teams/{teamId}/portals` (docs/masv-api.md §9.2). Only `name` and `subdomain`
 * are required today, but older docs also require `message`, `recipients` and `active`, so they are
 * always sent. `active` defaults to true here: a portal made from a workflow is meant to receive
 * uploads (MASV itself would create it inactive).
 */
export function portalCreateBody(name: string, subdomain: string, fields: IDataObject): IDataObject {
	const body: IDataObject = { message: '', recipients: [], active: true, ...fields, name, subdomain };
	for (const [key, value] of Object.entries(body)) {
		if (value === null) delete body[key];
	}
	return withSizeRestriction(body);
}

/**
 * The portal a PUT answered with. UNCERTAIN (docs/masv-api.md §9.6): the success body is not documented;
 * when it is not a portal object, the portal is `sent`: the portal as read with the body written.
 */
export function portalFromUpdateAnswer(answer: unknown, sent: IDataObject): IDataObject {
	if (answer && typeof answer === 'object' && !Array.isArray(answer) && (answer as IDataObject).id !== undefined) {
		return answer as IDataObject;
	}
	// Like MASV's own answers, the output does not echo the upload or download password.
	const portal = { ...sent };
	delete portal.access_code;
	delete portal.download_password;
	return portal;
}



/** The passwords the portal had before an update that the update does not set: at risk of loss. */
export function passwordsAtRisk(before: IDataObject, fields: PortalFields): boolean {
	return PASSWORDS.some(({ flag, field }) => before[flag] === true && fields[field] === undefined);
}

/**
 * UNCERTAIN (docs/masv-api.md §9.6): if MASV's PUT replaces the whole portal, the portal sent back
 * without its passwords (MASV never returns them) would lose them. `before` and `after` are the
 * portal as read before and after the PUT, by the same route: when it has lost a password the
 * user did not touch, the update fails loudly, naming the field that sets it again, instead of
 * leaving a portal open that was protected.
 */
export function checkPasswordsKept(
	node: INode,
	before: IDataObject,
	after: IDataObject,
	fields: PortalFields,
	itemIndex: number,
): void {
	for (const { flag, field, label } of PASSWORDS) {
		if (before[flag] === true && after[flag] === false && fields[field] === undefined) {
			throw new NodeOperationError(node, `MASV removed the portal's ${label} in this update`, {
				itemIndex,
				description: `The other changes were saved. MASV does not return passwords, so the update could not send this one back: set "Update Fields > ${label}" to protect the portal again.`,
			});
		}
	}
}
