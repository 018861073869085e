#!/usr/bin/env bash
# test_media_dtmf.sh -- DTMF 0-9 * # A-D end to end through the gateway, both
# ways, on a PCMU call: the carrier (tgsim) calls a number routed to a SIP
# trunk; SIPp answers with SDP naming our own RTP endpoint (rtp_peer.py, an
# RFC 4733 implementation apart from the gateway's) with telephone-event 101.
#  (a) tgsim plays the 16 digits in-band on its B channel -> the gateway
#      detects them and sends RFC 4733 events -> rtp_peer decodes each event
#      (one per RTP timestamp): the 16 digits, each exactly once, in order;
#  (b) rtp_peer sends the 16 digits as RFC 4733 events, then one more digit
#      (5) a second later -> the gateway plays them in-band toward the span ->
#      tgsim's DTMF detector hears the 16 digits in order with nothing ahead
#      of them, and then the 5 with nothing between: no digit doubled or lost.
. "$(dirname "$0")/lib.sh"
TGSIM=${TGSIM:-$TG_BUILDDIR/tgsim}
. "$(dirname "$0")/sip_lib.sh"
PEER=$TG_SRCDIR/tests/integration/rtp_peer.py
ALL='0123456789*#ABCD'

S=$WORK/state
start_daemon "$S" --log-level debug || { ok 1 "daemon starts"; finish; }
wait_for test -s "$S/sip.url"; ok $? "the SIP side listens"
PW=$(cat "$S/initial-admin-password")
api() { http "$@" -u "admin:$PW" -H 'Content-Type: application/json'; }
status_is() { curl -s -u "admin:$PW" "${URL}api/v1/status" | jq -e "$1" >/dev/null; }

UAS_PORT=$(free_port)
carrier_to_itsp '^201 ' "span carrier" '"codecs":"PCMU",' "SIP trunk itsp, PCMU"

# (a) in-band on the span -> RFC 4733 on the SIP leg
rtp=$(free_port)
python3 "$PEER" events "$rtp" 0 9 >"$WORK/peer-a.txt" 2>&1 &
P=$!; PIDS+=("$P")
sipp_uas a "$UAS_PORT" uas_rtp_te.xml -key rtp_port "$rtp"; ok $? "SIPp answers with telephone-event 101"
printf '%s\n' "$CAR" "expect link up carrier within 15" \
	"call carrier 5550001 0123456 as c1" "expect answer c1 within 15" "sleep 1" \
	"send dtmf $ALL c1" "sleep 6" "hangup c1" \
	"expect release c1 cause 16 within 5" | "$TGSIM" >"$WORK/a.tgsim" 2>&1
ok $? "tgsim played $ALL in-band on the B channel and hung up"
wait "$P"; ok $? "rtp_peer ran"
echo "# $(cat "$WORK/peer-a.txt")"
like "$(tr -d '\r' <"$WORK/a.msg" | grep -m1 '^m=audio')" 'RTP/AVP 0 .*101' "the gateway offered PCMU and telephone-event"
is "digits=$ALL events=16" "$(grep -o 'digits=[^ ]* events=[0-9]*' "$WORK/peer-a.txt")" \
	"the SIP side got 16 RFC 4733 events: $ALL, each once, in order"
like "$(cat "$WORK/peer-a.txt")" 'ends=(1[6-9]|[2-9][0-9])' "every event was ended (E bit)"
wait "$UAS"; ok $? "SIPp took the call and the BYE"

# (b) RFC 4733 on the SIP leg -> in-band on the span
rtp=$(free_port)
python3 "$PEER" dtmf "$rtp" 0 "$ALL" --then 1 5 >"$WORK/peer-b.txt" 2>&1 &
P=$!; PIDS+=("$P")
sipp_uas b "$UAS_PORT" uas_rtp_te.xml -key rtp_port "$rtp"; ok $? "SIPp answers with telephone-event 101"
printf '%s\n' "$CAR" "expect link up carrier within 15" \
	"call carrier 5550002 0123457 as c2" "expect answer c2 within 15" \
	"expect dtmf $ALL c2 within 30" "expect dtmf 5 c2 within 15" "hangup c2" \
	"expect release c2 cause 16 within 5" | "$TGSIM" >"$WORK/b.tgsim" 2>&1
ok $? "tgsim heard $ALL and then 5 in-band on the B channel"
[ $? -eq 0 ] || tail -n 5 "$WORK/b.tgsim" | sed 's/^/#   /'
wait "$P"; ok $? "rtp_peer sent the events"
echo "# $(cat "$WORK/peer-b.txt")"
grep '"dtmf"' "$WORK/b.tgsim" | grep expect-ok | sed 's/^/# /'
is 2 "$(grep -c '"expect-ok".*"dtmf":"[0-9A-D*#]*","before":""' "$WORK/b.tgsim")" \
	"nothing came ahead of the 16 digits, nor between them and the 5: none doubled or stray"
is 2 "$(grep -c 'DTMF 5 (RFC 4733)' "$S.log")" "the gateway saw each 5 (one in the 16, then the last) as one event each (debug log)"
wait "$UAS"; ok $? "SIPp took the call and the BYE"

stop_daemon "$DPID"
is 0 "$STOP_RC" "SIGTERM stops the gateway with 0"
finish
