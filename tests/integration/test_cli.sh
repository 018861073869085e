#!/usr/bin/env bash
# test_cli.sh -- trunkgated's command line and bootstrap file as an operator
# meets them: --version, --help, bad options and bad files refused with a
# clear message and exit status 2, options overriding the file.
. "$(dirname "$0")/lib.sh"

out=$("$TRUNKGATED" --version); rc=$?
is 0 "$rc" "--version exits 0"
like "$out" '^trunkgated [0-9]+\.[0-9]+\.[0-9]+$' "--version prints the version"
out=$("$TRUNKGATED" --help); rc=$?
is 0 "$rc" "--help exits 0"
for o in --config --state-dir --http --sip --demo --log-level --version --help; do
	like "$out" -- "$o" "--help documents $o"
done

out=$("$TRUNKGATED" --bogus 2>&1); rc=$?
is 2 "$rc" "an unknown option exits 2"
like "$out" 'unknown option --bogus' "and names the option"
out=$("$TRUNKGATED" --http 2>&1); rc=$?
is 2 "$rc" "a missing option value exits 2"
out=$("$TRUNKGATED" --http nonsense --state-dir "$WORK/x" 2>&1); rc=$?
is 2 "$rc" "a bad --http value exits 2"
like "$out" 'expected ADDRESS:PORT' "and says what was expected"
out=$("$TRUNKGATED" --log-level loud --state-dir "$WORK/x" 2>&1); rc=$?
is 2 "$rc" "a bad --log-level exits 2"

printf 'state_dir = %s\nhttp = 127.0.0.1:0\nlog_lvl = debug\n' "$WORK/s" >"$WORK/bad.conf"
out=$("$TRUNKGATED" --config "$WORK/bad.conf" 2>&1); rc=$?
is 2 "$rc" "an unknown key in the bootstrap file exits 2"
like "$out" "bad.conf:3: unknown key \"log_lvl\"" "and names file, line and key"
out=$("$TRUNKGATED" --config "$WORK/missing.conf" 2>&1); rc=$?
is 2 "$rc" "a missing --config file exits 2"
like "$out" 'missing.conf: No such file' "and names the file"
[ ! -e "$WORK/s" ]; ok $? "a refused start creates no state folder"

# A good file; options override it.
printf '# test\nstate_dir = %s\nhttp = 127.0.0.1:1\nsip_listen = 127.0.0.1:0\nlog_level = debug\n' "$WORK/s" >"$WORK/good.conf"
"$TRUNKGATED" --config "$WORK/good.conf" --http 127.0.0.1:0 --web-root "$TG_SRCDIR/web/ui" >"$WORK/good.log" 2>&1 &
pid=$!; PIDS+=("$pid")
wait_for test -s "$WORK/s/http.url"; ok $? "the state_dir from the file is used"
URL=$(cat "$WORK/s/http.url" 2>/dev/null)
like "$URL" '^http://127\.0\.0\.1:[0-9]+/$' "--http overrides the file's http"
[ "$URL" != "http://127.0.0.1:1/" ]; ok $? "the file's port was not used"
r=$(http GET /api/v1/health)
like "$r" '^200 ' "the daemon answers"
wait_for test -s "$WORK/s/sip.url"
like "$(cat "$WORK/s/sip.url" 2>/dev/null)" '^sip:127\.0\.0\.1:[0-9]+$' "sip_listen from the file is used (port 0: a free one)"
grep -q ' debug ' "$WORK/good.log"; ok $? "log_level from the file is applied (debug lines)"
perm=$(stat -c %a "$WORK/s/initial-admin-password")
is 600 "$perm" "the initial password file is mode 0600"
stop_daemon "$pid"
is 0 "$STOP_RC" "SIGTERM exits 0"
finish
