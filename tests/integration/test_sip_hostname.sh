#!/usr/bin/env bash
# test_sip_hostname.sh -- a next hop given as a hostname identifies incoming
# calls (daemon/sip/trunk_resolve.c resolves it off the main thread):
# (a) trunk byname's next hop is `localhost` (127.0.0.1 and ::1 through
#     /etc/hosts): SIPp's INVITE from 127.0.0.1 belongs to it and is routed
#     to trunk far (SIPp on 127.0.0.3), which answers;
# (b) the next hop changed to a name that does not resolve: the same INVITE
#     gets 403 (the old addresses are dropped);
# (c) back to `localhost`: identified again.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/sip_lib.sh"

sip_start || finish

getent hosts localhost | grep -q '127\.0\.0\.1'; ok $? "localhost resolves to 127.0.0.1 here"
UAS_PORT=$(free_port)
like "$(api POST /api/v1/sip-trunks -d '{"name":"byname","options_interval":0,"next_hops":[{"host":"localhost","port":5999}]}')" \
	'^201 ' "trunk byname: next hop localhost (probing off)"
like "$(api POST /api/v1/sip-trunks -d "{\"name\":\"far\",\"options_interval\":0,\"next_hops\":[{\"host\":\"127.0.0.3\",\"port\":$UAS_PORT}]}")" \
	'^201 ' "trunk far toward SIPp on 127.0.0.3"
api POST /api/v1/trunk-groups -d '{"name":"byname-g","kind":"sip","members":[{"sip_trunk":"byname"}]}' >/dev/null
api POST /api/v1/trunk-groups -d '{"name":"far-g","kind":"sip","members":[{"sip_trunk":"far"}]}' >/dev/null
like "$(api POST /api/v1/routes -d '{"name":"out","source_group":"byname-g","called_prefix":"","destinations":[{"group":"far-g"}]}')" \
	'^201 ' "route byname-g -> far-g"

uas3() {        # uas3 NAME: SIPp on 127.0.0.3:UAS_PORT takes one call
	rm -f "$WORK/$1".*
	(cd "$WORK" && exec sipp -sf "$SIPP_DIR/uas_answer.xml" -i 127.0.0.3 -p "$UAS_PORT" \
		-mp "$(free_port)" -m 1 -nostdin -timeout 40s -timeout_error \
		-trace_msg -message_file "$WORK/$1.msg" >"$WORK/$1.out" 2>&1) &
	UAS=$!; PIDS+=("$UAS")
	wait_for sh -c "ss -Hlun | grep -q '127.0.0.3:$UAS_PORT '"
}

# (a) The resolver thread answers within moments and logs the addresses.
uas3 ua
wait_for grep -q 'next hop localhost resolves to .*127\.0\.0\.1' "$S.log"
ok $? "the log says what localhost resolved to: $(grep -o 'next hop localhost resolves to .*' "$S.log")"
sipp_call a 127.0.0.1 uac_call.xml -s 4930100234; is 0 "$?" \
	"an INVITE from 127.0.0.1 belongs to trunk byname (next hop localhost) and is answered through far"
wait "$UAS"; is 0 "$?" "SIPp behind far took the call"
wait_for sh -c "curl -s -u 'admin:$PW' '${URL}api/v1/cdrs' | jq -e '.cdrs | length == 1'"
like "$(curl -s -u "admin:$PW" "${URL}api/v1/cdrs" | jq -r '.cdrs[0] | "\(.in_group) \(.out_group)"')" \
	'byname-g far-g' "the CDR says byname-g -> far-g"

# (b) a name that does not resolve (.invalid, RFC 6761): 403
like "$(api PUT /api/v1/sip-trunks/byname -d '{"next_hops":[{"host":"nothing.invalid","port":5999}]}')" '^200 ' \
	"next hop changed to nothing.invalid"
wait_for grep -q 'next hop nothing.invalid resolves to nothing' "$S.log"
ok $? "the log says nothing.invalid resolves to nothing"
sipp_call b 127.0.0.1 uac_fail.xml -s 4930100234
grep -q '^SIP/2.0 403 ' "$WORK/b.msg"; ok $? "the INVITE from 127.0.0.1 now gets 403: localhost's addresses are gone"

# (c) back
like "$(api PUT /api/v1/sip-trunks/byname -d '{"next_hops":[{"host":"LocalHost","port":5999}]}')" '^200 ' \
	"next hop back to LocalHost (names are case-insensitive)"
uas3 uc
wait_for grep -q 'next hop LocalHost resolves to .*127\.0\.0\.1' "$S.log"
ok $? "LocalHost is resolved"
sipp_call c 127.0.0.1 uac_call.xml -s 4930100234
is 0 "$(grep -c '^SIP/2.0 403 ' "$WORK/c.msg")" "identified again: no 403"
grep -q '^SIP/2.0 200 ' "$WORK/c.msg"; ok $? "and answered"
wait "$UAS"

stop_daemon "$DPID"; is 0 "$STOP_RC" "trunkgated exits cleanly"
finish
