#!/usr/bin/env bash
# test_sip_ratelimit.sh -- the per-source rate limit of new SIP requests
# (daemon/sip/trunk_guard.c, docs/sip.md "Protection"):
# (a) settings sip_rate_limit/sip_rate_burst: defaults,
#     validation (400 naming the field);
# (b) a flood of INVITEs and OPTIONS from 127.0.0.2 (no trunk's peer) while
#     a trunk peer on 127.0.0.3 places calls through the gateway to SIPp on
#     127.0.0.1: every legitimate call is answered, the flood gets 503 with
#     Retry-After beyond the bucket (403 within it: it is still untrusted),
#     one sip-rate-limit event when it starts and one sip-rate-limit-end when
#     it stops, counters in status and /metrics;
# (c) sip_rate_limit 0 turns it off.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/sip_lib.sh"

sip_start || finish
events() { curl -s -u "admin:$PW" "${URL}api/v1/events?kind=$1"; }

# (a) settings
r=$(api GET /api/v1/settings)
is "50 100" "$(echo "${r#200 }" | jq -r '"\(.sip_rate_limit) \(.sip_rate_burst)"')" \
	"defaults: 50 requests/s, burst 100"
r=$(api PUT /api/v1/settings -d '{"sip_rate_limit":-1}')
like "$r" '^400 .*"field":"sip_rate_limit"' "a negative rate is refused, the field named"
r=$(api PUT /api/v1/settings -d '{"sip_rate_burst":100001}')
like "$r" '^400 .*"field":"sip_rate_burst"' "a burst over 100000 is refused"
r=$(api PUT /api/v1/settings -d '{"sip_rate_limit":20,"sip_rate_burst":20}')
like "$r" '^200 .*"sip_rate_limit":20' "limit set to 20/s, burst 20"
wait_for sh -c "curl -s -u 'admin:$PW' '${URL}api/v1/status' | jq -e '.sip.rate_limit == 20'"
ok $? "status shows the limit in force"

# A trunk whose peer is 127.0.0.3 (calls in), one toward SIPp on 127.0.0.1.
UAS_PORT=$(free_port)
like "$(api POST /api/v1/sip-trunks -d '{"name":"pbx","options_interval":0,"next_hops":[{"host":"127.0.0.3"}]}')" \
	'^201 ' "SIP trunk pbx: its peer is 127.0.0.3"
like "$(api POST /api/v1/sip-trunks -d "{\"name\":\"far\",\"options_interval\":0,\"next_hops\":[{\"host\":\"127.0.0.1\",\"port\":$UAS_PORT}]}")" \
	'^201 ' "SIP trunk far toward SIPp"
like "$(api POST /api/v1/trunk-groups -d '{"name":"pbx-g","kind":"sip","members":[{"sip_trunk":"pbx"}]}')" '^201 ' "group pbx-g"
like "$(api POST /api/v1/trunk-groups -d '{"name":"far-g","kind":"sip","members":[{"sip_trunk":"far"}]}')" '^201 ' "group far-g"
like "$(api POST /api/v1/routes -d '{"name":"out","source_group":"pbx-g","called_prefix":"","destinations":[{"group":"far-g"}]}')" \
	'^201 ' "route pbx-g -> far-g"

# (b) the flood and the legitimate calls at once
CALLS=20
(cd "$WORK" && exec sipp -sf "$SIPP_DIR/uas_answer.xml" -i 127.0.0.1 -p "$UAS_PORT" -mp "$(free_port)" \
	-m "$CALLS" -nostdin -timeout 90s -timeout_error -trace_err -error_file "$WORK/uas.err" \
	>"$WORK/uas.out" 2>&1) &
UAS=$!; PIDS+=("$UAS")
wait_for sh -c "ss -Hlun | grep -q ':$UAS_PORT '"
(cd "$WORK" && exec sipp "$SIP_TARGET" -sf "$SIPP_DIR/uac_fail.xml" -s 4930100234 -i 127.0.0.2 \
	-p "$(free_port)" -mp "$(free_port)" -r 400 -m 3200 -l 400 -nostdin -timeout 60s \
	-trace_counts -trace_msg -message_file "$WORK/flood.msg" >"$WORK/flood.out" 2>&1) &
FLOOD=$!; PIDS+=("$FLOOD")
(cd "$WORK" && exec sipp "$SIP_TARGET" -sf "$SIPP_DIR/options_any.xml" -i 127.0.0.2 \
	-p "$(free_port)" -r 200 -m 1600 -nostdin -timeout 60s \
	-trace_msg -message_file "$WORK/oflood.msg" >"$WORK/oflood.out" 2>&1) &
OFLOOD=$!; PIDS+=("$OFLOOD")
wait_for sh -c "curl -s -u 'admin:$PW' '${URL}api/v1/status' | jq -e '.sip.limited_sources == 1'"
ok $? "the flooding source is being limited"
(cd "$WORK" && sipp "$SIP_TARGET" -sf "$SIPP_DIR/uac_call.xml" -s 4930100234 -i 127.0.0.3 \
	-p "$(free_port)" -mp "$(free_port)" -r 5 -m "$CALLS" -nostdin -timeout 60s -timeout_error \
	-trace_stat -stf "$WORK/legit.csv" >"$WORK/legit.out" 2>&1)
is 0 "$?" "all $CALLS calls from the trunk peer are answered and hung up during the flood"
wait "$UAS"; is 0 "$?" "SIPp behind the gateway answered all $CALLS"
wait "$FLOOD"; wait "$OFLOOD"
n503=$(grep -c '^SIP/2.0 503 ' "$WORK/flood.msg")
n403=$(grep -c '^SIP/2.0 403 ' "$WORK/flood.msg")
ok "$([ "$n503" -gt 1000 ] && echo 0 || echo 1)" "most of the INVITE flood gets 503 ($n503 of 3200)"
ok "$([ "$n403" -ge 20 ] && [ "$n403" -lt 2000 ] && echo 0 || echo 1)" \
	"what the bucket lets through is still refused as untrusted: 403 ($n403)"
ra=$(tr -d '\r' <"$WORK/flood.msg" | sed -n '/^SIP\/2.0 503 /,/^$/p' | grep -i '^Retry-After:' | head -1)
is "Retry-After: 1" "$ra" "the 503 says Retry-After (burst/rate, at least 1 s)"
o503=$(grep -c '^SIP/2.0 503 ' "$WORK/oflood.msg")
o200=$(grep -c '^SIP/2.0 200 ' "$WORK/oflood.msg")
ok "$([ "$o503" -gt 1000 ] && [ "$o200" -gt 0 ] && echo 0 || echo 1)" \
	"the OPTIONS flood shares the bucket: $o503 of 1600 get 503, $o200 get 200"
st=$(status)
ok "$(echo "$st" | jq -e '.sip.rate_limited_requests > 1000' >/dev/null && echo 0 || echo 1)" \
	"status counts the refused requests ($(echo "$st" | jq .sip.rate_limited_requests))"
is 1 "$(echo "$st" | jq .sip.rate_limit_episodes)" "one limiting episode for the one source"
like "$(events sip-rate-limit)" '"kind":"sip-rate-limit","source":"127.0.0.2"' "the event names the source"
is 1 "$(events sip-rate-limit | jq '.events | length')" "one event when it started, not one per request"
wait_for sh -c "curl -s -u 'admin:$PW' '${URL}api/v1/events?kind=sip-rate-limit-end' | jq -e '.events | length == 1'"
ok $? "and one sip-rate-limit-end once the source is quiet"
like "$(events sip-rate-limit-end | jq -r '.events[0].message')" '^source 127\.0\.0\.2 back under the limit after [0-9]+ s: [0-9]+ requests refused' \
	"saying how many requests were refused"
wait_for sh -c "curl -s -u 'admin:$PW' '${URL}api/v1/status' | jq -e '.sip.limited_sources == 0'"
ok $? "status: no source limited any more"
m=$(curl -s -u "admin:$PW" "${URL}metrics")
like "$m" 'trunkgate_sip_rate_limited_requests_total [1-9]' "/metrics has the refused requests"

# (c) off
like "$(api PUT /api/v1/settings -d '{"sip_rate_limit":0}')" '^200 ' "limit off"
wait_for sh -c "curl -s -u 'admin:$PW' '${URL}api/v1/status' | jq -e '.sip.rate_limit == 0'"
(cd "$WORK" && exec sipp "$SIP_TARGET" -sf "$SIPP_DIR/uac_fail.xml" -s 4930100234 -i 127.0.0.2 \
	-p "$(free_port)" -mp "$(free_port)" -r 200 -m 300 -l 300 -nostdin -timeout 30s \
	-trace_msg -message_file "$WORK/off.msg" >"$WORK/off.out" 2>&1)
n403=$(grep -c '^SIP/2.0 403 ' "$WORK/off.msg"); n503=$(grep -c '^SIP/2.0 503 ' "$WORK/off.msg")
ok "$([ "$n403" -ge 300 ] && [ "$n503" -eq 0 ] && echo 0 || echo 1)" \
	"with the limit off, 300 INVITEs at 200/s all get 403 ($n403 with retransmissions), none 503 ($n503)"

stop_daemon "$DPID"; is 0 "$STOP_RC" "trunkgated exits cleanly"
finish
