// Runtime code runs against whatever n8n-workflow the user's n8n has (1.x or 2.x). A name that one
// of them lacks fails only when the code path runs (n8n-workflow 2.x dropped `sleepWithAbort`,
// which once broke every retry on n8n 2.x). This checks each value imported from n8n-workflow by
// nodes/ and credentials/ against the development copy and every n8n the e2e run has installed.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

import { pinned } from '../../tools/n8n/n8n';

const ROOT = path.resolve(__dirname, '../..');

function sourceFiles(dir: string): string[] {
	return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
		const full = path.join(dir, entry.name);
		if (entry.isDirectory()) return sourceFiles(full);
		return entry.name.endsWith('.ts') ? [full] : [];
	});
}

function valueImports(): Map<string, string[]> {
	const names = new Map<string, string[]>();
	for (const file of [...sourceFiles(path.join(ROOT, 'nodes')), ...sourceFiles(path.join(ROOT, 'credentials'))]) {
		const text = fs.readFileSync(file, 'utf8');
		for (const match of text.matchAll(/import\s+(type\s+)?\{([^}]*)\}\s+from\s+'n8n-workflow'/g)) {
			if (match[1]) continue;
			for (const raw of match[2].split(',')) {
				const name = raw.trim();
				if (!name || name.startsWith('type ')) continue;
				names.set(name, [...(names.get(name) ?? []), path.relative(ROOT, file)]);
			}
		}
	}
	return names;
}

function installedWorkflows(): string[] {
	const { cache } = pinned();
	if (!fs.existsSync(cache)) return [];
	return fs
		.readdirSync(cache)
		.filter((name) => name.startsWith('n8n-'))
		.map((name) => path.join(cache, name, 'node_modules/n8n-workflow'))
		.filter((dir) => fs.existsSync(path.join(dir, 'package.json')));
}

describe('values runtime code imports from n8n-workflow', () => {
	const imports = valueImports();

	it('are found in the source (the check reads what it should)', () => {
		expect(imports.has('NodeOperationError')).toBe(true);
	});

	const copies = [path.join(ROOT, 'node_modules/n8n-workflow'), ...installedWorkflows()];
	it.each(copies)('all exist in %s', (dir) => {
		const workflow = createRequire(__filename)(dir) as Record<string, unknown>;
		const missing = [...imports.keys()].filter((name) => workflow[name] === undefined);
		expect(missing.map((name) => `${name} (${imports.get(name)?.join(', ')})`)).toEqual([]);
	});
});
