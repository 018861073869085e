#!/usr/bin/env bash
# test_sip_maxcalls.sh -- max_calls per SIP trunk (daemon/sip/trunk_guard.c):
# SIPp on 127.0.0.3 is the peer of trunk pbx (max_calls 2) and calls out
# through route out: first far-g (trunk far1, max_calls 1, SIPp A), then
# alt-g (trunk far2, SIPp B).  Call 1 goes to far1; call 2 finds far1 full,
# its placing fails with cause 34 and the route fails over to far2; call 3
# finds pbx at 2 and gets 503 with Reason: Q.850;cause=34.  Once the calls
# have ended the counts are given back: a fourth call reaches far1 again.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/sip_lib.sh"

sip_start || finish
active() { status | jq -e ".sip_trunks[] | select(.name == \"$1\") | .active_calls == $2"; }

P1=$(free_port); P2=$(free_port)
r=$(api POST /api/v1/sip-trunks -d '{"name":"bad","max_calls":-1,"next_hops":[]}')
like "$r" '^400 .*"field":"max_calls"' "max_calls -1 is refused, the field named"
r=$(api POST /api/v1/sip-trunks -d '{"name":"bad","max_calls":"2","next_hops":[]}')
like "$r" '^400 .*"field":"max_calls"' "a string is refused too"
like "$(api POST /api/v1/sip-trunks -d '{"name":"pbx","max_calls":2,"options_interval":0,"next_hops":[{"host":"127.0.0.3"}]}')" \
	'^201 .*"max_calls":2' "trunk pbx (peer 127.0.0.3), max_calls 2"
like "$(api POST /api/v1/sip-trunks -d "{\"name\":\"far1\",\"max_calls\":1,\"options_interval\":0,\"next_hops\":[{\"host\":\"127.0.0.1\",\"port\":$P1}]}")" \
	'^201 ' "trunk far1 toward SIPp A, max_calls 1"
like "$(api POST /api/v1/sip-trunks -d "{\"name\":\"far2\",\"options_interval\":0,\"next_hops\":[{\"host\":\"127.0.0.1\",\"port\":$P2}]}")" \
	'^201 ' "trunk far2 toward SIPp B, unlimited"
for g in pbx far1 far2; do
	api POST /api/v1/trunk-groups -d "{\"name\":\"$g-g\",\"kind\":\"sip\",\"members\":[{\"sip_trunk\":\"$g\"}]}" >/dev/null
done
like "$(api POST /api/v1/routes -d '{"name":"out","source_group":"pbx-g","called_prefix":"","destinations":[{"group":"far1-g"},{"group":"far2-g"}]}')" \
	'^201 ' "route pbx-g -> far1-g, then far2-g"

sipp_uas ua "$P1" uas_answer.xml; ok $? "SIPp A waits behind far1"; UA=$UAS
sipp_uas ub "$P2" uas_answer.xml; ok $? "SIPp B waits behind far2"; UB=$UAS
hold() {        # hold NAME: a call from the pbx peer held 8 s, in the background
	sipp_bg "$1" "$SIP_TARGET" -sf "$SIPP_DIR/uac_hold.xml" -s 4930100234 -i 127.0.0.3 \
		-p "$(free_port)" -mp "$(free_port)" -m 1 -d 8000 -nostdin -timeout 40s -timeout_error \
		-trace_msg -message_file "$WORK/$1.msg"
	HOLD=$BG
}
diag() {        # what the daemon and SIPp said, after a failed check
	grep -v ' debug ' "$S.log" | tail -n 15 | sed 's/^/#   log: /'
	tail -n 3 "$WORK"/*.err 2>/dev/null | sed 's/^/#   /'
}
hold c1; C1=$HOLD
wait_for active far1 1; ok $? "call 1 is up on far1" || diag
hold c2; C2=$HOLD
wait_for active far2 1; ok $? "call 2 finds far1 at max_calls and the route fails over to far2"
is 1 "$(status | jq '.sip_trunks[] | select(.name == "far1") | .active_calls')" "far1 still has one call"
# the list is built when read: the calls status counts are in it at once
is "2 far1 far2" "$(curl -s -u "admin:$PW" "${URL}api/v1/calls" | jq -r '[.active, (.calls | map(.out.trunk) | sort)[]] | join(" ")')" \
	"GET /api/v1/calls lists both calls as soon as status counts them"
grep -q "at max_calls (1): the call tries the next trunk" "$S.log"; ok $? "the log says why far1 was skipped"
sipp_call c3 127.0.0.3 uac_fail.xml -s 4930100234
tr -d '\r' <"$WORK/c3.msg" >"$WORK/c3.txt"
grep -q '^SIP/2.0 503 ' "$WORK/c3.txt"; ok $? "call 3 finds pbx at max_calls 2: 503"
like "$(hdr "$WORK/c3.txt" Reason)" 'Q\.850;cause=34' "with Reason: Q.850;cause=34"
wait_for sh -c "curl -s -u 'admin:$PW' '${URL}api/v1/status' | jq -e '.sip.max_calls_refused == 2'"
ok $? "status counts the two refusals (far1 skipped, pbx's 503): $(status | jq .sip.max_calls_refused)"
like "$(curl -s -u "admin:$PW" "${URL}metrics")" 'trunkgate_sip_max_calls_refused_total [2-9]' "so does /metrics"
wait "$C1"; is 0 "$?" "call 1 ends normally"
wait "$C2"; is 0 "$?" "call 2 ends normally"
wait "$UA"; is 0 "$?" "SIPp A took exactly its call"
wait "$UB"; is 0 "$?" "SIPp B took the call that failed over"
wait_for active far1 0; ok $? "far1's count is given back"
wait_for active pbx 0; ok $? "so is pbx's"

sipp_uas ua2 "$P1" uas_answer.xml; UA=$UAS
sipp_call c4 127.0.0.3 uac_call.xml -s 4930100234; is 0 "$?" "a fourth call is answered"
wait "$UA"; is 0 "$?" "by SIPp A behind far1 again"

like "$(api PUT /api/v1/sip-trunks/far1 -d '{"max_calls":0}')" '^200 .*"max_calls":0' "max_calls 0: unlimited"
stop_daemon "$DPID"; is 0 "$STOP_RC" "trunkgated exits cleanly"
finish
