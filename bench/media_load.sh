#!/usr/bin/env bash
# bench/media_load.sh -- concurrent G.711 20 ms calls RTP<->TDM at full scale
# (bench/media_load.c: the media engine's thread and hw/sim's I/O thread in
# this process, a forked far end playing the spans and sending/receiving RTP
# over real UDP sockets).  A ladder of call counts plain, with SRTP and with
# the echo canceller, SCHED_FIFO (what the engine can do), then the plain and
# SRTP cases at 1,000 calls four ways: both processes SCHED_FIFO (--rt); as
# trunkgated runs by default (--rt-priority 10: only the gateway's media and
# span I/O threads SCHED_FIFO, by the daemon's own code, daemon/rt.c) with
# the peer SCHED_FIFO too (--peer-rt: a far end on another machine would not
# compete for these cores) and with the peer normal; and normal scheduling
# (rt_priority = 0: other processes on the machine can make frames late).  Each line says
# whether any frame was late; REPEAT runs of the 1,000-call cases give the
# spread of CPU per call.
#   CALLS="500,1000,1500,2000,2500"  DURATION=10  WARMUP=3  REPEAT=3
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${TG_BUILDDIR:-.}/bench/media_load
CALLS=${CALLS:-500,1000,1500,2000,2500}
DURATION=${DURATION:-10}
WARMUP=${WARMUP:-3}
REPEAT=${REPEAT:-3}
run() { "$bin" --seconds "$DURATION" --warmup "$WARMUP" "$@"; }

run --rt --calls "$CALLS"
run --rt --srtp --calls "$CALLS"
run --rt --ec --calls 500,1000
echo "== 1,000 calls, $REPEAT runs each (SCHED_FIFO, rt_priority 10 with the peer real-time and not, normal scheduling)"
for mode in "" --srtp; do
	for sched in --rt "--rt-priority 10 --peer-rt" "--rt-priority 10" ""; do
		for _ in $(seq "$REPEAT"); do
			# shellcheck disable=SC2086
			run $mode $sched --calls 1000 | grep -E '^ +[0-9]+ calls'
		done
		echo "   (${mode:-plain} ${sched:-normal scheduling})"
	done
done
