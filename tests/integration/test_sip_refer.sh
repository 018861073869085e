#!/usr/bin/env bash
# test_sip_refer.sh -- REFER (RFC 3515) on the wire, by the trunk's refer
# switch (docs/sip.md, REFER).  SIPp plays the transferor (Lync with
# EnableReferSupport) and the transfer target, tgsim the PBX user who stays:
#  (a) refer=act, blind: 202, NOTIFY 100 Trying then 200 OK (sipfrag,
#      Subscription-State terminated), BYE to the transferor; the target gets
#      an INVITE with Referred-By, and the PBX user's tone comes back through
#      the target's RTP echo (the media were re-bridged); the CDR is split;
#  (a1) PSTN -> SIP: the called SIP party (a Lync user) transfers the caller;
#  (a2) the transferor hangs up right after the 202: the transfer goes on;
#  (b) refer=act, the target is busy: NOTIFY 486, the original call goes on;
#  (c) refer=act, attended (Replaces naming a second call): the PBX user and
#      the target are joined, both transferor dialogs get BYE;
#  (d) refer=reject: 403;
#  (e) refer=pass on a SIP<->SIP call: the REFER goes on in the other dialog
#      (Refer-To pointing at the gateway), its answer and NOTIFYs come back;
#  (f) refer=pass, attended: the transferor (127.0.0.2, trunk ippbx) has a
#      call to the transferee (SIPp, RTP echo, trunk lync) and a consultation
#      call to the target (the PBX user); its REFER with Replaces naming the
#      consultation dialog is completed by the gateway: 202, NOTIFY 100 and
#      200, BYE on both transferor dialogs, the transferee and the target
#      joined (the target's tone comes back through the transferee's echo),
#      no new INVITE to either; CDRs split as for refer=act; with media
#      bypass on both SIP trunks: NOTIFY 488, the calls go on.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/sip_lib.sh"
TGSIM=${TGSIM:-$TG_BUILDDIR/tgsim}

sip_start -l debug || finish
sql() { sqlite3 -separator ' ' "$S/trunkgate.db" "$1"; }
# body FILE N: the sipfrag status line of the Nth NOTIFY in a SIPp trace
body() { tr -d '\r' <"$1" | awk '/^NOTIFY /{n++} n=='"$2"' && /^SIP\/2\.0 [0-9]/{print; exit}'; }

UAS_PORT=$(free_port)
sip_spans pbx carrier
expect_code 201 "SIP trunk lync (refer=act) toward SIPp" POST /api/v1/sip-trunks \
	-d "{\"name\":\"lync\",\"interop\":\"refer=act\",\"options_interval\":0,\"next_hops\":[{\"host\":\"127.0.0.1\",\"port\":$UAS_PORT}]}"
expect_code 201 "SIP trunk ippbx (refer=pass) from 127.0.0.2" POST /api/v1/sip-trunks \
	-d '{"name":"ippbx","interop":"refer=pass","options_interval":0,"next_hops":[{"host":"127.0.0.2","port":5999}]}'
expect_code 201 "group lync-g" POST /api/v1/trunk-groups -d '{"name":"lync-g","kind":"sip","members":[{"sip_trunk":"lync"}]}'
expect_code 201 "group ippbx-g" POST /api/v1/trunk-groups -d '{"name":"ippbx-g","kind":"sip","members":[{"sip_trunk":"ippbx"}]}'
expect_code 201 "range pbx-users" POST /api/v1/number-ranges -d '{"name":"pbx-users","prefix":"49301002","group":"pbx-g"}'
expect_code 201 "route lync -> range owner" POST /api/v1/routes -d '{"name":"from-lync","source_group":"lync-g","called_prefix":"4930","destinations":[]}'
expect_code 201 "route lync 9... -> lync" POST /api/v1/routes -d '{"name":"lync-9","source_group":"lync-g","called_prefix":"9","destinations":[{"group":"lync-g"}]}'
expect_code 201 "route ippbx 9... -> lync" POST /api/v1/routes -d '{"name":"ippbx-9","source_group":"ippbx-g","called_prefix":"9","destinations":[{"group":"lync-g"}]}'
expect_code 201 "route carrier 0... -> lync" POST /api/v1/routes -d '{"name":"carrier-0","source_group":"carrier-g","called_prefix":"0","destinations":[{"group":"lync-g"}]}'
expect_code 201 "route lync 7... -> ippbx" POST /api/v1/routes -d '{"name":"lync-7","source_group":"lync-g","called_prefix":"7","destinations":[{"group":"ippbx-g"}]}'

# uas_done NAME DESCRIPTION: the SIPp peer $UAS ended well (its errors shown if not)
uas_done() {
	local rc
	wait "$UAS"; rc=$?
	ok $rc "$2"
	[ "$rc" -eq 0 ] || tail -n 20 "$WORK/$1.err" "$WORK/$1.out" 2>/dev/null | sed 's/^/#   /'
}

# pbx_user NAME: the PBX user 4930100234 answers, plays 1004 Hz and waits
# until it comes back (only the transfer target echoes), then hangs up.
pbx_user() {
	printf '%s\n' "$PBX" "auto answer pbx" "expect link up pbx within 15" \
		"expect call to 4930100234 on pbx as p1 within 20" \
		"play tone 1004 p1" "expect tone 1004 p1 within 25" "hangup p1" \
		"expect release p1 within 10" | "$TGSIM" >"$WORK/$1.tgsim" 2>&1 &
	T=$!; PIDS+=("$T")
	wait_for grep -q '"event":"expect-ok","line":3' "$WORK/$1.tgsim"
}

# ---- (a) blind transfer, acted on ----
sipp_uas a-target "$UAS_PORT" uas_answer.xml -rtp_echo; ok $? "the transfer target (SIPp, RTP echo) waits"
pbx_user a; ok $? "the PBX span is up"
sipp_call a 127.0.0.1 uac_xfer.xml -s 4930100234 -key refer_to "sip:9123@127.0.0.1"; rc=$?
is 0 "$rc" "the transferor: 202, two NOTIFYs, then BYE from the gateway"
[ "$rc" -eq 0 ] || tail -n 40 "$WORK/a.msg" "$WORK/a.err" 2>/dev/null | sed 's/^/#   /'
like "$(body "$WORK/a.msg" 1)" '^SIP/2\.0 100 Trying$' "the first NOTIFY's sipfrag is 100 Trying"
like "$(body "$WORK/a.msg" 2)" '^SIP/2\.0 200 OK$' "the final NOTIFY's sipfrag is 200 OK"
like "$(hdr "$WORK/a.msg" Event)" '^refer;id=2$' "NOTIFY Event: refer, with the REFER's CSeq as id (RFC 3515 2.4.6)"
like "$(hdr "$WORK/a.msg" Content-Type 3)" '^message/sipfrag;version=2\.0$' "NOTIFY Content-Type message/sipfrag;version=2.0"
like "$(tr -d '\r' <"$WORK/a.msg" | grep -i '^Subscription-State:' | tail -1)" 'terminated' \
	"the final NOTIFY ends the subscription"
like "$(tr -d '\r' <"$WORK/a.msg" | grep -i '^Subscription-State:' | head -1)" 'active' \
	"the first one keeps it active"
like "$(tr -d '\r' <"$WORK/a.msg" | grep -i '^Reason:' | tail -1)" 'cause=16' "the BYE to the transferor has Reason cause 16"
wait "$T"; ok $? "the PBX user hears its tone come back from the transfer target, then hangs up"
uas_done a-target "the target took the call and the BYE after the PBX user hung up"
like "$(grep -m1 '^INVITE ' "$WORK/a-target.msg")" '^INVITE sip:9123@127\.0\.0\.1' "the target gets an INVITE for the Refer-To number"
is "<sip:5550000@127.0.0.1>" "$(hdr "$WORK/a-target.msg" Referred-By)" "with the REFER's Referred-By"
wait_for sh -c "[ \$(sqlite3 '$S/trunkgate.db' \"select count(*) from cdrs where called in ('4930100234','9123')\") -ge 2 ]"
id1=$(sql "select call_id from cdrs where called = '4930100234' and in_trunk = 'lync' order by setup_at limit 1")
is "sip lync pri pbx 16 caller" "$(sql "select in_kind, in_trunk, out_kind, out_trunk, cause, released_by from cdrs where call_id = '$id1'")" \
	"CDR 1: the call until the transfer, released by the transferor (caller)"
is "sip lync 9123 pri pbx 16 callee 1" "$(sql "select in_kind, in_trunk, calling, out_kind, out_trunk, cause, released_by, answer_at is not null from cdrs where call_id = '$id1-t1'")" \
	"CDR 2 ($id1-t1): the target with the PBX user, ended by the PBX user"

# ---- (a1) PSTN -> Lync, the Lync user (the called SIP leg) transfers blind ----
T_PORT=$(free_port)
api PUT /api/v1/sip-trunks/ippbx -d "{\"next_hops\":[{\"host\":\"127.0.0.2\",\"port\":$T_PORT}]}" >/dev/null
(cd "$WORK" && exec sipp -sf "$SIPP_DIR/uas_answer.xml" -i 127.0.0.2 -p "$T_PORT" -mp "$(free_port)" \
	-m 1 -nostdin -timeout 60s -timeout_error -rtp_echo -trace_msg -message_file "$WORK/a1-target.msg" \
	-trace_err -error_file "$WORK/a1-target.err" >"$WORK/a1-target.out" 2>&1) &
A1T=$!; PIDS+=("$A1T")
wait_for sh -c "ss -Hlun | grep -q '127.0.0.2:$T_PORT '"; ok $? "the transfer target (on trunk ippbx, RTP echo) waits"
sipp_uas a1 "$UAS_PORT" uas_xfer.xml -key refer_to "sip:7123@127.0.0.1"; ok $? "the Lync user (SIPp) waits for the PSTN call"
printf '%s\n' "$CAR" \
	"expect link up carrier within 15" "call carrier 5550009 0123456 as c1" \
	"expect answer c1 within 15" "play tone 1004 c1" "expect tone 1004 c1 within 25" \
	"hangup c1" "expect release c1 within 10" | "$TGSIM" >"$WORK/a1.tgsim" 2>&1
ok $? "the PSTN caller is answered by the Lync user, then hears its tone come back from the target"
uas_done a1 "the Lync user: 202, NOTIFY 100 and 200, then BYE from the gateway"
like "$(body "$WORK/a1.msg" 2)" '^SIP/2\.0 200 OK$' "its final NOTIFY is 200 OK"
UAS=$A1T; uas_done a1-target "the target took the transferred call and the BYE when the caller hung up"
like "$(grep -m1 '^INVITE ' "$WORK/a1-target.msg")" '^INVITE sip:7123@127\.0\.0\.2' "the target's INVITE is for 7123"
like "$(hdr "$WORK/a1-target.msg" From)" '5550009@' "the caller of the new leg is the PSTN caller"
is "<sip:+4930100555@127.0.0.1>" "$(hdr "$WORK/a1-target.msg" Referred-By)" "Referred-By as the Lync user sent it"
wait_for sh -c "[ \$(sqlite3 '$S/trunkgate.db' \"select count(*) from cdrs where calling = '5550009'\") -ge 2 ]"
is "callee|sip lync 0123456,caller|sip ippbx 7123" \
	"$(sql "select released_by || '|' || out_kind, out_trunk, called from cdrs where calling = '5550009' order by call_id" | paste -sd,)" \
	"CDRs: until the transfer (released by the Lync user, callee), then the caller with the target as -t1"

# ---- (a2) the transferor hangs up right after the 202: the transfer goes on ----
sipp_uas a2-target "$UAS_PORT" uas_answer_late.xml -rtp_echo; ok $? "a target that answers 2 s after ringing waits"
pbx_user a2
sipp_call a2 127.0.0.1 uac_xfer_leave.xml -s 4930100234 -key refer_to "sip:9125@127.0.0.1"; rc=$?
is 0 "$rc" "the transferor: 202, NOTIFY 100, then its own BYE answered 200"
[ "$rc" -eq 0 ] || tail -n 40 "$WORK/a2.msg" "$WORK/a2.err" 2>/dev/null | sed 's/^/#   /'
wait "$T"; ok $? "the PBX user is connected to the target all the same (its tone comes back)"
uas_done a2-target "the target answered, and got BYE when the PBX user hung up"
wait_for sh -c "[ \$(sqlite3 '$S/trunkgate.db' \"select count(*) from cdrs where call_id like '%-t1'\") -ge 2 ]"
is "callee" "$(sql "select released_by from cdrs where call_id like '%-t1' and called = '4930100234' and calling = '9125'")" \
	"its second CDR is there, ended by the PBX user (callee)"

# ---- (b) blind transfer to a busy target: NOTIFY 486, the call stays ----
sipp_uas b-target "$UAS_PORT" uas_busy.xml; ok $? "a busy transfer target waits"
printf '%s\n' "$PBX" "auto answer pbx" "expect link up pbx within 15" \
	"expect call to 4930100234 on pbx as p1 within 20" \
	"expect release p1 cause 16 within 30" | "$TGSIM" >"$WORK/b.tgsim" 2>&1 &
T=$!; PIDS+=("$T")
wait_for grep -q '"event":"expect-ok","line":3' "$WORK/b.tgsim"
sipp_call b 127.0.0.1 uac_xfer_fail.xml -s 4930100234 -key refer_to "sip:9124@127.0.0.1"; rc=$?
is 0 "$rc" "the transferor: 202, NOTIFY 100, NOTIFY failure, the call still up, its BYE answered 200"
[ "$rc" -eq 0 ] || tail -n 40 "$WORK/b.msg" "$WORK/b.err" 2>/dev/null | sed 's/^/#   /'
like "$(body "$WORK/b.msg" 2)" '^SIP/2\.0 486 Busy Here$' "the final NOTIFY's sipfrag is the target's 486"
wait "$T"; ok $? "the PBX user stayed in the call until the transferor hung up"
uas_done b-target "the busy target saw the INVITE and ACKed 486"
wait_for sh -c "[ \$(sqlite3 '$S/trunkgate.db' \"select count(*) from cdrs where called = '4930100234'\") -ge 5 ]"
id2=$(sql "select call_id from cdrs where called = '4930100234' and call_id not like '$id1%' order by setup_at desc limit 1")
is "0 caller" "$(sql "select (select count(*) from cdrs where call_id = '$id2-t1'), released_by from cdrs where call_id = '$id2'")" \
	"a failed transfer leaves the CDR whole, ended by the transferor's BYE"

# ---- (c) attended transfer: REFER with Replaces naming the second call ----
sipp_uas c-target "$UAS_PORT" uas_answer.xml -rtp_echo; ok $? "the target (SIPp, RTP echo) waits"
(cd "$WORK" && exec sipp "$SIP_TARGET" -sf "$SIPP_DIR/uac_consult.xml" -i 127.0.0.1 -p "$(free_port)" \
	-mp "$(free_port)" -m 1 -nostdin -timeout 40s -timeout_error -cid_str "consult-%u@trunkgate.test" \
	-s 9123 -trace_msg -message_file "$WORK/c2.msg" -trace_err -error_file "$WORK/c2.err" \
	>"$WORK/c2.out" 2>&1) &
C2=$!; PIDS+=("$C2")
wait_for grep -q '^SIP/2.0 200' "$WORK/c2.msg"; ok $? "the consult call (transferor -> target) is up"
ftag=$(tr -d '\r' <"$WORK/c2.msg" | grep -m1 '^From:' | sed 's/.*;tag=//')
ttag=$(tr -d '\r' <"$WORK/c2.msg" | sed -n '/^SIP\/2.0 200/,/^$/p' | grep -m1 '^To:' | sed 's/.*;tag=//')
pbx_user c
sipp_call c 127.0.0.1 uac_xfer.xml -s 4930100234 \
	-key refer_to "sip:9123@127.0.0.1?Replaces=consult-1%40trunkgate.test%3Bto-tag%3D$ttag%3Bfrom-tag%3D$ftag"
rc=$?
is 0 "$rc" "the transferor's first call: 202, NOTIFY 100 and 200, BYE"
[ "$rc" -eq 0 ] || tail -n 40 "$WORK/c.msg" "$WORK/c.err" 2>/dev/null | sed 's/^/#   /'
like "$(body "$WORK/c.msg" 2)" '^SIP/2\.0 200 OK$' "attended: the final NOTIFY is 200 OK"
wait "$C2"; ok $? "the consult call got the gateway's BYE"
wait "$T"; ok $? "the PBX user and the target are joined: the tone comes back through the target's echo"
uas_done c-target "the target was released when the PBX user hung up"
is 1 "$(grep -c '^INVITE ' "$WORK/c-target.msg")" "the target saw one INVITE only (the consult call's): no new call"

# a Replaces naming no call: NOTIFY 481, the call stays
printf '%s\n' "$PBX" "auto answer pbx" "expect link up pbx within 15" \
	"expect call to 4930100234 on pbx as p1 within 20" \
	"expect release p1 cause 16 within 30" | "$TGSIM" >"$WORK/c3.tgsim" 2>&1 &
T=$!; PIDS+=("$T")
wait_for grep -q '"event":"expect-ok","line":3' "$WORK/c3.tgsim"
sipp_call c3 127.0.0.1 uac_xfer_fail.xml -s 4930100234 \
	-key refer_to "sip:9123@127.0.0.1?Replaces=nosuch%40x%3Bto-tag%3D1%3Bfrom-tag%3D2"
ok $? "a REFER with Replaces naming no call: 202, NOTIFYs, the call goes on"
like "$(body "$WORK/c3.msg" 2)" '^SIP/2\.0 481 ' "the final NOTIFY says 481"
wait "$T"

# ---- (d) refer=reject: 403 ----
api PUT /api/v1/sip-trunks/lync -d '{"interop":"refer=reject"}' >/dev/null
sleep 1
printf '%s\n' "$PBX" "auto answer pbx" "expect link up pbx within 15" \
	"expect call to 4930100234 on pbx as p1 within 20" \
	"expect release p1 within 30" | "$TGSIM" >"$WORK/d.tgsim" 2>&1 &
T=$!; PIDS+=("$T")
wait_for grep -q '"event":"expect-ok","line":3' "$WORK/d.tgsim"
sipp_call d 127.0.0.1 uac_refer.xml -s 4930100234 -key refer_to "sip:9123@127.0.0.1"
ok $? "refer=reject: the REFER gets 403, the call goes on and ends with BYE"
wait "$T"

# ---- (e) refer=pass on a SIP<->SIP call ----
sipp_uas e-far "$UAS_PORT" uas_refer_pass.xml; ok $? "the far SIP party waits"
sipp_call e 127.0.0.2 uac_xfer_fail.xml -s 9123 -key refer_to "sip:4930100777@192.0.2.9"; rc=$?
is 0 "$rc" "refer=pass: the transferor gets 202 and the NOTIFYs relayed, the call goes on until its BYE"
[ "$rc" -eq 0 ] || tail -n 40 "$WORK/e.msg" "$WORK/e.err" 2>/dev/null | sed 's/^/#   /'
uas_done e-far "the far party took the passed REFER, sent its NOTIFY and got the BYE"
like "$(hdr "$WORK/e-far.msg" Refer-To)" "^<sip:4930100777@${SIP_TARGET%%;*}>\$" \
	"the passed REFER's Refer-To names the number at the gateway (topology hiding)"
like "$(hdr "$WORK/e-far.msg" Referred-By)" "^<sip:5550000@${SIP_TARGET%%;*}>\$" "and so does Referred-By"
like "$(body "$WORK/e.msg" 1)" '^SIP/2\.0 100 Trying$' "the far party's NOTIFYs are relayed to the transferor: 100 Trying"
like "$(body "$WORK/e.msg" 2)" '^SIP/2\.0 200 OK$' "... and 200 OK"
like "$(tr -d '\r' <"$WORK/e.msg" | grep -i '^Subscription-State:' | paste -sd' ')" 'active.*terminated' \
	"with their subscription states (active, then terminated)"

# the far party refuses the passed REFER: its 403 is the answer to ours
sipp_uas e2-far "$UAS_PORT" uas_refer_refuse.xml; ok $? "a far SIP party that refuses REFER waits"
sipp_call e2 127.0.0.2 uac_refer.xml -s 9123 -key refer_to "sip:4930100777@192.0.2.9"
ok $? "refer=pass: the far party's 403 comes back as the answer to the transferor's REFER; the call goes on"
uas_done e2-far "the far party refused the REFER and got the BYE"

# ---- (f) refer=pass, attended: both calls through the gateway ----
expect_code 201 "route ippbx 4930... -> range owner" POST /api/v1/routes \
	-d '{"name":"ippbx-4930","source_group":"ippbx-g","called_prefix":"4930","destinations":[]}'
sleep 1
pbx_user f; ok $? "the target (PBX user) waits"
(cd "$WORK" && exec sipp "$SIP_TARGET" -sf "$SIPP_DIR/uac_consult.xml" -i 127.0.0.2 -p "$(free_port)" \
	-mp "$(free_port)" -m 1 -nostdin -timeout 40s -timeout_error -cid_str "fconsult-%u@ippbx.test" \
	-s 4930100234 -trace_msg -message_file "$WORK/f2.msg" -trace_err -error_file "$WORK/f2.err" \
	>"$WORK/f2.out" 2>&1) &
F2=$!; PIDS+=("$F2")
wait_for grep -q '^SIP/2.0 200' "$WORK/f2.msg"; ok $? "the consultation call (transferor -> PBX user) is up"
ftag=$(tr -d '\r' <"$WORK/f2.msg" | grep -m1 '^From:' | sed 's/.*;tag=//')
ttag=$(tr -d '\r' <"$WORK/f2.msg" | sed -n '/^SIP\/2.0 200/,/^$/p' | grep -m1 '^To:' | sed 's/.*;tag=//')
sipp_uas f-xferee "$UAS_PORT" uas_answer.xml -rtp_echo; ok $? "the transferee (SIPp, RTP echo) waits"
sipp_call f 127.0.0.2 uac_xfer.xml -s 9123 \
	-key refer_to "sip:4930100234@127.0.0.1?Replaces=fconsult-1%40ippbx.test%3Bto-tag%3D$ttag%3Bfrom-tag%3D$ftag"
rc=$?
is 0 "$rc" "refer=pass with Replaces: the transferor's first call gets 202, NOTIFY 100 and 200, BYE"
[ "$rc" -eq 0 ] || tail -n 40 "$WORK/f.msg" "$WORK/f.err" 2>/dev/null | sed 's/^/#   /'
like "$(body "$WORK/f.msg" 1)" '^SIP/2\.0 100 Trying$' "the first NOTIFY: 100 Trying"
like "$(body "$WORK/f.msg" 2)" '^SIP/2\.0 200 OK$' "the final NOTIFY: 200 OK"
wait "$F2"; ok $? "the consultation dialog got the gateway's BYE"
wait "$T"; ok $? "the transferee and the target are joined: the target's tone comes back through the transferee's echo"
uas_done f-xferee "the transferee was released when the target hung up"
is 1 "$(grep -c '^INVITE ' "$WORK/f-xferee.msg")" "the transferee saw one INVITE only (its first call's): no new call"
is 0 "$(grep -c '^REFER ' "$WORK/f-xferee.msg")" "and no REFER (the gateway completed the transfer)"
grep -q 'refer=pass with Replaces: the gateway joins the calls itself' "$S.log"; ok $? "the log says the gateway joined the calls"
wait_for sh -c "[ \$(sqlite3 '$S/trunkgate.db' \"select count(*) from cdrs where called = '9123' and in_trunk = 'ippbx'\") -ge 1 ]"
fid=$(sql "select call_id from cdrs where called = '9123' and in_trunk = 'ippbx' order by setup_at desc limit 1")
wait_for sh -c "[ \$(sqlite3 '$S/trunkgate.db' \"select count(*) from cdrs where call_id = '$fid-t1'\") -eq 1 ]"
is "caller 16" "$(sql "select released_by, cause from cdrs where call_id = '$fid'")" \
	"the first call's record up to the transfer: ended by the transferor (caller), cause 16"
is "pri pbx 9123" "$(sql "select in_kind, in_trunk, called from cdrs where call_id = '$fid-t1'")" \
	"it goes on as $fid-t1 with the target (the PBX) in the transferor's place"

# the same with media bypass on both SIP trunks: the SDP passes end to end,
# a join cannot re-bridge it: NOTIFY 488, the calls go on
api PUT /api/v1/sip-trunks/ippbx -d '{"media_bypass":true}' >/dev/null
api PUT /api/v1/sip-trunks/lync -d '{"media_bypass":true}' >/dev/null
sleep 1
printf '%s\n' "$PBX" "auto answer pbx" "expect link up pbx within 15" \
	"expect call to 4930100234 on pbx as p1 within 20" \
	"expect release p1 cause 16 within 40" | "$TGSIM" >"$WORK/g.tgsim" 2>&1 &
T=$!; PIDS+=("$T")
wait_for grep -q '"event":"expect-ok","line":3' "$WORK/g.tgsim"
(cd "$WORK" && exec sipp "$SIP_TARGET" -sf "$SIPP_DIR/uac_consult.xml" -i 127.0.0.2 -p "$(free_port)" \
	-mp "$(free_port)" -m 1 -nostdin -timeout 40s -timeout_error -cid_str "gconsult-%u@ippbx.test" \
	-s 4930100234 -trace_msg -message_file "$WORK/g2.msg" -trace_err -error_file "$WORK/g2.err" \
	>"$WORK/g2.out" 2>&1) &
G2=$!; PIDS+=("$G2")
wait_for grep -q '^SIP/2.0 200' "$WORK/g2.msg"; ok $? "bypass: the consultation call is up"
ftag=$(tr -d '\r' <"$WORK/g2.msg" | grep -m1 '^From:' | sed 's/.*;tag=//')
ttag=$(tr -d '\r' <"$WORK/g2.msg" | sed -n '/^SIP\/2.0 200/,/^$/p' | grep -m1 '^To:' | sed 's/.*;tag=//')
sipp_uas g-xferee "$UAS_PORT" uas_answer.xml; ok $? "bypass: the transferee waits"
sipp_call g 127.0.0.2 uac_xfer_fail.xml -s 9123 \
	-key refer_to "sip:4930100234@127.0.0.1?Replaces=gconsult-1%40ippbx.test%3Bto-tag%3D$ttag%3Bfrom-tag%3D$ftag"
ok $? "bypass: 202, NOTIFYs, the first call goes on until the transferor's BYE"
like "$(body "$WORK/g.msg" 2)" '^SIP/2\.0 488 ' "bypass: the final NOTIFY says 488"
uas_done g-xferee "bypass: the transferee kept its call until the transferor's BYE"
gid=$(curl -s -u "admin:$PW" "${URL}api/v1/calls" | jq -r '.calls[] | select(.called == "4930100234") | .id')
like "$gid" '^tg-' "bypass: the consultation call is still up"
api DELETE "/api/v1/calls/$gid" >/dev/null
wait "$G2"; ok $? "the consultation call ends with the operator's hang-up (BYE)"
wait "$T"; ok $? "and the PBX user is released"

finish
