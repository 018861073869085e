#!/usr/bin/env bash
# run-demo.sh -- build trunkgate and run the daemon in the foreground in demo
# mode: a state folder with a fresh SQLite database, two simulated E1 PRI
# spans ("carrier" and "pbx") with routing between them, the web admin and
# REST API on http://127.0.0.1:8080.  tgsim attaches to both spans as the
# carrier switch and as the PBX: the carrier calls PBX extensions
# (49301002xxx) and the PBX calls out (0...), a call every 20 s each way,
# so the status API and the CDRs show live traffic through the gateway.  It prints
# the URL and the generated admin credentials.  Ctrl-C stops it all.
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
mkdir -p "$state"
state=$(cd "$state" && pwd)

# The far ends: tgsim as the carrier (network side of our "carrier" span)
# and as the PBX (user side of our "pbx" span).  They attach as soon as the
# daemon has opened the spans, and answer what the gateway sends them.
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
}
trap cleanup EXIT
far_end() {     # far_end NAME SIDE CALLED CALLING
	printf '%s\n' \
		"span $1 $state/sim/$1.sock type=E1 switch=euroisdn side=$2" \
		"auto answer" \
		"expect link up $1 within 60" \
		"load $1 rate=0.05 hold=12 to=$3 from=$4" |
		./tgsim --stay >"$state/tgsim-$1.log" 2>&1 &
	pids+=($!)
}
far_end carrier network 4930100234 4930555123   # a PSTN caller rings PBX extension 234
far_end pbx user 030555123 2001                 # extension 2001 calls a Berlin number

./trunkgated --demo --state-dir "$state" --http "${TG_DEMO_HTTP:-127.0.0.1:8080}" \
	--web-root web/ui "$@"
