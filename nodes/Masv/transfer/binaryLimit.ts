// n8n's binary store in `database` mode (the default in queue mode) refuses a file above
// N8N_BINARY_DATA_DATABASE_MAX_FILE_SIZE (512 MiB by default, at most 1024). n8n 2.x raises that
// as a `FileTooLargeError` when the file is stored (after reading it whole), with a message that
// names the limit in MB. The same file would fail the same way on every try, and the user needs to
// know what to change: this turns it into one error that says so.
import { NodeOperationError } from 'n8n-workflow';
import type { INode } from 'n8n-workflow';

const LIMIT_PATTERN = /exceeds the max size limit of (\d+(?:\.\d+)?) MB set for `database` mode/;

/** The limit (MiB) when `error` is n8n's "file too large for `database` mode" error. */
export function databaseModeLimit(error: unknown): number | undefined {
	if (!(error instanceof Error)) return undefined;
	const match = LIMIT_PATTERN.exec(error.message);
	if (match) return Number(match[1]);
	return error.constructor?.name === 'FileTooLargeError' || error.name === 'FileTooLargeError' ? NaN : undefined;
}

/**
 * The error for a file that n8n's binary store refused in `database` mode, naming the limit, the
 * variable that raises it and the alternatives; undefined for any other error.
 */
export function binaryLimitError(node: INode, error: unknown, fileName: string, itemIndex: number): NodeOperationError | undefined {
	const limit = databaseModeLimit(error);
	if (limit === undefined) return undefined;
	const limitText = Number.isNaN(limit) ? 'its size limit' : `its limit of ${limit} MiB`;
	return new NodeOperationError(node, `"${fileName}" is larger than n8n's binary data store allows in \`database\` mode (${limitText})`, {
		itemIndex,
		description:
			'n8n keeps binary data in its database in this mode (the default in queue mode), up to N8N_BINARY_DATA_DATABASE_MAX_FILE_SIZE MiB (512 by default, 1024 at most). ' +
			'Raise that variable, or run n8n with N8N_DEFAULT_BINARY_DATA_MODE=filesystem (in queue mode on a folder that the main and every worker share, N8N_BINARY_DATA_STORAGE_PATH), ' +
			'or let MASV move the bytes without n8n: Package > Send to Integration, Integration > Import Files, or Link > Create to hand out a download link.',
	});
}
