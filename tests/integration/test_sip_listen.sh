#!/usr/bin/env bash
# test_sip_listen.sh -- SIP trunks with their own listening address: a TCP
# trunk port (Lync's Topology Builder gives each trunk its own gateway
# port) takes its trunk's calls and OPTIONS, the shared port refuses that
# trunk's calls; a TLS trunk port with mutual TLS: openssl s_client with
# the client certificate the test's CA signed gets 200 to an OPTIONS, one
# without a certificate, or with a certificate for another name, gets none.
# (Debian's SIPp has no TLS.)
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/sip_lib.sh"

if ! command -v openssl >/dev/null 2>&1; then
	echo "1..0 # SKIP openssl not installed"
	exit 0
fi

# A CA, the gateway's certificate and two client certificates.
C=$WORK/certs
tls_certs "$C" gw:gw.test lync:lync.test other:other.test
ok $? "the test's CA signed the gateway's and two clients' certificates"

# sofia-sip's TLS transport leaks OpenSSL objects (see the file): not ours.
export LSAN_OPTIONS="suppressions=$TG_SRCDIR/tests/integration/lsan-sofia-tls.supp:print_suppressions=0${LSAN_OPTIONS:+:$LSAN_OPTIONS}"

sip_start -l debug || finish

TCP_PORT=$(free_port)
TLS_PORT=$(free_port)
expect_code 201 "trunk lt: TCP, its own port" POST /api/v1/sip-trunks \
	-d "{\"name\":\"lt\",\"options_interval\":0,\"transport\":\"tcp\",\"listen\":\"127.0.0.1:$TCP_PORT\",\"next_hops\":[{\"host\":\"127.0.0.1\",\"port\":5068}]}"
expect_code 201 "trunk ls: TLS, its own port, mutual TLS checking lync.test" POST /api/v1/sip-trunks \
	-d "{\"name\":\"ls\",\"options_interval\":0,\"transport\":\"tls\",\"listen\":\"127.0.0.1:$TLS_PORT\",\"tls_cert\":\"$C/gw.pem\",\"tls_key\":\"$C/gw.key\",\"tls_ca\":\"$C/ca.pem\",\"tls_verify_name\":\"lync.test\",\"next_hops\":[{\"host\":\"127.0.0.3\",\"port\":5067}]}"
expect_code 201 "group lt-g" POST /api/v1/trunk-groups -d '{"name":"lt-g","kind":"sip","members":[{"sip_trunk":"lt"}]}'
wait_for sh -c "ss -Hltn | grep -q '127.0.0.1:$TCP_PORT '"; ok $? "the TCP trunk port listens"
wait_for sh -c "ss -Hltn | grep -q '127.0.0.1:$TLS_PORT '"; ok $? "the TLS trunk port listens"
like "$(grep 'trunk ls: listening' "$S.log")" 'sips:127\.0\.0\.1:[0-9]+;transport=tls \(mutual TLS, peer name checked\)' \
	"the log names the TLS listener and its policy"

# ---- TCP: the trunk's port takes its calls, the shared port does not ----
SIP_TARGET_SHARED=$SIP_TARGET
SIP_TARGET=127.0.0.1:$TCP_PORT
sipp_call o1 127.0.0.1 options.xml -t t1; ok $? "OPTIONS over TCP on the trunk's port: 200"
sipp_call u1 127.0.0.1 uac_fail.xml -t t1 -s 4930999; ok $? "an INVITE over TCP on the trunk's port ends"
like "$(grep -m1 '^SIP/2.0 [3-6]' "$WORK/u1.msg")" '^SIP/2.0 404' \
	"it is the trunk's call (no route for the number: 404), not a stranger's (403)"
SIP_TARGET=$SIP_TARGET_SHARED
sipp_call u2 127.0.0.1 uac_fail.xml -s 4930999; ok $? "the same INVITE on the shared port ends"
like "$(grep -m1 '^SIP/2.0 [3-6]' "$WORK/u2.msg")" '^SIP/2.0 403' "the shared port refuses the trunk's peer: 403"
like "$(grep 'refused with 403: trunk lt listens on' "$S.log")" "127\.0\.0\.1:$TCP_PORT" "and says why in the log"

# ---- TLS: mutual TLS with the peer's name checked ----
options_over_tls() {    # options_over_tls [s_client certificate args]: the first response line
	printf 'OPTIONS sip:127.0.0.1:%s SIP/2.0\r\nVia: SIP/2.0/TLS 127.0.0.1:5061;branch=z9hG4bK-t%s;rport\r\nFrom: <sip:probe@lync.test>;tag=1\r\nTo: <sip:127.0.0.1:%s>\r\nCall-ID: tls-%s@test\r\nCSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n' \
		"$TLS_PORT" "$RANDOM" "$TLS_PORT" "$RANDOM" |
	timeout 5 openssl s_client -connect "127.0.0.1:$TLS_PORT" -CAfile "$C/ca.pem" \
		-verify_return_error -verify_hostname gw.test -quiet -ign_eof "$@" 2>"$WORK/s_client.err" |
	tr -d '\r' | grep -m1 '^SIP/2.0'
}
is "SIP/2.0 200 OK" "$(options_over_tls -cert "$C/lync.pem" -key "$C/lync.key")" \
	"OPTIONS over mutual TLS with lync.test's certificate: 200 (and the gateway's gw.test certificate verified)"
is "" "$(options_over_tls)" "without a client certificate: no answer (the handshake is refused)"
is "" "$(options_over_tls -cert "$C/other.pem" -key "$C/other.key")" \
	"with a certificate for another name (other.test): no answer"

# ---- the listener follows the trunk ----
NEW_PORT=$(free_port)
expect_code 200 "trunk lt moves to another port" PUT /api/v1/sip-trunks/lt -d "{\"listen\":\"127.0.0.1:$NEW_PORT\"}"
wait_for sh -c "! ss -Hltn | grep -q '127.0.0.1:$TCP_PORT '"; ok $? "the old port is closed"
wait_for sh -c "ss -Hltn | grep -q '127.0.0.1:$NEW_PORT '"; ok $? "the new one listens"

stop_daemon "$DPID"; is 0 "$STOP_RC" "SIGTERM exits 0 with the trunk listeners open"
finish
