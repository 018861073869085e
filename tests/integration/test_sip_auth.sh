#!/usr/bin/env bash
# test_sip_auth.sh -- digest authentication for ITSP trunks, with SIPp as an
# ITSP that challenges everything (tests/integration/sipp/uas_auth.xml:
# registrar and UAS; user trunkuser, password s3cret-pw, realm itsp.test) and
# tgsim as the carrier:
#  (a) the credentials fields: validated, the password write-only (GET shows
#      auth_password_set only; the audit log never has it);
#  (b) REGISTER: 401 answered with the credentials, registered (status shows
#      it and when it expires), refreshed before the 4 s expiry, each refresh
#      challenged and answered again;
#  (c) calls to the ITSP: a 401 (digest checked by SIPp) and a proxy's 407
#      (digest checked here) are answered, the calls go through;
#  (d) a wrong password: the registration fails (status, an event), and a
#      call is refused by the ITSP's 403 after one answered challenge.
. "$(dirname "$0")/lib.sh"
TGSIM=${TGSIM:-$TG_BUILDDIR/tgsim}
. "$(dirname "$0")/sip_lib.sh"      # SIPP_DIR, the skip without sipp, free_port

sip_start || finish
reg() { status | jq -r ".sip_trunks[] | select(.name == \"itsp\") | .registration.$1"; }

UAS_PORT=$(free_port)
(cd "$WORK" && exec sipp -sf "$SIPP_DIR/uas_auth.xml" -i 127.0.0.1 -p "$UAS_PORT" -mp "$(free_port)" \
	-nostdin -trace_msg -message_file "$WORK/uas.msg" -trace_err -error_file "$WORK/uas.err" \
	>"$WORK/uas.out" 2>&1) &
UAS=$!; PIDS+=("$UAS")
wait_for sh -c "ss -Hlun | grep -q ':$UAS_PORT '"; ok $? "SIPp plays the ITSP"

# (a) the fields
HOP="\"next_hops\":[{\"host\":\"127.0.0.1\",\"port\":$UAS_PORT}]"
r=$(api POST /api/v1/sip-trunks -d "{\"name\":\"x\",\"register\":true,$HOP}")
like "$r" '^400 .*needs auth_username.*"field":"register"' "register without a username is refused naming register"
r=$(api POST /api/v1/sip-trunks -d '{"name":"x","register":true,"auth_username":"u","next_hops":[]}')
like "$r" '^400 .*"field":"register"' "register without a next hop (the registrar) is refused"
r=$(api POST /api/v1/sip-trunks -d "{\"name\":\"x\",\"auth_username\":\"a:b\",$HOP}")
like "$r" '^400 .*"field":"auth_username"' "a ':' in auth_username is refused"
r=$(api POST /api/v1/sip-trunks -d "{\"name\":\"x\",\"register_expires\":0,$HOP}")
like "$r" '^400 .*"field":"register_expires"' "register_expires 0 is refused"
r=$(api POST /api/v1/sip-trunks -d "{\"name\":\"x\",\"auth_password\":7,$HOP}")
like "$r" '^400 .*"field":"auth_password"' "a password that is not a string is refused"
r=$(api POST /api/v1/sip-trunks -d "{\"name\":\"x\",\"auth_password_set\":true,$HOP}")
like "$r" '^400 .*"field":"auth_password_set"' "auth_password_set is read-only"
expect_code 201 "trunk itsp: credentials, REGISTER every 4 s, no probes" POST /api/v1/sip-trunks \
	-d "{\"name\":\"itsp\",\"options_interval\":0,\"auth_username\":\"trunkuser\",\"auth_password\":\"s3cret-pw\",\"register\":true,\"register_expires\":4,$HOP}"
g=$(api GET /api/v1/sip-trunks/itsp | sed 's/^200 //')
is "trunkuser true 4 true" "$(echo "$g" | jq -r '"\(.auth_username) \(.register) \(.register_expires) \(.auth_password_set)"')" \
	"GET shows the user, the registration and that a password is set"
is "" "$(echo "$g" | grep -o 's3cret' | head -1)" "but never the password"
is "false" "$(echo "$g" | jq 'has("auth_password")')" "auth_password is write-only"
is 0 "$(sqlite3 "$S/trunkgate.db" "select count(*) from audit_log where before_json like '%s3cret%' or after_json like '%s3cret%'" 2>/dev/null || echo err)" \
	"the audit log does not have it either"
is "s3cret-pw" "$(sqlite3 "$S/trunkgate.db" "select auth_password from sip_trunks where name = 'itsp'")" \
	"the store keeps it as given (a digest client needs it)"

# (b) registration and refresh
wait_for sh -c "[ \"\$(curl -s -u 'admin:$PW' '${URL}api/v1/status' | jq -r '.sip_trunks[0].registration.state')\" = registered ]"
is "registered" "$(reg state)" "the trunk registers (401 answered)"
like "$(reg expires_at)" '^[0-9]{13}$' "status shows when the registration expires"
like "$(tr -d '\r' <"$WORK/uas.msg" | grep -m1 -i '^Authorization:')" 'Digest username="trunkuser", realm="itsp.test"' \
	"the REGISTER carries our digest answer for the challenge's realm"
like "$(tr -d '\r' <"$WORK/uas.msg" | grep -m1 '^REGISTER ')" "^REGISTER sip:127\\.0\\.0\\.1:$UAS_PORT;transport=udp SIP/2\\.0" \
	"to the next hop, the registrar"
auth_regs() { tr -d '\r' <"$WORK/uas.msg" | grep -ci '^Authorization:'; }
wait_for sh -c "[ \$(tr -d '\r' <'$WORK/uas.msg' | grep -ci '^Authorization:') -ge 3 ]"
n=$(auth_regs)
[ "$n" -ge 3 ]; ok $? "refreshed before the 4 s expiry, each refresh challenged and answered ($n authenticated REGISTERs)"
is "registered" "$(reg state)" "still registered"

# (c) calls to the ITSP: a UAS's 401 and a proxy's 407
sip_spans carrier
expect_code 201 "group itsp-g" POST /api/v1/trunk-groups -d '{"name":"itsp-g","kind":"sip","members":[{"sip_trunk":"itsp"}]}'
expect_code 201 "route carrier -> itsp for 0..." POST /api/v1/routes -d '{"name":"out","source_group":"carrier-g","called_prefix":"0","destinations":[{"group":"itsp-g"}]}'
call() {        # call NAME NUMBER: answered and hung up
	printf '%s\n' "$CAR" "expect link up carrier within 15" "call carrier 5550001 $2 as c1" \
		"expect answer c1 within 15" "hangup c1" "expect release c1 cause 16 within 5" |
		"$TGSIM" >"$WORK/$1.tgsim" 2>"$WORK/$1.err"
}
# digest_ok HEADER NUMBER PASSWORD: the INVITE to NUMBER's HEADER answers its
# challenge with PASSWORD (RFC 2617 without qop, as the challenges ask)
digest_ok() {
	tr -d '\r' <"$WORK/uas.msg" | python3 -c '
import hashlib, re, sys
hdr, num, pw = sys.argv[1:]
md5 = lambda s: hashlib.md5(s.encode()).hexdigest()
for m in re.split(r"\n(?=INVITE )", sys.stdin.read()):
    if m.startswith("INVITE sip:" + num + "@"):
        h = re.search(r"(?mi)^" + hdr + r": Digest (.*)$", m)
        if h:
            p = dict(re.findall(r"(\w+)=\"?([^\",]*)\"?", h.group(1)))
            ha1 = md5("%s:%s:%s" % (p["username"], p["realm"], pw))
            ok = p["response"] == md5("%s:%s:%s" % (ha1, p["nonce"], md5("INVITE:" + p["uri"])))
            print("ok" if ok else "bad")
            sys.exit(0)
print("none")' "$1" "$2" "$3"
}
call c1 0301234; ok $? "a call to the ITSP is answered after its 401 (SIPp verified the digest)"
is 2 "$(grep -c '^INVITE sip:0301234@' "$WORK/uas.msg")" "two INVITEs: the challenged one and the answered one"
is ok "$(digest_ok Authorization 0301234 s3cret-pw)" "the second carries Authorization with the right digest"
call c2 0302000; ok $? "a call challenged by a proxy's 407 is answered too"
like "$(tr -d '\r' <"$WORK/uas.msg" | grep -i '^Proxy-Authorization:' | head -1)" 'Digest username="trunkuser", realm="proxy\.itsp\.test"' \
	"its second INVITE carries Proxy-Authorization for the challenge's realm"
is ok "$(digest_ok Proxy-Authorization 0302000 s3cret-pw)" "with the right digest"

# (d) a wrong password
expect_code 200 "the password changes (to a wrong one)" PUT /api/v1/sip-trunks/itsp -d '{"auth_password":"wrong"}'
wait_for sh -c "[ \"\$(curl -s -u 'admin:$PW' '${URL}api/v1/status' | jq -r '.sip_trunks[0].registration.state')\" = failed ]"
is "failed 403" "$(reg state) $(reg last_status)" "the re-registration fails with the ITSP's 403"
like "$(curl -s -u "admin:$PW" "${URL}api/v1/events?kind=sip-register-failed")" '"source":"itsp".*403' \
	"a sip-register-failed event names the trunk and the status"
printf '%s\n' "$CAR" "expect link up carrier within 15" "call carrier 5550001 0301235 as c3" \
	"expect release c3 within 15" | "$TGSIM" >"$WORK/c3.tgsim" 2>"$WORK/c3.err"
ok $? "a call with the wrong password is released"
is 2 "$(grep -c '^INVITE sip:0301235@' "$WORK/uas.msg")" "after one answered challenge (no loop)"
expect_code 200 "the right password again" PUT /api/v1/sip-trunks/itsp -d '{"auth_password":"s3cret-pw"}'
wait_for sh -c "[ \"\$(curl -s -u 'admin:$PW' '${URL}api/v1/status' | jq -r '.sip_trunks[0].registration.state')\" = registered ]"
is "registered" "$(reg state)" "registered again"
like "$(curl -s -u "admin:$PW" "${URL}api/v1/events?kind=sip-registered")" '"severity":"cleared"' "a sip-registered event (cleared)"
expect_code 200 "registration turned off" PUT /api/v1/sip-trunks/itsp -d '{"register":false}'
wait_for status_is '.sip_trunks[0].registration == null'
is "null" "$(status | jq -c '.sip_trunks[0].registration')" "status shows no registration"
wait_for sh -c "tr -d '\r' <'$WORK/uas.msg' | grep -qi '^Expires: 0'"
ok $? "the binding is removed (REGISTER with Expires: 0)"
kill "$UAS"; wait "$UAS" 2>/dev/null
stop_daemon "$DPID"; is 0 "$STOP_RC" "SIGTERM exits 0"
finish
