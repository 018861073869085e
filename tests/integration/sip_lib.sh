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
# Started again (a new media port) if it could not bind one: the machine is
# shared and a free port can be taken before SIPp binds it.
sipp_uas() {
	local name=$1 port=$2 sf=$3 try; shift 3
	for try in 1 2 3; do
		rm -f "$WORK/$name".*
		(cd "$WORK" && exec sipp -sf "$SIPP_DIR/$sf" -i 127.0.0.1 -p "$port" -mp "$(free_port)" \
			-m 1 -nostdin -timeout 40s -timeout_error -trace_msg -message_file "$WORK/$name.msg" \
			-trace_err -error_file "$WORK/$name.err" "$@" >"$WORK/$name.out" 2>&1) &
		UAS=$!
		wait_for sh -c "ss -Hlun | grep -q ':$port ' || ! kill -0 $UAS 2>/dev/null"
		sleep 0.2       # SIPp binds its media ports right after the SIP one
		if kill -0 "$UAS" 2>/dev/null ||
		   ! grep -qs "Unable to bind" "$WORK/$name.err" "$WORK/$name.out"; then
			PIDS+=("$UAS")
			ss -Hlun | grep -q ":$port "
			return
		fi
		wait "$UAS"
	done
	return 1
}

# hdr FILE NAME [N]: the value of the Nth (default 1st) NAME header line in
# a SIPp message trace, CR stripped
hdr() {
	tr -d '\r' <"$1" | grep -i "^$2:" | sed -n "${3:-1}p" | sed "s/^[^:]*: *//"
}

# sip_start [daemon options...]: start_daemon in $WORK/state (S) and wait
# for its SIP address (SIP_TARGET); PW is the admin password, api() calls
# the REST API as admin with JSON.  Returns 1 (with a failed check) if the
# daemon does not come up.
sip_start() {
	S=$WORK/state
	start_daemon "$S" "$@" || { ok 1 "daemon starts"; return 1; }
	wait_for test -s "$S/sip.url"; ok $? "the SIP side listens"
	SIP_TARGET=$(sed 's/^sip://' "$S/sip.url")
	PW=$(cat "$S/initial-admin-password")
}
api() { http "$@" -u "admin:$PW" -H 'Content-Type: application/json'; }

# tls_certs DIR NAME:CN...: a test CA (DIR/ca.pem, ca.key) and for each
# NAME a key and certificate (DIR/NAME.key, NAME.pem) it signed, CN and
# subjectAltName DNS:CN.  Fails if openssl does.
tls_certs() {
	local dir=$1 spec name cn; shift
	mkdir -p "$dir" &&
	openssl req -x509 -newkey rsa:2048 -nodes -keyout "$dir/ca.key" -subj "/CN=trunkgate test CA" \
		-days 2 -out "$dir/ca.pem" 2>/dev/null || return 1
	for spec in "$@"; do
		name=${spec%%:*} cn=${spec#*:}
		openssl req -newkey rsa:2048 -nodes -keyout "$dir/$name.key" -subj "/CN=$cn" \
			-out "$dir/$name.csr" 2>/dev/null &&
		printf 'subjectAltName=DNS:%s\n' "$cn" >"$dir/$name.ext" &&
		openssl x509 -req -in "$dir/$name.csr" -CA "$dir/ca.pem" -CAkey "$dir/ca.key" \
			-CAcreateserial -days 2 -extfile "$dir/$name.ext" -out "$dir/$name.pem" \
			2>/dev/null || return 1
	done
}

# sipp_bg NAME [sipp args...]: SIPp in the background from $WORK (pid in
# BG), its output in $WORK/NAME.out and errors in NAME.err; started again
# (up to 3 times) when it exits at once because a port it wanted was taken
# on this shared machine.  Returns 1 if it never stayed up.
sipp_bg() {
	local name=$1 try; shift
	for try in 1 2 3; do
		rm -f "$WORK/$name.err"
		(cd "$WORK" && exec sipp "$@" -trace_err -error_file "$WORK/$name.err" \
			>"$WORK/$name.out" 2>&1) &
		BG=$!
		PIDS+=("$BG")
		sleep 0.5
		kill -0 "$BG" 2>/dev/null && return 0
		grep -qs "Unable to bind" "$WORK/$name.err" "$WORK/$name.out" || return 0
	done
	return 1
}

# ---- the preamble the SIP tests share (after sip_start): API checks, the
# ---- status, and the PRI side they route through.  Keep this block apart
# ---- from other helpers' additions.

# expect_code CODE DESCRIPTION METHOD PATH [curl args]: one check that the
# API (as admin, with JSON) answers CODE
expect_code() {
	local code=$1 what=$2 r; shift 2
	r=$(api "$@")
	like "$r" "^$code " "$what"
}
# status: /api/v1/status; status_is JQ: it holds the jq expression JQ
status() { curl -s -u "admin:$PW" "${URL}api/v1/status"; }
status_is() { status | jq -e "$1" >/dev/null; }

# sip_spans NAME...: the PRI side, NAME pbx and/or carrier: each span (E1;
# the gateway is the network side toward the PBX, the user side toward the
# carrier) and its span group NAME-g, one check each; then waits until the
# daemon has the spans.  PBX and CAR are tgsim's lines for the far ends.
sip_spans() {
	local name side names=
	for name in "$@"; do
		case $name in
		pbx) side=network ;;
		carrier) side=user ;;
		*) ok 1 "sip_spans knows pbx and carrier, not $name"; continue ;;
		esac
		expect_code 201 "span $name" POST /api/v1/spans \
			-d "{\"name\":\"$name\",\"type\":\"E1\",\"pri_side\":\"$side\"}"
		expect_code 201 "group $name-g" POST /api/v1/trunk-groups \
			-d "{\"name\":\"$name-g\",\"kind\":\"span\",\"members\":[{\"span\":\"$name\"}]}"
		names="$names${names:+ or }.name == \"$name\""
	done
	PBX="span pbx $S/sim/pbx.sock type=E1 switch=euroisdn side=user"
	CAR="span carrier $S/sim/carrier.sock type=E1 switch=euroisdn side=network"
	wait_for status_is "[.spans[] | select($names)] | length == $#"
}

# ---- media tests: the carrier span routed to one SIP trunk ----
# carrier_to_itsp SPAN_RE SPAN_MSG TRUNK_FIELDS TRUNK_MSG: span "carrier"
# (E1, PRI user side; its 201 must match SPAN_RE), SIP trunk "itsp" toward
# SIPp/a peer on 127.0.0.1:$UAS_PORT (TRUNK_FIELDS: extra JSON members, each
# followed by a comma), their groups and route "out" for called numbers
# starting with 0; waits until the routing is applied and the span shows, and
# sets CAR to tgsim's carrier span line.  Needs the test's `api` and
# `status_is`.
carrier_to_itsp() {
	like "$(api POST /api/v1/spans -d '{"name":"carrier","type":"E1","pri_side":"user"}')" "$1" "$2"
	like "$(api POST /api/v1/sip-trunks -d "{\"name\":\"itsp\",\"options_interval\":0,$3\"next_hops\":[{\"host\":\"127.0.0.1\",\"port\":$UAS_PORT}]}")" \
		'^201 ' "$4"
	like "$(api POST /api/v1/trunk-groups -d '{"name":"carrier-g","kind":"span","members":[{"span":"carrier"}]}')" '^201 ' "group carrier-g"
	like "$(api POST /api/v1/trunk-groups -d '{"name":"itsp-g","kind":"sip","members":[{"sip_trunk":"itsp"}]}')" '^201 ' "group itsp-g"
	local r g
	r=$(api POST /api/v1/routes -d '{"name":"out","source_group":"carrier-g","called_prefix":"0","destinations":[{"group":"itsp-g"}]}')
	like "$r" '^201 ' "route carrier -> itsp"
	g=$(sed 's/^[0-9]* //' <<<"$r" | jq -r '.generation')
	wait_for status_is ".config.generation >= $g"; ok $? "the routing is applied"
	wait_for status_is '[.spans[] | select(.name == "carrier")] | length == 1'
	CAR="span carrier $S/sim/carrier.sock type=E1 switch=euroisdn side=network"
}
