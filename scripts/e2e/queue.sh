#!/usr/bin/env bash
# The queue-mode e2e run (test/e2e/queue.test.ts): n8n main + 2 workers on Postgres and Redis,
# against the MASV emulator. Called by scripts/e2e/run.sh for the pinned 2.x after the other e2e
# tests (dist/ built, .tmp/e2e compiled, n8n installed); runs alone as `bash scripts/e2e/queue.sh`.
#
#   E2E_QUEUE=0              skip it (one line says so; under CI=true that is a failure)
#   E2E_QUEUE_FILE_MIB=N     size of each of the 8 files (default 16; the figures of docs/queue-mode.md use 64)
#   E2E_QUEUE_CONCURRENCY=N  n8n worker --concurrency (default 5; the figures of docs/queue-mode.md use 10)
#
# Where Postgres or Redis cannot be had, it says so in one line: a skip, or under CI=true a failure.
set -euo pipefail
cd "$(dirname "$0")/../.."
source tools/n8n/versions.sh
source tools/n8n/queue-services.sh

cannot_run() {
	if [ "${CI:-}" = true ]; then
		echo "[queue] FAILED: the queue-mode e2e test could not run ($1) and CI=true"
		exit 1
	fi
	echo "[queue] SKIPPED: the queue-mode e2e test did not run ($1)"
	exit 0
}

if [ "${E2E_QUEUE:-1}" = 0 ]; then cannot_run "E2E_QUEUE=0"; fi
masv_queue_services || cannot_run "no Postgres or Redis"

# Run alone: build, install and compile first (run.sh has done that already).
if [ "${MASV_QUEUE_FROM_RUN:-0}" != 1 ]; then
	source scripts/e2e/prepare.sh
	masv_install "$N8N_DEFAULT_VERSION"
	if [ "${E2E_SKIP_BUILD:-0}" != 1 ]; then npm run build --silent; fi
	masv_compile_e2e
fi

t=$SECONDS
status=0
N8N_VERSION="$N8N_DEFAULT_VERSION" node --test --test-reporter=spec --test-concurrency=1 .tmp/e2e/test/e2e/queue.test.js || status=1
echo "[queue] n8n $N8N_DEFAULT_VERSION queue mode: $((SECONDS - t)) s"
exit $status
