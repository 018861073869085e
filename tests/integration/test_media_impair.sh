#!/usr/bin/env bash
# test_media_impair.sh -- loss and jitter on the RTP side, as a user would
# check the audio: the carrier (tgsim) calls a number routed to a SIP trunk;
# SIPp answers with SDP naming our own RTP endpoint (rtp_peer.py), which sends
# a 1004 Hz tone (PCMU) toward the gateway with 5 % of the packets dropped and
# each delayed by 0..40 ms (random, seeded: the same packets every run).
#  - the gateway's jitter buffer and packet loss concealment keep the tone
#    toward the span continuous: tgsim checks 8 s of it (`expect tone ...
#    continuous`: no gap longer than one 20 ms frame, measured in samples);
#  - GET /api/v1/calls shows the loss live, and the CDR's quality_json keeps
#    it: between 2 and 10 % lost, jitter above 0.
. "$(dirname "$0")/lib.sh"
TGSIM=${TGSIM:-$TG_BUILDDIR/tgsim}
. "$(dirname "$0")/sip_lib.sh"
PEER=$TG_SRCDIR/tests/integration/rtp_peer.py

S=$WORK/state
start_daemon "$S" || { ok 1 "daemon starts"; finish; }
wait_for test -s "$S/sip.url"; ok $? "the SIP side listens"
PW=$(cat "$S/initial-admin-password")
api() { http "$@" -u "admin:$PW" -H 'Content-Type: application/json'; }
status_is() { curl -s -u "admin:$PW" "${URL}api/v1/status" | jq -e "$1" >/dev/null; }
calls() { curl -s -u "admin:$PW" "${URL}api/v1/calls"; }

UAS_PORT=$(free_port)
carrier_to_itsp '^201 ' "span carrier" '"codecs":"PCMU",' "SIP trunk itsp, PCMU"

# one_call NAME: the impaired tone on a call; tgsim's output in NAME.tgsim,
# its status in TG_RC, rtp_peer's line in peer-NAME.txt, the live call view
# (once it shows loss) in calls-NAME.json
one_call() {
	local name=$1 rtp=$(free_port) peer tg
	python3 "$PEER" tone "$rtp" 0 16 --loss 5 --jitter 40 --seed 6 >"$WORK/peer-$name.txt" 2>&1 &
	peer=$!; PIDS+=("$peer")
	sipp_uas "$name" "$UAS_PORT" uas_rtp.xml -key rtp_port "$rtp"
	printf '%s\n' "$CAR" "expect link up carrier within 15" \
		"call carrier 5550001 0123456 as c1" "expect answer c1 within 15" \
		"expect tone 1004 c1 continuous 8 within 40" "hangup c1" \
		"expect release c1 cause 16 within 5" | "$TGSIM" >"$WORK/$name.tgsim" 2>"$WORK/$name.tgsim.err" &
	tg=$!; PIDS+=("$tg")
	wait_for sh -c "curl -s -u 'admin:$PW' '${URL}api/v1/calls' | jq -e '.calls[0].media.out.lost > 5' >/dev/null"
	calls >"$WORK/calls-$name.json"
	wait "$tg"; TG_RC=$?
	wait "$peer"
	wait "$UAS"
}

one_call i1
# A loaded 2-core machine can stall tgsim's or the gateway's media thread
# long enough to starve the span of audio (a gap no jitter buffer can fill):
# such a run is repeated once, and says so (a real fault fails both).
if [ "$TG_RC" -ne 0 ]; then
	echo "# first run: $(grep -E 'expect-(ok|failed)' "$WORK/i1.tgsim" | tail -n 1)"
	echo "#   rtp_peer: $(cat "$WORK/peer-i1.txt"): the call is run again"
	one_call i2
	N=i2
else
	N=i1
fi
echo "# rtp_peer: $(cat "$WORK/peer-$N.txt")"
echo "# tgsim: $(grep '"tone"' "$WORK/$N.tgsim" | grep -E 'expect-(ok|failed)')"
is 0 "$TG_RC" "the 1004 Hz tone reaches the span with no gap longer than one frame over 8 s (5 % loss, 40 ms jitter)"
like "$(grep expect-ok "$WORK/$N.tgsim" | grep '"tone"')" '"continuous":8\.0' "... checked over 8 s of audio"
like "$(cat "$WORK/peer-$N.txt")" 'dropped=[1-9][0-9]* reordered=[1-9]' "rtp_peer dropped packets and sent some out of order"

live=$(jq -c '.calls[0].media.out' "$WORK/calls-$N.json")
echo "# live: $live"
like "$live" '"lost":[1-9]' "GET /api/v1/calls shows the RTP leg's loss while the call is up"

wait_for sh -c "[ \$(sqlite3 '$S/trunkgate.db' \"select count(*) from cdrs\") -ge 1 ]"
q=$(curl -s -u "admin:$PW" "${URL}api/v1/cdrs?number=0123456" | jq -c '.cdrs[0].quality_json.out')
echo "# CDR quality_json.out: $q"
pct=$(jq -r '100 * .lost / (.rx_packets + .lost)' <<<"$q")
ok "$(awk -v p="$pct" 'BEGIN { print (p >= 2 && p <= 10) ? 0 : 1 }')" "the CDR reports the loss: $pct % (2..10)"
ok "$(jq -r 'if .jitter_ms > 0 then 0 else 1 end' <<<"$q")" "... and jitter above 0 ($(jq -r .jitter_ms <<<"$q") ms)"

stop_daemon "$DPID"
is 0 "$STOP_RC" "SIGTERM stops the gateway with 0"
finish
