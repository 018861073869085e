#!/usr/bin/env bash
# test_records.sh -- reading what the gateway recorded: CDRs paged, filtered
# and exported as CSV (RFC 4180, read back with Python's csv module), the
# audit log with before/after as JSON, events by severity, every bad query
# parameter named, and a database backup that is a whole, consistent SQLite
# file.
. "$(dirname "$0")/lib.sh"

S=$WORK/state
start_daemon "$S" || { ok 1 "daemon starts"; finish; }
PW=$(cat "$S/initial-admin-password")
DB=$S/trunkgate.db
J='Content-Type: application/json'
api() { http "$@" -u "admin:$PW" -H "$J"; }
TOK=$(curl -s -H "$J" -d "{\"username\":\"admin\",\"password\":\"$PW\"}" "${URL}api/v1/login" | jq -r .token)
get() { http GET "$1" -H "Authorization: Bearer $TOK"; }
jqb() { printf '%s' "${1#* }" | jq -c "$2"; }

# 250 CDRs: end_at one minute apart from 2026-11-24T00:00:00Z; every 5th to the
# PBX, every 7th refused with cause 17; one with a route name that needs quoting
t0=1795478400000
sqlite3 "$DB" >/dev/null "PRAGMA busy_timeout = 5000;
WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 250)
INSERT INTO cdrs (call_id, setup_at, answer_at, end_at, in_kind, in_group, in_trunk, out_kind,
	out_group, out_trunk, calling, called, calling_out, called_out, route, cause, released_by)
SELECT 'c' || x, $t0 + x * 60000 - 30000, CASE WHEN x % 7 = 0 THEN NULL ELSE $t0 + x * 60000 - 20000 END,
	$t0 + x * 60000, 'pri', 'carrier', 'carrier', 'pri', CASE WHEN x % 5 = 0 THEN 'pbx' ELSE 'ev' END,
	CASE WHEN x % 5 = 0 THEN 'pbx' ELSE 'mediation' END, '4930555' || (1000 + x), '4930100' || (100 + x),
	'4930555' || (1000 + x), '4930100' || (100 + x), CASE WHEN x = 3 THEN 'odd, \"quoted\" route' ELSE 'r' END,
	CASE WHEN x % 7 = 0 THEN 17 ELSE 16 END, 'caller' FROM c;"

r=$(get /api/v1/cdrs)
is "250 100 0 100 c250" "$(jqb "$r" '"\(.total) \(.limit) \(.offset) \(.cdrs | length) \(.cdrs[0].call_id)"' | tr -d '"')" \
	"GET /cdrs: 250 in all, the newest 100 first"
is '{"duration_s":20,"in_channel":null,"sip_status":null}' "$(jqb "$r" '.cdrs[0] | {duration_s, in_channel, sip_status}')" \
	"a row carries its duration and nulls where nothing was recorded"
is "c230 c221" "$(jqb "$(get '/api/v1/cdrs?limit=10&offset=20')" '"\(.cdrs[0].call_id) \(.cdrs[9].call_id)"' | tr -d '"')" "limit and offset page"
is "c1" "$(jqb "$(get '/api/v1/cdrs?order=asc&limit=1')" '.cdrs[0].call_id' | tr -d '"')" "order=asc starts at the oldest"
is "50" "$(jqb "$(get '/api/v1/cdrs?trunk=pbx&limit=1')" .total)" "trunk=pbx: the 50 calls to the PBX"
is "35" "$(jqb "$(get '/api/v1/cdrs?cause=17&limit=1')" .total)" "cause=17: the 35 refused calls"
is "7" "$(jqb "$(get '/api/v1/cdrs?trunk=pbx&cause=17&limit=1')" .total)" "filters combine"
is "100" "$(jqb "$(get '/api/v1/cdrs?number=49301002&limit=1')" .total)" "number=49301002: a prefix of called or calling (4930100200-299)"
is "60" "$(jqb "$(get '/api/v1/cdrs?from=2026-11-24T01:00:00Z&to=2026-11-24T02:00:00Z&limit=1')" .total)" "from/to as ISO 8601 UTC: one hour, 60 calls"
is "60" "$(jqb "$(get "/api/v1/cdrs?from=$((t0 + 3600000))&to=$((t0 + 7200000))&limit=1")" .total)" "... and as epoch milliseconds"

for bad in 'limit=0:limit' 'limit=1001:limit' 'offset=-1:offset' 'cause=200:cause' 'from=yesterday:from' \
	   'to=2026-13-01T00:00:00Z:to' 'order=up:order' 'format=xml:format' 'colour=red:colour'; do
	r=$(get "/api/v1/cdrs?${bad%:*}")
	like "$r" "^400 .*\"field\":\"${bad##*:}\"" "?${bad%:*} is refused, naming ${bad##*:}"
done

# CSV
curl -s -D "$WORK/h" -o "$WORK/cdrs.csv" -H "Authorization: Bearer $TOK" "${URL}api/v1/cdrs?format=csv&order=asc"
like "$(cat "$WORK/h")" 'Content-Type: text/csv' "format=csv answers text/csv"
like "$(cat "$WORK/h")" 'Content-Disposition: attachment; filename="trunkgate-cdrs-[0-9-]+\.csv"' "... as a file to save"
like "$(cat "$WORK/h")" 'X-Total-Count: 250' "... with the total in a header"
r=$(python3 -c '
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], newline="")))
print(len(rows), rows[2]["route"], rows[0]["call_id"], rows[0]["duration_s"], rows[6]["cause"])
' "$WORK/cdrs.csv")
is '250 odd, "quoted" route c1 20 17' "$r" "the CSV reads back: 250 rows, quoting and all columns intact"
like "$(head -1 "$WORK/cdrs.csv")" '^id,call_id,setup_at,alert_at,answer_at,end_at,duration_s,' "the first line names the columns"
like "$(get '/api/v1/audit?format=csv')" '^400 .*"field":"format"' "only CDRs export as CSV"

# audit and events
api PUT /api/v1/settings -d '{"location":"Rack 9"}' >/dev/null
r=$(get '/api/v1/audit?object_type=settings')
is '"Rack 9"' "$(jqb "$r" '.audit[0].after_json.location')" "the audit log shows before/after as JSON"
is '"admin"' "$(jqb "$r" '.audit[0].actor')" "... and who did it"
like "$(jqb "$(get '/api/v1/audit?actor=nobody')" .total)" '^0$' "actor filters"
sqlite3 "$DB" "INSERT INTO events (at, severity, kind, source, message) VALUES (1, 'major', 'span-alarm', 'carrier', 'LOS')"
is '"LOS"' "$(jqb "$(get '/api/v1/events?severity=major')" '.events[0].message')" "events filter by severity"
like "$(jqb "$(get '/api/v1/events?kind=daemon-start')" .total)" '^1$' "the daemon's start is an event"
like "$(get '/api/v1/events?severity=bad')" '^400 .*"field":"severity"' "an unknown severity is refused"

# backup
curl -s -D "$WORK/bh" -o "$WORK/backup.db" -u "admin:$PW" "${URL}api/v1/backup"
like "$(cat "$WORK/bh")" 'Content-Type: application/vnd.sqlite3' "GET /backup answers an SQLite file"
is "ok" "$(sqlite3 "$WORK/backup.db" 'PRAGMA integrity_check')" "... that passes integrity_check"
is "250" "$(sqlite3 "$WORK/backup.db" 'select count(*) from cdrs')" "... with every CDR"
is "$(sqlite3 "$DB" 'PRAGMA user_version')" "$(sqlite3 "$WORK/backup.db" 'PRAGMA user_version')" "... at the same schema version"
is "" "$(ls "$S" | grep backup)" "no temporary file is left next to the database"
api POST /api/v1/users -d '{"username":"vic","password":"Viewer-pass-1","role":"viewer"}' >/dev/null
like "$(http GET /api/v1/backup -u vic:Viewer-pass-1)" '^403 ' "a viewer cannot download a backup"
like "$(http GET /api/v1/cdrs?limit=1 -u vic:Viewer-pass-1)" '^200 ' "... but reads the CDRs"

finish
