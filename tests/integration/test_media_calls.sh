#!/usr/bin/env bash
# test_media_calls.sh -- calls carry audio, end to end, as a user would see
# it: tgsim plays the carrier on a PRI span and calls a number routed to a
# SIP trunk whose next hop is SIPp with RTP echo (`-rtp_echo`: every RTP
# packet goes back to its sender).  What tgsim plays on its B channel crosses
# the gateway PRI -> RTP, comes back from SIPp and RTP -> PRI, and tgsim
# listens for it on the same B channel:
#  (a) a 1004 Hz tone comes back as 1004 Hz;
#  (b) without the echo (SIPp answers, sends no RTP) no tone comes back, and
#      the call still sets up and clears;
#  (c) DTMF digits played in-band on the B channel come back as digits, with
#      SIPp offering telephone-event: the gateway detects them in the TDM
#      audio and sends RFC 4733 events, SIPp echoes the events, and the
#      gateway plays them in-band toward the span again.
. "$(dirname "$0")/lib.sh"
TGSIM=${TGSIM:-$TG_BUILDDIR/tgsim}
. "$(dirname "$0")/sip_lib.sh"      # SIPP_DIR, the skip without sipp, free_port

# uas NAME SCENARIO [sipp args]: SIPp answers one call on UAS_PORT.
uas() {
	local name=$1 sf=$2; shift 2
	(cd "$WORK" && exec sipp -sf "$SIPP_DIR/$sf" -i 127.0.0.1 -p "$UAS_PORT" \
		-mp "$(( ($(free_port) / 2) * 2 ))" -m 1 -nostdin -timeout 40s -timeout_error \
		-trace_msg -message_file "$WORK/$name.msg" -trace_err -error_file "$WORK/$name.err" \
		"$@" >"$WORK/$name.out" 2>&1) &
	UAS=$!; PIDS+=("$UAS")
	wait_for sh -c "ss -Hlun | grep -q ':$UAS_PORT '"
}

S=$WORK/state
start_daemon "$S" --log-level debug || { ok 1 "daemon starts"; finish; }
PW=$(cat "$S/initial-admin-password")
api() { http "$@" -u "admin:$PW" -H 'Content-Type: application/json'; }
expect_code() {         # expect_code CODE DESCRIPTION METHOD PATH [curl args]
	local code=$1 what=$2 r; shift 2
	r=$(api "$@")
	like "$r" "^$code " "$what"
}
status_is() { curl -s -u "admin:$PW" "${URL}api/v1/status" | jq -e "$1" >/dev/null; }
like "$(cat "$S.log")" 'media engine: RTP on 127\.0\.0\.1 ports' "the media engine starts on the SIP address"

UAS_PORT=$(free_port)
expect_code 201 "span carrier (we are the user side)" POST /api/v1/spans -d '{"name":"carrier","type":"E1","pri_side":"user"}'
expect_code 201 "SIP trunk echo to SIPp" POST /api/v1/sip-trunks \
	-d "{\"name\":\"echo\",\"next_hops\":[{\"host\":\"127.0.0.1\",\"port\":$UAS_PORT}]}"
expect_code 201 "trunk group carrier-g" POST /api/v1/trunk-groups -d '{"name":"carrier-g","kind":"span","members":[{"span":"carrier"}]}'
expect_code 201 "trunk group echo-g" POST /api/v1/trunk-groups -d '{"name":"echo-g","kind":"sip","members":[{"sip_trunk":"echo"}]}'
expect_code 201 "route carrier -> echo for 0..." POST /api/v1/routes -d '{"name":"to-echo","source_group":"carrier-g","called_prefix":"0","destinations":[{"group":"echo-g"}]}'
wait_for status_is '[.spans[] | select(.name == "carrier")] | length == 1'

CAR="span carrier $S/sim/carrier.sock type=E1 switch=euroisdn side=network"

# (a) 1004 Hz there and back
uas a uas_answer.xml -rtp_echo; ok $? "SIPp with RTP echo waits on the trunk's next hop"
printf '%s\n' "$CAR" "expect link up carrier within 15" \
	"call carrier 5550001 0123456 as c1" "expect answer c1 within 15" \
	"play tone 1004 c1" "expect tone 1004 c1 within 5" \
	"hangup c1" "expect release c1 cause 16 within 5" | "$TGSIM" >"$WORK/a.tgsim" 2>"$WORK/a.tgsim.err"
ok $? "a 1004 Hz tone played on the B channel comes back as 1004 Hz (PRI -> RTP -> SIPp echo -> RTP -> PRI)"
[ $? -eq 0 ] || tail -n 8 "$WORK/a.tgsim" | sed 's/^/#   /'
echo "# $(grep '"tone"' "$WORK/a.tgsim" | grep expect-ok)"
like "$(grep -A3 'to 0123456 via echo-g' "$S.log")" 'media connected' "the call core connected the B channel to the RTP leg"
wait "$UAS"; ok $? "SIPp took the call and the BYE"

# (b) the same call without the echo: nothing comes back
uas b uas_answer.xml; ok $? "SIPp without RTP echo waits"
printf '%s\n' "$CAR" "expect link up carrier within 15" \
	"call carrier 5550002 0123457 as c2" "expect answer c2 within 15" \
	"play tone 1004 c2" "expect tone 1004 c2 within 3" | "$TGSIM" >"$WORK/b.tgsim" 2>"$WORK/b.tgsim.err"
is 1 "$?" "without the echo no 1004 Hz tone comes back (the expectation fails)"
like "$(grep expect-failed "$WORK/b.tgsim")" '"line":6' "it is the tone that is missing"
wait "$UAS"; ok $? "SIPp saw the call end when tgsim left"

# (c) DTMF: in-band -> RFC 4733 -> SIPp echo -> RFC 4733 -> in-band
uas c uas_echo_te.xml -rtp_echo; ok $? "SIPp with RTP echo and telephone-event waits"
printf '%s\n' "$CAR" "expect link up carrier within 15" \
	"call carrier 5550003 0123458 as c3" "expect answer c3 within 15" "sleep 0.5" \
	"send dtmf 159#" "expect dtmf 159# c3 within 8" \
	"hangup c3" "expect release c3 cause 16 within 5" | "$TGSIM" >"$WORK/c.tgsim" 2>"$WORK/c.tgsim.err"
ok $? "DTMF 159# sent in-band on the B channel comes back as 159#"
[ $? -eq 0 ] || tail -n 8 "$WORK/c.tgsim" | sed 's/^/#   /'
wait "$UAS"; ok $? "SIPp took the call and the BYE"
like "$(tr -d '\r' <"$WORK/c.msg" | grep -m1 '^m=audio' )" 'RTP/AVP 0 8 101' "the gateway offered telephone-event"
like "$(cat "$S.log")" 'DTMF 1 \(RFC 4733\)' "the gateway saw the digits come back as RFC 4733 events (debug log)"
is 1 "$(grep -c 'DTMF 5 (RFC 4733)' "$S.log")" "each digit is one event (5 seen once)"

# (d) the live call view with media figures, a hang-up from the API, quality in the CDR
uas d uas_answer.xml -rtp_echo; ok $? "SIPp with RTP echo waits again"
printf '%s\n' "$CAR" "expect link up carrier within 15" \
	"call carrier 5550004 0123459 as c4" "expect answer c4 within 15" "play tone 1004 c4" \
	"expect release c4 cause 16 within 30" | "$TGSIM" >"$WORK/d.tgsim" 2>"$WORK/d.tgsim.err" &
TG=$!; PIDS+=("$TG")
calls() { curl -s -u "admin:$PW" "${URL}api/v1/calls"; }
wait_for sh -c "curl -s -u 'admin:$PW' '${URL}api/v1/calls' | jq -e '.calls[0].media.out.rx_packets > 50' >/dev/null"
c=$(calls)
is "1 answered carrier echo 0123459" "$(printf '%s' "$c" | jq -r '"\(.active) \(.calls[0].state) \(.calls[0].in.trunk) \(.calls[0].out.trunk) \(.calls[0].called)"')" \
	"GET /api/v1/calls shows the call up, its legs and numbers"
like "$(printf '%s' "$c" | jq -c '.calls[0].media.out')" '"rx_packets":[0-9]{2,}.*"mos":4\.[0-9]' "... with the RTP leg's figures (packets, MOS)"
id=$(printf '%s' "$c" | jq -r '.calls[0].id')
like "$(http DELETE /api/v1/calls/nope -u "admin:$PW")" '^404 ' "hanging up an unknown call is 404"
like "$(http DELETE "/api/v1/calls/$id" -u "admin:$PW")" '^204' "an operator hangs the call up from the API"
wait "$TG"; ok $? "the carrier sees the call cleared with cause 16"
wait "$UAS"; ok $? "SIPp got the BYE"
is "0" "$(calls | jq .active)" "the call is gone from the list"
wait_for sh -c "[ \$(sqlite3 '$S/trunkgate.db' \"select count(*) from cdrs where called = '0123459'\") -eq 1 ]"
is "gateway" "$(sqlite3 "$S/trunkgate.db" "select released_by from cdrs where called = '0123459'")" "the CDR says the gateway cleared it"
like "$(curl -s -u "admin:$PW" "${URL}api/v1/cdrs?number=0123459" | jq -c '.cdrs[0].quality_json.out')" '"rx_packets":[0-9]{2,}.*"mos":4\.' \
	"... and keeps the RTP leg's quality figures"

stop_daemon "$DPID"
is 0 "$STOP_RC" "SIGTERM stops the gateway (media engine included) with 0"
finish
