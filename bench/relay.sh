#!/usr/bin/env bash
# bench/relay.sh -- anchored SIP<->SIP RTP relay, trunkgate's media engine
# (bench/media_relay: the engine trunkgated runs, calls bridged with
# media_bridge_rtp) side by side with rtpengine (Debian's rtpengine-daemon,
# userspace forwarding: --table=-1, no kernel module), in the same run, the
# same streams from bench/relay_load (every call one 172-byte PCMU packet each
# way every 20 ms, phases spread over the period).  rtpengine's calls are set
# up over its ng control protocol by bench/rtpengine_ng.py.  A direct run (no
# relay) gives the loopback baseline the added latency is measured from.
# Runs alternate trunkgate / rtpengine REPEAT times per call count; the
# summary gives medians (and ranges) and the ratios.  With RT=1 (default)
# the generator and both relays run SCHED_FIFO 10 (chrt, inherited by the
# relays relay_load starts): on a machine shared with other work, normal
# scheduling measures the other work's preemption (seconds of latency at a
# load average of 10+), not the relays.  RT=0 runs them normally.
#   CALLS="250 500 1000"  DURATION=10  WARMUP=2  REPEAT=3  RTPENGINE_THREADS=1  RT=1
set -euo pipefail
cd "$(dirname "$0")/.."
B=${TG_BUILDDIR:-.}/bench
CALLS=${CALLS:-"250 500 1000"}
DURATION=${DURATION:-10}
WARMUP=${WARMUP:-2}
REPEAT=${REPEAT:-3}
rt=()
if [ "${RT:-1}" = 1 ]; then
	if chrt -f 10 true 2>/dev/null; then
		rt=(chrt -f 10)
	else
		echo "bench/relay.sh: SCHED_FIFO not permitted here (root or CAP_SYS_NICE), normal scheduling"
	fi
fi
work=$(mktemp -d)
rte=
trap '[ -n "$rte" ] && kill "$rte" 2>/dev/null; rm -rf "$work"' EXIT

if ! command -v rtpengine >/dev/null; then
	echo "bench/relay.sh: skipped, no rtpengine (apt-get install rtpengine-daemon)"
	exit 0
fi
ng=$(python3 -c 'import socket; s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
# one worker thread, like trunkgate's one media thread; RTPENGINE_THREADS=0: its default (one per core)
threads=${RTPENGINE_THREADS:-1}
${rt[@]+"${rt[@]}"} rtpengine --config-file=none --foreground --log-stderr --log-level=4 --table=-1 \
	--interface=127.0.0.1 --listen-ng="127.0.0.1:$ng" --port-min=33000 --port-max=59999 --delete-delay=0 \
	--timeout=600 $([ "$threads" != 0 ] && echo "--num-threads=$threads") >"$work/rtpengine.log" 2>&1 &
rte=$!
for _ in $(seq 100); do
	python3 - "$ng" <<'EOF' 2>/dev/null && break
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.settimeout(0.1)
s.sendto(b"1 d7:command4:pinge", ("127.0.0.1", int(sys.argv[1])))
sys.exit(0 if b"pong" in s.recv(100) else 1)
EOF
	sleep 0.1
done
echo "== anchored relay: trunkgate engine vs rtpengine $(rtpengine --version 2>&1 | awk '{print $2}') (userspace, $([ "$threads" != 0 ] && echo "$threads worker thread" || echo "default threads")), ${DURATION} s per run after ${WARMUP} s, $([ ${#rt[@]} -gt 0 ] && echo SCHED_FIFO || echo normal scheduling), load average $(cut -d' ' -f1-3 /proc/loadavg)"
for n in $CALLS; do
	load() { ${rt[@]+"${rt[@]}"} "$B/relay_load" --calls "$n" --seconds "$DURATION" --warmup "$WARMUP" "$@" | tee -a "$work/out"; }
	load --label direct --direct
	for _ in $(seq "$REPEAT"); do
		load --label trunkgate -- "$B/media_relay"
		load --label rtpengine --pid "$rte" -- python3 bench/rtpengine_ng.py "127.0.0.1:$ng"
	done
done
echo "== medians over $REPEAT runs [min-max]; added latency = relay p50 - direct p50 of the same call count"
python3 - "$work/out" <<'EOF'
import re, statistics, sys
rows = {}
for line in open(sys.argv[1]):
    m = re.match(r"(\S+)\s+(\d+) calls:\s+(\d+) pkt/s.*p50\s+([\d.]+) p99\s+([\d.]+).*cpu\s+([\d.]+)% of one core"
                 r".*\(([\d.]+) us per packet\)", line)
    if m:
        who, n = m.group(1), int(m.group(2))
        rows.setdefault((who, n), []).append([float(x) for x in m.group(3, 4, 5, 6, 7)])
def med(v, i):
    xs = [r[i] for r in v]
    return statistics.median(xs), min(xs), max(xs)
for n in sorted({k[1] for k in rows}):
    d = rows.get(("direct", n))
    base = med(d, 1)[0] if d else 0
    res = {}
    for who in ("trunkgate", "rtpengine"):
        v = rows.get((who, n))
        if not v:
            continue
        pps, p50, p99, cpu, usp = (med(v, i) for i in range(5))
        res[who] = (cpu[0], usp[0], p50[0] - base)
        print("%-10s %5d calls: %6.0f pkt/s, cpu %5.1f%% [%.1f-%.1f] = %.4f%% per call, %.2f us/packet, "
              "added latency p50 %6.1f us [%.1f-%.1f], p99 %7.1f us" %
              (who, n, pps[0], cpu[0], cpu[1], cpu[2], cpu[0] / n, usp[0], p50[0] - base,
               p50[1] - base, p50[2] - base, p99[0]))
    if len(res) == 2 and res["rtpengine"][0] > 0:
        print("%16d calls: trunkgate / rtpengine CPU per call = %.2f (target <= 1.5), "
              "trunkgate added latency p50 %.0f us (target < 1000)" %
              (n, res["trunkgate"][0] / res["rtpengine"][0], res["trunkgate"][2]))
EOF
