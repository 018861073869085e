#!/usr/bin/env bash
# test_users.sh -- accounts, roles, API tokens, lockout and throttling as an
# admin and a provisioning script meet them: users created with a role and
# validated; each role refused what it may not do; a role change ends that
# user's sessions; the last admin cannot be removed; API tokens are shown
# once, stored hashed, scoped to a role, revocable and expire; five wrong
# passwords lock an account (429 with Retry-After, even for the right one)
# until it times out or an admin unlocks it; ten failures from one address
# throttle that address.
. "$(dirname "$0")/lib.sh"

S=$WORK/state
start_daemon "$S" || { ok 1 "daemon starts"; finish; }
PW=$(cat "$S/initial-admin-password")
DB=$S/trunkgate.db
J='Content-Type: application/json'
api() { http "$@" -u "admin:$PW" -H "$J"; }
as() {          # as TOKEN METHOD PATH [curl args]
	local t=$1; shift
	http "$@" -H "Authorization: Bearer $t" -H "$J"
}
login() {       # login USER PASSWORD: prints "STATUS BODY"
	http POST /api/v1/login -H "$J" -d "{\"username\":\"$1\",\"password\":\"$2\"}"
}
token_of() { printf '%s' "${1#* }" | jq -r .token; }

# --- users
r=$(api POST /api/v1/users -d '{"username":"ops","password":"Second-admin-42","role":"admin","must_change_password":false}')
like "$r" '^201 \{"username":"ops","role":"admin","disabled":false,"must_change_password":false,"failed_logins":0,"locked_until":0' "an admin creates a second admin"
r=$(api POST /api/v1/users -d '{"username":"vic","password":"Viewer-pass-1","role":"viewer"}')
like "$r" '^201 .*"role":"viewer".*"must_change_password":true' "... and a viewer, who must change the password first by default"
like "$(api POST /api/v1/users -d '{"username":"vic","password":"Viewer-pass-1","role":"viewer"}')" '^409 .*"field":"username"' "a taken username is 409"
like "$(api POST /api/v1/users -d '{"username":"x","password":"short","role":"viewer"}')" '^400 .*"field":"password"' "a short password is refused, naming the field"
like "$(api POST /api/v1/users -d '{"username":"x y","password":"Long-enough-1","role":"viewer"}')" '^400 .*"field":"username"' "a username with a space is refused"
like "$(api POST /api/v1/users -d '{"username":"x","password":"Long-enough-1","role":"root"}')" '^400 .*"field":"role"' "an unknown role is refused"
like "$(api POST /api/v1/users -d '{"username":"x","password":"Long-enough-1"}')" '^400 .*"field":"role"' "a missing role is refused"
is "2" "$(sqlite3 "$DB" "select count(*) from audit_log where action = 'create' and object_type = 'user' and actor = 'admin'")" "each created user has an audit row"
like "$(sqlite3 "$DB" "select password_hash from users where username = 'vic'")" '^\$y\$' "passwords are stored as yescrypt hashes"

# --- roles
r=$(login vic Viewer-pass-1); VIC=$(token_of "$r")
like "$r" '^200 .*"role":"viewer"' "the viewer logs in"
like "$(as "$VIC" GET /api/v1/status)" '^200 ' "a viewer reads the status"
like "$(as "$VIC" GET /api/v1/users)" '^403 .*"forbidden"' "a viewer cannot list users"
like "$(as "$VIC" POST /api/v1/spans -d '{"name":"s","type":"E1"}')" '^403 ' "a viewer cannot create a span"
like "$(as "$VIC" POST /api/v1/route-test -d '{"called":"1"}')" '^403 ' "a viewer cannot use the route tester (operator)"
r=$(api PUT /api/v1/users/vic -d '{"role":"operator"}')
like "$r" '^200 .*"role":"operator"' "the admin makes vic an operator"
like "$(as "$VIC" GET /api/v1/status)" '^401 ' "... which ends vic's session at once"
r=$(login vic Viewer-pass-1); VIC=$(token_of "$r")
like "$(as "$VIC" POST /api/v1/route-test -d '{"called":"1"}')" '^(200|400) ' "logged in again, the operator may use the route tester"
like "$(as "$VIC" POST /api/v1/tokens -d '{"name":"t"}')" '^403 ' "an operator cannot make API tokens"
like "$(api PUT /api/v1/users/vic -d '{"username":"victor"}')" '^400 .*"field":"username"' "a user cannot be renamed"
like "$(api PUT /api/v1/users/nobody -d '{"role":"viewer"}')" '^404 ' "changing an unknown user is 404"

# --- the last admin
like "$(api DELETE /api/v1/users/admin)" '^409 .*own account' "an admin cannot delete their own account"
like "$(api PUT /api/v1/users/ops -d '{"disabled":true}')" '^200 .*"disabled":true' "one of two admins can be disabled"
like "$(api PUT /api/v1/users/admin -d '{"role":"viewer"}')" '^409 .*"last_admin"' "... but not the last enabled admin demoted"
is "admin" "$(sqlite3 "$DB" "select role from users where username = 'admin'")" "... which changed nothing"
like "$(api PUT /api/v1/users/ops -d '{"disabled":false}')" '^200 .*"disabled":false' "ops is enabled again"
like "$(api DELETE /api/v1/users/vic)" '^204' "a user is deleted"
like "$(as "$VIC" GET /api/v1/status)" '^401 ' "... and their session ends"

# --- API tokens
r=$(api POST /api/v1/tokens -d '{"name":"provisioning","role":"operator","expires_days":30}')
like "$r" '^201 \{"id":1,"name":"provisioning","role":"operator","created_by":"admin",.*"token":"tgt_[0-9a-f]{48}"\}' "an API token is made, shown once"
TOK=$(token_of "$r")
is "0" "$(sqlite3 "$DB" "select count(*) from api_tokens where token_hash = '$TOK'")" "the token itself is not stored"
is "$(printf '%s' "$TOK" | sha256sum | cut -d' ' -f1)" "$(sqlite3 "$DB" "select token_hash from api_tokens where id = 1")" "... only its SHA-256"
like "$(api GET /api/v1/tokens)" '^200 \{"tokens":\[\{"id":1,"name":"provisioning"' "tokens are listed"
[ "$(api GET /api/v1/tokens | grep -c "$TOK")" -eq 0 ]
ok $? "... without the token"
like "$(as "$TOK" GET /api/v1/status)" '^200 ' "the token reads the status"
like "$(as "$TOK" POST /api/v1/route-test -d '{"called":"1"}')" '^(200|400) ' "... may do what an operator may"
like "$(as "$TOK" POST /api/v1/spans -d '{"name":"s","type":"E1"}')" '^403 .*the operator role' "... and nothing an admin may"
like "$(as "tgt_$(printf '0%.0s' $(seq 48))" GET /api/v1/status)" '^401 ' "a made-up token is refused"
like "$(api POST /api/v1/tokens -d '{"name":"x","role":"root"}')" '^400 .*"field":"role"' "a token with an unknown role is refused"
like "$(api POST /api/v1/tokens -d '{"name":"x","expires_days":9999}')" '^400 .*"field":"expires_days"' "... or with a lifetime over ten years"
r=$(api POST /api/v1/tokens -d '{"name":"old"}')
OLD=$(token_of "$r")
sqlite3 "$DB" "update api_tokens set expires_at = 1 where name = 'old'"
like "$(as "$OLD" GET /api/v1/status)" '^401 ' "an expired token is refused"
like "$(api DELETE /api/v1/tokens/1)" '^204' "a token is revoked"
like "$(as "$TOK" GET /api/v1/status)" '^401 ' "... and refused from then on"
like "$(api DELETE /api/v1/tokens/1)" '^404 ' "revoking it again is 404"

# --- lockout: five wrong passwords lock the account
for i in 1 2 3 4 5; do r=$(login ops wrong-password-$i); done
like "$r" '^401 ' "five wrong passwords are refused"
r=$(curl -s -D - -o /dev/null -H "$J" -d '{"username":"ops","password":"Second-admin-42"}' "${URL}api/v1/login")
like "$r" 'HTTP/1.1 429' "then the account is locked: even the right password gets 429"
like "$r" 'Retry-After: (5[0-9]|60)' "... with Retry-After of about a minute"
like "$(http GET /api/v1/status -u ops:Second-admin-42)" '^429 |^401 ' "... HTTP Basic is locked out too"
is "1" "$(sqlite3 "$DB" "select count(*) from events where kind = 'account-locked' and source = 'ops'")" "the lock is an event"
like "$(api GET /api/v1/users/ops)" '"failed_logins":5,"locked_until":[1-9]' "the admin sees the lock"
like "$(api PUT /api/v1/users/ops -d '{"unlock":true}')" '^200 .*"failed_logins":0,"locked_until":0' "... and unlocks it"
like "$(login ops Second-admin-42)" '^200 ' "ops logs in again"

# --- throttle: ten failures from one address
ADM=$(token_of "$(login admin "$PW")")
for i in $(seq 1 10); do r=$(login nobody wrong-$i); done
like "$r" '^401 ' "ten failed logins for unknown users are refused"
like "$(login ops Second-admin-42)" '^429 .*too many failed logins from 127.0.0.1' "then the address is throttled, whatever the account"
like "$(http GET /api/v1/status -u "admin:$PW")" '^429 ' "... for HTTP Basic too"
like "$(as "$ADM" GET /api/v1/status)" '^200 ' "... while a session made before goes on working"

finish
