#!/usr/bin/env bash
# Entry point: installs a pinned n8n into the shared cache (tools/n8n/install-n8n.sh says how).
#   bash scripts/e2e/install-n8n.sh [n8n-version]
exec bash "$(dirname "$0")/../../tools/n8n/install-n8n.sh" "$@"
