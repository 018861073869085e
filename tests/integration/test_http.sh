#!/usr/bin/env bash
# test_http.sh -- the HTTP server over real loopback requests: health, auth
# refused and accepted (Basic, Bearer, cookie + CSRF), JSON errors (400, 401,
# 403, 404, 405, 413), static files and traversal attempts, settings applied
# live, and the password change that retires the initial password.
. "$(dirname "$0")/lib.sh"

S=$WORK/state
start_daemon "$S" || { ok 1 "daemon starts"; finish; }
ok 0 "daemon starts and writes its URL"
PW=$(cat "$S/initial-admin-password")
VER=$("$TRUNKGATED" --version | awk '{print $2}')
SCHEMA=$(ls "$TG_SRCDIR"/db/migrations/*.sql | wc -l)

# --- health, no auth
r=$(http GET /api/v1/health)
is "200 {\"status\":\"ok\",\"version\":\"$VER\",\"schema_version\":$SCHEMA}" "$r" "health answers without auth with the version"
hdrs=$(curl -s -D - -o /dev/null "${URL}api/v1/health")
like "$hdrs" "Content-Type: application/json" "health is JSON"
like "$hdrs" "X-Content-Type-Options: nosniff" "security headers are sent"
like "$hdrs" "Content-Security-Policy: default-src 'self'" "CSP is sent"

# --- auth refused
r=$(http GET /api/v1/status)
like "$r" '^401 \{"error":\{"code":"unauthorized"' "status without credentials is 401 JSON"
r=$(http GET /api/v1/status -u admin:wrong-password)
like "$r" '^401 .*not valid' "status with a wrong password is 401"
r=$(http GET /api/v1/status -u nobody:x)
like "$r" '^401 ' "status with an unknown user is 401"
r=$(http GET /api/v1/status -H 'Authorization: Bearer 0000000000000000000000000000000000000000000000000000000000000000')
like "$r" '^401 ' "a made-up bearer token is 401"

# --- auth accepted: Basic
r=$(http GET /api/v1/status -u "admin:$PW")
like "$r" "^200 \\{\"system\":\\{\"version\":\"$VER\"" "status with the initial admin password is 200"
like "$r" '"generation":0' "status shows config generation 0 on a fresh database"

# --- login: bearer and cookie
r=$(http POST /api/v1/login -H 'Content-Type: application/json' -d "{\"username\":\"admin\",\"password\":\"$PW\"}" -c "$WORK/jar")
like "$r" '^200 \{"token":"[0-9a-f]{64}","csrf_token":"[0-9a-f]{32}","username":"admin","role":"admin","must_change_password":true' "login returns a session token, CSRF token and must_change_password"
TOKEN=$(printf '%s' "$r" | sed -E 's/.*"token":"([0-9a-f]+)".*/\1/')
CSRF=$(printf '%s' "$r" | sed -E 's/.*"csrf_token":"([0-9a-f]+)".*/\1/')
grep -q 'tg_session' "$WORK/jar"; ok $? "login sets the session cookie"
hdrs=$(curl -s -D - -o /dev/null -H 'Content-Type: application/json' -d "{\"username\":\"admin\",\"password\":\"$PW\"}" "${URL}api/v1/login")
like "$hdrs" 'Set-Cookie: tg_session=[0-9a-f]{64}; Path=/; HttpOnly; SameSite=Strict' "the cookie is HttpOnly and SameSite=Strict"
r=$(http GET /api/v1/session -H "Authorization: Bearer $TOKEN")
is '200 {"username":"admin","role":"admin","must_change_password":true}' "$r" "the bearer token authenticates"
r=$(http GET /api/v1/status -b "$WORK/jar")
like "$r" '^200 ' "the session cookie authenticates reads"
r=$(http POST /api/v1/login -H 'Content-Type: application/json' -d '{"username":"admin","password":"nope"}')
like "$r" '^401 .*wrong username or password' "login with a wrong password is 401"
r=$(http POST /api/v1/login -H 'Content-Type: application/json' -d '{"username":"admin"}')
is '400 {"error":{"code":"invalid_field","message":"password is required","field":"password"}}' "$r" "login without a password names the field"
r=$(http POST /api/v1/login -H 'Content-Type: application/json' -d '{"username":"admin",')
like "$r" '^400 \{"error":\{"code":"bad_json"' "malformed JSON is 400 bad_json"

# --- settings: validation, CSRF, live apply
r=$(http PUT /api/v1/settings -b "$WORK/jar" -H 'Content-Type: application/json' -d '{"system_name":"gw-1"}')
like "$r" '^403 \{"error":\{"code":"csrf"' "a cookie write without the CSRF header is 403"
r=$(http PUT /api/v1/settings -b "$WORK/jar" -H "X-CSRF-Token: $CSRF" -H 'Content-Type: application/json' -d '{"system_name":"gw-berlin-1","location":"Rack 4"}')
like "$r" '^200 \{"system_name":"gw-berlin-1","location":"Rack 4","contact":"","no_answer_timeout":180,"max_call_duration":0,"cdr_retention_days":365,"cdr_retention_max":5000000,"event_retention_days":90,"event_retention_max":200000,"sip_rate_limit":50,"sip_rate_burst":100,"generation":1\}' "a cookie write with the CSRF header is saved as generation 1"
wait_for sh -c "curl -s -u 'admin:$PW' '${URL}api/v1/status' | grep -q '\"generation\":1'"
ok $? "the daemon applies generation 1 live (status shows it)"
r=$(http GET /api/v1/status -H "Authorization: Bearer $TOKEN")
like "$r" '"system_name":"gw-berlin-1","location":"Rack 4"' "status shows the applied settings"
r=$(http PUT /api/v1/settings -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' -d '{"sytem_name":"x"}')
is '400 {"error":{"code":"invalid_field","message":"unknown field \"sytem_name\"","field":"sytem_name"}}' "$r" "an unknown settings field is 400 naming it"
r=$(http PUT /api/v1/settings -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' -d '{"contact":42}')
like "$r" '^400 .*"field":"contact"' "a non-string value is 400 naming the field"
long=$(printf 'x%.0s' $(seq 1 129))
r=$(http PUT /api/v1/settings -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' -d "{\"location\":\"$long\"}")
like "$r" '^400 .*longer than 128.*"field":"location"' "a too long value is 400 naming the field"
r=$(http PUT /api/v1/settings -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' -d '{"location":"a\u0007b"}')
like "$r" '^400 .*control characters.*"field":"location"' "control characters are refused"
r=$(http GET /api/v1/settings -u "admin:$PW")
is '200 {"system_name":"gw-berlin-1","location":"Rack 4","contact":"","no_answer_timeout":180,"max_call_duration":0,"cdr_retention_days":365,"cdr_retention_max":5000000,"event_retention_days":90,"event_retention_max":200000,"sip_rate_limit":50,"sip_rate_burst":100}' "$r" "rejected writes changed nothing"
n=$(sqlite3 "$S/trunkgate.db" "select count(*) from audit_log where action='update' and object_type='settings'")
is 1 "$n" "exactly one audit row for the one accepted change"

# --- 404, 405, 413
r=$(http GET /api/v1/nope -u "admin:$PW")
like "$r" '^404 \{"error":\{"code":"not_found"' "an unknown API path is 404 JSON"
r=$(http DELETE /api/v1/health)
like "$r" '^405 \{"error":\{"code":"method_not_allowed"' "a wrong method is 405 JSON"
hdrs=$(curl -s -D - -o /dev/null -X DELETE "${URL}api/v1/settings")
like "$hdrs" 'Allow: GET, PUT' "405 lists the allowed methods"
head -c 300000 /dev/zero | tr '\0' 'a' >"$WORK/big"
r=$(http PUT /api/v1/settings -u "admin:$PW" -H 'Content-Type: application/json' --data-binary @"$WORK/big")
like "$r" '^413 \{"error":\{"code":"payload_too_large"' "an oversized body (Content-Length) is 413 JSON"
r=$(http PUT /api/v1/settings -u "admin:$PW" -H 'Transfer-Encoding: chunked' -H 'Content-Type: application/json' --data-binary @"$WORK/big")
like "$r" '^413 ' "an oversized chunked body is 413"
r=$(http GET /api/v1/health)
like "$r" '^200 ' "the server still answers after the oversized requests"

# --- static files and traversal
r=$(curl -s -o /dev/null -w '%{http_code} %{content_type}' "${URL}")
is "200 text/html; charset=utf-8" "$r" "/ serves index.html as text/html"
r=$(curl -s -o /dev/null -w '%{http_code} %{content_type}' "${URL}style.css")
is "200 text/css; charset=utf-8" "$r" "CSS is served as text/css"
for p in '/../../../../etc/passwd' '/%2e%2e/%2e%2e/etc/passwd' '/..%2f..%2f..%2fetc/passwd' '/.%2e/.%2e/etc/passwd' '/%2e%2e%5c%2e%2e%5cetc%5cpasswd'; do
	r=$(curl -s --path-as-is -o "$WORK/t" -w '%{http_code}' "${URL%/}$p")
	if [ "$r" = 404 ] && ! grep -q root: "$WORK/t"; then ok 0 "traversal $p is refused"; else ok 1 "traversal $p is refused (got $r)"; fi
done
r=$(curl -s -o /dev/null -w '%{http_code}' -X POST "${URL}index.html")
is 405 "$r" "POST to a static file is 405"

# --- password change retires the initial password
r=$(http POST /api/v1/account/password -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' -d '{"current_password":"wrong","new_password":"a-much-better-one"}')
like "$r" '^400 .*"field":"current_password"' "a wrong current password is refused naming the field"
r=$(http POST /api/v1/account/password -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' -d "{\"current_password\":\"$PW\",\"new_password\":\"short\"}")
like "$r" '^400 .*"field":"new_password"' "a short new password is refused naming the field"
r=$(http POST /api/v1/account/password -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' -d "{\"current_password\":\"$PW\",\"new_password\":\"a-much-better-one\"}")
is "204 " "$r" "the password is changed"
r=$(http GET /api/v1/session -u "admin:a-much-better-one")
is '200 {"username":"admin","role":"admin","must_change_password":false}' "$r" "the new password works and must_change_password is cleared"
r=$(http GET /api/v1/status -u "admin:$PW")
like "$r" '^401 ' "the initial password no longer works"
[ ! -e "$S/initial-admin-password" ]; ok $? "the initial-admin-password file is removed"

stop_daemon "$DPID"
finish
