// `npm run demo`: the round-trip example workflow (examples/round-trip-upload-link-download.json)
// through a real, headless n8n against the local MASV emulator, with a generated 256 MiB file:
// create a package, upload in parts, finalize, create a link, download through it, verify the
// checksum, list the team's packages. Prints a short report; exits non-zero if anything is wrong.
import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream, existsSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';

import { pinned, REPO, tail } from '../tools/n8n/n8n';
import { EXAMPLES_DIR, openSession, sha256File, type Session } from '../tools/n8n/session';
import { nodeItems, readWorkflowDir, type ExecutionResult } from '../tools/n8n/workflows';

const MiB = 1024 * 1024;
const SIZE_MIB = Number(process.env.DEMO_SIZE_MIB ?? 256);
const VERSION = process.env.N8N_VERSION || pinned().n8nDefault;
const WORKFLOW = 'masvExRoundTrip';
const WORK_DIR = join(REPO, '.test-output/demo');

async function writeRandomFile(path: string, bytes: number): Promise<string> {
	const hash = createHash('sha256');
	const out = createWriteStream(path);
	for (let written = 0; written < bytes; ) {
		const chunk = randomBytes(Math.min(8 * MiB, bytes - written));
		hash.update(chunk);
		written += chunk.length;
		if (!out.write(chunk)) await new Promise<void>((r) => out.once('drain', () => r()));
	}
	await new Promise<void>((done, fail) => out.end((err?: Error | null) => (err ? fail(err) : done())));
	return hash.digest('hex');
}

function nodeSeconds(result: ExecutionResult, node: string): number {
	const runs = result.data.resultData.runData[node] as Array<{ executionTime?: number }> | undefined;
	return (runs?.reduce((sum, r) => sum + (r.executionTime ?? 0), 0) ?? 0) / 1000;
}

const rate = (bytes: number, seconds: number) => (seconds > 0 ? `${(bytes / MiB / seconds).toFixed(0)} MiB/s` : 'n/a');

async function main(): Promise<number> {
	const started = Date.now();
	const problems: string[] = [];
	const check = (ok: boolean, what: string) => {
		if (!ok) problems.push(what);
		return ok ? 'ok' : 'FAILED';
	};
	console.log(`Starting the MASV emulator and n8n ${VERSION} (headless)...`);
	let session: Session | undefined;
	try {
		session = await openSession({ version: VERSION, workDir: WORK_DIR, workflows: readWorkflowDir(EXAMPLES_DIR) });
		const outgoing = join(session.filesDir, 'outgoing');
		mkdirSync(outgoing, { recursive: true });
		mkdirSync(join(session.filesDir, 'incoming'), { recursive: true });
		const bytes = SIZE_MIB * MiB;
		console.log(`Generating a ${SIZE_MIB} MiB file...`);
		const sourceSha = await writeRandomFile(join(outgoing, 'demo.bin'), bytes);

		console.log(`Running the example workflow "${session.workflows.find((w) => w.id === WORKFLOW)?.name}"...`);
		const run = await session.execute(WORKFLOW);
		if (run.code !== 0 || !run.result) {
			console.error(tail(run.stdout + run.stderr, 60));
			throw new Error(`the workflow failed (n8n execute exited ${run.code})`);
		}
		const result = run.result;
		const upload = nodeItems(result, 'Upload to MASV')[0]?.json ?? {};
		const pkg = (upload.package as Record<string, unknown> | undefined) ?? {};
		const link = nodeItems(result, 'Create download link')[0]?.json ?? {};
		const listed = nodeItems(result, 'List team packages');
		const stored = (await session.emulator.files()).find((f) => f.name === 'demo.bin');
		const parts = session.emulator.requests({ kind: 'storage', method: 'PUT' }).length;
		const downloaded = join(session.filesDir, 'incoming/demo.bin');
		const downloadedSha = existsSync(downloaded) ? await sha256File(downloaded) : 'missing';
		const uploadS = nodeSeconds(result, 'Upload to MASV');
		const downloadS = nodeSeconds(result, 'Download through link') + nodeSeconds(result, 'Write file to disk');
		const state = session.emulator.admin.getPackage(String(stored?.packageId ?? pkg.id)) as Record<string, unknown> | undefined;

		const lines = [
			'',
			`MASV round trip through n8n ${VERSION} (local MASV emulator)`,
			`  file        demo.bin, ${SIZE_MIB} MiB, sha256 ${sourceSha.slice(0, 16)}...`,
			`  package     ${String(stored?.packageId ?? pkg.id)} "${String(pkg.name ?? '')}", state ${String(state?.state ?? pkg.state)}  ${check(state?.state === 'finalized', 'the package is not finalized')}`,
			`  upload      ${parts} parts in ${uploadS.toFixed(1)} s = ${rate(bytes, uploadS)}; stored sha256 ${check(stored?.sha256 === sourceSha, 'the emulator stored other bytes')}`,
			`  link        ${String(link.id)} (secret ${link.download_secret ? 'received' : 'MISSING'})  ${check(!!link.id && !!link.download_secret, 'no link id/secret')}`,
			`  download    ${existsSync(downloaded) ? statSync(downloaded).size / MiB : 0} MiB in ${downloadS.toFixed(1)} s = ${rate(bytes, downloadS)}; sha256 ${check(downloadedSha === sourceSha, 'the downloaded file differs from the source')}`,
			`  packages    ${listed.length} listed for the team: ${listed
				.slice(0, 3)
				.map((p) => `"${String(p.json.name)}"`)
				.join(', ')}  ${check(listed.some((p) => p.json.id === (stored?.packageId ?? pkg.id)), 'the new package is not listed')}`,
			`  workflow    ${(run.ms / 1000).toFixed(1)} s for n8n execute (n8n start-up included); whole demo ${((Date.now() - started) / 1000).toFixed(0)} s`,
			'',
		];
		console.log(lines.join('\n'));
	} catch (error) {
		problems.push((error as Error).message);
	} finally {
		await session?.close();
	}
	if (problems.length) {
		console.error(`DEMO FAILED:\n  ${problems.join('\n  ')}\n(files, n8n log and emulator data kept in ${WORK_DIR})`);
		return 1;
	}
	// The generated, uploaded and downloaded copies take about 5 times the file size.
	rmSync(WORK_DIR, { recursive: true, force: true });
	console.log('Demo passed: every check is ok.');
	return 0;
}

main().then(
	(code) => process.exit(code),
	(error: Error) => {
		console.error(error);
		process.exit(1);
	},
);
