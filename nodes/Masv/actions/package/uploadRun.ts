// The pieces of an upload run shared by Package → Upload and Upload From URL: the packages of a
// run, the output items, finalizing once and cleaning up after a failure.
import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { uploadMemory } from '../../transfer/budget';
import { fitToMemory } from '../../transfer/parts';
import { uncertainOrDone } from '../../transfer/upload';
import type { UploadFileRequest, UploadSource } from '../../transfer/upload';
import { deletePackage, finalizePackage, packageState } from '../../transfer/uploadApi';
import type { UploadPackage } from '../../transfer/uploadApi';
import { toNodeError } from '../../transport/errors';
import type { RetryPolicy } from '../../transport/retry';

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
}

export interface ItemResult {
	itemIndex: number;
	run?: PackageRun;
	files: IDataObject[];
	error?: string;
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

export function fileRecord(record: IDataObject, file: FileToUpload, path: string): IDataObject {
	return {
		id: record.id,
		name: record.name ?? file.name,
		path: record.path ?? path,
		size: typeof record.size === 'number' ? record.size : file.size,
	};
}
