# shellcheck shell=bash
# What scripts/e2e/run.sh, scripts/demo.sh and scripts/dev.sh do before they run, sourced from the
# repository root: the pinned versions, then masv_install and masv_compile_e2e.
source tools/n8n/versions.sh

# node_modules (npm ci when missing) and the given n8n versions (install-n8n.sh, cached).
masv_install() {
	if [ ! -d node_modules ]; then npm ci --no-audit --no-fund; fi
	local v
	for v in "$@"; do
		bash tools/n8n/install-n8n.sh "$v" >/dev/null
	done
}

# Compiles the entry points of scripts/, test/e2e and the tools they use afresh into .tmp/e2e.
masv_compile_e2e() {
	rm -rf .tmp/e2e
	npx tsc -p scripts/e2e/tsconfig.json
}
