#!/usr/bin/env bash
# test_openapi.sh -- GET /api/v1/openapi.json stays true: openapi_check.py
# validates the document (OpenAPI 3.1 structure, JSON Schema 2020-12 of
# every schema), compares its operations with web/api/routes.c both ways,
# then exercises every operation against this daemon and validates each
# answer (status listed for the operation, body against its schema, required
# headers) with python3-jsonschema.  Here: that the document is public and
# that a request schema says what the server's field tables accept.
. "$(dirname "$0")/lib.sh"

# Debian's python3-jsonschema is for /usr/bin/python3; a python3 earlier on
# PATH may have its own.
PY=
for p in /usr/bin/python3 python3; do
	if command -v "$p" >/dev/null 2>&1 && "$p" -c 'import jsonschema' 2>/dev/null; then
		PY=$p
		break
	fi
done
if [ -z "$PY" ]; then
	ok 1 "python3 with jsonschema (python3-jsonschema, scripts/install-deps.sh) is installed"
	finish
fi

S=$WORK/state
start_daemon "$S" || { ok 1 "daemon starts"; finish; }
PW=$(cat "$S/initial-admin-password")

# the document is public, JSON, and describes this build
r=$(http GET /api/v1/openapi.json)
like "$r" '^200 \{' "GET /api/v1/openapi.json needs no credentials"
printf '%s' "${r#200 }" >"$WORK/doc.json"
is "$(jq -r .info.version "$WORK/doc.json")" "$(curl -s "${URL}api/v1/health" | jq -r .version)" \
	"info.version is the daemon's version"
is "$(jq -r '.paths["/api/v1/spans"].post["x-role"]' "$WORK/doc.json")" admin \
	"each operation carries its least role from the route table (x-role)"
is "$(jq -c '.paths["/api/v1/health"].get.security' "$WORK/doc.json")" '[]' \
	"public operations need no security"
# the request schemas come from the field tables the server validates with
is "$(jq -c '.components.schemas.SpanCreate.properties.name | [.minLength, .maxLength, .pattern]' "$WORK/doc.json")" \
	'[1,32,"^[\\-.0-9A-Z_a-z]*$"]' "SpanCreate.name: the span field table's length and characters"
is "$(jq -c '.components.schemas.SpanCreate.required' "$WORK/doc.json")" '["name","type"]' \
	"SpanCreate requires what a span create requires"
is "$(jq -c '.components.schemas.SpanUpdate | [has("required"), (.properties | has("id"))]' "$WORK/doc.json")" \
	'[false,false]' "SpanUpdate: nothing required, the read-only id left out"
is "$(jq -c '.components.schemas.ManipulationRuleCreate.properties.set_ton | [.type, .minimum, .maximum]' "$WORK/doc.json")" \
	'[["integer","null"],0,7]' "a nullable integer field is integer or null with its range"
is "$(jq -c '.components.schemas.TrunkGroupCreate.properties.members | [.maxItems, .items["$ref"]]' "$WORK/doc.json")" \
	'[64,"#/components/schemas/TrunkGroupMember"]' "a nested list: its item schema and its limit"
is "$(jq -c '.components.schemas.UserUpdate.properties | has("username")' "$WORK/doc.json")" false \
	"UserUpdate leaves out username (a user cannot be renamed)"
# what the schema says is refused, the server refuses (and the other way round)
r=$(http POST /api/v1/spans -u "admin:$PW" -d '{"name":"'"$(printf 'a%.0s' $(seq 33))"'","type":"T1"}')
like "$r" '^400 .*"field":"name"' "a name one over the schema's maxLength is refused"
r=$(http POST /api/v1/spans -u "admin:$PW" -d '{"name":"'"$(printf 'a%.0s' $(seq 32))"'","type":"T1"}')
like "$r" '^201 ' "a name at the schema's maxLength is accepted"
http DELETE "/api/v1/spans/$(printf 'a%.0s' $(seq 32))" -u "admin:$PW" >/dev/null

# everything else: the checker (one line per check)
while IFS='|' read -r verdict what why; do
	case $verdict in
	ok) ok 0 "$what" ;;
	"not ok") ok 1 "$what"; echo "#   $why" ;;
	*) echo "# $verdict $what $why" ;;
	esac
done < <("$PY" "$TG_SRCDIR/tests/integration/openapi_check.py" "$URL" "$PW" \
	"$TG_SRCDIR/web/api/routes.c" "$S" 2>&1)

finish
