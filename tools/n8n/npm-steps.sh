# shellcheck shell=bash
# The npm steps of install-n8n.sh, in functions of their own so that a test can run them
# (test/tools/installer.test.ts).
#
# They do the same whoever calls them. `npm run …` and `npm test` hand the project's .npmrc to
# every child process as npm_config_* variables, ignore-scripts=true among them, and a nested
# `npm rebuild` would then build nothing while printing "rebuilt dependencies successfully". So
# each step runs in a subshell that clears every npm_config_* variable first and passes the
# settings it depends on explicitly.

# Unsets every npm_config_* variable (npm reads them in any letter case).
masv_npm_clean_env() {
	local name
	while IFS= read -r name; do
		unset "$name"
	done < <(env | sed -n 's/^\([Nn][Pp][Mm]_[Cc][Oo][Nn][Ff][Ii][Gg]_[^=]*\)=.*/\1/p')
}

# Installs the dependencies in DIR's package.json without running any install script (n8n's
# Kafka client would download a prebuilt library in its script).
masv_npm_install_without_scripts() {
	(
		masv_npm_clean_env
		cd "$1" && npm install --no-audit --no-fund --ignore-scripts=true --loglevel=error
	)
}

# Runs the install scripts of the named packages in DIR, building native addons from source
# (against npm_config_nodedir when NODEDIR is given as the second argument, else the running Node).
#   masv_npm_build DIR NODEDIR|'' PACKAGE...
masv_npm_build() {
	local dir=$1 nodedir=$2
	shift 2
	(
		masv_npm_clean_env
		if [ -n "$nodedir" ]; then export npm_config_nodedir="$nodedir"; fi
		export npm_config_build_from_source=true
		cd "$dir" && npm rebuild "$@" --ignore-scripts=false --foreground-scripts --loglevel=error
	)
}
