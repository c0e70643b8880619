#!/usr/bin/env bash
# Debian's chromium for the browser check (never a browser download). Installs it with apt when
# running as root, or as a user with passwordless sudo (a GitHub Actions runner), with apt
# available; otherwise says how and exits 1 (the check is then skipped).
set -euo pipefail
# The names test/e2e/browser.ts looks for (GitHub's Ubuntu runners come with both).
if command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1; then exit 0; fi
# shellcheck source=as-root.sh
source "$(dirname "$0")/as-root.sh"
if masv_can_root && command -v apt-get >/dev/null 2>&1; then
	echo "[e2e] installing chromium with apt-get" >&2
	if masv_as_root apt-get install -y -qq chromium >/dev/null 2>&1 || { masv_as_root apt-get update -qq >/dev/null 2>&1 && masv_as_root apt-get install -y -qq chromium >/dev/null 2>&1; }; then
		exit 0
	fi
fi
echo "[e2e] chromium is not installed (apt-get install -y chromium): the browser check is skipped (a failure under CI=true)" >&2
exit 1
