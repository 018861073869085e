#!/usr/bin/env bash
# test_sip_selftest_dns.sh -- the SIP trunk self-test finds a hostname next
# hop without a port as RFC 3263 says (web/api/sip_selftest.c: NAPTR, SRV,
# then A/AAAA, with sofia-sip's resolver).  A real DNS server (dnsmasq)
# answers on 127.0.0.1:53 inside a network and mount namespace of the test's
# own (unshare -n -m, root; skipped without), whose /etc/resolv.conf is a
# bind mount of the test's file: the machine's resolv.conf is not touched.
#   pbx.example.test   NAPTR SIP+D2U -> _sip._udp.pbx.example.test;
#                      SRV 10 gone.example.test (no address),
#                          20 host1.example.test:PORT (127.0.0.1, SIPp)
#   bare.example.test  A 127.0.0.5 only: no NAPTR, no SRV -> port 5060
#   none.example.test  does not exist (NXDOMAIN)
#   tls.example.test   NAPTR SIP+D2U only; a TLS hop: none for SIPS+D2T
# and with dnsmasq stopped, the failure says no DNS server answered.
if [ -z "${TG_NETNS:-}" ]; then
	if [ "$(id -u)" = 0 ] && command -v dnsmasq >/dev/null 2>&1 &&
	   unshare -n -m true 2>/dev/null; then
		TG_NETNS=1 exec unshare -n -m bash -c 'ip link set lo up && exec "$0" "$@"' "$0" "$@"
	fi
	echo "1..0 # SKIP needs dnsmasq and a network namespace (root, unshare -n -m)"
	exit 0
fi
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/sip_lib.sh"

# This namespace's resolv.conf names our dnsmasq (a private mount: the
# machine's file stays as it is).
printf 'nameserver 127.0.0.1\noptions timeout:1 attempts:1\n' >"$WORK/resolv.conf"
mount --bind "$WORK/resolv.conf" /etc/resolv.conf
ok $? "this namespace's /etc/resolv.conf names 127.0.0.1"

UAS_PORT=$(free_port)
dnsmasq --keep-in-foreground --no-resolv --no-hosts --no-poll --bind-interfaces \
	--listen-address=127.0.0.1 --port=53 --user=root --pid-file="$WORK/dnsmasq.pid" \
	--log-facility="$WORK/dnsmasq.log" --log-queries \
	--local=/example.test/ \
	--naptr-record=pbx.example.test,10,50,S,SIP+D2U,,_sip._udp.pbx.example.test \
	--srv-host=_sip._udp.pbx.example.test,gone.example.test,5999,10,60 \
	--srv-host=_sip._udp.pbx.example.test,host1.example.test,"$UAS_PORT",20,10 \
	--host-record=host1.example.test,127.0.0.1 \
	--host-record=bare.example.test,127.0.0.5 \
	--naptr-record=tls.example.test,10,50,S,SIP+D2U,,_sip._udp.tls.example.test \
	--host-record=tls.example.test,127.0.0.6 &
DNS=$!; PIDS+=("$DNS")
wait_for sh -c "ss -Hlun | grep -q '127.0.0.1:53 '"; ok $? "dnsmasq answers on 127.0.0.1:53"

C=$WORK/certs
tls_certs "$C" gw:gw.test >/dev/null
sip_start || finish
api POST /api/v1/sip-trunks -d '{"name":"dns","options_interval":0,"transport":"udp","next_hops":[{"host":"pbx.example.test"},{"host":"bare.example.test"},{"host":"none.example.test"}]}' >/dev/null
api POST /api/v1/sip-trunks -d "{\"name\":\"dnstls\",\"options_interval\":0,\"transport\":\"tls\",\"tls_cert\":\"$C/gw.pem\",\"tls_key\":\"$C/gw.key\",\"next_hops\":[{\"host\":\"tls.example.test\"}]}" >/dev/null
sipp_uas o1 "$UAS_PORT" uas_options.xml

r=$(api POST /api/v1/sip-trunks/dns/self-test); like "$r" '^200 ' "self-test: 200"
j=${r#* }
echo "# $(jq -c . <<<"$j")"
check() { jq -r ".checks[] | select(.hop == \"$1\" and .name == \"$2\") | \"\\(.ok) \\(.detail)\"" <<<"$j"; }
recs() { jq -c "[.checks[] | select(.hop == \"$1\" and .name == \"$2\") | .records[]?]" <<<"$j"; }

H=pbx.example.test\;transport=udp
is "naptr srv dns options" "$(jq -r "[.checks[] | select(.hop == \"$H\") | .name] | join(\" \")" <<<"$j")" \
	"pbx: the steps naptr, srv, dns, options, in that order"
like "$(check "$H" naptr)" '^true pbx\.example\.test: 1 NAPTR records \(SIP\+D2U -> _sip\._udp\.pbx\.example\.test\); SIP\+D2U is offered$' \
	"pbx: the NAPTR record offers SIP+D2U"
is '[{"order":10,"preference":50,"flags":"S","service":"SIP+D2U","replacement":"_sip._udp.pbx.example.test"}]' \
	"$(recs "$H" naptr)" "pbx: the NAPTR record in records"
like "$(check "$H" srv)" "^true _sip\\._udp\\.pbx\\.example\\.test: gone\\.example\\.test:5999 \\(priority 10, weight 60\\), host1\\.example\\.test:$UAS_PORT \\(priority 20, weight 10\\)$" \
	"pbx: both SRV targets, by priority"
is "[{\"priority\":10,\"weight\":60,\"port\":5999,\"target\":\"gone.example.test\"},{\"priority\":20,\"weight\":10,\"port\":$UAS_PORT,\"target\":\"host1.example.test\"}]" \
	"$(recs "$H" srv)" "pbx: the SRV records in records"
like "$(check "$H" dns)" "^true gone\\.example\\.test: does not exist \\(NXDOMAIN\\), host1\\.example\\.test is 127\\.0\\.0\\.1; 127\\.0\\.0\\.1 port $UAS_PORT is tested$" \
	"pbx: the first target has no address (NXDOMAIN named), the second is tested on its SRV port"
is "[{\"target\":\"gone.example.test\",\"port\":5999,\"addresses\":[],\"error\":\"does not exist (NXDOMAIN)\"},{\"target\":\"host1.example.test\",\"port\":$UAS_PORT,\"addresses\":[\"127.0.0.1\"]}]" \
	"$(recs "$H" dns)" "pbx: each target's addresses in records"
like "$(check "$H" options)" '^true the peer answered 200 OK' "pbx: OPTIONS to the SRV target answered 200 by SIPp"
wait "$UAS"; ok $? "SIPp on the SRV target's port got the OPTIONS"

H=bare.example.test\;transport=udp
like "$(check "$H" naptr)" '^true bare\.example\.test has no NAPTR records; SRV next' "bare: no NAPTR"
like "$(check "$H" srv)" '^true _sip\._udp\.bare\.example\.test: no SRV records( \(NXDOMAIN\))?; bare\.example\.test itself on port 5060' \
	"bare: no SRV, the host itself on 5060"
like "$(check "$H" dns)" '^true bare\.example\.test is 127\.0\.0\.5; 127\.0\.0\.5 port 5060 is tested$' "bare: its A record"
like "$(check "$H" options)" '^false ' "bare: nobody answers OPTIONS there"

H=none.example.test\;transport=udp
is "false NAPTR none.example.test: does not exist (NXDOMAIN)" "$(check "$H" naptr)" \
	"none: NXDOMAIN, named"
is "naptr" "$(jq -r "[.checks[] | select(.hop == \"$H\") | .name] | join(\" \")" <<<"$j")" \
	"none: no step after the failed one"
is false "$(jq -r .ok <<<"$j")" "self-test not ok overall"

j=$(api POST /api/v1/sip-trunks/dnstls/self-test); j=${j#* }
echo "# $(jq -c . <<<"$j")"
H=tls.example.test\;transport=tls
like "$(check "$H" naptr)" '^true tls\.example\.test: 1 NAPTR records \(SIP\+D2U -> .*\), none for SIPS\+D2T; the gateway names the transport and looks up _sips\._tcp\.tls\.example\.test all the same' \
	"tls: the NAPTR records offer no SIPS+D2T, said so"
like "$(check "$H" srv)" '^true _sips\._tcp\.tls\.example\.test: no SRV records.*itself on port 5061' "tls: _sips._tcp SRV, none: port 5061"
like "$(check "$H" dns)" '^true tls\.example\.test is 127\.0\.0\.6; 127\.0\.0\.6 port 5061 is tested$' "tls: its address on 5061"
like "$(check "$H" connect)" '^false TCP connect to 127\.0\.0\.6 port 5061' "tls: the connect step uses it"

grep -q 'query\[NAPTR\] pbx.example.test' "$WORK/dnsmasq.log"; ok $? "dnsmasq saw the NAPTR query"
grep -q 'query\[SRV\] _sips._tcp.tls.example.test' "$WORK/dnsmasq.log"; ok $? "dnsmasq saw the _sips._tcp SRV query"

# No DNS server at all: named as such, not taken for "no records".
kill "$DNS"; wait "$DNS" 2>/dev/null
j=$(api POST /api/v1/sip-trunks/dns/self-test); j=${j#* }
echo "# $(jq -c '.checks[0]' <<<"$j")"
like "$(check "pbx.example.test;transport=udp" naptr)" '^false NAPTR pbx\.example\.test: (no answer from the DNS server|no DNS server reachable)' \
	"DNS server gone: the naptr step fails, saying so"

stop_daemon "$DPID"; is 0 "$STOP_RC" "trunkgated exits cleanly"
finish
