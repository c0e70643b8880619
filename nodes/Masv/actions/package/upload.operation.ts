import { NodeOperationError } from 'n8n-workflow';
import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { listParameter } from '../../shared/items';
import type { UploadSource } from '../../transfer/upload';
import { fileNameOf } from './uploadOptions';
import type { UploadOptions } from './uploadOptions';
import { runUpload } from './uploadRun';
import type { FileToUpload } from './uploadRun';

export { description } from './uploadDescription';

/**
 * `package` / `upload`: the binaries of every input item into MASV (README.md, "Upload and download large files").
 * Packages are finalized at the very end, once every file of the run is finalized, and only those
 * that no failed item touched.
 */
export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	return await runUpload(this, filesOfItem);
}

/** The binaries an item uploads, checked before any package is created. */
async function filesOfItem(ctx: IExecuteFunctions, itemIndex: number, options: UploadOptions): Promise<FileToUpload[]> {
	const names = listParameter(ctx.getNodeParameter('binaryPropertyName', itemIndex, 'data'));
	if (names.length === 0) {
		throw new NodeOperationError(ctx.getNode(), 'The parameter "Input Binary Field" is empty', { itemIndex });
	}
	const override = typeof options.fileName === 'string' ? options.fileName.trim() : '';
	const files: FileToUpload[] = [];
	for (const property of names) {
		const binary = ctx.helpers.assertBinaryData(itemIndex, property);
		let source: UploadSource;
		let size: number;
		let storedName = binary.fileName;
		if (binary.id) {
			// On disk (or another store): read as a stream, part by part.
			const id = binary.id;
			const meta = await ctx.helpers.getBinaryMetadata(id);
			size = meta.fileSize;
			storedName ??= meta.fileName;
			source = { kind: 'stream', open: async (readBufferSize) => await ctx.helpers.getBinaryStream(id, readBufferSize) };
		} else {
			// In memory: n8n already holds the whole file.
			const buffer = await ctx.helpers.getBinaryDataBuffer(itemIndex, property);
			size = buffer.length;
			source = { kind: 'buffer', buffer };
		}
		const name = fileNameOf((names.length === 1 && override) || storedName || `${property}${binary.fileExtension ? `.${binary.fileExtension}` : ''}`);
		if (!name) {
			throw new NodeOperationError(ctx.getNode(), `The binary "${property}" has no usable file name`, {
				itemIndex,
				description: 'Set one under Options > File Name.',
			});
		}
		files.push({ name, size, source });
	}
	return files;
}
