#!/usr/bin/env bash
# test_etag.sh -- optimistic concurrency: every object read or written answers
# an ETag; a change or delete sent with If-Match of an older version gets 412
# and changes nothing; the tag a write answers is the tag the next read
# answers; "*" and no If-Match at all still write.  For spans, trunk groups
# (the routing resources' shared handlers) and SIP trunks.
. "$(dirname "$0")/lib.sh"

S=$WORK/state
start_daemon "$S" || { ok 1 "daemon starts"; finish; }
PW=$(cat "$S/initial-admin-password")
DB=$S/trunkgate.db
J='Content-Type: application/json'
etag() {        # etag METHOD PATH [curl args]: the ETag header of the answer
	local m=$1 p=$2; shift 2
	curl -s -D - -o /dev/null -X "$m" -u "admin:$PW" -H "$J" "$@" "${URL%/}$p" |
		tr -d '\r' | sed -n 's/^ETag: //Ip'
}
code() {        # code METHOD PATH [curl args]: the status
	local m=$1 p=$2; shift 2
	curl -s -o "$WORK/body" -w '%{http_code}' -X "$m" -u "admin:$PW" -H "$J" "$@" "${URL%/}$p"
}

curl -s -o /dev/null -u "admin:$PW" -H "$J" -d '{"name":"carrier","type":"E1"}' "${URL}api/v1/spans"
curl -s -o /dev/null -u "admin:$PW" -H "$J" -d '{"name":"pstn","kind":"span","members":[{"span":"carrier"}]}' "${URL}api/v1/trunk-groups"
curl -s -o /dev/null -u "admin:$PW" -H "$J" -d '{"name":"lync","next_hops":[{"host":"192.0.2.5"}]}' "${URL}api/v1/sip-trunks"

for res in 'spans/carrier|{"hunting":"round-robin"}|{"hunting":"descending"}|spans|hunting' \
	   'trunk-groups/pstn|{"max_calls":10}|{"max_calls":20}|trunk_groups|max_calls' \
	   'sip-trunks/lync|{"max_calls":10}|{"max_calls":20}|sip_trunks|max_calls'; do
	IFS='|' read -r path change1 change2 table col <<<"$res"
	p=/api/v1/$path
	e1=$(etag GET "$p")
	like "$e1" '^"[0-9a-f]{20}"$' "GET $path answers an ETag"
	is "$e1" "$(etag GET "$p")" "... the same one while nothing changes"
	e2=$(etag PUT "$p" -H "If-Match: $e1" -d "$change1")
	[ -n "$e2" ] && [ "$e2" != "$e1" ]
	ok $? "PUT with the current If-Match writes and answers a new ETag"
	is "$e2" "$(etag GET "$p")" "... the one the next GET answers"
	before=$(sqlite3 "$DB" "select $col from $table where name = '${path#*/}'")
	is "412" "$(code PUT "$p" -H "If-Match: $e1" -d "$change2")" "PUT with a stale If-Match is 412"
	like "$(cat "$WORK/body")" '"precondition_failed".*read it again' "... saying why"
	is "$before" "$(sqlite3 "$DB" "select $col from $table where name = '${path#*/}'")" "... and changes nothing"
	is "200" "$(code PUT "$p" -H 'If-Match: *' -d "$change2")" "If-Match: * writes"
	is "200" "$(code PUT "$p" -d "$change1")" "no If-Match writes (as before)"
done

# deletes: the trunk group first (it uses the span)
e=$(etag GET /api/v1/trunk-groups/pstn)
curl -s -o /dev/null -u "admin:$PW" -H "$J" -X PUT -d '{"max_calls":5}' "${URL}api/v1/trunk-groups/pstn"
is "412" "$(code DELETE /api/v1/trunk-groups/pstn -H "If-Match: $e")" "DELETE with a stale If-Match is 412"
is "1" "$(sqlite3 "$DB" "select count(*) from trunk_groups")" "... and deletes nothing"
is "204" "$(code DELETE /api/v1/trunk-groups/pstn -H "If-Match: $(etag GET /api/v1/trunk-groups/pstn)")" "DELETE with the current If-Match deletes"
is "412" "$(code DELETE /api/v1/spans/carrier -H 'If-Match: "00000000000000000000"')" "a span's DELETE checks If-Match too"
is "204" "$(code DELETE /api/v1/spans/carrier -H "If-Match: $(etag GET /api/v1/spans/carrier)")" "... and deletes with the current one"

finish
