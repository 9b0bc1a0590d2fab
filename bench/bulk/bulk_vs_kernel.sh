#!/bin/sh
# Bulk throughput, one core per side, in the same run:
#  - synack: bench_bulk_2core (sender stack on lcore 1, receiver stack on lcore 0, over the
#    in-memory ring pair), with copy or zero-copy transmit (TX=copy|zc) at MTU (1500),
#    with TSO when TSO=1 (segments carried whole, as veth carries GSO packets);
#  - the kernel: iperf3 between two network namespaces joined by a veth pair at the same
#    MTU, server pinned to core 0 and client to core 1 (taskset), -t 5;
# and prints both figures and their ratio (synack 1-connection Gbit/s / iperf3 Gbit/s) as
# one JSON line. bench/run.py's bulk scenario does the same over every configuration,
# three times. Needs root and iperf3. Creates and deletes its namespaces.
# Usage: bench/bulk/bulk_vs_kernel.sh [build-dir] [bytes]   (env: BUILD, TX, MTU, TSO)
set -eu
BUILD=${1:-${BUILD:-build}}
BYTES=${2:-1073741824}
TX=${TX:-copy}
MTU=${MTU:-1500}
TSO_ARG=
[ "${TSO:-0}" = 1 ] && TSO_ARG=tso
NS1=sybulk1.$$
NS2=sybulk2.$$
cleanup() {
	[ -n "${SRV:-}" ] && kill "$SRV" 2>/dev/null || true
	ip netns del "$NS1" 2>/dev/null || true
	ip netns del "$NS2" 2>/dev/null || true
}
trap cleanup EXIT INT TERM
command -v iperf3 >/dev/null || { echo "iperf3 not installed" >&2; exit 2; }

SY=$("$BUILD/bench/bulk/bench_bulk_2core" "$BYTES" "$TX" "$MTU" $TSO_ARG)
SY_GBPS=$(printf '%s' "$SY" | sed 's/.*"runs": \[{[^}]*"gbit_s": \([0-9.]*\).*/\1/')

ip netns add "$NS1"
ip netns add "$NS2"
ip link add sybulka netns "$NS1" type veth peer name sybulkb netns "$NS2"
ip -n "$NS1" addr add 10.77.0.1/24 dev sybulka
ip -n "$NS2" addr add 10.77.0.2/24 dev sybulkb
ip -n "$NS1" link set sybulka mtu "$MTU" up
ip -n "$NS2" link set sybulkb mtu "$MTU" up
ip -n "$NS1" link set lo up
ip -n "$NS2" link set lo up
ip netns exec "$NS2" taskset -c 0 iperf3 -s -1 -B 10.77.0.2 >/dev/null 2>&1 &
SRV=$!
sleep 0.5
K=$(ip netns exec "$NS1" taskset -c 1 iperf3 -c 10.77.0.2 -t 5 -J)
K_GBPS=$(printf '%s' "$K" | python3 -c 'import json,sys; print("%.3f" % (json.load(sys.stdin)["end"]["sum_received"]["bits_per_second"] / 1e9))')
wait "$SRV" 2>/dev/null || true
SRV=
printf '{"synack": %s, "kernel_veth_iperf3_gbit_s": %s, "synack_1conn_gbit_s": %s, "ratio": %s}\n' \
	"$SY" "$K_GBPS" "$SY_GBPS" "$(python3 -c "print('%.3f' % ($SY_GBPS / $K_GBPS))")"
