#!/usr/bin/env bash
# bench/srtp_ir.sh -- bench/srtp's cases under callgrind, per packet: the
# instructions (Ir) and the data cache lines missed in a 32 KB L1 (D1
# misses, reads + writes).  Neither depends on the machine's load, which
# moves bench/srtp's CPU times.  With 1,000 contexts every packet finds its
# context evicted by the other 999, as at 1,000 calls, so D1 misses there
# count the cache lines one packet's SRTP state spans; with 1 context they
# are near 0.  Counted: only the timed loops (bench/srtp.c toggles
# collection around them), divided by the operations in them.
# Caveat: valgrind hides SHA-NI from nettle, so SHA-1 runs its plain x86-64
# code here (about 1,340 instructions a 64-byte block, 4 blocks a packet)
# where a real run on a CPU with SHA-NI uses that; AES-NI is used in both.
#   ./bench/srtp_ir.sh [CASE-PREFIX]     needs valgrind
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${TG_BUILDDIR:-.}/bench/srtp
command -v valgrind >/dev/null || { echo "bench/srtp_ir.sh: skipped, no valgrind"; exit 0; }
out=$(mktemp -d /tmp/tg-srtp-ir-XXXXXX)
trap 'rm -f "$out"/cg.out* "$out/log"; rmdir "$out"' EXIT
ops=$((7 * 2 * 1000))   # RUNS x rounds x BATCH with TG_BENCH_IR
echo "== SRTP per packet under callgrind (SHA-1 without SHA-NI, see above): Ir, D1 misses"
for side in 1 2; do
	TG_BENCH_IR=$side valgrind --tool=callgrind --collect-atstart=no --cache-sim=yes \
		--callgrind-out-file="$out/cg.out" "$bin" "$@" >/dev/null 2>"$out/log" ||
		{ cat "$out/log"; exit 1; }
	for f in $(ls "$out"/cg.out.* | sort -t. -k3 -n); do
		desc=$(sed -n 's/^desc: Trigger: Client Request: //p' "$f")
		[ -n "$desc" ] || continue
		# events: Ir Dr Dw I1mr D1mr D1mw ILmr DLmr DLmw
		awk -v d="$desc" -v ops="$ops" '/^events:/ { for (i = 2; i <= NF; i++) col[$i] = i - 1 }
			/^totals:/ { printf "%-48s %7.0f Ir/op %6.1f D1 misses/op\n", d,
				$(col["Ir"] + 1) / ops, ($(col["D1mr"] + 1) + $(col["D1mw"] + 1)) / ops }' "$f"
	done
	rm -f "$out"/cg.out* "$out/log"
done
