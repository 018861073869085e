#!/usr/bin/env bash
# test_survivability.sh -- survivability with tgsim as the carrier and the PBX
# on sim spans:
#  (a) a bypass pair in mode auto: the relay is released once the daemon is
#      up, engaged when it is SIGKILLed and when it is SIGTERMed, released
#      again after each restart;
#  (b) a SIGSTOPped daemon (a hung main loop) engages the relay through the
#      relay watchdog; SIGCONT releases it again;
#  (c) a SIP group marked down through the API: a call for a route whose
#      destination is that group goes to the route's survivability group
#      (tgsim sees it on the PBX), and the route tester says so;
#  (d) busy-out: the span depending on that SIP group is taken out of
#      service (its far end sees the D channel go down) and comes back when
#      the group is marked up; a span depending on another group stays up.
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
}
status() { curl -s -u "admin:$PW" "${URL}api/v1/status"; }
status_is() { status | jq -e "$1" >/dev/null; }
rt() { curl -s -u "admin:$PW" -H 'Content-Type: application/json' -d "$1" "${URL}api/v1/route-test"; }
# relay events tgsim printed for a span with engaged=true|false
relays() { grep -c "\"event\":\"relay\",\"span\":\"$1\",\"engaged\":$2" "$3" 2>/dev/null; }
relays_at_least() { [ "$(relays "$1" "$2" "$4")" -ge "$3" ]; }

for s in carrier:user pbx:network pbx2:network alt:network; do
	expect_code 201 "span ${s%%:*}" POST /api/v1/spans -d "{\"name\":\"${s%%:*}\",\"type\":\"E1\",\"pri_side\":\"${s##*:}\"}"
done
expect_code 201 "trunk group carrier-g" POST /api/v1/trunk-groups -d '{"name":"carrier-g","kind":"span","members":[{"span":"carrier"}]}'
expect_code 201 "trunk group pbx-g" POST /api/v1/trunk-groups -d '{"name":"pbx-g","kind":"span","members":[{"span":"pbx"}]}'
expect_code 201 "SIP trunk group lync (no trunks yet)" POST /api/v1/trunk-groups -d '{"name":"lync","kind":"sip","members":[]}'
expect_code 201 "SIP trunk group itsp" POST /api/v1/trunk-groups -d '{"name":"itsp","kind":"sip","members":[]}'

# ---- the bypass pairs API ----
BP=/api/v1/bypass-pairs
r=$(api POST $BP -d '{"name":"cp","span_a":"carrier","span_b":"pbx"}')
like "$r" '^201 \{"id":1,"name":"cp","span_a":"carrier","span_b":"pbx","mode":"auto","generation":[0-9]+\}$' "a bypass pair is created, mode auto by default"
r=$(api POST $BP -d '{"name":"x","span_a":"carrier","span_b":"carrier"}')
like "$r" '^400 .*"field":"span_b"' "a pair of a span with itself is refused naming span_b"
r=$(api POST $BP -d '{"name":"x","span_a":"nosuch","span_b":"pbx2"}')
like "$r" '^400 .*no span named nosuch.*"field":"span_a"' "an unknown span is refused naming span_a"
r=$(api POST $BP -d '{"name":"x","span_a":"pbx2","span_b":"pbx"}')
like "$r" '^400 .*span pbx is already in bypass pair cp.*"field":"span_b"' "a span already in a pair is refused"
r=$(api POST $BP -d '{"name":"x","span_a":"pbx2","span_b":"alt","mode":"sometimes"}')
like "$r" '^400 .*"field":"mode"' "a bad mode is refused naming mode"
r=$(api POST $BP -d '{"name":"cp","span_a":"pbx2","span_b":"alt"}')
like "$r" '^409 .*"field":"name"' "a taken name is a conflict"
expect_code 200 "the pair is changed (mode engaged)" PUT $BP/cp -d '{"mode":"engaged"}'
is "engaged" "$(api GET $BP/cp | sed 's/^200 //' | jq -r .mode)" "put-then-get round-trips"
expect_code 200 "and back to auto" PUT $BP/cp -d '{"mode":"auto"}'
is 3 "$(sqlite3 "$S/trunkgate.db" "select count(*) from audit_log where object_type = 'bypass_pair'")" \
	"each bypass pair change has an audit row"
expect_code 201 "a throw-away pair" POST $BP -d '{"name":"tmp","span_a":"pbx2","span_b":"alt","mode":"released"}'
r=$(api DELETE /api/v1/spans/pbx2)
like "$r" '^409 .*span pbx2 is used by bypass pair tmp' "deleting a span still in a pair is a 409 naming the pair"
expect_code 204 "is deleted" DELETE $BP/tmp
expect_code 404 "and is gone" GET $BP/tmp

# ---- busy-out settings on spans ----
r=$(api PUT /api/v1/spans/pbx2 -d '{"busy_out_group":"pbx-g"}')
like "$r" '^400 .*follows a sip trunk group.*"field":"busy_out_group"' "busy-out follows a SIP group only"
r=$(api PUT /api/v1/spans/pbx2 -d '{"busy_out_group":"nosuch"}')
like "$r" '^400 .*"field":"busy_out_group"' "an unknown busy-out group is refused"
r=$(api PUT /api/v1/spans/pbx2 -d '{"busy_out_group":"lync","busy_out_method":"service"}')
like "$r" '^400 .*ni2, 5ess or dms100, not euroisdn.*"field":"busy_out_method"' "SERVICE busy-out is refused on a EuroISDN span, naming the field"
expect_code 200 "span pbx2 depends on lync (D channel busy-out)" PUT /api/v1/spans/pbx2 -d '{"busy_out_group":"lync","busy_out_method":"dchan"}'
expect_code 200 "span alt depends on itsp" PUT /api/v1/spans/alt -d '{"busy_out_group":"itsp"}'
r=$(api DELETE /api/v1/trunk-groups/itsp)
like "$r" '^409 .*span alt' "a group a span depends on cannot be deleted"

# ---- (a) the relay follows the daemon's life ----
CAR="span carrier $S/sim/carrier.sock type=E1 switch=euroisdn side=network"
PBX="span pbx $S/sim/pbx.sock type=E1 switch=euroisdn side=user"
PBX2="span pbx2 $S/sim/pbx2.sock type=E1 switch=euroisdn side=user"
ALT="span alt $S/sim/alt.sock type=E1 switch=euroisdn side=user"
R=$WORK/relay.out
printf '%s\n' "$CAR" "$PBX" | "$TGSIM" --stay >"$R" 2>"$WORK/relay.err" &
TG=$!; PIDS+=("$TG")
wait_for relays_at_least carrier false 1 "$R"; ok $? "with the daemon up the carrier's far end sees the relay released"
wait_for relays_at_least pbx false 1 "$R"; ok $? "and so does the PBX's"
wait_for status_is '.bypass_pairs[0] | .name == "cp" and .relay == "released" and .mode == "auto"'
ok $? "status shows the pair's relay released"

kill -KILL "$DPID"; wait "$DPID" 2>/dev/null
wait_for relays_at_least carrier true 1 "$R"; ok $? "SIGKILL: the relay is engaged (carrier side)"
wait_for relays_at_least pbx true 1 "$R"; ok $? "SIGKILL: the relay is engaged (PBX side)"
start_daemon "$S" || { ok 1 "daemon restarts"; finish; }
wait_for relays_at_least carrier false 2 "$R"; ok $? "after the restart the relay is released again"
stop_daemon "$DPID"; is 0 "$STOP_RC" "SIGTERM exits 0"
wait_for relays_at_least carrier true 2 "$R"; ok $? "SIGTERM: the relay is engaged"
wait_for relays_at_least pbx true 2 "$R"; ok $? "SIGTERM: on the PBX side too"
start_daemon "$S" || { ok 1 "daemon restarts"; finish; }
wait_for relays_at_least carrier false 3 "$R"; ok $? "released again after the second restart"

# ---- (b) a hung main loop engages the relay through the watchdog ----
wait_for relays_at_least pbx false 3 "$R"
n0=$(wc -l <"$R")
kill -STOP "$DPID"
stopped=$(date +%s.%N)
wait_for relays_at_least carrier true 3 "$R"; ok $? "SIGSTOP: the relay watchdog engages the relay"
took=$(echo "$(date +%s.%N) - $stopped" | bc)
echo "# engaged $took s after SIGSTOP (watchdog 3 s)"
[ "$(echo "$took < 10" | bc)" = 1 ]; ok $? "within the watchdog timeout, not at some later disconnect"
is 0 "$(tail -n +$((n0 + 1)) "$R" | grep -c '"event":"alarm".*LOS')" "the line stayed up: the watchdog, not a lost connection, engaged it"
kill -CONT "$DPID"
wait_for relays_at_least carrier false 4 "$R"; ok $? "SIGCONT: released again"
kill -TERM "$TG"; wait "$TG" 2>/dev/null

# ---- (c) and (d): the SIP group goes down and comes back ----
expect_code 201 "range ev-users (Enterprise Voice) on lync" POST /api/v1/number-ranges -d '{"name":"ev-users","prefix":"49301005","group":"lync"}'
expect_code 201 "route carrier -> lync, survivability pbx-g" POST /api/v1/routes -d '{"name":"ev-in","source_group":"carrier-g","range":"ev-users","survivability_group":"pbx-g","destinations":[{"group":"lync"}]}'
is "lync false" "$(rt '{"source_group":"carrier-g","called":"4930100500"}' | jq -r '"\(.targets[0].group) \(.targets[0].survivability)"')" \
	"route-test: with lync up the call goes to lync"
C=$WORK/calls.out
printf '%s\n' "$CAR" "$PBX" "$PBX2" "$ALT" "auto answer pbx" \
	"expect link up carrier within 15" "expect link up pbx within 15" \
	"expect link up pbx2 within 15" "expect link up alt within 15" \
	"expect link down pbx2 within 30" \
	"call carrier 5550001 4930100500 as s1" \
	"expect call to 4930100500 on pbx as p1 within 5" \
	"expect answer s1 within 5" \
	"hangup s1" \
	"expect release p1 cause 16 within 5" \
	"sleep 1" \
	"expect link up pbx2 within 30" \
	"call carrier 5550001 4930100501 as s2" \
	"expect release s2 within 10" | "$TGSIM" >"$C" 2>"$WORK/calls.err" &
T=$!; PIDS+=("$T")
wait_for grep -q '"event":"expect-ok","line":9' "$C"; ok $? "every span's D channel is up"
r=$(api PUT /api/v1/trunk-groups/lync/state -d '{"down":true}')
like "$r" '^200 .*"down":true' "lync is marked down through the API"
is "down marked down by API" "$(status | jq -r '.trunk_groups[] | select(.name == "lync") | "\(.state) \(.reason)"')" \
	"status shows lync down and why"
is "up" "$(status | jq -r '.trunk_groups[] | select(.name == "itsp") | .state')" "the other SIP group stays up"
is "pbx-g true" "$(rt '{"source_group":"carrier-g","called":"4930100500"}' | jq -r '"\(.targets[0].group) \(.targets[0].survivability)"')" \
	"route-test: with lync down the call goes to the survivability group pbx-g"
wait_for grep -q '"event":"expect-ok","line":10' "$C"; ok $? "busy-out: pbx2's far end sees its D channel go down"
is "true busy_out" "$(status | jq -r '.spans[] | select(.name == "pbx2") | "\(.busy_out) \(.state)"')" "status shows pbx2 busied out"
is "false up" "$(status | jq -r '.spans[] | select(.name == "alt") | "\(.busy_out) \(.state)"')" \
	"a span depending on another group stays in service"
wait_for grep -q '"event":"expect-ok","line":15' "$C"; ok $? "lync down: the carrier's call went to the PBX (survivability) and was answered"
r=$(api PUT /api/v1/trunk-groups/lync/state -d '{"down":false}')
like "$r" '^200 .*"down":false' "lync is marked up"
wait "$T"; rc=$?
is 0 "$rc" "pbx2 comes back, and the next EV call is no longer sent to the PBX"
[ "$rc" -eq 0 ] || tail -n 12 "$C" | sed 's/^/#   /'
is "0" "$(grep -c '"event":"call-in","span":"pbx".*4930100501' "$C")" "the call after lync came back did not reach the PBX"
is "lync false" "$(rt '{"source_group":"carrier-g","called":"4930100500"}' | jq -r '"\(.targets[0].group) \(.targets[0].survivability)"')" \
	"route-test: lync up again"
r=$(api PUT /api/v1/trunk-groups/lync/state -d '{"down":"yes"}')
like "$r" '^400 .*"field":"down"' "down must be a boolean"
r=$(api PUT /api/v1/trunk-groups/nosuch/state -d '{"down":true}')
like "$r" '^404 ' "an unknown group is a 404"
r=$(http PUT /api/v1/trunk-groups/lync/state -u "nobody:x" -H 'Content-Type: application/json' -d '{"down":true}')
like "$r" '^401 ' "marking a group needs a login"
stop_daemon "$DPID"; is 0 "$STOP_RC" "SIGTERM exits 0"
finish
