// n8n's community-package scanner (@n8n/scan-community-package), offline. The scanner's own CLI
// takes a package name: it fetches the version from npm, checks its provenance statement, fetches
// the source at the attested commit from GitHub, and lints both with its own ESLint config, inline
// `eslint-disable` comments ignored. Here the same two lint legs run, with the scanner's own
// `analyzePackage`, on what would be published:
//   * the tarball leg: the package `npm pack` makes, unpacked as the scanner unpacks it, its
//     compiled `.js` and package.json;
//   * the source leg: this checkout's nodes/, credentials/ and package.json (the scanner's
//     SOURCE_FILE_PATTERNS), as it lints the attested source.
// Provenance cannot be checked before publishing: the publish workflow makes it
// (docs/releasing.md).
//
//   node scripts/release/scan-package.mjs                     needs dist/ (npm run build)
//   node scripts/release/scan-package.mjs --package-dir DIR   the tarball leg only, on an unpacked package
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'n8n-nodes-masv-scan-'));
// The scanner makes a temporary folder when it is loaded: inside ours, removed at the end.
process.env.TMPDIR = work;
const { analyzePackage, SOURCE_FILE_PATTERNS } = await import('@n8n/scan-community-package/scanner/scanner.mjs');

function pack() {
	const registered = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')).n8n.nodes;
	const missing = registered.filter((file) => !fs.existsSync(path.join(root, file)));
	if (missing.length) throw new Error(`dist/ is not built (missing ${missing.join(', ')}): run \`npm run build\` first`);
	const [{ filename }] = JSON.parse(
		execFileSync('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', work], { cwd: root, encoding: 'utf8' }),
	);
	const dir = path.join(work, 'package');
	fs.mkdirSync(dir);
	execFileSync('tar', ['-xzf', path.join(work, filename), '-C', dir, '--strip-components=1']);
	return { dir, filename };
}

async function leg(name, dir, patterns) {
	const result = await analyzePackage(dir, patterns);
	// "No files found" passes in the scanner; here it would mean the scan looked at the wrong place.
	const passed = result.passed && result.message === undefined;
	console.log(`[scan] ${name}: ${passed ? 'clean' : `FAILED: ${result.message}`}`);
	if (result.details) console.log(result.details);
	return passed;
}

let ok = true;
try {
	const packageDirArg = process.argv.indexOf('--package-dir');
	if (packageDirArg !== -1) {
		ok = await leg(`package ${process.argv[packageDirArg + 1]}`, path.resolve(process.argv[packageDirArg + 1]), ['**/*.js', 'package.json']);
	} else {
		const { dir, filename } = pack();
		const files = execFileSync('find', ['.', '-type', 'f', '-name', '*.js'], { cwd: dir, encoding: 'utf8' }).trim().split('\n').length;
		ok = (await leg(`tarball ${filename} (${files} .js files and package.json)`, dir, ['**/*.js', 'package.json'])) && ok;
		ok = (await leg(`source (${SOURCE_FILE_PATTERNS.join(', ')})`, root, SOURCE_FILE_PATTERNS)) && ok;
	}
} finally {
	fs.rmSync(work, { recursive: true, force: true });
}
process.exit(ok ? 0 : 1);
