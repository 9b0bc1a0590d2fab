#!/usr/bin/env bash
# dpdk-telemetry.py reads synack's counters while it runs: /synack/slots names the worker
# slots and /synack/stats returns the summed counters, which grow between two reads.
set -u
"$SY_SYNACK" pktpath --quiet --profile "$SY_SRC/drivers-config/net_null.ini" \
  --packets 100000000000 --duration 8 < /dev/null > /dev/null 2>&1 &
pid=$!
trap 'kill -INT $pid 2>/dev/null; wait $pid 2>/dev/null' EXIT
fail=0
check() { if eval "$2"; then echo "system: PASS $1"; else echo "system: FAIL $1"; fail=1; fi; }
query() { echo "$1" | dpdk-telemetry.py -f "synack$pid" 2>/dev/null | tail -1; }
for _ in $(seq 50); do [ -S "/var/run/dpdk/synack$pid/dpdk_telemetry.v2" ] && break; sleep 0.1; done
sleep 0.5
slots=$(query /synack/slots)
first=$(query /synack/stats | python3 -c 'import json,sys; print(json.load(sys.stdin)["/synack/stats"]["net/rx_frames"])' 2>/dev/null)
sleep 1
second=$(query /synack/stats | python3 -c 'import json,sys; print(json.load(sys.stdin)["/synack/stats"]["net/rx_frames"])' 2>/dev/null)
echo "slots: $slots; net/rx_frames: $first then $second"
check slots_listed 'printf "%s" "$slots" | grep -q "stack/q0"'
check counters_readable '[ -n "$first" ] && [ "$first" -gt 0 ]'
check counters_grow '[ -n "$second" ] && [ "$second" -gt "$first" ]'
exit $fail
