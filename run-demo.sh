#!/usr/bin/env bash
# run-demo.sh -- build trunkgate and run the daemon in the foreground in demo
# mode: a state folder with a fresh SQLite database, two simulated E1 PRI
# spans ("carrier" and "pbx") with routing between them, the web admin and
# REST API on http://127.0.0.1:8080.  tgsim attaches to both spans as the
# carrier switch and as the PBX, and SIPp stands in for Lync on the SIP
# trunk: the carrier calls PBX extensions (49301002xxx) and Enterprise Voice
# users (49301001xxx, over SIP), the PBX calls out (0...), a call every 20 s
# each way, so the status API and the CDRs show live traffic through the
# gateway (signalling only: no audio before the media engine).  It prints
# the URL and the generated admin credentials.  Ctrl-C stops it all.
#
#   TG_DEMO_STATE=DIR    state folder (default ./demo-state)
#   TG_DEMO_HTTP=A:P     listen address (default 127.0.0.1:8080)
#   TG_DEMO_SIP=A:P      SIP listen address (default 127.0.0.1:5060)
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
# far_end NAME SIDE TONE CALLING CALLED...: answers what it is sent, and
# places a call every 20 s to each CALLED in turn (held 12 s, playing a TONE
# Hz tone, so the calls carry audio the live call view can measure)
far_end() {
	local name=$1 side=$2 tone=$3 from=$4 i n
	shift 4
	{
		printf '%s\n' "span $name $state/sim/$name.sock type=E1 switch=euroisdn side=$side" \
			"auto answer" "expect link up $name within 60"
		for i in $(seq 1 1000); do
			for n in "$@"; do
				printf 'load %s rate=0.05 hold=12 count=1 to=%s from=%s tone=%s\n' "$name" "$n" \
					"$from" "$tone"
			done
		done
	} | ./tgsim --stay >"$state/tgsim-$name.log" 2>&1 &
	pids+=($!)
}
# a PSTN caller rings PBX extension 234, then Enterprise Voice user 150
far_end carrier network 440 4930555123 4930100234 4930100150
# extension 2001 calls a Berlin number
far_end pbx user 350 2001 030555123

# Lync's stand-in: SIPp answering every call on the SIP trunk "mediation"
# (the preset's next hop, TCP 127.0.0.1:5068) and echoing its RTP back.
if command -v sipp >/dev/null; then
	(cd "$state" && exec sipp -sn uas -t t1 -i 127.0.0.1 -p 5068 -rtp_echo -nostdin -trace_err \
		>"$state/sipp-lync.log" 2>&1) &
	pids+=($!)
fi

./trunkgated --demo --state-dir "$state" --http "${TG_DEMO_HTTP:-127.0.0.1:8080}" \
	--sip "${TG_DEMO_SIP:-127.0.0.1:5060}" --web-root web/ui "$@"
