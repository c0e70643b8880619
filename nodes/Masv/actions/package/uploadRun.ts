// The pieces of an upload run shared by Package → Upload and Upload From URL: the packages of a
// run, the output items, finalizing once and cleaning up after a failure.
import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { maxMemoryOption, transferPolicy } from '../../shared/transferOptions';
import { FileCancels, heldReadsReserve, MemoryBudget, uploadMemory } from '../../transfer/budget';
import { DEFAULT_MAX_MEMORY, DEFAULT_PART_LIMITS, fitToMemory, MIB, PartBuffers } from '../../transfer/parts';
import { uncertainOrDone, uploadFile } from '../../transfer/upload';
import type { UploadFileRequest, UploadSource } from '../../transfer/upload';
import { deletePackage, finalizePackage, packageState, uploadFlowApi } from '../../transfer/uploadApi';
import type { UploadPackage } from '../../transfer/uploadApi';
import { toNodeError } from '../../transport/errors';
import { getMasvBaseUrl } from '../../transport/request';
import type { RetryPolicy } from '../../transport/retry';
import { packageForItem } from './uploadDestination';
import { folderPath, onePackagePerItem, parallelFilesOption, parallelOption, partSizeOption } from './uploadOptions';
import type { UploadOptions } from './uploadOptions';

/** A package of this run and what happened to it. */
export interface PackageRun {
	pkg: UploadPackage;
	/** Created by this run (it may be deleted again when nothing in it was finalized). */
	created: boolean;
	/** The team whose API key can read the package back, where there is one. */
	teamId?: string;
	/** Files of this run finalized in it. */
	finalizedFiles: number;
	/** What became of the package after a failure (deleted, or left as it is). */
	cleanup?: string;
	policy: RetryPolicy;
	/** Why it must not be finalized (an item that uploads into it failed). */
	failure?: string;
}

export interface FileToUpload {
	name: string;
	size: number;
	source: UploadSource;
	/** Reading the source leaves socket reads to V8's collector (`StorageAnswer.readsHeld`). */
	readsHeld?: boolean;
}

export interface ItemResult {
	itemIndex: number;
	run?: PackageRun;
	files: IDataObject[];
	error?: string;
}

/** The files an item uploads, read and checked before any package is created for it. */
export type FilesOfItem = (ctx: IExecuteFunctions, itemIndex: number, options: UploadOptions) => Promise<FileToUpload[]>;

/**
 * An upload run: the files of every input item (`filesOfItem`: binaries, or the body of a URL)
 * into MASV. Packages are finalized at the very end, once every file of the run is finalized, and
 * only those that no failed item touched.
 */
export async function runUpload(ctx: IExecuteFunctions, filesOfItem: FilesOfItem): Promise<INodeExecutionData[][]> {
	const items = ctx.getInputData();
	const baseUrl = await getMasvBaseUrl(ctx);
	const runs = new Map<string, PackageRun>();
	let shared: PackageRun | undefined;
	/** A failure of an item meant for the shared package before that package existed. */
	let sharedFailure: string | undefined;
	const results: ItemResult[] = [];

	// Files go up `parallelFiles` at a time, across items, their part buffers under one ceiling. Items
	// are prepared in order (options, binaries, package), so the first item still decides the shared
	// package; each file then starts as soon as a slot and its memory are free.
	const parallelFiles = parallelFilesOption(ctx);
	const budget = new MemoryBudget(maxMemoryOption(ctx, ctx.getNodeParameter('options', 0, {}) as UploadOptions, 0));
	const pools = new Map<number, PartBuffers>();
	const partBuffers = (partSize: number) => pools.get(partSize) ?? pools.set(partSize, new PartBuffers(partSize)).get(partSize)!;
	const inFlight = new Set<Promise<void>>();
	/** The share of the ceiling kept for socket reads the node cannot free, once taken (heldReadsReserve). */
	let reserve: { bytes: number; giveBack: () => void } | undefined;
	const cancels = new FileCancels(ctx.getExecutionCancelSignal?.());
	/** The failure that stops the run (Continue On Fail off, or cancelled), the first one. */
	let stop: { error: unknown; itemIndex: number; run?: PackageRun } | undefined;

	const failed = (result: ItemResult, error: unknown) => {
		const message = (error as Error).message;
		const failure = `item ${result.itemIndex} failed: ${message}`;
		if (result.run) {
			result.run.failure ??= failure;
		} else if (!onePackagePerItem(ctx, result.itemIndex)) {
			// The item's files belong in the shared package: without them it must not be finalized.
			if (shared) shared.failure ??= failure;
			else sharedFailure ??= failure;
		}
		if (ctx.getExecutionCancelSignal()?.aborted || !ctx.continueOnFail()) {
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
			const options = ctx.getNodeParameter('options', itemIndex, {}) as UploadOptions;
			files = await filesOfItem(ctx, itemIndex, options);
			const partSize = partSizeOption(ctx, options, itemIndex);
			const parallel = parallelOption(ctx, options, itemIndex);
			const policy = transferPolicy(ctx, options, itemIndex);
			const maxMemory = maxMemoryOption(ctx, options, itemIndex);
			let run = options.onePackagePerItem ? undefined : shared;
			if (!run) {
				const { pkg, created, teamId } = await packageForItem(ctx, baseUrl, itemIndex, policy);
				run = runs.get(pkg.id) ?? { pkg, created, teamId, finalizedFiles: 0, policy };
				runs.set(pkg.id, run);
				if (!options.onePackagePerItem) {
					shared = run;
					run.failure ??= sharedFailure;
				}
			}
			result.run = run;
			api = uploadFlowApi(ctx, baseUrl, run.pkg, itemIndex, policy);
			upload = { path: folderPath(options.folderPath), partSize, parallel, maxMemory, policy, itemIndex, partBuffers };
		} catch (error) {
			failed(result, error);
			continue;
		}
		const records: IDataObject[] = [];
		for (const [index, file] of files.entries()) {
			while (inFlight.size >= parallelFiles) await Promise.race(inFlight);
			if (stop || result.error !== undefined) break;
			let fileUpload = upload;
			if (file.readsHeld) {
				if (!reserve) {
					const bytes = heldReadsReserve(budget.limit);
					reserve = { bytes, giveBack: await budget.take(bytes) };
					ctx.logger.debug(
						`MASV upload: the source's answers keep their socket reads until the garbage collector frees them (n8n's HTTP helper hides the socket); ${bytes / MIB} MiB of Max Memory are kept for them`,
					);
				}
				fileUpload = shapeForHeldReads(upload, reserve.bytes, file.size);
			}
			const memory = Math.min(fileMemory(file, fileUpload), budget.limit - (reserve?.bytes ?? 0));
			const giveBack = await budget.take(memory);
			const cancel = cancels.forFile();
			const fileCtx = {
				helpers: ctx.helpers,
				logger: ctx.logger,
				getNode: () => ctx.getNode(),
				getExecutionCancelSignal: () => cancel.signal,
			};
			const task: Promise<void> = uploadFile(fileCtx, api, { ...fileUpload, name: file.name, size: file.size, source: file.source })
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
	reserve?.giveBack();
	cancels.close();
	if (stop) {
		if (stop.run) await cleanUpPackage(ctx, baseUrl, stop.run, stop.itemIndex);
		throw notFinalizedError(ctx, stop.error, stop.itemIndex, stop.run);
	}

	const finalize = ctx.getNodeParameter('finalize', 0, true) as boolean;
	for (const run of runs.values()) {
		if (!finalize || run.failure) continue;
		const firstItem = results.find((result) => result.run === run)?.itemIndex ?? 0;
		try {
			const answer = await finalizePackageOnce(ctx, baseUrl, run, firstItem);
			run.pkg.state = typeof answer?.state === 'string' ? answer.state : 'finalized';
		} catch (error) {
			if (!ctx.continueOnFail()) throw notFinalizedError(ctx, error, firstItem);
			run.failure = `finalizing the package failed: ${(error as Error).message}`;
		}
	}
	for (const run of runs.values()) {
		if (!run.failure) continue;
		const firstItem = results.find((result) => result.run === run)?.itemIndex ?? 0;
		await cleanUpPackage(ctx, baseUrl, run, firstItem);
	}

	return [results.map((result) => outputItem(result, finalize))];
}

export function outputItem(result: ItemResult, finalize: boolean): INodeExecutionData {
	const { run } = result;
	const json: IDataObject = {};
	if (result.error !== undefined) json.error = result.error;
	if (run) json.package = { id: run.pkg.id, name: run.pkg.name, state: run.pkg.state };
	json.files = result.files;
	if (run && finalize && run.failure) {
		json.notFinalized = `The package was not finalized because ${run.failure}${run.cleanup ? ` ${run.cleanup}` : ''}`;
	}
	return { json, pairedItem: { item: result.itemIndex } };
}

/** A failure that stops the node, saying that nothing was finalized. */
export function notFinalizedError(ctx: IExecuteFunctions, error: unknown, itemIndex: number, run?: PackageRun): Error {
	const failure = toNodeError(ctx.getNode(), error, itemIndex);
	if (run) {
		const note = run.cleanup ?? `The package ${run.pkg.id} was not finalized.`;
		failure.description = failure.description ? `${failure.description} ${note}` : note;
	}
	return failure;
}

/**
 * Finalize-package, exactly once from the node's side: a retry after a lost reply meets "already
 * finalized" (409); the package is then read back where the API key can see it, and counts as
 * finalized when it is. Recipients are emailed by MASV's one finalize only.
 */
export async function finalizePackageOnce(ctx: IExecuteFunctions, baseUrl: string, run: PackageRun, itemIndex: number) {
	try {
		return await finalizePackage(ctx, baseUrl, run.pkg, itemIndex, run.policy);
	} catch (error) {
		if (!uncertainOrDone(error)) throw toNodeError(ctx.getNode(), error, itemIndex);
		ctx.logger.warn(`MASV upload: finalizing package ${run.pkg.id} ended in doubt (${(error as Error).message}); reading it back`);
		const state = run.teamId
			? await packageState(ctx, run.teamId, run.pkg.id, itemIndex).catch(() => undefined)
			: /already finali[sz]ed/i.test((error as Error).message)
				? 'finalized'
				: undefined;
		if (state === 'finalized') return { state };
		throw toNodeError(ctx.getNode(), error, itemIndex);
	}
}

/**
 * After a failure: a package this run created and in which nothing was finalized is deleted (it
 * would only be an empty "new" package); any other is left as it is, and the note says so.
 */
export async function cleanUpPackage(ctx: IExecuteFunctions, baseUrl: string, run: PackageRun, itemIndex: number): Promise<void> {
	if (run.cleanup) return;
	if (!run.created || run.finalizedFiles > 0) {
		run.cleanup = `The package ${run.pkg.id} was not finalized; it stays as it is, with ${run.finalizedFiles} file(s) of this run finalized in it.`;
		return;
	}
	try {
		await deletePackage(ctx, baseUrl, run.pkg, itemIndex);
		run.cleanup = `The package ${run.pkg.id} that this run created held no finalized file and was deleted.`;
	} catch (error) {
		run.cleanup = `The package ${run.pkg.id} that this run created could not be deleted (${(error as Error).message}); it stays, empty and not finalized.`;
	}
	ctx.logger.warn(`MASV upload: ${run.cleanup}`);
}

/**
 * A file's share of the run's memory ceiling: its part buffers as the upload will shape them (its
 * parallelism lowered to fit Max Memory), whole parts since the run's files share them. A file that
 * cannot fit at all takes the whole ceiling; its upload then fails with the reason.
 */
export function fileMemory(file: FileToUpload, upload: Pick<UploadFileRequest, 'partSize' | 'parallel' | 'maxMemory'>): number {
	try {
		const shape = fitToMemory(file.size, upload.partSize, upload.parallel, upload.maxMemory ?? Number.MAX_SAFE_INTEGER);
		return uploadMemory(file.size, shape.plan.partSize, shape.parallel, file.source.kind === 'buffer');
	} catch {
		return Number.MAX_SAFE_INTEGER;
	}
}

/**
 * The upload of a file of `size` bytes whose reads are held, within what Max Memory leaves once
 * `reserve` is kept for those reads: smaller parts first, so that as many stay in flight (32 MiB
 * parts, 7 in flight and one read ahead, in 256 MiB become 16 MiB parts in 128 MiB), never below the
 * smallest part; fitToMemory lowers the parallelism where the file needs larger parts. A file that
 * cannot be sent in what is left at all (a small Max Memory, or a file of hundreds of GiB whose
 * parts must be large) keeps the whole of Max Memory, as without the reserve: the upload works,
 * and only the reads' share is not kept for it.
 */
export function shapeForHeldReads<T extends { partSize: number; parallel: number; maxMemory?: number }>(upload: T, reserve: number, size: number): T {
	const maxMemory = (upload.maxMemory ?? DEFAULT_MAX_MEMORY) - reserve;
	const fitting = Math.floor(maxMemory / (upload.parallel + 1) / MIB) * MIB;
	const held = { ...upload, maxMemory, partSize: Math.max(DEFAULT_PART_LIMITS.minPartSize, Math.min(upload.partSize, fitting)) };
	try {
		fitToMemory(size, held.partSize, held.parallel, maxMemory);
		return held;
	} catch {
		return upload;
	}
}

export function fileRecord(record: IDataObject, file: FileToUpload, path: string): IDataObject {
	return {
		id: record.id,
		name: record.name ?? file.name,
		path: record.path ?? path,
		size: typeof record.size === 'number' ? record.size : file.size,
	};
}
