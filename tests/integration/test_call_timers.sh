#!/usr/bin/env bash
# test_call_timers.sh -- the gateway's own call timers, over sim spans with
# tgsim as carrier and PBX.  The settings no_answer_timeout and
# max_call_duration are validated and applied live; with no_answer_timeout
# 2 s a call the PBX lets ring is cleared by the gateway with cause 19 (18
# when it never rang), on both legs, and its CDR says so (released by the
# gateway); with max_call_duration 2 s an answered call is cleared with 16.
# The CDR counters show in the status.
. "$(dirname "$0")/lib.sh"
TGSIM=${TGSIM:-$TG_BUILDDIR/tgsim}

S=$WORK/state
start_daemon "$S" || { ok 1 "daemon starts"; finish; }
PW=$(cat "$S/initial-admin-password")
api() { http "$@" -u "admin:$PW" -H 'Content-Type: application/json'; }
expect_code() {         # expect_code CODE DESCRIPTION METHOD PATH [curl args]
	local code=$1 what=$2 r; shift 2
	r=$(api "$@")
	like "$r" "^$code " "$what"
	LAST=${r#* }
}
status_is() { curl -s -u "admin:$PW" "${URL}api/v1/status" | jq -e "$1" >/dev/null; }
cdr_is() {              # cdr_is WHERE COLUMNS EXPECTED DESCRIPTION: polls, CDRs land a few ms after the call
	local row i
	for i in $(seq 1 50); do
		row=$(sqlite3 -separator ' ' "$S/trunkgate.db" "select $2 from cdrs where $1")
		[ "$row" = "$3" ] && break
		sleep 0.1
	done
	is "$3" "$row" "$4"
}

# --- the settings: defaults, validation, live apply
r=$(api GET /api/v1/settings)
is "180 0" "$(echo "${r#* }" | jq -r '"\(.no_answer_timeout) \(.max_call_duration)"')" \
	"the timers' defaults: no answer 180 s, no maximum duration"
r=$(api PUT /api/v1/settings -d '{"no_answer_timeout":3601}')
like "$r" '^400 .*"field":"no_answer_timeout"' "no_answer_timeout above 3600 is 400 naming the field"
r=$(api PUT /api/v1/settings -d '{"max_call_duration":86401}')
like "$r" '^400 .*"field":"max_call_duration"' "max_call_duration above 86400 is 400 naming the field"
r=$(api PUT /api/v1/settings -d '{"max_call_duration":-1}')
like "$r" '^400 .*"field":"max_call_duration"' "a negative duration is 400"
r=$(api PUT /api/v1/settings -d '{"no_answer_timeout":"2"}')
like "$r" '^400 .*"field":"no_answer_timeout"' "a timer given as a string is 400"
r=$(api PUT /api/v1/settings -d '{"no_answer_timeout":2.5}')
like "$r" '^400 .*"field":"no_answer_timeout"' "a fractional timer is 400"

expect_code 201 "span carrier (we are the user side)" POST /api/v1/spans -d '{"name":"carrier","type":"E1","pri_side":"user"}'
expect_code 201 "span pbx (we are the network side)" POST /api/v1/spans -d '{"name":"pbx","type":"E1","pri_side":"network"}'
expect_code 201 "trunk group carrier-g" POST /api/v1/trunk-groups -d '{"name":"carrier-g","kind":"span","members":[{"span":"carrier"}]}'
expect_code 201 "trunk group pbx-g" POST /api/v1/trunk-groups -d '{"name":"pbx-g","kind":"span","members":[{"span":"pbx"}]}'
expect_code 201 "number range pbx-users" POST /api/v1/number-ranges -d '{"name":"pbx-users","prefix":"49301002","group":"pbx-g"}'
expect_code 201 "route carrier -> the PBX range" POST /api/v1/routes -d '{"name":"in-pbx","source_group":"carrier-g","called_prefix":"4930","destinations":[]}'
expect_code 200 "no_answer_timeout set to 2 s" PUT /api/v1/settings -d '{"no_answer_timeout":2}'
gen=$(echo "$LAST" | jq -r .generation)
is "2 0" "$(echo "$LAST" | jq -r '"\(.no_answer_timeout) \(.max_call_duration)"')" "the answer shows the new value"
wait_for status_is ".config.generation >= $gen"; ok $? "the daemon applies it (generation $gen)"
wait_for status_is '[.spans[] | select(.name == "carrier" or .name == "pbx")] | length == 2'

CAR="span carrier $S/sim/carrier.sock type=E1 switch=euroisdn side=network"
PBX="span pbx $S/sim/pbx.sock type=E1 switch=euroisdn side=user"

printf '%s\n' "$CAR" "$PBX" "auto off pbx" \
	"expect link up carrier within 15" "expect link up pbx within 15" \
	"call carrier 5550001 4930100234 as c1" \
	"expect call to 4930100234 on pbx as p1 within 5" \
	"alert p1" \
	"expect alerting c1 within 5" \
	"expect release c1 cause 19 within 6" \
	"expect release p1 cause 19 within 5" \
	"call carrier 5550001 4930100235 as c2" \
	"expect call to 4930100235 on pbx as p2 within 5" \
	"proceed p2" \
	"expect proceeding c2 within 5" \
	"expect release c2 cause 18 within 6" \
	"expect release p2 within 5" | "$TGSIM" >"$WORK/noanswer.out" 2>"$WORK/noanswer.err"
ok $? "a call left ringing is cleared by the gateway after 2 s with cause 19 (18 when it never rang), both legs"
[ $? -eq 0 ] || tail -n 12 "$WORK/noanswer.out" | sed 's/^/#   /'
t_in=$(grep '"event":"alerting"' "$WORK/noanswer.out" | head -1 | jq -r .t)
t_rel=$(grep '"call":"c1"' "$WORK/noanswer.out" | grep '"event":"released"' | jq -r .t)
awk -v a="$t_in" -v b="$t_rel" 'BEGIN { d = b - a; exit !(d > 1.0 && d < 4.0) }'
ok $? "it rang about 2 s before the release (alerting at ${t_in}s, released at ${t_rel}s)"
cdr_is "called = '4930100234'" "cause, released_by, alert_at is not null, answer_at is null" \
	"19 gateway 1 1" "the CDR: cause 19, released by the gateway, rang, not answered"
cdr_is "called = '4930100235'" "cause, released_by, alert_at is null" "18 gateway 1" \
	"the CDR of the call that never rang: cause 18, released by the gateway"

expect_code 200 "max_call_duration set to 2 s" PUT /api/v1/settings -d '{"max_call_duration":2}'
gen=$(echo "$LAST" | jq -r .generation)
wait_for status_is ".config.generation >= $gen"; ok $? "the daemon applies it (generation $gen)"
printf '%s\n' "$CAR" "$PBX" "auto answer pbx" \
	"expect link up carrier within 15" "expect link up pbx within 15" \
	"call carrier 5550001 4930100236 as c3" \
	"expect answer c3 within 5" \
	"expect release c3 cause 16 within 6" | "$TGSIM" >"$WORK/max.out" 2>"$WORK/max.err"
ok $? "an answered call is cleared after the maximum duration with cause 16"
[ $? -eq 0 ] || tail -n 12 "$WORK/max.out" | sed 's/^/#   /'
cdr_is "called = '4930100236'" "cause, released_by, answer_at is not null" "16 gateway 1" \
	"the CDR: cause 16, released by the gateway, answered"

wait_for status_is '.cdrs.written >= 3 and .cdrs.failed == 0 and .cdrs.dropped == 0 and .cdrs.batches >= 1 and .cdrs.queue_capacity == 65536'
ok $? "status shows the CDR writer's counters"
stop_daemon "$DPID"; is 0 "$STOP_RC" "SIGTERM exits 0"
finish
