// Shared pieces of the transfer tests: files with known bytes, a source node that turns them into
// n8n binaries through n8n's real binary store, and workflow runners against the emulator.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

import { Container } from '@n8n/di';
import { BinaryDataService } from 'n8n-core';
import { NodeConnectionTypes } from 'n8n-workflow';
import type {
	IBinaryData,
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeParameters,
	INodeType,
	INodeTypeDescription,
} from 'n8n-workflow';

import { masvNode, registerNodeType, runWorkflow } from '../../tools/harness';
import type { RunOptions, RunResult } from '../../tools/harness';
import type { Emulator } from '../../tools/emulator';
import { credentialsFor } from '../../tools/harness/emulatorApi';
import { testFolder } from '../../tools/harness/env';

export { api, credentialsFor, getPackage } from '../../tools/harness/emulatorApi';

export const MIB = 1024 * 1024;
export const SOURCE_TYPE = 'test.binarySource';

/** One binary of an item the source node emits: a file on disk, read as a stream into n8n. */
export interface SourceFile {
	property?: string;
	path: string;
	name: string;
	mimeType?: string;
}

/**
 * `test.binarySource`: emits one item per entry of its `items` parameter (JSON), each with the
 * listed files as binaries, stored by `prepareBinaryData(stream)`: on disk in filesystem mode,
 * base64 in the item in memory mode, exactly as a Read Files node would.
 */
class BinarySource implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Binary Source',
		name: 'binarySource',
		group: ['input'],
		version: 1,
		description: 'Test files as binaries',
		defaults: { name: 'Source' },
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		properties: [{ displayName: 'Items', name: 'items', type: 'string', default: '[]' }],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const spec = JSON.parse(this.getNodeParameter('items', 0) as string) as SourceFile[][];
		const out: INodeExecutionData[] = [];
		for (const [index, files] of spec.entries()) {
			const binary: Record<string, IBinaryData> = {};
			for (const file of files) {
				binary[file.property ?? 'data'] = await this.helpers.prepareBinaryData(
					fs.createReadStream(file.path),
					file.name,
					file.mimeType ?? 'application/octet-stream',
				);
			}
			out.push({ json: { index }, binary, pairedItem: { item: 0 } });
		}
		return [out];
	}
}

registerNodeType(SOURCE_TYPE, new BinarySource());

const workDir = testFolder('masv-transfer-test-');

export interface TestFile {
	path: string;
	name: string;
	size: number;
	sha256: string;
}

/** A file of `size` pseudo-random bytes (deterministic per seed) and its SHA-256. */
export function makeFile(name: string, size: number, seed = 1): TestFile {
	const file = path.join(workDir, `${seed}-${Math.random().toString(36).slice(2)}-${name}`);
	const hash = createHash('sha256');
	const fd = fs.openSync(file, 'w');
	let state = seed * 2654435761 || 1;
	const block = Buffer.allocUnsafe(MIB);
	for (let written = 0; written < size; ) {
		const length = Math.min(block.length, size - written);
		for (let i = 0; i < length; i += 4) {
			state ^= state << 13;
			state ^= state >>> 17;
			state ^= state << 5;
			block.writeInt32LE(state | 0, i);
		}
		const chunk = block.subarray(0, length);
		fs.writeSync(fd, chunk);
		hash.update(chunk);
		written += length;
	}
	fs.closeSync(fd);
	return { path: file, name, size, sha256: hash.digest('hex') };
}

export function sha256(buffer: Buffer): string {
	return createHash('sha256').update(buffer).digest('hex');
}

/** The bytes of an output binary, from disk (filesystem mode) or from the item (memory mode). */
export async function binaryBytes(binary: IBinaryData): Promise<Buffer> {
	return await Container.get(BinaryDataService).getAsBuffer(binary);
}

/** Source node with these items → MASV node with these parameters. */
export async function runTransfer(
	emu: Emulator,
	items: SourceFile[][],
	parameters: INodeParameters,
	extra: Partial<RunOptions> & { node?: IDataObject } = {},
): Promise<RunResult & { items: INodeExecutionData[] }> {
	const source = {
		id: 'source',
		name: 'Source',
		type: SOURCE_TYPE,
		typeVersion: 1,
		position: [0, 0] as [number, number],
		parameters: { items: JSON.stringify(items) },
	};
	const result = await runWorkflow({
		credentials: credentialsFor(emu),
		...extra,
		nodes: [source, masvNode(parameters, extra.node)],
	});
	return { ...result, items: result.output('MASV') };
}

/** Uploads one file into a new package of the emulator's team through the node; the package's ID. */
export async function uploadToNewPackage(emu: Emulator, file: TestFile, name: string): Promise<string> {
	const run = await runTransfer(emu, [[{ path: file.path, name: file.name }]], {
		resource: 'package',
		operation: 'upload',
		teamId: { __rl: true, mode: 'id', value: emu.teamId },
		name,
		binaryPropertyName: 'data',
	});
	if (run.error) throw new Error(`upload of ${file.name} failed: ${run.error.message}`);
	return (run.items[0].json.package as { id: string }).id;
}

/** Finalize requests the emulator saw (file or package). */
export function finalizeRequests(emu: Emulator) {
	return emu.requests({ kind: 'api', method: 'POST', path: /\/finalize$/ });
}

export const wait = async (ms: number) => await new Promise((resolve) => setTimeout(resolve, ms));

/** What `promise` settles to within `ms`, else `'still running'`; the timer is cleared either way. */
export async function settledWithin(promise: Promise<unknown>, ms: number): Promise<unknown> {
	let timer: ReturnType<typeof setTimeout> | undefined;
	const late = new Promise((resolve) => (timer = setTimeout(() => resolve('still running'), ms)));
	try {
		return await Promise.race([promise, late]);
	} finally {
		clearTimeout(timer);
	}
}
