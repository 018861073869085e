#!/usr/bin/env bash
# test_sip_torture.sh -- SIP robustness: every RFC 4475 and RFC 5118 torture
# message (shared/sip-torture, byte-exact, checksums verified) and a bounded
# run of mutated messages (fixed seed) are sent to trunkgated over UDP and
# TCP from a trusted trunk's address (tests/integration/sip_send.py).
#  (a) the answers: over TCP with the first Via made the sender's, each
#      message's final status must be the one in sip_torture_expect.txt (400
#      for the invalid requests sofia-sip can answer, no 5xx for valid ones);
#      over UDP the same way, no 5xx but 501/505 where the RFC asks for them;
#  (b) the same messages byte-exact over UDP and TCP, then the fuzz run;
#  (c) the daemon still answers OPTIONS on both transports, has no stuck
#      call, and serves a normal SIP -> PRI call (SIPp, tgsim);
#  (d) it exits 0 with nothing from the sanitizers in its log (run it in an
#      --enable-asan build for the leak check: LeakSanitizer reports at exit).
# Answers to a message's own Via go to foreign hosts (192.0.2.x,
# *.example.com): the test runs in a network namespace with loopback only
# (unshare -n, root), so nothing leaves the machine; without one it skips.
if [ -z "${TG_NETNS:-}" ]; then
	if [ "$(id -u)" = 0 ] && unshare -n true 2>/dev/null; then
		TG_NETNS=1 exec unshare -n bash -c 'ip link set lo up && exec "$0" "$@"' "$0" "$@"
	fi
	echo "1..0 # SKIP needs a network namespace (root and unshare -n): torture answers go to foreign hosts"
	exit 0
fi
. "$(dirname "$0")/lib.sh"
TGSIM=${TGSIM:-$TG_BUILDDIR/tgsim}
HERE=$TG_SRCDIR/tests/integration
SIPP_DIR=$HERE/sipp
# shared/ sits beside the clone; CI's ASan copy is two folders further down
if [ -z "${TORTURE:-}" ]; then
	for up in .. ../.. ../../.. ../../../..; do
		TORTURE=$TG_SRCDIR/$up/shared/sip-torture
		[ -d "$TORTURE" ] && break
	done
fi
SEND="python3 $HERE/sip_send.py"
FUZZ_COUNT=${FUZZ_COUNT:-2000}

if [ ! -f "$TORTURE/rfc4475/SHA256SUMS" ]; then
	echo "1..0 # SKIP no torture messages (shared/sip-torture)"
	exit 0
fi
if ! command -v sipp >/dev/null 2>&1; then
	echo "1..0 # SKIP sipp not installed (Debian package sip-tester; scripts/install-deps.sh)"
	exit 0
fi
(cd "$TORTURE/rfc4475" && sha256sum -c --quiet SHA256SUMS) && (cd "$TORTURE/rfc5118" && sha256sum -c --quiet SHA256SUMS)
ok $? "the torture messages are intact (SHA256SUMS)"
FILES=("$TORTURE"/rfc4475/*.dat "$TORTURE"/rfc5118/*.dat)
is 63 "${#FILES[@]}" "63 messages: RFC 4475 (with baddn-terminated) and RFC 5118"

free_port() {
	python3 -c 'import socket; s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

S=$WORK/state
start_daemon "$S" || { ok 1 "daemon starts"; finish; }
wait_for test -s "$S/sip.url"; ok $? "the SIP side listens"
SIP_TARGET=$(sed 's/^sip://' "$S/sip.url")
PORT=${SIP_TARGET##*:}
PW=$(cat "$S/initial-admin-password")
api() { http "$@" -u "admin:$PW" -H 'Content-Type: application/json'; }
status() { curl -s -u "admin:$PW" "${URL}api/v1/status"; }
status_is() { status | jq -e "$1" >/dev/null; }
like "$(api POST /api/v1/spans -d '{"name":"pbx","type":"E1","pri_side":"network"}')" '^201 ' "span pbx"
like "$(api POST /api/v1/sip-trunks -d '{"name":"peer","options_interval":0,"next_hops":[{"host":"127.0.0.1","port":9}]}')" '^201 ' \
	"SIP trunk peer: 127.0.0.1 is trusted (the torture messages come from a configured peer)"
like "$(api POST /api/v1/trunk-groups -d '{"name":"pbx-g","kind":"span","members":[{"span":"pbx"}]}')" '^201 ' "group pbx-g"
like "$(api POST /api/v1/trunk-groups -d '{"name":"peer-g","kind":"sip","members":[{"sip_trunk":"peer"}]}')" '^201 ' "group peer-g"
like "$(api POST /api/v1/number-ranges -d '{"name":"pbx-users","prefix":"49301002","group":"pbx-g"}')" '^201 ' "range pbx-users"
like "$(api POST /api/v1/routes -d '{"name":"from-peer","source_group":"peer-g","called_prefix":"4930","destinations":[]}')" '^201 ' "route from the peer"
wait_for status_is '.config.generation >= 6'

alive() { kill -0 "$DPID" 2>/dev/null; }

# (a) the answers, TCP: each as sip_torture_expect.txt says
$SEND files --own-via --transport tcp --port "$PORT" "${FILES[@]}" >"$WORK/tcp.out" 2>"$WORK/tcp.err"
ok $? "the messages went out over TCP"
alive; ok $? "the daemon is alive after them"
while read -r f want why; do
	case "$f" in ''|\#*) continue ;; esac
	got=$(awk -v f="$f" '$1 == f { n = split($2, c, ","); print c[n] }' "$WORK/tcp.out")
	is "$want" "$got" "TCP $f: $want ($why)"
	[ "$want" = "$got" ] || grep "^$f " "$WORK/tcp.out" | sed 's/^/#   got: /'
done <"$HERE/sip_torture_expect.txt"
is "${#FILES[@]}" "$(grep -vc '^#\|^$' "$HERE/sip_torture_expect.txt")" "every message has an expectation"

# UDP: no 5xx apart from the two the RFC asks for; messages that lost their
# transaction to the TCP run above (same Call-ID, From tag, CSeq) get 482
$SEND files --own-via --transport udp --port "$PORT" "${FILES[@]}" >"$WORK/udp.out" 2>"$WORK/udp.err"
ok $? "the messages went out over UDP"
bad=$(awk '{ n = split($2, c, ","); if (c[n] ~ /^5/ && $1 != "esc02.dat" && $1 != "badvers.dat") print $1 " " $2 }' "$WORK/udp.out")
is "" "$bad" "UDP: no 5xx answer but 501 (esc02) and 505 (badvers)"
is "400" "$(awk '$1 == "clerr.dat" { n = split($2, c, ","); print c[n] }' "$WORK/udp.out")" \
	"UDP: clerr (Content-Length beyond the datagram) is answered 400"
answered=$(awk '$2 != "-"' "$WORK/udp.out" | wc -l)
[ "$answered" -ge 45 ]; ok $? "UDP: most messages are answered ($answered of ${#FILES[@]})"

# (b) byte-exact, then the fuzz run
$SEND files --transport udp --port "$PORT" "${FILES[@]}" >"$WORK/udp-raw.out" 2>&1
ok $? "byte-exact over UDP"
$SEND files --transport tcp --port "$PORT" "${FILES[@]}" >"$WORK/tcp-raw.out" 2>&1
ok $? "byte-exact over TCP"
alive; ok $? "the daemon is alive"
$SEND fuzz --seed 4475 --count "$FUZZ_COUNT" --port "$PORT" "${FILES[@]}" >"$WORK/fuzz.out" 2>&1
ok $? "$(cat "$WORK/fuzz.out")"
alive; ok $? "the daemon is alive after $FUZZ_COUNT mutated messages"

# (c) still serving
is 200 "$($SEND options --transport udp --port "$PORT")" "OPTIONS over UDP is answered 200"
is 200 "$($SEND options --transport tcp --port "$PORT")" "OPTIONS over TCP is answered 200"
is "0 0" "$(status | jq -r '"\(.calls.active) \(.sip_trunks[0].active_calls)"')" "no call is left behind"
PBX="span pbx $S/sim/pbx.sock type=E1 switch=euroisdn side=user"
printf '%s\n' "$PBX" "auto answer pbx" "expect link up pbx within 15" \
	"expect call to 4930100234 on pbx as p1 within 20" \
	"expect release p1 cause 16 within 20" | "$TGSIM" >"$WORK/pbx.out" 2>"$WORK/pbx.err" &
T=$!; PIDS+=("$T")
wait_for grep -q '"event":"expect-ok","line":3' "$WORK/pbx.out"; ok $? "the PBX span is up"
for try in 1 2 3; do
	(cd "$WORK" && sipp "$SIP_TARGET" -sf "$SIPP_DIR/uac_call.xml" -s 4930100234 -i 127.0.0.1 \
		-p "$(free_port)" -mp "$(free_port)" -m 1 -nostdin -timeout 30s -timeout_error \
		-trace_err -error_file "$WORK/call.err" >"$WORK/call.out" 2>&1)
	rc=$?
	grep -qs "Unable to bind" "$WORK/call.err" "$WORK/call.out" || break
done
is 0 "$rc" "a normal SIP -> PRI call afterwards is answered and hung up"
wait "$T"; ok $? "the PBX saw it and its release"

# (d) clean exit
stop_daemon "$DPID"; is 0 "$STOP_RC" "SIGTERM exits 0"
is "" "$(grep -E 'Sanitizer|runtime error' "$S.log" | head -5)" "nothing from the sanitizers (leaks are reported at exit)"
finish
