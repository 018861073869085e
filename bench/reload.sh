#!/usr/bin/env bash
# bench/reload.sh -- a live config reload of a big routing configuration
# (100,000 number ranges, 10,000 manipulation rules of which 1,000 regex)
# while the main thread keeps working.  The rows go into the database in one
# transaction, one API change then makes the daemon build that generation.
# Reported: the build time (the loader thread's, from the daemon's log), the
# swap on the main thread, and the latency of main-thread round trips (a
# test call request on a span whose D channel is down: HTTP thread -> main
# thread -> answer) while the build runs, next to the same probe idle.  If
# the build ran on the main thread, the worst probe during it would be about
# the build time.
#   RUNS=3 (reloads, median of)   PROBES=200 (idle probes)
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-3}
PROBES=${PROBES:-200}
work=$(mktemp -d)
pid=
trap '[ -n "$pid" ] && kill -9 $pid 2>/dev/null; rm -rf "$work"' EXIT

./trunkgated --state-dir "$work/s" --http 127.0.0.1:0 --web-root web/ui 2>"$work/d.log" &
pid=$!
until [ -s "$work/s/http.url" ]; do sleep 0.01; done
url=$(cat "$work/s/http.url"); pw=$(cat "$work/s/initial-admin-password")
tok=$(curl -s -H 'Content-Type: application/json' -d "{\"username\":\"admin\",\"password\":\"$pw\"}" \
	"${url}api/v1/login" | jq -r .token)
api() { curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $tok" \
	-H 'Content-Type: application/json' "$@"; }
api -d '{"name":"probe","type":"E1"}' "${url}api/v1/spans" >/dev/null
api -d '{"name":"big","kind":"span","members":[{"span":"probe"}]}' "${url}api/v1/trunk-groups" >/dev/null
db=$work/s/trunkgate.db
sqlite3 "$db" >/dev/null <<'SQL'
PRAGMA busy_timeout = 10000;
BEGIN;
WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 100000)
INSERT INTO number_ranges (name, prefix, group_id, created_at, updated_at)
	SELECT 'r' || x, '49' || (1000000 + x), 1, 0, 0 FROM c;
WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 9000)
INSERT INTO manipulation_rules (group_id, direction, field, position, match_type, pattern,
	strip, prepend, created_at, updated_at)
	SELECT 1, 'in', 'called', x, 'prefix', '0' || (10000 + x), 1, '49', 0, 0 FROM c;
WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 1000)
INSERT INTO manipulation_rules (group_id, direction, field, position, match_type, pattern,
	replacement, created_at, updated_at)
	SELECT 1, 'out', 'called', x, 'regex', '^' || (700 + x) || '([0-9]{4})$', '49$1', 0, 0 FROM c;
COMMIT;
SQL

probe() {       # one main-thread round trip, in ms
	curl -s -o /dev/null -w '%{time_total}\n' -H "Authorization: Bearer $tok" \
		-H 'Content-Type: application/json' -d '{"called":"123"}' "${url}api/v1/spans/probe/test-call" |
		awk '{printf "%.3f\n", $1 * 1000}'
}
stats() {       # median [p99, max] of numbers on stdin
	sort -n | awk '{v[NR] = $1} END {i = int(NR * 0.99); if (i < 1) i = 1;
		printf "%.2f ms [p99 %.2f, max %.2f] (n=%d)", v[int((NR + 1) / 2)], v[i], v[NR], NR}'
}

for _ in $(seq 1 "$PROBES"); do probe; done >"$work/idle"
builds=() swaps=()
: >"$work/busy"
for run in $(seq 1 "$RUNS"); do
	lines=$(grep -c 'applied (built' "$work/d.log" || true)
	api -X PUT -d "{\"location\":\"reload $run\"}" "${url}api/v1/settings" >/dev/null
	while [ "$(grep -c 'applied (built' "$work/d.log" || true)" -le "$lines" ]; do probe >>"$work/busy"; done
	l=$(grep 'applied (built' "$work/d.log" | tail -n 1)
	builds+=("$(printf '%s' "$l" | sed -E 's/.*built in ([0-9.]+) ms.*/\1/')")
	swaps+=("$(printf '%s' "$l" | sed -E 's/.*swapped in ([0-9.]+) ms.*/\1/')")
done
med() { printf '%s\n' "$@" | sort -n | awk '{v[NR] = $1} END {printf "%s [%s..%s]", v[int((NR + 1) / 2)], v[1], v[NR]}'; }
echo "reload of 100,000 ranges + 10,000 rules, $RUNS runs"
echo "  build (loader thread):      $(med "${builds[@]}") ms"
echo "  swap (main thread):         $(med "${swaps[@]}") ms"
echo "  main-thread probe idle:     $(stats <"$work/idle")"
echo "  main-thread probe in build: $(stats <"$work/busy")"
echo "  daemon RSS after:           $(awk '/VmRSS/ {printf "%.1f MiB", $2 / 1024}' "/proc/$pid/status")"
