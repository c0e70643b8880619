#!/usr/bin/env bash
# `npm run soak` (not part of npm test): mixed workflows in a running n8n against the MASV
# emulator with random, seeded faults of every kind (scripts/soak.ts). SOAK_MINUTES (default 30),
# SOAK_SEED, SOAK_LANES (default 3), N8N_VERSION (default: the pinned 2.x).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/e2e/prepare.sh
masv_install "${N8N_VERSION:-$N8N_DEFAULT_VERSION}"
npm run build --silent >/dev/null
masv_compile_e2e
exec node .tmp/e2e/scripts/soak.js
