#!/usr/bin/env bash
# bench/srtp_ir.sh -- bench/srtp's cases as instructions per packet under
# callgrind: a count the machine's load does not change (the CPU-time
# figures of bench/srtp do).  Counted: only the timed loops (bench/srtp.c
# toggles collection around them), divided by the operations in them.
# Caveat: valgrind hides SHA-NI from nettle, so SHA-1 runs its plain x86-64
# code here (about 1,300 instructions a 64-byte block) where a real run on
# this CPU uses SHA-NI; AES-NI is used in both.
#   ./bench/srtp_ir.sh [CASE-PREFIX]     needs valgrind
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${TG_BUILDDIR:-.}/bench/srtp
command -v valgrind >/dev/null || { echo "bench/srtp_ir.sh: skipped, no valgrind"; exit 0; }
out=$(mktemp -d /tmp/tg-srtp-ir-XXXXXX)
trap 'rm -f "$out"/cg.out*; rmdir "$out"' EXIT
ops=$((7 * 2 * 1000))   # RUNS x rounds x BATCH with TG_BENCH_IR
echo "== SRTP per packet in instructions (callgrind; SHA-1 without SHA-NI, see above)"
for side in 1 2; do
	TG_BENCH_IR=$side valgrind --tool=callgrind --collect-atstart=no \
		--callgrind-out-file="$out/cg.out" "$bin" "$@" >/dev/null 2>"$out/log" ||
		{ cat "$out/log"; exit 1; }
	for f in $(ls "$out"/cg.out.* | sort -t. -k3 -n); do
		desc=$(sed -n 's/^desc: Trigger: Client Request: //p' "$f")
		tot=$(sed -n 's/^totals: //p' "$f")
		[ -n "$desc" ] && [ -n "$tot" ] || continue
		printf '%-48s %8.0f Ir/op\n' "$desc" "$(echo "$tot / $ops" | bc -l)"
	done
	rm -f "$out"/cg.out* "$out/log"
done
