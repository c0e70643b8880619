// `npm run release` (scripts/release/release.sh) and the publish workflow's first check
// (scripts/release/check.sh), in a temporary repository made of the project's own release files
// (package.json, package-lock.json, CHANGELOG.md, scripts/release/) with a bare repository as its
// `origin`: offline, and nothing of this checkout is touched.
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const root = path.resolve(__dirname, '../..');
const today = new Date().toISOString().slice(0, 10);
const gitEnv = {
	GIT_AUTHOR_NAME: 'Release Test',
	GIT_AUTHOR_EMAIL: 'release-test@n8n-nodes-masv.invalid',
	GIT_COMMITTER_NAME: 'Release Test',
	GIT_COMMITTER_EMAIL: 'release-test@n8n-nodes-masv.invalid',
	GIT_CONFIG_NOSYSTEM: '1',
};

interface Sandbox {
	dir: string;
	origin: string;
	git: (...args: string[]) => string;
	originGit: (...args: string[]) => string;
	run: (command: string, args: string[], env?: NodeJS.ProcessEnv) => { status: number | null; output: string };
	json: (file: string) => { version: string; packages?: Record<string, { version?: string }> };
}

const sandboxes: string[] = [];
afterAll(() => {
	for (const dir of sandboxes) fs.rmSync(dir, { recursive: true, force: true });
});

function sandbox(changelog?: string): Sandbox {
	const base = fs.mkdtempSync(path.join(os.tmpdir(), 'masv-release-test-'));
	sandboxes.push(base);
	const dir = path.join(base, 'repo');
	const origin = path.join(base, 'origin.git');
	const env = { ...process.env, ...gitEnv, HOME: base };
	const exec = (cwd: string) => (...args: string[]) => execFileSync('git', args, { cwd, env, encoding: 'utf8' }).trim();
	fs.mkdirSync(path.join(dir, 'scripts/release'), { recursive: true });
	for (const file of ['package.json', 'package-lock.json', 'CHANGELOG.md', '.npmrc', 'scripts/release/release.sh', 'scripts/release/check.sh']) {
		fs.copyFileSync(path.join(root, file), path.join(dir, file));
	}
	if (changelog !== undefined) fs.writeFileSync(path.join(dir, 'CHANGELOG.md'), changelog);
	execFileSync('git', ['init', '--quiet', '--bare', '--initial-branch=main', origin], { env });
	const git = exec(dir);
	git('init', '--quiet', '--initial-branch=main');
	git('add', '.');
	git('commit', '--quiet', '-m', 'Initial');
	git('remote', 'add', 'origin', origin);
	git('push', '--quiet', '-u', 'origin', 'main');
	return {
		dir,
		origin,
		git,
		originGit: exec(origin),
		run: (command, args, extra = {}) => {
			// Nothing of the surrounding npm run (npm_config_*, npm_lifecycle_*) or GitHub Actions run
			// (GITHUB_REPOSITORY: check.sh compares it with package.json) leaks in.
			const clean = Object.fromEntries(Object.entries(env).filter(([name]) => !/^(npm_|GITHUB_)/i.test(name)));
			const result = spawnSync(command, args, { cwd: dir, env: { ...clean, ...extra }, encoding: 'utf8', timeout: 120_000 });
			return { status: result.status, output: `${result.stdout}${result.stderr}` };
		},
		json: (file) => JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')),
	};
}

const CHANGELOG = `# Changelog

Intro.

## Unreleased

- A new operation.
- A fix.

## 0.1.0 (2026-01-02)

- The first release.
`;

describe('npm run release', () => {
	it('the project has a CHANGELOG.md with an "Unreleased" section and a release script', () => {
		const changelog = fs.readFileSync(path.join(root, 'CHANGELOG.md'), 'utf8');
		expect(changelog).toMatch(/^## Unreleased$/m);
		const scripts = (JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
		expect(scripts.release).toBe('bash scripts/release/release.sh');
	});

	it('--dry-run: shows the commit, the tag and the changelog section, offline, and changes nothing', () => {
		const box = sandbox();
		const head = box.git('rev-parse', 'HEAD');
		const { status, output } = box.run('npm', ['run', 'release', '--', 'minor', '--dry-run']);
		expect(output).toContain('[release] dry run: release 0.2.0');
		expect(status).toBe(0);
		expect(output).toMatch(/\[release\] commit [0-9a-f]+ Release 0\.2\.0/);
		expect(output).toMatch(/CHANGELOG\.md\s+\|/);
		expect(output).toMatch(/package\.json\s+\|\s+2 \+-/);
		expect(output).toContain('[release] tag 0.2.0 -> ');
		expect(output).toContain(`## 0.2.0 (${today})\n\nThe first release.`);
		expect(output).toContain('would push: git push --atomic origin main 0.2.0 (not pushed)');
		// Nothing changed here or on origin; the temporary clone is gone.
		expect(box.git('rev-parse', 'HEAD')).toBe(head);
		expect(box.git('status', '--porcelain')).toBe('');
		expect(box.git('tag')).toBe('');
		expect(box.originGit('tag')).toBe('');
		expect(box.originGit('rev-parse', 'main')).toBe(head);
		expect(box.json('package.json').version).toBe('0.1.0');
		const clone = /commit and tag made in (\S+) /.exec(output)?.[1];
		expect(clone).toBeDefined();
		expect(fs.existsSync(clone as string)).toBe(false);
	});

	it('the release: checks, then bumps, moves the Unreleased entries, commits, tags and pushes both at once', () => {
		const box = sandbox(CHANGELOG);
		const before = box.git('rev-parse', 'HEAD');
		const { status, output } = box.run('bash', ['scripts/release/release.sh', 'minor'], {
			RELEASE_CHECKS: 'echo checked >checks.log',
		});
		expect(output).toContain('released 0.2.0');
		expect(status).toBe(0);
		// The checks ran, before the release commit (their output is not part of it).
		expect(fs.readFileSync(path.join(box.dir, 'checks.log'), 'utf8')).toBe('checked\n');
		expect(box.git('show', '--name-only', '--format=', 'HEAD').split('\n').sort()).toEqual(['CHANGELOG.md', 'package-lock.json', 'package.json']);

		expect(box.json('package.json').version).toBe('0.2.0');
		const lock = box.json('package-lock.json');
		expect([lock.version, lock.packages?.['']?.version]).toEqual(['0.2.0', '0.2.0']);
		expect(fs.readFileSync(path.join(box.dir, 'CHANGELOG.md'), 'utf8')).toBe(
			CHANGELOG.replace('## Unreleased\n', `## Unreleased\n\n## 0.2.0 (${today})\n`),
		);
		// origin has the release commit on main and the annotated tag on it; the commit follows the old head.
		const release = box.git('rev-parse', 'HEAD');
		expect(box.git('rev-parse', 'HEAD^')).toBe(before);
		expect(box.git('log', '-1', '--format=%s')).toBe('Release 0.2.0');
		expect(box.originGit('rev-parse', 'main')).toBe(release);
		expect(box.originGit('rev-parse', '0.2.0^{commit}')).toBe(release);
		expect(box.originGit('cat-file', '-t', '0.2.0')).toBe('tag');

		// The publish workflow's check accepts that tag, and refuses another.
		expect(box.run('bash', ['scripts/release/check.sh', '0.2.0']).status).toBe(0);
		const wrong = box.run('bash', ['scripts/release/check.sh', '0.2.1']);
		expect(wrong.status).toBe(1);
		expect(wrong.output).toContain("the tag 0.2.1 is not package.json's version 0.2.0");
	});

	it('an explicit version works, the same version too (the first release of 0.1.0)', () => {
		const box = sandbox();
		const { status, output } = box.run('bash', ['scripts/release/release.sh', '0.1.0'], { RELEASE_CHECKS: 'true' });
		expect(output).toContain('released 0.1.0');
		expect(status).toBe(0);
		expect(box.originGit('rev-parse', '0.1.0^{commit}')).toBe(box.git('rev-parse', 'HEAD'));
	});

	describe('refuses, and changes nothing', () => {
		const refuses = (box: Sandbox, args: string[], message: string, env: NodeJS.ProcessEnv = {}) => {
			const head = box.git('rev-parse', 'HEAD');
			const { status, output } = box.run('bash', ['scripts/release/release.sh', ...args], { RELEASE_CHECKS: 'echo ran >checks.log', ...env });
			expect(output).toContain(message);
			expect(status).toBe(1);
			expect(box.git('rev-parse', 'HEAD')).toBe(head);
			expect(box.originGit('tag')).toBe('');
			expect(box.json('package.json').version).toBe('0.1.0');
		};

		it('without a version', () => {
			const box = sandbox(CHANGELOG);
			refuses(box, [], 'npm run release -- patch|minor|major|X.Y.Z');
		});

		it('with uncommitted changes', () => {
			const box = sandbox(CHANGELOG);
			fs.appendFileSync(path.join(box.dir, 'CHANGELOG.md'), '\n- Not committed.\n');
			refuses(box, ['patch'], 'the working tree has uncommitted changes');
			refuses(box, ['patch', '--dry-run'], 'the working tree has uncommitted changes');
		});

		it('with nothing under "Unreleased"', () => {
			const box = sandbox(CHANGELOG.replace('- A new operation.\n- A fix.\n', ''));
			refuses(box, ['patch'], 'CHANGELOG.md has nothing under "## Unreleased"');
		});

		it('off main', () => {
			const box = sandbox(CHANGELOG);
			box.git('checkout', '--quiet', '-b', 'feature');
			refuses(box, ['patch'], 'releases are made from main; this is feature');
		});

		it('behind origin', () => {
			const box = sandbox(CHANGELOG);
			box.git('commit', '--quiet', '--allow-empty', '-m', 'Not pushed');
			refuses(box, ['patch'], 'main is not origin/main');
			expect(fs.existsSync(path.join(box.dir, 'checks.log'))).toBe(false);
		});

		it('when the checks fail', () => {
			const box = sandbox(CHANGELOG);
			refuses(box, ['patch'], '[release] checks: false', { RELEASE_CHECKS: 'false' });
		});

		it('when the tag exists', () => {
			const box = sandbox(CHANGELOG);
			box.git('tag', '0.1.1');
			const { status, output } = box.run('bash', ['scripts/release/release.sh', 'patch'], { RELEASE_CHECKS: 'true' });
			expect(output).toContain('the tag 0.1.1 exists already');
			expect(status).toBe(1);
			expect(box.originGit('tag')).toBe('');
			// The bump is undone.
			expect(box.json('package.json').version).toBe('0.1.0');
			expect(box.git('status', '--porcelain')).toBe('');
		});
	});
});

describe('scripts/release/check.sh (the publish workflow, before npm test)', () => {
	const github = { GITHUB_REPOSITORY: 'n8n-nodes-masv/n8n-nodes-masv', GITHUB_SERVER_URL: 'https://github.com' };

	it('the project as it is: 0.1.0 has no CHANGELOG section until it is released', () => {
		const box = sandbox();
		const { status, output } = box.run('bash', ['scripts/release/check.sh', '0.1.0']);
		expect(output).toContain('CHANGELOG.md has no section "## 0.1.0"');
		expect(status).toBe(1);
	});

	it("in GitHub Actions: package.json's repository must be the workflow's repository", () => {
		const box = sandbox(CHANGELOG);
		const ok = box.run('bash', ['scripts/release/check.sh', '0.1.0'], github);
		expect(ok.output).toContain('[release check] 0.1.0: package.json, CHANGELOG.md, repository n8n-nodes-masv/n8n-nodes-masv and npm');
		expect(ok.status).toBe(0);
		const fork = box.run('bash', ['scripts/release/check.sh', '0.1.0'], { ...github, GITHUB_REPOSITORY: 'someone/n8n-nodes-masv' });
		expect(fork.output).toContain(
			"package.json's repository is https://github.com/n8n-nodes-masv/n8n-nodes-masv.git, this is https://github.com/someone/n8n-nodes-masv: npm would reject the provenance statement",
		);
		expect(fork.status).toBe(1);
	});
});
