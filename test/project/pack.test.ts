// What `npm pack` ships, and whether n8n can load it: only dist/, the README, the license and
// package.json go into the tarball; every node and credential package.json registers is in it,
// with its codex file next to it and its light and dark icons; n8n's own package loader reads the
// unpacked tarball. Needs a build (`npm run build`): built here when dist/ is missing, a clear
// failure when dist/ is older than the registered nodes.
// Also the metadata npm and n8n's verification read: repository, homepage, bugs and author name
// one GitHub owner and repository (the placeholder docs/releasing.md says to change), and engines
// names the Node.js versions CI tests.
import '../../tools/harness/env';
import 'reflect-metadata';

import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

import { PackageDirectoryLoader } from 'n8n-core';
import type { INodeTypeDescription } from 'n8n-workflow';

const root = path.resolve(__dirname, '../..');
const packageJson = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as {
	name: string;
	n8n: { nodes: string[]; credentials: string[] };
};
const registered = [...packageJson.n8n.nodes, ...packageJson.n8n.credentials];

interface Metadata {
	repository: { type: string; url: string };
	homepage: string;
	bugs: { url: string };
	author: { name: string; email: string; url: string };
	engines: { node: string };
}

describe('package.json metadata', () => {
	const metadata = packageJson as unknown as Metadata;
	const match = /^https:\/\/github\.com\/([\w.-]+)\/([\w.-]+)\.git$/.exec(metadata.repository.url);
	const [owner, repo] = [match?.[1], match?.[2]];
	const project = `https://github.com/${owner}/${repo}`;

	it('repository is a GitHub repository (provenance and the scanner need one)', () => {
		expect(match).not.toBeNull();
		expect(metadata.repository.type).toBe('git');
		expect(repo).toBe(packageJson.name);
	});

	it('homepage, bugs and author agree with it', () => {
		expect(metadata.homepage).toBe(`${project}#readme`);
		expect(metadata.bugs).toEqual({ url: `${project}/issues` });
		expect(metadata.author.url).toBe(`https://github.com/${owner}`);
		expect(metadata.author.name).toBeTruthy();
		expect(metadata.author.email).toMatch(/^[^@\s]+@[^@\s]+$/);
	});

	it('every GitHub link in the codex files points into the same repository', () => {
		const codexFiles = packageJson.n8n.nodes.map((node) => path.join(root, node.replace(/^dist\//, '').replace(/\.js$/, '.json')));
		const links = codexFiles.flatMap((file) => fs.readFileSync(file, 'utf8').match(/https:\/\/github\.com\/[^"#\s]*/g) ?? []);
		expect(links.length).toBeGreaterThanOrEqual(codexFiles.length);
		expect(links.filter((link) => link !== project)).toEqual([]);
	});

	it('docs/releasing.md names the placeholder owner as the thing to change', () => {
		const releasing = fs.readFileSync(path.join(root, 'docs/releasing.md'), 'utf8');
		expect(releasing).toContain(`\`${owner}\``);
		expect(releasing).toMatch(/## When the repository is created/);
	});

	it('engines names the Node.js versions CI tests: 20 and 22 (in-process), 24 (everything)', () => {
		expect(metadata.engines).toEqual({ node: '^20.19.0 || ^22.0.0 || ^24.0.0' });
		const majors = metadata.engines.node.split('||').map((range) => Number(/\^(\d+)\./.exec(range)?.[1]));
		const ci = fs.readFileSync(path.join(root, '.github/workflows/ci.yml'), 'utf8');
		const tested = [...(/node: \[([\d, ]+)\]/.exec(ci)?.[1].split(',').map(Number) ?? []), Number(/node-version: (\d+)$/m.exec(ci)?.[1])];
		expect(tested.sort()).toEqual(majors.sort());
	});
});

function npm(args: string[], cwd = root): string {
	return execFileSync('npm', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 300_000 });
}

function ensureBuilt(): void {
	if (!fs.existsSync(path.join(root, 'dist'))) {
		try {
			npm(['run', 'build', '--silent']);
		} catch (error) {
			const { stdout, stderr } = error as { stdout?: string; stderr?: string };
			throw new Error(`dist/ is missing and \`npm run build\` failed:\n${stdout ?? ''}${stderr ?? ''}`);
		}
	}
	const missing = registered.filter((file) => !fs.existsSync(path.join(root, file)));
	if (missing.length) {
		throw new Error(`dist/ is out of date (missing ${missing.join(', ')}): run \`npm run build\` before this test`);
	}
}

interface PackEntry {
	path: string;
	size: number;
}

describe('npm pack', () => {
	let files: string[];

	beforeAll(() => {
		ensureBuilt();
		const report = JSON.parse(npm(['pack', '--dry-run', '--json', '--ignore-scripts'])) as Array<{ files: PackEntry[] }>;
		files = report[0].files.map((file) => file.path).sort();
	}, 300_000);

	it('ships only dist/, README.md, LICENSE and package.json', () => {
		const outside = files.filter((file) => !file.startsWith('dist/') && !['README.md', 'LICENSE', 'package.json'].includes(file));
		expect(outside).toEqual([]);
		for (const required of ['package.json', 'LICENSE', 'README.md']) expect(files).toContain(required);
		// No sources, tests or build caches inside dist/ either.
		expect(files.filter((file) => /\.ts$/.test(file) && !file.endsWith('.d.ts'))).toEqual([]);
		expect(files.filter((file) => /tsbuildinfo|(^|\/)test\/|emulator/.test(file))).toEqual([]);
	});

	it('ships every registered node and credential, each node with its codex file', () => {
		for (const file of registered) expect(files).toContain(file);
		for (const node of packageJson.n8n.nodes) expect(files).toContain(node.replace(/\.js$/, '.json'));
		expect(packageJson.n8n.nodes).toEqual(
			expect.arrayContaining(['dist/nodes/Masv/Masv.node.js', 'dist/nodes/Masv/MasvTrigger.node.js']),
		);
	});

	it('ships light and dark icons that differ', () => {
		expect(files).toEqual(expect.arrayContaining(['dist/icons/masv.svg', 'dist/icons/masv.dark.svg']));
		const light = fs.readFileSync(path.join(root, 'dist/icons/masv.svg'), 'utf8');
		const dark = fs.readFileSync(path.join(root, 'dist/icons/masv.dark.svg'), 'utf8');
		expect(light).toMatch(/^<svg[\s>]/);
		expect(dark).toMatch(/^<svg[\s>]/);
		expect(light).not.toEqual(dark);
	});

	describe('the unpacked tarball, loaded by n8n', () => {
		let workDir: string;
		let loader: PackageDirectoryLoader;
		const node = (name: string): INodeTypeDescription => {
			const found = loader.types.nodes.find((description) => description.name === name);
			if (!found) throw new Error(`node ${name} not loaded; loaded: ${loader.types.nodes.map((d) => d.name).join(', ')}`);
			return found;
		};

		beforeAll(async () => {
			// Inside the repo (.tmp is ignored) so that the built code finds n8n-workflow as it would in
			// an n8n install.
			fs.mkdirSync(path.join(root, '.tmp'), { recursive: true });
			workDir = fs.mkdtempSync(path.join(root, '.tmp', 'pack-'));
			const [{ filename }] = JSON.parse(
				npm(['pack', '--json', '--ignore-scripts', '--pack-destination', workDir]),
			) as Array<{ filename: string }>;
			execFileSync('tar', ['-xzf', path.join(workDir, filename), '-C', workDir]);
			loader = new PackageDirectoryLoader(path.join(workDir, 'package'));
			await loader.loadAll();
		}, 300_000);

		afterAll(() => {
			if (workDir) fs.rmSync(workDir, { recursive: true, force: true });
		});

		it('loads the three nodes and the credential', () => {
			expect(loader.types.nodes.map((description) => description.name).sort()).toEqual(['masv', 'masvTrigger', 'masvWebhookTrigger']);
			expect(loader.types.credentials.map((credential) => credential.name)).toEqual(['masvApi']);
			expect(loader.types.credentials[0].documentationUrl).toMatch(/^https:\/\/developer\.massive\.io\//);
		});

		it('reads each codex file: category and documentation links', () => {
			for (const name of ['masv', 'masvTrigger']) {
				const { codex } = node(name);
				expect(codex?.categories).toEqual(['Data & Storage']);
				expect(codex?.resources?.primaryDocumentation?.map((link) => link.url)).toEqual(
					expect.arrayContaining([expect.stringMatching(/^https:\/\/developer\.massive\.io\//), expect.stringMatching(/github\.com\/.*n8n-nodes-masv/)]),
				);
				expect(codex?.resources?.credentialDocumentation?.[0]?.url).toMatch(/^https:\/\/developer\.massive\.io\//);
			}
		});

		it('resolves light and dark icons inside the package, and subtitles are set', () => {
			for (const name of ['masv', 'masvTrigger']) {
				const description = node(name);
				expect(description.iconUrl).toEqual({
					light: `icons/${packageJson.name}/dist/icons/masv.svg`,
					dark: `icons/${packageJson.name}/dist/icons/masv.dark.svg`,
				});
				expect(description.subtitle).toMatch(/^=/);
			}
		});

		it('sees the trigger as a polling trigger (Poll Times added, no inputs, not a tool)', () => {
			const trigger = node('masvTrigger');
			expect(trigger.polling).toBe(true);
			expect(trigger.properties[0].name).toBe('pollTimes');
			expect(trigger.inputs).toEqual([]);
			expect(trigger.usableAsTool).toBeUndefined();
			expect(trigger.displayName).toBe('MASV Trigger');
		});
	});
});
