// Byte-exact round trips through the node, run by one test file per n8n binary mode.
import { rl, runMasv } from '../../tools/harness';
import {
	binaryBytes,
	credentialsFor,
	finalizeRequests,
	makeFile,
	MIB,
	runTransfer,
	sha256,
} from './helpers';
import type { TestFile } from './helpers';
import { transferMemory } from '../harness/transfer';
import { useEmulator } from '../harness/emulator';

export function roundTripSuite(mode: 'filesystem' | 'default'): void {
	describe(`round trips in n8n's ${mode === 'default' ? 'memory' : 'filesystem'} binary mode`, () => {
		const emu = useEmulator();
		let tiny: TestFile;
		let exact: TestFile;
		let uneven: TestFile;

		beforeAll(() => {
			tiny = makeFile('tiny.txt', 1000, 11);
			exact = makeFile('exact.bin', 10 * MIB, 12);
			uneven = makeFile('uneven.mov', 11 * MIB + 12345, 13);
		});

		(mode === 'filesystem' ? it : it.skip)('frees each read chunk once copied and a small file\'s own buffer once sent, and the bytes arrive whole', async () => {
			// ArrayBuffer.transfer counted (on Node.js 20, which lacks it, one that really detaches the
			// memory, as on Node.js 22+): freed memory still in use would corrupt the stored bytes.
			const proto = ArrayBuffer.prototype as { transfer?: (this: ArrayBuffer, length?: number) => ArrayBuffer };
			const real = proto.transfer;
			const freed: number[] = [];
			Object.defineProperty(ArrayBuffer.prototype, 'transfer', {
				configurable: true,
				writable: true,
				value(this: ArrayBuffer, length?: number) {
					freed.push(this.byteLength);
					return transferMemory(this, length);
				},
			});
			const small = makeFile('small.jpg', 3 * MIB + 7, 14);
			try {
				const upload = await runTransfer(emu, [[uneven], [small]].map((files) => files.map((f) => ({ path: f.path, name: f.name }))), {
					resource: 'package',
					operation: 'upload',
					destination: 'newPackage',
					teamId: rl(emu.teamId),
					name: 'freed chunks',
					binaryPropertyName: 'data',
					options: { chunkSize: 5, parallelUploads: 2 },
				});
				expect(upload.error).toBeUndefined();
				const packageId = (upload.items[0].json.package as { id: string }).id;
				const stored = (await emu.files()).filter((f) => f.packageId === packageId);
				expect(stored.map((f) => [f.name, f.sha256]).sort()).toEqual([[small.name, small.sha256], [uneven.name, uneven.sha256]].sort());
			} finally {
				if (real) Object.defineProperty(ArrayBuffer.prototype, 'transfer', { configurable: true, writable: true, value: real });
				else delete proto.transfer;
				emu.resetRequests(); // the next test counts its own requests
			}
			// The 1 MiB reads of both files (all but the chunks split between two parts), and the small
			// file's own 3 MiB part buffer.
			expect(freed.filter((bytes) => bytes === MIB).length).toBeGreaterThanOrEqual(11);
			expect(freed).toContain(3 * MIB + 7);
		});

		it('uploads a tiny file, a file of whole parts and one with an uneven last part, and downloads the same bytes', async () => {
			expect(process.env.N8N_DEFAULT_BINARY_DATA_MODE).toBe(mode);
			const upload = await runTransfer(emu, [[tiny], [exact], [uneven]].map((files) => files.map((f) => ({ path: f.path, name: f.name }))), {
				resource: 'package',
				operation: 'upload',
				destination: 'newPackage',
				teamId: rl(emu.teamId),
				name: `round trip ${mode}`,
				recipients: 'editor@example.com',
				binaryPropertyName: 'data',
				options: { chunkSize: 5, parallelUploads: 2, folderPath: '/dailies/day1/' },
			});
			expect(upload.error).toBeUndefined();

			// The source stored the binaries the way this mode does: on disk with an id, or inline.
			const sourceItems = upload.output('Source');
			for (const item of sourceItems) {
				if (mode === 'filesystem') expect(item.binary?.data.id).toMatch(/^filesystem/);
				else expect(item.binary?.data.id).toBeUndefined();
			}

			// One output item per input item, all in one package, each with its file.
			expect(upload.items).toHaveLength(3);
			const packageId = (upload.items[0].json.package as { id: string }).id;
			upload.items.forEach((item, index) => {
				expect(item.pairedItem).toEqual({ item: index });
				expect(item.json.package).toEqual({ id: packageId, name: `round trip ${mode}`, state: 'finalized' });
				expect(item.json.files).toEqual([
					{
						id: expect.any(String),
						name: [tiny, exact, uneven][index].name,
						path: 'dailies/day1',
						size: [tiny, exact, uneven][index].size,
					},
				]);
			});

			// MASV holds exactly these bytes.
			const stored = await emu.files();
			const byName = new Map(stored.filter((f) => f.packageId === packageId).map((f) => [f.name, f]));
			for (const file of [tiny, exact, uneven]) {
				expect(byName.get(file.name)).toMatchObject({ size: file.size, sha256: file.sha256 });
			}

			// Parts were cut exactly: 5 MiB parts, the remainder last.
			const puts = emu.requests({ kind: 'storage', method: 'PUT' });
			const lengths = puts.map((r) => Number(r.headers['content-length'])).sort((a, b) => a - b);
			expect(lengths).toEqual([1000, MIB + 12345, 5 * MIB, 5 * MIB, 5 * MIB, 5 * MIB].sort((a, b) => a - b));
			// Each file finalized once, the package once, after the files.
			const finals = finalizeRequests(emu).map((r) => r.path);
			expect(finals).toHaveLength(4);
			expect(finals[3]).toBe(`/v1/packages/${packageId}/finalize`);

			// Nothing of MASV's credentials reached storage.
			for (const request of emu.requests({ kind: 'storage' })) {
				expect(request.headers['x-api-key']).toBeUndefined();
				expect(request.headers['x-package-token']).toBeUndefined();
				expect(JSON.stringify(request.headers)).not.toContain(emu.apiKey);
			}

			// And the node brings the same bytes back.
			const download = await runMasv(
				{
					resource: 'package',
					operation: 'download',
					teamId: rl(emu.teamId),
					packageId: rl(packageId),
				},
				{ credentials: credentialsFor(emu) },
			);
			expect(download.error).toBeUndefined();
			expect(download.items.map((item) => item.json.name).sort()).toEqual([exact.name, tiny.name, uneven.name].sort());
			for (const item of download.items) {
				const original = [tiny, exact, uneven].find((f) => f.name === item.json.name) as TestFile;
				const binary = item.binary?.data;
				expect(binary?.fileName).toBe(original.name);
				expect(binary?.mimeType).toBe(
					{ 'tiny.txt': 'text/plain', 'exact.bin': 'application/octet-stream', 'uneven.mov': 'video/quicktime' }[original.name],
				);
				if (mode === 'filesystem') expect(binary?.id).toBeDefined();
				expect(sha256(await binaryBytes(binary!))).toBe(original.sha256);
				expect(item.json).toMatchObject({ size: original.size, path: 'dailies/day1' });
				expect(item.pairedItem).toEqual({ item: 0 });
			}
		});
	});
}
