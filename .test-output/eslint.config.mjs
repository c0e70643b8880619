// Test and build output (git ignores the rest of this folder), not source: nothing here is linted.
// `npm run lint` has ESLint look configs up from each file, so this one applies below this folder;
// n8n's default config at the root ignores only dist/ (docs/releasing.md, "Lint").
export default [{ ignores: ['**'] }];
