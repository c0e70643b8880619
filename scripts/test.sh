#!/usr/bin/env bash
# The whole test run, as CI and a newcomer run it: install, lint, n8n's own checks, type-check,
# build, unit and in-process workflow tests, end-to-end tests in a real n8n.
#   E2E=0   everything but the end-to-end tests (the CI jobs on Node.js 20 and 22; n8n 2.x needs 24)
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
	npm ci --no-audit --no-fund
fi
# n8n's lint as n8n's CLI runs it (strict mode: eslint.config.mjs must be n8n's default config), with
# ESLint looking configs up from each file: nodes/, credentials/ and package.json by n8n's default
# config with the Cloud rules, tools/, scripts/ and test/ by eslint.dev.mjs (docs/releasing.md).
echo "== lint (n8n-node lint)"; npm run lint --silent
echo "== n8n Cloud support (n8n-node cloud-support)"
# Without colours: n8n's CLI colours its output whenever CI is set (picocolors), and the check reads it.
cloud="$(NO_COLOR=1 npx --no-install n8n-node cloud-support 2>&1 | sed 's/\x1b\[[0-9;]*m//g')" || { echo "$cloud"; exit 1; }
echo "$cloud" | sed -n '/Cloud support is/,/Status:/p'
if ! grep -q 'Cloud support is ENABLED' <<<"$cloud"; then echo "$cloud"; echo "not eligible for n8n Cloud verification (above)"; exit 1; fi
echo "== GitHub Actions workflows (action-validator)"; bash scripts/release/validate-workflows.sh
echo "== type-check"; npx tsc -p tsconfig.test.json --noEmit
# The benchmark compiles on its own, without jest's types: check that it still does.
npx tsc -p scripts/bench/tsconfig.json --noEmit
echo "== build"; npm run build --silent
echo "== n8n's community-package scanner on the packed tarball and the source"; node scripts/release/scan-package.mjs
echo "== in-process tests"
# Jest exits by itself once every test file has cleaned up; a leaked timer or socket would make it
# hang instead of fail, so it gets a bound far above its usual ~40 s.
status=0
timeout --foreground -k 30 900 npx jest --ci || status=$?
if [ "$status" = 124 ]; then echo "jest did not finish within 15 min: a test left a timer or a connection open?"; fi
if [ "$status" != 0 ]; then exit "$status"; fi
if [ "${E2E:-1}" = 0 ]; then echo "== end-to-end tests skipped (E2E=0)"; exit 0; fi
echo "== end-to-end tests in a real n8n (scripts/e2e/run.sh)"; E2E_SKIP_BUILD=1 bash scripts/e2e/run.sh
