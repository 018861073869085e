#!/usr/bin/env bash
# bench/hw_sim.sh -- the sim driver moving 1,020 B-channels (34 E1 spans) of
# audio with no DSP: CPU, period pacing jitter, received sample rate vs
# 8000/s, rx_missing and slips.  First with the two ends in two processes
# (trunkgated and tgsim), then in one.  Targets (the issue): under 10% of a
# core, p99 jitter under 2 ms, 8000 samples/s within 0.1% over >= 10 s.
#   DURATION=S (default 20)   SPANS=N (default 34)
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${TG_BUILDDIR:-.}/bench/hw_sim
DURATION=${DURATION:-20}
SPANS=${SPANS:-34}
rc=0
"$bin" --spans "$SPANS" --seconds "$DURATION" --procs 2 || rc=$?
echo
"$bin" --spans "$SPANS" --seconds "$DURATION" --procs 1 || rc=$?
exit $rc
