#!/usr/bin/env bash
# test_sip_baresip.sh -- a real SIP user agent, baresip (Debian's
# baresip-core), against the gateway; tgsim plays the PRI carrier.  Each
# baresip plays a sine of its own (ausine) and records what it decodes
# (sndfile); wav_tone.py finds the far end's tone in that recording, tgsim's
# `expect tone` hears baresip's on the B channel.  baresip is driven through
# its ctrl_tcp module (baresip_ctl.py).
#  (1) baresip A -> gateway -> PRI: tgsim answers, 1004 Hz reaches A and A's
#      1400 Hz reaches tgsim; A hangs up, CDR cause 16 released by the caller;
#  (2) PRI -> gateway -> A (answermode auto): the same audio checks, tgsim
#      hangs up;
#  (3) SIP <-> SIP: A -> gateway -> baresip B (on 127.0.0.2, its own
#      trunk): A hears B's 800 Hz, B hears A's 1400 Hz;
#  (4) hold and resume from A (re-INVITE a=sendonly, then sendrecv): the
#      gateway answers recvonly and stops sending, the call stays up, the
#      carrier's tone reaches A again after the resume;
#  (5) blind transfer: A (on a refer=act trunk) transfers the carrier to
#      B's number with REFER; the carrier and B hear each other, A gets BYE;
#  (6) early media: with early_media=immediate the gateway answers A's
#      INVITE with 183 and SDP, and the carrier's tone reaches A while the
#      call only rings;
#  (7) PRI -> A with answermode early: A's 183 with SDP, the call rings on
#      the span, then A accepts.
# baresip 1.0 cannot send an INVITE without SDP (delayed offer), nor a
# re-INVITE without SDP: those stay with the SIPp tests (test_sip.sh).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/sip_lib.sh"
TGSIM=${TGSIM:-$TG_BUILDDIR/tgsim}
BARESIP=${BARESIP:-baresip}
BARESIP_MODULES=${BARESIP_MODULES:-/usr/lib/baresip/modules}
HERE=$TG_SRCDIR/tests/integration

if ! command -v "$BARESIP" >/dev/null 2>&1; then
	echo "1..0 # SKIP baresip not installed (Debian package baresip-core; scripts/install-deps.sh)"
	exit 0
fi
for m in account g711 ausine aubridge sndfile ctrl_tcp menu; do
	if [ ! -f "$BARESIP_MODULES/$m.so" ]; then
		echo "1..0 # SKIP baresip module $m.so not in $BARESIP_MODULES"
		exit 0
	fi
done

# wait_long COMMAND...: retry up to ~60 s (a liveness guard on a loaded machine)
wait_long() {
	local i
	for i in $(seq 1 600); do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	return 1
}

declare -A BS_PID BS_CTRL BS_PORT BS_IP
# bs_start NAME IP FREQ USER: baresip UA NAME (sip:USER@IP:port), SIP on IP, in
# $WORK/NAME (its log NAME.log, SIP trace included); it plays a FREQ Hz
# sine into every call, records what it decodes into NAME/dump-*-dec.wav and
# answers calls at once.  SIP and control ports are free ones, taken again
# when baresip could not bind them (the machine is shared).
bs_start() {
	local name=$1 ip=$2 freq=$3 user=$4 dir=$WORK/$1 try pid
	mkdir -p "$dir"
	for try in 1 2 3; do
		BS_PORT[$name]=$(free_port) BS_CTRL[$name]=$(free_port) BS_IP[$name]=$ip
		# media on 127.0.0.1 whatever IP is: baresip 1.0 binds its RTP
		# sockets to 0.0.0.0, so its RTP to the gateway leaves from
		# 127.0.0.1, and the gateway takes RTP only from the SDP's address
		printf '%s\n' "poll_method epoll" "net_interface 127.0.0.1" "sip_listen $ip:${BS_PORT[$name]}" \
			"call_max_calls 4" "audio_source ausine,$freq" "audio_player aubridge,$name" \
			"audio_alert aubridge,$name" "ausrc_srate 48000" "ausrc_channels 2" \
			"rtp_stats no" "statmode_default off" "module_path $BARESIP_MODULES" \
			"module g711.so" "module ausine.so" "module aubridge.so" "module sndfile.so" \
			"module_tmp account.so" "module_app menu.so" "module_app ctrl_tcp.so" \
			"ctrl_tcp_listen 127.0.0.1:${BS_CTRL[$name]}" "snd_path $dir" >"$dir/config"
		printf '<sip:%s@%s:%s>;regint=0;answermode=auto;audio_codecs=pcmu\n' \
			"$user" "$ip" "${BS_PORT[$name]}" >"$dir/accounts"
		: >"$dir/contacts"
		"$BARESIP" -f "$dir" -s </dev/null >"$dir.log" 2>&1 &
		pid=$!
		wait_long sh -c "grep -q 'baresip is ready' '$dir.log' || ! kill -0 $pid"
		if kill -0 "$pid" 2>/dev/null && ss -Hltn | grep -q "127.0.0.1:${BS_CTRL[$name]} "; then
			BS_PID[$name]=$pid
			PIDS+=("$pid")
			return 0
		fi
		kill "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	done
	sed 's/^/#   /' "$dir.log" | tail -n 20
	return 1
}

# bs NAME COMMAND [PARAMS]: a command to baresip NAME (menu's commands:
# dial, hangup, hold, resume, transfer, accept, answermode, listcalls)
bs() {
	python3 "$HERE/baresip_ctl.py" "${BS_CTRL[$1]}" "${@:2}"
}
declare -A BS_MARK
# bs_mark NAME: remember where NAME's log ends; bs_since NAME prints what
# it logged since (SIP messages included), bs_in NAME REGEX waits for it
bs_mark() { BS_MARK[$1]=$(wc -l <"$WORK/$1.log"); }
bs_since() { tail -n +"$((BS_MARK[$1] + 1))" "$WORK/$1.log" | tr -d '\r'; }
bs_in() { wait_long sh -c "tail -n +$((BS_MARK[$1] + 1)) '$WORK/$1.log' | grep -Eq -- '$2'"; }
# bs_rec NAME: the recording of what NAME decoded in its call since the mark
bs_rec() { bs_since "$1" | grep 'sndfile: dumping decode audio to' | tail -n 1 | sed 's/.* to //'; }
# tone_in FILE FREQ SECONDS [FROM]: FILE has FREQ Hz in 20 ms frames that
# add up to SECONDS, half a second of them in a row (after FROM seconds of
# it).  Not all in a row: on a loaded machine a frame of silence now and
# then comes through (late audio), and a 20 ms frame that scores as a pure
# FREQ Hz tone is no accident.
tone_in() {
	[ -s "$1" ] || return 1
	python3 "$HERE/wav_tone.py" "$1" "$2" "${4:-0}" |
		awk -v want="$3" '{ split($2, t, "="); split($3, l, "="); exit !(t[2] >= want && l[2] >= 0.5) }'
}
calls() { curl -s -u "admin:$PW" "${URL}api/v1/calls"; }
calls_is() { calls | jq -e "$1" >/dev/null; }
sql() { sqlite3 -separator ' ' "$S/trunkgate.db" "$1"; }

# TG_BARESIP_ONLY="2 4": run only those parts (while debugging one)
part() { [ -z "${TG_BARESIP_ONLY:-}" ] || [[ " $TG_BARESIP_ONLY " == *" $1 "* ]]; }

sip_start -l debug || finish
expect_code() {         # expect_code CODE DESCRIPTION METHOD PATH [curl args]
	local code=$1 what=$2 r; shift 2
	r=$(api "$@")
	like "$r" "^$code " "$what"
}
status_is() { curl -s -u "admin:$PW" "${URL}api/v1/status" | jq -e "$1" >/dev/null; }

bs_start a 127.0.0.1 1400 4000; ok $? "baresip A (sip:4000@127.0.0.1) listens (plays 1400 Hz)"
bs_start b 127.0.0.2 800 5000; ok $? "baresip B (sip:5000@127.0.0.2) listens (plays 800 Hz)"
like "$(cat "$WORK/a.log")" 'ausine' "baresip A's source is ausine"

expect_code 201 "span carrier (we are the user side)" POST /api/v1/spans -d '{"name":"carrier","type":"E1","pri_side":"user"}'
expect_code 201 "SIP trunk a toward baresip A (refer=act)" POST /api/v1/sip-trunks \
	-d "{\"name\":\"a\",\"interop\":\"refer=act\",\"options_interval\":0,\"next_hops\":[{\"host\":\"127.0.0.1\",\"port\":${BS_PORT[a]}}]}"
expect_code 201 "SIP trunk b toward baresip B" POST /api/v1/sip-trunks \
	-d "{\"name\":\"b\",\"options_interval\":0,\"next_hops\":[{\"host\":\"127.0.0.2\",\"port\":${BS_PORT[b]}}]}"
expect_code 201 "group carrier-g" POST /api/v1/trunk-groups -d '{"name":"carrier-g","kind":"span","members":[{"span":"carrier"}]}'
expect_code 201 "group a-g" POST /api/v1/trunk-groups -d '{"name":"a-g","kind":"sip","members":[{"sip_trunk":"a"}]}'
expect_code 201 "group b-g" POST /api/v1/trunk-groups -d '{"name":"b-g","kind":"sip","members":[{"sip_trunk":"b"}]}'
expect_code 201 "route a 1... -> carrier" POST /api/v1/routes -d '{"name":"a-1","source_group":"a-g","called_prefix":"1","destinations":[{"group":"carrier-g"}]}'
expect_code 201 "route a 2... -> b" POST /api/v1/routes -d '{"name":"a-2","source_group":"a-g","called_prefix":"2","destinations":[{"group":"b-g"}]}'
expect_code 201 "route carrier 3... -> a" POST /api/v1/routes -d '{"name":"car-3","source_group":"carrier-g","called_prefix":"3","destinations":[{"group":"a-g"}]}'
# baresip 1.0 takes only INVITEs for its own user: every number routed to
# a UA becomes its user as the call leaves into the UA's group
expect_code 201 "calls into a-g are for 4000" POST /api/v1/manipulation-rules \
	-d '{"group":"a-g","direction":"out","field":"called","match":"regex","pattern":"^.*$","replacement":"4000"}'
expect_code 201 "calls into b-g are for 5000" POST /api/v1/manipulation-rules \
	-d '{"group":"b-g","direction":"out","field":"called","match":"regex","pattern":"^.*$","replacement":"5000"}'
wait_for status_is '[.spans[] | select(.name == "carrier")] | length == 1'

CAR="span carrier $S/sim/carrier.sock type=E1 switch=euroisdn side=network"
# carrier NAME LINES...: tgsim runs these lines in the background (pid in
# TG, events in $WORK/NAME.tgsim); returns once the span's link is up
carrier() {
	local name=$1; shift
	printf '%s\n' "$CAR" "expect link up carrier within 30" "$@" >"$WORK/$name.script"
	"$TGSIM" -f "$WORK/$name.script" >"$WORK/$name.tgsim" 2>"$WORK/$name.tgsim.err" &
	TG=$!; PIDS+=("$TG")
	wait_long grep -q '"event":"expect-ok","line":2' "$WORK/$name.tgsim"
}
# carrier_done NAME DESCRIPTION: tgsim ended with 0 (its last events shown if not)
carrier_done() {
	local rc
	wait "$TG"; rc=$?
	ok $rc "$2"
	[ "$rc" -eq 0 ] || tail -n 8 "$WORK/$1.tgsim" | sed 's/^/#   /'
}
# heard NAME FREQ: tgsim NAME reported FREQ Hz heard
heard() { grep -q "\"event\":\"expect-ok\".*\"tone\":$2\\.0" "$WORK/$1.tgsim"; }
# rec_has NAME FREQ DESCRIPTION: baresip NAME's newest recording carries
# FREQ Hz for 2 s in a row (waits for it while the call goes on)
# (in the call since bs_mark NAME)
rec_has() {
	bs_in "$1" 'sndfile: dumping decode audio'
	file_has "$(bs_rec "$1")" "$2" "$3"
}
# file_has FILE FREQ DESCRIPTION [FROM]: the same for a recording FILE
# (after FROM seconds of it)
file_has() {
	wait_long tone_in "$1" "$2" 2 "${4:-0}"
	ok $? "$3"
	echo "# $(basename "$1"): $(python3 "$HERE/wav_tone.py" "$1" "$2" "${4:-0}" 2>&1)"
}
# rec_seconds FILE: how many seconds the recording FILE holds now
rec_seconds() { python3 "$HERE/wav_tone.py" "$1" 1004 | sed 's/^seconds=\([0-9.]*\).*/\1/'; }
# cdr_of CALLED COLUMNS: those columns of the CDR for CALLED, once written
cdr_of() {
	wait_long sh -c "[ \$(sqlite3 '$S/trunkgate.db' \"select count(*) from cdrs where called = '$1'\") -ge 1 ]"
	sql "select $2 from cdrs where called = '$1'"
}

# ---- (1) baresip A -> PRI ----
if part 1; then
carrier c1 "expect call to 1000001 on carrier as c1 within 60" "answer c1" "play tone 1004 c1" \
	"expect tone 1400 c1 within 60" "expect dtmf 159 c1 within 60" "expect release c1 cause 16 within 120"
ok $? "(1) the carrier's span is up"
bs_mark a
bs a dial "sip:1000001@$SIP_TARGET" >/dev/null; ok $? "(1) A dials 1000001 at the gateway"
wait_long calls_is '.calls[0].state == "answered"'; ok $? "(1) the call is answered (API)"
like "$(calls | jq -c '.calls[0] | [.in.trunk, .out.trunk, .called]')" '^\["a","carrier","1000001"\]$' \
	"(1) from trunk a to span carrier, called 1000001"
bs_in a 'Call established'; ok $? "(1) A says the call is established"
rec_has a 1004 "(1) A's recording carries the carrier's 1004 Hz"
wait_long heard c1 1400; ok $? "(1) the carrier hears A's 1400 Hz"
like "$(bs_since a | awk '/^SIP\/2\.0 200 OK/{f=1} f && /^m=audio/{print; exit}')" ' RTP/AVP 0 101$' \
	"(1) the gateway's answer keeps A's telephone-event (PCMU and 101)"
bs a sndcode 159 >/dev/null; ok $? "(1) A sends DTMF 159 (RFC 4733)"
wait_long grep -q '"dtmf":"159"' "$WORK/c1.tgsim"; ok $? "(1) the carrier hears 159 in-band"
bs a hangup >/dev/null; ok $? "(1) A hangs up"
carrier_done c1 "(1) the carrier sees the release with cause 16"
like "$(bs_since a)" 'BYE sip:' "(1) A sent BYE"
is "sip a pri carrier 16 caller 1" \
	"$(cdr_of 1000001 "in_kind, in_trunk, out_kind, out_trunk, cause, released_by, answer_at is not null")" \
	"(1) CDR: SIP in on a, PRI out on carrier, cause 16, released by the caller"
fi

# ---- (2) PRI -> baresip A (answers at once) ----
if part 2; then
# the carrier hangs up when A sends DTMF 7 (after the checks below)
bs_mark a
carrier c2 "call carrier 5550002 3000002 as c2" "expect answer c2 within 60" "play tone 1004 c2" \
	"expect tone 1400 c2 within 60" "expect dtmf 7 c2 within 120" "hangup c2" "expect release c2 within 30"
ok $? "(2) the carrier's span is up"
bs_in a 'Call established'; ok $? "(2) A takes the carrier's call"
like "$(bs_since a | grep -m1 '^INVITE ')" '^INVITE sip:4000@127\.0\.0\.1:[0-9]+' "(2) A's INVITE is for 4000 (3000002 as it left into a-g)"
like "$(bs_since a | grep -m1 '^From:')" '5550002@' "(2) from the carrier's 5550002"
wait_long calls_is '.calls[0].state == "answered"'
like "$(calls | jq -c '.calls[0] | [.in.trunk, .out.trunk, .called]')" '^\["carrier","a","3000002"\]$' \
	"(2) the API shows it answered, from carrier to a"
rec_has a 1004 "(2) A's recording carries the carrier's 1004 Hz"
wait_long heard c2 1400; ok $? "(2) the carrier hears A's 1400 Hz"
bs a sndcode 7 >/dev/null
carrier_done c2 "(2) the carrier hears A's DTMF 7 and hangs up"
bs_in a 'terminated'; ok $? "(2) A sees the call end"
like "$(bs_since a | grep -m1 '^BYE ')" '^BYE sip:' "(2) with a BYE from the gateway"
is "pri carrier sip a 16 caller" "$(cdr_of 3000002 "in_kind, in_trunk, out_kind, out_trunk, cause, released_by")" \
	"(2) CDR: PRI in on carrier, SIP out on a, cause 16, released by the caller"
fi

# ---- (3) SIP <-> SIP: baresip A -> gateway -> baresip B ----
if part 3; then
wait_long calls_is '.active == 0'     # (2)'s call is gone from the list
bs_mark a; bs_mark b
bs a dial "sip:2000003@$SIP_TARGET" >/dev/null; ok $? "(3) A dials 2000003"
bs_in b 'Call established'; ok $? "(3) B answers"
bs_in a 'Call established'; ok $? "(3) A is connected"
wait_long calls_is '[.calls[] | select(.out.trunk == "b" and .state == "answered")] | length == 1'
like "$(calls | jq -c '.calls[] | select(.out.trunk == "b") | [.state, .in.trunk, .out.trunk]')" '^\["answered","a","b"\]$' "(3) the API shows a -> b answered"
rec_has a 800 "(3) A hears B's 800 Hz"
rec_has b 1400 "(3) B hears A's 1400 Hz"
is 0 "$(bs_since b | grep -c ":${BS_PORT[a]}")" "(3) nothing B got names A's address (topology hiding)"
bs a hangup >/dev/null
bs_in b 'terminated'; ok $? "(3) A hangs up, B sees the call end"
is "sip a sip b 16 caller" "$(cdr_of 2000003 "in_kind, in_trunk, out_kind, out_trunk, cause, released_by")" \
	"(3) CDR: SIP a -> SIP b, cause 16, released by the caller"
fi

# ---- (4) hold and resume from A ----
if part 4; then
# after the resume A sends DTMF 5: the carrier then listens for A's tone again
carrier c4 "expect call to 1000004 on carrier as c4 within 60" "answer c4" "play tone 1004 c4" \
	"expect tone 1400 c4 within 60" "expect dtmf 5 c4 within 300" "expect tone 1400 c4 within 60" \
	"expect release c4 cause 16 within 300"
ok $? "(4) the carrier's span is up"
bs_mark a
bs a dial "sip:1000004@$SIP_TARGET" >/dev/null
wait_long calls_is '.calls[0].state == "answered"'; ok $? "(4) A's call to the carrier is answered"
rec_has a 1004 "(4) A hears the carrier"
rec=$(bs_rec a)
wait_long heard c4 1400; ok $? "(4) the carrier hears A"
# the SIP leg is the call's "in": tx is what the gateway sends A, rx what
# it gets from A
leg() { calls | jq -r ".calls[0].media.in.$1"; }
bs_mark a
bs a hold >/dev/null; ok $? "(4) A puts the call on hold"
bs_in a '^a=recvonly'; ok $? "(4) the gateway answers A's re-INVITE"
like "$(bs_since a | grep -m1 -A40 '^INVITE ' | grep '^a=\(send\|recv\|inact\)')" '^a=sendonly$' "(4) A's re-INVITE offers a=sendonly"
like "$(bs_since a | grep -m1 -A40 '^SIP/2\.0 200 OK' | grep '^a=\(send\|recv\|inact\)')" '^a=recvonly$' "(4) the gateway's 200 answers a=recvonly"
# baresip 1.0 stops sending on its own hold (rx does not grow); the call's
# duration proves the second look at the call list is a fresh one
sleep 1; t1=$(leg tx_packets) d1=$(calls | jq .calls[0].duration_s)
sleep 2.5; t2=$(leg tx_packets) d2=$(calls | jq .calls[0].duration_s)
is "$t1" "$t2" "(4) on hold the gateway sends A no RTP ($t1 packets, then $t2, ${d1} s and ${d2} s into the call)"
ok $(( d2 > d1 ? 0 : 1 )) "(4) ... in two fresh looks at the call list"
is "1 answered" "$(calls | jq -r '"\(.active) \(.calls[0].state)"')" "(4) the call stays up on hold"
bs_mark a
bs a resume >/dev/null; ok $? "(4) A resumes the call"
bs_in a '^a=sendrecv'
like "$(bs_since a | grep -m1 -A40 '^INVITE ' | grep '^a=\(send\|recv\|inact\)')" '^a=sendrecv$' "(4) A's re-INVITE offers a=sendrecv"
like "$(bs_since a | grep -m1 -A40 '^SIP/2\.0 200 OK' | grep -c '^a=\(sendonly\|recvonly\|inactive\)')" '^0$' "(4) the gateway's 200 is sendrecv again"
wait_long sh -c "[ \$(curl -s -u 'admin:$PW' '${URL}api/v1/calls' | jq '.calls[0].media.in.tx_packets') -gt $((t2 + 50)) ]"
ok $? "(4) the gateway sends RTP to A again"
bs a sndcode 5 >/dev/null
wait_long sh -c "grep -c '\"tone\":1400' '$WORK/c4.tgsim' | grep -q 2"
ok $? "(4) after the resume the carrier hears A's DTMF 5 and A's 1400 Hz again"
# What A hears after the resume is not checked by content: baresip 1.0's
# sndfile stops recording what it decodes after its own hold and resume
# (baresip to baresip too), though RTP flows both ways again.
bs a hangup >/dev/null
carrier_done c4 "(4) A hangs up: the carrier sees cause 16"
is "16 caller" "$(cdr_of 1000004 "cause, released_by")" "(4) CDR cause 16, released by the caller"
fi

# ---- (5) blind transfer: A sends REFER, the gateway acts on it (refer=act) ----
if part 5; then
# the carrier hangs up when B (the transfer target) sends DTMF 7
carrier c5 "expect call to 1000005 on carrier as c5 within 60" "answer c5" "play tone 1004 c5" \
	"expect tone 1400 c5 within 60" "expect tone 800 c5 within 120" "expect dtmf 7 c5 within 120" \
	"hangup c5" "expect release c5 within 30"
ok $? "(5) the carrier's span is up"
bs_mark a; bs_mark b
bs a dial "sip:1000005@$SIP_TARGET" >/dev/null
wait_long calls_is '.calls[0].state == "answered"'; ok $? "(5) A's call to the carrier is answered"
wait_long heard c5 1400; ok $? "(5) the carrier hears A"
bs a transfer "sip:2000005@$SIP_TARGET" >/dev/null; ok $? "(5) A transfers the carrier to 2000005"
like "$(bs_since a | grep -m1 '^Refer-To:')" "^Refer-To: <?sip:2000005@" "(5) A's REFER names 2000005"
bs_in a '^SIP/2\.0 202'; ok $? "(5) the gateway accepts the REFER (202)"
bs_in b 'Call established'; ok $? "(5) B (2000005) takes the transferred call"
wait_long heard c5 800; ok $? "(5) the carrier hears B's 800 Hz"
rec_has b 1004 "(5) B hears the carrier's 1004 Hz"
bs_in a '^SIP/2\.0 200 OK$' 
like "$(bs_since a | grep '^SIP/2\.0 [0-9]' | grep -v '^SIP/2\.0 1' | tr '\n' ' ')" 'SIP/2\.0 200 OK' "(5) A's NOTIFYs end with sipfrag 200 OK"
bs_in a 'terminated'; ok $? "(5) A's call ends"
like "$(calls | jq -c '[.active, .calls[0].in.trunk, .calls[0].out.trunk]')" '^\[1,' "(5) one call stays: the carrier and B"
bs b sndcode 7 >/dev/null
carrier_done c5 "(5) the carrier hears B's DTMF 7 and hangs up"
bs_in b 'terminated'; ok $? "(5) B sees the call end"
wait_long sh -c "[ \$(sqlite3 '$S/trunkgate.db' \"select count(*) from cdrs where called = '1000005'\") -eq 2 ]"
is "call sip a 4000 pri carrier 16 caller|-t1 sip b 2000005 pri carrier 16 callee" \
	"$(sql "select case when call_id like '%-t1' then '-t1' else 'call' end, in_kind, in_trunk, calling, out_kind, out_trunk, cause, released_by from cdrs where called = '1000005' order by call_id" | paste -sd'|')" \
	"(5) CDRs: A with the carrier until the transfer, then (-t1) B with the carrier, ended by the carrier"
fi

# ---- (6) early media: 183 with SDP from the gateway, audio before the answer ----
# (the carrier alerts with in-band ringback: progress indicator 8)
if part 6; then
api PUT /api/v1/sip-trunks/a -d '{"interop":"refer=act,early_media=immediate"}' >/dev/null
wait_for status_is '.config.generation >= 1'
# the carrier answers when A sends DTMF 7 during the early media
carrier c6 "expect call to 1000006 on carrier as c6 within 60" "alert c6 inband" "play tone 1004 c6" \
	"expect tone 1400 c6 within 60" "expect dtmf 7 c6 within 120" "answer c6" \
	"expect release c6 cause 16 within 120"
ok $? "(6) the carrier's span is up"
bs_mark a
bs a dial "sip:1000006@$SIP_TARGET" >/dev/null
bs_in a '^SIP/2\.0 183'; ok $? "(6) the gateway sends 183 Session Progress"
like "$(bs_since a | grep -m1 -A30 '^SIP/2\.0 183' | grep -m1 '^m=audio')" 'RTP/AVP 0 101' "(6) with SDP (PCMU and telephone-event)"
rec_has a 1004 "(6) A hears the carrier's tone before the answer (early media)"
wait_long heard c6 1400; ok $? "(6) the carrier hears A before answering"
st=$(calls | jq -r '.calls[0].state')
ok $([ -n "$st" ] && [ "$st" != null ] && [ "$st" != answered ]; echo $?) "(6) the call is not answered yet (API: $st)"
is 0 "$(bs_since a | grep -c 'Call established')" "(6) nor for A"
bs a sndcode 7 >/dev/null
bs_in a 'Call established'; ok $? "(6) A's DTMF 7 reaches the carrier, which answers"
bs a hangup >/dev/null
carrier_done c6 "(6) A hangs up: the carrier sees cause 16"
fi

# ---- (7) PRI -> A with answermode early: A's 183 with SDP, then accept ----
# baresip 1.0's early answer starts no audio source (nor its recording)
# until it accepts, so before the answer only the signalling and the
# gateway's media state are checked
if part 7; then
bs a answermode early >/dev/null; ok $? "(7) A answers with early media from now on"
bs_mark a
carrier c7 "call carrier 5550007 3000007 as c7" "play tone 1004 c7" "expect answer c7 within 300" \
	"expect tone 1400 c7 within 60" "expect dtmf 5 c7 within 60" "hangup c7" "expect release c7 within 30"
ok $? "(7) the carrier's span is up"
bs_in a '^SIP/2\.0 183'; ok $? "(7) A answers the gateway's INVITE with 183"
like "$(bs_since a | grep -m1 -A30 '^SIP/2\.0 183' | grep -m1 '^m=audio')" 'RTP/AVP 0 101' "(7) with SDP"
wait_long grep -q '"event":"progress"' "$WORK/c7.tgsim"; ok $? "(7) the carrier gets PROGRESS (in-band information)"
wait_long calls_is '.calls[0].media_connected == true'; ok $? "(7) the gateway connects the media before the answer (API)"
st=$(calls | jq -r '.calls[0].state')
ok $([ -n "$st" ] && [ "$st" != null ] && [ "$st" != answered ]; echo $?) "(7) the call is not answered yet (API: $st)"
bs a accept >/dev/null; ok $? "(7) A accepts the call"
wait_long grep -q '"event":"answered"' "$WORK/c7.tgsim"; ok $? "(7) the carrier sees the answer"
wait_long heard c7 1400; ok $? "(7) the carrier hears A's 1400 Hz"
bs a sndcode 5 >/dev/null
carrier_done c7 "(7) the carrier hears A's DTMF 5 and hangs up"
bs a answermode auto >/dev/null
fi

for n in a b; do
	kill -TERM "${BS_PID[$n]}" 2>/dev/null
	wait "${BS_PID[$n]}" 2>/dev/null
done
stop_daemon "$DPID"
is 0 "$STOP_RC" "SIGTERM stops the gateway with 0 (under ASan: no leak)"
finish
