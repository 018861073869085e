#!/usr/bin/env bash
# test_snmp.sh -- status polling end to end: our own snmpd (AgentX master on
# loopback, its own config, AgentX socket and persistent folder in the work
# folder; the system's snmpd service is never touched) with trunkgate-snmp
# attached, our own snmptrapd as the trap sink, trunkgated with a sim span
# and tgsim as the carrier.  snmpwalk returns DS1-MIB and TRUNKGATE-MIB
# values equal to /api/v1/status; a call and injected CRC errors raise the
# counters everywhere; pulling the cable (tgsim `alarm SPAN los on`) sends
# tgSpanAlarmRaised and flips the Prometheus alarm gauge, plugging it back
# sends tgSpanAlarmCleared.  Also: /metrics passes promtool (when
# installed), needs a login unless the peer is in metrics_allow, and the
# status socket serves the intervals.
. "$(dirname "$0")/lib.sh"
TGSIM=${TGSIM:-$TG_BUILDDIR/tgsim}
. "$(dirname "$0")/snmp_lib.sh"     # start_snmp, get, the skip without net-snmp

# --- the daemon, with a metrics_allow that does not include us
S=$WORK/state
mkdir -p "$S"
printf 'metrics_allow = 10.0.0.0/8\n' >"$WORK/trunkgate.conf"
start_daemon "$S" --config "$WORK/trunkgate.conf" || { ok 1 "daemon starts"; finish; }
PW=$(cat "$S/initial-admin-password")
api() { http "$@" -u "admin:$PW" -H 'Content-Type: application/json'; }
status() { curl -s -u "admin:$PW" "${URL}api/v1/status"; }
metrics() { curl -s -u "admin:$PW" "${URL}metrics"; }
r=$(api POST /api/v1/spans -d '{"name":"carrier","type":"E1","pri_side":"user","test_number":"1000"}')
like "$r" '^201 ' "an E1 span is created"
ID=$(echo "${r#* }" | jq -r .id)
SOCK=$S/sim/carrier.sock
wait_for test -S "$SOCK"
wait_for test -S "$S/status.sock"; ok $? "the daemon serves STATE/status.sock"
is 660 "$(stat -c %a "$S/status.sock")" "the status socket is mode 0660"
doc=$(python3 -c 'import socket,sys
s=socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); d=b""
while True:
    b=s.recv(65536)
    if not b: break
    d+=b
sys.stdout.write(d.decode())' "$S/status.sock")
like "$(echo "$doc" | jq -c '.spans[0] | {name, intervals}')" '^\{"name":"carrier","intervals":\[\]\}$' \
	"the status socket's document has the span and its DS1 intervals"

# --- /metrics access
is 401 "$(curl -s -o /dev/null -w '%{http_code}' "${URL}metrics")" \
	"/metrics from an address outside metrics_allow needs a login"
TOKEN=$(api POST /api/v1/login -d "{\"username\":\"admin\",\"password\":\"$PW\"}" | sed 's/^[0-9]* //' | jq -r .token)
is 200 "$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $TOKEN" "${URL}metrics")" \
	"/metrics with a bearer token"
if command -v promtool >/dev/null 2>&1; then
	metrics >"$WORK/metrics.txt"
	out=$(promtool check metrics <"$WORK/metrics.txt" 2>&1); ok $? "promtool check metrics accepts the exposition"
	[ -n "$out" ] && echo "$out" | sed 's/^/#   /'
else
	echo "# promtool not installed (Debian package prometheus): format checked by the unit tests only"
fi
D2=$WORK/allow
mkdir -p "$D2"
printf 'metrics_allow = 127.0.0.0/8\n' >"$WORK/allow.conf"
URL1=$URL
start_daemon "$D2" --config "$WORK/allow.conf" && \
	is 200 "$(curl -s -o /dev/null -w '%{http_code}' "${URL}metrics")" \
	"/metrics without a login from an address in metrics_allow"
kill -TERM "$DPID"; URL=$URL1

# --- snmptrapd, snmpd (AgentX master), trunkgate-snmp
start_snmp "$S/status.sock"
wait_for sh -c "snmpget $SNMP $DS1.6.1.8.$ID 2>/dev/null | grep -q carrier"
ok $? "trunkgate-snmp is attached: dsx1CircuitIdentifier of the span reads \"carrier\""

# --- the carrier: attach, one call, then errors, then the cable
cat >"$WORK/far.tgsim" <<EOF
span carrier $SOCK type=E1 switch=euroisdn side=network
expect link up carrier within 15
call carrier 5550100 1000 as a
expect answer a within 5
hangup a 16
expect release a cause 16 within 5
sleep 25
inject carrier crc 50
sleep 15
alarm carrier los on
sleep 15
alarm carrier los off
expect link up carrier within 15
sleep 30
EOF
"$TGSIM" -f "$WORK/far.tgsim" >"$WORK/far.out" 2>"$WORK/far.err" &
PIDS+=($!)
wait_for grep -q '"event":"released","span":"carrier","call":"a","cause":16' "$WORK/far.out"
ok $? "tgsim attaches, a call to the test number is answered and cleared"
wait_for sh -c "curl -s -u admin:$PW ${URL}api/v1/status | jq -e '.spans[0].state == \"up\" and .spans[0].total_calls == 1' >/dev/null"
ok $? "status shows the span up with one call"

# snmp values equal the API's; retried because both move (seconds, intervals)
span_api() { status | jq -r ".spans[0] | $1"; }
same() {        # same JQ OID DESCRIPTION
	local a s i
	for i in $(seq 1 40); do
		a=$(span_api "$1"); s=$(get "$2")
		[ "$a" = "$s" ] && break
		sleep 0.5
	done
	is "$a" "$s" "$3"
}
walk=$(snmpwalk $SNMP $DS1 2>&1)
like "$walk" "^$DS1\\.6\\.1\\.1\\.$ID = INTEGER: $ID" "snmpwalk of DS1-MIB starts at dsx1ConfigTable (dsx1LineIndex = span id)"
like "$walk" "$DS1\\.9\\.1\\.2\\.$ID = Gauge32: " "the walk covers dsx1TotalTable"
same '.name' "$DS1.6.1.8.$ID" "dsx1CircuitIdentifier = name"
is 5 "$(get $DS1.6.1.5.$ID)" "dsx1LineType = dsx1E1CRC (E1 with CRC-4)"
is 3 "$(get $DS1.6.1.6.$ID)" "dsx1LineCoding = dsx1HDB3"
is 1 "$(get $DS1.6.1.10.$ID)" "dsx1LineStatus = dsx1NoAlarm"
same '.ds1.valid_intervals' "$DS1.6.1.4.$ID" "dsx1ValidIntervals = status valid_intervals"
same '.ds1.current.errored_seconds' "$DS1.7.1.2.$ID" "dsx1CurrentESs = status ds1.current.errored_seconds"
same '.ds1.current.unavailable_seconds' "$DS1.7.1.5.$ID" "dsx1CurrentUASs = status ds1.current.unavailable_seconds"
same '.ds1.total.errored_seconds' "$DS1.9.1.2.$ID" "dsx1TotalESs = status ds1.total.errored_seconds"
same '.name' "$TG.1.3.1.1.2.$ID" "tgSpanName"
is 1 "$(get $TG.1.3.1.1.4.$ID)" "tgSpanState = up(1)"
same '.total_calls' "$TG.1.3.1.1.8.$ID" "tgSpanTotalCalls = status total_calls (1)"
is 30 "$(get $TG.1.3.1.1.17.$ID)" "tgSpanChannelsIdle = 30"
is "$(status | jq -r .calls.total)" "$(get "$TG.1.2.2.0")" "tgCallsTotal = status calls.total"
is "$(status | jq -r .system.version)" "$(get "$TG.1.1.1.0")" "tgSysVersion = status version"
tgwalk=$(snmpwalk $SNMP $TG 2>&1)
is 30 "$(echo "$tgwalk" | grep -c "^$TG\\.1\\.3\\.2\\.1\\.2\\.$ID\\.")" "tgChannelTable lists the 30 B channels"
like "$(metrics)" "trunkgate_span_calls_total\\{span=\"carrier\"\\} 1" "Prometheus: trunkgate_span_calls_total 1"
same '.call_stats.since_start.attempts' "$TG.1.3.1.1.21.$ID" \
	"tgSpanCallAttempts = status call_stats (0: the span answers its test number itself, no CDR)"

# --- CRC errors injected by the far end
wait_for sh -c "curl -s -u admin:$PW ${URL}api/v1/status | jq -e '.spans[0].counters.crc_errors >= 50' >/dev/null"
ok $? "status counts the injected CRC errors"
same '.counters.crc_errors' "$TG.1.3.1.1.11.$ID" "tgSpanCrcErrors = status crc_errors"
same '.ds1.current.path_code_violations' "$DS1.7.1.7.$ID" "dsx1CurrentPCVs = status path_code_violations"
pcv=$(get $DS1.7.1.7.$ID)
[ "${pcv:-0}" -ge 50 ]; ok $? "dsx1CurrentPCVs rose to at least 50 ($pcv)"
like "$(metrics)" "trunkgate_span_crc_errors_total\\{span=\"carrier\"\\} ([5-9][0-9]|[1-9][0-9]{2,})" \
	"Prometheus: trunkgate_span_crc_errors_total rose"

# --- the cable (the span was in alarm before tgsim attached: one cleared already)
cleared_before=$(grep -c "OID: $TG.0.2" "$WORK/traps.log")
like "$(metrics)" 'trunkgate_span_alarm\{span="carrier",alarm="LOS"\} 0' "Prometheus: no LOS before"
wait_for grep -q "OID: $TG.0.1" "$WORK/traps.log"; ok $? "snmptrapd receives tgSpanAlarmRaised when the cable is pulled"
like "$(grep "OID: $TG.0.1" "$WORK/traps.log")" "$TG\\.1\\.3\\.1\\.1\\.2\\.$ID = STRING: \"carrier\"" \
	"the notification names the span"
wait_for sh -c "curl -s -u admin:$PW ${URL}metrics | grep -q 'trunkgate_span_alarm{span=\"carrier\",alarm=\"LOS\"} 1'"
ok $? "Prometheus: trunkgate_span_alarm{alarm=\"LOS\"} goes to 1"
st=$(get $DS1.6.1.10.$ID)
[ $(( ${st:-0} & 64 )) -eq 64 ]; ok $? "dsx1LineStatus has dsx1LossOfSignal ($st)"
wait_for sh -c "test \$(grep -c 'OID: $TG.0.2' '$WORK/traps.log') -gt $cleared_before"
ok $? "snmptrapd receives tgSpanAlarmCleared when it is plugged back"
wait_for sh -c "curl -s -u admin:$PW ${URL}metrics | grep -q 'trunkgate_span_alarm{span=\"carrier\",alarm=\"LOS\"} 0'"
ok $? "Prometheus: the LOS gauge goes back to 0"
same '.ds1.current.unavailable_seconds' "$DS1.7.1.5.$ID" "dsx1CurrentUASs counts the outage like the API"

if [ "$TAP_FAILED" -ne 0 ]; then snmp_logs far.out; fi
finish
