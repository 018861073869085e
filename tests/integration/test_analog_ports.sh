#!/usr/bin/env bash
# test_analog_ports.sh -- /api/v1/analog-ports as a provisioning script meets
# it: create with defaults, every field validated with the field named, read
# by name and id, update, 404/405/409/412, roles, audit rows; analog trunk
# groups with {"analog_port": name} members; and, since no analog driver
# exists yet, a call routed to an analog group is refused with cause 34 and
# a log line (tgsim on a span is the caller).
. "$(dirname "$0")/lib.sh"
TGSIM=${TGSIM:-$TG_BUILDDIR/tgsim}

S=$WORK/state
DB=$S/trunkgate.db
start_daemon "$S" || { ok 1 "daemon starts"; finish; }
PW=$(cat "$S/initial-admin-password")
J='Content-Type: application/json'
api() { http "$@" -u "admin:$PW" -H "$J"; }
etag() {        # etag METHOD PATH [curl args]: the ETag header of the answer
	local m=$1 p=$2; shift 2
	curl -s -D - -o /dev/null -X "$m" -u "admin:$PW" -H "$J" "$@" "${URL%/}$p" |
		tr -d '\r' | sed -n 's/^ETag: //Ip'
}

r=$(api GET /api/v1/analog-ports)
is '200 {"analog_ports":[]}' "$r" "no analog ports on a fresh database"

r=$(api POST /api/v1/analog-ports -d '{"name":"fax-1","kind":"fxs","number":"+4930100999"}')
like "$r" '^201 \{"id":1,"name":"fax-1","enabled":true,"driver":"sim","position":1,"kind":"fxs","number":"\+4930100999","device":"","generation":[0-9]+\}$' \
	"an FXS port gets the defaults (sim, enabled, the first free position) and a generation"
r=$(api POST /api/v1/analog-ports -d '{"name":"line-1","kind":"fxo","driver":"alsa","device":"hw:1,0","enabled":false}')
like "$r" '^201 \{"id":2,"name":"line-1","enabled":false,"driver":"alsa","position":1,"kind":"fxo","number":"","device":"hw:1,0",' \
	"an FXO port on another driver takes position 1 there"
r=$(api POST /api/v1/analog-ports -d '{"name":"fax-2","kind":"fxs"}')
like "$r" '^201 .*"name":"fax-2".*"driver":"sim","position":2,' "the next sim port takes position 2"

# validation: each bad field is named
check_bad() {   # check_bad BODY FIELD REGEX DESCRIPTION
	local r
	r=$(api POST /api/v1/analog-ports -d "$1")
	like "$r" "^400 \\{\"error\":\\{\"code\":\"invalid_field\",\"message\":\"$3.*\",\"field\":\"$2\"\\}\\}" "$4"
}
check_bad '{"kind":"fxs"}' name 'name is required' "a missing name is refused"
check_bad '{"name":"x"}' kind 'kind is required' "a missing kind is refused"
check_bad '{"name":"bad name","kind":"fxs"}' name 'name \\"bad name\\": character' "a name with a space is refused"
check_bad '{"name":"","kind":"fxs"}' name 'name' "an empty name is refused"
check_bad '{"name":"abcdefghijabcdefghijabcdefghijabc","kind":"fxs"}' name 'name' "a 33-character name is refused"
check_bad '{"name":"x","kind":"em"}' kind 'kind \\"em\\" is not one of: fxs, fxo' "an unknown kind lists the choices"
check_bad '{"name":"x","kind":"fxs","driver":"zap"}' driver 'driver \\"zap\\" is not one of: sim, dahdi, alsa' "an unknown driver lists the choices"
check_bad '{"name":"x","kind":"fxs","position":0}' position 'position 0 is out of range 1..256' "position 0 is refused"
check_bad '{"name":"x","kind":"fxs","position":257}' position 'position 257 is out of range 1..256' "position 257 is refused"
check_bad '{"name":"x","kind":"fxs","position":"2"}' position 'position must be an integer' "a string position is refused"
check_bad '{"name":"x","kind":"fxs","enabled":"yes"}' enabled 'enabled must be true or false' "a non-boolean is refused"
check_bad '{"name":"x","kind":"fxs","number":"12a"}' number "number \\\\\"12a\\\\\": character 'a'" "letters in a number are refused"
check_bad '{"name":"x","kind":"fxs","number":"12+3"}' number 'number \\"12\+3\\" is not a number' "a + inside a number is refused (the routing number rules)"
check_bad '{"name":"x","kind":"fxs","number":"123456789012345678901234567890123"}' number 'number' "a 33-digit number is refused"
check_bad "{\"name\":\"x\",\"kind\":\"fxs\",\"device\":\"$(printf 'd%.0s' $(seq 256))\"}" device 'device' "a 256-character device is refused"
check_bad '{"name":"x","kind":"fxs","device":"a\u0001b"}' device 'device' "a control character in device is refused"
check_bad '{"name":"x","kind":"fxs","id":7}' id 'id is read-only' "id cannot be set"
check_bad '{"name":"x","kind":"fxs","colour":"red"}' colour 'unknown field \\"colour\\"' "an unknown field is refused"
r=$(api POST /api/v1/analog-ports -d '{"name":"fax-1","kind":"fxo"}')
like "$r" '^409 \{"error":\{"code":"conflict","message":"an analog port named fax-1 exists already","field":"name"' "a duplicate name is 409 naming name"
r=$(api POST /api/v1/analog-ports -d '{"name":"other","kind":"fxs","position":2}')
like "$r" '^409 .*"code":"conflict","message":"position 2 on driver sim is analog port fax-2 already","field":"position"' \
	"a taken (driver, position) is 409 naming position and the port"
is 3 "$(sqlite3 "$DB" "select count(*) from analog_ports")" "refused requests wrote nothing"

# read, update, 404, 405, 412
r=$(api GET /api/v1/analog-ports/line-1)
like "$r" '^200 \{"id":2,"name":"line-1"' "a port is found by name"
r=$(api GET /api/v1/analog-ports/1)
like "$r" '^200 \{"id":1,"name":"fax-1"' "and by id"
r=$(api GET /api/v1/analog-ports/nope)
like "$r" '^404 .*"code":"not_found","message":"no analog port nope"' "an unknown port is 404"
r=$(api PUT /api/v1/analog-ports/nope -d '{"enabled":false}')
like "$r" '^404 ' "changing an unknown port is 404"
r=$(api DELETE /api/v1/analog-ports/nope)
like "$r" '^404 ' "deleting an unknown port is 404"
r=$(api PATCH /api/v1/analog-ports/fax-1 -d '{}')
like "$r" '^405 \{"error":\{"code":"method_not_allowed"' "PATCH is 405"
r=$(api PUT /api/v1/analog-ports/fax-2 -d '{"number":"2001","device":"port 2"}')
like "$r" '^200 .*"name":"fax-2","enabled":true,"driver":"sim","position":2,"kind":"fxs","number":"2001","device":"port 2"' \
	"a partial update changes only what it names"
r=$(api PUT /api/v1/analog-ports/fax-2 -d '{"position":1}')
like "$r" '^409 .*"field":"position"' "moving onto a taken position is 409"
r=$(api PUT /api/v1/analog-ports/fax-2 -d '{"kind":"xx"}')
like "$r" '^400 .*"field":"kind"' "an update is validated"
r=$(api PUT /api/v1/analog-ports/fax-2 -d '{"name":"fax-1"}')
like "$r" '^409 .*"field":"name"' "renaming onto a taken name is 409"
e1=$(etag GET /api/v1/analog-ports/fax-2)
like "$e1" '^"[0-9a-f]{20}"$' "GET answers an ETag"
e2=$(etag PUT /api/v1/analog-ports/fax-2 -H "If-Match: $e1" -d '{"number":"2002"}')
like "$e2" '^"[0-9a-f]{20}"$' "PUT with the current If-Match writes"
r=$(api PUT /api/v1/analog-ports/fax-2 -H "If-Match: $e1" -d '{"number":"2003"}')
like "$r" '^412 ' "PUT with a stale If-Match is 412"
r=$(api DELETE /api/v1/analog-ports/fax-2 -H "If-Match: $e1")
like "$r" '^412 ' "DELETE with a stale If-Match is 412"
is 2002 "$(sqlite3 "$DB" "select number from analog_ports where name='fax-2'")" "the 412s wrote nothing"

# audit rows with before and after
audit=$(sqlite3 "$DB" "select json_extract(before_json,'$.number') || '>' || json_extract(after_json,'$.number') from audit_log where object_type='analog_port' and action='update' order by id desc limit 1")
is "2001>2002" "$audit" "the update's audit row holds the values before and after"
is 3 "$(sqlite3 "$DB" "select count(*) from audit_log where object_type='analog_port' and action='create' and actor='admin'")" \
	"each create wrote an audit row by admin"

# roles: a viewer reads, cannot write
sqlite3 "$DB" "insert into users (username,password_hash,role,created_at,updated_at) values ('noc','$(sqlite3 "$DB" "select password_hash from users where username='admin'")','viewer',0,0)"
r=$(http GET /api/v1/analog-ports -u "noc:$PW")
like "$r" '^200 \{"analog_ports":\[' "a viewer can list analog ports"
r=$(http GET /api/v1/analog-ports/fax-1 -u "noc:$PW")
like "$r" '^200 ' "a viewer can read one"
for m in POST PUT DELETE; do
	p=/api/v1/analog-ports; [ "$m" = POST ] || p=$p/fax-1
	r=$(http "$m" "$p" -u "noc:$PW" -H "$J" -d '{"name":"v","kind":"fxs"}')
	like "$r" '^403 .*"code":"forbidden".*needs admin' "a viewer cannot $m"
done
r=$(http GET /api/v1/analog-ports)
like "$r" '^401 ' "no credentials is 401"

# analog trunk groups: members are analog ports, by name or id
r=$(api POST /api/v1/trunk-groups -d '{"name":"fax-g","kind":"analog","members":[{"analog_port":"fax-1"},{"analog_port":3,"weight":2}]}')
like "$r" '^201 .*"kind":"analog".*"members":\[\{"analog_port":"fax-1","weight":1\},\{"analog_port":"fax-2","weight":2\}\]' \
	"an analog group takes analog ports by name and id"
r=$(api POST /api/v1/trunk-groups -d '{"name":"x-g","kind":"analog","members":[{"analog_port":"nope"}]}')
like "$r" '^400 .*"field":"members\[0\]\.analog_port"' "a port that does not exist is 400 naming the member"
r=$(api POST /api/v1/trunk-groups -d '{"name":"x-g","kind":"analog","members":[{"span":"fax-1"}]}')
like "$r" '^400 .*the members of a analog group are analog ports.*"field":"members\[0\]\.span"' "a span member in an analog group is refused"
r=$(api POST /api/v1/trunk-groups -d '{"name":"x-g","kind":"span","members":[{"analog_port":"fax-1"}]}')
like "$r" '^400 .*"field":"members\[0\]\.analog_port"' "an analog port in a span group is refused"
r=$(api POST /api/v1/trunk-groups -d '{"name":"x-g","kind":"analog","members":[{"analog_port":"fax-1","first_channel":1,"last_channel":1}]}')
like "$r" '^400 .*channels apply to span members only' "channels on an analog member are refused"

r=$(api DELETE /api/v1/analog-ports/fax-1)
like "$r" '^409 \{"error":\{"code":"in_use","message":"analog port fax-1 is used by trunk group fax-g"' \
	"deleting a port a group lists is 409 naming the group"
r=$(api DELETE /api/v1/analog-ports/line-1)
like "$r" '^204 ' "an unused port is deleted"
is 1 "$(sqlite3 "$DB" "select count(*) from audit_log where object_type='analog_port' and action='delete' and after_json is null and json_extract(before_json,'$.name')='line-1'")" \
	"the delete wrote an audit row with the port before"
r=$(api GET /api/v1/analog-ports/line-1)
like "$r" '^404 ' "and it is gone"

# a call routed to the analog group: no analog driver, refused with cause 34
api POST /api/v1/spans -d '{"name":"carrier","type":"E1","pri_side":"user"}' >/dev/null
api POST /api/v1/trunk-groups -d '{"name":"carrier-g","kind":"span","members":[{"span":"carrier"}]}' >/dev/null
api POST /api/v1/number-ranges -d '{"name":"faxes","prefix":"4930100999","group":"fax-g"}' >/dev/null
r=$(api POST /api/v1/routes -d '{"name":"in","source_group":"carrier-g","called_prefix":"4930","destinations":[]}')
like "$r" '^201 ' "a route from the carrier to the owner of the number's range"
status_is() { curl -s -u "admin:$PW" "${URL}api/v1/status" | jq -e "$1" >/dev/null; }
wait_for status_is '[.spans[] | select(.name == "carrier")] | length == 1'
printf '%s\n' "span carrier $S/sim/carrier.sock type=E1 switch=euroisdn side=network" \
	"expect link up carrier within 15" \
	"call carrier 5550001 4930100999 as c1" \
	"expect release c1 cause 34 within 5" | "$TGSIM" >"$WORK/call.out" 2>"$WORK/call.err"
ok $? "a call to the analog group's number is released with cause 34"
[ $? -eq 0 ] || tail -n 8 "$WORK/call.out" | sed 's/^/#   /'
wait_for grep -q 'trunk group fax-g is analog and no analog driver exists yet' "$S.log"
ok $? "the daemon logs why"
r=$(api GET /api/v1/health)
like "$r" '^200 ' "the daemon is still up"
stop_daemon "$DPID"; is 0 "$STOP_RC" "trunkgated exits cleanly"
[ "$STOP_RC" -eq 0 ] || tail -n 20 "$S.log" | sed 's/^/#   /'

finish
