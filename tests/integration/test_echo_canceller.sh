#!/usr/bin/env bash
# test_echo_canceller.sh -- the span's echo_tail_ms takes effect on calls:
# the carrier (tgsim) calls a number routed to a SIP trunk; SIPp answers with
# SDP naming our own RTP endpoint (rtp_noise.py), which sends white noise to
# the gateway.  tgsim's `echo on` returns what it hears on the B channel
# 6 dB weaker (a 2-wire hybrid).  Without the echo canceller the
# noise comes back about 6 dB down; with echo_tail_ms 128 the canceller takes
# the echo out: the return loss must grow by at least 15 dB after
# convergence (the unit test test_media_ec_cancels_a_synthetic_echo_path
# measures ERLE > 20 dB on the canceller alone).
. "$(dirname "$0")/lib.sh"
TGSIM=${TGSIM:-$TG_BUILDDIR/tgsim}
. "$(dirname "$0")/sip_lib.sh"
NOISE=$TG_SRCDIR/tests/integration/rtp_noise.py

S=$WORK/state
start_daemon "$S" || { ok 1 "daemon starts"; finish; }
wait_for test -s "$S/sip.url"; ok $? "the SIP side listens"
PW=$(cat "$S/initial-admin-password")
api() { http "$@" -u "admin:$PW" -H 'Content-Type: application/json'; }
status_is() { curl -s -u "admin:$PW" "${URL}api/v1/status" | jq -e "$1" >/dev/null; }

UAS_PORT=$(free_port)
carrier_to_itsp '^201 .*"echo_tail_ms":0' "span carrier, echo canceller off (default)" '' "SIP trunk itsp"

# one_call NAME: a call with tgsim's echo path on; prints rtp_noise's line
one_call() {
	local name=$1 rtp port
	rtp=$(free_port)
	sipp_uas "$name" "$UAS_PORT" uas_rtp.xml -key rtp_port "$rtp"
	printf '%s\n' "$CAR" "expect link up carrier within 15" \
		"call carrier 5550001 0123456 as c1" "expect answer c1 within 15" \
		"echo on c1 delay=0 loss=6" "sleep 9" "hangup c1" \
		"expect release c1 cause 16 within 5" | "$TGSIM" >"$WORK/$name.tgsim" 2>&1 &
	T=$!; PIDS+=("$T")
	wait_for sh -c "curl -s -u 'admin:$PW' '${URL}api/v1/calls' | jq -e '.calls[0].media.out.local_port > 0' >/dev/null"
	port=$(curl -s -u "admin:$PW" "${URL}api/v1/calls" | jq -r '.calls[0].media.out.local_port')
	python3 "$NOISE" "$rtp" "$port" 6
	wait "$T"
	wait "$UAS"
}

off=$(one_call e_off)
like "$off" 'return_loss_db=' "without the canceller: $off"
r=$(api PUT /api/v1/spans/carrier -d '{"echo_tail_ms":128}')
like "$r" '^200 .*"echo_tail_ms":128' "echo_tail_ms 128 on the carrier span"
g=$(sed 's/^[0-9]* //' <<<"$r" | jq -r '.generation')
wait_for status_is ".config.generation >= $g"; ok $? "the new generation is applied before the next call"
on=$(one_call e_on)
like "$on" 'return_loss_db=' "with the canceller: $on"
rl_off=$(sed 's/.*return_loss_db=\([-0-9.]*\).*/\1/' <<<"$off")
rl_on=$(sed 's/.*return_loss_db=\([-0-9.]*\).*/\1/' <<<"$on")
# A loaded machine can stall tgsim or the daemon long enough that the
# simulated span's round trip grows past the 128 ms tail; such a run is
# repeated once (and says so).
if awk -v a="$rl_off" -v b="$rl_on" 'BEGIN { exit !(b - a < 15) }'; then
	echo "# only $rl_on dB with the canceller: the call is run again"
	on=$(one_call e_on2)
	rl_on=$(sed 's/.*return_loss_db=\([-0-9.]*\).*/\1/' <<<"$on")
fi
echo "# echo canceller: return loss $rl_off dB off, $rl_on dB on"
ok "$(awk -v a="$rl_off" -v b="$rl_on" 'BEGIN { print (a > 3 && a < 12) ? 0 : 1 }')" \
	"without the canceller the echo comes back about 6 dB down ($rl_off dB)"
ok "$(awk -v a="$rl_off" -v b="$rl_on" 'BEGIN { print (b - a >= 15) ? 0 : 1 }')" \
	"with echo_tail_ms 128 the canceller removes at least 15 dB more ($rl_on dB)"
finish
