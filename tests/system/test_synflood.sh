#!/usr/bin/env bash
# A flood of spoofed SYNs (500 000/s from 203.0.113.0/24) runs beside the demo's load:
# the server answers it with SYN cookies and keeps no state for it, legitimate clients
# still complete connections with good responses, and every mbuf comes back.
set -u
tmp=$(mktemp -d /tmp/synack-flood-test.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
"$SY_SYNACK" demo --duration 3 --concurrency 100 --syn-flood 500000 < /dev/null > "$tmp/out" 2>&1
rc=$?
grep -E "^summary|connections:|requests:|flood\.|syncookie|mbufs in use" "$tmp/out"
fail=0
check() { if eval "$2"; then echo "system: PASS $1"; else echo "system: FAIL $1"; fail=1; fi; }
sum() { sed -n "s/^  $1 *//p" "$tmp/out"; }
check exit_zero_no_failed_connection_or_bad_response '[ $rc -eq 0 ]'
check flood_was_sent '[ "$(sum flood.syns_sent)" -gt 100000 ]'
check flood_answered_with_cookies '[ "$(sum tcp.syncookies_sent)" -gt 100000 ]'
check legitimate_clients_complete '[ "$(sum client.responses_ok)" -gt 10000 ]'
check client_ok_equals_server_requests '[ "$(sum client.responses_ok)" = "$(sum http.requests)" ]'
check pool_whole 'grep -q "mbufs in use after shutdown: 0" "$tmp/out"'
exit $fail
