#!/usr/bin/env bash
# test_lifecycle.sh -- the daemon's life: the state-folder lock, sd_notify
# READY/WATCHDOG/STOPPING, SIGHUP re-reading the log level, SIGTERM finishing
# a request in flight and exiting 0, restart keeping data, and refusing a
# database that is newer than it knows or corrupt, leaving it untouched.
. "$(dirname "$0")/lib.sh"

S=$WORK/state
# sd_notify: a datagram socket that records what the daemon says.
cat >"$WORK/notify.py" <<'PY'
import socket, sys, os
path, out = sys.argv[1], sys.argv[2]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(path)
s.settimeout(60)
with open(out, "a", buffering=1) as f:
    while True:
        try:
            data = s.recv(4096)
        except socket.timeout:
            break
        f.write(data.decode().replace("\n", "|") + "\n")
        if b"STOPPING=1" in data:
            break
PY
python3 "$WORK/notify.py" "$WORK/notify.sock" "$WORK/notify.log" &
NPID=$!; PIDS+=("$NPID")
wait_for test -S "$WORK/notify.sock"

printf 'log_level = info\n' >"$WORK/t.conf"
NOTIFY_SOCKET=$WORK/notify.sock WATCHDOG_USEC=400000 start_daemon "$S" --config "$WORK/t.conf"
ok $? "daemon starts"
P1=$DPID
wait_for grep -q 'READY=1' "$WORK/notify.log"; ok $? "sd_notify READY=1 is sent"
wait_for sh -c "grep -c 'WATCHDOG=1' '$WORK/notify.log' | grep -qv '^[01]$'"; ok $? "watchdog pings are sent from the loop"

# A second daemon on the same state folder refuses.
out=$("$TRUNKGATED" --state-dir "$S" --http 127.0.0.1:0 2>&1); rc=$?
is 1 "$rc" "a second daemon on the same state folder exits 1"
like "$out" "in use by another trunkgated \\(pid $P1\\)" "and names the running pid"
r=$(http GET /api/v1/health)
like "$r" '^200 ' "the first daemon is unaffected"

# SIGHUP re-reads the log level.
grep -q ' debug ' "$S.log"; [ $? -ne 0 ]; ok $? "no debug lines at info level"
printf 'log_level = debug\n' >"$WORK/t.conf"
kill -HUP "$P1"
wait_for grep -q 'SIGHUP: log level is debug' "$S.log"; ok $? "SIGHUP applies the new log level"
curl -s "${URL}api/v1/health" >/dev/null
wait_for grep -q ' debug .*GET /api/v1/health' "$S.log"; ok $? "debug lines appear after SIGHUP"

# SIGTERM while a slow request is uploading: it is answered, then exit 0.
PW=$(cat "$S/initial-admin-password")
printf '{"location":"%s"}' "$(head -c 40000 /dev/zero | tr '\0' 'y')" >"$WORK/slow.json"
curl -s -o "$WORK/slow.out" -w '%{http_code}' --limit-rate 20k -u "admin:$PW" -X PUT \
	-H 'Content-Type: application/json' --data-binary @"$WORK/slow.json" \
	"${URL}api/v1/settings" >"$WORK/slow.code" &
CPID=$!
wait_for sh -c "ss -tn state established | grep -q ':${URL##*:}' "
sleep 0.5
kill -TERM "$P1"
wait "$CPID"
code=$(cat "$WORK/slow.code")
is 400 "$code" "the request in flight at SIGTERM is answered (400: location too long)"
wait "$P1"; rc=$?
is 0 "$rc" "SIGTERM exits 0"
wait_for grep -q 'STOPPING=1' "$WORK/notify.log"; ok $? "sd_notify STOPPING=1 is sent"
[ ! -e "$S/http.url" ]; ok $? "http.url is removed on exit"
ev=$(sqlite3 "$S/trunkgate.db" "select group_concat(kind, ',') from events")
is "user-created,daemon-start,daemon-stop" "$ev" "start and stop are recorded as events"

# Restart: same data, same admin, no new password file.
start_daemon "$S"; ok $? "restart on the same state folder"
r=$(http GET /api/v1/status -u "admin:$PW")
like "$r" '^200 ' "the admin password survives the restart"
n=$(sqlite3 "$S/trunkgate.db" "select count(*) from users")
is 1 "$n" "no second admin is created"
stop_daemon "$DPID"; is 0 "$STOP_RC" "second stop exits 0"

# A database from a newer release is refused and left untouched.
cp "$S/trunkgate.db" "$WORK/newer.db"
sqlite3 "$WORK/newer.db" "PRAGMA journal_mode=DELETE; PRAGMA user_version=999;" >/dev/null
sum1=$(sha256sum <"$WORK/newer.db")
out=$("$TRUNKGATED" --state-dir "$WORK/s2" --db "$WORK/newer.db" --http 127.0.0.1:0 2>&1); rc=$?
is 1 "$rc" "a newer-schema database makes the daemon exit 1"
like "$out" 'schema version 999, newer than this trunkgated knows' "with a clear message"
is "$sum1" "$(sha256sum <"$WORK/newer.db")" "and the file is untouched"

# A file that is not a database is refused and left untouched.
head -c 65536 /dev/urandom >"$WORK/junk.db"
sum1=$(sha256sum <"$WORK/junk.db")
out=$("$TRUNKGATED" --state-dir "$WORK/s3" --db "$WORK/junk.db" --http 127.0.0.1:0 2>&1); rc=$?
is 1 "$rc" "a corrupt database makes the daemon exit 1"
like "$out" 'not a usable trunkgate database' "with a clear message"
is "$sum1" "$(sha256sum <"$WORK/junk.db")" "and the file is untouched"

# The HTTP port taken: a clear error, not a hang.
start_daemon "$WORK/s4"; P4=$DPID
port=${URL##*:}; port=${port%/}
out=$("$TRUNKGATED" --state-dir "$WORK/s5" --http "127.0.0.1:$port" --sip 127.0.0.1:0 2>&1); rc=$?
is 1 "$rc" "a busy HTTP port makes the daemon exit 1"
like "$out" "cannot listen for HTTP on 127.0.0.1:$port" "with a clear message"
stop_daemon "$P4"
finish
