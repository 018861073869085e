#!/usr/bin/env bash
# bench/sip_kamailio.sh -- trunkgated beside Kamailio in the same run, with
# the same SIPp load (issue 5, Performance).  Signalling only, loopback only,
# free ports.  Kamailio (Debian package `kamailio`; scripts/install-deps.sh
# --bench) runs as a transaction-stateful proxy with record-routing (tm
# t_relay, rr record_route; the config is written below) in front of the
# same SIPp UAS that answers trunkgated's outgoing legs (bench/uas_200.xml:
# 200 at once, no 180, see there why).
#
#  1. highest rate: for each offered rate of RATES, SIPp's built-in uac
#     places RATE x SECONDS_PER_RATE calls (no hold time) through trunkgated
#     (a full B2BUA: two dialogs per call) and then through Kamailio; the
#     highest rate with zero failed calls, every call completed and the run
#     not longer than 125 % of SECONDS_PER_RATE + 2 s (SIPp kept the pace)
#     is the one sustained.
#     The ladder stops at the first rate that fails.  CPU: the process's
#     (Kamailio: all its processes') user + system time over the run, % of
#     one core.  Repeated REPEATS times, systems alternating: medians, range.
#  2. setup latency at LAT_RATE calls/s for SECONDS_PER_RATE: SIPp's response
#     time INVITE -> 200 (-trace_rtt, 1 ms resolution) calling the UAS
#     directly, through trunkgated and through Kamailio; p50/p99, and the
#     p99 added by the gateway (through - direct), REPEATS times.
#  3. memory per held call: for each mode of HELD_MEDIA, a fresh
#     trunkgated, HELD calls set up at HELD_RATE/s and held (sipp -d), RSS
#     before and 35 s after the last one (nta's timer D keeps each answered
#     INVITE transaction 32 s; the trunks' RTP timeout is off, as SIPp
#     sends no RTP).  Per call and per SIP dialog (a B2BUA call has two).
#     "anchored": the media go through trunkgated, each SIP leg holds an
#     RTP and an RTCP socket, so a call needs 4 descriptors and HELD is
#     capped by RLIMIT_NOFILE (the script raises its soft limit to the hard
#     one, and the hard one too when it may: root with CAP_SYS_RESOURCE).
#     "bypass": both trunks have media_bypass, the SDP passes end to end and
#     the calls hold no RTP session nor socket (signalling only).
#
# Env: RATES ("250 500 750 1000 1250 1500 2000 2500"), SECONDS_PER_RATE (30),
# REPEATS (3), LAT_RATE (100), HELD (calls; default: 5000 = 10,000 dialogs,
# anchored lowered to fit the descriptor limit), HELD_RATE (400),
# HELD_MEDIA ("anchored bypass"), KAM_CHILDREN (4),
# SKIP="rate latency held" (parts to leave out), TRUNKGATED, KEEP=1.
set -euo pipefail
cd "$(dirname "$0")/.."
# 4 descriptors per anchored held call: as many as may be had
ulimit -n 200000 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
RATES=${RATES:-"250 500 750 1000 1250 1500 2000 2500"}
SECS=${SECONDS_PER_RATE:-30}
REPEATS=${REPEATS:-3}
LAT_RATE=${LAT_RATE:-100}
HELD_RATE=${HELD_RATE:-400}
SKIP=${SKIP:-}
KAMAILIO=${KAMAILIO:-$(command -v kamailio || echo /usr/sbin/kamailio)}
if [ ! -x "$KAMAILIO" ]; then
	echo "bench/sip_kamailio.sh: skipped, no kamailio (scripts/install-deps.sh --bench)"
	exit 0
fi
work=$(mktemp -d)
pids=()
KAM_PID=
# Kamailio runs in its own process group (setsid): the group goes with it.
cleanup() {
	set +e
	for p in "${pids[@]:-}"; do [ -n "$p" ] && kill -9 "$p" 2>/dev/null; done
	[ -n "$KAM_PID" ] && kill -9 -- "-$KAM_PID" 2>/dev/null
	if [ -n "${KEEP:-}" ]; then echo "kept $work"; else rm -rf "$work"; fi
	return 0
}
trap cleanup EXIT

free_port() {
	python3 -c 'import socket; s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
median() { sort -n | awk '{ v[NR] = $1 } END { if (NR) print v[int((NR + 1) / 2)]; else print "-" }'; }
range() { sort -n | awk 'NR == 1 { lo = $1 } { hi = $1 } END { if (NR) printf "%s-%s", lo, hi; else print "-" }'; }
hz=$(getconf CLK_TCK)

# start_tg DIR UAS_PORT [TRUNK_FIELDS]: a trunkgated whose trunk "callee"
# goes to the SIPp UAS at UAS_PORT, calls from 127.0.0.1 to 1... routed
# there (TRUNK_FIELDS, e.g. ',"media_bypass":true', added to both trunks);
# sets TG_PID, TG_TARGET, TG_URL, TG_PW.
start_tg() {
	local dir=$1 uport=$2 extra=${3:-}
	# RTP ports for 10,000 anchored calls (20,000 SIP legs: the default
	# range holds 8,192 pairs) with room for ports other programs hold
	printf 'rtp_ports = 10000-59998\n' >"$dir.conf"
	"${TRUNKGATED:-./trunkgated}" --config "$dir.conf" --state-dir "$dir" --http 127.0.0.1:0 \
		--sip 127.0.0.1:0 --web-root web/ui --log-level warn 2>"$dir.log" &
	TG_PID=$!; pids+=("$TG_PID")
	until [ -s "$dir/http.url" ] && [ -s "$dir/sip.url" ]; do
		kill -0 "$TG_PID" 2>/dev/null || { echo "trunkgated did not start:"; tail -3 "$dir.log"; exit 1; }
		sleep 0.01
	done
	TG_URL=$(cat "$dir/http.url"); TG_PW=$(cat "$dir/initial-admin-password")
	TG_TARGET=$(sed 's/^sip://' "$dir/sip.url")
	tg_api POST sip-trunks "{\"name\":\"caller\",\"allowed_sources\":\"127.0.0.1\"$extra}"
	tg_api POST trunk-groups '{"name":"caller-g","kind":"sip","members":[{"sip_trunk":"caller"}]}'
	tg_api POST sip-trunks "{\"name\":\"callee\",\"options_interval\":0,\"next_hops\":[{\"host\":\"127.0.0.1\",\"port\":$uport}]$extra}"
	tg_api POST trunk-groups '{"name":"callee-g","kind":"sip","members":[{"sip_trunk":"callee"}]}'
	tg_api POST routes '{"name":"bench","source_group":"caller-g","called_prefix":"1","destinations":[{"group":"callee-g"}]}'
	sleep 0.5
}
tg_api() {
	local code
	code=$(curl -s -o /dev/null -w '%{http_code}' -u "admin:$TG_PW" -H 'Content-Type: application/json' \
		-X "$1" -d "$3" "${TG_URL}api/v1/$2")
	[ "$code" = 201 ] || { echo "trunkgated: $1 $2 answered $code" >&2; exit 1; }
}
start_uas() {           # start_uas PORT: SIPp answering with 200 at once; sets UAS_PID
	sipp -sf bench/uas_200.xml -i 127.0.0.1 -p "$1" -mp "$(free_port)" -nostdin \
		-trace_err -error_file "$work/uas_$1.err" >/dev/null 2>&1 &
	UAS_PID=$!; pids+=("$UAS_PID")
	until ss -Hlun | grep -q ":$1 "; do sleep 0.05; done
}

uas_port=$(free_port)
start_uas "$uas_port"
start_tg "$work/tg" "$uas_port"

# Kamailio: stateful proxy, record-routing, everything to the same UAS.
kam_port=$(free_port)
mkdir -p "$work/kam"
cat >"$work/kam/kamailio.cfg" <<EOF
#!KAMAILIO
debug=1
log_stderror=yes
children=${KAM_CHILDREN:-4}
listen=udp:127.0.0.1:$kam_port
auto_aliases=no
mpath="$(dirname "$(find /usr/lib -path '*kamailio/modules/tm.so' 2>/dev/null | head -1)")/"
loadmodule "tm.so"
loadmodule "sl.so"
loadmodule "rr.so"
loadmodule "maxfwd.so"
loadmodule "siputils.so"
loadmodule "pv.so"
loadmodule "textops.so"
request_route {
	if (!mf_process_maxfwd_header("10")) { sl_send_reply("483", "Too Many Hops"); exit; }
	if (is_method("CANCEL")) { if (t_check_trans()) t_relay(); exit; }
	if (has_totag() && loose_route()) { t_relay(); exit; }
	# SIPp's uac sends ACK and BYE to the proxy without Route headers
	# (the uas does not echo Record-Route): relay them like the INVITE
	if (!is_method("ACK")) t_check_trans();
	if (is_method("INVITE") && !has_totag()) record_route();
	\$du = "sip:127.0.0.1:$uas_port";
	if (!t_relay()) sl_reply_error();
	exit;
}
EOF
setsid "$KAMAILIO" -DD -E -f "$work/kam/kamailio.cfg" -m 512 -M 8 -Y "$work/kam" \
	-P "$work/kam/kamailio.pid" >"$work/kam/log" 2>&1 &
KAM_PID=$!
until ss -Hlun | grep -q "127.0.0.1:$kam_port "; do
	kill -0 "$KAM_PID" 2>/dev/null || { echo "kamailio did not start:"; tail "$work/kam/log"; exit 1; }
	sleep 0.05
done

# CPU ticks: trunkgated (all threads), Kamailio (every process of its group)
cpu_tg() { awk '{ print $14 + $15 }' "/proc/$TG_PID/stat"; }
cpu_kam() { { cat /proc/[0-9]*/stat 2>/dev/null || true; } | awk -v g="$KAM_PID" '$5 == g { t += $14 + $15 } END { print t + 0 }'; }

# run_load TARGET RATE N [sipp args]: SIPp uac; prints "ok failed seconds"
run_load() {
	local target=$1 rate=$2 n=$3 stat t0 t1; shift 3
	stat=$work/uac_$$_$RANDOM.csv
	t0=$(date +%s%N)
	(cd "$work" && timeout $((SECS * 3 + 60)) sipp "$target" -sn uac -s 1000 -i 127.0.0.1 -p "$(free_port)" \
		-mp "$(free_port)" -r "$rate" -m "$n" -nostdin -timeout $((SECS * 3 + 60))s \
		-trace_stat -stf "$stat" -fd 1 -trace_err -error_file "${stat%.csv}.err" "$@" >/dev/null 2>&1) || true
	t1=$(date +%s%N)
	[ -s "$stat" ] || { echo "0 0 $(( (t1 - t0) / 1000000000 ))"; return; }
	awk -F';' -v t0="$t0" -v t1="$t1" 'NR == 1 { for (i = 1; i <= NF; i++) { if ($i == "SuccessfulCall(C)") s = i; if ($i == "FailedCall(C)") f = i }; next }
		{ ok = $s; fl = $f } END { printf "%d %d %.3f\n", ok, fl, (t1 - t0) / 1e9 }' "$stat"
}

echo "# trunkgated $(./trunkgated --version 2>/dev/null | head -1), $("$KAMAILIO" -v | head -1)"
echo "# $(nproc) cores; load average $(cut -d' ' -f1-3 /proc/loadavg) at start; other jobs share the machine"

# ---- 1. highest sustained rate
if [[ " $SKIP " != *" rate "* ]]; then
	echo
	echo "== highest rate sustained ${SECS} s with zero failed calls (SIPp uac, no hold; ${REPEATS} runs)"
	printf '%-4s %-10s %-8s %-14s %-8s %-10s %-12s\n' run system offered successful/s failed CPU "CPU ms/call"
	for r in $(seq 1 "$REPEATS"); do
		for sys in trunkgated kamailio; do
			best=0 best_cpu=-
			for rate in $RATES; do
				n=$((rate * SECS))
				if [ $sys = trunkgated ]; then target=$TG_TARGET c0=$(cpu_tg); else target=127.0.0.1:$kam_port c0=$(cpu_kam); fi
				read -r ok fl secs < <(run_load "$target" "$rate" "$n" -l $((rate * 4)))
				if [ $sys = trunkgated ]; then c1=$(cpu_tg); else c1=$(cpu_kam); fi
				cpu=$(awk -v c=$((c1 - c0)) -v hz="$hz" -v s="$secs" 'BEGIN { printf "%.0f", 100 * c / hz / s }')
				printf '%-4s %-10s %-8s %-14s %-8s %-10s %-12s\n' "$r" "$sys" "$rate/s" \
					"$(awk -v o="$ok" -v s="$secs" 'BEGIN { printf "%.1f", o / s }')" "$fl" "$cpu%" \
					"$(awk -v c=$((c1 - c0)) -v hz="$hz" -v o="$ok" 'BEGIN { printf "%.3f", o ? 1000 * c / hz / o : 0 }')"
				if [ "$fl" -ne 0 ] || [ "$ok" -ne "$n" ] || \
				   awk -v s="$secs" -v l="$SECS" 'BEGIN { exit !(s > l * 1.25 + 2) }'; then
					break
				fi
				best=$rate best_cpu=$cpu
				sleep 2
			done
			echo "$best" >>"$work/best_$sys"
			echo "$best_cpu" >>"$work/cpu_$sys"
			sleep 3
		done
	done
	tg=$(median <"$work/best_trunkgated") kam=$(median <"$work/best_kamailio")
	echo "trunkgated: median ${tg}/s (runs $(range <"$work/best_trunkgated")), CPU at it $(median <"$work/cpu_trunkgated")% (target >= 500/s)"
	echo "kamailio:   median ${kam}/s (runs $(range <"$work/best_kamailio")), CPU at it $(median <"$work/cpu_kamailio")%"
	echo "ratio trunkgated / kamailio: $(awk -v a="$tg" -v b="$kam" 'BEGIN { printf (b > 0 ? "%.2f" : "-"), a / b }') (long-term goal 0.60)"
	echo "(a rate at the top of RATES means the ladder did not find the limit; SIPp itself may be the limit)"
fi

# ---- 2. setup latency added at LAT_RATE calls/s
if [[ " $SKIP " != *" latency "* ]]; then
	echo
	echo "== INVITE -> 200 at ${LAT_RATE} calls/s for ${SECS} s (SIPp -trace_rtt, 1 ms resolution; ${REPEATS} runs)"
	printf '%-4s %-10s %-8s %-8s %-8s %-8s\n' run path calls p50_ms p99_ms max_ms
	for r in $(seq 1 "$REPEATS"); do
		for path in direct trunkgated kamailio; do
			case $path in
			direct) target=127.0.0.1:$uas_port ;;
			trunkgated) target=$TG_TARGET ;;
			kamailio) target=127.0.0.1:$kam_port ;;
			esac
			rm -f "$work"/uac_*_rtt.csv
			read -r ok fl secs < <(run_load "$target" "$LAT_RATE" $((LAT_RATE * SECS)) -trace_rtt -rtt_freq 1)
			f=$(ls "$work"/uac_*_rtt.csv 2>/dev/null | head -1)
			read -r n p50 p99 mx < <(awk -F';' 'NR > 1 && $3 == 1 { print $2 }' "${f:-/dev/null}" | sort -n |
				awk '{ v[NR] = $1 } END { if (!NR) { print 0, "-", "-", "-"; exit }
					i50 = int(NR * 0.50 + 0.999); i99 = int(NR * 0.99 + 0.999)
					print NR, v[i50], v[i99], v[NR] }')
			printf '%-4s %-10s %-8s %-8s %-8s %-8s\n' "$r" "$path" "$n" "$p50" "$p99" "$mx"
			echo "$p99" >>"$work/p99_${path}_$r"
			sleep 2
		done
		awk -v a="$(cat "$work/p99_trunkgated_$r")" -v b="$(cat "$work/p99_direct_$r")" 'BEGIN { print a - b }' >>"$work/added_tg"
		awk -v a="$(cat "$work/p99_kamailio_$r")" -v b="$(cat "$work/p99_direct_$r")" 'BEGIN { print a - b }' >>"$work/added_kam"
	done
	echo "p99 added by trunkgated: median $(median <"$work/added_tg") ms (runs $(range <"$work/added_tg")) (target < 10 ms)"
	echo "p99 added by kamailio:   median $(median <"$work/added_kam") ms (runs $(range <"$work/added_kam"))"
fi

# ---- 3. memory per held call, on a fresh trunkgated per mode
tg_status() { curl -s -u "admin:$TG_PW" "${TG_URL}api/v1/status" | jq -r "$1"; }
if [[ " $SKIP " != *" held "* ]]; then
	nofile=$(ulimit -n)
	for mode in ${HELD_MEDIA:-anchored bypass}; do
		held=${HELD:-5000}
		case $mode in
		anchored) extra=',"rtp_timeout":0'
			fit=$(( (nofile - 1000) / 4 ))
			[ "$held" -gt "$fit" ] && held=$fit ;;
		bypass) extra=',"rtp_timeout":0,"media_bypass":true' ;;
		*) echo "HELD_MEDIA: anchored or bypass, not $mode"; exit 1 ;;
		esac
		kill -TERM "$TG_PID" 2>/dev/null; wait "$TG_PID" 2>/dev/null || true
		h_uas=$(free_port)
		start_uas "$h_uas"
		start_tg "$work/tg_held_$mode" "$h_uas" "$extra"
		# a few calls first, so what every call needs once (pools, caches) is there
		run_load "$TG_TARGET" 50 100 >/dev/null
		sleep 1
		rss0=$(awk '/VmRSS/ { print $2 }' "/proc/$TG_PID/status")
		echo
		echo "== memory per held call, media $mode: $held calls ($((held * 2)) SIP dialogs) at ${HELD_RATE}/s, held"
		[ $mode = anchored ] && echo "   (RLIMIT_NOFILE $nofile: 4 descriptors per anchored call; HELD asked ${HELD:-5000})"
		(cd "$work" && exec sipp "$TG_TARGET" -sn uac -s 1000 -i 127.0.0.1 -p "$(free_port)" -mp "$(free_port)" \
			-r "$HELD_RATE" -m "$held" -l "$held" -d 3600000 -nostdin -trace_err -error_file "$work/held.err" \
			>/dev/null 2>&1) &
		held_pid=$!; pids+=("$held_pid")
		t0=$(date +%s)
		active=0
		while [ $(( $(date +%s) - t0 )) -lt $(( held / HELD_RATE + 60 )) ]; do
			active=$(tg_status .calls.active)
			[ "$active" -ge "$held" ] && break
			sleep 1
		done
		echo "   $active calls up after $(( $(date +%s) - t0 )) s; waiting 35 s (timer D: 32 s)"
		sleep 25
		c0=$(cpu_tg)
		sleep 10
		c1=$(cpu_tg)
		active=$(tg_status .calls.active)
		rss1=$(awk '/VmRSS/ { print $2 }' "/proc/$TG_PID/status")
		echo "   RSS ${rss0} kB before, ${rss1} kB with $active calls held ($(ls "/proc/$TG_PID/fd" | wc -l) descriptors open;" \
			"CPU holding them $(awk -v c=$((c1 - c0)) -v hz="$hz" 'BEGIN { printf "%.0f", 100 * c / hz / 10 }')% of a core)"
		if [ "$active" -gt 0 ]; then
			awk -v a="$rss0" -v b="$rss1" -v n="$active" 'BEGIN {
				printf "   per held call %.1f KiB, per SIP dialog %.1f KiB (target <= 32 KiB per dialog)\n",
					(b - a) / n, (b - a) / n / 2 }'
		fi
		kill "$held_pid" 2>/dev/null || true
	done
fi
kill -TERM "$TG_PID" 2>/dev/null; wait "$TG_PID" 2>/dev/null || true
kill -TERM "$KAM_PID" 2>/dev/null || true
wait "$KAM_PID" 2>/dev/null || true
KAM_PID=
