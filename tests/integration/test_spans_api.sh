#!/usr/bin/env bash
# test_spans_api.sh -- /api/v1/spans as a provisioning script meets it:
# create with type defaults, every field validated with the field named,
# update, 404/409, roles, audit rows with before/after, generations.
. "$(dirname "$0")/lib.sh"

S=$WORK/state
start_daemon "$S" || { ok 1 "daemon starts"; finish; }
PW=$(cat "$S/initial-admin-password")
api() { http "$@" -u "admin:$PW" -H 'Content-Type: application/json'; }

r=$(api GET /api/v1/spans)
is '200 {"spans":[]}' "$r" "no spans on a fresh database"

r=$(api POST /api/v1/spans -d '{"name":"pbx-1","type":"T1"}')
like "$r" '^201 \{"id":1,"name":"pbx-1","enabled":true,"driver":"sim","position":1,"type":"T1","framing":"ESF","line_code":"B8ZS","crc4":false,"clock_source":"line","signalling":"pri","pri_side":"user","switch_type":"ni2","hunting":"ascending","test_number":"","debug":false,"sim_attach":"","busy_out_group":null,"busy_out_method":"dchan","echo_tail_ms":0,"generation":1\}$' \
	"a T1 span gets T1 defaults (ESF, B8ZS, NI-2) and generation 1"
r=$(api POST /api/v1/spans -d '{"name":"carrier","type":"E1","pri_side":"network","hunting":"descending"}')
like "$r" '^201 .*"position":2,"type":"E1","framing":"CCS","line_code":"HDB3","crc4":true.*"pri_side":"network","switch_type":"euroisdn","hunting":"descending"' \
	"an E1 span gets E1 defaults and the next free position"

# validation: each bad field is named
check_bad() {   # check_bad BODY FIELD REGEX DESCRIPTION
	local r
	r=$(api POST /api/v1/spans -d "$1")
	like "$r" "^400 \\{\"error\":\\{\"code\":\"invalid_field\",\"message\":\"$3.*\",\"field\":\"$2\"\\}\\}" "$4"
}
check_bad '{"type":"E1"}' name 'name is required' "a missing name is refused"
check_bad '{"name":"x"}' type 'type is required' "a missing type is refused"
check_bad '{"name":"bad name","type":"E1"}' name 'name \\"bad name\\": character' "a name with a space is refused"
check_bad '{"name":"x","type":"J1"}' type 'type \\"J1\\" is not one of: T1, E1' "an unknown type lists the choices"
check_bad '{"name":"x","type":"T1","framing":"CCS"}' framing 'framing CCS does not fit a T1 span' "E1 framing on a T1 is refused"
check_bad '{"name":"x","type":"E1","line_code":"B8ZS"}' line_code 'line code B8ZS does not fit a E1 span' "T1 line code on an E1 is refused"
check_bad '{"name":"x","type":"T1","crc4":true}' crc4 'crc4 is an E1 option' "crc4 on a T1 is refused"
check_bad '{"name":"x","type":"E1","framing":"CAS"}' framing 'CAS signalling is not supported yet' "CAS is refused as not supported yet"
check_bad '{"name":"x","type":"E1","switch_type":"4ess"}' switch_type 'switch_type \\"4ess\\" is not one of' "an unknown switch type is refused"
check_bad '{"name":"x","type":"E1","position":0}' position 'position 0 is out of range 1..128' "position 0 is refused"
check_bad '{"name":"x","type":"E1","position":"2"}' position 'position must be an integer' "a string position is refused"
check_bad '{"name":"x","type":"E1","enabled":"yes"}' enabled 'enabled must be true or false' "a non-boolean is refused"
check_bad '{"name":"x","type":"E1","test_number":"12a"}' test_number "test_number \\\\\"12a\\\\\": character 'a'" "letters in a test number are refused"
check_bad '{"name":"x","type":"E1","echo_tail_ms":16}' echo_tail_ms "echo_tail_ms 16: the echo canceller's tail is 32..128 ms" "an echo tail below 32 ms is refused"
check_bad '{"name":"x","type":"E1","echo_tail_ms":256}' echo_tail_ms 'echo_tail_ms 256 is out of range 0..128' "an echo tail over 128 ms is refused"
check_bad '{"name":"x","type":"E1","sim_attach":"relative.sock"}' sim_attach 'sim_attach must be an absolute path' "a relative sim_attach is refused"
check_bad '{"name":"x","type":"E1","id":7}' id 'id is read-only' "id cannot be set"
check_bad '{"name":"x","type":"E1","colour":"red"}' colour 'unknown field \\"colour\\"' "an unknown field is refused"
r=$(api POST /api/v1/spans -d '{"name":"carrier","type":"E1"}')
like "$r" '^409 .*"code":"conflict"' "a duplicate name is 409"
r=$(api POST /api/v1/spans -d '{"name":"other","type":"E1","position":2}')
like "$r" '^409 ' "a taken driver position is 409"
n=$(sqlite3 "$S/trunkgate.db" "select count(*) from spans")
is 2 "$n" "refused requests wrote nothing"

# read, update, delete
r=$(api GET /api/v1/spans/carrier)
like "$r" '^200 \{"id":2,"name":"carrier"' "a span is found by name"
r=$(api GET /api/v1/spans/1)
like "$r" '^200 \{"id":1,"name":"pbx-1"' "and by id"
r=$(api GET /api/v1/spans/nope)
like "$r" '^404 .*"code":"not_found"' "an unknown span is 404"
r=$(api PUT /api/v1/spans/pbx-1 -d '{"type":"E1"}')
like "$r" '^200 .*"type":"E1","framing":"CCS","line_code":"HDB3","crc4":true.*"switch_type":"euroisdn"' \
	"changing the type re-defaults the type's settings"
r=$(api PUT /api/v1/spans/pbx-1 -d '{"hunting":"round-robin","test_number":"+4930100999"}')
like "$r" '^200 .*"hunting":"round-robin","test_number":"\+4930100999"' "a partial update changes only what it names"
r=$(api PUT /api/v1/spans/pbx-1 -d '{"type":"T1","line_code":"HDB3"}')
like "$r" '^400 .*"field":"line_code"' "an update is validated as a whole"
audit=$(sqlite3 "$S/trunkgate.db" "select json_extract(before_json,'$.hunting') || '>' || json_extract(after_json,'$.hunting') from audit_log where object_type='span' and action='update' order by id desc limit 1")
is "ascending>round-robin" "$audit" "the audit row holds the values before and after"
r=$(api PUT /api/v1/spans/pbx-1 -d '{"echo_tail_ms":64}')
like "$r" '^200 .*"echo_tail_ms":64' "the echo canceller is turned on with a 64 ms tail"
audit=$(sqlite3 "$S/trunkgate.db" "select json_extract(before_json,'$.echo_tail_ms') || '>' || json_extract(after_json,'$.echo_tail_ms') from audit_log where object_type='span' and action='update' order by id desc limit 1")
is "0>64" "$audit" "the audit row holds echo_tail_ms before and after"
r=$(api PUT /api/v1/spans/pbx-1 -d '{"echo_tail_ms":0}')
like "$r" '^200 .*"echo_tail_ms":0' "and off again"

# roles: a viewer reads, cannot write
sqlite3 "$S/trunkgate.db" "insert into users (username,password_hash,role,created_at,updated_at) values ('noc','$(sqlite3 "$S/trunkgate.db" "select password_hash from users where username='admin'")','viewer',0,0)"
r=$(http GET /api/v1/spans -u "noc:$PW")
like "$r" '^200 ' "a viewer can list spans"
r=$(http POST /api/v1/spans -u "noc:$PW" -H 'Content-Type: application/json' -d '{"name":"v","type":"E1"}')
like "$r" '^403 .*"code":"forbidden".*needs admin' "a viewer cannot create one"
r=$(http POST /api/v1/spans/carrier/test-call -u "noc:$PW" -H 'Content-Type: application/json' -d '{"called":"1"}')
like "$r" '^403 .*needs operator' "a viewer cannot place a test call"

r=$(api POST /api/v1/spans/carrier/test-call -d '{"called":"12x"}')
like "$r" '^400 .*"field":"called"' "a bad test-call number is refused naming the field"
r=$(api POST /api/v1/spans/carrier/test-call -d '{"called":"123"}')
like "$r" '^503 .*D channel is down' "a test call on a span with no far end says the D channel is down"

gen=$(curl -s -u "admin:$PW" "${URL}api/v1/status" | jq '.config.generation')
r=$(api DELETE /api/v1/spans/carrier)
is "204 " "$r" "a span is deleted"
wait_for sh -c "curl -s -u 'admin:$PW' '${URL}api/v1/status' | jq -e '.config.generation == $((gen + 1)) and (.spans | length) == 1'"
ok $? "the deletion is applied live"
r=$(api DELETE /api/v1/spans/carrier)
like "$r" '^404 ' "deleting it again is 404"
stop_daemon "$DPID"; is 0 "$STOP_RC" "SIGTERM exits 0"
finish
