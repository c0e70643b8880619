#!/usr/bin/env bash
# `npm run demo`: installs what it needs (node_modules, the pinned n8n cached outside the repo),
# builds, and runs the round-trip example workflow with a generated 256 MiB file through a real
# headless n8n against the local MASV emulator (scripts/demo.ts). DEMO_SIZE_MIB changes the size.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/e2e/versions.sh
if [ ! -d node_modules ]; then npm ci --no-audit --no-fund; fi
bash scripts/e2e/install-n8n.sh "${N8N_VERSION:-$N8N_DEFAULT_VERSION}" >/dev/null
npm run build --silent >/dev/null
rm -rf .tmp/e2e
npx tsc -p scripts/e2e/tsconfig.json
exec node .tmp/e2e/scripts/demo.js
