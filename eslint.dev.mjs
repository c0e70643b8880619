// ESLint rules for the development code: tools/, scripts/ and test/ run on Node.js itself (the
// emulator, the harness, the n8n toolkit, the tests), never inside n8n, so they get the JavaScript
// and TypeScript recommendations without n8n's Cloud restrictions (fs, child_process, process,
// timers). Each of those folders has an eslint.config.mjs that re-exports this one; ESLint picks it
// up for the files under it when it looks configs up from the file (`npm run lint` sets
// ESLINT_FLAGS for that). The shipped code (nodes/, credentials/, package.json) is judged by
// eslint.config.mjs at the root: n8n's default config, unchanged. Why: docs/releasing.md, "Lint".
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
	{ ignores: ['**/*.js', '**/*.mjs', '**/*.cjs'] },
	{
		files: ['**/*.ts'],
		extends: [js.configs.recommended, tseslint.configs.recommended],
		rules: { 'prefer-spread': 'off' },
	},
);
