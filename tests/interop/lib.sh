#!/usr/bin/env bash
# Shared by the interop tests: synack on net_tap, its TAP interface moved into a network
# namespace that the test creates, the Linux kernel on the other end. Everything a test
# creates (namespace, TAP, synack process, temp files) is removed by an EXIT trap, so it
# goes away even when the test fails. Each test gets its own interface, namespace and
# EAL file prefix, so tests run in parallel without colliding.
#
# A test calls: sy_interop_init NAME; sy_start_synack ARGS...; checks with sy_check;
# sy_stop_synack; sy_finish. Output lines "interop: PASS|FAIL name: detail" are counted by
# scripts/test.sh.
set -u

SY_SYNACK=${SY_SYNACK:-}
SY_SRC=${SY_SRC:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
SY_LOCAL_IP=198.18.0.1      # synack, from drivers-config/net_tap.ini
SY_KERNEL_IP=198.18.0.2     # the kernel side in the namespace
sy_failures=0

sy_interop_init() {
  SY_NAME=$1
  local tag
  tag=$(printf '%s' "$1$$" | md5sum | cut -c1-6)
  SY_IF=sy$tag                  # <= 15 characters
  SY_NS=synack-$tag
  SY_TMP=$(mktemp -d "/tmp/synack-interop-$1.XXXXXX")
  SY_PID=
  trap sy_cleanup EXIT
  if [ "$(id -u)" -ne 0 ] || [ ! -c /dev/net/tun ]; then
    echo "interop: FAIL $SY_NAME: needs root and /dev/net/tun"; exit 1
  fi
  [ -x "$SY_SYNACK" ] || { echo "interop: FAIL $SY_NAME: no synack binary ($SY_SYNACK)"; exit 1; }
  # A private copy of the profile with this test's interface name.
  sed -e "s/^device = net_tap0,iface=sytap0/device = net_tap_$tag,iface=$SY_IF/" \
    "$SY_SRC/drivers-config/net_tap.ini" > "$SY_TMP/net_tap.ini"
  ip netns add "$SY_NS"
  ip -n "$SY_NS" link set lo up
}

sy_cleanup() {
  if [ -n "${SY_PID:-}" ] && kill -0 "$SY_PID" 2>/dev/null; then
    kill -INT "$SY_PID" 2>/dev/null
    for _ in $(seq 50); do kill -0 "$SY_PID" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$SY_PID" 2>/dev/null
  fi
  ip netns del "$SY_NS" 2>/dev/null
  ip link del "$SY_IF" 2>/dev/null
  [ "${SY_KEEP_TMP:-0}" = 1 ] || rm -rf "$SY_TMP"
}

# Starts synack in the background (stdin from /dev/null: it never reads it), waits for its
# TAP interface, moves it into the namespace and configures the kernel side.
sy_start_synack() {
  "$SY_SYNACK" "$@" --profile "$SY_TMP/net_tap.ini" < /dev/null > "$SY_TMP/synack.log" 2>&1 &
  SY_PID=$!
  for _ in $(seq 100); do
    ip link show "$SY_IF" >/dev/null 2>&1 && break
    kill -0 "$SY_PID" 2>/dev/null || break
    sleep 0.1
  done
  if ! ip link set "$SY_IF" netns "$SY_NS" 2>/dev/null; then
    echo "interop: FAIL $SY_NAME: synack did not create $SY_IF"; cat "$SY_TMP/synack.log"; exit 1
  fi
  ip -n "$SY_NS" addr add "$SY_KERNEL_IP/15" dev "$SY_IF"
  ip -n "$SY_NS" link set "$SY_IF" up
}

sy_ns() { ip netns exec "$SY_NS" "$@"; }

# sy_check NAME COMMAND...: runs a check, records PASS or FAIL.
sy_check() {
  local name=$1; shift
  local out
  if out=$("$@" 2>&1); then
    echo "interop: PASS $SY_NAME/$name"
  else
    echo "interop: FAIL $SY_NAME/$name"; printf '%s\n' "$out" | sed 's/^/    /' | tail -20
    sy_failures=$((sy_failures + 1))
  fi
}

# Stops synack with SIGINT and checks it exits 0 (which means: no mbuf leaked).
sy_stop_synack() {
  kill -INT "$SY_PID"
  local rc=0
  wait "$SY_PID" || rc=$?
  SY_PID=
  if [ $rc -eq 0 ] && grep -q 'mbufs in use after shutdown: 0' "$SY_TMP/synack.log"; then
    echo "interop: PASS $SY_NAME/clean_shutdown"
  else
    echo "interop: FAIL $SY_NAME/clean_shutdown (exit $rc)"; tail -30 "$SY_TMP/synack.log"
    sy_failures=$((sy_failures + 1))
  fi
}

sy_finish() {
  if [ $sy_failures -ne 0 ]; then
    echo "--- synack log"; tail -60 "$SY_TMP/synack.log" 2>/dev/null
    exit 1
  fi
  exit 0
}
