# sip_lib.sh -- helpers for the SIP integration tests (source after lib.sh):
# free ports, SIPp as a caller (sipp_call) and as a called peer (sipp_uas).
SIPP_DIR=$TG_SRCDIR/tests/integration/sipp

if ! command -v sipp >/dev/null 2>&1; then
	echo "1..0 # SKIP sipp not installed (Debian package sip-tester; scripts/install-deps.sh)"
	exit 0
fi

free_port() {
	python3 -c 'import socket; s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# sipp_call NAME IP SCENARIO [sipp args...]: one call from SIPp at IP to the
# gateway ($SIP_TARGET); its messages in $WORK/NAME.msg.  Returns SIPp's
# exit code.  Retried on a bind error (the machine is shared).
sipp_call() {
	local name=$1 ip=$2 sf=$3 rc try; shift 3
	for try in 1 2 3; do
		rm -f "$WORK/$name".*
		(cd "$WORK" && sipp "$SIP_TARGET" -sf "$SIPP_DIR/$sf" -i "$ip" -p "$(free_port)" \
			-mp "$(free_port)" -m 1 -nostdin -timeout 30s -timeout_error \
			-trace_msg -message_file "$WORK/$name.msg" \
			-trace_err -error_file "$WORK/$name.err" "$@" >"$WORK/$name.out" 2>&1)
		rc=$?
		grep -qs "Unable to bind" "$WORK/$name.err" "$WORK/$name.out" || return $rc
	done
	return $rc
}

# sipp_uas NAME PORT SCENARIO [sipp args...]: SIPp waits for one call on
# 127.0.0.1:PORT in the background (pid in UAS); returns once it listens.
# Started again when it could not bind its media ports (another process on
# the shared machine took one between free_port and SIPp's bind).
sipp_uas() {
	local name=$1 port=$2 sf=$3 try; shift 3
	for try in 1 2 3; do
		rm -f "$WORK/$name".*
		(cd "$WORK" && exec sipp -sf "$SIPP_DIR/$sf" -i 127.0.0.1 -p "$port" -mp "$(free_port)" \
			-m 1 -nostdin -timeout 40s -timeout_error -trace_msg -message_file "$WORK/$name.msg" \
			-trace_err -error_file "$WORK/$name.err" "$@" >"$WORK/$name.out" 2>&1) &
		UAS=$!
		PIDS+=("$UAS")
		wait_for sh -c "ss -Hlun | grep -q ':$port ' || ! kill -0 $UAS"
		sleep 0.3       # a media bind error ends SIPp just after it listens
		kill -0 "$UAS" 2>/dev/null && return 0
		grep -qs "Unable to bind" "$WORK/$name.err" "$WORK/$name.out" || return 1
		wait "$UAS" 2>/dev/null
	done
	return 1
}

# hdr FILE NAME [N]: the value of the Nth (default 1st) NAME header line in
# a SIPp message trace, CR stripped
hdr() {
	tr -d '\r' <"$1" | grep -i "^$2:" | sed -n "${3:-1}p" | sed "s/^[^:]*: *//"
}
