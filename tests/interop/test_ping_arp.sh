#!/usr/bin/env bash
# The kernel pings synack over net_tap: ARP resolves synack's MAC in the kernel's
# neighbour table, ICMP echo requests get replies, and synack exits cleanly with every
# mbuf back in its pool.
. "$(dirname "$0")/lib.sh"
sy_interop_init ping_arp
sy_start_synack server

sy_check ping_replies sy_ns ping -c 5 -i 0.2 -W 2 "$SY_LOCAL_IP"
expect_mac=$(sed -n 's/^mac = //p' "$SY_TMP/net_tap.ini")
sy_check neighbour_resolved_to_synack_mac \
  bash -c "ip -n $SY_NS neigh show $SY_LOCAL_IP | grep -qi 'lladdr $expect_mac'"
sy_check large_ping_replies sy_ns ping -c 2 -s 1400 -W 2 "$SY_LOCAL_IP"
sy_check closed_port_refused bash -c "! ip netns exec $SY_NS nc -z -w 2 $SY_LOCAL_IP 81"

sy_stop_synack
sy_check icmp_counted grep -Eq 'net.icmp_tx_echo_reply +7$' "$SY_TMP/synack.log"
sy_finish
