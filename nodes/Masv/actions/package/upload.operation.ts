import { NodeOperationError } from 'n8n-workflow';
import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { packageTokenOption, packageLocator, teamLocator } from '../../shared/descriptions';
import { idParameter, listParameter } from '../../shared/items';
import { maxMemoryOption, RETRY_WINDOW_OPTION, STALL_TIMEOUT_OPTION, transferPolicy } from '../../shared/transferOptions';
import type { TransferOptions } from '../../shared/transferOptions';
import { FileCancels, MemoryBudget, uploadMemory } from '../../transfer/budget';
import { DEFAULT_PART_SIZE, fitToMemory, MAX_PART_BUFFER, MIB, PartBuffers } from '../../transfer/parts';
import { uncertainOrDone, uploadFile } from '../../transfer/upload';
import type { UploadFileRequest, UploadSource } from '../../transfer/upload';
import { createPortalPackage, createTeamPackage, deletePackage, finalizePackage, packageState, uploadFlowApi } from '../../transfer/uploadApi';
import type { UploadPackage } from '../../transfer/uploadApi';
import { toNodeError } from '../../transport/errors';
import { getMasvBaseUrl } from '../../transport/request';
import type { RetryPolicy } from '../../transport/retry';
import { packageTokenForItem } from './common';

interface UploadOptions extends TransferOptions {
	fileName?: string;
	folderPath?: string;
	/** The part size in MiB (node contract name `options.chunkSize`). */
	chunkSize?: number;
	parallelUploads?: number;
	/** Files in flight at once within the run (node contract name `options.parallelFiles`). */
	parallelFiles?: number;
	onePackagePerItem?: boolean;
}

/** A package of this run and what happened to it. */
interface PackageRun {
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

interface FileToUpload {
	name: string;
	size: number;
	source: UploadSource;
}

interface ItemResult {
	itemIndex: number;
	run?: PackageRun;
	files: IDataObject[];
	error?: string;
}

/** Parts in flight by default: with 32 MiB parts, the most that fit the 256 MiB ceiling (see DEFAULT_PART_SIZE). */
const DEFAULT_PARALLEL = 7;
const MAX_PARALLEL = 16;
/**
 * Files in flight at once by default. A small file costs a few round trips to MASV and to storage
 * (add file, create, part URLs, PUT, finalize) on new connections each, and hardly any bytes, so
 * on a distant link one at a time leaves it idle (README, "Benchmark"); big files are held back by
 * the memory ceiling instead.
 */
const DEFAULT_PARALLEL_FILES = 16;
const MAX_PARALLEL_FILES = 64;

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

function onePackagePerItem(ctx: IExecuteFunctions, itemIndex: number): boolean {
	try {
		return (ctx.getNodeParameter('options', itemIndex, {}) as UploadOptions).onePackagePerItem === true;
	} catch {
		return false;
	}
}

function outputItem(result: ItemResult, finalize: boolean): INodeExecutionData {
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
function notFinalizedError(ctx: IExecuteFunctions, error: unknown, itemIndex: number, run?: PackageRun): Error {
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
async function finalizePackageOnce(ctx: IExecuteFunctions, baseUrl: string, run: PackageRun, itemIndex: number) {
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
async function cleanUpPackage(ctx: IExecuteFunctions, baseUrl: string, run: PackageRun, itemIndex: number): Promise<void> {
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

/** The package an item uploads into: new, existing or on a portal. */
async function packageForItem(
	ctx: IExecuteFunctions,
	baseUrl: string,
	itemIndex: number,
	policy: RetryPolicy,
): Promise<{ pkg: UploadPackage; created: boolean; teamId?: string }> {
	const destination = ctx.getNodeParameter('destination', itemIndex, 'newPackage') as string;
	if (destination === 'existingPackage') {
		const { packageId, token, pkg } = await packageTokenForItem(ctx, itemIndex);
		// A token given under Options: the package cannot be read with the API key to check it.
		if (!pkg) return { pkg: { id: packageId, name: '', state: 'new', token }, created: false };
		const state = String(pkg.state ?? 'new');
		if (state !== 'new') {
			throw new NodeOperationError(ctx.getNode(), `The package ${packageId} is ${state}: files can only be added to a package that is not finalized`, {
				itemIndex,
				description: 'Choose another package under "Package", or upload into a new package.',
			});
		}
		const teamId = idParameter(ctx, 'teamId', itemIndex);
		return { pkg: { id: packageId, name: String(pkg.name ?? ''), state, token }, created: false, teamId };
	}
	const name = String(ctx.getNodeParameter('name', itemIndex, '') ?? '').trim();
	const description = String(ctx.getNodeParameter('description', itemIndex, '') ?? '');
	if (destination === 'portal') {
		const subdomain = String(ctx.getNodeParameter('subdomain', itemIndex, '') ?? '')
			.trim()
			.replace(/\.portal\.massive\.io.*$/i, '')
			.replace(/^https?:\/\//i, '');
		if (!subdomain) {
			throw new NodeOperationError(ctx.getNode(), 'The parameter "Portal Subdomain" is empty', { itemIndex });
		}
		const sender = String(ctx.getNodeParameter('senderEmail', itemIndex, '') ?? '').trim();
		if (!sender) throw new NodeOperationError(ctx.getNode(), 'The parameter "Sender Email" is empty', { itemIndex });
		return { pkg: await createPortalPackage(ctx, baseUrl, subdomain, { name, sender, description }, itemIndex, policy), created: true };
	}
	if (destination !== 'newPackage') {
		throw new NodeOperationError(ctx.getNode(), `Unknown destination "${destination}"`, { itemIndex });
	}
	const teamId = idParameter(ctx, 'teamId', itemIndex);
	const recipients = listParameter(ctx.getNodeParameter('recipients', itemIndex, ''));
	const { pkg } = await createTeamPackage(ctx, teamId, { name, description, recipients }, itemIndex, policy);
	return { pkg, created: true, teamId };
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

/** A clean relative folder path (docs/masv-api.md §6.10): `/`-separated, no leading `./` or `/`. */
function folderPath(raw: string | undefined): string {
	if (!raw) return '';
	return raw
		.replace(/\\/g, '/')
		.split('/')
		.map((part) => part.trim())
		.filter((part) => part !== '' && part !== '.')
		.join('/');
}

function partSizeOption(ctx: IExecuteFunctions, options: UploadOptions, itemIndex: number): number {
	if (options.chunkSize === undefined || options.chunkSize === null) return DEFAULT_PART_SIZE;
	const mib = Number(options.chunkSize);
	const max = MAX_PART_BUFFER / MIB;
	if (!Number.isFinite(mib) || mib < 5 || mib > max) {
		throw new NodeOperationError(ctx.getNode(), `The option "Part Size (MiB)" must be between 5 and ${max}`, {
			itemIndex,
			description: 'Node.js cannot hold a larger part in memory.',
		});
	}
	return Math.round(mib * MIB);
}

function parallelOption(ctx: IExecuteFunctions, options: UploadOptions, itemIndex: number): number {
	if (options.parallelUploads === undefined || options.parallelUploads === null) return DEFAULT_PARALLEL;
	const value = Math.floor(Number(options.parallelUploads));
	if (!Number.isFinite(value) || value < 1 || value > MAX_PARALLEL) {
		throw new NodeOperationError(ctx.getNode(), `The option "Parallel Uploads" must be between 1 and ${MAX_PARALLEL}`, {
			itemIndex,
		});
	}
	return value;
}

/**
 * A file's share of the run's memory ceiling: its part buffers as the upload will shape them (its
 * parallelism lowered to fit Max Memory), whole parts since the run's files share them. A file that
 * cannot fit at all takes the whole ceiling; its upload then fails with the reason.
 */
function fileMemory(file: FileToUpload, upload: Pick<UploadFileRequest, 'partSize' | 'parallel' | 'maxMemory'>): number {
	try {
		const shape = fitToMemory(file.size, upload.partSize, upload.parallel, upload.maxMemory ?? Number.MAX_SAFE_INTEGER);
		return uploadMemory(file.size, shape.plan.partSize, shape.parallel, file.source.kind === 'buffer');
	} catch {
		return Number.MAX_SAFE_INTEGER;
	}
}

/** Read from the first item: it applies to the whole run. */
function parallelFilesOption(ctx: IExecuteFunctions): number {
	const options = ctx.getNodeParameter('options', 0, {}) as UploadOptions;
	if (options.parallelFiles === undefined || options.parallelFiles === null) return DEFAULT_PARALLEL_FILES;
	const value = Math.floor(Number(options.parallelFiles));
	if (!Number.isFinite(value) || value < 1 || value > MAX_PARALLEL_FILES) {
		throw new NodeOperationError(ctx.getNode(), `The option "Parallel Files" must be between 1 and ${MAX_PARALLEL_FILES}`, {
			itemIndex: 0,
		});
	}
	return value;
}

function fileRecord(record: IDataObject, file: FileToUpload, path: string): IDataObject {
	return {
		id: record.id,
		name: record.name ?? file.name,
		path: record.path ?? path,
		size: typeof record.size === 'number' ? record.size : file.size,
	};
}

const upload = { resource: ['package'], operation: ['upload'] };

export const description: INodeProperties[] = [
	{
		displayName: 'Destination',
		name: 'destination',
		type: 'options',
		noDataExpression: true,
		default: 'newPackage',
		displayOptions: { show: upload },
		options: [
			{
				name: 'Existing Package',
				value: 'existingPackage',
				description: 'Add the files to a team package that is not finalized yet',
			},
			{
				name: 'New Package',
				value: 'newPackage',
				description: 'Create a team package for the files',
			},
			{
				name: 'Portal',
				value: 'portal',
				description: 'Create a package on a portal, as a sender uploading through it',
			},
		],
	},
	teamLocator({ show: { ...upload, destination: ['newPackage', 'existingPackage'] } }),
	packageLocator({ show: { ...upload, destination: ['existingPackage'] } }),
	{
		displayName: 'Portal Subdomain',
		name: 'subdomain',
		type: 'string',
		required: true,
		default: '',
		placeholder: 'e.g. acme',
		description: 'The part of the portal address before .portal.massive.io',
		displayOptions: { show: { ...upload, destination: ['portal'] } },
	},
	{
		displayName: 'Sender Email',
		name: 'senderEmail',
		type: 'string',
		required: true,
		default: '',
		placeholder: 'name@email.com',
		description: 'Email address of the sender, as the portal shows it to the team',
		displayOptions: { show: { ...upload, destination: ['portal'] } },
	},
	{
		displayName: 'Package Name',
		name: 'name',
		type: 'string',
		default: '',
		description: 'Name of the new package. Empty lets MASV choose one.',
		displayOptions: { show: { ...upload, destination: ['newPackage', 'portal'] } },
	},
	{
		displayName: 'Description',
		name: 'description',
		type: 'string',
		default: '',
		typeOptions: { rows: 2 },
		description: 'Message shown with the package',
		displayOptions: { show: { ...upload, destination: ['newPackage', 'portal'] } },
	},
	{
		displayName: 'Recipients',
		name: 'recipients',
		type: 'string',
		default: '',
		placeholder: 'e.g. editor@example.com, producer@example.com',
		description:
			'Email addresses, comma-separated (or an array from an expression), that get a download link once the package is finalized. Empty makes a link-only package.',
		displayOptions: { show: { ...upload, destination: ['newPackage'] } },
	},
	{
		displayName: 'Input Binary Field',
		name: 'binaryPropertyName',
		type: 'string',
		required: true,
		default: 'data',
		hint: 'The name of the input binary field containing the file to be uploaded',
		description:
			'Name of the binary property holding the file. Several names, comma-separated, upload several files of each item.',
		displayOptions: { show: upload },
	},
	{
		displayName: 'Finalize',
		name: 'finalize',
		type: 'boolean',
		default: true,
		description:
			'Whether to finalize the package once every file of this run is uploaded: recipients are notified and links work. Turn off to add more files later.',
		displayOptions: { show: upload },
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		displayOptions: { show: upload },
		options: [
			{
				displayName: 'File Name',
				name: 'fileName',
				type: 'string',
				default: '',
				description: "Name of the file in the package, instead of the binary's own file name",
			},
			{
				displayName: 'Folder Path',
				name: 'folderPath',
				type: 'string',
				default: '',
				placeholder: 'e.g. shots/day1',
				description: 'Folder inside the package for the files, with / between folder names',
			},
			{
				displayName: 'Max Memory (MiB)',
				name: 'maxMemoryMiB',
				type: 'number',
				default: 256,
				typeOptions: { minValue: 10 },
				description:
					'Ceiling for the memory that part buffers take: part size × (parallel uploads + 1). Parallel uploads, then the part size, are lowered to fit under it.',
			},
			{
				displayName: 'One Package per Item',
				name: 'onePackagePerItem',
				type: 'boolean',
				default: false,
				description:
					'Whether each input item gets its own package. Off: the files of all items go into one package.',
			},
			packageTokenOption,
			{
				displayName: 'Parallel Files',
				name: 'parallelFiles',
				type: 'number',
				default: DEFAULT_PARALLEL_FILES,
				typeOptions: { minValue: 1, maxValue: MAX_PARALLEL_FILES },
				description:
					'Files uploaded at once, across items, into the same package. Their part buffers share one memory ceiling, so big files wait for memory rather than adding to it. Read from the first item.',
			},
			{
				displayName: 'Parallel Uploads',
				name: 'parallelUploads',
				type: 'number',
				default: DEFAULT_PARALLEL,
				typeOptions: { minValue: 1, maxValue: 16 },
				description:
					'Parts sent at once. Memory use is about part size × (parallel uploads + 1), whatever the file size; see Max Memory.',
			},
			{
				displayName: 'Part Size (MiB)',
				name: 'chunkSize',
				type: 'number',
				default: 32, // DEFAULT_PART_SIZE in MiB
				typeOptions: { minValue: 5, maxValue: MAX_PART_BUFFER / MIB },
				description:
					'Size of each uploaded part in MiB (at least 5). Raised automatically when a file would need more than 10,000 parts.',
			},
			RETRY_WINDOW_OPTION,
			STALL_TIMEOUT_OPTION,
		],
	},
];
