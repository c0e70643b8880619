// A storage answer that stalls where destroying the stream does not end the reader's loop: n8n 2.x
// hands the node a stream made from the answer with `Readable.from` (docs/n8n-issues.md), and
// destroying that one waits for its source's next chunk. The node's stall watch must end the loop
// itself (transfer/download.ts, watchStream's `chunks`), for downloads and Upload From URL's reads.
import { Readable } from 'node:stream';

import type { INodeParameters } from 'n8n-workflow';

import * as storage from '../../nodes/Masv/transfer/storage';
import { sourceSha256 } from '../../tools/emulator';
import { SourceRegistry } from '../../tools/emulator/sources';
import { rl, runMasv } from '../../tools/harness';
import { useEmulator } from '../harness/emulator';
import { binaryBytes, credentialsFor, makeFile, MIB, settledWithin, sha256, uploadToNewPackage } from './helpers';

const OPTIONS = { stallTimeoutSeconds: 1, retryWindowMinutes: 0.5 };

/**
 * The first streamed answer whose URL matches `url` is handed over as n8n 2.x does (a stream made
 * with `Readable.from`), and stalls after 256 KiB: its source then never gives another chunk, and
 * destroying the stream it was made into cannot end it. Later answers pass as they are.
 */
function stallFirstAnswer(url: RegExp): { stalled: () => boolean } {
	let stalled = false;
	const original = storage.storageGetStream;
	jest.spyOn(storage, 'storageGetStream').mockImplementation(async (...args: Parameters<typeof original>) => {
		const answer = await original(...args);
		if (stalled || answer.statusCode >= 300 || !url.test(args[1].url) || !/bytes=\d+-\d+/.test(String(args[1].headers?.Range ?? 'bytes=0-1'))) return answer;
		if (args[1].headers?.Range === 'bytes=0-1023') return answer; // Upload From URL's check
		stalled = true;
		const body = answer.body as Readable;
		async function* wrapped() {
			let seen = 0;
			for await (const chunk of body) {
				yield chunk as Buffer;
				seen += (chunk as Buffer).length;
				if (seen >= 256 * 1024) {
					body.destroy();
					await new Promise(() => {});
				}
			}
		}
		return { ...answer, body: Readable.from(wrapped(), { objectMode: false }) as never };
	});
	return { stalled: () => stalled };
}

describe("a stalled answer that destroying does not end (n8n 2.x's streams)", () => {
	const emu = useEmulator();
	afterEach(() => jest.restoreAllMocks());

	/** Runs the node: it must end within 10 s, after the stall, without an error. */
	async function runThroughStall(parameters: Record<string, unknown>, watch: { stalled: () => boolean }) {
		const started = Date.now();
		const run = runMasv(parameters as INodeParameters, { credentials: credentialsFor(emu) });
		const result = (await settledWithin(run, 15_000)) as Awaited<typeof run> | 'still running';
		if (result === 'still running') throw new Error('the node still waits for the stalled answer after 15 s');
		expect(watch.stalled()).toBe(true);
		expect(result.error).toBeUndefined();
		expect(Date.now() - started).toBeLessThan(10_000);
		return result;
	}

	it('download: the stall ends the read at the stall timeout, the part is asked for again, the bytes are exact', async () => {
		const file = makeFile('stall.mov', 3 * MIB + 5, 81);
		const packageId = await uploadToNewPackage(emu, file, 'stall');
		const watch = stallFirstAnswer(/./);
		const result = await runThroughStall({ resource: 'package', operation: 'download', teamId: rl(emu.teamId), packageId: rl(packageId), options: OPTIONS }, watch);
		expect(sha256(await binaryBytes(result.items[0].binary!.data))).toBe(file.sha256);
	});

	it('Upload From URL: the stall ends the part read at the stall timeout, the part is read again, the bytes are exact', async () => {
		const made = emu.core.sources.add({ size: 12 * MIB + 3, seed: 82, name: 'stall.bin' });
		const watch = stallFirstAnswer(new RegExp(SourceRegistry.path(made)));
		const result = await runThroughStall(
			{
				resource: 'package',
				operation: 'uploadFromUrl',
				url: `${emu.storageUrl}${SourceRegistry.path(made)}`,
				destination: 'newPackage',
				teamId: rl(emu.teamId),
				name: 'stall from url',
				options: { ...OPTIONS, chunkSize: 5, parallelUploads: 2 },
			},
			watch,
		);
		const pkg = result.items[0].json.package as { id: string };
		expect((await emu.files()).find((stored) => stored.packageId === pkg.id)?.sha256).toBe(await sourceSha256(82, 12 * MIB + 3));
	});
});
