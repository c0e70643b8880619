// n8n's community-package scanner lints the package with inline `eslint-disable` comments ignored
// (`allowInlineConfig: false`) and the cloud rules on. This runs the repository's ESLint config the
// same way over what gets published from source: nodes/, credentials/ and package.json. (ESLint runs
// as a child process: its flat config is an ES module, which jest's module system cannot import.)
import { spawnSync } from 'node:child_process';
import path from 'node:path';

const root = path.resolve(__dirname, '../..');
const eslintBin = path.join(root, 'node_modules', '.bin', 'eslint');

function eslint(args: string[]): { status: number | null; stdout: string; stderr: string } {
	// Jest sets NODE_ENV=test, which switches eslint-plugin-n8n-nodes-base into its own self-test mode
	// (file names read from fixtures): run ESLint with the environment a developer or CI has.
	const env = { ...process.env, NODE_ENV: 'production' };
	const run = spawnSync(eslintBin, args, { cwd: root, env, encoding: 'utf8', timeout: 300_000, maxBuffer: 64 * 1024 * 1024 });
	return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

interface LintResult {
	filePath: string;
	messages: Array<{ ruleId: string | null; line: number; column: number; message: string }>;
}

describe('lint, as the community-package scanner runs it', () => {
	it.each(['nodes/Masv/Masv.node.ts', 'nodes/Masv/MasvTrigger.node.ts', 'credentials/MasvApi.credentials.ts'])(
		'the cloud and community rules are errors for %s',
		(file) => {
			const run = eslint(['--print-config', file]);
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
		const run = eslint(['--no-inline-config', '--format', 'json', 'nodes', 'credentials', 'package.json']);
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
