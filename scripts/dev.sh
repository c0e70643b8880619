#!/usr/bin/env bash
# `npm run dev`: MASV emulator + n8n editor on http://localhost:5678 with this package loaded and
# rebuilt on change (scripts/dev.ts). N8N_PORT, MASV_EMULATOR_PORT, N8N_VERSION change the defaults.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/e2e/versions.sh
if [ ! -d node_modules ]; then npm ci --no-audit --no-fund; fi
bash scripts/e2e/install-n8n.sh "${N8N_VERSION:-$N8N_DEFAULT_VERSION}" >/dev/null
rm -rf .tmp/e2e
npx tsc -p scripts/e2e/tsconfig.json
exec node .tmp/e2e/scripts/dev.js
