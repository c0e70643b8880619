// scripts/release/scan-package.mjs runs n8n's community-package scanner offline (npm test runs it
// on the packed tarball and the source). Here it meets a package that must fail it: the scanner's
// Cloud rules, inline `eslint-disable` comments ignored, and an exit status that says so.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const root = path.resolve(__dirname, '../..');

function scan(files: Record<string, string>): { status: number | null; output: string } {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'masv-scan-test-'));
	try {
		fs.copyFileSync(path.join(root, 'package.json'), path.join(dir, 'package.json'));
		for (const [file, text] of Object.entries(files)) {
			fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
			fs.writeFileSync(path.join(dir, file), text);
		}
		const env = { ...process.env, NODE_ENV: 'production' };
		const run = spawnSync('node', ['scripts/release/scan-package.mjs', '--package-dir', dir], { cwd: root, env, encoding: 'utf8', timeout: 300_000 });
		return { status: run.status, output: `${run.stdout}${run.stderr}` };
	} finally {
		fs.rmSync(dir, { recursive: true, force: true });
	}
}

describe("n8n's community-package scanner, offline (scripts/release/scan-package.mjs)", () => {
	it('fails a package whose code reads files and the environment, even behind eslint-disable', () => {
		const { status, output } = scan({
			'dist/nodes/X/X.node.js': [
				'/* eslint-disable */',
				"const fs = require('fs');",
				'exports.read = () => fs.readFileSync(process.env.HOME);',
				'',
			].join('\n'),
		});
		expect(output).toContain('FAILED: ESLint violations found');
		expect(output).toContain('@n8n/community-nodes/no-restricted-imports');
		expect(output).toContain('@n8n/community-nodes/no-restricted-globals');
		expect(status).toBe(1);
	}, 300_000);

	it('passes the same package without them', () => {
		const { status, output } = scan({ 'dist/nodes/X/X.node.js': 'exports.double = (n) => n * 2;\n' });
		expect(output).toMatch(/\[scan\] package .*: clean/);
		expect(status).toBe(0);
	}, 300_000);
});
