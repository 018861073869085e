#!/bin/sh
# tests/browser/run.sh -- run the web admin's browser test (test_ui.mjs) in
# headless Debian chromium.  Installs chromium from apt if it is missing and
# playwright-core from package-lock.json if node_modules is missing; then runs
# the test, which prints TAP and exits non-zero on failure.
# Env: TG_BUILDDIR (where trunkgated was built), TG_SRCDIR (the source tree);
# both default to the repository root.
set -eu

here=$(cd "$(dirname "$0")" && pwd)

if [ ! -x /usr/bin/chromium ]; then
	echo "# installing chromium from apt" >&2
	sudo=
	[ "$(id -u)" -eq 0 ] || sudo=sudo
	$sudo apt-get -o DPkg::Lock::Timeout=900 install -y --no-install-recommends chromium >&2
fi

if [ ! -d "$here/node_modules" ]; then
	echo "# installing playwright-core (npm ci)" >&2
	(cd "$here" && npm ci --no-audit --no-fund >&2)
fi

exec node "$here/test_ui.mjs"
