#!/usr/bin/env bash
# test_media_settings.sh -- a SIP trunk's media settings with real SIPp
# peers (docs/media.md): (a) codecs, rtp_timeout and srtp_mode validated,
# 400 naming the field, audited; (b) an offer with none of the trunk's
# codecs gets 488 with Warning 305 and cause 88 in the CDR, an RTP/SAVP offer
# on a trunk with SRTP off 488 with Warning 304; (c) SIP<->SIP between two
# trunks with media bypass on: each SIPp sees the other's SDP address, no
# RTP port is used (the live call shows media_bypass and no RTP legs), the
# CDR says media_bypass; (d) bypass off: RTP from another address than the
# SDP's is dropped and counted; (e) bypass on (one trunk, so anchored and
# latching): RTP from that address is taken.
# SIPp "lync" calls from 127.0.0.2; SIPp "itsp" answers on 127.0.0.1.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/sip_lib.sh"

S=$WORK/state
start_daemon "$S" || { ok 1 "daemon starts"; finish; }
wait_for test -s "$S/sip.url"; ok $? "the SIP side listens"
SIP_TARGET=$(sed 's/^sip://' "$S/sip.url")
PW=$(cat "$S/initial-admin-password")
api() { http "$@" -u "admin:$PW" -H 'Content-Type: application/json'; }
calls() { curl -s -u "admin:$PW" "${URL}api/v1/calls"; }
# applied "$r": wait until the main thread runs the generation a write answered
# with (calls placed before would still use the old settings)
applied() {
	local g
	g=$(sed 's/^[0-9]* //' <<<"$1" | jq -r '.generation // 0' 2>/dev/null)
	wait_for sh -c "curl -s -u 'admin:$PW' '${URL}api/v1/status' | jq -e '.config.generation >= ${g:-0}' >/dev/null"
}
# put_trunk NAME BODY DESCRIPTION: a change that must be live before the next call
put_trunk() {
	local r
	r=$(api PUT "/api/v1/sip-trunks/$1" -d "$2")
	like "$r" '^200 ' "$3"
	applied "$r"
}

UAS_PORT=$(free_port)
r=$(api POST /api/v1/sip-trunks -d '{"name":"lync","options_interval":0,"codecs":"G722, pcma","next_hops":[{"host":"127.0.0.2"}]}')
like "$r" '^201 .*"codecs":"G722, pcma","rtp_timeout":60,"rtp_timeout_on_hold":false' \
	"SIP trunk lync: codecs G722 then PCMA; rtp_timeout 60 s, not on hold (defaults)"
r=$(api POST /api/v1/sip-trunks -d "{\"name\":\"itsp\",\"options_interval\":0,\"media_bypass\":true,\"next_hops\":[{\"host\":\"127.0.0.1\",\"port\":$UAS_PORT}]}")
like "$r" '^201 .*"media_bypass":true.*"codecs":"PCMU,PCMA"' "SIP trunk itsp: bypass on, codecs PCMU,PCMA (default)"
like "$(api POST /api/v1/trunk-groups -d '{"name":"lync-g","kind":"sip","members":[{"sip_trunk":"lync"}]}')" '^201 ' "group lync-g"
like "$(api POST /api/v1/trunk-groups -d '{"name":"itsp-g","kind":"sip","members":[{"sip_trunk":"itsp"}]}')" '^201 ' "group itsp-g"
like "$(api POST /api/v1/routes -d '{"name":"out","source_group":"lync-g","called_prefix":"0","destinations":[{"group":"itsp-g"}]}')" \
	'^201 ' "route lync -> itsp for 0..."

# (a) validation, each bad field named
bad() {         # bad BODY FIELD REGEX DESCRIPTION
	local r
	r=$(api PUT /api/v1/sip-trunks/lync -d "$1")
	like "$r" "^400 .*\"message\":\"$3.*\"field\":\"$2\"" "$4"
}
bad '{"codecs":"PCMU,G729"}' codecs 'codecs: G729 is not a codec the media engine has' "an unknown codec is refused"
bad '{"codecs":"PCMU,telephone-event"}' codecs 'codecs: telephone-event is not listed' "telephone-event is not a codec to list"
bad '{"codecs":"PCMA,pcma"}' codecs 'codecs: PCMA is listed twice' "a codec listed twice is refused"
bad '{"codecs":"PCMU,"}' codecs 'codecs: a trailing comma' "a trailing comma is refused"
bad '{"codecs":""}' codecs 'codecs' "an empty list is refused"
bad '{"rtp_timeout":3601}' rtp_timeout 'rtp_timeout 3601 is out of range 0..3600' "rtp_timeout over an hour is refused"
bad '{"rtp_timeout":0,"rtp_timeout_on_hold":true}' rtp_timeout_on_hold 'rtp_timeout_on_hold needs an rtp_timeout' \
	"rtp_timeout_on_hold without a timeout is refused"
bad '{"srtp_mode":"optional"}' srtp_mode 'srtp_mode optional needs transport tls' "SRTP only on a TLS trunk (Lync's SRTPMode rule)"
r=$(api PUT /api/v1/sip-trunks/lync -d '{"rtp_timeout":30,"rtp_timeout_on_hold":true}')
like "$r" '^200 .*"rtp_timeout":30,"rtp_timeout_on_hold":true' "rtp_timeout 30 s, also on hold"
audit=$(sqlite3 "$S/trunkgate.db" "select json_extract(before_json,'$.rtp_timeout') || '>' || json_extract(after_json,'$.rtp_timeout') from audit_log where object_type='sip_trunk' and action='update' order by id desc limit 1")
is "60>30" "$audit" "the audit row holds rtp_timeout before and after"

# (b) 488 for an offer with none of the trunk's codecs (G722, PCMA)
applied "$r"
sipp_call n1 127.0.0.2 uac_offer488.xml -s 0301 -key proto RTP/AVP -key fmt 0 -key enc PCMU; rc=$?
is 0 "$rc" "a PCMU-only offer to trunk lync (G722, PCMA) gets 488"
[ "$rc" -eq 0 ] || tail -n 20 "$WORK/n1.msg" "$WORK/n1.err" 2>/dev/null | sed 's/^/#   /'
like "$(hdr "$WORK/n1.msg" Warning)" '^305 trunkgate "no common codec"' "with Warning: 305 (incompatible media format)"
like "$(hdr "$WORK/n1.msg" Reason)" 'Q\.850;cause=88' "and Reason: Q.850;cause=88"
sipp_call n2 127.0.0.2 uac_offer488.xml -s 0302 -key proto RTP/SAVP -key fmt 8 -key enc PCMA; rc=$?
is 0 "$rc" "an RTP/SAVP offer to a trunk with srtp_mode off gets 488"
like "$(hdr "$WORK/n2.msg" Warning)" '^304 trunkgate "offer requires SRTP, which is off here"' "with Warning: 304"
wait_for test "$(sqlite3 "$S/trunkgate.db" "select count(*) from cdrs where called in ('0301','0302')")" = 2
is "88 488 lync,88 488 lync" "$(sqlite3 "$S/trunkgate.db" "select group_concat(cause || ' ' || sip_status || ' ' || in_trunk) from (select * from cdrs where called in ('0301','0302') order by id)")" \
	"both refusals have CDRs with cause 88 (incompatible destination), SIP 488"

# (c) SIP<->SIP with bypass on both trunks: the SDP passes end to end
put_trunk lync '{"codecs":"PCMU,PCMA","media_bypass":true}' "trunk lync: PCMU, PCMA, bypass on"
sipp_uas c_uas "$UAS_PORT" uas_bypass.xml; U=$UAS
sipp_call c 127.0.0.2 uac_bypass.xml -s 0303 >/dev/null &
C=$!; PIDS+=("$C")
wait_for sh -c "curl -s -u 'admin:$PW' '${URL}api/v1/calls' | jq -e '.calls[0].state == \"answered\"' >/dev/null"
live=$(calls)
is "true null null" "$(jq -r '.calls[0] | "\(.media_bypass) \(.media.in) \(.media.out)"' <<<"$live")" \
	"live call: media_bypass true, no RTP session on either leg"
wait "$C"; ok $? "the caller's call through both bypass trunks is answered and hung up"
wait "$U"; ok $? "the called SIPp answered and got the BYE"
offer=$(tr -d '\r' <"$WORK/c_uas.msg" | sed -n '/^INVITE /,/^a=fmtp/p')
like "$offer" 'c=IN IP4 127\.0\.0\.77' "the called SIPp sees the caller's media address (127.0.0.77)"
like "$offer" 'm=audio 40000 RTP/AVP' "and port 40000, not a gateway port"
answer=$(tr -d '\r' <"$WORK/c.msg" | sed -n '/^SIP\/2.0 200 OK/,/^a=rtpmap/p' | head -30)
like "$answer" 'c=IN IP4 127\.0\.0\.88' "the caller sees the called side's media address (127.0.0.88)"
like "$answer" 'm=audio 40002 RTP/AVP' "and port 40002"
wait_for test "$(sqlite3 "$S/trunkgate.db" "select count(*) from cdrs where called = '0303'")" = 1
is "1" "$(sqlite3 "$S/trunkgate.db" "select media_bypass from cdrs where called = '0303'")" "the CDR says media_bypass"
like "$(api GET '/api/v1/cdrs?number=0303')" '"media_bypass":true' "and the CDR API shows media_bypass: true"

# RTP to the gateway's port for the in leg, from a port the SDP does not name
send_rtp() {     # send_rtp PORT COUNT
	python3 - "$1" "$2" <<'EOF'
import socket, struct, sys, time
port, n = int(sys.argv[1]), int(sys.argv[2])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 0))
for i in range(n):
    s.sendto(struct.pack("!BBHII", 0x80, 0, 100 + i, 160 * i, 0x1234abcd) + b"\xff" * 160,
             ("127.0.0.1", port))
    time.sleep(0.02)
EOF
}
# live_in JQ: poll the in leg's media until JQ holds
live_in() { wait_for sh -c "curl -s -u 'admin:$PW' '${URL}api/v1/calls' | jq -e '.calls[0].media.in | $1' >/dev/null"; }

# (d) bypass off on both: anchored, RTP from elsewhere than the SDP's dropped
put_trunk lync '{"media_bypass":false}' "trunk lync: bypass off"
put_trunk itsp '{"media_bypass":false}' "trunk itsp: bypass off"
sipp_uas d_uas "$UAS_PORT" uas_bypass.xml; U=$UAS
sipp_call d 127.0.0.2 uac_bypass.xml -s 0304 >/dev/null &
C=$!; PIDS+=("$C")
live_in '. != null and .local_port > 0'; ok $? "anchored: the in leg has an RTP session and port"
live=$(calls)
is "false" "$(jq -r '.calls[0].media_bypass' <<<"$live")" "live call: media_bypass false"
send_rtp "$(jq -r '.calls[0].media.in.local_port' <<<"$live")" 20
live_in '.foreign_packets >= 20 and .rx_packets == 0'; ok $? "20 RTP packets from an address the SDP does not name are dropped and counted"
wait "$C"; ok $? "the anchored call ends normally"
wait "$U"
wait_for test "$(sqlite3 "$S/trunkgate.db" "select count(*) from cdrs where called = '0304'")" = 1
is "0" "$(sqlite3 "$S/trunkgate.db" "select media_bypass from cdrs where called = '0304'")" "its CDR: media_bypass 0"

# (e) bypass on for lync only: its leg is anchored but latches to any source
put_trunk lync '{"media_bypass":true}' "trunk lync: bypass on again (itsp off)"
sipp_uas e_uas "$UAS_PORT" uas_bypass.xml; U=$UAS
sipp_call e 127.0.0.2 uac_bypass.xml -s 0305 >/dev/null &
C=$!; PIDS+=("$C")
live_in '. != null and .local_port > 0'; ok $? "one bypass trunk: the call is anchored, the in leg has a port"
send_rtp "$(calls | jq -r '.calls[0].media.in.local_port')" 20
live_in '.rx_packets >= 19 and .foreign_packets == 0'; ok $? "RTP from an address the SDP does not name is taken (latched)"
wait_for sh -c "curl -s -u 'admin:$PW' '${URL}api/v1/calls' | jq -e '.calls[0].media.out.tx_packets >= 19' >/dev/null"
ok $? "and relayed to the anchored out leg (the bypass leg's session is bridged)"
wait "$C"; ok $? "that call ends normally"
wait "$U"
finish
