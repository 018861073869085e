#!/usr/bin/env bash
# test_sip_health.sh -- OPTIONS health probes per next hop with SIPp as the
# peer (tests/integration/sipp/uas_health.xml answers OPTIONS and calls) and
# tgsim as the carrier and the PBX:
#  (a) the API takes options_interval 1 s (and refuses what is out of range,
#      naming the field);
#  (b) SIPp answers: the next hop is up with an RTT in /api/v1/status, and
#      the carrier's call to an Enterprise Voice number goes to SIP;
#  (c) SIPp stopped: after options_down_after failed probes the next hop and
#      the trunk are down, a sip-hop-down event is recorded, the SIP group is
#      down for survivability and the next call goes to the route's
#      survivability group (the PBX span answers it);
#  (d) SIPp started again: up after options_up_after answers, a sip-hop-up
#      event, the group is up and calls go to SIP again.
. "$(dirname "$0")/lib.sh"
TGSIM=${TGSIM:-$TG_BUILDDIR/tgsim}
. "$(dirname "$0")/sip_lib.sh"      # SIPP_DIR, the skip without sipp, free_port

sip_start || finish
hop() { status | jq -r ".sip_trunks[] | select(.name == \"itsp\") | .next_hops[0].$1"; }
events() { curl -s -u "admin:$PW" "${URL}api/v1/events?kind=$1"; }

UAS_PORT=$(free_port)
sip_spans pbx carrier

# (a) validation of the probe fields
r=$(api POST /api/v1/sip-trunks -d '{"name":"x","options_interval":3601,"next_hops":[]}')
like "$r" '^400 .*"field":"options_interval"' "options_interval above 3600 s is refused naming the field"
r=$(api POST /api/v1/sip-trunks -d '{"name":"x","options_interval":-1,"next_hops":[]}')
like "$r" '^400 .*"field":"options_interval"' "a negative options_interval is refused"
r=$(api POST /api/v1/sip-trunks -d '{"name":"x","options_down_after":0,"next_hops":[]}')
like "$r" '^400 .*"field":"options_down_after"' "options_down_after 0 is refused"
r=$(api POST /api/v1/sip-trunks -d '{"name":"x","options_up_after":101,"next_hops":[]}')
like "$r" '^400 .*"field":"options_up_after"' "options_up_after above 100 is refused"
expect_code 201 "SIP trunk itsp probed every second, down after 2, up after 2" POST /api/v1/sip-trunks \
	-d "{\"name\":\"itsp\",\"options_interval\":1,\"options_down_after\":2,\"options_up_after\":2,\"next_hops\":[{\"host\":\"127.0.0.1\",\"port\":$UAS_PORT}]}"
is "1 2 2" "$(api GET /api/v1/sip-trunks/itsp | sed 's/^200 //' | jq -r '"\(.options_interval) \(.options_down_after) \(.options_up_after)"')" \
	"the probe settings round-trip"
expect_code 201 "SIP trunk group sip-g with itsp" POST /api/v1/trunk-groups -d '{"name":"sip-g","kind":"sip","members":[{"sip_trunk":"itsp"}]}'
expect_code 201 "range ev-users on sip-g" POST /api/v1/number-ranges -d '{"name":"ev-users","prefix":"49301005","group":"sip-g"}'
expect_code 201 "route carrier -> sip-g, survivability pbx-g" POST /api/v1/routes \
	-d '{"name":"ev-in","source_group":"carrier-g","range":"ev-users","survivability_group":"pbx-g","destinations":[{"group":"sip-g"}]}'

start_uas() {           # start_uas NAME: SIPp on the trunk's next hop, in the background
	(cd "$WORK" && exec sipp -sf "$SIPP_DIR/uas_health.xml" -i 127.0.0.1 -p "$UAS_PORT" \
		-mp "$(free_port)" -nostdin -trace_msg -message_file "$WORK/$1.msg" \
		-trace_err -error_file "$WORK/$1.err" >"$WORK/$1.out" 2>&1) &
	UAS=$!; PIDS+=("$UAS")
}

# call NAME NUMBER [pbx]: the carrier calls NUMBER; answered by SIPp, or by
# the PBX span when the third argument says so; then hung up.
call() {
	local expect_pbx=()
	[ "${3:-}" = pbx ] && expect_pbx=("expect call to $2 on pbx as p1 within 10")
	printf '%s\n' "$CAR" "$PBX" "auto answer pbx" \
		"expect link up carrier within 15" "expect link up pbx within 15" \
		"call carrier 5550001 $2 as c1" "${expect_pbx[@]}" \
		"expect answer c1 within 10" "hangup c1" \
		"expect release c1 cause 16 within 5" | "$TGSIM" >"$WORK/$1.tgsim" 2>"$WORK/$1.tgsim.err"
}

# (b) up
start_uas uas1
wait_for sh -c "[ \"\$(curl -s -u 'admin:$PW' '${URL}api/v1/status' | jq -r '.sip_trunks[0].next_hops[0].state')\" = up ]"
is "up" "$(hop state)" "SIPp answers the probes: the next hop is up"
is "up" "$(status | jq -r '.sip_trunks[] | select(.name == "itsp") | .state')" "and so is the trunk"
like "$(hop rtt_ms)" '^[0-9]+(\.[0-9]+)?$' "status shows the probe's RTT in ms"
is "200" "$(hop last_status)" "and the last probe's status"
is "0" "$(status | jq -r '.sip_trunks[] | select(.name == "itsp") | .active_calls')" "no active calls yet"
like "$(tr -d '\r' <"$WORK/uas1.msg" | grep -m1 '^OPTIONS ')" "^OPTIONS sip:127\\.0\\.0\\.1:$UAS_PORT;transport=udp SIP/2\\.0" \
	"the probe is an OPTIONS to the next hop"
call up1 4930100500; ok $? "SIPp up: the carrier's call is answered"
like "$(grep -c '^INVITE ' "$WORK/uas1.msg")" '^1$' "by SIPp: the call went to SIP"
is "0" "$(grep -c '"event":"call-in","span":"pbx"' "$WORK/up1.tgsim")" "not to the PBX"

# (c) down
kill "$UAS"; wait "$UAS" 2>/dev/null
down_at=$(date +%s.%N)
wait_for sh -c "[ \"\$(curl -s -u 'admin:$PW' '${URL}api/v1/status' | jq -r '.sip_trunks[0].next_hops[0].state')\" = down ]"
is "down" "$(hop state)" "SIPp stopped: the next hop goes down"
took=$(echo "$(date +%s.%N) - $down_at" | bc)
echo "# down $took s after SIPp stopped (interval 1 s, down after 2)"
[ "$(echo "$took >= 1 && $took < 8" | bc)" = 1 ]; ok $? "after about two intervals, not at once and not much later"
is "down" "$(status | jq -r '.sip_trunks[] | select(.name == "itsp") | .state')" "the trunk is down"
like "$(hop last_change)" '^[0-9]{13}$' "status shows when it changed"
wait_for status_is '.trunk_groups[] | select(.name == "sip-g") | .state == "down"'
like "$(status | jq -r '.trunk_groups[] | select(.name == "sip-g") | "\(.state) \(.reason)"')" '^down .*SIP' \
	"the SIP group is down for survivability, and why"
r=$(events sip-hop-down)
like "$r" "\"kind\":\"sip-hop-down\".*\"source\":\"itsp\".*127\\.0\\.0\\.1:$UAS_PORT" "a sip-hop-down event names the trunk and the next hop"
like "$(grep 'next hop 127.0.0.1' "$S.log" | tail -1)" 'down: 2 OPTIONS in a row failed' "and a log line says why"
call down1 4930100501 pbx; rc=$?
is 0 "$rc" "next hop down: the carrier's call goes to the PBX (survivability) and is answered"
[ "$rc" -eq 0 ] || tail -n 8 "$WORK/down1.tgsim" | sed 's/^/#   /'

# (d) up again
start_uas uas2
wait_for sh -c "[ \"\$(curl -s -u 'admin:$PW' '${URL}api/v1/status' | jq -r '.sip_trunks[0].next_hops[0].state')\" = up ]"
is "up" "$(hop state)" "SIPp back: the next hop is up again"
wait_for status_is '.trunk_groups[] | select(.name == "sip-g") | .state == "up"'
is "up" "$(status | jq -r '.trunk_groups[] | select(.name == "sip-g") | .state')" "the SIP group is up again"
like "$(events sip-hop-up)" '"kind":"sip-hop-up".*"severity":"cleared"|"severity":"cleared".*"kind":"sip-hop-up"' "a sip-hop-up event (cleared)"
call up2 4930100502; ok $? "the next call is answered"
is 1 "$(grep -c '^INVITE ' "$WORK/uas2.msg")" "by SIPp: calls go to SIP again"
is "0" "$(grep -c '"event":"call-in","span":"pbx"' "$WORK/up2.tgsim")" "not to the PBX"

# probing off: the state is forgotten, the hop shows "off"
expect_code 200 "probing turned off" PUT /api/v1/sip-trunks/itsp -d '{"options_interval":0}'
wait_for status_is '.sip_trunks[0].next_hops[0].state == "off"'
is "off unprobed" "$(status | jq -r '.sip_trunks[0] | "\(.next_hops[0].state) \(.state)"')" "status shows the hop off and the trunk unprobed"
kill "$UAS"; wait "$UAS" 2>/dev/null
stop_daemon "$DPID"; is 0 "$STOP_RC" "SIGTERM exits 0"
finish
