// n8n reads its settings from the environment when its services are first created: set them
// before n8n-core is imported. A test file may choose the binary mode first (see memory-mode.ts).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const home = fs.mkdtempSync(path.join(os.tmpdir(), 'n8n-masv-test-'));
process.env.N8N_USER_FOLDER = home;
process.env.N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS = 'false';
process.env.N8N_DEFAULT_BINARY_DATA_MODE ??= 'filesystem';
process.env.N8N_BINARY_DATA_STORAGE_PATH = path.join(home, 'binaryData');
process.env.N8N_DIAGNOSTICS_ENABLED = 'false';

export const harnessHome = home;

// In jest, every test file has its own folder: it goes when the file is done. (The benchmark loads
// this file outside jest and removes the folder itself.)
const jestAfterAll = (globalThis as { afterAll?: (fn: () => void) => void }).afterAll;
jestAfterAll?.(() => fs.rmSync(home, { recursive: true, force: true }));
