# snmp_lib.sh -- SNMP helpers for the integration tests (source after lib.sh):
# our own snmptrapd (the trap sink, traps in $WORK/traps.log) and snmpd
# (AgentX master on loopback with its own config, AgentX socket and
# persistent folder in the work folder; the system's snmpd service is never
# touched), and trunkgate-snmp attached to a daemon's status socket.
SUBAGENT=${SUBAGENT:-$TG_BUILDDIR/trunkgate-snmp}

for tool in /usr/sbin/snmpd /usr/sbin/snmptrapd snmpwalk snmpget "$SUBAGENT"; do
	if ! command -v "$tool" >/dev/null 2>&1; then
		echo "1..0 # SKIP $tool is not installed (scripts/install-deps.sh; net-snmp for trunkgate-snmp)"
		exit 0
	fi
done
export MIBS="" SNMP_PERSISTENT_DIR=$WORK/persist SNMPCONFPATH=$WORK/snmpconf
mkdir -p "$SNMP_PERSISTENT_DIR" "$SNMPCONFPATH"
DS1=.1.3.6.1.2.1.10.18
TG=.1.3.6.1.4.1.99999

free_udp_port() {
	python3 -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# start_snmp STATUS_SOCKET: snmptrapd, snmpd and the subagent reading
# STATUS_SOCKET every second; sets SNMP (the snmpget/snmpwalk arguments).
start_snmp() {
	local tport sport
	tport=$(free_udp_port)
	printf 'disableAuthorization yes\n' >"$WORK/snmptrapd.conf"
	/usr/sbin/snmptrapd -f -On -C -c "$WORK/snmptrapd.conf" -Lf "$WORK/traps.log" \
		-p "$WORK/snmptrapd.pid" "udp:127.0.0.1:$tport" >"$WORK/snmptrapd.out" 2>&1 &
	PIDS+=($!)
	sport=$(free_udp_port)
	cat >"$WORK/snmpd.conf" <<EOF
agentAddress udp:127.0.0.1:$sport
master agentx
agentXSocket $WORK/agentx.sock
agentXPerms 0660 0770
rocommunity public 127.0.0.1
trap2sink 127.0.0.1:$tport public
EOF
	/usr/sbin/snmpd -f -C -c "$WORK/snmpd.conf" -Lf "$WORK/snmpd.log" -p "$WORK/snmpd.pid" \
		>"$WORK/snmpd.out" 2>&1 &
	PIDS+=($!)
	wait_for test -S "$WORK/agentx.sock"; ok $? "our snmpd listens for AgentX in the work folder"
	"$SUBAGENT" -f -s "$1" -x "$WORK/agentx.sock" -i 1 >"$WORK/subagent.log" 2>&1 &
	PIDS+=($!)
	SNMP="-v2c -c public -On -t 2 -r 1 127.0.0.1:$sport"
}

# get OID...: the value alone (type and quotes stripped)
get() { snmpget $SNMP "$@" 2>/dev/null | sed 's/^[^=]* = [A-Za-z0-9]*: //; s/^"//; s/"$//'; }

# snmp_logs: the tails of the SNMP side's logs, for a failed test
snmp_logs() {
	local f
	for f in subagent.log snmpd.log traps.log "$@"; do
		echo "# --- $f"; tail -n 15 "$WORK/$f" | sed 's/^/#   /'
	done
}
