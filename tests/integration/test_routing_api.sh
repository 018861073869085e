#!/usr/bin/env bash
# test_routing_api.sh -- the routing resources as a provisioning script meets
# them: trunk groups with span members, number ranges, manipulation rules,
# routes with ordered destinations and failover causes; every bad field named;
# duplicates and deleting something in use 409 naming the referrer; audit
# rows with before/after; one generation per write, none for a refused one;
# and POST /api/v1/route-test.
#
# The route-test decisions depend on the routing module (daemon/route).  Until
# it is merged this branch links a stub, so the assertions that need real
# routing sit in the TG_ROUTE_REAL section below, written against route.h;
# run with TG_ROUTE_REAL=1 once the real module is in.
. "$(dirname "$0")/lib.sh"

S=$WORK/state
start_daemon "$S" || { ok 1 "daemon starts"; finish; }
PW=$(cat "$S/initial-admin-password")
DB=$S/trunkgate.db
api() { http "$@" -u "admin:$PW" -H 'Content-Type: application/json'; }
gen() { sqlite3 "$DB" "select generation from config_state"; }
count() { sqlite3 "$DB" "select count(*) from $1"; }
# check_bad PATH BODY FIELD MESSAGE-REGEX DESCRIPTION (FIELD is a regex too)
check_bad() {
	local r
	r=$(api POST "$1" -d "$2")
	like "$r" "^400 \\{\"error\":\\{\"code\":\"invalid_field\",\"message\":\"$4.*\",\"field\":\"$3\"\\}\\}" "$5"
}
# rt BODY JQ: POST /api/v1/route-test, the answer's body through jq -c.
# Decisions on the configuration alone ("live_down": false): these spans have
# no far end, so the daemon's live view has their groups down.
rt() {
	local r
	r=$(api POST /api/v1/route-test -d "$(printf '%s' "$1" | jq -c '. + {live_down: false}')")
	printf '%s' "${r#* }" | jq -c "$2" 2>/dev/null || printf 'HTTP %s' "$r"
}

for res in trunk-groups:trunk_groups number-ranges:number_ranges \
	   manipulation-rules:manipulation_rules routes:routes; do
	r=$(api GET "/api/v1/${res%%:*}")
	is "200 {\"${res##*:}\":[]}" "$r" "no ${res%%:*} on a fresh database"
done

# --- two sim spans: the carrier's and the PBX's
r=$(api POST /api/v1/spans -d '{"name":"carrier","type":"E1","pri_side":"user"}')
like "$r" '^201 ' "span carrier is created"
r=$(api POST /api/v1/spans -d '{"name":"pbx","type":"E1","pri_side":"network"}')
like "$r" '^201 ' "span pbx is created"
g0=$(gen)

# --- trunk groups
r=$(api POST /api/v1/trunk-groups -d '{"name":"pstn","kind":"span","members":[{"span":"carrier"}]}')
is "201 {\"id\":1,\"name\":\"pstn\",\"kind\":\"span\",\"hunting\":\"ascending\",\"max_calls\":0,\"members\":[{\"span\":\"carrier\",\"first_channel\":0,\"last_channel\":0,\"weight\":1}],\"generation\":$((g0 + 1))}" \
	"$r" "a span group is created with defaults and the next generation"
r=$(api POST /api/v1/trunk-groups -d '{"name":"pbx","kind":"span","hunting":"round-robin","max_calls":15,"members":[{"span":2,"first_channel":17,"last_channel":31}]}')
like "$r" '^201 \{"id":2,"name":"pbx","kind":"span","hunting":"round-robin","max_calls":15,"members":\[\{"span":"pbx","first_channel":17,"last_channel":31,"weight":1\}\]' \
	"a member span can be given by id and comes back by name, with its channels"
# Lync's group: a span group stands in for the SIP trunk to the Mediation Server
r=$(api POST /api/v1/trunk-groups -d '{"name":"lync","kind":"span","members":[{"span":"pbx","first_channel":1,"last_channel":15}]}')
like "$r" '^201 .*"name":"lync"' "a second group on other channels of the same span"

TG=/api/v1/trunk-groups
check_bad $TG '{"kind":"span"}' name 'name is required' "a group without a name is refused"
check_bad $TG '{"name":"x"}' kind 'kind is required' "a group without a kind is refused"
check_bad $TG '{"name":"x y","kind":"span"}' name 'name \\"x y\\": character' "a name with a space is refused"
check_bad $TG '{"name":"x","kind":"isdn"}' kind 'kind \\"isdn\\" is not one of: span, sip, analog' "an unknown kind lists the choices"
check_bad $TG '{"name":"x","kind":"span","hunting":"random"}' hunting 'hunting \\"random\\" is not one of' "an unknown hunting is refused"
check_bad $TG '{"name":"x","kind":"span","max_calls":-1}' max_calls 'max_calls -1 is out of range 0..100000' "a negative max_calls is refused"
check_bad $TG '{"name":"x","kind":"span","members":{"span":"pbx"}}' members 'members must be a list' "members that are no list are refused"
check_bad $TG '{"name":"x","kind":"span","members":["pbx"]}' 'members\[0\]' 'members\[0\] must be an object' "a member that is no object is refused"
check_bad $TG '{"name":"x","kind":"span","members":[{"first_channel":1}]}' 'members\[0\]\.span' 'members\[0\]\.span is required' "a member without its span is refused"
check_bad $TG '{"name":"x","kind":"span","members":[{"sip_trunk":"itsp"}]}' 'members\[0\]\.sip_trunk' 'members\[0\]\.sip_trunk: the members of a span group are spans' "a SIP trunk in a span group is refused"
check_bad $TG '{"name":"x","kind":"span","members":[{"span":"carrier"},{"span":"nope"}]}' 'members\[1\]\.span' 'members\[1\]\.span: no span named nope' "a member span that does not exist is refused, naming it"
check_bad $TG '{"name":"x","kind":"span","members":[{"span":99}]}' 'members\[0\]\.span' 'members\[0\]\.span: no span with id 99' "a member span id that does not exist is refused"
check_bad $TG '{"name":"x","kind":"span","members":[{"span":"pbx","first_channel":1,"last_channel":40}]}' 'members\[0\]\.last_channel' 'members\[0\]: last_channel 40 is out of range 0..31' "a channel beyond 31 is refused"
check_bad $TG '{"name":"x","kind":"span","members":[{"span":"pbx","first_channel":5}]}' 'members\[0\]\.last_channel' 'members\[0\]: give first_channel and last_channel, or neither' "a first channel without a last is refused"
check_bad $TG '{"name":"x","kind":"span","members":[{"span":"pbx","first_channel":9,"last_channel":5}]}' 'members\[0\]\.last_channel' 'members\[0\]: last_channel 5 is before first_channel 9' "channels the wrong way round are refused"
check_bad $TG '{"name":"x","kind":"span","members":[{"span":"pbx","first_channel":1,"last_channel":10},{"span":"pbx","first_channel":10,"last_channel":20}]}' 'members\[1\]\.span' 'members\[1\]\.span: span pbx is already member 0 \(their channels overlap\)' "overlapping channels of one span are refused"
check_bad $TG '{"name":"x","kind":"span","members":[{"span":"pbx","colour":"red"}]}' 'members\[0\]\.colour' 'members\[0\]: unknown field' "an unknown member field is refused"
check_bad $TG '{"name":"x","kind":"span","colour":"red"}' colour 'unknown field \\"colour\\"' "an unknown field is refused"
check_bad $TG '{"name":"x","kind":"span","id":4}' id 'id is read-only' "id cannot be set"
r=$(api POST $TG -d '{"name":"pstn","kind":"span"}')
like "$r" '^409 \{"error":\{"code":"conflict","message":"a trunk group named pstn exists already","field":"name"\}\}' "a duplicate group name is 409"
is 3 "$(count trunk_groups)" "refused groups wrote nothing"
is 3 "$(count trunk_group_members)" "nor members"
is "$((g0 + 3))" "$(gen)" "refused writes bump no generation"

r=$(api GET $TG/lync)
like "$r" '^200 \{"id":3,"name":"lync"' "a group is found by name"
r=$(api GET $TG/2)
like "$r" '^200 \{"id":2,"name":"pbx"' "and by id"
r=$(api GET $TG/nope)
like "$r" '^404 .*"code":"not_found","message":"no trunk group nope"' "an unknown group is 404"
r=$(api GET $TG)
is '["pstn","pbx","lync"]' "$(printf '%s' "${r#* }" | jq -c '[.trunk_groups[].name]')" "the list holds the groups in id order"

r=$(api PUT $TG/pbx -d '{"members":[{"span":"pbx","first_channel":16,"last_channel":31},{"span":"carrier","first_channel":31,"last_channel":31}]}')
like "$r" '^200 .*"members":\[\{"span":"pbx","first_channel":16,"last_channel":31,"weight":1\},\{"span":"carrier","first_channel":31,"last_channel":31,"weight":1\}\],"generation":' \
	"an update replaces the member list as a whole"
is 2 "$(sqlite3 "$DB" "select count(*) from trunk_group_members where group_id = 2")" "the old member rows are gone"
r=$(api PUT $TG/pbx -d '{"members":[{"span":"pbx","first_channel":17,"last_channel":31}]}')
like "$r" '^200 .*"max_calls":15,' "a partial update keeps what it does not name"
r=$(api PUT $TG/pbx -d '{"kind":"sip"}')
like "$r" '^400 .*"field":"members"' "changing the kind with span members left is refused"
audit=$(sqlite3 "$DB" "select json_array_length(before_json,'$.members') || '>' || json_array_length(after_json,'$.members') from audit_log where object_type='trunk_group' and action='update' order by id desc limit 1")
is "2>1" "$audit" "the group's audit row holds its members before and after"

# --- number ranges
NR=/api/v1/number-ranges
r=$(api POST $NR -d '{"name":"ev-users","first":"+14255550100","last":"+14255550199","group":"lync","description":"Enterprise Voice users"}')
like "$r" '^201 \{"id":1,"name":"ev-users","first":"\+14255550100","last":"\+14255550199","prefix":"","group":"lync","override_allowed":false,"description":"Enterprise Voice users","generation":[0-9]+\}$' \
	"the Enterprise Voice range goes to the lync group"
r=$(api POST $NR -d '{"name":"pbx-users","prefix":"+1425555","group":"pbx"}')
like "$r" '^201 .*"name":"pbx-users","first":"","last":"","prefix":"\+1425555","group":"pbx"' \
	"the rest of the PBX's block is a prefix range (it contains ev-users)"
check_bad $NR '{"prefix":"+49","group":"pstn"}' name 'name is required' "a range without a name is refused"
check_bad $NR '{"name":"x","prefix":"+49"}' group 'group is required' "a range without a group is refused"
check_bad $NR '{"name":"x","prefix":"+49","group":"nope"}' group 'group: no trunk group named nope' "a range's group must exist"
check_bad $NR '{"name":"x","group":"pstn"}' prefix 'number range x: give a prefix, or first and last' "a range needs a prefix or first/last"
check_bad $NR '{"name":"x","prefix":"+49","first":"+4930","last":"+4931","group":"pstn"}' prefix 'number range x: give a prefix or first and last, not both' "a prefix and first/last together are refused"
check_bad $NR '{"name":"x","first":"+4930","group":"pstn"}' last 'last is required with first' "first without last is refused"
check_bad $NR '{"name":"x","first":"+49a0","last":"+4931","group":"pstn"}' first "first \\\\\"\\+49a0\\\\\": character 'a'" "letters in a number are refused"
check_bad $NR '{"name":"x","prefix":"+","group":"pstn"}' prefix 'prefix \\"\+\\" is not a number' "a lone + is no number"
check_bad $NR '{"name":"x","prefix":"1","group":"pstn","override_allowed":1}' override_allowed 'override_allowed must be true or false' "override_allowed must be a boolean"
r=$(api POST $NR -d '{"name":"ev-users","prefix":"+1","group":"pstn"}')
like "$r" '^409 .*"message":"a number range named ev-users exists already","field":"name"' "a duplicate range name is 409"
is 2 "$(count number_ranges)" "refused ranges wrote nothing"

# --- manipulation rules
MR=/api/v1/manipulation-rules
# Lync normalization: a four-digit extension dialled in Lync becomes E.164
r=$(api POST $MR -d '{"group":"lync","direction":"in","field":"called","match":"regex","pattern":"^(\\d{4})$","replacement":"+1425555$1","description":"Lync 4-digit extensions"}')
like "$r" '^201 \{"id":1,"group":"lync","direction":"in","field":"called","position":0,"match":"regex","pattern":"\^\(\\\\d\{4\}\)\$","replacement":"\+1425555\$1","strip":0,"prepend":"","set_ton":null,"set_npi":null,"presentation":null,"description":"Lync 4-digit extensions","generation":[0-9]+\}$' \
	"the Lync regex rule is created"
# the carrier sends national numbers: 425... becomes +1425..., TON international
r=$(api POST $MR -d '{"group":"pstn","direction":"in","field":"called","match":"prefix","pattern":"425","prepend":"+1","set_ton":1,"set_npi":1}')
like "$r" '^201 .*"match":"prefix","pattern":"425","replacement":"","strip":0,"prepend":"\+1","set_ton":1,"set_npi":1,"presentation":null' \
	"a prefix rule with TON/NPI is created"
check_bad $MR '{"direction":"in","field":"called","match":"prefix","pattern":"0"}' group 'group is required' "a rule without a group is refused"
check_bad $MR '{"group":"nope","direction":"in","field":"called","match":"prefix","pattern":"0"}' group 'group: no trunk group named nope' "a rule's group must exist"
check_bad $MR '{"group":"pstn","direction":"up","field":"called","match":"prefix","pattern":"0"}' direction 'direction \\"up\\" is not one of: in, out' "an unknown direction is refused"
check_bad $MR '{"group":"pstn","direction":"in","field":"redirecting","match":"prefix","pattern":"0"}' field 'field \\"redirecting\\" is not one of: called, calling' "an unknown number field is refused"
check_bad $MR '{"group":"pstn","direction":"in","field":"called","match":"glob","pattern":"0"}' match 'match \\"glob\\" is not one of: prefix, regex' "an unknown match type is refused"
check_bad $MR '{"group":"pstn","direction":"in","field":"called","match":"prefix"}' pattern 'pattern is required' "a rule without a pattern is refused"
check_bad $MR '{"group":"pstn","direction":"in","field":"called","match":"prefix","pattern":"^0"}' pattern 'pattern \\"\^0\\" is not a number' "a prefix pattern must be digits"
check_bad $MR '{"group":"pstn","direction":"in","field":"called","match":"regex","pattern":"^0","strip":1}' strip 'strip applies to prefix rules' "strip on a regex rule is refused"
check_bad $MR '{"group":"pstn","direction":"in","field":"called","match":"prefix","pattern":"0","replacement":"$1"}' replacement 'replacement applies to regex rules' "a replacement on a prefix rule is refused"
check_bad $MR '{"group":"pstn","direction":"in","field":"called","match":"prefix","pattern":"0","prepend":"1+"}' prepend 'prepend \\"1\+\\": a \+ may only lead' "a + inside prepend is refused"
check_bad $MR '{"group":"pstn","direction":"in","field":"called","match":"prefix","pattern":"0","strip":40}' strip 'strip 40 is out of range 0..32' "strip over 32 is refused"
check_bad $MR '{"group":"pstn","direction":"in","field":"called","match":"prefix","pattern":"0","set_ton":9}' set_ton 'set_ton 9 is out of range 0..7' "a TON over 7 is refused"
check_bad $MR '{"group":"pstn","direction":"in","field":"called","match":"prefix","pattern":"0","set_npi":"1"}' set_npi 'set_npi must be an integer or null' "a TON/NPI as a string is refused"
check_bad $MR '{"group":"pstn","direction":"in","field":"calling","match":"prefix","pattern":"0","presentation":"hidden"}' presentation 'presentation \\"hidden\\" is not one of: allowed, restricted' "an unknown presentation is refused"
is 2 "$(count manipulation_rules)" "refused rules wrote nothing"
r=$(api GET $MR/2)
like "$r" '^200 \{"id":2,"group":"pstn"' "a rule is found by id"
r=$(api GET $MR/lync)
like "$r" '^404 ' "rules have no names: by name is 404"
r=$(api PUT $MR/2 -d '{"set_ton":null,"presentation":"allowed"}')
like "$r" '^200 .*"set_ton":null,"set_npi":1,"presentation":"allowed"' "null clears a TON; presentation is set"
is "|1|allowed" "$(sqlite3 "$DB" "select set_ton || '|' || set_npi || '|' || presentation from manipulation_rules where id = 2")" \
	"unchanged TON is stored as ''"

# --- routes
RT=/api/v1/routes
r=$(api POST $RT -d '{"name":"ev-in","source_group":"pstn","range":"ev-users","survivability_group":"pbx","destinations":[{"group":"lync","failover_causes":"34,38,41,42,44,503"}]}')
like "$r" '^201 \{"id":1,"name":"ev-in","enabled":true,"position":0,"source_group":"pstn","range":"ev-users","called_prefix":"","calling_prefix":"","days":"","time_from":"","time_to":"","survivability_group":"pbx","survivability_forward":"","destinations":\[\{"group":"lync","weight":0,"failover_causes":"34,38,41,42,44,503"\}\],"generation":[0-9]+\}$' \
	"a route from the carrier to Lync for the EV range, surviving on the PBX"
r=$(api POST $RT -d '{"name":"ev-night","position":5,"source_group":"pstn","range":"ev-users","time_from":"18:00","time_to":"08:00","destinations":[{"group":"pbx"}]}')
like "$r" '^201 .*"time_from":"18:00","time_to":"08:00".*"destinations":\[\{"group":"pbx","weight":0,"failover_causes":"34,38,41,42,44"\}\]' \
	"a night route (window wrapping midnight) gets the default failover causes"
r=$(api POST $RT -d '{"name":"pbx-in","position":10,"source_group":"pstn","range":"pbx-users","survivability_forward":"+18005550100","destinations":[{"group":"pbx"}]}')
like "$r" '^201 .*"survivability_forward":"\+18005550100"' "a route to the PBX that forwards when it is down"
r=$(api POST $RT -d '{"name":"out","position":20,"source_group":"lync","called_prefix":"+1","days":"mon-fri,sun","destinations":[{"group":"pstn","failover_causes":"34,38,503"},{"group":"pbx","failover_causes":""}]}')
like "$r" '^201 .*"called_prefix":"\+1","calling_prefix":"","days":"mon-fri,sun".*"destinations":\[\{"group":"pstn","weight":0,"failover_causes":"34,38,503"\},\{"group":"pbx","weight":0,"failover_causes":""\}\]' \
	"a route with two destinations in order and their failover causes"
is "pstn:0:34,38,503|pbx:1:" "$(sqlite3 "$DB" "select group_concat(g.name || ':' || d.position || ':' || d.failover_causes, '|') from (select * from route_destinations where route_id = 4 order by position) d join trunk_groups g on g.id = d.group_id")" \
	"destinations are stored in order"

D='"destinations":[{"group":"pbx"}]'
check_bad $RT "{$D}" name 'name is required' "a route without a name is refused"
check_bad $RT '{"name":"x","destinations":"pbx"}' destinations 'destinations must be a list of 0 to 8' "destinations that are not a list are refused"
check_bad $RT '{"name":"x","destinations":[{"group":"pbx"},{"group":"pbx"},{"group":"pbx"},{"group":"pbx"},{"group":"pbx"},{"group":"pbx"},{"group":"pbx"},{"group":"pbx"},{"group":"pbx"}]}' destinations 'destinations must be a list of 0 to 8' "nine destinations are refused"
check_bad $RT '{"name":"x","destinations":["pbx"]}' 'destinations\[0\]' 'destinations\[0\] must be an object' "a destination that is no object is refused"
check_bad $RT '{"name":"x","destinations":[{"weight":1}]}' 'destinations\[0\]\.group' 'destinations\[0\]: group is required' "a destination without a group is refused"
check_bad $RT '{"name":"x","destinations":[{"group":"pbx"},{"group":"nope"}]}' 'destinations\[1\]\.group' 'destinations\[1\]\.group: no trunk group named nope' "a destination group must exist, named with its index"
check_bad $RT '{"name":"x","destinations":[{"group":"pbx"},{"group":"pbx"}]}' 'destinations\[1\]\.group' 'destinations\[1\]\.group: pbx is destination 0 already' "a group twice in one route is refused"
check_bad $RT '{"name":"x","destinations":[{"group":"pbx","weight":5000}]}' 'destinations\[0\]\.weight' 'destinations\[0\]: weight 5000 is out of range 0..1000' "a weight over 1000 is refused"
check_bad $RT '{"name":"x","destinations":[{"group":"pbx","failover_causes":"34;38"}]}' 'destinations\[0\]\.failover_causes' "destinations\\[0\\]: failover_causes \\\\\"34;38\\\\\": character ';'" "a failover list with a semicolon is refused"
check_bad $RT '{"name":"x","destinations":[{"group":"pbx","failover_causes":"34,200"}]}' 'destinations\[0\]\.failover_causes' 'destinations\[0\]\.failover_causes: ' "a failover cause that is neither Q.850 nor SIP is refused"
check_bad $RT "{\"name\":\"x\",\"source_group\":\"nope\",$D}" source_group 'source_group: no trunk group named nope' "a source group must exist"
check_bad $RT "{\"name\":\"x\",\"range\":\"nope\",$D}" range 'range: no number range named nope' "a range must exist"
check_bad $RT "{\"name\":\"x\",\"survivability_group\":\"nope\",$D}" survivability_group 'survivability_group: no trunk group named nope' "a survivability group must exist"
check_bad $RT "{\"name\":\"x\",\"range\":\"ev-users\",\"called_prefix\":\"+1\",$D}" called_prefix 'route x: give a range or a called_prefix, not both' "a range and a called prefix together are refused"
check_bad $RT "{\"name\":\"x\",\"called_prefix\":\"+1a\",$D}" called_prefix "called_prefix \\\\\"\\+1a\\\\\": character 'a'" "letters in a called prefix are refused"
check_bad $RT "{\"name\":\"x\",\"calling_prefix\":\"+\",$D}" calling_prefix 'calling_prefix \\"\+\\" is not a number' "a calling prefix must be a number"
check_bad $RT "{\"name\":\"x\",\"days\":\"mon-fru\",$D}" days 'days \\"mon-fru\\" is not a list of days' "a misspelt day is refused"
check_bad $RT "{\"name\":\"x\",\"time_from\":\"25:00\",\"time_to\":\"08:00\",$D}" time_from 'time_from \\"25:00\\" is not a time of day' "an hour over 23 is refused"
check_bad $RT "{\"name\":\"x\",\"time_from\":\"8:00\",\"time_to\":\"18:00\",$D}" time_from 'time_from \\"8:00\\" is not a time of day \(HH:MM' "a time must be HH:MM"
check_bad $RT "{\"name\":\"x\",\"time_from\":\"08:00\",$D}" time_to 'time_to is required with time_from' "a window needs both ends"
check_bad $RT "{\"name\":\"x\",\"time_from\":\"08:00\",\"time_to\":\"08:00\",$D}" time_to 'time_to 08:00 equals time_from' "an empty window is refused"
check_bad $RT "{\"name\":\"x\",\"survivability_group\":\"pbx\",\"survivability_forward\":\"+18005550100\",$D}" survivability_forward 'route x: give a survivability_group or a survivability_forward number, not both' "two survivability alternatives are refused"
check_bad $RT "{\"name\":\"x\",\"enabled\":\"yes\",$D}" enabled 'enabled must be true or false' "a non-boolean enabled is refused"
check_bad $RT "{\"name\":\"x\",\"position\":-1,$D}" position 'position -1 is out of range 0..65535' "a negative position is refused"
check_bad $RT "{\"name\":\"x\",\"source_group\":7,$D}" source_group 'source_group must be a string or null' "a group reference must be a name"
r=$(api POST $RT -d "{\"name\":\"ev-in\",$D}")
like "$r" '^409 .*"message":"a route named ev-in exists already","field":"name"' "a duplicate route name is 409"
is 4 "$(count routes)" "refused routes wrote nothing"
is 5 "$(count route_destinations)" "nor destinations"

r=$(api GET $RT)
is '["ev-in","ev-night","pbx-in","out"]' "$(printf '%s' "${r#* }" | jq -c '[.routes[].name]')" "routes are listed by position"
r=$(api GET $RT/out)
like "$r" '^200 \{"id":4,"name":"out"' "a route is found by name"
r=$(api GET $RT/nope)
like "$r" '^404 .*"message":"no route nope"' "an unknown route is 404"
g1=$(gen)
r=$(api PUT $RT/ev-night -d '{"enabled":false}')
like "$r" "^200 .*\"enabled\":false.*\"destinations\":\\[\\{\"group\":\"pbx\".*\"generation\":$((g1 + 1))\\}\$" \
	"a partial update keeps the destinations and bumps the generation"
audit=$(sqlite3 "$DB" "select json_extract(before_json,'$.enabled') || '>' || json_extract(after_json,'$.enabled') || ' ' || actor from audit_log where object_type='route' and action='update' order by id desc limit 1")
is "1>0 admin" "$audit" "the route's audit row holds enabled before and after, and who"
r=$(api PUT $RT/ev-night -d '{"enabled":true,"range":null,"called_prefix":"+1425555"}')
like "$r" '^200 .*"range":null,"called_prefix":"\+1425555"' "null clears a range"
r=$(api PUT $RT/ev-night -d '{"range":"ev-users","called_prefix":""}')
like "$r" '^200 .*"range":"ev-users","called_prefix":""' "and it can be set back"
r=$(api PUT $RT/out -d '{"destinations":[{"group":"pstn","weight":60},{"group":"lync","weight":40},{"group":"pbx"}]}')
like "$r" '^200 .*"destinations":\[\{"group":"pstn","weight":60,.*\{"group":"lync","weight":40,.*\{"group":"pbx","weight":0,' "destinations are replaced as a whole"
is "pstn:0:60|lync:0:40|pbx:2:0" "$(sqlite3 "$DB" "select group_concat(g.name || ':' || d.position || ':' || d.weight, '|') from (select * from route_destinations where route_id = 4 order by position, id) d join trunk_groups g on g.id = d.group_id")" \
	"consecutive weighted destinations share a position"
r=$(api PUT $RT/out -d '{"destinations":[{"group":"pstn","failover_causes":"34,38,503"},{"group":"pbx","failover_causes":""}]}')
like "$r" '^200 ' "and put back"
create=$(sqlite3 "$DB" "select coalesce(json_extract(after_json,'$.destinations[1].group'),'null') || ',' || json_extract(after_json,'$.source_group') from audit_log where object_type='route' and action='create' and object_id='1'")
is "null,pstn" "$create" "the create audit row renders names (no second destination on ev-in)"

# --- deleting what is in use
r=$(api DELETE $NR/ev-users)
like "$r" '^409 \{"error":\{"code":"in_use","message":"number range ev-users is used by route ev-in"\}\}' "a range a route uses cannot go, naming the route"
r=$(api DELETE $TG/lync)
like "$r" '^409 .*"message":"trunk group lync is used by number range ev-users"' "a group a range uses cannot go, naming the range"
r=$(api DELETE $TG/pstn)
like "$r" '^409 .*"message":"trunk group pstn is used by route ev-in"' "a group a route comes from cannot go, naming the route"
r=$(api DELETE /api/v1/spans/pbx)
like "$r" '^409 .*"message":"span pbx is used by trunk group (pbx|lync)"' "a member span cannot go, naming a group"
is 4 "$(count routes)" "nothing was deleted"

# --- roles
HASH=$(sqlite3 "$DB" "select password_hash from users where username='admin'")
sqlite3 "$DB" "insert into users (username,password_hash,role,created_at,updated_at) values ('noc','$HASH','viewer',0,0), ('ops','$HASH','operator',0,0)"
r=$(http GET $RT -u "noc:$PW")
like "$r" '^200 ' "a viewer reads routes"
r=$(http POST $TG -u "noc:$PW" -H 'Content-Type: application/json' -d '{"name":"v","kind":"span"}')
like "$r" '^403 .*needs admin' "a viewer cannot create a group"
r=$(http POST $RT -u "ops:$PW" -H 'Content-Type: application/json' -d "{\"name\":\"v\",$D}")
like "$r" '^403 .*needs admin' "nor can an operator create a route"
r=$(http POST /api/v1/route-test -u "noc:$PW" -H 'Content-Type: application/json' -d '{"source_group":"pstn","called":"+14255550123"}')
like "$r" '^403 .*needs operator' "a viewer cannot run the route tester"
r=$(http POST /api/v1/route-test -u "ops:$PW" -H 'Content-Type: application/json' -d '{"source_group":"pstn","called":"+14255550123"}')
like "$r" '^200 ' "an operator can"

# --- the route tester: requests (the decision itself is in the TG_ROUTE_REAL section)
RTT=/api/v1/route-test
check_bad $RTT '{"called":"+14255550123"}' source_group 'source_group is required' "the tester needs the source group"
check_bad $RTT '{"source_group":"pstn"}' called 'called is required' "and the called number"
check_bad $RTT '{"source_group":"pstn","called":"12x"}' called 'called \\"12x\\" is not a number' "a called number that is no number is refused"
check_bad $RTT '{"source_group":"pstn","called":"1","calling":"+"}' calling 'calling \\"\+\\" is not a number' "so is such a calling number"
check_bad $RTT '{"source_group":"nope","called":"1"}' source_group 'source_group: no trunk group named nope' "an unknown source group is refused"
check_bad $RTT '{"source_group":"pstn","called":"1","time":"2026-02-30T10:00"}' time 'time \\"2026-02-30T10:00\\" is not a local time' "a date that does not exist is refused"
check_bad $RTT '{"source_group":"pstn","called":"1","time":"tomorrow"}' time 'time \\"tomorrow\\" is not a local time YYYY-MM-DDTHH:MM' "a time must be YYYY-MM-DDTHH:MM"
check_bad $RTT '{"source_group":"pstn","called":"1","down_groups":"lync"}' down_groups 'down_groups must be a list' "down_groups must be a list"
check_bad $RTT '{"source_group":"pstn","called":"1","down_groups":["lync","nope"]}' 'down_groups\[1\]' 'down_groups\[1\]: no trunk group named nope' "a down group must exist"
check_bad $RTT '{"source_group":"pstn","called":"1","draw":-1}' draw 'draw must be an integer' "a negative draw is refused"
check_bad $RTT '{"source_group":"pstn","called":"1","ringing":true}' ringing 'unknown field \\"ringing\\"' "an unknown field is refused"
g2=$(gen)
is "[$g2,\"2026-11-24T09:30\",7,true,true]" \
	"$(rt '{"source_group":"pstn","called":"+14255550123","time":"2026-11-24T09:30","draw":7}' '[.generation, .time, .draw, (.steps | type == "array"), (.targets | type == "array")]')" \
	"the answer names the generation it used, the time and the draw, with targets and steps"
is "[\"outcome\",\"cause\",\"route\",\"range\",\"called_in\",\"calling_in\",\"targets\",\"forward\",\"steps\"]" \
	"$(rt '{"source_group":"pstn","called":"+14255550123"}' '[keys_unsorted[] | select(. != "generation" and . != "time" and . != "draw")]')" \
	"the answer has every part of a decision"
is "$g2" "$(gen)" "the route tester writes nothing"

# --- real routing decisions (needs the routing module; see the top of the file)
if true; then    # the routing module is in: these always run
	# whole-configuration check before commit: neither range contains the other
	r=$(api POST $NR -d '{"name":"ev-overlap","first":"+14255550150","last":"+14255550249","group":"pbx"}')
	like "$r" '^400 .*"code":"invalid_config"' "an overlapping range is refused before commit"
	like "$r" 'ev-overlap' "naming the new range"
	like "$r" 'ev-users' "and the one it overlaps"
	is 2 "$(count number_ranges)" "and nothing is written"
	is "$g2" "$(gen)" "nor a generation"
	r=$(api POST $NR -d '{"name":"ev-overlap","first":"+14255550150","last":"+14255550249","group":"pbx","override_allowed":true}')
	like "$r" '^201 ' "override_allowed lets an overlapping range in"
	r=$(api DELETE $NR/ev-overlap)
	is "204 " "$r" "and it goes again"
	check_bad $NR '{"name":"x","first":"+14255550199","last":"+14255550100","group":"pstn"}' last '.*last' "a range whose last is before its first is refused, naming last"
	check_bad $NR '{"name":"x","first":"+1425555010","last":"+14255550199","group":"pstn"}' '(first|last)' '.*' "a range whose ends differ in length is refused"
	check_bad $MR '{"group":"lync","direction":"in","field":"called","match":"regex","pattern":"^(\\d{4}$","replacement":"+1425555$1"}' pattern '.*' "a regex that does not compile is refused, naming pattern"
	is 2 "$(count manipulation_rules)" "a refused rule writes nothing"

	DEC='[.outcome, .cause, .route, .range, [.targets[] | [.group, .called, .survivability]]]'
	# Tuesday 09:30: the EV range, to Lync
	is '["ok",null,"ev-in","ev-users",[["lync","+14255550123",false]]]' \
		"$(rt '{"source_group":"pstn","called":"+14255550123","time":"2026-11-24T09:30"}' "$DEC")" \
		"a number in the EV range goes to Lync by route ev-in"
	# the carrier's national number is normalized by the inbound prefix rule first
	is '["+14255550123","ev-in"]' \
		"$(rt '{"source_group":"pstn","called":"4255550123","time":"2026-11-24T09:30"}' '[.called_in, .route]')" \
		"the inbound prefix rule makes 425... into +1425... before routing"
	# the longer prefix range: the rest of the PBX's block
	is '["ok",null,"pbx-in","pbx-users",[["pbx","+14255550999",false]]]' \
		"$(rt '{"source_group":"pstn","called":"+14255550999","time":"2026-11-24T09:30"}' "$DEC")" \
		"a number outside the EV range but in the PBX prefix goes to the PBX"
	# Lync dials a four-digit extension: the Lync regex, then route out in order
	is '["+14255550123","out",["pstn","pbx"]]' \
		"$(rt '{"source_group":"lync","called":"0123","time":"2026-11-24T09:30"}' '[.called_in, .route, [.targets[].group]]')" \
		"the Lync regex normalizes 0123, and route out lists both destinations in order"
	# a number in no range and matched by no route
	is '["unallocated",1,null,null,[]]' \
		"$(rt '{"source_group":"pstn","called":"+4930123456","time":"2026-11-24T09:30"}' "$DEC")" \
		"an unknown number is unallocated (cause 1)"
	# in a range, but no route from this group
	is '["no_route",3]' \
		"$(rt '{"source_group":"pbx","called":"+14255550123","time":"2026-11-24T09:30"}' '[.outcome, .cause]')" \
		"a number with no route from its source group gets no route (cause 3)"
	# the time window: 20:00 and 07:59 (wrapping midnight) go to the night route
	is '["ev-night",["pbx"]]' \
		"$(rt '{"source_group":"pstn","called":"+14255550123","time":"2026-11-24T20:00"}' '[.route, [.targets[].group]]')" \
		"at 20:00 the night route wins (a time window is more specific)"
	is '"ev-night"' "$(rt '{"source_group":"pstn","called":"+14255550123","time":"2026-11-25T07:59"}' '.route')" \
		"the window wraps midnight"
	is '"ev-in"' "$(rt '{"source_group":"pstn","called":"+14255550123","time":"2026-11-25T08:30"}' '.route')" \
		"and is over in the morning"
	# days: route out runs mon-fri and sunday; Saturday it does not match
	is '["no_route",3]' "$(rt '{"source_group":"lync","called":"+14255550999","time":"2026-11-28T10:00"}' '[.outcome, .cause]')" \
		"route out does not match on a Saturday"
	is '"out"' "$(rt '{"source_group":"lync","called":"+14255550999","time":"2026-11-29T10:00"}' '.route')" \
		"but does on a Sunday"
	# survivability
	is '["ok",null,"ev-in","ev-users",[["pbx","+14255550123",true]]]' \
		"$(rt '{"source_group":"pstn","called":"+14255550123","time":"2026-11-24T09:30","down_groups":["lync"]}' "$DEC")" \
		"with Lync down, ev-in's survivability group takes the call"
	is '["forward","+18005550100"]' \
		"$(rt '{"source_group":"pstn","called":"+14255550999","time":"2026-11-24T09:30","down_groups":["pbx"]}' '[.outcome, .forward]')" \
		"with the PBX down, pbx-in forwards to its survivability number"
	is '["ok",["pbx"]]' \
		"$(rt '{"source_group":"lync","called":"+12125550100","time":"2026-11-24T09:30","down_groups":["pstn"]}' '[.outcome, [.targets[].group]]')" \
		"a down destination is skipped"
	is '["all_down",34]' \
		"$(rt '{"source_group":"lync","called":"+12125550100","time":"2026-11-24T09:30","down_groups":["pstn","pbx"]}' '[.outcome, .cause]')" \
		"every destination down with no alternative is cause 34"
	r=$(api PUT $RT/ev-night -d '{"enabled":false}')
	is '"ev-in"' "$(rt '{"source_group":"pstn","called":"+14255550123","time":"2026-11-24T20:00"}' '.route')" \
		"a disabled route is not used, under the new generation"
	like "$(rt '{"source_group":"pstn","called":"+14255550123","time":"2026-11-24T09:30"}' '.steps | join("|")')" \
		'ev-users' "the steps explain the decision"
else
	echo "# skipped: route-test decisions (set TG_ROUTE_REAL=1 once daemon/route is merged)"
fi

# --- deletes, in dependency order
g3=$(gen)
r=$(api DELETE $MR/1)
is "204 " "$r" "a rule is deleted"
for x in $RT/ev-in $RT/ev-night $RT/pbx-in $RT/out $NR/ev-users $NR/pbx-users $TG/lync; do
	r=$(api DELETE "$x")
	is "204 " "$r" "DELETE $x"
done
is "$((g3 + 8))" "$(gen)" "each delete is one generation"
r=$(api DELETE $TG/lync)
like "$r" '^404 ' "deleting it again is 404"
r=$(api DELETE $TG/pbx)
is "204 " "$r" "a group no one uses is deleted, with its members"
is "1|1" "$(sqlite3 "$DB" "select (select count(*) from manipulation_rules) || '|' || (select count(*) from trunk_group_members)")" \
	"its members went with it; the pstn group's rule and member stay"
deleted=$(sqlite3 "$DB" "select json_extract(before_json,'$.name') || ' ' || coalesce(after_json,'none') from audit_log where object_type='trunk_group' and action='delete' order by id desc limit 1")
is "pbx none" "$deleted" "the delete's audit row keeps what was deleted"
r=$(api DELETE /api/v1/spans/pbx)
is "204 " "$r" "with no group using it, the span can go"
wait_for sh -c "curl -s -u 'admin:$PW' '${URL}api/v1/status' | jq -e '.config.generation == $(gen)'"
ok $? "the last generation is applied live"
stop_daemon "$DPID"; is 0 "$STOP_RC" "SIGTERM exits 0"
finish
