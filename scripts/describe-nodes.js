// Prints the built nodes' and credential's descriptions as JSON (`npm run build` first), with the
// custom operations and pickers by name. Compare two builds to check that a refactor leaves what a
// saved workflow depends on unchanged:
//   node scripts/describe-nodes.js > before.json; …; node scripts/describe-nodes.js > after.json; diff before.json after.json
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const pkg = require(path.join(root, 'package.json'));
const keys = (object) => Object.keys(object).sort();
const out = {};
for (const file of [...pkg.n8n.nodes, ...pkg.n8n.credentials]) {
	for (const [name, Type] of Object.entries(require(path.join(root, file)))) {
		const instance = new Type();
		out[name] = {
			description: instance.description ?? null,
			name: instance.name,
			displayName: instance.displayName,
			properties: instance.properties,
			customOperations: instance.customOperations
				? Object.fromEntries(keys(instance.customOperations).map((resource) => [resource, keys(instance.customOperations[resource])]))
				: undefined,
			methods: instance.methods
				? Object.fromEntries(keys(instance.methods).map((kind) => [kind, keys(instance.methods[kind])]))
				: undefined,
		};
	}
}
console.log(JSON.stringify(out, (key, value) => (typeof value === 'function' ? `[function ${value.name}]` : value), 2));
