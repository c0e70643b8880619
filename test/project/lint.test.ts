// n8n's community-package scanner lints the package with inline `eslint-disable` comments ignored
// (`allowInlineConfig: false`) and the cloud rules on. This runs the repository's ESLint config the
// same way over what gets published from source: nodes/, credentials/ and package.json. (ESLint runs
// as a child process: its flat config is an ES module, which jest's module system cannot import.)
// It also holds what `n8n-node cloud-support` and `n8n-node lint` (strict mode) require: the root
// eslint.config.mjs is n8n's default config, unchanged, and package.json's n8n.strict is true; and
// that the development code gets its own rules (docs/releasing.md, "Lint").
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(__dirname, '../..');
const eslintBin = path.join(root, 'node_modules', '.bin', 'eslint');

// What `npm run lint` sets: ESLint looks the config up from each file's folder.
const LOOKUP_FROM_FILE = 'unstable_config_lookup_from_file';

function eslint(args: string[], flags = ''): { status: number | null; stdout: string; stderr: string } {
	// Jest sets NODE_ENV=test, which switches eslint-plugin-n8n-nodes-base into its own self-test mode
	// (file names read from fixtures): run ESLint with the environment a developer or CI has.
	const env: NodeJS.ProcessEnv = { ...process.env, NODE_ENV: 'production', ESLINT_FLAGS: flags };
	const run = spawnSync(eslintBin, args, { cwd: root, env, encoding: 'utf8', timeout: 300_000, maxBuffer: 64 * 1024 * 1024 });
	return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

interface LintResult {
	filePath: string;
	messages: Array<{ ruleId: string | null; line: number; column: number; message: string }>;
}

function rulesFor(file: string, flags = ''): Record<string, unknown> {
	const run = eslint(['--print-config', file], flags);
	expect(run.stderr).toBe('');
	return (JSON.parse(run.stdout) as { rules: Record<string, unknown> }).rules;
}

const normalized = (text: string) => text.replace(/\s+/g, ' ').trim();

describe("n8n's default lint config and strict mode (n8n-node cloud-support)", () => {
	it("eslint.config.mjs is n8n's default config, compared as @n8n/node-cli compares it", () => {
		const template = path.join(root, 'node_modules/@n8n/node-cli/dist/template/templates/shared/default/eslint.config.mjs');
		const config = fs.readFileSync(path.join(root, 'eslint.config.mjs'), 'utf8');
		expect(normalized(config)).toBe(normalized(fs.readFileSync(template, 'utf8')));
		expect(normalized(config)).toBe("import { config } from '@n8n/node-cli/eslint'; export default config;");
	});

	it("package.json: n8n.strict is true; npm run lint is n8n's lint with configs looked up from each file", () => {
		const packageJson = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as {
			n8n: { strict?: boolean };
			scripts: Record<string, string>;
		};
		expect(packageJson.n8n.strict).toBe(true);
		expect(packageJson.scripts.lint).toBe(`ESLINT_FLAGS=${LOOKUP_FROM_FILE} n8n-node lint`);
	});

	it.each(['tools/emulator/main.ts', 'scripts/dev.ts', 'test/project/lint.test.ts'])(
		'the development code has its own rules, not the Cloud rules: %s',
		(file) => {
			const level = (rules: Record<string, unknown>, rule: string) => {
				const setting = rules[rule];
				return Array.isArray(setting) ? setting[0] : setting;
			};
			const rules = rulesFor(file, LOOKUP_FROM_FILE);
			expect(Object.keys(rules).filter((rule) => rule.startsWith('@n8n/'))).toEqual([]);
			expect(level(rules, '@typescript-eslint/no-unused-vars')).toBe(2);
			expect(level(rules, 'prefer-const')).toBe(2);
		},
		300_000,
	);

	it.each(['.test-output', '.tmp'])('%s (test and build output, n8n-user folders with n8n\'s own assets) is not linted', (dir) => {
		const run = eslint([dir], LOOKUP_FROM_FILE);
		expect(run.stderr).toContain(`all of the files matching the glob pattern "${dir}" are ignored`);
		expect(fs.readFileSync(path.join(root, dir, 'eslint.config.mjs'), 'utf8')).toContain("export default [{ ignores: ['**'] }];");
	}, 300_000);

	it("without the lookup, ESLint judges the development code by n8n's Cloud rules (why npm run lint sets it)", () => {
		const setting = rulesFor('tools/emulator/main.ts')['@n8n/community-nodes/no-restricted-imports'];
		expect(Array.isArray(setting) ? setting[0] : setting).toBe(2);
	}, 300_000);
});

describe('lint, as the community-package scanner runs it', () => {
	it.each(['nodes/Masv/Masv.node.ts', 'nodes/Masv/MasvTrigger.node.ts', 'credentials/MasvApi.credentials.ts'])(
		'the cloud and community rules are errors for %s',
		(file) => {
			const run = eslint(['--print-config', file], LOOKUP_FROM_FILE);
			expect(run.stderr).toBe('');
			const { rules } = JSON.parse(run.stdout) as { rules: Record<string, unknown> };
			const level = (rule: string) => {
				const setting = rules[rule];
				return [rule, Array.isArray(setting) ? setting[0] : setting];
			};
			for (const rule of [
				'@n8n/community-nodes/no-restricted-globals',
				'@n8n/community-nodes/no-restricted-imports',
				'no-console',
				'@n8n/community-nodes/node-usable-as-tool',
				'@n8n/community-nodes/trigger-node-conventions',
				'@n8n/community-nodes/icon-validation',
				'@n8n/community-nodes/require-node-description-fields',
			]) {
				expect(level(rule)).toEqual([rule, 2]);
			}
		},
	);

	it('nodes/, credentials/ and package.json: no errors, no warnings, inline config ignored', () => {
		const run = eslint(['--no-inline-config', '--format', 'json', 'nodes', 'credentials', 'package.json'], LOOKUP_FROM_FILE);
		const results = JSON.parse(run.stdout) as LintResult[];
		const problems = results.flatMap((result) =>
			result.messages.map(
				(message) => `${path.relative(root, result.filePath)}:${message.line}:${message.column} ${message.ruleId ?? ''} ${message.message}`,
			),
		);
		expect(problems).toEqual([]);
		expect(run.status).toBe(0);
		expect(results.map((result) => path.relative(root, result.filePath))).toEqual(
			expect.arrayContaining(['package.json', 'nodes/Masv/MasvTrigger.node.ts', 'credentials/MasvApi.credentials.ts']),
		);
	}, 300_000);
});
