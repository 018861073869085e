#!/usr/bin/env bash
# test_media_echo.sh -- the media engine against a peer we did not write:
# SIPp's RTP echo (`sipp -rtp_echo` sends every packet on its media port
# back to its sender).  media_peer sends a 1004 Hz tone for 3 s through one
# session (PCMU, PCMA, G.722, and SRTP with each suite, with and without an
# MKI) and checks that the tone comes back at 1004 Hz within 1 dB, no packet
# lost.  Real time: each run takes 3 s.
. "$(dirname "$0")/lib.sh"
PEER=$TG_BUILDDIR/tests/integration/media_peer

# A package build without the test tools (Build-Depends has no sip-tester)
# skips; scripts/install-deps.sh installs it for run-tests.sh and CI.
if ! command -v sipp >/dev/null; then
	echo "1..0 # SKIP sipp not installed (Debian package sip-tester)"
	exit 0
fi

# SIPp on a free port: pick a random even media port, retry if taken.
start_echo() {
	local try port
	for try in 1 2 3 4 5; do
		port=$(( (RANDOM % 5000) * 2 + 40000 ))
		sipp -sn uas -i 127.0.0.1 -p $((port + 10)) -mp $port -rtp_echo -nostdin \
			>"$WORK/sipp.log" 2>&1 &
		local pid=$!
		sleep 0.5
		if kill -0 $pid 2>/dev/null; then
			PIDS+=($pid)
			ECHO_PORT=$port
			return 0
		fi
	done
	return 1
}
start_echo
ok $? "sipp -rtp_echo runs"

run() {         # run DESCRIPTION ARGS...
	local what=$1 out
	shift
	out=$("$PEER" "$ECHO_PORT" 3 "$@" 2>&1)
	local rc=$?
	echo "# $out"
	# A shared 2-core machine can stall the media thread for tens of ms: the
	# jitter buffer then conceals (concealed_ms > 0) and the level measured
	# over the whole tone drops.  That is the machine, not the audio path:
	# run such a case once more (a real fault fails both runs).
	if [ $rc -ne 0 ] && printf '%s' "$out" | grep -Eq 'concealed_ms=[1-9]'; then
		echo "# retried: the first run concealed audio (a scheduling stall)"
		out=$("$PEER" "$ECHO_PORT" 3 "$@" 2>&1)
		rc=$?
		echo "# $out"
	fi
	ok $rc "$what: 1004 Hz back through SIPp's echo, within 1 dB, no loss"
}

run "PCMU" pcmu
run "PCMA" pcma
run "G.722" g722
run "SRTP AES_CM_128_HMAC_SHA1_80" pcmu AES_CM_128_HMAC_SHA1_80
run "SRTP AES_CM_128_HMAC_SHA1_80 with a 1-byte MKI" pcmu AES_CM_128_HMAC_SHA1_80 1
run "SRTP AES_CM_128_HMAC_SHA1_32" pcmu AES_CM_128_HMAC_SHA1_32
run "SRTP AES_256_CM_HMAC_SHA1_80 with a 4-byte MKI, G.722" g722 AES_256_CM_HMAC_SHA1_80 4
finish
