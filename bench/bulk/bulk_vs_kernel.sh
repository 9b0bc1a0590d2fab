#!/bin/sh
# Runs bench_bulk (two synack stacks in one process, one core) and iperf3 between two
# network namespaces joined by a veth pair (kernel TCP, -t 5), in the same run, and prints
# both figures and their ratio. Needs root and iperf3. Creates and deletes its namespaces.
# Usage: bench/bulk/bulk_vs_kernel.sh [build-dir] [bytes]
set -eu
BUILD=${1:-build}
BYTES=${2:-1073741824}
NS1=sybulk1.$$
NS2=sybulk2.$$
cleanup() {
	[ -n "${SRV:-}" ] && kill "$SRV" 2>/dev/null || true
	ip netns del "$NS1" 2>/dev/null || true
	ip netns del "$NS2" 2>/dev/null || true
}
trap cleanup EXIT INT TERM
command -v iperf3 >/dev/null || { echo "iperf3 not installed" >&2; exit 2; }

SY=$("$BUILD/bench/bulk/bench_bulk" "$BYTES")
SY_GBPS=$(printf '%s' "$SY" | sed 's/.*"runs": \[{[^}]*"gbit_s": \([0-9.]*\).*/\1/')

ip netns add "$NS1"
ip netns add "$NS2"
ip link add sybulka netns "$NS1" type veth peer name sybulkb netns "$NS2"
ip -n "$NS1" addr add 10.77.0.1/24 dev sybulka
ip -n "$NS2" addr add 10.77.0.2/24 dev sybulkb
ip -n "$NS1" link set sybulka up
ip -n "$NS2" link set sybulkb up
ip -n "$NS1" link set lo up
ip -n "$NS2" link set lo up
ip netns exec "$NS2" iperf3 -s -1 -B 10.77.0.2 >/dev/null 2>&1 &
SRV=$!
sleep 0.5
K=$(ip netns exec "$NS1" iperf3 -c 10.77.0.2 -t 5 -J)
K_GBPS=$(printf '%s' "$K" | python3 -c 'import json,sys; print("%.3f" % (json.load(sys.stdin)["end"]["sum_received"]["bits_per_second"] / 1e9))')
wait "$SRV" 2>/dev/null || true
SRV=
printf '{"synack": %s, "kernel_veth_iperf3_gbit_s": %s, "synack_1conn_gbit_s": %s, "ratio": %s}\n' \
	"$SY" "$K_GBPS" "$SY_GBPS" "$(python3 -c "print('%.3f' % ($SY_GBPS / $K_GBPS))")"
