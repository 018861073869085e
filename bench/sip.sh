#!/usr/bin/env bash
# bench/sip.sh -- SIP call setups per second through trunkgated, signalling
# only (no RTP flows before the media release).  MODE=sip: SIPp UAC ->
# trunkgated -> SIPp UAS (a full B2BUA call: INVITE/100/180/200/ACK and BYE
# on both legs).  MODE=pri: SIPp UAC -> trunkgated -> a PRI span where tgsim
# answers.  For each offered rate, SIPp places RATE x SECONDS calls (no hold
# time); reported: successful calls/s, failed calls, and trunkgated's CPU
# (utime + stime over the run, % of one core).  Loopback only, free ports.
#   MODE=sip|pri  RATES="50 100 200 400"  SECONDS_PER_RATE=10  TRUNKGATED=path  PERF=1 (perf record
#   the last rate into $work/perf.data and print the top symbols); TG_SIP_TUNE=0 in the
#   environment runs the daemon without daemon/sip/trunk_tune.c's settings, for comparison
set -euo pipefail
cd "$(dirname "$0")/.."
MODE=${MODE:-sip}
RATES=${RATES:-"50 100 200 400"}
SECS=${SECONDS_PER_RATE:-10}
work=$(mktemp -d)
pids=()
trap 'for p in "${pids[@]:-}"; do [ -n "$p" ] && kill -9 "$p" 2>/dev/null; done; [ -n "${KEEP:-}" ] && echo "kept $work" || rm -rf "$work"' EXIT

free_port() {
	python3 -c 'import socket; s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

"${TRUNKGATED:-./trunkgated}" --state-dir "$work/s" --http 127.0.0.1:0 --sip 127.0.0.1:0 --web-root web/ui \
	--log-level warn 2>"$work/d.log" &
pid=$!; pids+=("$pid")
until [ -s "$work/s/http.url" ] && [ -s "$work/s/sip.url" ]; do sleep 0.01; done
url=$(cat "$work/s/http.url"); pw=$(cat "$work/s/initial-admin-password")
target=$(sed 's/^sip://' "$work/s/sip.url")
api() { curl -s -o /dev/null -w '%{http_code} ' -u "admin:$pw" -H 'Content-Type: application/json' -X "$1" -d "$3" "${url}api/v1/$2"; }

uas_port=$(free_port)
api POST sip-trunks '{"name":"caller","allowed_sources":"127.0.0.1"}'
api POST trunk-groups '{"name":"caller-g","kind":"sip","members":[{"sip_trunk":"caller"}]}'
if [ "$MODE" = sip ]; then
	api POST sip-trunks "{\"name\":\"callee\",\"options_interval\":0,\"next_hops\":[{\"host\":\"127.0.0.1\",\"port\":$uas_port}]}"
	api POST trunk-groups '{"name":"callee-g","kind":"sip","members":[{"sip_trunk":"callee"}]}'
	sipp -sn uas -i 127.0.0.1 -p "$uas_port" -mp "$(free_port)" -nostdin \
		-trace_err -error_file "$work/uas.err" >/dev/null 2>&1 &
	pids+=("$!")
else
	api POST spans '{"name":"pbx","type":"E1","pri_side":"network"}'
	api POST trunk-groups '{"name":"callee-g","kind":"span","members":[{"span":"pbx"}]}'
	until [ -S "$work/s/sim/pbx.sock" ]; do sleep 0.01; done
	printf '%s\n' "span pbx $work/s/sim/pbx.sock type=E1 switch=euroisdn side=user" \
		"auto answer pbx" "expect link up pbx within 15" | ./tgsim --stay >"$work/tgsim.out" 2>&1 &
	pids+=("$!")
	until grep -q '"event":"expect-ok"' "$work/tgsim.out" 2>/dev/null; do sleep 0.05; done
fi
api POST routes '{"name":"bench","source_group":"caller-g","called_prefix":"1","destinations":[{"group":"callee-g"}]}'
echo
sleep 0.5

cpu_ticks() { awk '{print $14 + $15}' "/proc/$pid/stat"; }
hz=$(getconf CLK_TCK)
echo "MODE=$MODE: SIPp UAC -> trunkgated -> $([ "$MODE" = sip ] && echo 'SIPp UAS' || echo 'PRI span (tgsim answers)'), ${SECS} s per rate"
printf '%-8s %-14s %-8s %-10s %-12s\n' "asked" "successful/s" "failed" "daemon CPU" "CPU ms/call"
last=
for rate in $RATES; do
	n=$((rate * SECS))
	last=$rate
	stat=$work/uac_$rate.csv
	c0=$(cpu_ticks); t0=$(date +%s%N)
	if [ -n "${PERF:-}" ] && [ "$rate" = "${RATES##* }" ] && command -v perf >/dev/null; then
		perf record -g -o "$work/perf.data" -p "$pid" 2>/dev/null >/dev/null &
		perfpid=$!
	fi
	(cd "$work" && timeout $((SECS * 3 + 30)) sipp "$target" -sn uac -s 1000 -i 127.0.0.1 -p "$(free_port)" -mp "$(free_port)" \
		-r "$rate" -m "$n" -l $((rate * 4)) -nostdin -timeout $((SECS * 3 + 30))s \
		-trace_stat -stf "$stat" -fd 1 -trace_err -error_file "$work/uac_$rate.err" >/dev/null 2>&1) || true
	t1=$(date +%s%N); c1=$(cpu_ticks)
	[ -n "${perfpid:-}" ] && { kill -INT "$perfpid"; wait "$perfpid" 2>/dev/null || true; perfpid=; }
	# SIPp's statistics file: ';'-separated, a header line naming the columns
	ok=$(awk -F';' 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "SuccessfulCall(C)") s = i; next } { v = $s } END { print v + 0 }' "$stat")
	fl=$(awk -F';' 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "FailedCall(C)") f = i; next } { v = $f } END { print v + 0 }' "$stat")
	secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", (b - a) / 1e9 }')
	printf '%-8s %-14s %-8s %-10s %-12s\n' "$rate/s" \
		"$(awk -v o="$ok" -v s="$secs" 'BEGIN { printf "%.1f", o / s }')" "$fl" \
		"$(awk -v c="$((c1 - c0))" -v hz="$hz" -v s="$secs" 'BEGIN { printf "%.1f%%", 100 * c / hz / s }')" \
		"$(awk -v c="$((c1 - c0))" -v hz="$hz" -v o="$ok" 'BEGIN { printf "%.3f", o ? 1000 * c / hz / o : 0 }')"
	sleep 1
done
rss=$(awk '/VmHWM/ {print $2}' "/proc/$pid/status")
echo "trunkgated peak RSS: ${rss} kB"
if [ -f "$work/perf.data" ]; then
	echo "where the time goes at $last/s (perf, self time, top 25):"
	perf report -i "$work/perf.data" --no-children --sort dso,symbol --stdio -g none 2>/dev/null |
		grep -E '^ +[0-9]' | head -25
fi
kill -TERM "$pid"; wait "$pid" || true
for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
