#!/usr/bin/env bash
# test_rt_sched.sh -- trunkgated runs its time-critical threads real-time:
# the media engine's thread ("media") and the sim span I/O thread ("hw-sim")
# are SCHED_FIFO at rt_priority (default 10, --rt-priority / rt_priority in
# the bootstrap file), every other thread (main, HTTP, SQLite, resolver...)
# keeps normal scheduling; rt_priority 0 leaves them all normal; without the
# right to use SCHED_FIFO (no CAP_SYS_NICE, RLIMIT_RTPRIO 0) the daemon says
# so once at info and runs on.  Reads each thread's policy with chrt -p.
. "$(dirname "$0")/lib.sh"

if [ "$(id -u)" -ne 0 ]; then
	echo "1..0 # SKIP needs root to make threads SCHED_FIFO (CI and the dev container run as root)"
	exit 0
fi
for tool in chrt setpriv prlimit jq; do
	if ! command -v "$tool" >/dev/null; then
		echo "1..0 # SKIP $tool not installed (util-linux / jq)"
		exit 0
	fi
done

# threads PID: one "TID NAME POLICY PRIORITY" line a thread
threads() {
	local t tid name pol prio
	for t in /proc/"$1"/task/*; do
		tid=${t##*/}
		name=$(cat "$t/comm" 2>/dev/null) || continue
		pol=$(chrt -p "$tid" 2>/dev/null | sed -n 's/.*scheduling policy: //p')
		prio=$(chrt -p "$tid" 2>/dev/null | sed -n 's/.*scheduling priority: //p')
		echo "$tid ${name// /_} $pol $prio"
	done
}
# policy_of PID NAME: "POLICY PRIORITY" of the thread called NAME
policy_of() { threads "$1" | awk -v n="$2" '$2 == n { print $3, $4; exit }'; }
# wait_thread PID NAME: until the thread exists
wait_thread() { threads "$1" | awk -v n="$2" '$2 == n { f = 1 } END { exit !f }'; }
# span PASSWORD: create an E1 sim span, which starts the hw-sim I/O thread
span() {
	http POST /api/v1/spans -u "admin:$1" -H 'Content-Type: application/json' \
		-d '{"name":"carrier","type":"E1","pri_side":"user"}' >/dev/null
}

# --- the default: rt_priority 10
S=$WORK/state
start_daemon "$S" || { ok 1 "daemon starts"; finish; }
span "$(cat "$S/initial-admin-password")"
wait_thread "$DPID" hw-sim; ok $? "a sim span starts the hw-sim I/O thread"
is "SCHED_FIFO 10" "$(policy_of "$DPID" media)" "the media engine thread runs SCHED_FIFO at priority 10 by default"
is "SCHED_FIFO 10" "$(policy_of "$DPID" hw-sim)" "the span I/O thread runs SCHED_FIFO at priority 10 by default"
is "SCHED_OTHER 0" "$(threads "$DPID" | awk -v p="$DPID" '$1 == p { print $3, $4 }')" \
	"the main thread keeps normal scheduling"
others=$(threads "$DPID" | awk '$2 != "media" && $2 != "hw-sim" && $3 != "SCHED_OTHER"')
is "" "$others" "no other thread (HTTP, SQLite, resolver...) is real-time"
nthreads=$(threads "$DPID" | wc -l)
[ "$nthreads" -gt 3 ]; ok $? "the daemon has more threads than these ($nthreads) and they were all checked"
stop_daemon "$DPID"
is 0 "$STOP_RC" "the daemon stops cleanly with real-time threads"

# --- rt_priority from the bootstrap file
printf 'rt_priority = 25\n' >"$WORK/rt.conf"
S=$WORK/state25
start_daemon "$S" --config "$WORK/rt.conf" || { ok 1 "daemon starts with rt_priority = 25"; finish; }
span "$(cat "$S/initial-admin-password")"
wait_thread "$DPID" hw-sim
is "SCHED_FIFO 25" "$(policy_of "$DPID" media)" "rt_priority = 25 in the file: the media thread at 25"
is "SCHED_FIFO 25" "$(policy_of "$DPID" hw-sim)" "rt_priority = 25 in the file: the span thread at 25"
stop_daemon "$DPID"

# --- rt_priority 0: nothing real-time
S=$WORK/state0
start_daemon "$S" --rt-priority 0 || { ok 1 "daemon starts with --rt-priority 0"; finish; }
span "$(cat "$S/initial-admin-password")"
wait_thread "$DPID" hw-sim
is "" "$(threads "$DPID" | awk '$3 != "SCHED_OTHER"')" "--rt-priority 0: every thread keeps normal scheduling"
stop_daemon "$DPID"

# --- not permitted: root without CAP_SYS_NICE and with RLIMIT_RTPRIO 0
cat >"$WORK/noperm" <<EOF
#!/bin/sh
exec prlimit --rtprio=0 setpriv --inh-caps=-sys_nice --bounding-set=-sys_nice "$TRUNKGATED" "\$@"
EOF
chmod +x "$WORK/noperm"
S=$WORK/statenp
REAL=$TRUNKGATED
TRUNKGATED=$WORK/noperm
start_daemon "$S" || { ok 1 "daemon starts without the right to use SCHED_FIFO"; finish; }
TRUNKGATED=$REAL
span "$(cat "$S/initial-admin-password")"
wait_thread "$DPID" hw-sim; ok $? "without CAP_SYS_NICE the daemon runs and opens the span"
is "" "$(threads "$DPID" | awk '$3 != "SCHED_OTHER"')" "not permitted: every thread runs with normal scheduling"
n=$(grep -c 'real-time scheduling not permitted; running with normal priority' "$S.log")
is 1 "$n" "not permitted: said once at info for the media and span threads together"
like "$(cat "$S.log")" 'info.*real-time scheduling not permitted' "the line is at info level"
stop_daemon "$DPID"
is 0 "$STOP_RC" "and it stops cleanly"

# --- as the systemd unit runs it: an unprivileged user, no capabilities,
# LimitRTPRIO=99 (RLIMIT_RTPRIO is all SCHED_FIFO needs)
# (needs CAP_SYS_RESOURCE to raise the hard limit, as systemd does; some
# containers drop it)
if ! prlimit --rtprio=99 true 2>/dev/null; then
	echo "# skipped the unprivileged case: cannot raise RLIMIT_RTPRIO here (no CAP_SYS_RESOURCE)"
elif getent passwd nobody >/dev/null &&
	setpriv --reuid=nobody --regid=nogroup --clear-groups test -x "$TRUNKGATED" 2>/dev/null; then
	printf '#!/bin/sh\nexec prlimit --rtprio=99 setpriv --reuid=nobody --regid=nogroup --clear-groups --inh-caps=-all --bounding-set=-all "%s" "$@"\n' \
		"$TRUNKGATED" >"$WORK/asuser"
	chmod +x "$WORK/asuser"
	S=$WORK/stateuser
	mkdir -p "$S" && chown nobody:nogroup "$S"
	chmod 755 "$WORK"
	TRUNKGATED=$WORK/asuser
	start_daemon "$S" || { ok 1 "daemon starts as nobody with RLIMIT_RTPRIO 99"; finish; }
	TRUNKGATED=$REAL
	is "nobody" "$(ps -o user= -p "$DPID")" "the daemon runs as an unprivileged user"
	is "SCHED_FIFO 10" "$(policy_of "$DPID" media)" \
		"unprivileged with RLIMIT_RTPRIO 99 (the unit's LimitRTPRIO=): the media thread is SCHED_FIFO"
	is 0 "$(grep -c 'not permitted' "$S.log")" "and nothing is refused"
	stop_daemon "$DPID"
else
	echo "# skipped the unprivileged case: no user nobody, or it cannot run $TRUNKGATED"
fi

finish
