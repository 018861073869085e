#!/usr/bin/env bash
# test_sip_interop.sh -- the SIP trunks' interop switches on the wire (SIPp
# checks the exact headers, tgsim plays the PRI side): the lync2013 and itsp
# profiles and overrides (number format, URI form, identity headers, early
# media, 100rel, session timers, cause map), caller identity and privacy in
# both directions, redirecting number <-> Diversion / History-Info, 3xx.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/sip_lib.sh"
TGSIM=${TGSIM:-$TG_BUILDDIR/tgsim}

sip_start -l debug || finish
trunk() {               # trunk PROFILE INTEROP: the trunk "t" toward SIPp on UAS_PORT
	api PUT /api/v1/sip-trunks/t -d "{\"profile\":\"$1\",\"interop\":\"$2\"}" >/dev/null
}

UAS_PORT=$(free_port)
sip_spans pbx carrier
expect_code 201 "SIP trunk t toward SIPp" POST /api/v1/sip-trunks \
	-d "{\"name\":\"t\",\"options_interval\":0,\"next_hops\":[{\"host\":\"127.0.0.1\",\"port\":$UAS_PORT}]}"
expect_code 201 "group t-g" POST /api/v1/trunk-groups -d '{"name":"t-g","kind":"sip","members":[{"sip_trunk":"t"}]}'
expect_code 201 "range pbx-users" POST /api/v1/number-ranges -d '{"name":"pbx-users","prefix":"49301002","group":"pbx-g"}'
expect_code 201 "route t -> range owner" POST /api/v1/routes -d '{"name":"from-t","source_group":"t-g","called_prefix":"4930","destinations":[]}'
expect_code 201 "route carrier -> t" POST /api/v1/routes -d '{"name":"to-t","source_group":"carrier-g","called_prefix":"","destinations":[{"group":"t-g"}]}'

# carrier_call NAME TGSIM-CALL-OPTIONS...: the carrier calls through to SIPp
# (already waiting as $UAS), which answers; the carrier hangs up.
carrier_call() {
	local name=$1; shift
	printf '%s\n' "$CAR" "expect link up carrier within 15" \
		"call carrier $* as c1" \
		"expect answer c1 within 15" "hangup c1" \
		"expect release c1 cause 16 within 5" | "$TGSIM" >"$WORK/$name.tgsim" 2>&1
}

# ---- profiles and overrides on an outgoing INVITE ----
trunk generic ""
sipp_uas g1 "$UAS_PORT" uas_answer.xml; ok $? "SIPp waits for the generic trunk's INVITE"
carrier_call g1 5550001 0123456 ton=1; ok $? "generic: the carrier's call is answered by SIPp"
wait "$UAS"; ok $? "SIPp took the call and the BYE"
like "$(grep -m1 '^INVITE ' "$WORK/g1.msg")" '^INVITE sip:0123456@127\.0\.0\.1:[0-9]+;transport=udp SIP/2\.0' \
	"generic: number as it is, sip: URI with the next hop's transport"
like "$(hdr "$WORK/g1.msg" P-Asserted-Identity)" '^<sip:5550001@127\.0\.0\.1>$' "generic: P-Asserted-Identity"
is "" "$(hdr "$WORK/g1.msg" Remote-Party-ID)" "generic: no Remote-Party-ID"

trunk lync2013 ""
sipp_uas l1 "$UAS_PORT" uas_answer.xml
carrier_call l1 5550001 4930123 ton=1; ok $? "lync2013: the carrier's call is answered"
wait "$UAS"; ok $? "SIPp took the call and the BYE"
like "$(grep -m1 '^INVITE ' "$WORK/l1.msg")" '^INVITE sip:\+4930123@127\.0\.0\.1:[0-9]+;user=phone;transport=udp SIP/2\.0' \
	"lync2013: an international number gets + and ;user=phone"
like "$(hdr "$WORK/l1.msg" To)" '^<sip:\+4930123@127\.0\.0\.1:[0-9]+;user=phone>' "lync2013: To in the same form"
like "$(hdr "$WORK/l1.msg" P-Asserted-Identity)" '^<sip:\+5550001@127\.0\.0\.1;user=phone>$' "lync2013: P-Asserted-Identity E.164"

trunk itsp "uri=tel,session_timer=0,100rel=off"
sipp_uas i1 "$UAS_PORT" uas_answer.xml
carrier_call i1 5550001 4930123 ton=1; ok $? "itsp with uri=tel: the carrier's call is answered"
wait "$UAS"; ok $? "SIPp took the call and the BYE"
like "$(grep -m1 '^INVITE ' "$WORK/i1.msg")" '^INVITE sip:\+4930123@127\.0\.0\.1:[0-9]+;user=phone;transport=udp ' \
	"uri=tel: the Request-URI stays sip:...;user=phone (it must reach the next hop)"
like "$(hdr "$WORK/i1.msg" To)" '^<tel:\+4930123>' "uri=tel: To is a tel: URI"
is "<tel:+5550001>" "$(hdr "$WORK/i1.msg" P-Asserted-Identity)" "itsp: P-Asserted-Identity tel:"
is "<tel:+5550001>;party=calling;screen=yes;privacy=off" "$(hdr "$WORK/i1.msg" Remote-Party-ID)" \
	"itsp (identity=both): Remote-Party-ID too"

# ---- redirecting number: PRI -> Diversion / History-Info ----
trunk generic ""
sipp_uas d1 "$UAS_PORT" uas_answer.xml
carrier_call d1 5550001 4930123 ton=1 redirecting=4930111 reason=1; ok $? "a forwarded PRI call reaches SIPp"
wait "$UAS"; ok $? "SIPp took it"
is "<sip:4930111@127.0.0.1>;reason=user-busy;counter=1" "$(hdr "$WORK/d1.msg" Diversion)" \
	"generic: the redirecting number and reason (busy) as Diversion"
is "" "$(hdr "$WORK/d1.msg" History-Info)" "generic: no History-Info"
trunk lync2013 ""
sipp_uas d2 "$UAS_PORT" uas_answer.xml
carrier_call d2 5550001 4930123 ton=1 redirecting=4930111 reason=15; ok $? "a forwarded PRI call reaches SIPp (lync2013)"
wait "$UAS"; ok $? "SIPp took it"
like "$(hdr "$WORK/d2.msg" History-Info)" '^<sip:\+4930111@127\.0\.0\.1;user=phone\?Reason=SIP%3Bcause%3D302>;index=1,<sip:\+4930123@127\.0\.0\.1:[0-9]+;user=phone>;index=1\.1$' \
	"lync2013: History-Info, the redirecting entry with cause 302 (unconditional), then the target"
is "" "$(hdr "$WORK/d2.msg" Diversion)" "lync2013: no Diversion"

# ---- SIP -> PRI: identity, privacy, redirection; lync2013's 183 at once ----
# pbx_expect NAME NUMBER: the PBX answers the next call to NUMBER
pbx_expect() {
	printf '%s\n' "$PBX" "auto answer pbx" "expect link up pbx within 15" \
		"expect call to $2 on pbx as p1 within 20" \
		"expect release p1 within 20" | "$TGSIM" >"$WORK/pbx-$1.out" 2>&1 &
	T=$!; PIDS+=("$T")
	wait_for grep -q '"event":"expect-ok","line":3' "$WORK/pbx-$1.out"
}
trunk lync2013 ""
pbx_expect r1 4930100234; ok $? "the PBX span is up"
sipp_call r1 127.0.0.1 uac_hdrs.xml -s +4930100234 -key from "sip:anonymous@anonymous.invalid" \
	-key h1 "Remote-Party-ID: <sip:+4930555777@127.0.0.1;user=phone>;party=calling;privacy=full;screen=yes" \
	-key h2 "Diversion: <sip:+4930100299@127.0.0.1;user=phone>;reason=no-answer;counter=1"
ok $? "lync2013: SIPp's call with Remote-Party-ID and Diversion is answered by the PBX"
wait "$T"
in=$(grep '"event":"call-in"' "$WORK/pbx-r1.out")
like "$in" '"from":"4930555777","to":"4930100234"' "the caller from Remote-Party-ID, E.164 + taken off"
like "$in" '"pres":1' "Remote-Party-ID privacy=full: presentation restricted on the PRI"
like "$in" '"calling_ton":1' "a + number is international on the PRI"
like "$in" '"redirecting":"4930100299","reason":2' "Diversion is the PRI redirecting number, reason no reply"
like "$(sed -n '/^SIP\/2.0 1[0-9][0-9]/p' "$WORK/r1.msg" | grep -v '^SIP/2.0 100' | head -1)" '^SIP/2\.0 183 ' \
	"lync2013: the first provisional response is 183 ..."
like "$(tr -d '\r' <"$WORK/r1.msg" | sed -n '/^SIP\/2.0 183/,/^m=/p' | grep '^m=audio')" '^m=audio' "... with SDP"

trunk generic ""
pbx_expect r2 4930100234
sipp_call r2 127.0.0.1 uac_hdrs.xml -s 4930100234 -key from "sip:5550000@127.0.0.1" \
	-key h1 "Privacy: id" \
	-key h2 "History-Info: <sip:4930100288@127.0.0.1?Reason=SIP%3Bcause%3D302>;index=1,<sip:4930100234@127.0.0.1>;index=1.1"
ok $? "generic: SIPp's call with Privacy and History-Info is answered by the PBX"
wait "$T"
in=$(grep '"event":"call-in"' "$WORK/pbx-r2.out")
like "$in" '"from":"5550000","to":"4930100234"' "the caller from From"
like "$in" '"pres":1' "Privacy: id: presentation restricted"
like "$in" '"redirecting":"4930100288","reason":15' "History-Info's redirecting entry (cause 302: unconditional)"
like "$(sed -n '/^SIP\/2.0 1[0-9][0-9]/p' "$WORK/r2.msg" | grep -v '^SIP/2.0 100' | head -1)" '^SIP/2\.0 (180|200)|^$' \
	"generic: no 183 before the PBX alerts"

# ---- cause map override ----
trunk generic "cause.17=600"
printf '%s\n' "$PBX" "auto reject 17 pbx" "expect link up pbx within 15" \
	"expect call to 4930100299 on pbx within 20" "expect release within 20" \
	| "$TGSIM" >"$WORK/pbx-c1.out" 2>&1 &
T=$!; PIDS+=("$T")
wait_for grep -q '"event":"expect-ok","line":3' "$WORK/pbx-c1.out"
sipp_call c1 127.0.0.1 uac_fail.xml -s 4930100299; ok $? "SIPp's INVITE to a busy PBX user ends"
wait "$T"
like "$(grep -m1 '^SIP/2.0 [3-6]' "$WORK/c1.msg")" '^SIP/2.0 600' "cause.17=600: busy is 600 on this trunk"
like "$(hdr "$WORK/c1.msg" Reason)" 'Q\.850;cause=17' "with Reason: Q.850;cause=17"

# ---- 3xx: followed, or returned to the PRI caller ----
P2=$(free_port)
trunk generic ""
sipp_uas x2 "$P2" uas_answer.xml; UAS2=$UAS
sipp_uas x1 "$UAS_PORT" uas_302.xml -key target "sip:moved@127.0.0.1:$P2"
carrier_call x1 5550001 4930123; ok $? "redirect=follow: the call is answered where the 302 points"
wait "$UAS"; ok $? "the first SIPp sent 302 and got the ACK"
wait "$UAS2"; ok $? "the second SIPp took the call and the BYE"
like "$(grep -m1 '^INVITE ' "$WORK/x2.msg")" "^INVITE sip:moved@127\.0\.0\.1:$P2 " "the new INVITE goes to the Contact"
trunk generic "redirect=return"
sipp_uas x3 "$UAS_PORT" uas_302.xml -key target "sip:moved@127.0.0.1:$P2"
printf '%s\n' "$CAR" "expect link up carrier within 15" "call carrier 5550001 4930123 as c1" \
	"expect release c1 cause 23 within 15" | "$TGSIM" >"$WORK/x3.tgsim" 2>&1
ok $? "redirect=return: the PRI caller gets cause 23 (redirection to new destination)"
wait "$UAS"; ok $? "SIPp sent 302 and got the ACK"

# ---- REFER: refused with 403 (refer=reject; act and pass: test_sip_refer.sh) ----
trunk generic ""
pbx_expect f1 4930100234
sipp_call f1 127.0.0.1 uac_refer.xml -s 4930100234 -key refer_to "sip:4930100235@127.0.0.1"
ok $? "refer=reject: a REFER in the call gets 403, the call goes on and ends with BYE"
wait "$T"; ok $? "the PBX's call ended normally"
like "$(hdr "$WORK/f1.msg" Allow)" 'REFER' "the gateway's Allow lists REFER"

# ---- 100rel (RFC 3262) ----
trunk itsp "session_timer=0"
sipp_uas p1 "$UAS_PORT" uas_prack.xml; ok $? "SIPp waits, sending its 183 reliably"
carrier_call p1 5550001 4930123; ok $? "itsp (100rel on): the call through a reliable 183 is answered"
wait "$UAS"; ok $? "SIPp got Supported: 100rel, a PRACK with RAck: 4711 1 INVITE, the ACK and the BYE"
like "$(hdr "$WORK/p1.msg" Supported)" '100rel' "the INVITE says Supported: 100rel"
trunk generic "100rel=require"
sipp_uas p2 "$UAS_PORT" uas_prack.xml
carrier_call p2 5550001 4930123; ok $? "100rel=require: the call is answered"
wait "$UAS"; ok $? "SIPp saw the PRACK"
like "$(hdr "$WORK/p2.msg" Require)" '100rel' "100rel=require: the INVITE says Require: 100rel"
trunk generic "100rel=on"
pbx_expect p3 4930100234
sipp_call p3 127.0.0.1 uac_prack.xml -s 4930100234
ok $? "100rel=on: a caller with Supported: 100rel gets a reliable 18x (Require: 100rel, RSeq), PRACKs, is answered"
wait "$T"
like "$(tr -d '\r' <"$WORK/p3.msg" | sed -n '/^SIP\/2.0 18[03]/,/^$/p' | grep -i '^RSeq:')" '^RSeq: [0-9]+$' "the 18x carries RSeq"

# ---- session timers (RFC 4028): a refresh, and a dead peer's call ended ----
P3=$(free_port)
expect_code 201 "SIP trunk t2 on a second SIPp" POST /api/v1/sip-trunks \
	-d "{\"name\":\"t2\",\"options_interval\":0,\"interop\":\"session_timer=90,refresher=us\",\"next_hops\":[{\"host\":\"127.0.0.2\",\"port\":$P3}]}"
expect_code 201 "group t2-g" POST /api/v1/trunk-groups -d '{"name":"t2-g","kind":"sip","members":[{"sip_trunk":"t2"}]}'
expect_code 201 "route carrier 77 -> t2" POST /api/v1/routes -d '{"name":"to-t2","source_group":"carrier-g","called_prefix":"77","destinations":[{"group":"t2-g"}]}'
trunk generic "session_timer=90,refresher=us"
# Both SIPp echo RTP (-rtp_echo): the calls last past the 60 s RTP timeout,
# so what ends the dead peer's call is its failed session refresh.
# c1 is hung up 15 s after c2's release: nua picks the refresh time within a
# range, so c1's refresh may come after c2's failed one (check 78 saw none).
sipp_uas s1 "$UAS_PORT" uas_timer.xml -key se "90;refresher=uac" -timeout 150s -rtp_echo; UAS1=$UAS
(cd "$WORK" && exec sipp -sf "$SIPP_DIR/uas_dead.xml" -i 127.0.0.2 -p "$P3" -mp "$(free_port)" \
	-m 1 -nostdin -timeout 150s -timeout_error -trace_msg -message_file "$WORK/s2.msg" \
	-key se "90;refresher=uac" -rtp_echo >"$WORK/s2.out" 2>&1) &
UAS2=$!; PIDS+=("$UAS2")
wait_for sh -c "ss -Hlun | grep -q '127.0.0.2:$P3 '"
printf '%s\n' "$CAR" "expect link up carrier within 15" \
	"call carrier 5550001 4930123 as c1" "expect answer c1 within 15" \
	"call carrier 5550002 77123 as c2" "expect answer c2 within 15" \
	"expect release c2 cause 102 within 110" "sleep 15" "hangup c1" "expect release c1 cause 16 within 5" \
	| "$TGSIM" >"$WORK/s.tgsim" 2>&1
ok $? "two calls with session timers: the one whose peer died is released (cause 102), the other lives on"
wait "$UAS1"; ok $? "SIPp 1 (gateway refreshes) took the refresh and the final BYE"
kill "$UAS2" 2>/dev/null; wait "$UAS2" 2>/dev/null
like "$(grep -c '^INVITE ' "$WORK/s2.msg")" '^([2-9]|[1-9][0-9])$' "SIPp 2 (dead) got the refresh re-INVITE and its retransmissions, unanswered"
like "$(hdr "$WORK/s1.msg" Session-Expires)" '^90;refresher=uac' "our INVITE: Session-Expires: 90;refresher=uac"
like "$(hdr "$WORK/s1.msg" Supported)" 'timer' "and Supported: timer"
# distinct INVITE/UPDATE transactions (CSeq numbers): retransmissions of a
# request on a slow run (ASan) are the same transaction, not another refresh
like "$(tr -d '\r' <"$WORK/s1.msg" | grep -i '^CSeq: *[0-9]* *\(INVITE\|UPDATE\)$' | awk '{print $2}' | sort -u | wc -l)" '^[23]$' \
	"the gateway refreshed the live session (re-INVITE or UPDATE before the 90 s ran out)"
t_rel=$(grep '"event":"released","span":"carrier","call":"c2"' "$WORK/s.tgsim" | sed 's/.*"t":\([0-9.]*\).*/\1/')
t_ans=$(grep '"event":"answered","span":"carrier","call":"c2"' "$WORK/s.tgsim" | sed 's/.*"t":\([0-9.]*\).*/\1/')
ok "$(awk -v a="$t_ans" -v r="$t_rel" 'BEGIN { d = r - a; exit !(d >= 40 && d <= 110) }'; echo $?)" \
	"the dead peer's call ended once its refresh went unanswered (answered at $t_ans s, released at $t_rel s)"

# ---- API ----
r=$(api PUT /api/v1/sip-trunks/t -d '{"interop":"early_media=sometimes"}')
like "$r" '^400 .*"field":"interop"' "a bad interop switch is a 400 naming interop"
like "$r" 'early_media=sometimes' "and the message names the item"
r=$(api PUT /api/v1/sip-trunks/t -d '{"interop":"100rel=require, cause.34=486"}')
like "$r" '^200 .*"interop":"100rel=require, cause.34=486"' "a good one is stored as given"

finish
