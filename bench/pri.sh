#!/usr/bin/env bash
# bench/pri.sh -- PRI call setups per second through one span pair: tgsim (the
# carrier, network side) places calls at a given rate to the span's test
# number, trunkgated answers them (SETUP, CALL PROCEEDING, ALERTING, CONNECT),
# tgsim hangs up at once (DISCONNECT, RELEASE, RELEASE COMPLETE).  For each
# offered rate: calls completed per second, failures, and trunkgated's CPU.
# tgsim paces calls with a whole-millisecond timer, so an asked rate of 400/s
# runs at 1000/2 ms = 500/s: read the completed column.  Loopback and UNIX
# sockets only.
#   RATES="50 100 200 400"  COUNT=1000 (calls per rate)  RUNS=3 (median of)
set -euo pipefail
cd "$(dirname "$0")/.."
RATES=${RATES:-"50 100 200 400"}
COUNT=${COUNT:-1000}
RUNS=${RUNS:-3}
work=$(mktemp -d)
pid=
trap '[ -n "$pid" ] && kill -9 $pid 2>/dev/null; rm -rf "$work"' EXIT

./trunkgated --state-dir "$work/s" --http 127.0.0.1:0 --sip 127.0.0.1:0 --web-root web/ui --log-level warn 2>"$work/d.log" &
pid=$!
until [ -s "$work/s/http.url" ]; do sleep 0.01; done
url=$(cat "$work/s/http.url"); pw=$(cat "$work/s/initial-admin-password")
curl -s -o /dev/null -u "admin:$pw" -H 'Content-Type: application/json' \
	-d '{"name":"bench","type":"E1","test_number":"1000"}' "${url}api/v1/spans"
until [ -S "$work/s/sim/bench.sock" ]; do sleep 0.01; done

cpu_ticks() { awk '{print $14 + $15}' "/proc/$pid/stat"; }
hz=$(getconf CLK_TCK)
printf '%-10s %-28s %-10s %-12s\n' "asked" "completed/s median [min..max]" "failed" "daemon CPU"
for rate in $RATES; do
	done_rates=() fails=0 cpus=()
	for _ in $(seq 1 "$RUNS"); do
		c0=$(cpu_ticks)
		printf '%s\n' "span bench $work/s/sim/bench.sock type=E1 switch=euroisdn side=network" \
			"expect link up bench within 15" \
			"load bench rate=$rate hold=0 count=$COUNT to=1000" | ./tgsim >"$work/t.out" 2>/dev/null || true
		c1=$(cpu_ticks)
		t0=$(grep '"event":"load",' "$work/t.out" | sed -E 's/.*"t":([0-9.]+).*/\1/')
		line=$(grep '"event":"load-done"' "$work/t.out" || true)
		[ -n "$line" ] || { echo "rate $rate: the load did not finish"; continue; }
		t1=$(echo "$line" | sed -E 's/.*"t":([0-9.]+).*/\1/')
		ans=$(echo "$line" | sed -E 's/.*"answered":([0-9]+).*/\1/')
		fl=$(echo "$line" | sed -E 's/.*"failed":([0-9]+).*/\1/')
		fails=$((fails + fl))
		done_rates+=("$(awk -v a="$ans" -v t0="$t0" -v t1="$t1" 'BEGIN { printf "%.1f", a / (t1 - t0) }')")
		cpus+=("$(awk -v c="$((c1 - c0))" -v hz="$hz" -v t0="$t0" -v t1="$t1" 'BEGIN { printf "%.1f", 100 * c / hz / (t1 - t0) }')")
		sleep 0.3
	done
	med=$(printf '%s\n' "${done_rates[@]}" | sort -n | awk '{v[NR]=$1} END {printf "%s [%s..%s]", v[int((NR+1)/2)], v[1], v[NR]}')
	cpu=$(printf '%s\n' "${cpus[@]}" | sort -n | awk '{v[NR]=$1} END {printf "%s%%", v[int((NR+1)/2)]}')
	printf '%-10s %-28s %-10s %-12s\n' "$rate/s" "$med" "$fails" "$cpu"
done
kill -TERM $pid; wait $pid || true
pid=
