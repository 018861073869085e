#!/usr/bin/env bash
# test_config_io.sh -- configuration export/import through the REST API:
# an export is one document with every configuration object; importing it
# after the configuration was wiped gives the same export back; secrets come
# only with ?secrets=1 for an admin and an import without them keeps the
# passwords; an import with one bad field anywhere is 400 naming the object
# and field and changes nothing (audit log, generation and export compared);
# a dry run writes nothing; one import is one generation and one audit row.
# Analog ports are a section too (before the trunk groups, which may list
# them); a document without one (made before they were exported) leaves
# them alone.
. "$(dirname "$0")/lib.sh"

S=$WORK/state
start_daemon "$S" || { ok 1 "daemon starts"; finish; }
PW=$(cat "$S/initial-admin-password")
DB=$S/trunkgate.db
api() { http "$@" -u "admin:$PW" -H 'Content-Type: application/json'; }
gen() { sqlite3 "$DB" "select generation from config_state"; }
audits() { sqlite3 "$DB" "select count(*) from audit_log"; }
export_doc() {  # export_doc [QUERY]: the document, keys sorted
	curl -s -u "admin:$PW" "${URL}api/v1/config/export${1:-}" | jq -S .
}
import_doc() {  # import_doc FILE [QUERY]: "STATUS BODY"
	api POST "/api/v1/config/import${2:-}" --data-binary "@$1"
}

# ---- a configuration with one of everything ----
like "$(api POST /api/v1/spans -d '{"name":"carrier","type":"E1","pri_side":"user"}')" '^201 ' "span carrier"
like "$(api POST /api/v1/spans -d '{"name":"pbx","type":"E1","pri_side":"network"}')" '^201 ' "span pbx"
like "$(api POST /api/v1/spans -d '{"name":"spare","type":"T1"}')" '^201 ' "span spare"
like "$(api POST /api/v1/sip-trunks -d '{"name":"mediation","profile":"lync2013","transport":"tcp","options_interval":0,"auth_username":"gw","auth_password":"s3cret-pw","next_hops":[{"host":"127.0.0.1","port":5068},{"host":"127.0.0.2","port":5068,"priority":20}]}')" \
	'^201 ' "SIP trunk with a password and two next hops"
like "$(api POST /api/v1/presets/ev-in-front-of-pbx -d '{"carrier_span":"carrier","pbx_span":"pbx","sip_trunk":"mediation","ev_range":{"prefix":"49301001"},"pbx_range":{"first":"4930100200","last":"4930100299"}}')" \
	'^201 ' "preset: groups, ranges, rules, routes"
like "$(api PUT /api/v1/spans/pbx -d '{"busy_out_group":"ev"}')" '^200 ' "span pbx busied out with the ev group"
like "$(api POST /api/v1/bypass-pairs -d '{"name":"relay1","span_a":"carrier","span_b":"pbx","mode":"auto"}')" '^201 ' "bypass pair"
like "$(api POST /api/v1/analog-ports -d '{"name":"fax-1","kind":"fxs","number":"+4930100999"}')" '^201 ' "analog port fax-1"
like "$(api POST /api/v1/analog-ports -d '{"name":"line-1","kind":"fxo","position":3,"device":"chan 3","enabled":false}')" '^201 ' "analog port line-1"
like "$(api POST /api/v1/trunk-groups -d '{"name":"fax-g","kind":"analog","members":[{"analog_port":"fax-1"},{"analog_port":"line-1","weight":3}]}')" \
	'^201 ' "an analog trunk group"
like "$(api PUT /api/v1/settings -d '{"system_name":"gw-berlin","no_answer_timeout":90}')" '^200 ' "settings"
like "$(api POST /api/v1/users -d '{"username":"vic","password":"Viewer-pass-1","role":"viewer"}')" '^201 ' "a viewer"

export_doc >"$WORK/a.json"
is "trunkgate-config 1 false" "$(jq -r '"\(.format) \(.format_version) \(.secrets)"' "$WORK/a.json")" "the export names its format and version"
is "3 1 2 4 2 4 5 1" "$(jq -r '[.spans, .sip_trunks, .analog_ports, .trunk_groups, .number_ranges, .manipulation_rules, .routes, .bypass_pairs] | map(length) | join(" ")' "$WORK/a.json")" \
	"... and holds every object"
is "gw-berlin 90" "$(jq -r '"\(.settings.system_name) \(.settings.no_answer_timeout)"' "$WORK/a.json")" "... and the settings"
is "null null false" "$(jq -r '"\(.spans[0].id) \(.sip_trunks[0].auth_password) \(.sip_trunks[0] | has("auth_password_set"))"' "$WORK/a.json")" \
	"no ids, no read-only fields, no secret without ?secrets=1"
is "ev 2" "$(jq -r '"\(.spans[1].busy_out_group) \(.sip_trunks[0].next_hops | length)"' "$WORK/a.json")" "references by name, nested next hops"
ok "$(jq -e 'has("users") | not' "$WORK/a.json" >/dev/null; echo $?)" "users are not exported"
is '{"device":"chan 3","driver":"sim","enabled":false,"kind":"fxo","name":"line-1","number":"","position":3} sip_trunks,analog_ports,trunk_groups' \
	"$(jq -c '.analog_ports[1]' "$WORK/a.json") $(jq -r 'keys_unsorted | map(select(. == "sip_trunks" or . == "analog_ports" or . == "trunk_groups")) | join(",")' <(curl -s -u "admin:$PW" "${URL}api/v1/config/export"))" \
	"analog ports are exported with their fields, before the trunk groups"
is '[{"analog_port":"fax-1","weight":1},{"analog_port":"line-1","weight":3}]' "$(jq -c '.trunk_groups[3].members' "$WORK/a.json")" \
	"an analog group's members by name"

export_doc '?secrets=1' >"$WORK/s.json"
is "s3cret-pw true" "$(jq -r '"\(.sip_trunks[0].auth_password) \(.secrets)"' "$WORK/s.json")" "?secrets=1 adds the password for an admin"
like "$(http GET '/api/v1/config/export?secrets=1' -u vic:Viewer-pass-1)" '^403 ' "... and is refused to a viewer"
like "$(http GET /api/v1/config/export -u vic:Viewer-pass-1)" '^200 \{"format":"trunkgate-config"' "a viewer may export without secrets"
like "$(http GET '/api/v1/config/export?colour=red' -u "admin:$PW")" '^400 .*"field":"colour"' "an unknown query parameter is refused"
like "$(http POST /api/v1/config/import -u vic:Viewer-pass-1 -H 'Content-Type: application/json' --data-binary "@$WORK/a.json")" '^403 ' \
	"a viewer may not import"

# ---- bad documents: 400 naming object and field, nothing changes ----
g0=$(gen); a0=$(audits)
bad() {         # bad JQ-FILTER FIELD DESCRIPTION
	local r
	jq "$1" "$WORK/a.json" >"$WORK/bad.json"
	r=$(import_doc "$WORK/bad.json")
	like "$r" "^400 .*\"field\":\"$2\"" "$3"
}
bad '.routes[3].range = "nosuch"' 'routes\[3\]\.range' "a route's unknown range is named routes[3].range"
bad '.spans[2].type = "T3"' 'spans\[2\]\.type' "a bad span type is named spans[2].type"
bad '.sip_trunks[0].next_hops[1].port = 70000' 'sip_trunks\[0\]\.next_hops\[1\]\.port' "a bad next hop port is named inside its trunk"
bad '.trunk_groups[1].members[0].span = "nosuch"' 'trunk_groups\[1\]\.members\[0\]\.span' "a member naming no span"
bad '.manipulation_rules[2].pattern = "(["' 'manipulation_rules\[2\]\.pattern' "a regex that does not compile"
bad '.bypass_pairs[0].span_b = "carrier"' 'bypass_pairs\[0\]\.span_b' "a bypass pair of one span"
bad '.analog_ports[1].kind = "em"' 'analog_ports\[1\]\.kind' "a bad analog port kind is named analog_ports[1].kind"
bad '.analog_ports[1].number = "12a"' 'analog_ports\[1\]\.number' "a bad analog port number"
bad '.analog_ports[1].position = 1' 'analog_ports\[1\]\.position' "two analog ports on one position"
bad '.analog_ports[1].name = "fax-1"' 'analog_ports\[1\]\.name' "an analog port name given twice"
bad '.trunk_groups[3].members[1].analog_port = "nosuch"' 'trunk_groups\[3\]\.members\[1\]\.analog_port' "an analog member naming no port"
bad '.analog_ports = [.analog_ports[0]]' 'trunk_groups\[3\]\.members\[1\]\.analog_port' "a port the document drops while a group lists it"
bad '.spans[1].busy_out_group = "carrier"' 'spans\[1\]\.busy_out_group' "a busy-out group that is not a sip group"
bad '.settings.no_answer_timeout = -1' 'settings\.no_answer_timeout' "a bad setting"
bad '.spans[2].name = "carrier"' 'spans\[2\]\.name' "a name given twice"
bad 'del(.routes)' 'routes' "a missing section is refused (it would delete every route)"
bad '.format_version = 2' 'format_version' "an unknown format version is refused"
bad '.colour = "red"' 'colour' "an unknown top-level field is refused"
jq '.number_ranges[0].first = "4930100150" | .number_ranges[0].last = "4930100250" | .number_ranges[0].prefix = ""' \
	"$WORK/a.json" >"$WORK/bad.json"
like "$(import_doc "$WORK/bad.json")" '^400 \{"error":\{"code":"invalid_config",.*overlap' "overlapping ranges fail the whole-routing check"
is "$g0 $a0" "$(gen) $(audits)" "refused imports leave the generation and the audit log alone"
export_doc >"$WORK/a2.json"
ok "$(cmp -s "$WORK/a.json" "$WORK/a2.json"; echo $?)" "... and the export is unchanged"

# ---- dry run ----
jq '.routes = [] | .bypass_pairs = []' "$WORK/a.json" >"$WORK/dry.json"
r=$(import_doc "$WORK/dry.json" '?dry_run=1')
like "$r" '^200 \{"dry_run":true,"objects":\{"spans":3,.*"routes":0' "a dry run answers what it would import"
is "$g0 $a0" "$(gen) $(audits)" "... and writes nothing"
like "$(import_doc "$WORK/dry.json" '?dry_run=maybe')" '^400 .*"field":"dry_run"' "dry_run takes 1/true/0/false"

# ---- wipe, then import the export back ----
jq '{format, format_version, settings: {}, spans: [], sip_trunks: [], analog_ports: [], trunk_groups: [], number_ranges: [], manipulation_rules: [], routes: [], bypass_pairs: []}' \
	"$WORK/a.json" >"$WORK/empty.json"
like "$(import_doc "$WORK/empty.json")" '^200 \{"dry_run":false,.*"generation":' "an empty document wipes the configuration"
is "0 0 0 0 0 0 0 0 default" "$(export_doc | jq -r '[.spans, .sip_trunks, .analog_ports, .trunk_groups, .number_ranges, .manipulation_rules, .routes, .bypass_pairs] | map(length) | join(" ")') $(export_doc | jq -r 'if .settings.system_name == "" then "default" else .settings.system_name end')" \
	"... every object is gone, settings back to defaults"
g1=$(gen); a1=$(audits)
like "$(import_doc "$WORK/s.json")" '^200 \{"dry_run":false,"objects":\{"spans":3,"sip_trunks":1,"analog_ports":2,"trunk_groups":4,"number_ranges":2,"manipulation_rules":4,"routes":5,"bypass_pairs":1,' \
	"the export with secrets imports back"
is "$((g1 + 1)) $((a1 + 1))" "$(gen) $(audits)" "... as one generation and one audit row"
is "import config" "$(sqlite3 "$DB" "select action || ' ' || object_type from audit_log order by id desc limit 1")" "... the audit row says import"
ok "$(sqlite3 "$DB" "select after_json from audit_log order by id desc limit 1" | grep -q s3cret; [ $? -ne 0 ]; echo $?)" "... and holds no secret"
export_doc '?secrets=1' >"$WORK/s2.json"
ok "$(cmp -s "$WORK/s.json" "$WORK/s2.json"; echo $?)" "export -> wipe -> import -> export gives the same document"
[ -s "$WORK/s2.json" ] && ! cmp -s "$WORK/s.json" "$WORK/s2.json" && diff "$WORK/s.json" "$WORK/s2.json" | sed 's/^/# /' | head -20

# ---- an import without secrets keeps the password; spans keep their ids ----
id0=$(sqlite3 "$DB" "select id from spans where name = 'pbx'")
jq '.spans[0].enabled = false' "$WORK/a.json" >"$WORK/change.json"
like "$(import_doc "$WORK/change.json")" '^200 ' "an import without secrets"
is "s3cret-pw" "$(sqlite3 "$DB" "select auth_password from sip_trunks where name = 'mediation'")" "... keeps the stored password"
is "$id0" "$(sqlite3 "$DB" "select id from spans where name = 'pbx'")" "... a span of the same name keeps its row"
is "false" "$(export_doc | jq -r '.spans[0].enabled')" "... and the change is there"

# ---- analog ports: matched by name, positions may swap; no section leaves them alone ----
aid0=$(sqlite3 "$DB" "select id from analog_ports where name = 'line-1'")
jq '.analog_ports[0].position = 3 | .analog_ports[1].position = 1' "$WORK/a.json" >"$WORK/swap.json"
like "$(import_doc "$WORK/swap.json")" '^200 .*"analog_ports":2,' "two analog ports swap their positions in one import"
is "fax-1:3 line-1:1 $aid0" "$(sqlite3 "$DB" "select group_concat(name || ':' || position, ' ') from (select name, position from analog_ports order by name)") $(sqlite3 "$DB" "select id from analog_ports where name = 'line-1'")" \
	"... and a port of the same name keeps its row"
jq 'del(.analog_ports) | .trunk_groups |= map(select(.kind != "analog"))' "$WORK/a.json" >"$WORK/old.json"
r=$(import_doc "$WORK/old.json")
like "$r" '^200 ' "a document without analog_ports (an older export) imports"
ok "$(echo "$r" | grep -q analog_ports; [ $? -ne 0 ]; echo $?)" "... its answer counts no analog ports"
is "fax-1 line-1" "$(sqlite3 "$DB" "select group_concat(name, ' ') from (select name from analog_ports order by name)")" "... and leaves the analog ports alone"
like "$(api DELETE /api/v1/analog-ports/fax-1)" '^204 ' "... no group lists them any more"

# the daemon took the imported generation
wait_for sh -c "curl -s -u 'admin:$PW' '${URL}api/v1/status' | jq -e '.config.generation == $(gen)'"
ok $? "the daemon applies the imported generation"

finish
