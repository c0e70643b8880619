#!/usr/bin/env bash
# End-to-end tests (`npm run e2e`, also the last step of `npm test`): the built package inside a
# real, pinned n8n, against the MASV emulator. Installs what it needs first (node_modules, the
# cached n8n and its Node 24, chromium with apt where it can).
#
#   N8N_VERSIONS="2.40.7 1.123.81"   versions to test (default: the pinned 2.x and the pinned
#                                    1.x; E2E_N8N_V1=0 tests the 2.x only)
#   E2E_SKIP_BUILD=1                 dist/ is already built (npm test builds before)
#   E2E_BROWSER=0                    skip the browser check
#   E2E_TRIGGERS=0                   skip the trigger tests (real n8n server, polling every
#                                    minute: about 4 minutes; run for the pinned 2.x only)
#   E2E_AGENTS=0                     skip the AI Agent and MCP tests (real n8n server, a scripted
#                                    model, an MCP client: 2 to 4 minutes; pinned 2.x only)
#   E2E_BADDAY=0                     skip the bad-day run (routed reads through faults and a
#                                    two-minute API outage in a running n8n: about 5 minutes;
#                                    run for the pinned 2.x only)
#   E2E_QUEUE=0                      skip the queue-mode run (scripts/e2e/queue.sh)
#   E2E_FROM_URL=0                   skip Upload From URL's 1 GiB run (test/e2e/fromUrl.test.ts; pinned
#                                    2.x only)
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/e2e/prepare.sh

started=$SECONDS
versions="${N8N_VERSIONS:-$N8N_DEFAULT_VERSION}"
if [ -z "${N8N_VERSIONS:-}" ] && [ "${E2E_N8N_V1:-1}" = 1 ]; then versions="$versions $N8N_V1_VERSION"; fi
masv_install $versions

if [ "${E2E_BROWSER:-1}" != 0 ]; then bash tools/n8n/install-chromium.sh || true; fi

if [ "${E2E_SKIP_BUILD:-0}" != 1 ]; then npm run build --silent; fi
masv_compile_e2e
echo "[e2e] prepared in $((SECONDS - started)) s"

status=0
for v in $versions; do
	echo "== e2e: n8n $v"
	t=$SECONDS
	N8N_VERSION="$v" node --test --test-reporter=spec --test-concurrency=1 .tmp/e2e/test/e2e/e2e.test.js || status=1
	echo "[e2e] n8n $v: $((SECONDS - t)) s"
	if [ "$v" = "$N8N_DEFAULT_VERSION" ] && [ "${E2E_FROM_URL:-1}" != 0 ]; then
		echo "== e2e: Upload From URL, 1 GiB, in n8n $v"
		t=$SECONDS
		N8N_VERSION="$v" node --test --test-reporter=spec --test-concurrency=1 .tmp/e2e/test/e2e/fromUrl.test.js || status=1
		echo "[e2e] from URL, n8n $v: $((SECONDS - t)) s"
	fi
	if [ "$v" = "$N8N_DEFAULT_VERSION" ] && [ "${E2E_TRIGGERS:-1}" != 0 ]; then
		echo "== e2e: MASV triggers in a running n8n $v"
		t=$SECONDS
		N8N_VERSION="$v" node --test --test-reporter=spec --test-concurrency=1 .tmp/e2e/test/e2e/triggers.test.js || status=1
		echo "[e2e] triggers, n8n $v: $((SECONDS - t)) s"
	fi
	if [ "$v" = "$N8N_DEFAULT_VERSION" ] && [ "${E2E_AGENTS:-1}" != 0 ]; then
		echo "== e2e: the MASV tool for AI agents and MCP clients in a running n8n $v"
		t=$SECONDS
		N8N_VERSION="$v" node --test --test-reporter=spec --test-concurrency=1 .tmp/e2e/test/e2e/agents.test.js || status=1
		echo "[e2e] agents and MCP, n8n $v: $((SECONDS - t)) s"
	fi
	if [ "$v" = "$N8N_DEFAULT_VERSION" ] && [ "${E2E_BADDAY:-1}" != 0 ]; then
		echo "== e2e: routed reads through a bad day in a running n8n $v"
		t=$SECONDS
		N8N_VERSION="$v" node --test --test-reporter=spec --test-concurrency=1 .tmp/e2e/test/e2e/badday.test.js || status=1
		echo "[e2e] bad day, n8n $v: $((SECONDS - t)) s"
	fi
done
# Queue mode (main + 2 workers, Postgres, Redis): for the pinned 2.x only (scripts/e2e/queue.sh).
if [[ " $versions " == *" $N8N_DEFAULT_VERSION "* ]]; then
	echo "== e2e: n8n $N8N_DEFAULT_VERSION in queue mode"
	MASV_QUEUE_FROM_RUN=1 bash scripts/e2e/queue.sh || status=1
fi
echo "[e2e] total $((SECONDS - started)) s"
exit $status
