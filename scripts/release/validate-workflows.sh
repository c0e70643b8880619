#!/usr/bin/env bash
# Validates every GitHub Actions workflow in .github/workflows against GitHub's workflow schema,
# offline, with action-validator (npm: @action-validator/cli and its WebAssembly core). Part of
# `npm test`; `npm run lint:workflows` runs it alone.
set -euo pipefail
cd "$(dirname "$0")/../.."
shopt -s nullglob
files=(.github/workflows/*.yml .github/workflows/*.yaml)
if [ ${#files[@]} = 0 ]; then echo "[workflows] no workflow in .github/workflows" >&2; exit 1; fi
status=0
for file in "${files[@]}"; do
	if node_modules/.bin/action-validator "$file"; then echo "[workflows] $file: valid"; else echo "[workflows] $file: INVALID (above)" >&2; status=1; fi
done
exit $status
