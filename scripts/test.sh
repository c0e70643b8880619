#!/usr/bin/env bash
# The whole test run, as CI and a newcomer run it: install, lint, type-check, build, unit and
# in-process workflow tests, end-to-end tests in a real n8n.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
	npm ci --no-audit --no-fund
fi
echo "== lint"; npx eslint .
echo "== type-check"; npx tsc -p tsconfig.test.json --noEmit
echo "== build"; npm run build --silent
echo "== in-process tests"; npx jest --ci
echo "== end-to-end tests in a real n8n (scripts/e2e/run.sh)"; E2E_SKIP_BUILD=1 bash scripts/e2e/run.sh
