#!/usr/bin/env bash
# test_presets.sh -- deployment presets through the REST API: each of the three
# deployments makes a coherent configuration from a few answers in one
# transaction (one generation, one audit row); bad answers are 400 naming the
# answer and write nothing; a dry run writes nothing; a second preset needs
# "replace"; the route tester agrees with the preset's intent, and real calls
# between tgsim's carrier and PBX follow the applied preset.
. "$(dirname "$0")/lib.sh"
TGSIM=${TGSIM:-$TG_BUILDDIR/tgsim}

S=$WORK/state
start_daemon "$S" || { ok 1 "daemon starts"; finish; }
PW=$(cat "$S/initial-admin-password")
DB=$S/trunkgate.db
api() { http "$@" -u "admin:$PW" -H 'Content-Type: application/json'; }
gen() { sqlite3 "$DB" "select generation from config_state"; }
count() { sqlite3 "$DB" "select count(*) from $1"; }
counts() { echo "$(count trunk_groups) $(count number_ranges) $(count manipulation_rules) $(count routes) $(count sip_trunks)"; }
check_bad() {   # check_bad PRESET BODY FIELD MESSAGE-REGEX DESCRIPTION
	local r
	r=$(api POST "/api/v1/presets/$1" -d "$2")
	like "$r" "^400 \\{\"error\":\\{\"code\":\"invalid_field\",\"message\":\"$4.*\",\"field\":\"$3\"\\}\\}" "$5"
}
# rt BODY: "group called" of the first target, or the cause; on the
# configuration alone ("live_down": false: no far end is attached, so the
# daemon's live view has every span group down)
rt() {
	curl -s -u "admin:$PW" -H 'Content-Type: application/json' \
		-d "$(printf '%s' "$1" | jq -c '. + {live_down: false}')" "${URL}api/v1/route-test" |
		jq -r 'if .targets[0] then "\(.targets[0].group) \(.targets[0].called)" else "cause \(.cause)" end'
}

r=$(api GET /api/v1/presets)
like "$r" '^200 \{"presets":\[\{"name":"ev-in-front-of-pbx","title":"Enterprise Voice in front of the PBX"\},\{"name":"ev-behind-pbx",.*\{"name":"voip-only"' \
	"the three presets are listed"
like "$(api POST /api/v1/presets/pbx-only -d '{}')" '^404 .*no preset pbx-only' "an unknown preset is 404"

like "$(api POST /api/v1/spans -d '{"name":"carrier","type":"E1","pri_side":"user"}')" '^201 ' "span carrier"
like "$(api POST /api/v1/spans -d '{"name":"pbx","type":"E1","pri_side":"network"}')" '^201 ' "span pbx"
g0=$(gen)

FRONT='"carrier_span":"carrier","pbx_span":"pbx","sip_next_hop":{"host":"127.0.0.1","port":5068,"transport":"tcp"},"ev_range":{"prefix":"49301001"},"pbx_range":{"first":"4930100200","last":"4930100299"}'
check_bad ev-in-front-of-pbx '{"pbx_span":"pbx"}' carrier_span "carrier_span: this preset needs" "a missing span is named"
check_bad ev-in-front-of-pbx "{${FRONT/\"pbx\"/\"nosuch\"}}" pbx_span "pbx_span: no span named nosuch" "an unknown span is named"
check_bad ev-in-front-of-pbx "{${FRONT/49301001/+49301001}}" ev_range "ev_range: with sip_e164_plus" "a + range with E.164 rewriting on is refused"
check_bad ev-in-front-of-pbx "{${FRONT/\"tcp\"/\"sctp\"}}" sip_next_hop.transport "sip_next_hop: transport" "a bad transport is named inside its object"
check_bad ev-in-front-of-pbx "{${FRONT/127.0.0.1/bad host}}" sip_next_hop.host "sip_next_hop: host" "a bad host is named inside its object"
check_bad ev-in-front-of-pbx "{${FRONT/4930100299/12}}" pbx_range.last "pbx_range.last: must have as many digits" "a first..last of different lengths is refused"
check_bad ev-in-front-of-pbx "{${FRONT},\"colour\":\"red\"}" colour "" "an unknown answer is refused"
check_bad ev-behind-pbx "{${FRONT}}" carrier_span "carrier_span: not used" "behind the PBX takes no carrier span"
r=$(api POST /api/v1/presets/ev-in-front-of-pbx -d "{${FRONT/\"prefix\":\"49301001\"/\"first\":\"4930100150\",\"last\":\"4930100250\"}}")
like "$r" '^400 \{"error":\{"code":"invalid_config","message":".*overlap' \
	"an EV range overlapping the PBX range is refused by the routing check"
is "$g0" "$(gen)" "refused presets leave the generation alone"
is "0 0 0 0 0" "$(counts)" "... and write nothing"

r=$(api POST /api/v1/presets/ev-in-front-of-pbx -d "{${FRONT},\"dry_run\":true}")
like "$r" '^200 \{"preset":"ev-in-front-of-pbx",.*"dry_run":true' "a dry run answers 200 with the plan"
is "5" "$(printf '%s' "${r#* }" | jq '.routes | length')" "... of five routes"
is "$g0 0 0 0 0 0" "$(gen) $(counts)" "... and writes nothing"

r=$(api POST /api/v1/presets/ev-in-front-of-pbx -d "{${FRONT}}")
like "$r" '^201 ' "EV in front of the PBX is applied"
is "$((g0 + 1))" "$(printf '%s' "${r#* }" | jq .generation)" "... as one generation"
is "$((g0 + 1))" "$(gen)" "... in one transaction"
is "3 2 4 5 1" "$(counts)" "... three groups, two ranges, four rules, five routes, one SIP trunk"
is "127.0.0.1 5068 tcp" "$(sqlite3 -separator ' ' "$DB" "select host, port, transport from sip_peers")" "the SIP trunk has the next hop given"
is "1" "$(sqlite3 "$DB" "select count(*) from audit_log where action = 'apply' and object_type = 'preset' and object_id = 'ev-in-front-of-pbx'")" "one audit row names the preset"
like "$(sqlite3 "$DB" "select after_json from audit_log where object_type = 'preset'")" '"pbx_span":"pbx"' "... with the answers"
is "from-carrier carrier pbx" "$(sqlite3 -separator ' ' "$DB" "select r.name, s.name, v.name from routes r join trunk_groups s on s.id = r.source_group_id join trunk_groups v on v.id = r.survivability_group_id where r.name = 'from-carrier'")" \
	"carrier -> the owner of the number's range, with the PBX as the survivability alternative"
is "0" "$(sqlite3 "$DB" "select count(*) from route_destinations d join routes r on r.id = d.route_id where r.name = 'from-carrier'")" \
	"... a range owner route: moving a department is giving its range to another group"

# the route tester: the preset's intent
wait_for test "$(curl -s -u "admin:$PW" "${URL}api/v1/status" | jq .config.generation)" = "$((g0 + 1))"
is "pbx 4930100234" "$(rt '{"source_group":"carrier","called":"4930100234","calling":"5550001"}')" "carrier -> a PBX number goes to the PBX span"
is "ev +4930100199" "$(rt '{"source_group":"carrier","called":"4930100199","calling":"5550001"}')" "carrier -> an EV number goes to the SIP trunk as +E.164"
is "carrier 030555123" "$(rt '{"source_group":"pbx","called":"030555123","calling":"2001"}')" "PBX -> anything else goes to the carrier"
is "ev +4930100101" "$(rt '{"source_group":"pbx","called":"4930100101","calling":"4930100201"}')" "PBX -> EV user crosses the gateway to the SIP trunk"
is "pbx 4930100201" "$(rt '{"source_group":"ev","called":"+4930100201","calling":"+4930100101"}')" "EV -> PBX user: the + is taken off for the span"
is "carrier 0305551234" "$(rt '{"source_group":"ev","called":"+0305551234","calling":"+4930100101"}')" "EV -> PSTN goes to the carrier"
like "$(rt '{"source_group":"carrier","called":"4930100199","calling":"5550001","down_groups":["ev"]}')" '^pbx 4930100199$' \
	"with the SIP group down the EV number goes to the PBX (survivability)"

# a second preset must say it replaces the first
r=$(api POST /api/v1/presets/ev-behind-pbx -d '{"pbx_span":"pbx","ev_range":{"prefix":"49301001"}}')
like "$r" '^409 .*routing is configured already.*replace' "a second preset without replace is 409"
is "3 2 4 5 1" "$(counts)" "... and changes nothing"
like "$(api PUT /api/v1/spans/carrier -d '{"busy_out_group":"ev"}')" '^200 .*"busy_out_group":"ev"' \
	"the carrier span is set to busy out while the ev group is down"
r=$(api POST /api/v1/presets/ev-behind-pbx -d '{"pbx_span":"pbx","ev_range":{"prefix":"49301001"},"replace":true}')
like "$r" '^201 ' "EV behind the PBX replaces it (using the existing SIP trunk)"
like "$(api GET /api/v1/spans/carrier)" '"busy_out_group":"ev"' "... and the span's busy-out follows the new ev group"
is "2 1 4 2 1" "$(counts)" "... two groups, one range, four rules, two routes, the same SIP trunk"
wait_for test "$(curl -s -u "admin:$PW" "${URL}api/v1/status" | jq .config.generation)" = "$(gen)"
is "ev +4930100123" "$(rt '{"source_group":"pbx","called":"4930100123","calling":"4930100201"}')" "behind the PBX: PBX -> EV range goes to the SIP trunk"
is "pbx 004930555" "$(rt '{"source_group":"ev","called":"+004930555","calling":"+4930100123"}')" "behind the PBX: every EV call goes to the PBX"

r=$(api POST /api/v1/presets/voip-only -d '{"carrier_span":"carrier","sip_next_hop":{"host":"itsp.example.net","transport":"udp"},"replace":true}')
like "$r" '^201 ' "VoIP-only with a new next hop replaces it"
is "udp itsp.example.net 0" "$(sqlite3 -separator ' ' "$DB" "select t.transport, p.host, p.port from sip_trunks t join sip_peers p on p.trunk_id = t.id")" \
	"... the SIP trunk now has only the new next hop"
is "2 0 4 2 1" "$(counts)" "... two groups, no range (every carrier call goes to SIP), two routes"

# back to the first one, and calls through it between tgsim's carrier and PBX
r=$(api POST /api/v1/presets/ev-in-front-of-pbx -d "{${FRONT},\"replace\":true}")
like "$r" '^201 ' "EV in front of the PBX again"
wait_for test "$(curl -s -u "admin:$PW" "${URL}api/v1/status" | jq .config.generation)" = "$(gen)"
CAR="span carrier $S/sim/carrier.sock type=E1 switch=euroisdn side=network"
PBX="span pbx $S/sim/pbx.sock type=E1 switch=euroisdn side=user"
printf '%s\n' "$CAR" "$PBX" "auto answer" \
	"expect link up carrier within 15" "expect link up pbx within 15" \
	"call carrier 5550001 4930100234 as c1" \
	"expect call to 4930100234 on pbx as p1 within 5" \
	"expect answer c1 within 5" "hangup c1" "expect release p1 cause 16 within 5" \
	"call pbx 2001 030555123 as o1" \
	"expect call to 030555123 on carrier as k1 within 5" \
	"expect answer o1 within 5" "hangup o1" "expect release k1 cause 16 within 5" | \
	"$TGSIM" >"$WORK/calls.out" 2>"$WORK/calls.err"
ok $? "calls follow the preset: carrier -> PBX range reaches the PBX, the PBX's call reaches the carrier"
[ $? -eq 0 ] || tail -n 12 "$WORK/calls.out" | sed 's/^/#   /'
wait_for sh -c "[ \$(sqlite3 '$DB' 'select count(*) from cdrs') -ge 2 ]"  # CDRs land a few ms after the call
is "from-carrier pbx|pbx-to-pstn carrier" "$(sqlite3 "$DB" "select route || ' ' || out_group from cdrs order by id" | paste -sd'|')" \
	"the CDRs name the preset's routes and groups"

# moving a department: the PBX's range given to ev moves the next calls from every side
like "$(api PUT /api/v1/number-ranges/pbx-users -d '{"group":"ev"}')" '^200 ' "the PBX users' range is given to ev"
wait_for test "$(curl -s -u "admin:$PW" "${URL}api/v1/status" | jq .config.generation)" = "$(gen)"
is "ev +4930100234" "$(rt '{"source_group":"carrier","called":"4930100234","calling":"5550001"}')" "... the carrier's next call to it goes to the SIP trunk"
is "ev +4930100234" "$(rt '{"source_group":"pbx","called":"4930100234","calling":"4930100201"}')" "... and so does the PBX's"

finish
