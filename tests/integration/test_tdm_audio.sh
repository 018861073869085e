#!/usr/bin/env bash
# test_tdm_audio.sh -- a PRI<->PRI call carries audio both ways: the media
# engine cross-connects the two B channels.  The carrier is a T1 (mu-law,
# NI-2) and the PBX an E1 (A-law, EuroISDN), so the audio is converted on the
# way.  tgsim plays a tone on one end and listens for it on the other
# (Goertzel); a second call on the same B channels works as well (the first
# call's cross-connect was undone when it ended).
. "$(dirname "$0")/lib.sh"
TGSIM=${TGSIM:-$TG_BUILDDIR/tgsim}

S=$WORK/state
start_daemon "$S" || { ok 1 "daemon starts"; finish; }
PW=$(cat "$S/initial-admin-password")
api() { http "$@" -u "admin:$PW" -H 'Content-Type: application/json'; }
mk() { like "$(api POST "$1" -d "$2")" '^201 ' "$3"; }

mk /api/v1/spans '{"name":"carrier","type":"T1","pri_side":"user","switch_type":"ni2"}' "a T1 carrier span (mu-law)"
mk /api/v1/spans '{"name":"pbx","type":"E1","pri_side":"network"}' "an E1 PBX span (A-law)"
mk /api/v1/trunk-groups '{"name":"c","kind":"span","members":[{"span":"carrier"}]}' "group c"
mk /api/v1/trunk-groups '{"name":"p","kind":"span","members":[{"span":"pbx"}]}' "group p"
mk /api/v1/routes '{"name":"in","source_group":"c","destinations":[{"group":"p"}]}' "carrier -> PBX"
wait_for test -S "$S/sim/pbx.sock"

printf '%s\n' "span carrier $S/sim/carrier.sock type=T1 switch=ni2 side=network" \
	"span pbx $S/sim/pbx.sock type=E1 switch=euroisdn side=user" "auto answer pbx" \
	"expect link up carrier within 15" "expect link up pbx within 15" \
	"call carrier 5550001 4930100234 as c1" "expect call on pbx as p1 within 5" \
	"expect answer c1 within 5" \
	"play tone 1004 c1" "expect tone 1004 p1 within 3" \
	"play tone off c1" "play tone 697 p1" "expect tone 697 c1 within 3" \
	"play tone off p1" "send dtmf 42# p1" "expect dtmf 42# c1 within 5" \
	"hangup c1" "expect release p1 cause 16 within 5" \
	"call carrier 5550001 4930100234 as c2" "expect call on pbx as p2 within 5" \
	"expect answer c2 within 5" "play tone 1004 c2" "expect tone 1004 p2 within 3" \
	"hangup p2" "expect release c2 cause 16 within 5" | "$TGSIM" >"$WORK/tdm.out" 2>&1
ok $? "a tone from the T1 carrier is heard on the E1 PBX, a tone and DTMF from the PBX on the carrier; the next call on the same B channels too"
[ $? -eq 0 ] || tail -n 8 "$WORK/tdm.out" | sed 's/^/#   /'
like "$(grep '"event":"expect-ok"' "$WORK/tdm.out" | grep -c dbfs)" '^[2-9]' "tgsim reports the tones' levels"
like "$(grep 'dbfs' "$WORK/tdm.out" | head -1)" '"dbfs":-[0-9]' "... measured, not assumed"

finish
