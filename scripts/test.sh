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
# The benchmark compiles on its own, without jest's types: check that it still does.
npx tsc -p scripts/bench/tsconfig.json --noEmit
echo "== build"; npm run build --silent
echo "== in-process tests"
# Jest exits by itself once every test file has cleaned up; a leaked timer or socket would make it
# hang instead of fail, so it gets a bound far above its usual ~40 s.
status=0
timeout --foreground -k 30 900 npx jest --ci || status=$?
if [ "$status" = 124 ]; then echo "jest did not finish within 15 min: a test left a timer or a connection open?"; fi
if [ "$status" != 0 ]; then exit "$status"; fi
echo "== end-to-end tests in a real n8n (scripts/e2e/run.sh)"; E2E_SKIP_BUILD=1 bash scripts/e2e/run.sh
