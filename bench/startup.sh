#!/usr/bin/env bash
# bench/startup.sh -- how long trunkgated takes from exec to serving HTTP,
# its idle RSS and thread count, and the cost of an authenticated status
# request (Bearer session vs. HTTP Basic, which verifies yescrypt each time).
# Reports medians with min/max over RUNS runs.  Loopback only.
#   RUNS=N (default 15)   REQS=N requests per timing (default 200)
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-15}
REQS=${REQS:-200}
bin=./trunkgated
work=$(mktemp -d)
pid=
trap '[ -n "$pid" ] && kill -9 $pid 2>/dev/null; rm -rf "$work"' EXIT

stats() {       # stats LABEL UNIT values... -> median [min..max]
	local label=$1 unit=$2; shift 2
	printf '%s\n' "$@" | sort -n | awk -v l="$label" -v u="$unit" '
		{ v[NR] = $1 } END { m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2;
		printf "%-44s median %8.2f %s   [min %.2f .. max %.2f]  n=%d\n", l, m, u, v[1], v[NR], NR }'
}

ready=() rss=() thr=() cold=()
for i in $(seq 1 "$RUNS"); do
	s=$work/s$i
	t0=$(date +%s%N)
	$bin --state-dir "$s" --http 127.0.0.1:0 --sip 127.0.0.1:0 --web-root web/ui --log-level warn 2>"$s.log" &
	pid=$!
	until [ -s "$s/http.url" ]; do sleep 0.002; done
	t1=$(date +%s%N)
	# first start creates the database and hashes the admin password (yescrypt)
	cold+=("$(( (t1 - t0) / 1000 ))")
	kill -TERM $pid; wait $pid || true
	rm -f "$s/http.url"
	t0=$(date +%s%N)
	$bin --state-dir "$s" --http 127.0.0.1:0 --sip 127.0.0.1:0 --web-root web/ui --log-level warn 2>>"$s.log" &
	pid=$!
	until [ -s "$s/http.url" ]; do sleep 0.002; done
	t1=$(date +%s%N)
	ready+=("$(( (t1 - t0) / 1000 ))")
	sleep 1
	rss+=("$(awk '/^VmRSS/ {print $2}' /proc/$pid/status)")
	thr+=("$(awk '/^Threads/ {print $2}' /proc/$pid/status)")
	kill -TERM $pid; wait $pid || true
	pid=
done
echo "trunkgated $($bin --version | awk '{print $2}'), $(nproc) cores, $RUNS runs"
stats "first start to HTTP ready (new database)" ms $(printf '%s\n' "${cold[@]}" | awk '{print $1/1000}')
stats "restart to HTTP ready (existing database)" ms $(printf '%s\n' "${ready[@]}" | awk '{print $1/1000}')
stats "idle RSS" MiB $(printf '%s\n' "${rss[@]}" | awk '{print $1/1024}')
stats "threads" "" "${thr[@]}"

# Request cost: one daemon, REQS sequential requests per sample, 5 samples.
s=$work/req
$bin --state-dir "$s" --http 127.0.0.1:0 --sip 127.0.0.1:0 --web-root web/ui --log-level warn 2>"$s.log" &
pid=$!
until [ -s "$s/http.url" ]; do sleep 0.002; done
url=$(cat "$s/http.url"); pw=$(cat "$s/initial-admin-password")
tok=$(curl -s -d "{\"username\":\"admin\",\"password\":\"$pw\"}" "${url}api/v1/login" | sed -E 's/.*"token":"([0-9a-f]+)".*/\1/')
# curl's own per-request time, so process start-up is not counted
time_reqs() {
	local n=$1; shift
	for _ in $(seq 1 "$n"); do curl -s -o /dev/null -w '%{time_total}\n' "$@"; done
}
bearer=() basic=() health=()
for _ in 1 2 3 4 5; do
	health+=("$(time_reqs "$REQS" "${url}api/v1/health" | sort -n | awk '{v[NR]=$1} END {print v[int((NR+1)/2)] * 1000}')")
	bearer+=("$(time_reqs "$REQS" -H "Authorization: Bearer $tok" "${url}api/v1/status" | sort -n | awk '{v[NR]=$1} END {print v[int((NR+1)/2)] * 1000}')")
	basic+=("$(time_reqs 20 -u "admin:$pw" "${url}api/v1/status" | sort -n | awk '{v[NR]=$1} END {print v[int((NR+1)/2)] * 1000}')")
done
stats "GET /api/v1/health (per request)" ms "${health[@]}"
stats "GET /api/v1/status, Bearer session" ms "${bearer[@]}"
stats "GET /api/v1/status, HTTP Basic (yescrypt)" ms "${basic[@]}"
awk -v b="$(printf '%s\n' "${basic[@]}" | sort -n | sed -n 3p)" -v t="$(printf '%s\n' "${bearer[@]}" | sort -n | sed -n 3p)" \
	'BEGIN { printf "ratio Basic/Bearer (medians)                  %.1fx\n", b / t }'
kill -TERM $pid; wait $pid || true
pid=
