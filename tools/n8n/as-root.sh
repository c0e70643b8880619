# shellcheck shell=bash
# Runs a command as root: directly when this already runs as root (a developer's container, the
# project's CI), through passwordless sudo otherwise (GitHub Actions' Ubuntu runners). Sourced by
# install-chromium.sh and queue-services.sh, which install Debian packages with apt-get.

# True when masv_as_root can run a command: root, or `sudo -n` works without a password.
masv_can_root() {
	[ "$(id -u)" = 0 ] || { command -v sudo >/dev/null 2>&1 && sudo -n true >/dev/null 2>&1; }
}

# masv_as_root COMMAND ARGS...: apt-get and friends never prompt (DEBIAN_FRONTEND passes through
# sudo as an argument, since sudo resets the environment).
masv_as_root() {
	if [ "$(id -u)" = 0 ]; then
		DEBIAN_FRONTEND=noninteractive "$@"
	else
		sudo -n env DEBIAN_FRONTEND=noninteractive "$@"
	fi
}
