#!/usr/bin/env bash
# `npm run bench`, `npm run bench:gc` and `npm run bench:n8n`: compiles the bench and runs it on the Node.js that n8n 2.x
# runs on (n8n 2.36+ needs Node 24; the same cached Node.js as the end-to-end runs, installed by
# tools/n8n/install-n8n.sh --node-only where missing). BENCH_NODE=current runs it on the Node.js
# that runs npm instead (n8n 1.x still runs on Node.js 20), BENCH_NODE=/path/to/node on another.
#
#   bash scripts/bench/run.sh main|gcRegime|streamWrapper|realN8n [args...]
set -euo pipefail
cd "$(dirname "$0")/../.."
entry="${1:?main, gcRegime, streamWrapper or realN8n}"
shift
case "${BENCH_NODE:-24}" in
24) node_bin="$(bash tools/n8n/install-n8n.sh --node-only)/node" ;;
current) node_bin="$(command -v node)" ;;
*) node_bin="$BENCH_NODE" ;;
esac
npx tsc -p tools/emulator/tsconfig.json
npx tsc -p scripts/bench/tsconfig.json
exec "$node_bin" ".tmp/bench/scripts/bench/$entry.js" "$@"
