// The GitHub Actions workflows (.github/workflows): valid against GitHub's workflow schema, checked
// offline by action-validator's WebAssembly core (scripts/release/validate-workflows.sh runs its
// CLI in npm test), and doing what docs/releasing.md says they do.
import fs from 'node:fs';
import path from 'node:path';

import { validateWorkflow } from '@action-validator/core';

const root = path.resolve(__dirname, '../..');
const read = (name: string) => fs.readFileSync(path.join(root, '.github/workflows', name), 'utf8');

describe('GitHub Actions workflows', () => {
	it.each(['ci.yml', 'publish.yml'])('%s is valid', (name) => {
		expect(validateWorkflow(read(name)).errors).toEqual([]);
	});

	it('the validator can fail: a misspelt key, a wrong permission value, a step with both run and uses', () => {
		const publish = read('publish.yml');
		for (const broken of [
			read('ci.yml').replace('runs-on: ubuntu-24.04', 'runs-on: ubuntu-24.04\n    permisions: {}'),
			publish.replace('\n      id-token: write', '\n      id-token: writ'),
			publish.replace('run: npm test', 'run: npm test\n        uses: actions/checkout@v4'),
		]) {
			expect(validateWorkflow(broken).errors.length).toBeGreaterThan(0);
		}
	});

	it('CI: npm test on every push and pull request, Node.js 24, n8n installs and npm cache cached', () => {
		const ci = read('ci.yml');
		expect(ci).toMatch(/^on:\n {2}push:\n {4}branches: \['\*\*'\]\n {2}pull_request:\n/m);
		expect(ci).toMatch(/node-version: 24\n\s+cache: npm/);
		expect(ci).toContain('path: ~/.cache/n8n-nodes-masv');
		expect(ci).toContain("hashFiles('tools/n8n/versions.sh', 'tools/n8n/install-n8n.sh', 'tools/n8n/npm-steps.sh')");
		expect(ci.match(/run: npm test$/gm)).toHaveLength(2);
		expect(ci).toMatch(/matrix:\n\s+node: \[20, 22\]/);
		expect(ci).toMatch(/env:\n\s+E2E: '0'/);
		expect(ci).toMatch(/^permissions:\n {2}contents: read$/m);
	});

	it('publish: on version tags, the check, npm test, then npm publish with provenance (OIDC or NPM_TOKEN)', () => {
		const publish = read('publish.yml');
		expect(publish).toMatch(/^on:\n {2}push:\n {4}tags:\n(?: {6}#.*\n)* {6}- '\*\.\*\.\*'$/m);
		expect(publish).toMatch(/permissions:\n\s+contents: read\n(?:\s+#.*\n)*\s+id-token: write/);
		expect(publish).toContain("registry-url: 'https://registry.npmjs.org'");
		const steps = ['run: bash scripts/release/check.sh "$GITHUB_REF_NAME"', 'run: npm test', 'run: npm publish --provenance --access public'];
		const at = steps.map((step) => publish.indexOf(step));
		expect(at.every((index) => index > 0)).toBe(true);
		expect([...at].sort((a, b) => a - b)).toEqual(at);
		expect(publish).toContain('NODE_AUTH_TOKEN: ${{ secrets.NPM_TOKEN }}');
		expect(publish).toContain('cancel-in-progress: false');
	});
});
