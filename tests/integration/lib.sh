# lib.sh -- shared helpers for the integration tests: TAP output, starting
# and stopping our own trunkgated on a free loopback port, curl wrappers.
# Sourced by tests/integration/test_*.sh.  Every daemon started here is
# stopped by pid when the script exits, whatever happens.

set -u
TG_BUILDDIR=${TG_BUILDDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
TG_SRCDIR=${TG_SRCDIR:-$TG_BUILDDIR}
TRUNKGATED=${TRUNKGATED:-$TG_BUILDDIR/trunkgated}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/tg-it-XXXXXX")
TAP_N=0
TAP_FAILED=0
PIDS=()

cleanup() {
	for p in "${PIDS[@]:-}"; do
		[ -n "$p" ] && kill -9 "$p" 2>/dev/null
	done
	[ -n "${TG_KEEP:-}" ] && echo "# kept $WORK" || rm -rf "$WORK"
}
trap cleanup EXIT

ok() {          # ok CONDITION-EXIT-CODE DESCRIPTION
	TAP_N=$((TAP_N + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $TAP_N - $2"
	else
		echo "not ok $TAP_N - $2"
		TAP_FAILED=$((TAP_FAILED + 1))
	fi
}

is() {          # is EXPECTED ACTUAL DESCRIPTION
	if [ "$1" = "$2" ]; then
		ok 0 "$3"
	else
		ok 1 "$3"
		echo "#   expected: $1"
		echo "#   got:      $2"
	fi
}

like() {        # like TEXT REGEX DESCRIPTION
	if printf '%s' "$1" | grep -Eq -- "$2"; then
		ok 0 "$3"
	else
		ok 1 "$3"
		echo "#   /$2/ not found in: $(printf '%s' "$1" | head -c 600)"
	fi
}

# The plan comes last (TAP allows it), so adding a check needs no counting.
finish() {
	echo "1..$TAP_N"
	echo "# $((TAP_N - TAP_FAILED)) passed, $TAP_FAILED failed"
	[ "$TAP_FAILED" -eq 0 ]
	exit $?
}

# wait_for COMMAND... : retry up to ~20 s (a liveness guard, not a timing test)
wait_for() {
	local i
	for i in $(seq 1 200); do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	return 1
}

# start_daemon STATE_DIR [extra options...]: starts trunkgated on 127.0.0.1:0
# (HTTP and SIP), sets DPID and URL (http://127.0.0.1:PORT/); its log goes to
# STATE_DIR.log; the SIP address is in STATE_DIR/sip.url once it listens
start_daemon() {
	local state=$1; shift
	rm -f "$state/http.url"         # a killed daemon leaves its old one behind
	rm -f "$state/sip.url"
	# SIP on a free loopback port unless the test names one (the last --sip wins)
	"$TRUNKGATED" --state-dir "$state" --http 127.0.0.1:0 --sip 127.0.0.1:0 \
		--web-root "$TG_SRCDIR/web/ui" "$@" >"$state.log" 2>&1 &
	DPID=$!
	PIDS+=("$DPID")
	if ! wait_for test -s "$state/http.url"; then
		echo "# trunkgated did not come up; log:"
		sed 's/^/#   /' "$state.log"
		return 1
	fi
	URL=$(cat "$state/http.url")
	return 0
}

# stop_daemon PID: SIGTERM and wait; sets STOP_RC to the exit status
stop_daemon() {
	kill -TERM "$1" 2>/dev/null
	wait "$1" 2>/dev/null
	STOP_RC=$?
}

# http METHOD PATH [curl args...]: prints "STATUS BODY" (body on one line)
http() {
	local method=$1 path=$2; shift 2
	curl -s -o "$WORK/body" -w '%{http_code}' -X "$method" "$@" "${URL%/}$path" >"$WORK/code" 2>/dev/null
	printf '%s %s' "$(cat "$WORK/code")" "$(tr -d '\n' <"$WORK/body")"
}
