#!/usr/bin/env bash
# test_sip.sh -- the SIP side with real peers: SIPp plays the Mediation
# Server / IP-PBX on a SIP trunk, tgsim the PBX and the carrier on PRI spans.
# (a) SIP -> PRI: SIPp calls, the PBX answers, SIPp hangs up; (b) PRI -> SIP:
# the carrier calls a number routed to the SIP trunk group, SIPp answers,
# the carrier hangs up and SIPp gets the BYE; (c) an INVITE from an address
# no trunk names gets 403; (d) the PRI side's cause 17 reaches SIPp as 486
# with Reason: Q.850;cause=17, an unassigned number as 404; (e) OPTIONS 200.
# Every call leaves a CDR.  SIPp's ports are free ports, retried on a bind error.
. "$(dirname "$0")/lib.sh"
TGSIM=${TGSIM:-$TG_BUILDDIR/tgsim}
. "$(dirname "$0")/sip_lib.sh"      # SIPP_DIR, the skip without sipp, free_port

sip_start || finish

UAS_PORT=$(free_port)
sip_spans pbx carrier
expect_code 201 "SIP trunk lync: SIPp's address is its next hop" POST /api/v1/sip-trunks \
	-d "{\"name\":\"lync\",\"profile\":\"lync2013\",\"options_interval\":0,\"next_hops\":[{\"host\":\"127.0.0.1\",\"port\":$UAS_PORT}]}"
expect_code 201 "trunk group lync-g of kind sip with the trunk" POST /api/v1/trunk-groups -d '{"name":"lync-g","kind":"sip","members":[{"sip_trunk":"lync"}]}'
expect_code 201 "number range pbx-users" POST /api/v1/number-ranges -d '{"name":"pbx-users","prefix":"49301002","group":"pbx-g"}'
expect_code 201 "route lync -> the owner of the number's range" POST /api/v1/routes -d '{"name":"from-lync","source_group":"lync-g","called_prefix":"4930","destinations":[]}'
expect_code 201 "route carrier -> lync for 0..." POST /api/v1/routes -d '{"name":"to-lync","source_group":"carrier-g","called_prefix":"0","destinations":[{"group":"lync-g"}]}'

# (e) OPTIONS, as Lync probes its gateways
sipp_call options 127.0.0.1 options.xml; ok $? "OPTIONS is answered with 200"

# (a) SIP -> PRI, SIPp hangs up
printf '%s\n' "$PBX" "auto answer pbx" "expect link up pbx within 15" \
	"expect call to 4930100234 on pbx as p1 within 20" \
	"expect release p1 cause 16 within 20" | "$TGSIM" >"$WORK/pbx_a.out" 2>"$WORK/pbx_a.err" &
T=$!; PIDS+=("$T")
wait_for grep -q '"event":"expect-ok","line":3' "$WORK/pbx_a.out"; ok $? "the PBX span is up"
sipp_call a 127.0.0.1 uac_call.xml -s 4930100234; rc=$?
is 0 "$rc" "SIPp's call to 4930100234 is answered by the PBX and hung up with BYE/200"
[ "$rc" -eq 0 ] || tail -n 30 "$WORK/a.msg" "$WORK/a.err" 2>/dev/null | sed 's/^/#   /'
wait "$T"; ok $? "the PBX saw the call and its release with cause 16"
like "$(grep '"event":"call-in"' "$WORK/pbx_a.out")" '"from":"\+?4930555123","to":"4930100234"' \
	"the PBX sees the caller from P-Asserted-Identity, not From"
sdp=$(tr -d '\r' <"$WORK/a.msg" | sed -n '/^SIP\/2.0 200 OK/,/^a=sendrecv/p' | head -40)
like "$sdp" 'c=IN IP4 127\.0\.0\.1' "the 200 carries the gateway's own SDP (c= its address)"
like "$sdp" 'm=audio [0-9]*[02468] RTP/AVP 0( 8)?( 101)?' "with an even port from the RTP range and PCMU first"

# (b) PRI -> SIP, the carrier hangs up, SIPp gets the BYE
sipp_uas b "$UAS_PORT" uas_answer.xml; ok $? "SIPp waits for calls on the trunk's next hop"
printf '%s\n' "$CAR" "expect link up carrier within 15" \
	"call carrier 5550001 0123456 as c1" \
	"expect answer c1 within 15" "sleep 1" "hangup c1" \
	"expect release c1 cause 16 within 5" | "$TGSIM" >"$WORK/b.tgsim" 2>"$WORK/b.tgsim.err"
ok $? "the carrier's call to 0123456 is answered by SIPp and hung up"
[ $? -eq 0 ] || tail -n 8 "$WORK/b.tgsim" | sed 's/^/#   /'
wait "$UAS"; rc=$?
is 0 "$rc" "SIPp answered the INVITE and got the gateway's BYE"
[ "$rc" -eq 0 ] || tail -n 20 "$WORK/b.out" "$WORK/b.err" 2>/dev/null | sed 's/^/#   /'
like "$(grep -m1 '^INVITE ' "$WORK/b.msg")" '^INVITE sip:0123456@127\.0\.0\.1:' "the INVITE asks for the called number at the next hop"
like "$(tr -d '\r' <"$WORK/b.msg" | grep -m1 '^m=audio')" '^m=audio [0-9]*[02468] RTP/AVP 0 8 101$' "its SDP offers PCMU, PCMA and telephone-event on an even port"
like "$(tr -d '\r' <"$WORK/b.msg" | grep -m1 -i '^P-Asserted-Identity:')" 'sip:5550001@' "and asserts the caller's number"
like "$(tr -d '\r' <"$WORK/b.msg" | grep -m1 -i '^Reason:')" 'Q\.850;cause=16' "the BYE carries Reason: Q.850;cause=16"

# (f) failover inside the trunk: the first next hop is a port nobody listens
# on (ICMP port unreachable: a transport error), the second is SIPp
DEAD_PORT=$(free_port)
expect_code 200 "lync's first next hop is now a dead port" PUT /api/v1/sip-trunks/lync \
	-d "{\"next_hops\":[{\"host\":\"127.0.0.1\",\"port\":$DEAD_PORT,\"priority\":1},{\"host\":\"127.0.0.1\",\"port\":$UAS_PORT,\"priority\":2}]}"
sipp_uas f "$UAS_PORT" uas_answer.xml; ok $? "SIPp waits on the second next hop"
printf '%s\n' "$CAR" "expect link up carrier within 15" \
	"call carrier 5550002 0123457 as c2" \
	"expect answer c2 within 15" "hangup c2" \
	"expect release c2 cause 16 within 5" | "$TGSIM" >"$WORK/f.tgsim" 2>"$WORK/f.tgsim.err"
ok $? "the call to 0123457 is answered through the second next hop"
[ $? -eq 0 ] || tail -n 8 "$WORK/f.tgsim" | sed 's/^/#   /'
wait "$UAS"; is 0 "$?" "SIPp on the second next hop took the call and the BYE"
like "$(grep 'next hop' "$S.log")" "127\.0\.0\.1:$DEAD_PORT failed with (503|408), trying 127\.0\.0\.1:$UAS_PORT" "the daemon logs the failed next hop"

# (g) CANCEL both ways: SIPp gives up while the PBX rings (its Reason cause
# 31 reaches the PBX); the carrier gives up while SIPp rings (the gateway
# CANCELs with Reason: Q.850;cause=16)
printf '%s\n' "$PBX" "expect link up pbx within 15" \
	"expect call to 4930100250 on pbx as p3 within 20" "alert p3" \
	"expect release p3 cause 31 within 20" | "$TGSIM" >"$WORK/pbx_g.out" 2>"$WORK/pbx_g.err" &
T=$!; PIDS+=("$T")
wait_for grep -q '"event":"expect-ok","line":2' "$WORK/pbx_g.out"; ok $? "the PBX span is up for the CANCEL test"
sipp_call g 127.0.0.1 uac_cancel.xml -s 4930100250; ok $? "SIPp rings the PBX, CANCELs, gets 487 and ACKs"
wait "$T"; ok $? "the PBX sees the call released with the CANCEL's Reason cause 31"
sipp_uas h "$UAS_PORT" uas_ring.xml
printf '%s\n' "$CAR" "expect link up carrier within 15" \
	"call carrier 5550003 0123458 as c3" "expect alerting c3 within 15" \
	"hangup c3" "expect release c3 within 5" | "$TGSIM" >"$WORK/h.tgsim" 2>"$WORK/h.tgsim.err"
ok $? "the carrier's call rings SIPp and is abandoned"
wait "$UAS"; is 0 "$?" "SIPp got the gateway's CANCEL and its ACK for the 487"
like "$(tr -d '\r' <"$WORK/h.msg" | sed -n '/^CANCEL /,/^$/p' | grep -i '^Reason:')" 'Q\.850;cause=16' "the CANCEL carries Reason: Q.850;cause=16"

# (i) delayed offer and re-INVITEs (hold with SDP, then one without SDP)
printf '%s\n' "$PBX" "auto answer pbx" "expect link up pbx within 15" \
	"expect call to 4930100260 on pbx as p4 within 20" \
	"expect release p4 cause 16 within 20" | "$TGSIM" >"$WORK/pbx_i.out" 2>"$WORK/pbx_i.err" &
T=$!; PIDS+=("$T")
wait_for grep -q '"event":"expect-ok","line":3' "$WORK/pbx_i.out"; ok $? "the PBX span is up for the re-INVITE test"
sipp_call i 127.0.0.1 uac_reinvite.xml -s 4930100260; rc=$?
is 0 "$rc" "INVITE without SDP, hold re-INVITE, re-INVITE without SDP, BYE: all answered"
[ "$rc" -eq 0 ] || tail -n 30 "$WORK/i.msg" "$WORK/i.err" 2>/dev/null | sed 's/^/#   /'
wait "$T"; ok $? "the PBX saw the call and its release"
msgs=$(tr -d '\r' <"$WORK/i.msg")
like "$(printf '%s' "$msgs" | sed -n '/^CSeq: 1 INVITE/,/^-----/p' | grep -c '^m=audio')" '^[1-9]' "the 200 to the INVITE without SDP carries the gateway's offer"
like "$(printf '%s' "$msgs" | sed -n '/^CSeq: 2 INVITE/,/^-----/p' | grep '^a=\(recvonly\|inactive\)')" 'recvonly|inactive' "the hold re-INVITE (sendonly) is answered recvonly"

# (j) SIP -> SIP through the same routing: lync's 9... goes back out to lync
expect_code 201 "route lync 9... -> lync-g" POST /api/v1/routes -d '{"name":"sip-sip","source_group":"lync-g","called_prefix":"9","destinations":[{"group":"lync-g"}]}'
sipp_uas j_uas "$UAS_PORT" uas_answer.xml
sipp_call j 127.0.0.1 uac_call.xml -s 9123; ok $? "SIPp's call to 9123 is answered by the SIPp on the next hop and hung up"
wait "$UAS"; is 0 "$?" "the called SIPp got the INVITE and the BYE"

# (c) a source no trunk names
sipp_call c 127.0.0.2 uac_fail.xml -s 4930100234; ok $? "SIPp's INVITE from 127.0.0.2 ends"
like "$(grep -m1 '^SIP/2.0 [3-6]' "$WORK/c.msg")" '^SIP/2.0 403' "an INVITE from an address no trunk names gets 403"

# (d) the PBX refuses: cause 17 -> 486; an unassigned number -> 404
printf '%s\n' "$PBX" "auto reject 17 pbx" "expect link up pbx within 15" \
	"expect call to 4930100299 on pbx within 20" "sleep 1" | "$TGSIM" >"$WORK/pbx_d.out" 2>"$WORK/pbx_d.err" &
T=$!; PIDS+=("$T")
wait_for grep -q '"event":"expect-ok","line":3' "$WORK/pbx_d.out"; ok $? "the PBX span is up again"
sipp_call d 127.0.0.1 uac_fail.xml -s 4930100299; ok $? "SIPp's INVITE to a busy PBX user ends"
like "$(grep -m1 '^SIP/2.0 [3-6]' "$WORK/d.msg")" '^SIP/2.0 486' "cause 17 (user busy) on PRI is 486 on SIP"
like "$(tr -d '\r' <"$WORK/d.msg" | grep -m1 -i '^Reason:')" 'Q\.850;cause=17' "with Reason: Q.850;cause=17"
wait "$T"
sipp_call u 127.0.0.1 uac_fail.xml -s 4930999; ok $? "SIPp's INVITE to an unassigned number ends"
like "$(grep -m1 '^SIP/2.0 [3-6]' "$WORK/u.msg")" '^SIP/2.0 404' "an unassigned number is 404"

# CDRs (a writer thread commits them a few ms after each call ends)
cdr_of() { sqlite3 "$S/trunkgate.db" "select count(*) from cdrs where called = '$1'" | grep -qx 1; }
wait_for cdr_of 4930999; ok $? "the last call's CDR is committed"
row=$(sqlite3 -separator ' ' "$S/trunkgate.db" "select in_kind, in_trunk, in_group, out_kind, out_trunk, calling, called, cause, released_by, answer_at is not null from cdrs where called = '4930100234' and in_kind = 'sip'")
like "$row" '^sip lync lync-g pri pbx \+?4930555123 4930100234 16 caller 1$' "CDR of (a): SIP in on lync, PRI out on pbx, numbers, cause 16, caller hung up"
row=$(sqlite3 -separator ' ' "$S/trunkgate.db" "select in_kind, out_kind, out_trunk, out_group, called, called_out, cause, answer_at is not null from cdrs where called = '0123456'")
is "pri sip lync lync-g 0123456 0123456 16 1" "$row" "CDR of (b): PRI in, SIP out on lync, cause 16"
row=$(sqlite3 -separator ' ' "$S/trunkgate.db" "select in_kind, out_kind, cause, answer_at is null from cdrs where called = '4930100299'")
is "sip pri 17 1" "$row" "CDR of (d): the busy call, cause 17, never answered"
row=$(sqlite3 -separator ' ' "$S/trunkgate.db" "select in_kind, out_kind, route, cause, answer_at is not null from cdrs where called = '9123'")
is "sip sip sip-sip 16 1" "$row" "CDR of (j): SIP in, SIP out, cause 16"
row=$(sqlite3 "$S/trunkgate.db" "select cause from cdrs where called = '4930999'")
like "$row" '^(1|3)$' "CDR of the unassigned number: cause 1 or 3"

# the API: a trunk in a group cannot go; a bad next hop is named
expect_code 409 "a SIP trunk still in a trunk group is not deleted" DELETE /api/v1/sip-trunks/lync
r=$(api POST /api/v1/sip-trunks -d '{"name":"x","next_hops":[{"host":"10.0.0.1"},{"host":"-bad-"}]}')
like "$r" '^400 .*"field":"next_hops\[1\]\.host"' "a bad next hop host is a 400 naming next_hops[1].host"

r=$(api POST /api/v1/sip-trunks -d '{"name":"itsp","allowed_sources":"192.0.2.0/24"}')
like "$r" '^201 .*"next_hops":\[\]' "a trunk with no next hops (incoming only) is created"
gen=$(printf '%s' "$r" | sed 's/^201 //' | jq -r .generation)
r=$(api PUT /api/v1/sip-trunks/itsp -d '{"transport":"tcp","options_interval":0,"next_hops":[{"host":"sbc.example.net","port":5060,"priority":1},{"host":"192.0.2.10","priority":2,"weight":5}]}')
like "$r" '^200 ' "PUT changes its transport and next hops"
[ "$(printf '%s' "$r" | sed 's/^200 //' | jq -r .generation)" -gt "$gen" ]; ok $? "a write bumps the generation"
is "tcp sbc.example.net 192.0.2.10" "$(api GET /api/v1/sip-trunks/itsp | sed 's/^200 //' | jq -r '"\(.transport) \(.next_hops[0].host) \(.next_hops[1].host)"')" \
	"GET returns what PUT stored, next hops in priority order"
for bad in '{"profile":"lync2010"}:profile' '{"transport":"sctp"}:transport' \
	'{"srtp_mode":"optional"}:srtp_mode' '{"next_hops":[{"host":"a.example","transport":"ws"}]}:next_hops[0].transport' \
	'{"allowed_sources":"10.0.0.0/8,nope"}:allowed_sources' '{"listen":"0.0.0.0"}:listen' \
	'{"tls_ca":"relative/ca.pem"}:tls_ca' '{"session_timer":30}:session_timer'; do
	r=$(api PUT /api/v1/sip-trunks/itsp -d "${bad%:*}")
	is "400 ${bad##*:}" "${r%% *} $(printf '%s' "${r#* }" | jq -r .error.field)" "400 naming ${bad##*:} for ${bad%:*}"
done
expect_code 404 "an unknown trunk is 404" GET /api/v1/sip-trunks/nosuch
expect_code 204 "a trunk in no group is deleted" DELETE /api/v1/sip-trunks/itsp
n=$(sqlite3 "$S/trunkgate.db" "select count(*) from audit_log where object_type = 'sip_trunk'")
[ "$n" -ge 4 ]; ok $? "SIP trunk writes are audited ($n rows)"

stop_daemon "$DPID"; is 0 "$STOP_RC" "SIGTERM exits 0"
finish
