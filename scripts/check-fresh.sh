#!/usr/bin/env bash
# `npm run check:fresh`: the newcomer's path from nothing. Clones the committed HEAD into a new
# temporary folder and runs the README's two commands there, `npm run demo` then `npm test`, with
# an empty n8n cache (MASV_E2E_CACHE in the same temporary folder) and none of the caller's npm
# settings, timing each step. Not part of `npm test`: it installs two n8n versions from the
# registry (see the README's quick start for the time it takes).
#
#   CHECK_FRESH_KEEP=1   keep the temporary folder (clone, cache, logs) afterwards
#   CHECK_FRESH_CI=1     run `npm test` with CI=true, as CI does (the default)
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
source "$repo/tools/n8n/npm-steps.sh"
masv_npm_clean_env

work="$(mktemp -d "${TMPDIR:-/tmp}/masv-fresh-XXXXXX")"
cleanup() { if [ "${CHECK_FRESH_KEEP:-0}" != 1 ]; then rm -rf "$work"; else echo "[fresh] kept $work"; fi; }
trap cleanup EXIT
export MASV_E2E_CACHE="$work/cache"

if [ -n "$(git -C "$repo" status --porcelain)" ]; then
	echo "[fresh] note: uncommitted changes are not part of the check (it clones HEAD $(git -C "$repo" rev-parse --short HEAD))"
fi

declare -a report=()
step() {
	local name=$1
	shift
	local t=$SECONDS status=0
	echo "[fresh] == $name"
	"$@" >"$work/$name.log" 2>&1 || status=$?
	report+=("$(printf '%-28s %5d s   exit %d' "$name" $((SECONDS - t)) "$status")")
	if [ "$status" != 0 ]; then
		echo "[fresh] $name failed (exit $status); the last lines of $work/$name.log:"
		tail -n 40 "$work/$name.log"
		CHECK_FRESH_KEEP=1
		printf '%s\n' "${report[@]}"
		exit "$status"
	fi
}

started=$SECONDS
step clone git clone --quiet "$repo" "$work/clone"
cd "$work/clone"
step "npm run demo" npm run demo
test_env=()
if [ "${CHECK_FRESH_CI:-1}" = 1 ]; then test_env=(env CI=true); fi
step "npm test" "${test_env[@]}" npm test

echo "[fresh] the README's two commands passed from an empty cache ($MASV_E2E_CACHE):"
printf '  %s\n' "${report[@]}"
echo "  total                        $((SECONDS - started)) s"
echo "[fresh] on $(nproc) cores, $(free -g | awk '/^Mem:/ {print $2}') GiB, $(node --version)"
