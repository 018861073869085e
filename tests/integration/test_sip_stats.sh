#!/usr/bin/env bash
# test_sip_stats.sh -- call figures and SIP trunk notifications end to end.
# SIPp on 127.0.0.2 (trunk "pbx", by its allowed source) calls through
# trunkgated to SIPp on 127.0.0.1 (trunk "itsp", probed with OPTIONS every
# second; sipp/uas_health.xml answers calls and refuses numbers starting
# with 8 with 486).  Four calls held 2 s are answered, two are refused:
#  - /api/v1/status shows for itsp, its next hop and pbx 6 attempts, 4
#    answered, ASR 0.6667, an ACD of about 2 s, 6 calls per minute, and the
#    document passes the OpenAPI schema;
#  - /metrics has the same (counters and gauges; promtool when installed);
#  - snmpwalk of tgTrunkTable and tgHopTable (our own snmpd with
#    trunkgate-snmp, tests/integration/snmp_lib.sh) equals the API;
#  - SIPp on the next hop stopped: the OPTIONS probes mark the hop and the
#    trunk down and snmptrapd receives tgHopDown and tgTrunkDown; started
#    again: tgHopUp and tgTrunkUp.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/sip_lib.sh"      # SIPP_DIR, the skip without sipp, free_port
. "$(dirname "$0")/snmp_lib.sh"     # start_snmp, get, the skip without net-snmp

sip_start || finish
SIP_TARGET=${SIP_TARGET%%;*}     # without URI parameters
metrics() { curl -s -u "admin:$PW" "${URL}metrics"; }
trunk() { status | jq -c ".sip_trunks[] | select(.name == \"$1\") | $2"; }

UAS_PORT=$(free_port)
r=$(api POST /api/v1/sip-trunks -d "{\"name\":\"itsp\",\"options_interval\":1,\"options_down_after\":2,\"options_up_after\":1,\"next_hops\":[{\"host\":\"127.0.0.1\",\"port\":$UAS_PORT}]}")
like "$r" '^201 ' "SIP trunk itsp, SIPp on 127.0.0.1 its next hop, probed every second"
TID=$(echo "${r#* }" | jq -r .id)
r=$(api POST /api/v1/sip-trunks -d '{"name":"pbx","options_interval":0,"allowed_sources":"127.0.0.2/32","next_hops":[]}')
like "$r" '^201 ' "SIP trunk pbx: calls from 127.0.0.2"
like "$(api POST /api/v1/trunk-groups -d '{"name":"itsp-g","kind":"sip","members":[{"sip_trunk":"itsp"}]}')" '^201 ' "group itsp-g"
like "$(api POST /api/v1/trunk-groups -d '{"name":"pbx-g","kind":"sip","members":[{"sip_trunk":"pbx"}]}')" '^201 ' "group pbx-g"
for p in 8 9; do
	like "$(api POST /api/v1/routes -d "{\"name\":\"out$p\",\"source_group\":\"pbx-g\",\"called_prefix\":\"$p\",\"destinations\":[{\"group\":\"itsp-g\"}]}")" \
		'^201 ' "route pbx-g $p... -> itsp-g"
done

start_uas() {           # start_uas NAME: SIPp on itsp's next hop, in the background
	(cd "$WORK" && exec sipp -sf "$SIPP_DIR/uas_health.xml" -i 127.0.0.1 -p "$UAS_PORT" \
		-mp "$(free_port)" -nostdin -trace_err -error_file "$WORK/$1.err" >"$WORK/$1.out" 2>&1) &
	UAS=$!; PIDS+=("$UAS")
}
start_uas uas1
wait_for sh -c "curl -s -u admin:$PW ${URL}api/v1/status | jq -e '.sip_trunks[] | select(.name == \"itsp\") | .state == \"up\"'"
ok $? "itsp's next hop answers OPTIONS: the trunk is up"
start_snmp "$S/status.sock"
wait_for sh -c "snmpget $SNMP $TG.1.4.1.1.2.$TID 2>/dev/null | grep -q itsp"
ok $? "trunkgate-snmp serves tgTrunkName of itsp"

# --- 4 calls answered and held 2 s, 2 refused with 486
sed 's#<pause milliseconds="500"/>#<pause milliseconds="2000"/>#' "$SIPP_DIR/uac_call.xml" >"$WORK/uac_hold.xml"
(cd "$WORK" && sipp "$SIP_TARGET" -sf "$WORK/uac_hold.xml" -s 9001 -i 127.0.0.2 -p "$(free_port)" \
	-mp "$(free_port)" -m 4 -r 4 -l 4 -nostdin -timeout 60s -timeout_error \
	-trace_err -error_file "$WORK/held.err" >"$WORK/held.out" 2>&1)
ok $? "SIPp places 4 calls through pbx -> itsp, answered and hung up after 2 s"
(cd "$WORK" && sipp "$SIP_TARGET" -sf "$SIPP_DIR/uac_fail.xml" -s 8001 -i 127.0.0.2 -p "$(free_port)" \
	-mp "$(free_port)" -m 2 -r 2 -nostdin -timeout 30s -timeout_error \
	-trace_msg -message_file "$WORK/busy.msg" >"$WORK/busy.out" 2>&1)
ok $? "SIPp places 2 calls to 8001, refused"
like "$(grep -m1 '^SIP/2.0 [3-6]' "$WORK/busy.msg")" '^SIP/2.0 486' "the refusal comes back as 486"

wait_for sh -c "curl -s -u admin:$PW ${URL}api/v1/status | jq -e '.sip_trunks[] | select(.name == \"itsp\") | .call_stats.since_start.attempts == 6'"
ok $? "itsp counts 6 attempts"
doc=$(status)
echo "$doc" >"$WORK/status.json"
for who in itsp pbx; do
	cs=$(echo "$doc" | jq -c ".sip_trunks[] | select(.name == \"$who\") | .call_stats")
	is '6 4 0.6667 6 4 0.6667 6' "$(echo "$cs" | jq -r '"\(.since_start.attempts) \(.since_start.answered) \(.since_start.asr) \(.last_15m.attempts) \(.last_15m.answered) \(.last_15m.asr) \(.calls_per_minute)"')" \
		"$who: 6 attempts, 4 answered, ASR 0.6667 since start and over 15 minutes, 6 calls per minute"
	acd=$(echo "$cs" | jq -r .last_15m.acd_seconds)
	awk -v a="$acd" 'BEGIN { exit !(a >= 1.9 && a < 3.5) }'; ok $? "$who: ACD $acd s is the 2 s hold"
done
hop=$(echo "$doc" | jq -c '.sip_trunks[] | select(.name == "itsp") | .next_hops[0].call_stats')
is '6 4 0.6667' "$(echo "$hop" | jq -r '"\(.since_start.attempts) \(.since_start.answered) \(.since_start.asr)"')" \
	"itsp's next hop: the 6 INVITEs sent to it, 4 answered"
python3 - "$TG_SRCDIR/web/api/openapi.json" "$WORK/status.json" <<'EOF'
import json, sys, jsonschema
doc = json.load(open(sys.argv[1]))
schema = dict(doc["components"]["schemas"]["Status"], components=doc["components"])
jsonschema.Draft202012Validator(schema).validate(json.load(open(sys.argv[2])))
EOF
ok $? "the status document with SIP trunk figures passes its OpenAPI schema"

# --- Prometheus
m=$(metrics)
like "$m" 'trunkgate_trunk_calls_ended_total\{trunk="itsp"\} 6' "Prometheus: trunkgate_trunk_calls_ended_total 6"
like "$m" 'trunkgate_trunk_calls_answered_total\{trunk="itsp"\} 4' "Prometheus: trunkgate_trunk_calls_answered_total 4"
like "$m" 'trunkgate_trunk_asr_ratio\{trunk="itsp"\} 0\.6667' "Prometheus: trunkgate_trunk_asr_ratio 0.6667"
like "$m" 'trunkgate_trunk_calls_per_minute\{trunk="itsp"\} 6' "Prometheus: trunkgate_trunk_calls_per_minute 6"
like "$m" "trunkgate_hop_calls_ended_total\\{trunk=\"itsp\",hop=\"127.0.0.1:$UAS_PORT/udp\"\\} 6" "Prometheus: the next hop's attempts"
like "$m" "trunkgate_hop_up\\{trunk=\"itsp\",hop=\"127.0.0.1:$UAS_PORT/udp\"\\} 1" "Prometheus: trunkgate_hop_up 1"
if command -v promtool >/dev/null 2>&1; then
	out=$(echo "$m" | promtool check metrics 2>&1); ok $? "promtool check metrics accepts it"
	[ -n "$out" ] && echo "$out" | sed 's/^/#   /'
fi

# --- SNMP equals the API
T=$TG.1.4.1.1 H=$TG.1.4.2.1
# the subagent reads the status socket once a second: wait for its copy
for _ in $(seq 100); do [ "$(get $T.6.$TID)" = 6 ] && break; sleep 0.1; done
is "6 4 6 6667" "$(get $T.6.$TID) $(get $T.7.$TID) $(get $T.8.$TID) $(get $T.10.$TID)" \
	"tgTrunkAttempts, Answered, Attempts15m, Asr (hundredths of a percent) of itsp"
acd_ms=$(echo "$doc" | jq -r '.sip_trunks[] | select(.name == "itsp") | .call_stats.last_15m.acd_seconds * 1000 | round')
is "$acd_ms" "$(get $T.11.$TID)" "tgTrunkAcd = the API's ACD in ms"
is 6 "$(get $T.5.$TID)" "tgTrunkCallsPerMinute 6"
is 1 "$(get $T.3.$TID)" "tgTrunkState up(1)"
is "127.0.0.1:$UAS_PORT/udp 1 6 4" "$(get $H.2.$TID.1) $(get $H.3.$TID.1) $(get $H.6.$TID.1) $(get $H.7.$TID.1)" \
	"tgHopAddress, State, Attempts, Answered of itsp's next hop"
like "$(snmpwalk $SNMP $TG.1.4 2>&1)" "$H\\.13\\.$TID\\.1 = Gauge32: " "snmpwalk covers tgTrunkTable and tgHopTable"

# --- the next hop stops answering OPTIONS, then comes back
kill "$UAS"; wait "$UAS" 2>/dev/null
wait_for grep -q "OID: $TG.0.3" "$WORK/traps.log"; ok $? "snmptrapd receives tgTrunkDown when SIPp stops"
like "$(grep -A4 "OID: $TG.0.3" "$WORK/traps.log" | tr '\n' ' ')" "$T\\.2\\.$TID = STRING: \"?itsp" "it names the trunk"
grep -q "OID: $TG.0.5" "$WORK/traps.log"; ok $? "and tgHopDown for its next hop"
is '"down"' "$(trunk itsp .state)" "the API says itsp is down"
like "$(metrics)" 'trunkgate_trunk_up\{trunk="itsp"\} 0' "Prometheus: trunkgate_trunk_up 0"
start_uas uas2
wait_for grep -q "OID: $TG.0.4" "$WORK/traps.log"; ok $? "snmptrapd receives tgTrunkUp when SIPp is back"
grep -q "OID: $TG.0.6" "$WORK/traps.log"; ok $? "and tgHopUp"
is '"up"' "$(trunk itsp .state)" "the API says itsp is up"

if [ "$TAP_FAILED" -ne 0 ]; then snmp_logs held.out busy.out; fi
finish
