#!/usr/bin/env bash
# test_sip_lync.sh -- what Lync/Skype for Business Mediation Servers need
# (issue 5 items 7 and 8): the cause map both ways (5xx so Lync fails over,
# per-trunk overrides), forked early dialogs (media bypass), the trunk
# self-test.  SIPp plays the Mediation Server, tgsim the PRI side.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/sip_lib.sh"
TGSIM=${TGSIM:-$TG_BUILDDIR/tgsim}

if ! command -v openssl >/dev/null 2>&1; then
	echo "1..0 # SKIP openssl not installed"
	exit 0
fi
C=$WORK/certs
tls_certs "$C" gw:gw.test lync:lync.test || { ok 1 "the test's CA signs certificates"; finish; }
# sofia-sip's TLS transport leaks OpenSSL objects (see the file): not ours.
export LSAN_OPTIONS="suppressions=$TG_SRCDIR/tests/integration/lsan-sofia-tls.supp:print_suppressions=0${LSAN_OPTIONS:+:$LSAN_OPTIONS}"

sip_start -l debug || finish
trunk() {               # trunk INTEROP: the lync2013 trunk "lync" toward SIPp on UAS_PORT
	api PUT /api/v1/sip-trunks/lync -d "{\"profile\":\"lync2013\",\"interop\":\"$1\"}" >/dev/null
}

UAS_PORT=$(free_port)
sip_spans pbx carrier
expect_code 201 "SIP trunk lync toward SIPp" POST /api/v1/sip-trunks \
	-d "{\"name\":\"lync\",\"profile\":\"lync2013\",\"options_interval\":0,\"next_hops\":[{\"host\":\"127.0.0.1\",\"port\":$UAS_PORT}]}"
expect_code 201 "group lync-g" POST /api/v1/trunk-groups -d '{"name":"lync-g","kind":"sip","members":[{"sip_trunk":"lync"}]}'
expect_code 201 "range pbx-users" POST /api/v1/number-ranges -d '{"name":"pbx-users","prefix":"49301002","group":"pbx-g"}'
expect_code 201 "route lync -> range owner" POST /api/v1/routes -d '{"name":"from-lync","source_group":"lync-g","called_prefix":"4930","destinations":[]}'
expect_code 201 "route carrier -> lync" POST /api/v1/routes -d '{"name":"to-lync","source_group":"carrier-g","called_prefix":"","destinations":[{"group":"lync-g"}]}'

# ---- cause map: PRI -> SIP (Lync fails over on 5xx only) ----
# pbx_reject NAME CAUSE: the PBX refuses the next call with CAUSE
pbx_reject() {
	printf '%s\n' "$PBX" "auto reject $2 pbx" "expect link up pbx within 15" \
		"expect call to 4930100299 on pbx within 20" "expect release within 20" \
		| "$TGSIM" >"$WORK/pbx-$1.out" 2>&1 &
	T=$!; PIDS+=("$T")
	wait_for grep -q '"event":"expect-ok","line":3' "$WORK/pbx-$1.out"
}
for c in 34 38 41 42; do
	trunk ""
	pbx_reject m$c $c
	sipp_call m$c 127.0.0.1 uac_fail.xml -s +4930100299; ok $? "cause $c: SIPp's INVITE ends"
	wait "$T"
	like "$(grep -m1 '^SIP/2.0 [3-6]' "$WORK/m$c.msg")" '^SIP/2.0 503 ' "cause $c: 503 (Lync fails over)"
	like "$(hdr "$WORK/m$c.msg" Reason)" "^Q\\.850;cause=$c;" "cause $c: Reason: Q.850;cause=$c"
done
trunk "cause.34=486"
pbx_reject o1 34
sipp_call o1 127.0.0.1 uac_fail.xml -s +4930100299; ok $? "cause.34=486: SIPp's INVITE ends"
wait "$T"
like "$(grep -m1 '^SIP/2.0 [3-6]' "$WORK/o1.msg")" '^SIP/2.0 486 ' "cause.34=486: the trunk's own status"
like "$(hdr "$WORK/o1.msg" Reason)" '^Q\.850;cause=34;' "still with Reason: Q.850;cause=34"
r=$(api PUT /api/v1/sip-trunks/lync -d '{"interop":"status.486=999"}')
like "$r" '^400 ' "status.S=CAUSE with a cause out of 1..127: 400"
like "$r" 'interop' "... naming the field"

# ---- cause map: SIP -> PRI ----
trunk ""
sipp_uas r1 "$UAS_PORT" uas_busy.xml
printf '%s\n' "$CAR" "expect link up carrier within 15" "call carrier 5550001 4930123 as c1" \
	"expect release c1 cause 17 within 15" | "$TGSIM" >"$WORK/r1.tgsim" 2>&1
ok $? "486 from SIP: cause 17 (user busy) on the PRI"
wait "$UAS"
trunk "status.486=34"
sipp_uas r2 "$UAS_PORT" uas_busy.xml
printf '%s\n' "$CAR" "expect link up carrier within 15" "call carrier 5550001 4930123 as c1" \
	"expect release c1 cause 34 within 15" | "$TGSIM" >"$WORK/r2.tgsim" 2>&1
ok $? "status.486=34: cause 34 on the PRI"
wait "$UAS"

# ---- forked early dialogs (media bypass) ----
trunk ""
PA=$(free_port); PB=$(free_port); PC=$(free_port)
sipp_uas f1 "$UAS_PORT" uas_fork.xml -key pa "$PA" -key pb "$PB" -key pc "$PC"
printf '%s\n' "$CAR" "expect link up carrier within 15" "call carrier 5550001 4930123 as c1" \
	"expect answer c1 within 15" "sleep 2" "hangup c1" \
	"expect release c1 cause 16 within 5" | "$TGSIM" >"$WORK/f1.tgsim" 2>&1
ok $? "a call forked to four endpoints is answered by one (forkB)"
wait "$UAS"; ok $? "SIPp: forkB's 200 ACKed, fork7's late 200 ACKed and ended with BYE, forkB's call ended with BYE"
is 24 "$(grep -c '^SIP/2.0 183 ' "$WORK/f1.msg")" "SIPp sent 183 with SDP from 24 early dialogs"
wait_for sh -c "[ \$(grep -c \"lync: far end's answer: RTP\" '$S.log') -ge 2 ]"
media=$(grep "lync: far end's answer: RTP" "$S.log" | sed 's/.* to \(127\.0\.0\.1:[0-9]*\) .*/\1/' | tr '\n' ' ')
[ -n "$media" ] || grep -E "lync: (no RTP|cannot|the far end)|media" "$S.log" | tail -5 | sed 's/^/# /'
is "127.0.0.1:$PA 127.0.0.1:$PB " "$media" "early media from the first fork with SDP only (forkA), then the answering fork's SDP (forkB)"
wait_for sh -c "curl -s -u 'admin:$PW' '${URL}api/v1/calls' | jq -e '.active == 0' >/dev/null"
ok $? "no call left in the live calls list"

# ---- self-test: DNS, OPTIONS over UDP, a closed port ----
OPT_PORT=$(free_port); CLOSED=$(free_port)
expect_code 201 "trunk st: two UDP next hops, SIPp and a closed port" POST /api/v1/sip-trunks \
	-d "{\"name\":\"st\",\"profile\":\"lync2013\",\"options_interval\":0,\"next_hops\":[{\"host\":\"127.0.0.1\",\"port\":$OPT_PORT},{\"host\":\"localhost\",\"port\":$CLOSED}]}"
sipp_uas o1 "$OPT_PORT" uas_options.xml
r=$(api POST /api/v1/sip-trunks/st/self-test); like "$r" '^200 ' "self-test: 200"
j=${r#* }
echo "# $(jq -c . <<<"$j")"
check() { jq -r ".checks[] | select(.hop == \"$1\" and .name == \"$2\") | \"\\(.ok) \\(.detail)\"" <<<"$j"; }
like "$(check "127.0.0.1:$OPT_PORT;transport=udp" dns)" '^true 127\.0\.0\.1 is an IP address' "hop 1: an IP address needs no DNS"
like "$(check "127.0.0.1:$OPT_PORT;transport=udp" options)" '^true the peer answered 200 OK' "hop 1: OPTIONS answered 200 by SIPp"
wait "$UAS"; ok $? "SIPp got the OPTIONS"
like "$(check "localhost:$CLOSED;transport=udp" dns)" '^true localhost is .*(127\.0\.0\.1|::1)' "hop 2: localhost resolves"
like "$(check "localhost:$CLOSED;transport=udp" options)" '^false nothing listens there' "hop 2: OPTIONS to a closed port fails, saying why"
is false "$(jq -r .ok <<<"$j")" "self-test: not ok overall"
is 4 "$(jq '[.checks[] | select(.ms >= 0)] | length' <<<"$j")" "four checks, each timed"
like "$(jq -r .lync_command <<<"$j")" '^Set-CsTrunkConfiguration -Identity "PstnGateway:st" -SRTPMode NotSupported -EnableBypass \$false -EnableReferSupport \$true -EnableSessionTimer \$false -EnableFastFailoverTimer \$true -ForwardCallHistory \$true -ForwardPAI \$true ' \
	"lync_command from the lync2013 profile's switches"
r=$(api POST /api/v1/sip-trunks/st/self-test -d '{"hop":1}'); like "$r" '^400 .*"field":"hop"' "self-test: an unknown field is a 400 naming it"
expect_code 404 "self-test of a trunk that does not exist: 404" POST /api/v1/sip-trunks/nope/self-test
r=$(http POST /api/v1/sip-trunks/st/self-test); like "$r" '^401 ' "self-test needs a login"

# ---- self-test over TLS: the gateway's own mutual-TLS trunk port is the peer ----
TLS_PORT=$(free_port)
expect_code 201 "trunk ls: a TLS port of ours, mutual TLS checking lync.test" POST /api/v1/sip-trunks \
	-d "{\"name\":\"ls\",\"options_interval\":0,\"transport\":\"tls\",\"listen\":\"127.0.0.1:$TLS_PORT\",\"tls_cert\":\"$C/gw.pem\",\"tls_key\":\"$C/gw.key\",\"tls_ca\":\"$C/ca.pem\",\"tls_verify_name\":\"lync.test\",\"next_hops\":[{\"host\":\"127.0.0.3\",\"port\":5067}]}"
wait_for sh -c "ss -Hltn | grep -q '127.0.0.1:$TLS_PORT '"; ok $? "the TLS trunk port listens"
expect_code 201 "trunk sts: TLS toward it, as lync.test, expecting gw.test" POST /api/v1/sip-trunks \
	-d "{\"name\":\"sts\",\"options_interval\":0,\"transport\":\"tls\",\"srtp_mode\":\"optional\",\"media_bypass\":true,\"tls_cert\":\"$C/lync.pem\",\"tls_key\":\"$C/lync.key\",\"tls_ca\":\"$C/ca.pem\",\"tls_verify_name\":\"gw.test\",\"next_hops\":[{\"host\":\"127.0.0.1\",\"port\":$TLS_PORT}]}"
j=$(api POST /api/v1/sip-trunks/sts/self-test); j=${j#* }
echo "# $(jq -c . <<<"$j")"
H="127.0.0.1:$TLS_PORT;transport=tls"
like "$(check "$H" connect)" '^true TCP connected' "TLS hop: TCP connect"
like "$(check "$H" tls)" '^true TLS1\.[23]; the peer.s certificate chain is trusted .* names gw\.test; our client certificate was offered' "TLS hop: handshake, chain and name verified, mutual TLS"
like "$(check "$H" options)" '^true the peer answered 200 OK' "TLS hop: OPTIONS over TLS answered 200"
is true "$(jq -r .ok <<<"$j")" "TLS self-test ok overall"
like "$(jq -r .lync_command <<<"$j")" ' -SRTPMode Optional -EnableBypass \$true ' "lync_command: SRTPMode and bypass of a TLS trunk"
api PUT /api/v1/sip-trunks/sts -d '{"tls_verify_name":"wrong.test"}' >/dev/null
j=$(api POST /api/v1/sip-trunks/sts/self-test); j=${j#* }
echo "# $(jq -c . <<<"$j")"
like "$(check "$H" tls)" '^false the peer.s certificate for wrong\.test: .*(does not match|not match)' "TLS hop: a name mismatch is reported"
is "" "$(check "$H" options)" "no OPTIONS after a failed handshake"

# Under ASan a leak (a forked dialog's, a self-test's) fails the exit status.
stop_daemon "$DPID"; is 0 "$STOP_RC" "SIGTERM exits 0"
is "" "$(grep -m1 -E 'LeakSanitizer|AddressSanitizer' "$S.log")" "no sanitizer report in the log"

finish
