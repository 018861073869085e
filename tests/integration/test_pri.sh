#!/usr/bin/env bash
# test_pri.sh -- ISDN PRI between trunkgated and tgsim over sim spans, as a
# carrier would meet it: layer 2 up for every switch type and both sides;
# calls with numbers, alerting, connect and the right causes both ways; all
# B channels busy and the next call refused with cause 34; RESTART; pulling
# the cable shows in /api/v1/status and clears, and calls work again.
. "$(dirname "$0")/lib.sh"
TGSIM=${TGSIM:-$TG_BUILDDIR/tgsim}

S=$WORK/state
start_daemon "$S" || { ok 1 "daemon starts"; finish; }
PW=$(cat "$S/initial-admin-password")
api() { http "$@" -u "admin:$PW" -H 'Content-Type: application/json'; }
SOCK=$S/sim/carrier.sock

# tgsim NAME: run the script on stdin, keep its JSON lines in $WORK/NAME.out
tgsim() {
	"$TGSIM" >"$WORK/$1.out" 2>"$WORK/$1.err"
	local rc=$?
	if [ $rc -ne 0 ]; then
		echo "# tgsim $1 exited $rc; its last lines:"
		tail -n 8 "$WORK/$1.out" "$WORK/$1.err" | sed 's/^/#   /'
	fi
	return $rc
}
span_json() { curl -s -u "admin:$PW" "${URL}api/v1/status" | jq -c ".spans[] | select(.name == \"$1\")"; }

r=$(api POST /api/v1/spans -d '{"name":"carrier","type":"E1","pri_side":"user","test_number":"1000"}')
like "$r" '^201 .*"name":"carrier".*"framing":"CCS","line_code":"HDB3","crc4":true.*"switch_type":"euroisdn"' \
	"an E1 span is created with E1 defaults"
wait_for test -S "$SOCK"; ok $? "the daemon opens the sim span's socket live (no restart)"
st=$(span_json carrier)
like "$st" '"state":"alarm".*"alarms":\["LOS","RED"\]' "with no far end attached, status shows LOS/RED"

# --- every switch type, both sides
combos="E1:euroisdn T1:euroisdn T1:ni2 T1:5ess T1:dms100 E1:qsig"
for combo in $combos; do
	type=${combo%%:*} sw=${combo##*:}
	for side in user network; do
		far=network; [ $side = network ] && far=user
		r=$(api PUT /api/v1/spans/carrier -d "{\"type\":\"$type\",\"switch_type\":\"$sw\",\"pri_side\":\"$side\"}")
		[ "${r%% *}" = 200 ] || echo "# $r"
		sleep 0.3       # the re-open happens on the main thread right after the commit
		tgsim "$sw-$type-$side" <<-EOF
		span carrier $SOCK type=$type switch=$sw side=$far
		expect link up carrier within 15
		call carrier 5550100 1000 as a
		expect answer a within 5
		hangup a 16
		expect release a cause 16 within 5
		call carrier 5550101 4321 as b
		expect release b cause 1 within 5
		EOF
		ok $? "$type $sw, trunkgated on the $side side: layer 2 up, a test call answered and cleared (16), an unknown number refused (1)"
	done
done

# --- back to E1 EuroISDN, network side on tgsim; the daemon places calls
api PUT /api/v1/spans/carrier -d '{"type":"E1","switch_type":"euroisdn","pri_side":"user"}' >/dev/null
sleep 0.3
"$TGSIM" --stay >"$WORK/far.out" 2>"$WORK/far.err" <<EOF &
span carrier $SOCK type=E1 switch=euroisdn side=network
auto answer
