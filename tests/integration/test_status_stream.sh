#!/usr/bin/env bash
# test_status_stream.sh -- GET /api/v1/status/stream (Server-Sent Events):
# curl -N reads status frames; a tgsim cable pull shows up in the stream
# within 2 s; 32 streams are served and the 33rd is 503 while normal API
# requests go on answering (no pool thread is held by a stream); a stream
# needs authentication like any GET; the daemon stops cleanly with streams
# open.
. "$(dirname "$0")/lib.sh"
TGSIM=${TGSIM:-$TG_BUILDDIR/tgsim}

S=$WORK/state
start_daemon "$S" || { ok 1 "daemon starts"; finish; }
PW=$(cat "$S/initial-admin-password")
api() { http "$@" -u "admin:$PW" -H 'Content-Type: application/json'; }
STREAM="${URL}api/v1/status/stream"
# last_state FILE SPAN: the span's state in the last status frame of FILE
last_state() {
	grep '^data: ' "$1" | tail -n 1 | cut -c7- | jq -r ".spans[] | select(.name == \"$2\") | .state" 2>/dev/null
}
now_ms() { date +%s%3N; }

like "$(curl -s -o /dev/null -w '%{http_code}' "$STREAM")" '^401$' "a stream needs authentication"

# one stream, headers and the first frame
curl -sN -D "$WORK/h1" -u "admin:$PW" "$STREAM" >"$WORK/s1" 2>/dev/null &
C1=$!; PIDS+=("$C1")
wait_for grep -q '^event: status' "$WORK/s1"; ok $? "curl -N reads a status event"
like "$(tr -d '\r' <"$WORK/h1" | tr '\n' ' ')" '^HTTP/1.1 200 .*Content-Type: text/event-stream' "the answer is text/event-stream"
like "$(head -n 1 "$WORK/s1")" '^retry: 2000$' "the stream starts with a retry hint"
like "$(grep '^data: ' "$WORK/s1" | head -n 1 | cut -c7- | jq -c '.system | keys')" '"uptime_seconds"' \
	"each frame is the status document"

# a span and its far end: the cable pull reaches the stream
like "$(api POST /api/v1/spans -d '{"name":"carrier","type":"E1","pri_side":"user"}')" '^201 ' "span carrier"
wait_for test -S "$S/sim/carrier.sock"
# tgsim reads its whole script first: it attaches, waits for layer 2, pulls
# the cable 3 s later and stays; the moment it pulls is its "fault" line
printf '%s\n' "span carrier $S/sim/carrier.sock type=E1 side=network" \
	"expect link up carrier within 20" "sleep 3" "alarm carrier los on" "sleep 30" |
	"$TGSIM" >"$WORK/sim.out" 2>"$WORK/sim.err" &
PIDS+=("$!")
wait_for sh -c "grep '^data: ' '$WORK/s1' | tail -n 1 | cut -c7- | jq -e '.spans[] | select(.name == \"carrier\") | .state == \"up\"'"
ok $? "the stream shows the span up once tgsim attaches"
t0=
for i in $(seq 1 1000); do
	grep -q '"event":"fault"' "$WORK/sim.out" && { t0=$(now_ms); break; }
	sleep 0.01
done
ok "$([ -n "$t0" ]; echo $?)" "tgsim pulls the cable"
for i in $(seq 1 400); do
	[ "$(last_state "$WORK/s1" carrier)" = alarm ] && break
	sleep 0.02
done
t1=$(now_ms)
is "alarm" "$(last_state "$WORK/s1" carrier)" "the cable pull shows up in the stream"
echo "# cable pull to stream frame: $((t1 - t0)) ms"
ok "$([ $((t1 - t0)) -le 2000 ]; echo $?)" "... within 2 s ($((t1 - t0)) ms)"
wait_for sh -c "grep -A1 '^event: events' '$WORK/s1' | grep '^data: ' | cut -c7- | jq -e '.events[] | select(.kind == \"span-alarm\" and .source == \"carrier\" and .severity == \"critical\")'"
ok $? "the alarm event comes down the stream as an events frame"
like "$(grep -A1 '^event: events' "$WORK/s1" | grep '^data: ' | tail -n 1 | cut -c7- | jq -c '.events[0] | keys')" \
	'"at".*"id".*"kind".*"message".*"severity".*"source"' "... each event as GET /api/v1/events shows it"

# many streams: 32 are served, the 33rd is 503, the API keeps answering
for i in $(seq 2 32); do
	curl -sN -u "admin:$PW" "$STREAM" >"$WORK/s$i" 2>/dev/null &
	PIDS+=("$!")
done
wait_for sh -c "for i in \$(seq 1 32); do grep -q '^event: status' '$WORK/s'\$i || exit 1; done"
ok $? "32 streams each get status events"
like "$(api GET /api/v1/status/stream)" '^503 .*"code":"unavailable"' "the 33rd stream is 503 (the client polls)"
slow=0
for i in $(seq 1 20); do
	r=$(curl -s -o /dev/null -w '%{http_code} %{time_total}' -u "admin:$PW" "${URL}api/v1/spans")
	[ "${r%% *}" = 200 ] || slow=$((slow + 1))
	awk -v t="${r#* }" 'BEGIN { exit !(t < 1.0) }' || slow=$((slow + 1))
done
is 0 "$slow" "with 32 streams open, 20 API requests all answer 200 within 1 s"
like "$(api GET /api/v1/health)" '^200 ' "health answers too"

# a closed stream frees its place
kill "$C1" 2>/dev/null; wait "$C1" 2>/dev/null
ok "$(wait_for sh -c "curl -s -o /dev/null -w '%{http_code}' -m 2 -u 'admin:$PW' '$STREAM' | grep -q 200"; echo $?)" \
	"a client that went away frees its stream (found at the next frame)"

# the daemon stops cleanly with streams open
stop_daemon "$DPID"
is 0 "$STOP_RC" "trunkgated stops with exit 0 while 31 streams are open"
finish
