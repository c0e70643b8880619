// `npm run screenshots`: the README's pictures (docs/images/), taken in a real n8n (the pinned 2.x)
// with the examples and the credential "MASV (local emulator)" against the MASV emulator, by
// Debian's chromium (test/e2e/browser.ts, readmeScreenshots). scripts/screenshots.sh prepares.
import { join, relative } from 'node:path';

import { REPO, pinned } from '../tools/n8n/n8n';
import { stopAll } from '../tools/n8n/processes';
import { EXAMPLES_DIR, openSession } from '../tools/n8n/session';
import { readWorkflowDir } from '../tools/n8n/workflows';
import { readmeScreenshots } from '../test/e2e/browser';

const VERSION = process.env.N8N_VERSION || pinned().n8nDefault;
const OUT_DIR = process.env.SCREENSHOTS_DIR || join(REPO, 'docs/images');

async function main(): Promise<void> {
	const session = await openSession({ version: VERSION, workDir: join(REPO, '.test-output/screenshots'), workflows: readWorkflowDir(EXAMPLES_DIR) });
	try {
		const server = await session.startServer();
		const written = await readmeScreenshots({ url: server.url, outDir: OUT_DIR });
		console.log(`[screenshots] n8n ${VERSION}: ${written.map((file) => relative(REPO, file)).join(', ')}`);
	} finally {
		await session.close();
	}
}

main().catch(async (error: Error) => {
	console.error(`[screenshots] ${error.stack ?? error.message}`);
	await stopAll();
	process.exit(1);
});
