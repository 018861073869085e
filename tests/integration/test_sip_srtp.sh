#!/usr/bin/env bash
# test_sip_srtp.sh -- SRTP through the whole gateway, both ways, as issue 6
# asks: a TLS trunk (mutual TLS, certificates from the test's CA) between
# tgsim's PRI span "carrier" and srtp_peer.py, a SIP-over-TLS user agent
# with its own SRTP (RFC 3711 on Python's `cryptography`, not our libsrtp2
# code) that sends a 1004 Hz tone and measures what it decrypts (frequency
# from zero crossings, Goertzel level).  tgsim plays 1004 Hz on the B channel
# and listens for the peer's (`expect tone`).  Debian's SIPp has no TLS, and
# baresip (libre's SRTP) has no AES-256 CM suite, no MKI and no way to send
# bad packets, hence the peer of our own.
#  (a) PRI -> SIP, srtp_mode required: our offer is RTP/SAVP with two crypto
#      lines (AES_CM_128_HMAC_SHA1_80 tag 1, _32 tag 2); the peer takes _80,
#      then _32, then _80 with G.722 on the SIP leg: tone both ways.
#  (b) SIP -> PRI, required: the peer offers _80 with an MKI (Lync's
#      |2^31|1:1); then AES_256_CM_HMAC_SHA1_80 ahead of _80 (the gateway
#      takes the first line it can: AES-256; it answers AES-256 but offers
#      only the 128-bit suites); AES_256_CM_HMAC_SHA1_32 alone (a suite it
#      does not answer) and an offer without crypto get 488 with Warning 304.
#  (c) srtp_mode optional: a Lync offer (RTP/AVP + a=crypto with MKI +
#      a=encryption:optional) is answered with a=crypto and the audio is
#      SRTP; an offer without crypto gets plain RTP; our own offer is RTP/AVP
#      with the two crypto lines.
#  (d) robustness, mid-call (bypass off, anchored): malformed RTP (short,
#      bad version, CSRC count overrunning), garbage RTCP, SRTP with a bad
#      tag, replays, plain RTP on an SRTP leg and RTP from 127.0.0.5/.6 are
#      dropped and counted (`srtp_fail`, `bad_packets`, `foreign_packets` in
#      GET /api/v1/calls), the call goes on, the tone still checks out.
#  (e) no SDES key (the inline: base64 of either side) is in the daemon's
#      debug log.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/sip_lib.sh"
TGSIM=${TGSIM:-$TG_BUILDDIR/tgsim}
PEER=$TG_SRCDIR/tests/integration/srtp_peer.py
if ! command -v openssl >/dev/null 2>&1 || ! python3 -c 'import cryptography' 2>/dev/null; then
	echo "1..0 # SKIP openssl or python3-cryptography not installed"
	exit 0
fi

C=$WORK/certs
tls_certs "$C" gw:gw.test peer:127.0.0.1 || { ok 1 "the test's CA signs certificates"; finish; }
# sofia-sip's TLS transport leaks OpenSSL objects (see the file): not ours.
export LSAN_OPTIONS="suppressions=$TG_SRCDIR/tests/integration/lsan-sofia-tls.supp:print_suppressions=0${LSAN_OPTIONS:+:$LSAN_OPTIONS}"

sip_start -l debug || finish
calls() { curl -s -u "admin:$PW" "${URL}api/v1/calls"; }
applied() {     # applied "$r": the main thread runs the generation a write answered with
	local g
	g=$(sed 's/^[0-9]* //' <<<"$1" | jq -r '.generation // 0' 2>/dev/null)
	wait_for sh -c "curl -s -u 'admin:$PW' '${URL}api/v1/status' | jq -e '.config.generation >= ${g:-0}' >/dev/null"
}
trunk() {       # trunk JSON DESCRIPTION: change trunk lync, live before the next call
	local r
	r=$(api PUT /api/v1/sip-trunks/lync -d "$1")
	like "$r" '^200 ' "$2"
	applied "$r"
}

GW_TLS=$(free_port); PEER_PORT=$(free_port)
like "$(api POST /api/v1/spans -d '{"name":"carrier","type":"E1","pri_side":"user"}')" '^201 ' "span carrier"
like "$(api POST /api/v1/sip-trunks -d "{\"name\":\"lync\",\"transport\":\"tls\",\"listen\":\"127.0.0.1:$GW_TLS\",\"tls_cert\":\"$C/gw.pem\",\"tls_key\":\"$C/gw.key\",\"tls_ca\":\"$C/ca.pem\",\"options_interval\":0,\"srtp_mode\":\"required\",\"codecs\":\"PCMU\",\"next_hops\":[{\"host\":\"127.0.0.1\",\"port\":$PEER_PORT}]}")" \
	'^201 .*"srtp_mode":"required"' "TLS trunk lync (mutual TLS, srtp_mode required, PCMU) toward the peer"
api POST /api/v1/trunk-groups -d '{"name":"carrier-g","kind":"span","members":[{"span":"carrier"}]}' >/dev/null
api POST /api/v1/trunk-groups -d '{"name":"lync-g","kind":"sip","members":[{"sip_trunk":"lync"}]}' >/dev/null
api POST /api/v1/routes -d '{"name":"to-lync","source_group":"carrier-g","called_prefix":"0","destinations":[{"group":"lync-g"}]}' >/dev/null
r=$(api POST /api/v1/routes -d '{"name":"from-lync","source_group":"lync-g","called_prefix":"49","destinations":[{"group":"carrier-g"}]}')
like "$r" '^201 ' "routes carrier -> lync (0...) and lync -> carrier (49...)"
applied "$r"
wait_for sh -c "ss -Hltn | grep -q '127.0.0.1:$GW_TLS '"; ok $? "the trunk's TLS port listens"
wait_for sh -c "curl -s -u 'admin:$PW' '${URL}api/v1/status' | jq -e '[.spans[] | select(.name == \"carrier\")] | length == 1' >/dev/null"

CAR="span carrier $S/sim/carrier.sock type=E1 switch=euroisdn side=network"
KEYS=()         # every inline key seen on the wire, for (e)

# field NAME JQ: a value from the peer's result NAME.json
field() { jq -r "$2" "$WORK/$1.json" 2>/dev/null; }
collect_keys() {
	local k
	for k in $(grep -ho 'inline:[A-Za-z0-9+/=]*' "$WORK/$1.json" 2>/dev/null | sed 's/inline://' | sort -u); do
		KEYS+=("$k")
	done
}
# tone_ok NAME WHAT: the peer heard 1004 Hz at about -10 dBFS, almost pure
tone_ok() {
	local m
	m=$(jq -r '"\(.hz) \(.dbfs) \(.purity)"' "$WORK/$1.json" 2>/dev/null)
	echo "# $1: peer heard: hz=${m%% *} dbfs/purity=${m#* } (clean half seconds $(field "$1" .clean_halves)); srtp ok/fail $(field "$1" '"\(.rx_srtp_ok)/\(.rx_srtp_fail)"'), srtcp ok/fail $(field "$1" '"\(.rtcp_srtp_ok)/\(.rtcp_srtp_fail)"')"
	ok "$(awk -v m="$m" 'BEGIN { split(m, a, " "); print (a[1] >= 1002 && a[1] <= 1006 && a[2] > -12 && a[2] < -8 && a[3] > 0.9) ? 0 : 1 }')" \
		"$2: the peer decrypts the gateway's 1004 Hz tone from the span (a half second at 1004 +- 2 Hz, -10 +- 2 dBFS, >90 % of the power)"
}

# pri_to_sip NAME [peer options]: the carrier calls 0123 -> the peer answers;
# tones both ways for the peer's 6 s, the peer hangs up
pri_to_sip() {
	local name=$1 p tg; shift
	python3 "$PEER" uas "$PEER_PORT" --certs "$C" --out "$WORK/$name.json" "$@" >"$WORK/$name.peer" 2>&1 &
	p=$!; PIDS+=("$p")
	wait_for sh -c "ss -Hltn | grep -q '127.0.0.1:$PEER_PORT '"
	printf '%s\n' "$CAR" "expect link up carrier within 15" "call carrier 5550001 0123 as c1" \
		"expect answer c1 within 15" "play tone 1004 c1" "expect tone 1004 c1 within 6" \
		"expect release c1 cause 16 within 30" | "$TGSIM" >"$WORK/$name.tgsim" 2>&1 &
	tg=$!; PIDS+=("$tg")
	wait "$tg"; TG_RC=$?
	wait "$p"; PEER_RC=$?
	[ "$PEER_RC" -eq 0 ] || sed 's/^/#   peer: /' "$WORK/$name.peer" | tail -5
	[ "$TG_RC" -eq 0 ] || grep -E 'expect-failed|"released"' "$WORK/$name.tgsim" | sed 's/^/#   tgsim: /'
	collect_keys "$name"
}
# sip_to_pri NAME [peer options]: the peer calls 4930123; tgsim answers,
# plays and listens; the peer hangs up after its seconds
sip_to_pri() {
	local name=$1 p tg; shift
	printf '%s\n' "$CAR" "auto answer carrier" "expect link up carrier within 15" \
		"expect call to 4930123 on carrier as c1 within 20" "play tone 1004 c1" \
		"expect tone 1004 c1 within 6" "expect release c1 within 30" | "$TGSIM" >"$WORK/$name.tgsim" 2>&1 &
	tg=$!; PIDS+=("$tg")
	wait_for grep -q '"event":"expect-ok","line":3' "$WORK/$name.tgsim"
	python3 "$PEER" uac "$PEER_PORT" "$GW_TLS" 4930123 --certs "$C" --out "$WORK/$name.json" "$@" \
		>"$WORK/$name.peer" 2>&1
	PEER_RC=$?
	[ "$PEER_RC" -eq 0 ] || sed 's/^/#   peer: /' "$WORK/$name.peer" | tail -5
	if [ "$(field "$name" .code)" = 200 ]; then
		wait "$tg"; TG_RC=$?
		[ "$TG_RC" -eq 0 ] || grep -E 'expect-failed|"released"' "$WORK/$name.tgsim" | sed 's/^/#   tgsim: /'
	else
		kill "$tg" 2>/dev/null; wait "$tg" 2>/dev/null; TG_RC=-1
	fi
	collect_keys "$name"
}

# ---- (a) PRI -> SIP, required ----
pri_to_sip a1 --suite AES_CM_128_HMAC_SHA1_80
is 0 "$TG_RC" "a1 PRI->SIP SRTP _80: tgsim hears the peer's 1004 Hz through SRTP -> PRI"
tone_ok a1 "a1 PRI->SIP SRTP _80"
is "RTP/SAVP" "$(field a1 .offer_proto)" "a1: srtp_mode required: our offer is RTP/SAVP"
like "$(field a1 '.offer_crypto | join(" ; ")')" '^1 AES_CM_128_HMAC_SHA1_80 inline:[A-Za-z0-9+/]{40} ; 2 AES_CM_128_HMAC_SHA1_32 inline:[A-Za-z0-9+/]{40}$' \
	"a1: with crypto lines tag 1 _80 and tag 2 _32, fresh 30-byte keys"
is "gw.test" "$(field a1 .client_cert_cn)" "a1: the gateway connected with its client certificate (gw.test)"
is "true 0" "$(field a1 '"\(.rx_srtp_ok > 100) \(.rx_srtp_fail)"')" "a1: every RTP packet from the gateway authenticates with the key it offered"
ok "$(field a1 'if .rtcp_srtp_ok >= 1 and .rtcp_srtp_fail == 0 then 0 else 1 end')" "a1: its RTCP is SRTCP and authenticates ($(field a1 .rtcp_srtp_ok) packets)"

pri_to_sip a2 --suite AES_CM_128_HMAC_SHA1_32
is 0 "$TG_RC" "a2 PRI->SIP SRTP _32: tgsim hears the peer's tone"
tone_ok a2 "a2 PRI->SIP SRTP _32"
like "$(field a2 .answer)" 'a=crypto:2 AES_CM_128_HMAC_SHA1_32 ' "a2: the peer answered tag 2 (_32)"

trunk '{"codecs":"G722,PCMU"}' "trunk lync: codecs G722, PCMU"
pri_to_sip a3 --suite AES_CM_128_HMAC_SHA1_80 --codec g722
is 0 "$TG_RC" "a3 PRI->SIP SRTP _80, G.722 on the SIP leg: tgsim hears the peer's 16 kHz G.722 tone"
tone_ok a3 "a3 PRI->SIP SRTP _80, G.722 (decoded at 16 kHz)"
like "$(field a3 .offer)" 'm=audio [0-9]+ RTP/SAVP 9 0 101' "a3: our offer lists G.722 (9) first"

# ---- (b) SIP -> PRI, required ----
sip_to_pri b1 --suite AES_CM_128_HMAC_SHA1_80 --mki 1 --codec g722
is "200" "$(field b1 .code)" "b1 SIP->PRI: an RTP/SAVP offer of _80 with a 1-byte MKI (|2^31|1:1) is answered 200"
is 0 "$TG_RC" "b1 SIP->PRI SRTP _80 + MKI, G.722: tgsim hears the peer's tone"
tone_ok b1 "b1 SIP->PRI SRTP _80 + MKI, G.722"
like "$(field b1 .offer)" 'a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:[A-Za-z0-9+/]{40}\|2\^31\|1:1' "b1: the peer's offer carried the MKI as Lync writes it"
like "$(field b1 .answer)" 'm=audio [0-9]+ RTP/SAVP 9 101' "b1: the answer is RTP/SAVP with G.722 and telephone-event"
like "$(field b1 '.answer_crypto | join(" ; ")')" '^1 AES_CM_128_HMAC_SHA1_80 inline:[A-Za-z0-9+/]{40}$' "b1: one crypto line, tag 1, the gateway's own key"
is "gw.test" "$(field b1 .server_cert_cn)" "b1: the gateway's TLS port showed its certificate (gw.test, checked against the CA)"

trunk '{"codecs":"PCMU"}' "trunk lync: codecs PCMU"
sip_to_pri b2 --suite AES_256_CM_HMAC_SHA1_80,AES_CM_128_HMAC_SHA1_80
is "200 AES_256_CM_HMAC_SHA1_80" "$(field b2 '"\(.code) \(.answer_suite)"')" "b2: AES-256 offered ahead of _80: the gateway takes the first line, AES-256"
like "$(field b2 .answer)" 'm=audio [0-9]+ RTP/SAVP 0 101' "b2: the answer keeps telephone-event (101) beside PCMU"
like "$(field b2 '.answer_crypto | join(" ; ")')" '^1 AES_256_CM_HMAC_SHA1_80 inline:[A-Za-z0-9+/]{62}==$' "b2: one crypto line, tag 1, a 46-byte AES-256 key and salt"
is 0 "$TG_RC" "b2: tgsim hears the peer's tone"
tone_ok b2 "b2 SIP->PRI SRTP AES_256_CM_HMAC_SHA1_80"

sip_to_pri b3 --suite AES_256_CM_HMAC_SHA1_32
is "488" "$(field b3 .code)" "b3: AES_256_CM_HMAC_SHA1_32 alone: 488 (the SIP side answers AES-256 only with _80)"
like "$(field b3 .warning)" '^304 trunkgate "no acceptable crypto suite"' "b3: Warning: 304 no acceptable crypto suite"
sip_to_pri b4 --suite none --proto AVP
is "488" "$(field b4 .code)" "b4: srtp_mode required, an offer without crypto: 488"
like "$(field b4 .warning)" '^304 trunkgate "SRTP required' "b4: Warning: 304 SRTP required"
like "$(field b4 .reason)" 'Q\.850;cause=88' "b4: Reason: Q.850;cause=88"

# ---- (c) srtp_mode optional ----
trunk '{"srtp_mode":"optional"}' "trunk lync: srtp_mode optional"
sip_to_pri c1 --suite AES_CM_128_HMAC_SHA1_80 --mki 1 --proto AVP --optional
is "200" "$(field c1 .code)" "c1: a Lync optional offer (RTP/AVP + a=crypto with MKI + a=encryption:optional) is answered 200"
like "$(field c1 '.offer | gsub("\r?\n"; " ")')" 'm=audio [0-9]+ RTP/AVP .*a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:[^ ]*\|2\^31\|1:1 a=encryption:optional' \
	"c1: (the offer as Lync writes it)"
is "AES_CM_128_HMAC_SHA1_80" "$(field c1 .answer_suite)" "c1: the answer carries a=crypto for the offered suite: SRTP accepted"
echo "# c1: the answer's profile: $(field c1 .answer_proto) (the offer's, RFC 3264 6)"
is 0 "$TG_RC" "c1: tgsim hears the peer's SRTP tone"
tone_ok c1 "c1 optional SRTP"
is "true 0" "$(field c1 '"\(.rx_srtp_ok > 100) \(.rx_srtp_fail)"')" "c1: the gateway's audio is SRTP (every packet authenticates)"

sip_to_pri c2 --suite none --proto AVP
is "200 RTP/AVP 0" "$(field c2 '"\(.code) \(.answer_proto) \(.answer_crypto | length)"')" "c2: optional, an offer without crypto: plain RTP/AVP, no crypto line"
is 0 "$TG_RC" "c2: tgsim hears the peer's plain RTP tone"
tone_ok c2 "c2 optional, plain RTP"
ok "$(field c2 'if .rx_plain > 100 then 0 else 1 end')" "c2: the gateway sent plain RTP"

pri_to_sip c3 --suite AES_CM_128_HMAC_SHA1_80
is "RTP/AVP" "$(field c3 .offer_proto)" "c3: srtp_mode optional: our offer is RTP/AVP"
like "$(field c3 '.offer_crypto | join(" ; ")')" '^1 AES_CM_128_HMAC_SHA1_80 inline:.* ; 2 AES_CM_128_HMAC_SHA1_32 inline:' "c3: ... with the two crypto lines"
is 0 "$TG_RC" "c3: tgsim hears the peer's SRTP tone"
tone_ok c3 "c3 optional, our offer, SRTP answered"

# ---- (d) robustness during an SRTP call and a plain one ----
# live NAME: the SIP leg's media figures once the peer says it abused
live() {
	wait_for test -s "$WORK/$1.json.abused"
	sleep 1.5          # past the packets the peer sent ahead (seq + 40), and the
	                   # live view's half-second refresh
	calls | jq -c '[.calls[] | .media.in // .media.out][0]'
}
sip_to_pri_bg() {       # the same as sip_to_pri, the peer in the background (pid P)
	local name=$1; shift
	printf '%s\n' "$CAR" "auto answer carrier" "expect link up carrier within 15" \
		"expect call to 4930123 on carrier as c1 within 20" "play tone 1004 c1" \
		"expect tone 1004 c1 within 6" "expect release c1 within 30" | "$TGSIM" >"$WORK/$name.tgsim" 2>&1 &
	TG=$!; PIDS+=("$TG")
	wait_for grep -q '"event":"expect-ok","line":3' "$WORK/$name.tgsim"
	python3 "$PEER" uac "$PEER_PORT" "$GW_TLS" 4930123 --certs "$C" --out "$WORK/$name.json" \
		--seconds 9 --abuse "$@" >"$WORK/$name.peer" 2>&1 &
	P=$!; PIDS+=("$P")
}
sip_to_pri_bg d1 --suite AES_CM_128_HMAC_SHA1_80 --proto SAVP
m=$(live d1)
wait "$P"; wait "$TG"; TG_RC=$?
collect_keys d1
echo "# d1: sent $(cat "$WORK/d1.json.abused"); live: $m"
ab=$(cat "$WORK/d1.json.abused")
n_srtp=$(jq '.short + .bad_version + .csrc_overrun + .bad_tag + .replay + .plain_rtp + .rtcp_garbage' <<<"$ab")
is "$n_srtp" "$(jq .srtp_fail <<<"$m")" "d1 SRTP call: short, bad-version, CSRC-overrun, bad-tag, replayed and plain RTP, garbage RTCP: each dropped, counted in srtp_fail"
is "4 0" "$(jq -r '"\(.foreign_packets) \(.bad_packets)"' <<<"$m")" \
	"d1: plain RTP from 127.0.0.5 and a valid SRTP packet from 127.0.0.6 are dropped as foreign_packets"
is "0" "$(jq .lost <<<"$m")" "d1: and that SRTP packet (the stream's own sequence number 40 ahead) did not make the real one a replay: nothing lost"
is 0 "$TG_RC" "d1: the call went on: tgsim heard the tone and the release"
tone_ok d1 "d1 after the bad packets"
is "true" "$(field d1 .bye_ok)" "d1: the peer's BYE was answered 200"

sip_to_pri_bg d2 --suite none --proto AVP
m=$(live d2)
wait "$P"; wait "$TG"; TG_RC=$?
ab=$(cat "$WORK/d2.json.abused")
echo "# d2: sent $ab; live: $m"
n_bad=$(jq '.short + .bad_version + .csrc_overrun + .rtcp_garbage' <<<"$ab")
is "$n_bad 3 0" "$(jq -r '"\(.bad_packets) \(.foreign_packets) \(.srtp_fail)"' <<<"$m")" \
	"d2 plain call: malformed RTP and RTCP counted in bad_packets, RTP from 127.0.0.5 in foreign_packets"
is 0 "$TG_RC" "d2: the call went on: tgsim heard the tone"
tone_ok d2 "d2 after the bad packets"

# ---- (e) keys never logged ----
leaked=0
for k in "${KEYS[@]}"; do
	grep -qF "$k" "$S.log" && { leaked=$((leaked + 1)); echo "#   key in the log: ${k:0:6}..."; }
	grep -qF "${k:0:16}" "$S.log" && leaked=$((leaked + 1))
done
ok "$([ "${#KEYS[@]}" -ge 20 ] && echo 0 || echo 1)" "(e) ${#KEYS[@]} SDES keys (ours and the peer's) were on the wire"
is 0 "$leaked" "(e) none of them (nor their first 16 characters) is in the daemon's debug log"
like "$(grep -c "lync: far end's answer: RTP" "$S.log")" '^[1-9]' "(e) (the log is at debug level: it has the far end's answers)"

stop_daemon "$DPID"; is 0 "$STOP_RC" "trunkgated exits cleanly"
is "" "$(grep -m1 -E 'LeakSanitizer|AddressSanitizer' "$S.log")" "no sanitizer report in the log"
finish
