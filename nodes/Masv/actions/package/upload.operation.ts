import { NodeOperationError } from 'n8n-workflow';
import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { listParameter } from '../../shared/items';
import { maxMemoryOption, transferPolicy } from '../../shared/transferOptions';
import { FileCancels, MemoryBudget } from '../../transfer/budget';
import { PartBuffers } from '../../transfer/parts';
import { uploadFile } from '../../transfer/upload';
import type { UploadFileRequest, UploadSource } from '../../transfer/upload';
import { uploadFlowApi } from '../../transfer/uploadApi';
import { getMasvBaseUrl } from '../../transport/request';
import { packageForItem } from './uploadDestination';
import { folderPath, onePackagePerItem, parallelFilesOption, parallelOption, partSizeOption } from './uploadOptions';
import type { UploadOptions } from './uploadOptions';
import { cleanUpPackage, fileMemory, fileRecord, finalizePackageOnce, notFinalizedError, outputItem } from './uploadRun';
import type { FileToUpload, ItemResult, PackageRun } from './uploadRun';

export { description } from './uploadDescription';

/**
 * `package` / `upload`: the binaries of every input item into MASV (README.md, "Upload and download large files").
 * Packages are finalized at the very end, once every file of the run is finalized, and only those
 * that no failed item touched.
 */
export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const baseUrl = await getMasvBaseUrl(this);
	const runs = new Map<string, PackageRun>();
	let shared: PackageRun | undefined;
	/** A failure of an item meant for the shared package before that package existed. */
	let sharedFailure: string | undefined;
	const results: ItemResult[] = [];

	// Files go up `parallelFiles` at a time, across items, their part buffers under one ceiling. Items
	// are prepared in order (options, binaries, package), so the first item still decides the shared
	// package; each file then starts as soon as a slot and its memory are free.
	const parallelFiles = parallelFilesOption(this);
	const budget = new MemoryBudget(maxMemoryOption(this, this.getNodeParameter('options', 0, {}) as UploadOptions, 0));
	const pools = new Map<number, PartBuffers>();
	const partBuffers = (partSize: number) => pools.get(partSize) ?? pools.set(partSize, new PartBuffers(partSize)).get(partSize)!;
	const inFlight = new Set<Promise<void>>();
	const cancels = new FileCancels(this.getExecutionCancelSignal?.());
	/** The failure that stops the run (Continue On Fail off, or cancelled), the first one. */
	let stop: { error: unknown; itemIndex: number; run?: PackageRun } | undefined;

	const failed = (result: ItemResult, error: unknown) => {
		const message = (error as Error).message;
		const failure = `item ${result.itemIndex} failed: ${message}`;
		if (result.run) {
			result.run.failure ??= failure;
		} else if (!onePackagePerItem(this, result.itemIndex)) {
			// The item's files belong in the shared package: without them it must not be finalized.
			if (shared) shared.failure ??= failure;
			else sharedFailure ??= failure;
		}
		if (this.getExecutionCancelSignal()?.aborted || !this.continueOnFail()) {
			stop ??= { error, itemIndex: result.itemIndex, run: result.run };
			return;
		}
		result.error ??= message;
	};

	for (let itemIndex = 0; itemIndex < items.length && !stop; itemIndex++) {
		const result: ItemResult = { itemIndex, files: [] };
		results.push(result);
		let files: FileToUpload[];
		let upload: Omit<UploadFileRequest, 'name' | 'size' | 'source'>;
		let api: ReturnType<typeof uploadFlowApi>;
		try {
			const options = this.getNodeParameter('options', itemIndex, {}) as UploadOptions;
			files = await filesOfItem(this, itemIndex, options);
			const partSize = partSizeOption(this, options, itemIndex);
			const parallel = parallelOption(this, options, itemIndex);
			const policy = transferPolicy(this, options, itemIndex);
			const maxMemory = maxMemoryOption(this, options, itemIndex);
			let run = options.onePackagePerItem ? undefined : shared;
			if (!run) {
				const { pkg, created, teamId } = await packageForItem(this, baseUrl, itemIndex, policy);
				run = runs.get(pkg.id) ?? { pkg, created, teamId, finalizedFiles: 0, policy };
				runs.set(pkg.id, run);
				if (!options.onePackagePerItem) {
					shared = run;
					run.failure ??= sharedFailure;
				}
			}
			result.run = run;
			api = uploadFlowApi(this, baseUrl, run.pkg, itemIndex, policy);
			upload = { path: folderPath(options.folderPath), partSize, parallel, maxMemory, policy, itemIndex, partBuffers };
		} catch (error) {
			failed(result, error);
			continue;
		}
		const records: IDataObject[] = [];
		for (const [index, file] of files.entries()) {
			while (inFlight.size >= parallelFiles) await Promise.race(inFlight);
			if (stop || result.error !== undefined) break;
			const memory = fileMemory(file, upload);
			const giveBack = await budget.take(memory);
			const cancel = cancels.forFile();
			const fileCtx = {
				helpers: this.helpers,
				logger: this.logger,
				getNode: () => this.getNode(),
				getExecutionCancelSignal: () => cancel.signal,
			};
			const task: Promise<void> = uploadFile(fileCtx, api, { ...upload, name: file.name, size: file.size, source: file.source })
				.then(
					(record) => {
						if (result.run) result.run.finalizedFiles++;
						records[index] = fileRecord(record, file, upload.path);
						// In the order of the item's binaries, whichever finished first.
						result.files = records.filter(Boolean);
					},
					(error: unknown) => failed(result, error),
				)
				.finally(() => {
					giveBack();
					cancel.done();
					inFlight.delete(task);
				});
			inFlight.add(task);
		}
	}
	await Promise.all(inFlight);
	cancels.close();
	if (stop) {
		if (stop.run) await cleanUpPackage(this, baseUrl, stop.run, stop.itemIndex);
		throw notFinalizedError(this, stop.error, stop.itemIndex, stop.run);
	}

	const finalize = this.getNodeParameter('finalize', 0, true) as boolean;
	for (const run of runs.values()) {
		if (!finalize || run.failure) continue;
		const firstItem = results.find((result) => result.run === run)?.itemIndex ?? 0;
		try {
			const answer = await finalizePackageOnce(this, baseUrl, run, firstItem);
			run.pkg.state = typeof answer?.state === 'string' ? answer.state : 'finalized';
		} catch (error) {
			if (!this.continueOnFail()) throw notFinalizedError(this, error, firstItem);
			run.failure = `finalizing the package failed: ${(error as Error).message}`;
		}
	}
	for (const run of runs.values()) {
		if (!run.failure) continue;
		const firstItem = results.find((result) => result.run === run)?.itemIndex ?? 0;
		await cleanUpPackage(this, baseUrl, run, firstItem);
	}

	return [results.map((result) => outputItem(result, finalize))];
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

/** The file name at the end of a path (`\` or `/` separated), trimmed. */
function fileNameOf(name: string): string {
	const parts = name.replace(/\\/g, '/').split('/');
	return parts[parts.length - 1].trim();
}
