#!/usr/bin/env bash
# test_sip_via_maddr.sh -- a request whose Via names `maddr=HOST` makes
# sofia-sip resolve HOST with a blocking getaddrinfo on the main loop to
# send the response (RFC 3261 18.2.2).  trunkgated points the main thread's
# resolver at a nameserver that refuses at once (trunk_resolve_guard_main),
# so the loop does not wait for DNS.  The test makes DNS unresponsive: in a
# network namespace with loopback only (unshare -n, root; skipped without)
# the nameservers of /etc/resolv.conf are given to lo and port 53 is
# dropped by iptables, so an unguarded lookup waits for its timeouts (10 s
# with glibc's defaults, 2 attempts of 5 s).  Then:
# (a) an OPTIONS with Via maddr=stall.example.com, then a normal OPTIONS:
#     the normal one is answered at once (under 3 s; unguarded: 10 s+);
# (b) a Via sent-by hostname without maddr never caused a lookup (nta
#     sends to the received= address it adds): answered at once too.
if [ -z "${TG_NETNS:-}" ]; then
	if [ "$(id -u)" = 0 ] && unshare -n true 2>/dev/null && command -v iptables >/dev/null 2>&1; then
		TG_NETNS=1 exec unshare -n bash -c 'ip link set lo up && exec "$0" "$@"' "$0" "$@"
	fi
	echo "1..0 # SKIP needs a network namespace (root, unshare -n, iptables) to make DNS unresponsive"
	exit 0
fi
. "$(dirname "$0")/lib.sh"

# Unresponsive DNS inside this namespace only.
for ns in $(awk '$1 == "nameserver" && $2 ~ /^[0-9.]+$/ { print $2 }' /etc/resolv.conf); do
	ip addr add "$ns/32" dev lo 2>/dev/null
done
if ! iptables -A INPUT -p udp --dport 53 -j DROP 2>/dev/null ||
   ! iptables -A INPUT -p tcp --dport 53 -j DROP 2>/dev/null; then
	echo "1..0 # SKIP iptables does not work in this namespace"
	exit 0
fi

S=$WORK/state
start_daemon "$S" || { ok 1 "daemon starts"; finish; }
wait_for test -s "$S/sip.url"; ok $? "the SIP side listens"
SIP_TARGET=$(sed 's/^sip://' "$S/sip.url")
PORT=${SIP_TARGET##*:}

# stall MODE: a bad OPTIONS (MODE maddr or host), then a normal one; prints
# the seconds the normal one waited for its answer ("timeout" past 15 s)
stall() {
	python3 - "$PORT" "$1" <<'EOF'
import socket, sys, time
port, mode = int(sys.argv[1]), sys.argv[2]
def opt(via, cid):
    return (f"OPTIONS sip:127.0.0.1:{port} SIP/2.0\r\nVia: SIP/2.0/UDP {via};branch=z9hG4bK-{cid}\r\n"
            f"From: <sip:x@127.0.0.1>;tag=1\r\nTo: <sip:127.0.0.1>\r\nCall-ID: {cid}\r\n"
            f"CSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n").encode()
good = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
good.bind(("127.0.0.1", 0))
good.settimeout(15)
bad = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
via = "127.0.0.1:5071;maddr=stall.example.com" if mode == "maddr" else "stallhost.example.com:5071"
bad.sendto(opt(via, f"bad-{mode}-{time.time_ns()}"), ("127.0.0.1", port))
time.sleep(0.1)
t0 = time.time()
good.sendto(opt(f"127.0.0.1:{good.getsockname()[1]};rport", f"good-{time.time_ns()}"), ("127.0.0.1", port))
try:
    good.recv(4000)
    print(f"{time.time() - t0:.2f}")
except socket.timeout:
    print("timeout")
EOF
}
fast() { awk -v t="$1" 'BEGIN { exit !(t != "timeout" && t < 3) }'; }

getent hosts stall.example.com >/dev/null; is 2 "$?" "DNS does not answer here (getent gives up)"
t=$(stall maddr); fast "$t"; ok $? "after an OPTIONS with Via maddr=stall.example.com a normal OPTIONS is answered at once ($t s)"
t=$(stall host); fast "$t"; ok $? "after one with a Via hostname too ($t s)"
t=$(stall maddr); fast "$t"; ok $? "and again ($t s)"

stop_daemon "$DPID"; is 0 "$STOP_RC" "trunkgated exits cleanly"
finish
