/* SPDX-License-Identifier: BSD-3-Clause */
/* ARP (RFC 826, RFC 1122 2.3.2): replies, learning, resolution, pending queue, aging. */
#include <string.h>
#include <criterion/criterion.h>

#include "net_test.h"

static const struct rte_ether_addr zero_mac;
static const struct rte_ether_addr other_mac = { { 0x02, 0, 0, 0, 0, 0x77 } };

TestSuite(arp, .init = net_test_setup, .fini = net_test_teardown);

/* Asserts @p f (an emitted frame) is an ARP packet with these fields. */
static void
expect_arp(const uint8_t *f, size_t len, const struct rte_ether_addr *eth_dst, uint16_t op,
	   rte_be32_t spa, const struct rte_ether_addr *tha, rte_be32_t tpa)
{
	const struct rte_arp_hdr *a = (const struct rte_arp_hdr *)(f + RTE_ETHER_HDR_LEN);

	cr_assert_geq(len, 60, "ARP frame padded to the Ethernet minimum, got %zu", len);
	cr_assert_eq(memcmp(f, eth_dst, 6), 0, "Ethernet destination");
	cr_assert_eq(memcmp(f + 6, &our_mac, 6), 0, "Ethernet source");
	cr_assert_eq(f[12], 0x08);
	cr_assert_eq(f[13], 0x06);
	cr_assert_eq(rte_be_to_cpu_16(a->arp_hardware), 1);
	cr_assert_eq(rte_be_to_cpu_16(a->arp_protocol), 0x0800);
	cr_assert_eq(a->arp_hlen, 6);
	cr_assert_eq(a->arp_plen, 4);
	cr_assert_eq(rte_be_to_cpu_16(a->arp_opcode), op);
	cr_assert_eq(memcmp(&a->arp_data.arp_sha, &our_mac, 6), 0, "sha = our MAC");
	cr_assert_eq(a->arp_data.arp_sip, spa);
	cr_assert_eq(memcmp(&a->arp_data.arp_tha, tha, 6), 0, "tha");
	cr_assert_eq(a->arp_data.arp_tip, tpa);
}

static void
expect_request_for(rte_be32_t ip)
{
	uint8_t f[FRAME_MAX];
	size_t len = pop(f);

	expect_arp(f, len, &bcast_mac, 1, OUR_IP, &zero_mac, ip);
}

Test(arp, request_for_our_address_gets_reply)
{
	uint8_t b[64], f[FRAME_MAX];

	cr_assert_eq(feed(b, frame_arp(b, 1, &peer_mac, PEER_IP, &zero_mac, OUR_IP)),
		     SY_NET_RX_CONSUMED);
	cr_assert_eq(sy_test_wire_count(&fx.wire, &fx.txq), 1);
	size_t len = pop(f);

	expect_arp(f, len, &peer_mac, 2, OUR_IP, &peer_mac, PEER_IP);
	cr_assert_eq(st()->arp_rx_request, 1);
	cr_assert_eq(st()->arp_tx_reply, 1);
}

Test(arp, every_address_of_the_range_is_answered)
{
	uint8_t b[64], f[FRAME_MAX];

	for (uint32_t i = 0; i < 4; i++) {
		rte_be32_t ip = rte_cpu_to_be_32(rte_be_to_cpu_32(OUR_IP) + i);
		size_t len;

		feed(b, frame_arp(b, 1, &peer_mac, PEER_IP, &zero_mac, ip));
		len = pop(f);
		expect_arp(f, len, &peer_mac, 2, ip, &peer_mac, PEER_IP);
	}
	feed(b, frame_arp(b, 1, &peer_mac, PEER_IP, &zero_mac, IP4(10, 0, 0, 14)));
	cr_assert_eq(sy_test_wire_count(&fx.wire, &fx.txq), 0, "10.0.0.14 is past the range");
}

Test(arp, request_for_another_address_gets_nothing)
{
	uint8_t b[64];
	struct rte_ether_addr mac;

	feed(b, frame_arp(b, 1, &peer_mac, PEER_IP, &zero_mac, IP4(10, 0, 0, 50)));
	cr_assert_eq(sy_test_wire_count(&fx.wire, &fx.txq), 0);
	cr_assert_eq(st()->arp_drop_not_for_us, 1);
	/* RFC 826: only the target adds the sender; a bystander only merges */
	cr_assert_eq(sy_net_arp_lookup(fx.net, PEER_IP, &mac), -ENOENT);
}

Test(arp, request_to_us_learns_the_sender)
{
	uint8_t b[64];
	struct rte_ether_addr mac;

	feed(b, frame_arp(b, 1, &peer_mac, PEER_IP, &zero_mac, OUR_IP));
	cr_assert_eq(sy_net_arp_lookup(fx.net, PEER_IP, &mac), 0);
	cr_assert(rte_is_same_ether_addr(&mac, &peer_mac));
}

Test(arp, reply_learns)
{
	uint8_t b[64];
	struct rte_ether_addr mac;

	feed(b, frame_arp(b, 2, &peer_mac, PEER_IP, &our_mac, OUR_IP));
	cr_assert_eq(st()->arp_rx_reply, 1);
	cr_assert_eq(sy_test_wire_count(&fx.wire, &fx.txq), 0, "a reply is not answered");
	cr_assert_eq(sy_net_arp_lookup(fx.net, PEER_IP, &mac), 0);
	cr_assert(rte_is_same_ether_addr(&mac, &peer_mac));
}

Test(arp, merge_updates_known_sender_even_when_not_target)
{
	uint8_t b[64];
	struct rte_ether_addr mac;

	feed(b, frame_arp(b, 2, &peer_mac, PEER_IP, &our_mac, OUR_IP));
	/* gratuitous ARP from the peer with a new MAC (RFC 826 merge, RFC 5227 3) */
	feed(b, frame_arp(b, 1, &other_mac, PEER_IP, &zero_mac, PEER_IP));
	cr_assert_eq(sy_net_arp_lookup(fx.net, PEER_IP, &mac), 0);
	cr_assert(rte_is_same_ether_addr(&mac, &other_mac));
}

Test(arp, malformed_fields_are_dropped)
{
	/* offsets in the ARP header: hrd, pro, hln, pln, op */
	const struct { size_t off; uint8_t val; } bad[] = {
		{ 1, 6 }, { 2, 0x86 }, { 4, 8 }, { 5, 16 }, { 7, 3 }, { 7, 0 },
	};

	for (size_t i = 0; i < RTE_DIM(bad); i++) {
		uint8_t b[64];
		size_t len = frame_arp(b, 1, &peer_mac, PEER_IP, &zero_mac, OUR_IP);

		b[RTE_ETHER_HDR_LEN + bad[i].off] = bad[i].val;
		feed(b, len);
		cr_assert_eq(st()->arp_drop_malformed, i + 1, "case %zu", i);
	}
	cr_assert_eq(sy_test_wire_count(&fx.wire, &fx.txq), 0);
	cr_assert_eq(drops_total(), RTE_DIM(bad));
}

Test(arp, truncated_at_every_length_is_dropped)
{
	uint8_t b[64];
	size_t full = frame_arp(b, 1, &peer_mac, PEER_IP, &zero_mac, OUR_IP);

	for (size_t len = 0; len < full; len++) {
		uint64_t runt = st()->rx_drop_runt, bad = st()->arp_drop_malformed;

		cr_assert_eq(feed(b, len), SY_NET_RX_CONSUMED);
		if (len < RTE_ETHER_HDR_LEN)
			cr_assert_eq(st()->rx_drop_runt, runt + 1, "len %zu", len);
		else
			cr_assert_eq(st()->arp_drop_malformed, bad + 1, "len %zu", len);
		cr_assert_eq(drops_total(), len + 1, "exactly one drop counter at len %zu", len);
	}
	cr_assert_eq(sy_test_wire_count(&fx.wire, &fx.txq), 0);
	feed(b, full);
	cr_assert_eq(sy_test_wire_count(&fx.wire, &fx.txq), 1, "the full frame is answered");
}

Test(arp, request_split_across_segments_is_answered)
{
	uint8_t b[64], f[FRAME_MAX];
	size_t len = frame_arp(b, 1, &peer_mac, PEER_IP, &zero_mac, OUR_IP);

	for (size_t split = 1; split < len; split++) {
		sy_net_input(fx.net, mbuf_split(b, len, split), T0);
		size_t n = pop(f);

		expect_arp(f, n, &peer_mac, 2, OUR_IP, &peer_mac, PEER_IP);
	}
}

Test(arp, bad_sender_is_not_learned)
{
	uint8_t b[64];
	struct rte_ether_addr mac;
	const struct rte_ether_addr mcast = { { 0x01, 0, 0x5e, 0, 0, 1 } };

	size_t len = frame_arp(b, 2, &mcast, PEER_IP, &our_mac, OUR_IP);

	memcpy(b + 6, &peer_mac, 6);   /* a valid Ethernet source, a group ARP sender */
	feed(b, len);
	cr_assert_eq(sy_net_arp_lookup(fx.net, PEER_IP, &mac), -ENOENT);
	/* someone else claiming our address must not redirect our own traffic */
	feed(b, frame_arp(b, 1, &peer_mac, IP4(10, 0, 0, 11), &zero_mac, OUR_IP));
	cr_assert_eq(sy_net_arp_lookup(fx.net, IP4(10, 0, 0, 11), &mac), -ENOENT);
	cr_assert_eq(st()->arp_drop_bad_sender, 2);
	cr_assert_eq(sy_test_wire_count(&fx.wire, &fx.txq), 0);
}

Test(arp, probe_for_our_address_is_answered_not_learned)
{
	uint8_t b[64], f[FRAME_MAX];
	struct rte_ether_addr mac;

	/* RFC 5227 2.1.1 probe: sender address 0.0.0.0 */
	feed(b, frame_arp(b, 1, &peer_mac, 0, &zero_mac, OUR_IP));
	size_t len = pop(f);

	expect_arp(f, len, &peer_mac, 2, OUR_IP, &peer_mac, 0);
	cr_assert_eq(sy_net_arp_lookup(fx.net, 0, &mac), -ENOENT);
}

static struct rte_mbuf *
segment(uint16_t len)
{
	uint8_t pay[64] = { 0 };

	return sy_test_mbuf_from(fx.pool, pay, len);
}

Test(arp, unresolved_next_hop_sends_one_request_and_queues)
{
	cr_assert_eq(sy_net_output(fx.net, segment(20), OUR_IP, PEER_IP, IPPROTO_TCP, T0), 0);
	cr_assert_eq(sy_net_output(fx.net, segment(20), OUR_IP, PEER_IP, IPPROTO_TCP, T0), 0);
	cr_assert_eq(sy_test_wire_count(&fx.wire, &fx.txq), 1, "one request, frames held");
	expect_request_for(PEER_IP);
	cr_assert_eq(st()->arp_tx_request, 1);
	cr_assert_eq(st()->arp_pending_queued, 2);
}

Test(arp, reply_releases_pending_frames_in_order)
{
	uint8_t b[64], f[FRAME_MAX];

	for (uint16_t i = 0; i < 3; i++)
		sy_net_output(fx.net, segment(20 + i), OUR_IP, PEER_IP, IPPROTO_TCP, T0);
	sy_test_wire_clear(&fx.wire, &fx.txq);
	feed(b, frame_arp(b, 2, &peer_mac, PEER_IP, &our_mac, OUR_IP));
	cr_assert_eq(sy_test_wire_count(&fx.wire, &fx.txq), 3);
	for (uint16_t i = 0; i < 3; i++) {
		size_t len = pop(f);

		cr_assert_eq(len, ETH_IP_LEN + 20 + i, "order kept");
		cr_assert_eq(memcmp(f, &peer_mac, 6), 0, "destination MAC filled in");
	}
	cr_assert_eq(st()->ip_tx, 3);
}

Test(arp, pending_queue_holds_up_to_bound_then_drops_counted)
{
	for (int i = 0; i < 4; i++)
		cr_assert_eq(sy_net_output(fx.net, segment(20), OUR_IP, PEER_IP, IPPROTO_TCP,
					   T0), 0);
	cr_assert_eq(sy_net_output(fx.net, segment(20), OUR_IP, PEER_IP, IPPROTO_TCP, T0),
		     -ENOBUFS);
	cr_assert_eq(st()->arp_pending_queued, 4);
	cr_assert_eq(st()->arp_drop_pending_full, 1);
}

Test(arp, request_retransmitted_on_virtual_time_then_given_up)
{
	sy_net_output(fx.net, segment(20), OUR_IP, PEER_IP, IPPROTO_TCP, T0);
	sy_net_output(fx.net, segment(20), OUR_IP, PEER_IP, IPPROTO_TCP, T0);
	expect_request_for(PEER_IP);

	sy_net_poll(fx.net, T0 + 999);
	cr_assert_eq(sy_test_wire_count(&fx.wire, &fx.txq), 0, "nothing before arp_retry_ms");
	sy_net_poll(fx.net, T0 + 1000);
	expect_request_for(PEER_IP);
	sy_net_poll(fx.net, T0 + 1500);
	cr_assert_eq(sy_test_wire_count(&fx.wire, &fx.txq), 0);
	sy_net_poll(fx.net, T0 + 2000);
	expect_request_for(PEER_IP);
	cr_assert_eq(st()->arp_tx_request, 3, "arp_retries requests in all");
	cr_assert_eq(st()->arp_drop_unresolved, 0);

	sy_net_poll(fx.net, T0 + 3000);
	cr_assert_eq(sy_test_wire_count(&fx.wire, &fx.txq), 0, "no fourth request");
	cr_assert_eq(st()->arp_drop_unresolved, 2, "both waiting frames dropped");

	/* the entry is gone: the next datagram starts a new resolution */
	sy_net_output(fx.net, segment(20), OUR_IP, PEER_IP, IPPROTO_TCP, T0 + 4000);
	expect_request_for(PEER_IP);
}

Test(arp, entry_ages_into_unicast_refresh_and_expires_without_answer)
{
	uint8_t b[64], f[FRAME_MAX];
	struct rte_ether_addr mac;

	feed(b, frame_arp(b, 2, &peer_mac, PEER_IP, &our_mac, OUR_IP));
	sy_net_poll(fx.net, T0 + 59999);
	cr_assert_eq(sy_test_wire_count(&fx.wire, &fx.txq), 0);
	sy_net_poll(fx.net, T0 + 60000);
	size_t len = pop(f);

	/* RFC 1122 2.3.2.1: unicast poll of the cached MAC */
	expect_arp(f, len, &peer_mac, 1, OUR_IP, &zero_mac, PEER_IP);
	cr_assert_eq(sy_net_arp_lookup(fx.net, PEER_IP, &mac), 0, "usable while refreshing");
	sy_net_poll(fx.net, T0 + 61000);
	sy_net_poll(fx.net, T0 + 62000);
	cr_assert_eq(sy_test_wire_count(&fx.wire, &fx.txq), 2);
	sy_net_poll(fx.net, T0 + 63000);
	cr_assert_eq(sy_net_arp_lookup(fx.net, PEER_IP, &mac), -ENOENT);
	cr_assert_eq(st()->arp_expired, 1);
}

Test(arp, answered_refresh_keeps_the_entry)
{
	uint8_t b[64];
	struct rte_ether_addr mac;

	feed(b, frame_arp(b, 2, &peer_mac, PEER_IP, &our_mac, OUR_IP));
	sy_net_poll(fx.net, T0 + 60000);
	feed_at(b, frame_arp(b, 2, &peer_mac, PEER_IP, &our_mac, OUR_IP), T0 + 60010);
	sy_test_wire_clear(&fx.wire, &fx.txq);
	sy_net_poll(fx.net, T0 + 65000);
	cr_assert_eq(sy_test_wire_count(&fx.wire, &fx.txq), 0, "no more probes");
	cr_assert_eq(sy_net_arp_lookup(fx.net, PEER_IP, &mac), 0);
	cr_assert_eq(st()->arp_expired, 0);
}

Test(arp, static_entry_never_ages_and_resolves_output)
{
	uint8_t f[FRAME_MAX];
	struct rte_ether_addr mac;

	cr_assert_eq(sy_net_arp_add_static(fx.net, PEER_IP, &other_mac), 0);
	sy_net_poll(fx.net, T0 + 10000000);
	cr_assert_eq(sy_test_wire_count(&fx.wire, &fx.txq), 0);
	cr_assert_eq(sy_net_arp_lookup(fx.net, PEER_IP, &mac), 0);
	cr_assert(rte_is_same_ether_addr(&mac, &other_mac));
	sy_net_output(fx.net, segment(20), OUR_IP, PEER_IP, IPPROTO_TCP, T0);
	pop(f);
	cr_assert_eq(memcmp(f, &other_mac, 6), 0);
}

Test(arp, full_table_is_counted)
{
	uint8_t b[64];
	struct rte_ether_addr mac;

	for (uint32_t i = 0; i < 9; i++)
		feed(b, frame_arp(b, 2, &peer_mac, IP4(10, 0, 0, 100 + i), &our_mac, OUR_IP));
	cr_assert_eq(st()->arp_drop_table_full, 1);
	cr_assert_eq(sy_net_arp_lookup(fx.net, IP4(10, 0, 0, 107), &mac), 0);
	cr_assert_eq(sy_net_arp_lookup(fx.net, IP4(10, 0, 0, 108), &mac), -ENOENT);
	cr_assert_eq(sy_net_output(fx.net, segment(20), OUR_IP, PEER_IP, IPPROTO_TCP, T0),
		     -ENOBUFS);
	cr_assert_eq(st()->arp_drop_table_full, 2);
}

Test(arp, table_survives_churn)
{
	uint8_t b[64];
	struct rte_ether_addr mac;

	/* fill, let everything expire, refill with other addresses: deletion keeps chains */
	for (uint32_t round = 0; round < 4; round++) {
		uint64_t t = T0 + round * 100000ull;

		for (uint32_t i = 0; i < 8; i++)
			feed_at(b, frame_arp(b, 2, &peer_mac,
					     IP4(10, 0, round + 1, 20 + i * 29), &our_mac, OUR_IP), t);
		for (uint32_t i = 0; i < 8; i++)
			cr_assert_eq(sy_net_arp_lookup(fx.net,
				     IP4(10, 0, round + 1, 20 + i * 29), &mac), 0);
		for (uint32_t k = 0; k <= 4; k++)
			sy_net_poll(fx.net, t + 60000 + k * 1000);
		cr_assert_eq(st()->arp_expired, 8 * (round + 1));
		sy_test_wire_clear(&fx.wire, &fx.txq);
	}
	cr_assert_eq(st()->arp_drop_table_full, 0);
}

Test(arp, announce_sends_gratuitous_request_per_address)
{
	uint8_t f[FRAME_MAX];

	sy_net_announce(fx.net, T0);
	cr_assert_eq(sy_test_wire_count(&fx.wire, &fx.txq), 4);
	for (uint32_t i = 0; i < 4; i++) {
		rte_be32_t ip = rte_cpu_to_be_32(rte_be_to_cpu_32(OUR_IP) + i);
		size_t len = pop(f);

		/* RFC 5227 3: sender and target both the announced address */
		expect_arp(f, len, &bcast_mac, 1, ip, &zero_mac, ip);
	}
	cr_assert_eq(st()->arp_tx_gratuitous, 4);
}

Test(arp, announce_is_capped_for_huge_ranges, .init = net_test_conf)
{
	fx.conf.addr_first = IP4(10, 1, 0, 1);
	fx.conf.addr_count = 5000;
	fx.conf.prefix_len = 16;
	net_test_start();
	sy_net_announce(fx.net, T0);
	cr_assert_eq(sy_test_wire_count(&fx.wire, &fx.txq), SY_NET_ANNOUNCE_MAX);
	cr_assert_eq(st()->arp_tx_gratuitous, SY_NET_ANNOUNCE_MAX);
}
