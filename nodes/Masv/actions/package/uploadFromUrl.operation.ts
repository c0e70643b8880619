import { NodeOperationError } from 'n8n-workflow';
import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { transferPolicy } from '../../shared/transferOptions';
import { checkUrlSource, sourceUrl, urlFileName, urlUploadSource } from '../../transfer/urlSource';
import { fileNameOf } from './uploadOptions';
import type { UploadOptions } from './uploadOptions';
import { runUpload } from './uploadRun';
import type { FileToUpload } from './uploadRun';

/**
 * `package` / `uploadFromUrl`: the body of each input item's URL into MASV, in parts, as Upload
 * sends a binary, without passing through n8n's binary store (docs/upload-from-url.md). The same
 * destinations, options, finalize rules and clean-up as Upload (uploadRun.ts).
 */
export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	return await runUpload(this, fileOfUrl);
}

/**
 * The file behind an item's URL: the URL is checked (status, length, ranges, HTML) before any
 * package is created, so that a bad URL creates nothing.
 */
async function fileOfUrl(ctx: IExecuteFunctions, itemIndex: number, options: UploadOptions): Promise<FileToUpload[]> {
	const node = ctx.getNode();
	const url = sourceUrl(node, ctx.getNodeParameter('url', itemIndex, ''), itemIndex);
	const given = fileNameOf(String(ctx.getNodeParameter('fileName', itemIndex, '') ?? ''));
	const policy = transferPolicy(ctx, options, itemIndex);
	const checked = await checkUrlSource(ctx, url, { policy, itemIndex, cancel: ctx.getExecutionCancelSignal?.(), fileName: given });
	const name = given || fileNameOf(checked.dispositionName ?? '') || fileNameOf(urlFileName(url) ?? '');
	if (!name) {
		throw new NodeOperationError(node, 'The URL gives no file name (no Content-Disposition, and its path ends in /)', {
			itemIndex,
			description: 'Set the parameter "File Name".',
		});
	}
	return [{ name, size: checked.size, source: urlUploadSource(ctx, checked, { policy, itemIndex, name }), readsHeld: checked.readsHeld }];
}
