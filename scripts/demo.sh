#!/usr/bin/env bash
# `npm run demo`: installs what it needs (node_modules, the pinned n8n cached outside the repo),
# builds, and runs the round-trip example workflow with a generated 256 MiB file through a real
# headless n8n against the local MASV emulator (scripts/demo.ts). DEMO_SIZE_MIB changes the size.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/e2e/prepare.sh
masv_install "${N8N_VERSION:-$N8N_DEFAULT_VERSION}"
npm run build --silent >/dev/null
masv_compile_e2e
exec node .tmp/e2e/scripts/demo.js
