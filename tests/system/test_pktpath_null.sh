#!/usr/bin/env bash
# The per-core loop on net_null processes ten million frames and every mbuf is back in
# its pool afterwards (synack exits 1 and says so otherwise).
set -u
out=$("$SY_SYNACK" pktpath --profile "$SY_SRC/drivers-config/net_null.ini" --packets 10000000 \
  < /dev/null 2>&1)
rc=$?
printf '%s\n' "$out"
fail=0
check() { if eval "$2"; then echo "system: PASS $1"; else echo "system: FAIL $1"; fail=1; fi; }
check exit_zero '[ $rc -eq 0 ]'
check ten_million_frames 'printf "%s\n" "$out" | grep -Eq "loop.rx_frames +1[0-9]{7}$"'
check pool_whole 'printf "%s\n" "$out" | grep -q "mbufs in use after shutdown: 0"'
exit $fail
