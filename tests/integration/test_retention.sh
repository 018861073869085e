#!/usr/bin/env bash
# test_retention.sh -- CDRs and events do not grow without end: the retention
# settings (by age and by count) are applied a few seconds after start and
# hourly after, oldest first, never touching the audit log; and with
# cdr_jsonl set every finished call is also appended to a JSON-lines file a
# billing system can tail (one valid JSON object a line, the same fields as
# the CDR row).
. "$(dirname "$0")/lib.sh"
TGSIM=${TGSIM:-$TG_BUILDDIR/tgsim}

S=$WORK/state
mkdir -p "$S"
printf 'cdr_jsonl = %s\n' "$WORK/cdrs.jsonl" >"$WORK/tg.conf"
start_daemon "$S" --config "$WORK/tg.conf" || { ok 1 "daemon starts"; finish; }
PW=$(cat "$S/initial-admin-password")
DB=$S/trunkgate.db
api() { http "$@" -u "admin:$PW" -H 'Content-Type: application/json'; }
count() { sqlite3 "$DB" "select count(*) from $1"; }

like "$(api GET /api/v1/settings)" '"cdr_retention_days":365,"cdr_retention_max":5000000,"event_retention_days":90,"event_retention_max":200000' \
	"retention defaults: CDRs a year (5 million at most), events 90 days (200,000)"
like "$(api PUT /api/v1/settings -d '{"cdr_retention_days":-1}')" '^400 .*"field":"cdr_retention_days"' "a negative retention is refused"
like "$(api PUT /api/v1/settings -d '{"cdr_retention_days":30,"event_retention_days":7}')" '^200 ' "retention is set to 30 days for CDRs, 7 for events"

# 40 CDRs: 30 from a year ago, 10 from today; old and new events
now=$(($(date +%s) * 1000))
sqlite3 "$DB" >/dev/null "PRAGMA busy_timeout = 5000;
WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 40)
INSERT INTO cdrs (call_id, setup_at, end_at, cause) SELECT 'r' || x, 0,
	CASE WHEN x <= 30 THEN $now - 365 * 86400000 + x ELSE $now - 1000 + x END, 16 FROM c;
INSERT INTO events (at, severity, kind, message) VALUES ($now - 30 * 86400000, 'info', 'old', 'a month ago');"
audits=$(count audit_log)

stop_daemon "$DPID"
start_daemon "$S" --config "$WORK/tg.conf" || ok 1 "restarts"
wait_for test "$(count cdrs)" -eq 10
is "10" "$(count cdrs)" "a few seconds after start the CDRs older than 30 days are gone"
is "r31" "$(sqlite3 "$DB" 'select min(call_id) from cdrs')" "... the recent ones kept"
is "0" "$(sqlite3 "$DB" "select count(*) from events where kind = 'old'")" "events older than 7 days are gone"
[ "$(count audit_log)" -ge "$audits" ]
ok $? "the audit log is never pruned"
like "$(cat "$S.log")" 'retention: [0-9]+ old CDRs and events deleted' "the daemon logs what it deleted"

api PUT /api/v1/settings -d '{"cdr_retention_max":4}' >/dev/null
stop_daemon "$DPID"
start_daemon "$S" --config "$WORK/tg.conf" || ok 1 "restarts"
wait_for test "$(count cdrs)" -eq 4
is "r37 r38 r39 r40" "$(sqlite3 "$DB" 'select call_id from cdrs order by id' | xargs)" "cdr_retention_max keeps the newest rows"

# a real call -> one JSON line
api POST /api/v1/spans -d '{"name":"carrier","type":"E1","pri_side":"user"}' >/dev/null
api POST /api/v1/spans -d '{"name":"pbx","type":"E1","pri_side":"network"}' >/dev/null
api POST /api/v1/trunk-groups -d '{"name":"c","kind":"span","members":[{"span":"carrier"}]}' >/dev/null
api POST /api/v1/trunk-groups -d '{"name":"p","kind":"span","members":[{"span":"pbx"}]}' >/dev/null
r=$(api POST /api/v1/routes -d '{"name":"in","source_group":"c","destinations":[{"group":"p"}]}')
like "$r" '^201 ' "routing for one call"
wait_for test -S "$S/sim/pbx.sock"
printf '%s\n' "span carrier $S/sim/carrier.sock type=E1 switch=euroisdn side=network" \
	"span pbx $S/sim/pbx.sock type=E1 switch=euroisdn side=user" "auto answer pbx" \
	"expect link up carrier within 15" "expect link up pbx within 15" \
	"call carrier 5550001 4930100234 as c1" "expect answer c1 within 5" "hangup c1" \
	"expect release c1 cause 16 within 5" | "$TGSIM" >"$WORK/call.out" 2>&1
ok $? "a call is placed and cleared"
wait_for test -s "$WORK/cdrs.jsonl"
is "1" "$(wc -l <"$WORK/cdrs.jsonl")" "the finished call is one line of the JSON-lines stream"
is '"in" "carrier" "pbx" "4930100234" 16 "caller"' \
	"$(jq -r '[.route, .in_trunk, .out_trunk, .called, .cause, .released_by] | map(tojson) | join(" ")' "$WORK/cdrs.jsonl")" \
	"... a valid JSON object with the CDR's fields"
is "$(sqlite3 "$DB" "select call_id from cdrs order by id desc limit 1")" "$(jq -r .call_id "$WORK/cdrs.jsonl")" "... the same call as the CDR row"

finish
