#!/usr/bin/env bash
# run-demo.sh -- build trunkgate and run the daemon in the foreground in demo
# mode: a state folder with a fresh SQLite database, simulated hardware, the
# web admin and REST API on http://127.0.0.1:8080.  It prints the URL and the
# generated admin credentials.  Ctrl-C stops it.
#
#   TG_DEMO_STATE=DIR    state folder (default ./demo-state)
#   TG_DEMO_HTTP=A:P     listen address (default 127.0.0.1:8080)
#   TG_DEMO_KEEP=1       keep the previous demo database instead of a fresh one
# Extra arguments go to trunkgated (e.g. --log-level debug).
set -euo pipefail
cd "$(dirname "$0")"
scripts/install-deps.sh --build
scripts/build.sh
state=${TG_DEMO_STATE:-./demo-state}
if [ "${TG_DEMO_KEEP:-0}" != 1 ] && [ -d "$state" ]; then
	echo "run-demo: starting from a fresh demo database in $state (TG_DEMO_KEEP=1 keeps the last one)"
	rm -rf "$state"
fi
exec ./trunkgated --demo --state-dir "$state" --http "${TG_DEMO_HTTP:-127.0.0.1:8080}" \
	--web-root web/ui "$@"
