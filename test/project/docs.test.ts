// The README and docs/ link to each other, to files of the repository and to pictures: every
// relative link and image must resolve (the file exists; a `#anchor` names a heading of that
// Markdown file, by GitHub's rules), and the README stays short enough to read (docs/ holds the
// deep dives).
import fs from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');
const README_MAX_LINES = 450;

function markdownFiles(dir: string): string[] {
	return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
		const full = path.join(dir, entry.name);
		if (entry.isDirectory()) return markdownFiles(full);
		return entry.name.endsWith('.md') ? [full] : [];
	});
}

/** The text of a Markdown file without fenced code blocks and inline code (links there are not links). */
function withoutCode(text: string): string {
	return text
		.replace(/^( {0,3})(```|~~~)[^\n]*\n[\s\S]*?^\1\2[^\n]*$/gm, '')
		.replace(/(`+)[^`\n][\s\S]*?\1/g, (code) => ' '.repeat(code.length));
}

/** The text a heading renders to: no emphasis, no code ticks, links by their text, no HTML tags. */
function headingText(raw: string): string {
	return raw
		.replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
		.replace(/<[^>]+>/g, '')
		.replace(/[`*]/g, '')
		.replace(/(^|\s)_+|_+(?=\s|$)/g, '$1')
		.trim();
}

/** GitHub's anchor for a heading text: lower case, punctuation but `-` and `_` dropped, spaces to `-`. */
export function githubSlug(text: string): string {
	return headingText(text)
		.toLowerCase()
		.replace(/[^\p{L}\p{M}\p{N}\p{Pc}\- ]/gu, '')
		.replace(/ /g, '-');
}

/** Every anchor a Markdown file has: its headings (repeats get -1, -2, … as on GitHub) and HTML ids. */
export function anchorsOf(text: string): Set<string> {
	const anchors = new Set<string>();
	const seen = new Map<string, number>();
	for (const match of withoutCode(text).matchAll(/^ {0,3}#{1,6}[ \t]+(.*?)[ \t#]*$/gm)) {
		const slug = githubSlug(match[1]);
		const count = seen.get(slug) ?? 0;
		seen.set(slug, count + 1);
		anchors.add(count === 0 ? slug : `${slug}-${count}`);
	}
	for (const match of text.matchAll(/<a\s+(?:name|id)="([^"]+)"/g)) anchors.add(match[1]);
	return anchors;
}

/** The link and image targets of a Markdown text: inline, reference definitions and HTML src/href. */
export function targetsOf(text: string): string[] {
	const bare = withoutCode(text);
	const targets: string[] = [];
	for (const match of bare.matchAll(/!?\[(?:[^\]\\]|\\.)*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) targets.push(match[1]);
	for (const match of bare.matchAll(/^ {0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)/gm)) targets.push(match[1]);
	for (const match of bare.matchAll(/<(?:img|a|source)\b[^>]*?\s(?:src|href|srcset)="([^"]+)"/g)) targets.push(match[1]);
	return targets;
}

/** What is wrong with the relative links of one Markdown file (empty when all resolve). */
export function brokenLinks(file: string, text: string, read: (file: string) => string | undefined): string[] {
	const problems: string[] = [];
	for (const target of targetsOf(text)) {
		if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // https:, mailto: …
		const [rawPath, anchor] = target.split('#', 2) as [string, string | undefined];
		const targetFile = rawPath === '' ? file : path.resolve(path.dirname(file), decodeURIComponent(rawPath));
		const where = `${path.relative(ROOT, file)}: ${target}`;
		if (!targetFile.startsWith(ROOT + path.sep)) {
			problems.push(`${where} points outside the repository`);
			continue;
		}
		const content = read(targetFile);
		if (content === undefined) {
			problems.push(`${where}: no such file`);
			continue;
		}
		if (anchor === undefined || anchor === '') continue;
		if (!targetFile.endsWith('.md')) {
			problems.push(`${where}: an anchor into a file that is not Markdown`);
			continue;
		}
		if (!anchorsOf(content).has(decodeURIComponent(anchor))) problems.push(`${where}: no heading with that anchor`);
	}
	return problems;
}

/** A file's text, '' for a folder, undefined when there is nothing at that path. */
function readFromDisk(file: string): string | undefined {
	if (!fs.existsSync(file)) return undefined;
	return fs.statSync(file).isDirectory() ? '' : fs.readFileSync(file, 'utf8');
}

const README = path.join(ROOT, 'README.md');
const FILES = [README, ...markdownFiles(path.join(ROOT, 'docs'))];

describe('README and docs/', () => {
	it(`the README has at most ${README_MAX_LINES} lines`, () => {
		const lines = fs.readFileSync(README, 'utf8').replace(/\n$/, '').split('\n').length;
		expect(lines).toBeLessThanOrEqual(README_MAX_LINES);
	});

	it.each(FILES.map((file) => [path.relative(ROOT, file), file]))('every relative link and image of %s resolves', (_name, file) => {
		const text = fs.readFileSync(file, 'utf8');
		expect(brokenLinks(file, text, readFromDisk)).toEqual([]);
	});

	it('the README shows the pictures in docs/images/, and they are small PNG or SVG files', () => {
		const images = [...fs.readFileSync(README, 'utf8').matchAll(/!\[[^\]]*\]\((docs\/images\/[^)\s]+)\)/g)].map((m) => m[1]);
		expect(images.length).toBeGreaterThanOrEqual(4);
		for (const image of images) {
			const bytes = fs.readFileSync(path.join(ROOT, image));
			expect(bytes.length).toBeLessThan(400 * 1024);
			const png = bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
			const svg = image.endsWith('.svg') && bytes.toString('utf8', 0, 512).includes('<svg');
			expect(png || svg ? image : `${image} is neither a PNG nor an SVG`).toBe(image);
		}
	});
});

describe('the link checker itself', () => {
	it("makes GitHub's anchors", () => {
		expect(githubSlug("The slow garbage-collector regime: cause, evidence and the node's workaround")).toBe(
			'the-slow-garbage-collector-regime-cause-evidence-and-the-nodes-workaround',
		);
		expect(githubSlug('Credential: MASV API')).toBe('credential-masv-api');
		expect(githubSlug('Tag, Team')).toBe('tag-team');
		expect(githubSlug('`npm run demo` and *MASV Trigger* (polling)')).toBe('npm-run-demo-and-masv-trigger-polling');
		expect(githubSlug('Many files, and a distant link')).toBe('many-files-and-a-distant-link');
		expect([...anchorsOf('# A\n\n## Notes\n\n```\n# not a heading\n```\n\n### Notes\n')]).toEqual(['a', 'notes', 'notes-1']);
	});

	it('finds a missing file, a missing anchor and a link that leaves the repository, and ignores code and URLs', () => {
		const file = path.join(ROOT, 'docs', 'x.md');
		const files: Record<string, string> = {
			[path.join(ROOT, 'README.md')]: '# Title\n\n## Quick start\n',
			[path.join(ROOT, 'docs', 'images', 'a.png')]: 'png',
		};
		const text = [
			'# Here',
			'[ok](../README.md#quick-start) ![ok](images/a.png) [ok](#here) [web](https://example.com/x.md#nope)',
			'[gone](../nothing.md) ![gone](images/b.png) [bad](../README.md#slow-start) [bad](#there) [out](../../x.md)',
			'`[code](nothing.md)`',
			'```',
			'[code](nothing.md)',
			'```',
			'[ref]: ../README.md#title',
		].join('\n');
		const problems = brokenLinks(file, text, (f) => (f === file ? text : files[f]));
		expect(problems).toEqual([
			'docs/x.md: ../nothing.md: no such file',
			'docs/x.md: images/b.png: no such file',
			'docs/x.md: ../README.md#slow-start: no heading with that anchor',
			'docs/x.md: #there: no heading with that anchor',
			'docs/x.md: ../../x.md points outside the repository',
		]);
	});
});
