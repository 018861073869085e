#!/usr/bin/env bash
# test_route_equiv.sh -- the route tester gives exactly the decision real calls
# get, for many inputs.  Both sim spans are split into trunk groups by B
# channel ranges; ranges (prefix, first..last, nested), manipulation rules
# (prefix and regex, in and out, called and calling), routes (range owner,
# called prefix, calling prefix, ordered destinations with failover) make
# every input take a different path.  For each input POST /api/v1/route-test
# predicts the route, the destination group, the numbers it will carry or the
# refusal cause; tgsim then places the real call on the matching B channel
# and the far end must see it arrive with those numbers on a channel of that
# group, and the CDR must name the same route, group, numbers and cause.
# A failover case fills the first destination (one B channel) first, so the
# real call takes the tester's second target with cause 34 on the first.
. "$(dirname "$0")/lib.sh"
TGSIM=${TGSIM:-$TG_BUILDDIR/tgsim}

S=$WORK/state
start_daemon "$S" || { ok 1 "daemon starts"; finish; }
PW=$(cat "$S/initial-admin-password")
DB=$S/trunkgate.db
api() { http "$@" -u "admin:$PW" -H 'Content-Type: application/json'; }
mk() {          # mk PATH BODY
	local r
	r=$(api POST "$1" -d "$2")
	case "$r" in 201*) ;; *) echo "# $1 $2 -> $r"; return 1 ;; esac
}

setup_ok=0
mk /api/v1/spans '{"name":"carrier","type":"E1","pri_side":"user"}' || setup_ok=1
mk /api/v1/spans '{"name":"pbx","type":"E1","pri_side":"network"}' || setup_ok=1
# groups by B channel: carrier 1-15 / 17-31; pbx 1-10 / 11 / 17-31
for g in 'car-a carrier 1 15' 'car-b carrier 17 31' 'pbx-a pbx 1 10' 'pbx-one pbx 11 11' 'pbx-b pbx 17 31'; do
	set -- $g
	mk /api/v1/trunk-groups "{\"name\":\"$1\",\"kind\":\"span\",\"hunting\":\"ascending\",\"members\":[{\"span\":\"$2\",\"first_channel\":$3,\"last_channel\":$4}]}" || setup_ok=1
done
mk /api/v1/number-ranges '{"name":"ev","prefix":"49301001","group":"pbx-b"}' || setup_ok=1
mk /api/v1/number-ranges '{"name":"pbx-users","prefix":"49301002","group":"pbx-a"}' || setup_ok=1
mk /api/v1/number-ranges '{"name":"pbx-vip","first":"4930100290","last":"4930100299","group":"pbx-b"}' || setup_ok=1
mk /api/v1/number-ranges '{"name":"sales","first":"4930100300","last":"4930100349","group":"pbx-a"}' || setup_ok=1
MR=/api/v1/manipulation-rules
mk $MR '{"group":"car-a","direction":"in","field":"called","match":"prefix","pattern":"0","strip":1,"prepend":"49"}' || setup_ok=1
mk $MR '{"group":"car-b","direction":"in","field":"calling","match":"regex","pattern":"^00([0-9]+)$","replacement":"$1"}' || setup_ok=1
mk $MR '{"group":"pbx-a","direction":"out","field":"called","match":"regex","pattern":"^49301002([0-9][0-9])$","replacement":"2$1"}' || setup_ok=1
mk $MR '{"group":"pbx-b","direction":"out","field":"called","match":"prefix","pattern":"4930100","strip":7}' || setup_ok=1
mk $MR '{"group":"pbx-a","direction":"in","field":"calling","match":"regex","pattern":"^([0-9]{3})$","replacement":"4930100$1"}' || setup_ok=1
mk $MR '{"group":"car-a","direction":"out","field":"calling","match":"prefix","pattern":"4930100","strip":0,"prepend":"+"}' || setup_ok=1
RT=/api/v1/routes
mk $RT '{"name":"from-car-a","source_group":"car-a","called_prefix":"4930","destinations":[]}' || setup_ok=1
mk $RT '{"name":"from-car-b","source_group":"car-b","destinations":[]}' || setup_ok=1
mk $RT '{"name":"to-ev","source_group":"car-a","range":"ev","destinations":[{"group":"pbx-one","failover_causes":"34"},{"group":"pbx-b"}]}' || setup_ok=1
mk $RT '{"name":"pbx-out","source_group":"pbx-a","called_prefix":"0","destinations":[{"group":"car-b"},{"group":"car-a"}]}' || setup_ok=1
mk $RT '{"name":"pbx-out-vip","source_group":"pbx-a","calling_prefix":"4930100201","destinations":[{"group":"car-a"}]}' || setup_ok=1
mk $RT '{"name":"pbx-b-out","source_group":"pbx-b","destinations":[{"group":"car-a"}]}' || setup_ok=1
ok $setup_ok "spans, five channel-range groups, four ranges, six rules and six routes are created"
gen=$(sqlite3 "$DB" "select generation from config_state")
wait_for test "$(curl -s -u "admin:$PW" "${URL}api/v1/status" | jq '.config.generation')" = "$gen"

# source group -> "span channel" a call from it is placed on
declare -A SRC=([car-a]="carrier 5" [car-b]="carrier 20" [pbx-a]="pbx 3" [pbx-b]="pbx 25")
# group -> "span first last"
declare -A GRP=([car-a]="carrier 1 15" [car-b]="carrier 17 31" [pbx-a]="pbx 1 10" [pbx-one]="pbx 11 11" [pbx-b]="pbx 17 31")

# The inputs: "source-group calling called".  A fixed list of paths, then
# generated ones (fixed seed) over the interesting prefixes.
inputs=(
	"car-a 4930555123 4930100234"   # pbx-users, regex out rule -> 234
	"car-a 4930555123 030100234"    # national in: 0 -> 49
	"car-a 4930555123 4930100295"   # pbx-vip (nested first..last) -> pbx-b, prefix out rule
	"car-a 4930555123 4930100310"   # sales: first..last -> pbx-a, the out regex does not match
	"car-a 4930555123 4940123456"   # no range: unallocated
	"car-b 004930555777 4930100250" # calling 00.. -> international; range owner pbx-a
	"car-b 4930555123 4930100150"   # ev range owner pbx-b (to-ev is car-a's only)
	"car-b 4930555123 12345"        # no range, range-owner route: refused
	"pbx-a 201 0305551234"          # calling 201 -> 4930100201: pbx-out-vip wins on calling prefix
	"pbx-a 202 0305551234"          # pbx-out: car-b first
	"pbx-a 202 4930100111"          # pbx-a to ev: no route
	"pbx-b 150 004312345"           # pbx-b-out -> car-a, + on 4930100 callers only
	"pbx-b 4930100150 004312345"    # ... and here it is
)
RANDOM=4242
prefixes=(4930100 49301001 49301002 493010029 49301003 030100 0301002 4930 0 12)
sources=(car-a car-b pbx-a pbx-b)
callings=(4930555123 0049305551 201 4930100201 2)
for i in $(seq 1 27); do
	p=${prefixes[RANDOM % ${#prefixes[@]}]}
	called=$p
	while [ ${#called} -lt 10 ]; do called="$called$((RANDOM % 10))"; done
	inputs+=("${sources[RANDOM % 4]} ${callings[RANDOM % 5]} $called")
done

# predict each with the route tester
script=("span carrier $S/sim/carrier.sock type=E1 switch=euroisdn side=network"
	"span pbx $S/sim/pbx.sock type=E1 switch=euroisdn side=user"
	"auto answer" "expect link up carrier within 15" "expect link up pbx within 15")
predict=()
n=0
for in in "${inputs[@]}"; do
	set -- $in
	src=$1 calling=$2 called=$3
	# predicted before tgsim attaches: the spans are up when the calls are
	# placed, so leave the daemon's live down set (every span group) out
	p=$(curl -s -u "admin:$PW" -H 'Content-Type: application/json' "${URL}api/v1/route-test" \
		-d "{\"source_group\":\"$src\",\"calling\":\"$calling\",\"called\":\"$called\",\"live_down\":false}" |
		jq -r 'if .outcome == "ok" then "\(.route) \(.targets[0].group) \(.targets[0].called) \(.targets[0].calling)" else "refused \(.cause)" end')
	predict+=("$p")
	set -- ${SRC[$src]}
	script+=("call $1 $calling $called channel=$2 as o$n")
	set -- $p
	if [ "$1" = refused ]; then
		script+=("expect release o$n cause $2 within 5")
	else
		set -- ${GRP[$2]}
		script+=("expect call on $1 as p$n within 5" "expect answer o$n within 5"
			 "hangup o$n" "expect release p$n cause 16 within 5")
	fi
	n=$((n + 1))
done
printf '%s\n' "${script[@]}" | "$TGSIM" >"$WORK/calls.out" 2>"$WORK/calls.err"
ok $? "$n real calls progress as the route tester predicted (reached the far end, or refused with its cause)"
[ $? -eq 0 ] || tail -n 6 "$WORK/calls.out" | sed 's/^/#   /'
wait_for sh -c "[ \$(sqlite3 '$DB' 'select count(*) from cdrs') -ge $n ]"  # re-read each try: CDRs land a few ms after the call

# compare, call by call: the far end and the CDR against the prediction.
# Calls run one after the other, so the k-th call the far ends saw arrive is
# the k-th routed input.
mapfile -t arrivals < <(grep '"event":"call-in"' "$WORK/calls.out")
refused=0 routed=0 mismatch=0
for i in $(seq 0 $((n - 1))); do
	set -- ${predict[$i]}
	cdr=$(sqlite3 -separator ' ' "$DB" "select route, out_group, called_out, calling_out, cause from cdrs order by id limit 1 offset $i")
	if [ "$1" = refused ]; then
		refused=$((refused + 1))
		got=$(sqlite3 "$DB" "select cause from cdrs order by id limit 1 offset $i")
		[ "$got" = "$2" ] || { mismatch=$((mismatch + 1)); echo "#   ${inputs[$i]}: tester refused with $2, CDR says $cdr"; }
		continue
	fi
	routed=$((routed + 1))
	route=$1 group=$2 called=$3 calling=${4:-}
	want="$route $group $called $calling 16"
	[ "$(echo $cdr)" = "$(echo $want)" ] || { mismatch=$((mismatch + 1)); echo "#   ${inputs[$i]}: tester: $want; CDR: $cdr"; }
	ev=${arrivals[$((routed - 1))]:-none}
	set -- ${GRP[$group]}
	ch=$(printf '%s' "$ev" | sed -E 's/.*"channel":([0-9]+).*/\1/')
	printf '%s' "$ev" | grep -q "\"span\":\"$1\"" && [ "$ch" -ge "$2" ] && [ "$ch" -le "$3" ] &&
		printf '%s' "$ev" | grep -q "\"to\":\"$called\"" && printf '%s' "$ev" | grep -q "\"from\":\"$calling\"" ||
		{ mismatch=$((mismatch + 1)); echo "#   ${inputs[$i]}: tester: $group $called $calling; far end: $ev"; }
done
is 0 "$mismatch" "for all $n inputs ($routed routed, $refused refused) the far end and the CDR match the route tester"
[ "$routed" -ge 10 ] && [ "$refused" -ge 3 ]
ok $? "the inputs cover both outcomes ($routed routed, $refused refused)"
is 5 "$(printf '%s\n' "${predict[@]}" | awk '$1 != "refused" {print $2}' | sort -u | wc -l)" "... and reach all five groups"

# failover: pbx-one (one B channel) is taken by a held call, the next EV call
# gets cause 34 there and moves to pbx-b, the tester's second target
ft=$(curl -s -u "admin:$PW" -H 'Content-Type: application/json' "${URL}api/v1/route-test" \
	-d '{"source_group":"car-a","calling":"4930555123","called":"4930100111","live_down":false}' | jq -r '[.targets[].group] | join(" ")')
is "pbx-one pbx-b" "$ft" "the tester lists pbx-one, then pbx-b for an EV number from car-a"
before=$(sqlite3 "$DB" "select count(*) from cdrs")
printf '%s\n' "${script[@]:0:5}" \
	"call carrier 4930555123 4930100111 channel=5 as h" "expect call to 4930100111 on pbx as ph within 5" "expect answer h within 5" \
	"call carrier 4930555123 4930100112 channel=6 as f" "expect call to 112 on pbx as pf within 5" "expect answer f within 5" \
	"hangup f" "expect release pf cause 16 within 5" "hangup h" "expect release ph cause 16 within 5" |
	"$TGSIM" >"$WORK/failover.out" 2>"$WORK/failover.err"
ok $? "with pbx-one busy the second EV call is still answered"
[ $? -eq 0 ] || tail -n 6 "$WORK/failover.out" | sed 's/^/#   /'
is "11" "$(grep '"event":"call-in"' "$WORK/failover.out" | grep '"to":"4930100111"' | sed -E 's/.*"channel":([0-9]+).*/\1/')" "the first took pbx-one's B channel 11"
ch=$(grep '"event":"call-in"' "$WORK/failover.out" | grep '"to":"112"' | sed -E 's/.*"channel":([0-9]+).*/\1/')
[ -n "$ch" ] && [ "$ch" -ge 17 ]
ok $? "the second failed over to pbx-b (channel $ch)"
wait_for sh -c "[ \$(sqlite3 '$DB' 'select count(*) from cdrs') -ge $((before + 2)) ]"
is "to-ev pbx-one|to-ev pbx-b" "$(sqlite3 "$DB" "select route || ' ' || out_group from cdrs where id > (select max(id) - 2 from cdrs) order by setup_at, id" | sort -r | paste -sd'|')" \
	"the CDRs: the held call on pbx-one, the failed-over call on pbx-b"

finish
