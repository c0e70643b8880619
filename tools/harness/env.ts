// n8n reads its settings from the environment when its services are first created: set them
// before n8n-core is imported. A test file may choose the binary mode first (see memory-mode.ts).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * Runs `fn` once the jest test file that loaded this module is done. Outside jest (the benchmark
 * loads the harness too) there is no such moment and nothing is registered.
 */
export function afterThisTestFile(fn: () => void): void {
	(globalThis as { afterAll?: (hook: () => void) => void }).afterAll?.(fn);
}

/** A new folder under the OS temp folder, removed when the test file is done. */
export function testFolder(prefix: string): string {
	const folder = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
	afterThisTestFile(() => fs.rmSync(folder, { recursive: true, force: true }));
	return folder;
}

// In jest, every test file has its own n8n folder. (The benchmark removes it itself.)
const home = testFolder('n8n-masv-test-');
process.env.N8N_USER_FOLDER = home;
process.env.N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS = 'false';
process.env.N8N_DEFAULT_BINARY_DATA_MODE ??= 'filesystem';
process.env.N8N_BINARY_DATA_STORAGE_PATH = path.join(home, 'binaryData');
process.env.N8N_DIAGNOSTICS_ENABLED = 'false';

export const harnessHome = home;
