/* SPDX-License-Identifier: BSD-3-Clause */
/* Ethernet II (RFC 894) filtering and dispatch. */
#include <string.h>
#include <criterion/criterion.h>

#include "net_test.h"

static const struct rte_ether_addr zero_mac;

TestSuite(eth, .init = net_test_setup, .fini = net_test_teardown);

Test(eth, unicast_to_another_mac_is_dropped)
{
	uint8_t b[FRAME_MAX];
	size_t len = frame_icmp_echo(b, 1, 1, 8);

	b[5] = 0x02;
	cr_assert_eq(feed(b, len), SY_NET_RX_CONSUMED);
	cr_assert_eq(st()->rx_drop_not_our_mac, 1);
	cr_assert_eq(st()->ip_rx, 0);
	cr_assert_eq(drops_total(), 1);
	cr_assert_eq(sy_test_wire_count(&fx.wire, &fx.txq), 0);
}

Test(eth, multicast_other_than_broadcast_is_dropped)
{
	uint8_t b[FRAME_MAX];
	size_t len = frame_icmp_echo(b, 1, 1, 8);
	const uint8_t mc[6] = { 0x01, 0x00, 0x5e, 0x00, 0x00, 0x01 };

	memcpy(b, mc, 6);
	feed(b, len);
	cr_assert_eq(st()->rx_drop_multicast, 1);
	cr_assert_eq(drops_total(), 1);
}

Test(eth, broadcast_is_accepted)
{
	uint8_t b[64];

	frame_arp(b, 1, &peer_mac, PEER_IP, &zero_mac, OUR_IP);
	cr_assert_eq(memcmp(b, &bcast_mac, 6), 0);
	feed(b, 42);
	cr_assert_eq(st()->arp_rx_request, 1);
	cr_assert_eq(sy_test_wire_count(&fx.wire, &fx.txq), 1);
}

Test(eth, unknown_ethertype_is_dropped)
{
	uint8_t b[FRAME_MAX];
	size_t len = frame_icmp_echo(b, 1, 1, 8);

	b[12] = 0x86;
	b[13] = 0xdd;   /* IPv6 */
	feed(b, len);
	cr_assert_eq(st()->rx_drop_ethertype, 1);
	cr_assert_eq(drops_total(), 1);
}

Test(eth, vlan_tagged_frame_is_dropped)
{
	uint8_t b[FRAME_MAX], t[FRAME_MAX];
	size_t len = frame_icmp_echo(b, 1, 1, 8);

	/* insert an 802.1Q tag: TPID 0x8100, VID 5, then the IPv4 EtherType */
	memcpy(t, b, 12);
	t[12] = 0x81; t[13] = 0x00; t[14] = 0x00; t[15] = 0x05;
	memcpy(t + 16, b + 12, len - 12);
	feed(t, len + 4);
	cr_assert_eq(st()->rx_drop_ethertype, 1);
	cr_assert_eq(sy_test_wire_count(&fx.wire, &fx.txq), 0);
}

Test(eth, runt_frames_are_dropped)
{
	uint8_t b[FRAME_MAX];

	frame_icmp_echo(b, 1, 1, 8);
	for (size_t len = 0; len < RTE_ETHER_HDR_LEN; len++)
		feed(b, len);
	cr_assert_eq(st()->rx_drop_runt, RTE_ETHER_HDR_LEN);
	cr_assert_eq(st()->rx_frames, RTE_ETHER_HDR_LEN);
}

Test(eth, header_split_across_segments_is_read)
{
	uint8_t b[64];

	frame_arp(b, 1, &peer_mac, PEER_IP, &zero_mac, OUR_IP);
	sy_net_input(fx.net, mbuf_split(b, 42, 7), T0);
	cr_assert_eq(st()->arp_tx_reply, 1);
}

Test(eth, group_source_mac_is_dropped)
{
	uint8_t b[FRAME_MAX];
	size_t len = frame_icmp_echo(b, 1, 1, 8);

	memcpy(b + 6, &bcast_mac, 6);
	feed(b, len);
	b[6] = 0x01;   /* multicast bit */
	feed(b, len);
	cr_assert_eq(st()->rx_drop_bad_src_mac, 2);
	cr_assert_eq(drops_total(), 2);
	cr_assert_eq(sy_test_wire_count(&fx.wire, &fx.txq), 0, "no echo reply to a group");
}
