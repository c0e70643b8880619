// Development code: linted with ../eslint.dev.mjs, not with n8n's Cloud rules (docs/releasing.md, "Lint").
export { default } from '../eslint.dev.mjs';
