#!/usr/bin/env bash
# test_pri.sh -- ISDN PRI between trunkgated and tgsim over sim spans, as a
# carrier would meet it: layer 2 up for every switch type and both sides;
# calls with numbers, alerting, connect and the right causes both ways; all
# B channels busy and the next call refused with cause 34; RESTART; pulling
# the cable shows in /api/v1/status and clears, and calls work again.
. "$(dirname "$0")/lib.sh"
TGSIM=${TGSIM:-$TG_BUILDDIR/tgsim}

S=$WORK/state
start_daemon "$S" || { ok 1 "daemon starts"; finish; }
PW=$(cat "$S/initial-admin-password")
api() { http "$@" -u "admin:$PW" -H 'Content-Type: application/json'; }
SOCK=$S/sim/carrier.sock

# run_tgsim NAME: run the script on stdin, keep its JSON lines in $WORK/NAME.out
run_tgsim() {
	"$TGSIM" >"$WORK/$1.out" 2>"$WORK/$1.err"
	local rc=$?
	if [ $rc -ne 0 ]; then
		echo "# tgsim $1 exited $rc; its last lines:"
		tail -n 8 "$WORK/$1.out" "$WORK/$1.err" | sed 's/^/#   /'
	fi
	return $rc
}
status() { curl -s -u "admin:$PW" "${URL}api/v1/status"; }
span_json() { status | jq -c ".spans[] | select(.name == \"$1\")"; }
status_is() { status | jq -e "$1" >/dev/null; }

r=$(api POST /api/v1/spans -d '{"name":"carrier","type":"E1","pri_side":"user","test_number":"1000"}')
like "$r" '^201 .*"name":"carrier".*"framing":"CCS","line_code":"HDB3","crc4":true.*"switch_type":"euroisdn"' \
	"an E1 span is created with E1 defaults"
wait_for test -S "$SOCK"; ok $? "the daemon opens the sim span's socket live (no restart)"
st=$(span_json carrier)
like "$st" '"state":"alarm".*"alarms":\["LOS","RED"\]' "with no far end attached, status shows LOS/RED"

# --- every switch type, both sides
for combo in E1:euroisdn T1:euroisdn T1:ni2 T1:5ess T1:dms100 E1:qsig; do
	type=${combo%%:*} sw=${combo##*:}
	for side in user network; do
		far=network; [ $side = network ] && far=user
		r=$(api PUT /api/v1/spans/carrier -d "{\"type\":\"$type\",\"switch_type\":\"$sw\",\"pri_side\":\"$side\"}")
		[ "${r%% *}" = 200 ] || echo "# $r"
		wait_for status_is ".spans[0].type == \"$type\" and .spans[0].switch_type == \"$sw\" and .spans[0].pri_side == \"$side\""
		printf '%s\n' \
			"span carrier $SOCK type=$type switch=$sw side=$far" \
			"expect link up carrier within 15" \
			"call carrier 5550100 1000 as a" \
			"expect answer a within 5" \
			"hangup a 16" \
			"expect release a cause 16 within 5" \
			"call carrier 5550101 4321 as b" \
			"expect release b cause 1 within 5" | run_tgsim "$sw-$type-$side"
		ok $? "$type $sw, trunkgated on the $side side: layer 2 up, a test call answered and cleared (16), an unknown number refused (1)"
	done
done

# --- back to E1 EuroISDN; tgsim is the carrier (network side) and answers
api PUT /api/v1/spans/carrier -d '{"type":"E1","switch_type":"euroisdn","pri_side":"user"}' >/dev/null
wait_for status_is '.spans[0].type == "E1" and .spans[0].switch_type == "euroisdn" and .spans[0].pri_side == "user"'
printf '%s\n' "span carrier $SOCK type=E1 switch=euroisdn side=network" "auto answer" |
	"$TGSIM" --stay >"$WORK/far.out" 2>"$WORK/far.err" &
FAR=$!; PIDS+=("$FAR")
wait_for grep -q '"event":"link","span":"carrier","up":true' "$WORK/far.out"; ok $? "tgsim as the carrier: layer 2 up"
wait_for status_is '.spans[0].state == "up"'; ok $? "status shows the span up"
st=$(span_json carrier)
is 30 "$(echo "$st" | jq '.channels | length')" "an E1 PRI span has 30 B channels"
is "[]" "$(echo "$st" | jq -c '.alarms')" "and no alarms"

r=$(api POST /api/v1/spans/carrier/test-call -d '{"called":"5551234","calling":"1000","hold_seconds":1}')
like "$r" '^202 .*"channel":[0-9]+' "a test call is placed out of the span"
wait_for grep -q '"event":"call-in","span":"carrier","call":"c1","from":"1000","to":"5551234"' "$WORK/far.out"
ok $? "tgsim receives it with both numbers"
wait_for grep -q '"event":"released","span":"carrier","call":"c1","cause":16' "$WORK/far.out"
ok $? "the gateway hangs up after the hold time with cause 16"

# all 30 B channels busy, then one more
for i in $(seq 1 30); do
	api POST /api/v1/spans/carrier/test-call -d "{\"called\":\"600$i\",\"hold_seconds\":60}" >>"$WORK/busy.out"
	echo >>"$WORK/busy.out"
done
is 30 "$(grep -c '^202 ' "$WORK/busy.out")" "30 test calls take all 30 B channels"
wait_for status_is '.spans[0].active_calls == 30'; ok $? "status counts 30 active calls"
r=$(api POST /api/v1/spans/carrier/test-call -d '{"called":"6031"}')
like "$r" '^503 .*"code":"no_circuit".*cause 34' "the 31st call is refused: no circuit (cause 34)"
busy=$(span_json carrier | jq '[.channels[] | select(.state == "busy")] | length')
is 30 "$busy" "status shows every channel busy"

# the far end going away raises the alarm and clears the calls
kill -TERM "$FAR"; wait "$FAR" 2>/dev/null
wait_for status_is '.spans[0].alarms | index("LOS")'; ok $? "the far end going away raises LOS in status"
wait_for status_is '.spans[0].active_calls == 0'; ok $? "and the calls on the span are cleared"

printf '%s\n' \
	"span carrier $SOCK type=E1 switch=euroisdn side=network" \
	"auto answer" \
	"expect link up carrier within 15" \
	"alarm carrier los on" \
	"expect alarm carrier LOS within 5" \
	"sleep 1.5" \
	"alarm carrier los off" \
	"expect alarm carrier none within 5" \
	"expect link up carrier within 15" \
	"call carrier 5550200 1000 as after" \
	"expect answer after within 5" \
	"hangup after" \
	"expect release after cause 16 within 5" | run_tgsim cable
ok $? "tgsim pulls the cable and plugs it back; a call works afterwards"
grep -q '"event":"alarm","span":"carrier","alarms":"LOS,RED"' "$WORK/cable.out"; ok $? "tgsim saw LOS/RED on its own end"
ev=$(sqlite3 "$S/trunkgate.db" "select count(*) from events where source='carrier' and kind='span-alarm'")
[ "${ev:-0}" -ge 1 ]; ok $? "span alarms are recorded as events ($ev)"

# RESTART from the far end clears a call in progress (tgsim restarts the
# channels one at a time, waiting for each acknowledge: hence the pause)
printf '%s\n' \
	"span carrier $SOCK type=E1 switch=euroisdn side=network" \
	"expect link up carrier within 15" \
	"call carrier 5550300 1000 as r" \
	"expect answer r within 5" \
	"restart carrier" \
	"expect release r within 5" \
	"sleep 1" \
	"call carrier 5550301 1000 as r2" \
	"expect answer r2 within 5" \
	"hangup r2" \
	"expect release r2 cause 16 within 5" | run_tgsim restart
ok $? "RESTART clears the call in progress and the channels work again"

# errors the far end injects show in the counters
printf '%s\n' \
	"span carrier $SOCK type=E1 switch=euroisdn side=network" \
	"expect link up carrier within 15" \
	"inject carrier crc 400" \
	"inject carrier slips 2" \
	"sleep 2.5" | run_tgsim errors
st=$(span_json carrier)
[ "$(echo "$st" | jq '.counters.crc_errors')" -ge 400 ]; ok $? "injected CRC errors are counted"
[ "$(echo "$st" | jq '.counters.frame_slips')" -ge 2 ]; ok $? "injected slips are counted"
[ "$(echo "$st" | jq '.counters.severely_errored_seconds')" -ge 1 ]; ok $? "400 CRC errors in a second make a severely errored second"

r=$(api DELETE /api/v1/spans/carrier)
is "204 " "$r" "the span is deleted"
wait_for sh -c "[ ! -S '$SOCK' ]"; ok $? "and closed live (its socket is gone)"
stop_daemon "$DPID"; is 0 "$STOP_RC" "SIGTERM exits 0"
finish
