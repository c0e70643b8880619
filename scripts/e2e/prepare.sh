# shellcheck shell=bash
# What scripts/e2e/run.sh, scripts/demo.sh and scripts/dev.sh do before they run, sourced from the
# repository root: the pinned versions, then masv_install and masv_compile_e2e.
source scripts/e2e/versions.sh

# node_modules (npm ci when missing) and the given n8n versions (install-n8n.sh, cached).
masv_install() {
	if [ ! -d node_modules ]; then npm ci --no-audit --no-fund; fi
	local v
	for v in "$@"; do
		bash scripts/e2e/install-n8n.sh "$v" >/dev/null
	done
}

# Compiles scripts/ and test/e2e (with the emulator) afresh into .tmp/e2e.
masv_compile_e2e() {
	rm -rf .tmp/e2e
	npx tsc -p scripts/e2e/tsconfig.json
}
