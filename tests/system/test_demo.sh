#!/usr/bin/env bash
# `synack demo` (client and server stacks over the in-memory link) for 3 s of short HTTP
# connections: exit 0, no errors, the client's good responses equal the server's requests
# (within the connections still open when the run stopped: none, since the stop drains),
# and the JSON result validates against docs/results-schema.json.
set -u
tmp=$(mktemp -d /tmp/synack-demo-test.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
"$SY_SYNACK" demo --duration 3 --json "$tmp/demo.json" < /dev/null > "$tmp/out" 2>&1
rc=$?
cat "$tmp/out"
fail=0
check() { if eval "$2"; then echo "system: PASS $1"; else echo "system: FAIL $1"; fail=1; fi; }
sum() { sed -n "s/^  $1 *//p" "$tmp/out"; }
check exit_zero '[ $rc -eq 0 ]'
check responses_completed '[ "$(sum client.responses_ok)" -gt 1000 ]'
check client_ok_equals_server_requests '[ "$(sum client.responses_ok)" = "$(sum http.requests)" ]'
check no_response_errors '[ -z "$(sum client.response_errors)" ]'
check no_failed_connections '[ -z "$(sum client.conns_failed)" ]'
check pool_whole 'grep -q "mbufs in use after shutdown: 0" "$tmp/out"'
check json_matches_schema '/usr/bin/python3 -c "
import json, sys, jsonschema
jsonschema.validate(json.load(open(\"$tmp/demo.json\")), json.load(open(\"$SY_SRC/docs/results-schema.json\")))
"'
# TIME-WAIT is held by the side that closes first (RFC 9293 3.6), and each side is sized
# for what it holds: whichever closes, no connection may skip TIME-WAIT for want of a record.
for closer in client server; do
  "$SY_SYNACK" demo --duration 2 --closer "$closer" < /dev/null > "$tmp/out_$closer" 2>&1
  check "closer_${closer}_time_wait_held_none_overflowed" \
    "grep -Eq '^  tcp.time_wait_entered +[1-9]' '$tmp/out_$closer' &&
     ! grep -Eq '^  tcp.time_wait_overflow +[1-9]' '$tmp/out_$closer' &&
     ! grep -Eq '^  client.conns_failed +[1-9]' '$tmp/out_$closer'"
done
exit $fail
