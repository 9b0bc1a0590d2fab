#!/usr/bin/env bash
# SIGTERM and SIGINT stop synack cleanly: loops stop, ports stop and close, every mbuf is
# back in its pool (exit 0), and a load run that is interrupted drains its connections
# within a bounded time, prints its summary and writes its JSON. A second run starts
# cleanly right after (no hugepage files or runtime directories left behind).
set -u
tmp=$(mktemp -d /tmp/synack-signals-test.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
fail=0
check() { if eval "$2"; then echo "system: PASS $1"; else echo "system: FAIL $1"; fail=1; fi; }

# $1 signal, $2.. command; waits 2 s, signals, expects an exit within 10 s
signal_run() {
  local sig=$1; shift
  "$SY_SYNACK" "$@" < /dev/null > "$tmp/out" 2>&1 &
  local t0 rc
  pid=$!
  sleep 2
  t0=$(date +%s)
  kill "-$sig" "$pid"
  for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  if kill -0 "$pid" 2>/dev/null; then kill -KILL "$pid"; echo "did not stop"; fi
  wait "$pid"; rc=$?
  elapsed=$(( $(date +%s) - t0 ))
  echo "$sig: exit $rc after ${elapsed}s"; tail -3 "$tmp/out"
  return $rc
}

signal_run TERM server --profile "$SY_SRC/drivers-config/net_null.ini"
rc=$?
check sigterm_server_exits_zero '[ $rc -eq 0 ]'
check sigterm_pool_whole 'grep -q "mbufs in use after shutdown: 0" "$tmp/out"'
check sigterm_no_runtime_dir_left '[ ! -e "/var/run/dpdk/synack$pid" ]'

signal_run INT demo --duration 60 --json "$tmp/r.json"
rc=$?
check sigint_demo_exits_zero '[ $rc -eq 0 ]'
check sigint_demo_stops_within_bound '[ $elapsed -le 5 ]'
check sigint_demo_summary_printed 'grep -q "^summary:" "$tmp/out"'
check sigint_demo_json_written '[ -s "$tmp/r.json" ]'
check sigint_demo_pool_whole 'grep -q "mbufs in use after shutdown: 0" "$tmp/out"'
check no_hugepage_files_left '! ls /dev/hugepages 2>/dev/null | grep -q "^synack${pid}map"'

"$SY_SYNACK" demo --duration 1 --quiet < /dev/null > "$tmp/out2" 2>&1
check second_run_starts_cleanly '[ $? -eq 0 ]'
exit $fail
