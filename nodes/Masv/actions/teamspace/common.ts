import type { IDataObject } from 'n8n-workflow';

/**
 * The Teamspace a rename (`PUT /v1/spaces/{teamspaceId}`) answered with. UNCERTAIN (docs/masv-api.md
 * §10.5): the doc example answers with the list envelope `{metadata, teamspaces: [...]}` holding the
 * renamed space, while a single Teamspace object is more likely. Both give the one Teamspace; an
 * empty answer gives what is known: its ID and new name.
 */
export function teamspaceFromRenameAnswer(answer: unknown, teamspaceId: string, name: string): IDataObject {
	const body = answer && typeof answer === 'object' ? (answer as IDataObject | IDataObject[]) : undefined;
	const list = Array.isArray(body) ? body : (body?.teamspaces ?? body?.records);
	if (Array.isArray(list)) {
		const renamed = (list as IDataObject[]).find((space) => space && space.id === teamspaceId);
		return renamed ?? { id: teamspaceId, name };
	}
	if (body && !Array.isArray(body) && body.id !== undefined) return body;
	return { id: teamspaceId, name };
}
