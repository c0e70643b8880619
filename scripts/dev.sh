#!/usr/bin/env bash
# `npm run dev`: MASV emulator + n8n editor on http://localhost:5678 with this package loaded and
# rebuilt on change (scripts/dev.ts). N8N_PORT, MASV_EMULATOR_PORT, N8N_VERSION change the defaults.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/e2e/prepare.sh
masv_install "${N8N_VERSION:-$N8N_DEFAULT_VERSION}"
masv_compile_e2e
exec node .tmp/e2e/scripts/dev.js
