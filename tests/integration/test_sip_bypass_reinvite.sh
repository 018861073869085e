#!/bin/bash
# SIP<->SIP media bypass as a true pass-through (docs/media.md, "Media
# bypass"; daemon/sip/trunk_pass.c).  SIPp "lync" (uac_pass.xml, from
# 127.0.0.2) calls through trunkgated to SIPp "itsp" (uas_pass.xml), both
# trunks media_bypass on; every SDP carries its own address, port and o=
# version, and the test compares the SDP bytes each SIPp sent with what the
# other one got:
#  (f) while the call is up, the live call shows media_bypass and no RTP
#      session on either leg;
#  (a) the caller's hold re-INVITE (a=sendonly) reaches the callee byte for
#      byte, its answer (a=recvonly) comes back byte for byte;
#  (b) the resuming re-INVITE from a new media address the same way;
#  (c) the callee's re-INVITE without SDP reaches the caller without SDP,
#      the caller's offer in its 200 is the offer in the callee's 200, the
#      callee's answer in its ACK is the answer in the caller's ACK;
#  (e) a re-INVITE the callee refuses with 488 is refused with 488, and the
#      call goes on; then a re-INVITE repeating the caller's last SDP (a
#      session refresh) is answered by the gateway itself with the callee's
#      last SDP, and the callee never sees it; BYE ends the call normally;
#  (g) glare: a re-INVITE of the callee's crossing one passed to it gets
#      491, and its 491 goes back to the caller; the call goes on;
#  (h) an UPDATE with SDP is passed on (as a re-INVITE), its answer comes
#      back in our 200; one without SDP (a refresh) is answered here;
#  (d) a delayed-offer INVITE (no SDP) passes through: no SDP to the
#      callee, its offer in the caller's 200, the caller's answer in its ACK;
#  (i) a callee forking like Lync: early media from the first fork with SDP
#      only, the answering fork's SDP in the 200, a second 200 ended.
# Headers stay topology-hidden: the callee never sees the caller's address.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/sip_lib.sh"

sip_start || finish
calls() { curl -s -u "admin:$PW" "${URL}api/v1/calls"; }

# sipmsg FILE sent|received REGEX [N]: the Nth (default 1st) SIP message
# SIPp traced in FILE whose first line matches REGEX, CR stripped
sipmsg() {
	python3 - "$@" <<'EOF'
import re, sys
path, way, rx = sys.argv[1:4]
n = int(sys.argv[4]) if len(sys.argv) > 4 else 1
text = open(path, errors="replace").read().replace("\r", "")
hits = []
for rec in re.split(r"\n-{20,}[^\n]*\n", "\n" + text):
    m = re.match(r"\s*\S+ message (sent|received) (?:\[\d+\] bytes :|\(\d+ bytes\):)\n\n(.*)",
                 rec, re.S)
    if m and m.group(1) == way and re.match(rx, m.group(2)):
        hits.append(m.group(2).rstrip("\n") + "\n")
sys.stdout.write(hits[n - 1] if len(hits) >= n else "")
EOF
}
body() { sed '1,/^$/d'; }              # the body of a message on stdin
heads() { sed '/^$/q'; }               # its start line and headers
# same_body A B DESCRIPTION: two messages' bodies, non-empty and equal
same_body() {
	local a b
	a=$(body <<<"$1") b=$(body <<<"$2")
	if [ -n "$a" ] && [ "$a" = "$b" ]; then ok 0 "$3"; else
		ok 1 "$3"; diff <(echo "$a") <(echo "$b") | sed 's/^/#   /'; fi
}

UAS_PORT=$(free_port)
r=$(api POST /api/v1/sip-trunks -d '{"name":"lync","options_interval":0,"media_bypass":true,"next_hops":[{"host":"127.0.0.2"}]}')
like "$r" '^201 .*"media_bypass":true' "SIP trunk lync with media bypass"
r=$(api POST /api/v1/sip-trunks -d "{\"name\":\"itsp\",\"options_interval\":0,\"media_bypass\":true,\"next_hops\":[{\"host\":\"127.0.0.1\",\"port\":$UAS_PORT}]}")
like "$r" '^201 .*"media_bypass":true' "SIP trunk itsp with media bypass"
like "$(api POST /api/v1/trunk-groups -d '{"name":"lync-g","kind":"sip","members":[{"sip_trunk":"lync"}]}')" '^201 ' "group lync-g"
like "$(api POST /api/v1/trunk-groups -d '{"name":"itsp-g","kind":"sip","members":[{"sip_trunk":"itsp"}]}')" '^201 ' "group itsp-g"
r=$(api POST /api/v1/routes -d '{"name":"out","source_group":"lync-g","called_prefix":"0","destinations":[{"group":"itsp-g"}]}')
like "$r" '^201 ' "route lync -> itsp for 0..."
g=$(sed 's/^[0-9]* //' <<<"$r" | jq -r '.generation // 0')
wait_for sh -c "curl -s -u 'admin:$PW' '${URL}api/v1/status' | jq -e '.config.generation >= ${g:-0}' >/dev/null"

sipp_uas p_uas "$UAS_PORT" uas_pass.xml; U=$UAS
sipp_call p 127.0.0.2 uac_pass.xml -s 0401 >/dev/null &
C=$!; PIDS+=("$C")

# (f) the live call during the first 2.5 s
wait_for sh -c "curl -s -u 'admin:$PW' '${URL}api/v1/calls' | jq -e '.calls[0].state == \"answered\"' >/dev/null"
is "true null null" "$(calls | jq -r '.calls[0] | "\(.media_bypass) \(.media.in) \(.media.out)"')" \
	"(f) live call: media_bypass true, no RTP session on either leg"

wait "$C"; rc=$?
is 0 "$rc" "the caller's scenario runs to its end (hold, resume, 3pcc, 488, refresh, glare, UPDATE, BYE)"
[ "$rc" -eq 0 ] && wait "$U"; rc=$?
is 0 "$rc" "the callee's scenario runs to its end"
[ "$rc" -eq 0 ] || tail -n 30 "$WORK/p.err" "$WORK/p_uas.err" "$WORK/p.out" 2>/dev/null | sed 's/^/#   /'
A=$WORK/p.msg B=$WORK/p_uas.msg

# the initial offer and answer, and the early media answer in the 183
same_body "$(sipmsg "$A" sent 'INVITE ')" "$(sipmsg "$B" received 'INVITE ')" \
	"the caller's offer reaches the callee byte for byte"
same_body "$(sipmsg "$B" sent 'SIP/2.0 183')" "$(sipmsg "$A" received 'SIP/2.0 183')" \
	"the callee's 183 answer (early media) reaches the caller byte for byte"
same_body "$(sipmsg "$B" sent 'SIP/2.0 200')" "$(sipmsg "$A" received 'SIP/2.0 200')" \
	"and its 200 answer"

# (a) hold
a_sent=$(sipmsg "$A" sent 'INVITE ' 2) b_got=$(sipmsg "$B" received 'INVITE ' 2)
like "$(body <<<"$b_got")" '^c=IN IP4 127\.0\.0\.77$' "(a) the callee's hold re-INVITE has the caller's c="
like "$(body <<<"$b_got")" '^m=audio 40000 RTP/AVP 0 8 101$' "(a) and m="
like "$(body <<<"$b_got")" '^a=sendonly$' "(a) and a=sendonly"
like "$(body <<<"$b_got")" '^a=x-ms-test:bypass$' "(a) an unknown a= line is kept"
same_body "$a_sent" "$b_got" "(a) the hold offer reaches the callee byte for byte"
heads <<<"$b_got" | grep -q '127\.0\.0\.2'
ok $((!$?)) "(a) its headers do not name the caller's address (topology hiding)"
b_sent=$(sipmsg "$B" sent 'SIP/2.0 200' 2) a_got=$(sipmsg "$A" received 'SIP/2.0 200' 2)
like "$(body <<<"$a_got")" 'a=recvonly' "(a) the caller gets the callee's a=recvonly answer"
same_body "$b_sent" "$a_got" "(a) that answer byte for byte"

# (b) resume from a new address
same_body "$(sipmsg "$A" sent 'INVITE ' 3)" "$(sipmsg "$B" received 'INVITE ' 3)" \
	"(b) the resuming offer (127.0.0.79:40010) reaches the callee byte for byte"
like "$(sipmsg "$B" received 'INVITE ' 3 | body)" '^c=IN IP4 127\.0\.0\.79$' "(b) with the new media address"
like "$(sipmsg "$B" received 'INVITE ' 3 | body)" '^m=audio 40010 ' "(b) and port"
same_body "$(sipmsg "$B" sent 'SIP/2.0 200' 3)" "$(sipmsg "$A" received 'SIP/2.0 200' 3)" \
	"(b) its answer comes back byte for byte"

# (c) the callee's re-INVITE without SDP
a_inv=$(sipmsg "$A" received 'INVITE ')
like "$a_inv" '^INVITE ' "(c) the caller gets the callee's re-INVITE"
is "" "$(body <<<"$a_inv")" "(c) without SDP"
like "$(heads <<<"$a_inv")" '^Content-Length: 0$' "(c) Content-Length: 0"
same_body "$(sipmsg "$A" sent 'SIP/2.0 200')" "$(sipmsg "$B" received 'SIP/2.0 200')" \
	"(c) the caller's offer in its 200 is the offer in the callee's 200"
same_body "$(sipmsg "$B" sent 'ACK ')" "$(sipmsg "$A" received 'ACK ')" \
	"(c) the callee's answer in its ACK is the answer in the caller's ACK"
like "$(sipmsg "$A" received 'ACK ' | body)" 'c=IN IP4 127\.0\.0\.89' "(c) (127.0.0.89)"

# (e) 488, the call goes on; a refresh answered here
like "$(sipmsg "$B" received 'INVITE ' 4 | body)" 'm=audio 40030 RTP/AVP 9' "(e) the G722 offer reaches the callee"
like "$(sipmsg "$A" received 'SIP/2.0 488')" '^SIP/2.0 488 ' "(e) its 488 comes back to the caller"
like "$(sipmsg "$B" received 'INVITE ' 5 | body)" '^o=alice 1000 6 ' \
	"(e) the unchanged re-INVITE (a refresh) never reaches the callee (its next INVITE is the next offer)"
refresh=$(sipmsg "$A" received 'SIP/2.0 200' 4)
like "$(heads <<<"$refresh")" 'CSeq: 5 INVITE' "(e) the gateway answers it"
same_body "$(sipmsg "$B" sent 'ACK ')" "$refresh" "(e) with the callee's last SDP"

# (g) glare: the callee's re-INVITE crosses the passed one
like "$(sipmsg "$B" received 'SIP/2.0 491')" 'CSeq: 2 INVITE' "(g) the callee's crossing re-INVITE gets 491"
like "$(sipmsg "$A" received 'SIP/2.0 491')" 'CSeq: 6 INVITE' "(g) the callee's 491 goes back to the caller"

# (h) UPDATE with SDP: passed on as a re-INVITE; without SDP: answered here
same_body "$(sipmsg "$A" sent 'UPDATE ')" "$(sipmsg "$B" received 'INVITE ' 6)" \
	"(h) the caller's UPDATE offer reaches the callee (in a re-INVITE) byte for byte"
a_upd=$(sipmsg "$A" received 'SIP/2.0 200' 5)
like "$(heads <<<"$a_upd")" 'CSeq: 7 UPDATE' "(h) the UPDATE is answered"
same_body "$(sipmsg "$B" sent 'SIP/2.0 200' 4)" "$a_upd" "(h) with the callee's answer byte for byte"
a_upd=$(sipmsg "$A" received 'SIP/2.0 200' 6)
like "$(heads <<<"$a_upd")" 'CSeq: 8 UPDATE' "(h) an UPDATE without SDP (a refresh) is answered"
is "" "$(body <<<"$a_upd")" "(h) without SDP"
is "" "$(sipmsg "$B" received 'INVITE ' 7)$(sipmsg "$B" received 'UPDATE ')" "(h) and never reaches the callee"
wait_for test "$(sqlite3 "$S/trunkgate.db" "select count(*) from cdrs where called = '0401'")" = 1
is "16 1" "$(sqlite3 "$S/trunkgate.db" "select cause || ' ' || media_bypass from cdrs where called = '0401'")" \
	"(e) the call ended normally (cause 16) after the 488; the CDR says media_bypass"

# (d) delayed offer
sipp_uas d_uas "$UAS_PORT" uas_pass_late.xml; U=$UAS
sipp_call d 127.0.0.2 uac_pass_late.xml -s 0402; rc=$?
is 0 "$rc" "(d) the delayed-offer call runs to its end"
wait "$U"; ok $? "(d) and the callee's side"
b_inv=$(sipmsg "$WORK/d_uas.msg" received 'INVITE ')
like "$b_inv" '^INVITE ' "(d) the callee gets the INVITE"
is "" "$(body <<<"$b_inv")" "(d) without SDP"
same_body "$(sipmsg "$WORK/d_uas.msg" sent 'SIP/2.0 200')" "$(sipmsg "$WORK/d.msg" received 'SIP/2.0 200')" \
	"(d) the callee's offer in its 200 is the offer in the caller's 200"
same_body "$(sipmsg "$WORK/d.msg" sent 'ACK ')" "$(sipmsg "$WORK/d_uas.msg" received 'ACK ')" \
	"(d) the caller's answer in its ACK is the answer in the callee's ACK"
wait_for test "$(sqlite3 "$S/trunkgate.db" "select count(*) from cdrs where called = '0402'")" = 1
is "16 1" "$(sqlite3 "$S/trunkgate.db" "select cause || ' ' || media_bypass from cdrs where called = '0402'")" \
	"(d) its CDR: normal clearing, media_bypass"

# (i) a Lync-like callee forking (uas_fork.xml: 25 early dialogs, forkB
# answers, then fork7 too)
sipp_uas f_uas "$UAS_PORT" uas_fork.xml -key pa 41000 -key pb 41002 -key pc 41004; U=$UAS
sipp_call f 127.0.0.2 uac_bypass.xml -s 0403; rc=$?
is 0 "$rc" "(i) a call to a forking callee runs to its end"
wait "$U"; ok $? "(i) forkB's 200 ACKed, fork7's ACKed and ended with BYE, forkB's ended with BYE"
is "41000" "$(sipmsg "$WORK/f.msg" received 'SIP/2.0 183' | body | sed -n 's/^m=audio \([0-9]*\) .*/\1/p')$(
	for i in $(seq 2 24); do sipmsg "$WORK/f.msg" received 'SIP/2.0 183' "$i" | body |
		grep -v '^m=audio 41000 ' | grep '^m=audio'; done)" \
	"(i) early media from the first fork with SDP only: every 183 the caller gets has forkA's SDP"
same_body "$(sipmsg "$WORK/f_uas.msg" sent 'SIP/2.0 200')" "$(sipmsg "$WORK/f.msg" received 'SIP/2.0 200')" \
	"(i) the caller's 200 has the answering fork's (forkB's) SDP byte for byte"

# no sanitizer report (ASan builds), a clean exit
stop_daemon "$DPID"; is 0 "$STOP_RC" "trunkgated exits cleanly"
grep -E 'AddressSanitizer|LeakSanitizer|runtime error' "$S.log" | head -5 | sed 's/^/#   /'
ok $((!PIPESTATUS[0])) "its log has no sanitizer report"
finish
