#!/usr/bin/env bash
# test_mib.sh -- mibs/TRUNKGATE-MIB.txt passes smilint (libsmi, Debian
# package smitools) at the strictest level with no message at all, and names
# the OIDs trunkgate-snmp serves.  Debian has no IETF base modules
# (SNMPv2-SMI, -TC, -CONF: non-free), so minimal stand-ins from
# tests/data/mibs are on the path after libsmi's own.
. "$(dirname "$0")/lib.sh"
MIB=$TG_SRCDIR/mibs/TRUNKGATE-MIB.txt

if ! command -v smilint >/dev/null 2>&1; then
	echo "1..0 # SKIP smilint is not installed (Debian package smitools; scripts/install-deps.sh)"
	exit 0
fi
export SMIPATH=":$TG_SRCDIR/tests/data/mibs"
out=$(smilint -s -l 6 "$MIB" 2>&1)
is "" "$out" "smilint -l 6 reports nothing for TRUNKGATE-MIB"

# smilint exits 0 even on errors: check that it does complain about a broken copy
sed 's/SYNTAX      Gauge32/SYNTAX      NoSuchType/' "$MIB" >"$WORK/TRUNKGATE-MIB.txt"
out=$(smilint -s -l 6 "$WORK/TRUNKGATE-MIB.txt" 2>&1)
like "$out" "NoSuchType|unknown type" "and it would report a broken MIB"

# The OIDs of what the subagent serves and notifies (tools/snmp/snmp_view.c).
if command -v smidump >/dev/null 2>&1; then
	tree=$(smidump -f identifiers "$MIB" 2>/dev/null)
	for pair in trunkgateMIB:1.3.6.1.4.1.99999 tgSpanAlarmRaised:1.3.6.1.4.1.99999.0.1 \
		tgSpanAlarmCleared:1.3.6.1.4.1.99999.0.2 tgSysVersion:1.3.6.1.4.1.99999.1.1.1 \
		tgCallsTotal:1.3.6.1.4.1.99999.1.2.2 tgSpanName:1.3.6.1.4.1.99999.1.3.1.1.2 \
		tgSpanAlarms:1.3.6.1.4.1.99999.1.3.1.1.5 tgSpanChannelsOutOfService:1.3.6.1.4.1.99999.1.3.1.1.19 \
		tgChannelState:1.3.6.1.4.1.99999.1.3.2.1.2 tgTrunkDown:1.3.6.1.4.1.99999.0.3 \
		tgTrunkUp:1.3.6.1.4.1.99999.0.4 tgHopDown:1.3.6.1.4.1.99999.0.5 tgHopUp:1.3.6.1.4.1.99999.0.6 \
		tgTrunkName:1.3.6.1.4.1.99999.1.4.1.1.2 tgTrunkState:1.3.6.1.4.1.99999.1.4.1.1.3 \
		tgTrunkCallsPerMinute:1.3.6.1.4.1.99999.1.4.1.1.5 tgTrunkAsr:1.3.6.1.4.1.99999.1.4.1.1.10 \
		tgTrunkAcdTotal:1.3.6.1.4.1.99999.1.4.1.1.13 tgHopAddress:1.3.6.1.4.1.99999.1.4.2.1.2 \
		tgHopState:1.3.6.1.4.1.99999.1.4.2.1.3 tgHopAcdTotal:1.3.6.1.4.1.99999.1.4.2.1.13; do
		name=${pair%%:*} oid=${pair#*:}
		like "$tree" "$name +[a-z]+ +$oid\$" "$name is $oid"
	done
fi
finish
