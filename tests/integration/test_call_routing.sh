#!/usr/bin/env bash
# test_call_routing.sh -- calls routed between spans through the call core, as
# in "Enterprise Voice in front of the PBX": tgsim is the carrier on one span
# and the PBX on the other.  A carrier call to a PBX-range number reaches the
# PBX, progress and answer come back, either side clears it; an unknown
# number is refused; moving the range with the API moves the very next call
# while the call already up stays up; every finished call has a CDR.
. "$(dirname "$0")/lib.sh"
TGSIM=${TGSIM:-$TG_BUILDDIR/tgsim}

S=$WORK/state
start_daemon "$S" || { ok 1 "daemon starts"; finish; }
PW=$(cat "$S/initial-admin-password")
api() { http "$@" -u "admin:$PW" -H 'Content-Type: application/json'; }
expect_code() {         # expect_code CODE DESCRIPTION METHOD PATH [curl args]
	local code=$1 what=$2 r; shift 2
	r=$(api "$@")
	like "$r" "^$code " "$what"
}
status_is() { curl -s -u "admin:$PW" "${URL}api/v1/status" | jq -e "$1" >/dev/null; }

expect_code 201 "span carrier (we are the user side)" POST /api/v1/spans -d '{"name":"carrier","type":"E1","pri_side":"user"}'
expect_code 201 "span pbx (we are the network side)" POST /api/v1/spans -d '{"name":"pbx","type":"E1","pri_side":"network"}'
expect_code 201 "trunk group carrier-g" POST /api/v1/trunk-groups -d '{"name":"carrier-g","kind":"span","members":[{"span":"carrier"}]}'
expect_code 201 "trunk group pbx-g" POST /api/v1/trunk-groups -d '{"name":"pbx-g","kind":"span","members":[{"span":"pbx"}]}'
expect_code 201 "number range pbx-users" POST /api/v1/number-ranges -d '{"name":"pbx-users","prefix":"49301002","group":"pbx-g"}'
# no destinations: to the group that owns the range the called number is in
expect_code 201 "route carrier -> the owner of the number's range" POST /api/v1/routes -d '{"name":"in-pbx","source_group":"carrier-g","called_prefix":"4930","destinations":[]}'
expect_code 201 "route pbx -> carrier for 0..." POST /api/v1/routes -d '{"name":"out","source_group":"pbx-g","called_prefix":"0","destinations":[{"group":"carrier-g"}]}'
wait_for status_is '[.spans[] | select(.name == "carrier" or .name == "pbx")] | length == 2'

CAR="span carrier $S/sim/carrier.sock type=E1 switch=euroisdn side=network"
PBX="span pbx $S/sim/pbx.sock type=E1 switch=euroisdn side=user"

printf '%s\n' "$CAR" "$PBX" "auto answer pbx" \
	"expect link up carrier within 15" "expect link up pbx within 15" \
	"call carrier 5550001 4930100234 as c1" \
	"expect call to 4930100234 on pbx as p1 within 5" \
	"expect alerting c1 within 5" \
	"expect answer c1 within 5" \
	"hangup c1" \
	"expect release c1 cause 16 within 5" \
	"expect release p1 cause 16 within 5" \
	"call pbx 2001 012345 as o1" \
	"expect call to 012345 on carrier as k1 within 5" \
	"answer k1" \
	"expect answer o1 within 5" \
	"hangup k1 16" \
	"expect release o1 cause 16 within 5" \
	"call carrier 5550001 99999 as u1" \
	"expect release u1 within 5" | "$TGSIM" >"$WORK/basic.out" 2>"$WORK/basic.err"
ok $? "carrier -> PBX range reaches the PBX, rings, is answered and cleared; PBX -> carrier too; unknown refused"
[ $? -eq 0 ] || tail -n 12 "$WORK/basic.out" | sed 's/^/#   /'
like "$(grep '"call":"u1"' "$WORK/basic.out" | grep released)" '"cause":(1|3)\}' "the unknown number is refused with cause 1 or 3"
like "$(grep '"event":"call-in"' "$WORK/basic.out" | head -1)" '"from":"5550001","to":"4930100234"' "the PBX sees the caller's number"

# the route tester gives the decision the calls above got; tgsim has gone
# since, so the spans' groups are down now: decide as when they were up
# ("live_down": false leaves the daemon's live down set out)
rt() { curl -s -u "admin:$PW" -H 'Content-Type: application/json' \
	-d "$(printf '%s' "$1" | jq -c '. + {live_down: false}')" "${URL}api/v1/route-test"; }
is "pbx-g 4930100234" "$(rt '{"source_group":"carrier-g","called":"4930100234","calling":"5550001"}' | jq -r '"\(.targets[0].group) \(.targets[0].called)"')" \
	"route-test: the carrier's call to 4930100234 goes to pbx-g, as the real call did"
is "carrier-g 012345" "$(rt '{"source_group":"pbx-g","called":"012345","calling":"2001"}' | jq -r '"\(.targets[0].group) \(.targets[0].called)"')" \
	"route-test: the PBX's call to 012345 goes to carrier-g, as the real call did"
refused=$(grep '"call":"u1"' "$WORK/basic.out" | grep released | sed -E 's/.*"cause":([0-9]+).*/\1/')
is "$refused" "$(rt '{"source_group":"carrier-g","called":"99999","calling":"5550001"}' | jq -r '.cause')" \
	"route-test: 99999 is refused with the cause the real call got ($refused)"

# a group that holds only channels 1-2 of the PBX span: the third call gets 34
expect_code 200 "the PBX group is cut down to B channels 1-2" PUT /api/v1/trunk-groups/pbx-g -d '{"members":[{"span":"pbx","first_channel":1,"last_channel":2}]}'
printf '%s\n' "$CAR" "$PBX" "auto answer pbx" \
	"expect link up carrier within 15" "expect link up pbx within 15" \
	"call carrier 5550001 4930100201 as a" "expect answer a within 5" \
	"call carrier 5550001 4930100202 as b" "expect answer b within 5" \
	"call carrier 5550001 4930100203 as c" "expect release c cause 34 within 5" \
	"hangup a" "expect release a cause 16 within 5" \
	"hangup b" "expect release b cause 16 within 5" | "$TGSIM" >"$WORK/chans.out" 2>"$WORK/chans.err"
ok $? "with channels 1-2 in use the third call is refused with cause 34"
[ $? -eq 0 ] || tail -n 8 "$WORK/chans.out" | sed 's/^/#   /'
is "1 2" "$(grep '"event":"call-in","span":"pbx"' "$WORK/chans.out" | sed -E 's/.*"channel":([0-9]+).*/\1/' | sort -n | xargs)" \
	"the two calls took exactly B channels 1 and 2"
expect_code 200 "the PBX group gets the whole span back" PUT /api/v1/trunk-groups/pbx-g -d '{"members":[{"span":"pbx"}]}'

# moving the range: the call already up stays up, the next one follows the move
printf '%s\n' "$CAR" "$PBX" "auto answer" \
	"expect link up carrier within 15" "expect link up pbx within 15" \
	"call carrier 5550002 4930100235 as c1" \
	"expect call to 4930100235 on pbx as p1 within 5" \
	"expect answer c1 within 5" \
	"sleep 3" \
	"call carrier 5550003 4930100236 as c2" \
	"expect call to 4930100236 on carrier as back within 5" \
	"expect answer c2 within 5" \
	"hangup c2" \
	"expect release c2 cause 16 within 5" \
	"hangup c1" \
	"expect release p1 cause 16 within 5" | "$TGSIM" >"$WORK/move.out" 2>"$WORK/move.err" &
T=$!; PIDS+=("$T")
wait_for grep -q '"event":"expect-ok","line":8' "$WORK/move.out"; ok $? "a call is up through the PBX range"
expect_code 200 "the range is moved to the carrier group (the department migrates)" PUT /api/v1/number-ranges/pbx-users -d '{"group":"carrier-g"}'
wait "$T"; rc=$?
is 0 "$rc" "the next call follows the range at once while the first call stayed up"
[ "$rc" -eq 0 ] || tail -n 12 "$WORK/move.out" | sed 's/^/#   /'

# CDRs are committed by the writer thread a few ms after each call: poll
wait_for sh -c "[ \$(sqlite3 '$S/trunkgate.db' 'select count(*) from cdrs') -ge 8 ]"
n=$(sqlite3 "$S/trunkgate.db" "select count(*) from cdrs")
[ "$n" -eq 8 ]; ok $? "a CDR for every finished call: 8 calls, $n records"
row=$(sqlite3 -separator ' ' "$S/trunkgate.db" "select in_trunk, out_trunk, called, called_out, cause, route, released_by, answer_at is not null from cdrs where called = '4930100234'")
is "carrier pbx 4930100234 4930100234 16 in-pbx caller 1" "$row" "the CDR names both spans, the numbers, the route, the cause and who hung up"
row=$(sqlite3 -separator ' ' "$S/trunkgate.db" "select cause, out_trunk, answer_at is null from cdrs where called = '99999'")
like "$row" '^(1|3)  1$' "a refused call has a CDR with its cause and no answer"
stop_daemon "$DPID"; is 0 "$STOP_RC" "SIGTERM exits 0"
finish
