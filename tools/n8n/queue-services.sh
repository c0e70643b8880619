# shellcheck shell=bash
# Postgres and Redis for the queue-mode e2e run (scripts/e2e/queue.sh), from Debian packages.
# Sourced; `masv_queue_services` finds them, installs what is missing with apt-get when it runs as
# root or with passwordless sudo (as-root.sh), and exports MASV_PG_BIN (the folder with initdb and
# postgres) and MASV_REDIS_SERVER. It returns 1 with one line saying what is missing and how to
# install it when it cannot.

# shellcheck source=as-root.sh
source "$(dirname "${BASH_SOURCE[0]}")/as-root.sh"

masv_pg_bin() {
	local dir
	for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
		if [ -x "$dir/initdb" ] && [ -x "$dir/postgres" ]; then
			echo "$dir"
			return 0
		fi
	done
	return 1
}

masv_queue_services() {
	local missing=()
	masv_pg_bin >/dev/null || missing+=(postgresql)
	command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
	if [ ${#missing[@]} -gt 0 ]; then
		if masv_can_root && command -v apt-get >/dev/null 2>&1; then
			echo "[queue] installing ${missing[*]} with apt-get"
			# Installing the packages must not start Debian's own services (they are not needed: the
			# run starts its own instances on free ports).
			local policy=/usr/sbin/policy-rc.d own_policy=0
			if [ ! -e "$policy" ]; then
				printf '#!/bin/sh\nexit 101\n' | masv_as_root tee "$policy" >/dev/null && masv_as_root chmod +x "$policy" && own_policy=1
			fi
			{ masv_as_root apt-get update -qq && masv_as_root apt-get install -y -qq --no-install-recommends "${missing[@]}"; } >&2 || true
			if [ "$own_policy" = 1 ]; then masv_as_root rm -f "$policy"; fi
		fi
	fi
	MASV_PG_BIN="$(masv_pg_bin || true)"
	MASV_REDIS_SERVER="$(command -v redis-server || true)"
	if [ -z "$MASV_PG_BIN" ] || [ -z "$MASV_REDIS_SERVER" ]; then
		echo "[queue] cannot run: Postgres (initdb, postgres) and redis-server are needed; install them with \`apt-get install postgresql redis-server\` (as root or with sudo)"
		return 1
	fi
	if [ "$(id -u)" = 0 ] && ! id postgres >/dev/null 2>&1; then
		echo "[queue] cannot run: Postgres refuses to run as root and there is no user \`postgres\` to run it as (it comes with \`apt-get install postgresql\`)"
		return 1
	fi
	export MASV_PG_BIN MASV_REDIS_SERVER
}
