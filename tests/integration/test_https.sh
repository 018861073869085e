#!/usr/bin/env bash
# test_https.sh -- the HTTPS listener: a self-signed certificate made at first
# start (key 0600) and kept across restarts, verified by curl with that
# certificate as its CA; the same API over HTTPS, session cookies marked
# Secure there and only there; a configured certificate used as given, and a
# certificate that does not match its key refused at start, naming the file.
. "$(dirname "$0")/lib.sh"

S=$WORK/state
mkdir -p "$S"
start_daemon "$S" --https 127.0.0.1:0 || { ok 1 "daemon starts"; finish; }
PW=$(cat "$S/initial-admin-password")
wait_for test -s "$S/https.url"
HURL=$(cat "$S/https.url")
like "$HURL" '^https://127\.0\.0\.1:[0-9]+/$' "the HTTPS address is written to STATE/https.url"
PORT=$(printf '%s' "$HURL" | sed -E 's|.*:([0-9]+)/$|\1|')
is "600" "$(stat -c %a "$S/tls/key.pem")" "a self-signed key is made at first start, mode 0600"
like "$(openssl x509 -in "$S/tls/cert.pem" -noout -subject)" 'O ?= ?trunkgate \(self-signed\)' "... with a certificate that says what it is"
like "$(openssl x509 -in "$S/tls/cert.pem" -noout -ext subjectAltName)" 'DNS:localhost' "... valid for localhost"
like "$(openssl x509 -in "$S/tls/cert.pem" -noout -text)" 'ecdsa-with-SHA256' "... ECDSA with SHA-256"
r=$(curl -s --cacert "$S/tls/cert.pem" --resolve "localhost:$PORT:127.0.0.1" "https://localhost:$PORT/api/v1/health")
like "$r" '"status":"ok"' "curl verifies the certificate and reaches the API over HTTPS"
r=$(curl -s -o /dev/null -w '%{http_code}' "https://localhost:$PORT/api/v1/health" --resolve "localhost:$PORT:127.0.0.1")
is "000" "$r" "... while a client that does not trust it is refused"
like "$(curl -sk "${HURL}api/v1/status" -u "admin:$PW")" '"system"' "the whole API is there over HTTPS"
like "$(curl -sk "$HURL" )" '<title>trunkgate</title>' "... and the admin UI"
h=$(curl -sk -D - -o /dev/null -H 'Content-Type: application/json' -d "{\"username\":\"admin\",\"password\":\"$PW\"}" "${HURL}api/v1/login")
like "$h" 'Set-Cookie: tg_session=[0-9a-f]+; Path=/; HttpOnly; SameSite=Strict; Secure' "a session cookie over HTTPS is Secure"
h=$(curl -s -D - -o /dev/null -H 'Content-Type: application/json' -d "{\"username\":\"admin\",\"password\":\"$PW\"}" "${URL}api/v1/login")
like "$h" 'Set-Cookie: tg_session=[0-9a-f]+; Path=/; HttpOnly; SameSite=Strict'$'\r' "... over plain HTTP it is not"
like "$(curl -sk -D - -o /dev/null "${HURL}api/v1/health")" 'Content-Security-Policy' "security headers over HTTPS too"
fp1=$(openssl x509 -in "$S/tls/cert.pem" -noout -fingerprint -sha256)

stop_daemon "$DPID"
is "0" "$STOP_RC" "SIGTERM stops it"
[ ! -e "$S/https.url" ]
ok $? "... and removes https.url"
start_daemon "$S" --https 127.0.0.1:0 || ok 1 "restarts"
wait_for test -s "$S/https.url"
is "$fp1" "$(openssl x509 -in "$S/tls/cert.pem" -noout -fingerprint -sha256)" "the certificate is kept across a restart"
like "$(echo | openssl s_client -connect "127.0.0.1:$(sed -E 's|.*:([0-9]+)/$|\1|' "$S/https.url")" 2>/dev/null | openssl x509 -noout -fingerprint -sha256)" "${fp1#*=}" \
	"... and is the one served"
stop_daemon "$DPID"

# a configured pair, and a pair that does not match
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$WORK/own.key" -out "$WORK/own.crt" -days 30 \
	-subj "/CN=gw.example.net" -addext "subjectAltName=DNS:gw.example.net" 2>/dev/null
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$WORK/other.key" -out "$WORK/other.crt" -days 30 \
	-subj "/CN=other" 2>/dev/null
printf 'tls_cert = %s\ntls_key = %s\n' "$WORK/own.crt" "$WORK/own.key" >"$WORK/own.conf"
start_daemon "$S" --config "$WORK/own.conf" --https 127.0.0.1:0 || ok 1 "starts with its own certificate"
wait_for test -s "$S/https.url"
P2=$(sed -E 's|.*:([0-9]+)/$|\1|' "$S/https.url")
like "$(curl -s --cacert "$WORK/own.crt" --resolve "gw.example.net:$P2:127.0.0.1" "https://gw.example.net:$P2/api/v1/health")" '"status":"ok"' \
	"a configured certificate is served as given"
stop_daemon "$DPID"
printf 'tls_cert = %s\ntls_key = %s\n' "$WORK/own.crt" "$WORK/other.key" >"$WORK/bad.conf"
"$TRUNKGATED" --state-dir "$S" --config "$WORK/bad.conf" --http 127.0.0.1:0 --https 127.0.0.1:0 >"$WORK/bad.log" 2>&1 &
p=$!
PIDS+=("$p")
wait "$p"
rc=$?
[ "$rc" -ne 0 ]
ok $? "a certificate that does not match its key stops the start (exit $rc)"
like "$(cat "$WORK/bad.log")" "own\.crt and its key" "... with a message naming the file"
like "$("$TRUNKGATED" --https nowhere 2>&1)" '--https "nowhere": expected ADDRESS:PORT' "a bad --https is refused"

finish
