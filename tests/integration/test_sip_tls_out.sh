#!/usr/bin/env bash
# test_sip_tls_out.sh -- outgoing TLS from a trunk without its own listen
# address (daemon/sip/trunk_listen.c: the implicit TLS client nua):
# (a) the API refuses a TLS trunk without listen and without tls_cert /
#     tls_key (400 naming the field);
# (b) SIPp on 127.0.0.3 (trunk pbx) calls a number routed to trunk far,
#     whose next hop is an openssl s_server on 127.0.0.1 that demands a
#     client certificate (SIPp in Debian has no TLS): the INVITE arrives over
#     TLS, with Via SIP/2.0/TLS, from a client presenting the trunk's
#     certificate, and the daemon verified the server's against tls_ca and
#     the next hop's host (sofia checks the name it connected to: the
#     certificate says 127.0.0.1);
# (c) a server whose certificate names another host (other.test) is
#     refused by the gateway: no INVITE reaches it, the call fails at once
#     with a transport error (503), not with timer B's 408;
# (d) failover: the same refusing server as first next hop and a good
#     server as second: the refused handshake moves the INVITE on to the
#     second hop as a transport error (503 in the log), before timer B.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/sip_lib.sh"
if ! command -v openssl >/dev/null 2>&1; then
	echo "1..0 # SKIP openssl not installed"
	exit 0
fi

C=$WORK/certs
tls_certs "$C" gw:gw.test far:127.0.0.1 other:other.test
ok $? "the test's CA signed the gateway's and two servers' certificates"

# sofia-sip's TLS transport leaks OpenSSL objects (see the file): not ours.
export LSAN_OPTIONS="suppressions=$TG_SRCDIR/tests/integration/lsan-sofia-tls.supp:print_suppressions=0${LSAN_OPTIONS:+:$LSAN_OPTIONS}"

sip_start || finish

# (a)
r=$(api POST /api/v1/sip-trunks -d '{"name":"x","transport":"tls","options_interval":0,"next_hops":[{"host":"127.0.0.1"}]}')
like "$r" '^400 .*needs tls_cert and tls_key.*"field":"tls_cert"' "transport tls without listen or certificate: 400 naming tls_cert"
r=$(api POST /api/v1/sip-trunks -d "{\"name\":\"x\",\"tls_cert\":\"$C/gw.pem\",\"options_interval\":0,\"next_hops\":[{\"host\":\"127.0.0.1\",\"transport\":\"tls\"}]}")
like "$r" '^400 .*"field":"tls_key"' "a next hop's tls with only tls_cert: 400 naming tls_key"

TLS_PORT=$(free_port)
like "$(api POST /api/v1/sip-trunks -d '{"name":"pbx","options_interval":0,"next_hops":[{"host":"127.0.0.3"}]}')" '^201 ' "trunk pbx (peer 127.0.0.3)"
like "$(api POST /api/v1/sip-trunks -d "{\"name\":\"far\",\"transport\":\"tls\",\"options_interval\":0,\"tls_cert\":\"$C/gw.pem\",\"tls_key\":\"$C/gw.key\",\"tls_ca\":\"$C/ca.pem\",\"next_hops\":[{\"host\":\"127.0.0.1\",\"port\":$TLS_PORT}]}")" \
	'^201 ' "trunk far: TLS to 127.0.0.1, no listen, the gateway's certificate, the CA"
api POST /api/v1/trunk-groups -d '{"name":"pbx-g","kind":"sip","members":[{"sip_trunk":"pbx"}]}' >/dev/null
api POST /api/v1/trunk-groups -d '{"name":"far-g","kind":"sip","members":[{"sip_trunk":"far"}]}' >/dev/null
like "$(api POST /api/v1/routes -d '{"name":"out","source_group":"pbx-g","called_prefix":"","destinations":[{"group":"far-g"}]}')" \
	'^201 ' "route pbx-g -> far-g"
wait_for grep -q 'trunk far: TLS client (its own nua) on sips:127\.0\.0\.1' "$S.log"
ok $? "the daemon opened far's TLS client"

# s_server SERVER_CERT NAME: a TLS server on TLS_PORT demanding a client
# certificate from our CA; what it receives in $WORK/NAME.srv
s_server() {
	openssl s_server -accept "127.0.0.1:$TLS_PORT" -cert "$C/$1.pem" -key "$C/$1.key" \
		-CAfile "$C/ca.pem" -Verify 2 -verify_return_error -naccept 1 \
		>"$WORK/$2.srv" 2>&1 < <(sleep 40) &
	SRV=$!; PIDS+=("$SRV")
	wait_for sh -c "ss -Hltn | grep -q '127.0.0.1:$TLS_PORT '"
}
caller() {      # caller NAME: SIPp on 127.0.0.3 calls; ends on whatever final response
	(cd "$WORK" && exec sipp "$SIP_TARGET" -sf "$SIPP_DIR/uac_fail.xml" -s 4930100234 -i 127.0.0.3 \
		-p "$(free_port)" -mp "$(free_port)" -m 1 -nostdin -timeout 30s \
		-trace_msg -message_file "$WORK/$1.msg" >"$WORK/$1.out" 2>&1) &
	CALLER=$!; PIDS+=("$CALLER")
}

# (b)
s_server far b
caller b
wait_for grep -q '^INVITE sip:' "$WORK/b.srv"; ok $? "the INVITE reached the TLS server"
tr -d '\r' <"$WORK/b.srv" >"$WORK/b.txt"
like "$(grep '^INVITE ' "$WORK/b.txt")" '^INVITE sip:[0-9]+@127\.0\.0\.1:'"$TLS_PORT"'.*transport=tls' \
	"its Request-URI names the next hop with transport=tls"
like "$(hdr "$WORK/b.txt" Via)" '^SIP/2\.0/TLS ' "Via: SIP/2.0/TLS"
grep -q 'depth=0 CN = gw.test' "$WORK/b.txt"; ok $? "the gateway presented the trunk's certificate (CN gw.test), verified by the server"
kill "$SRV" 2>/dev/null; wait "$SRV" 2>/dev/null
kill "$CALLER" 2>/dev/null; wait "$CALLER" 2>/dev/null

# (c) a server whose certificate is for other.test, on another port
TLS_PORT=$(free_port)
like "$(api PUT /api/v1/sip-trunks/far -d "{\"next_hops\":[{\"host\":\"127.0.0.1\",\"port\":$TLS_PORT}]}")" '^200 ' \
	"far's next hop moved to the other server's port"
s_server other c
caller c
wait "$CALLER"
tr -d '\r' <"$WORK/c.msg" >"$WORK/c.txt"
like "$(grep '^SIP/2.0 [3-6]' "$WORK/c.txt" | head -1)" '^SIP/2\.0 503 ' \
	"a server named other.test: the call fails with 503, a transport error, not timer B's 408 ($(grep '^SIP/2.0 [3-6]' "$WORK/c.txt" | head -1))"
grep -q '^INVITE' "$WORK/c.srv"; is 1 "$?" "and no INVITE reached it"
wait_for grep -q 'Peer Subject Mismatch (127.0.0.1)' "$S.log"; rc=$?
ok $rc "sofia-sip logged the name mismatch"
[ "$rc" -eq 0 ] || { grep -i 'tls\|nta\|far' "$S.log" | tail -8 | sed 's/^/#   /'; sed 's/^/#   /' "$WORK/c.txt" | grep '^#   SIP'; sed 's/^/#   srv: /' "$WORK/c.srv" | tail -5; }
kill "$SRV" 2>/dev/null; wait "$SRV" 2>/dev/null

# (d) next hops: the refusing server, then a good one
BAD_PORT=$(free_port)
TLS_PORT=$BAD_PORT
s_server other d1
BAD=$SRV
TLS_PORT=$(free_port)
like "$(api PUT /api/v1/sip-trunks/far -d "{\"next_hops\":[{\"host\":\"127.0.0.1\",\"port\":$BAD_PORT,\"priority\":1},{\"host\":\"127.0.0.1\",\"port\":$TLS_PORT,\"priority\":2}]}")" \
	'^200 ' "far's next hops: the refusing server first, a good one second"
s_server far d2
caller d
wait_for grep -q '^INVITE sip:' "$WORK/d2.srv"; ok $? "the INVITE reached the second hop's server"
grep -q '^INVITE' "$WORK/d1.srv"; is 1 "$?" "and never the first (its certificate was refused)"
like "$(grep "next hop 127\.0\.0\.1:$BAD_PORT failed" "$S.log")" "failed with 503, trying 127\\.0\\.0\\.1:$TLS_PORT" \
	"the refused handshake failed over as a transport error (503), not after timer B (408)"
kill "$BAD" "$SRV" "$CALLER" 2>/dev/null; wait "$BAD" "$SRV" "$CALLER" 2>/dev/null

stop_daemon "$DPID"; is 0 "$STOP_RC" "trunkgated exits cleanly"
finish
