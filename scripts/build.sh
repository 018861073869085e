#!/usr/bin/env bash
# build.sh -- bring the in-tree build up to date, doing only what is not done:
# autoreconf when there is no configure, configure when there is no Makefile
# (or the options changed), then make.  Used by run-demo.sh and run-tests.sh.
#   TG_CONFIGURE_FLAGS  extra ./configure options (CI adds --enable-werror)
set -euo pipefail
cd "$(dirname "$0")/.."
flags="${TG_CONFIGURE_FLAGS:-}"
if [ ! -x configure ]; then
	echo "build: autoreconf"
	autoreconf -fi >/dev/null 2>&1 || autoreconf -fi
fi
if [ ! -f Makefile ] || [ "$(cat .configure-flags 2>/dev/null)" != "$flags" ]; then
	echo "build: ./configure $flags"
	# shellcheck disable=SC2086
	./configure -q $flags
	printf '%s' "$flags" >.configure-flags
fi
echo "build: make"
make -s -j"$(nproc)" >/dev/null
