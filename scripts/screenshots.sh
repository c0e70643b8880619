#!/usr/bin/env bash
# `npm run screenshots`: installs what it needs (node_modules, the pinned n8n, chromium with apt),
# builds, and takes the README's pictures into docs/images/ (scripts/screenshots.ts).
# SCREENSHOTS_DIR writes them elsewhere; N8N_VERSION picks another installed n8n.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/e2e/prepare.sh
masv_install "${N8N_VERSION:-$N8N_DEFAULT_VERSION}"
bash tools/n8n/install-chromium.sh
npm run build --silent >/dev/null
masv_compile_e2e
exec node .tmp/e2e/scripts/screenshots.js
