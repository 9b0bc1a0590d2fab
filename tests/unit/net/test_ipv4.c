/* SPDX-License-Identifier: BSD-3-Clause */
/* IPv4 input validation (RFC 791, RFC 1122 3.2.1): every malformed case has its counter. */
#include <string.h>
#include <criterion/criterion.h>

#include "net_test.h"

TestSuite(ipv4, .init = net_test_setup, .fini = net_test_teardown);

/* Feeds @p b and asserts it was dropped with exactly @p counter incremented. */
#define EXPECT_DROP(b, len, counter) do { \
	uint64_t before_ = st()->counter, all_ = drops_total(); \
	cr_assert_eq(feed(b, len), SY_NET_RX_CONSUMED); \
	cr_assert_eq(st()->counter, before_ + 1, #counter " not incremented"); \
	cr_assert_eq(drops_total(), all_ + 1, "exactly one drop counter"); \
	cr_assert_eq(sy_test_wire_count(&fx.wire, &fx.txq), 0, "nothing sent"); \
} while (0)

static void
truncate_everywhere(uint8_t *b, size_t full)
{
	for (size_t len = 0; len < full; len++) {
		if (len < RTE_ETHER_HDR_LEN)
			EXPECT_DROP(b, len, rx_drop_runt);
		else
			EXPECT_DROP(b, len, ip_drop_truncated);
	}
}

Test(ipv4, icmp_frame_truncated_at_every_length_is_dropped)
{
	uint8_t b[FRAME_MAX], f[FRAME_MAX];
	size_t full = frame_icmp_echo(b, 3, 4, 20);

	truncate_everywhere(b, full);
	feed(b, full);
	pop(f);
	cr_assert_eq(st()->icmp_tx_echo_reply, 1, "the full frame is answered");
}

Test(ipv4, tcp_frame_truncated_at_every_length_is_dropped)
{
	uint8_t b[FRAME_MAX];
	size_t full = frame_tcp(b, 10);

	truncate_everywhere(b, full);
	cr_assert_eq(st()->tcp_rx, 0);
	struct rte_mbuf *m = sy_test_mbuf_from(fx.pool, b, (uint16_t)full);

	cr_assert_eq(sy_net_input(fx.net, m, T0), SY_NET_RX_TCP);
	rte_pktmbuf_free(m);
}

Test(ipv4, tcp_is_handed_up_trimmed_at_the_l4_offset)
{
	uint8_t b[FRAME_MAX];
	size_t len = frame_tcp(b, 0);   /* 54 bytes */

	memset(b + len, 0xaa, 60 - len);   /* Ethernet padding */
	struct rte_mbuf *m = sy_test_mbuf_from(fx.pool, b, 60);

	m->tx_offload = 0x1234;   /* the second cache line is left alone (sy_net.h) */
	cr_assert_eq(sy_net_input(fx.net, m, T0), SY_NET_RX_TCP);
	cr_assert_eq(SY_NET_L4_OFFSET, 14 + 20);
	cr_assert_eq(memcmp(rte_pktmbuf_mtod_offset(m, uint8_t *, SY_NET_L4_OFFSET), b + 34, 20),
		     0, "the TCP header");
	cr_assert_eq(m->tx_offload, 0x1234);
	cr_assert_eq(rte_pktmbuf_pkt_len(m), len, "padding trimmed");
	cr_assert_eq(rte_pktmbuf_data_len(m), len);
	cr_assert_eq(memcmp(rte_pktmbuf_mtod(m, void *), b, len), 0, "starts at Ethernet");
	cr_assert_eq(st()->tcp_rx, 1);
	rte_pktmbuf_free(m);
}

Test(ipv4, padding_in_later_segments_is_trimmed)
{
	uint8_t b[FRAME_MAX];
	size_t len = frame_tcp(b, 6);   /* 60 bytes */

	memset(b + len, 0, 40);
	/* three segments: headers, 4 bytes of payload + padding, padding only */
	struct rte_mbuf *m = mbuf_split(b, len + 20, 56);
	struct rte_mbuf *tail = sy_test_mbuf_from(fx.pool, b + len + 20, 20);

	cr_assert_eq(rte_pktmbuf_chain(m, tail), 0);
	cr_assert_eq(sy_net_input(fx.net, m, T0), SY_NET_RX_TCP);
	cr_assert_eq(rte_pktmbuf_pkt_len(m), len);
	cr_assert_eq(m->nb_segs, 2, "the padding-only segment is freed");
	cr_assert_eq(rte_pktmbuf_data_len(m->next), len - 56);
	rte_pktmbuf_free(m);
}

Test(ipv4, tcp_with_headers_split_is_dropped_counted)
{
	uint8_t b[FRAME_MAX];
	size_t len = frame_tcp(b, 0);

	sy_net_input(fx.net, mbuf_split(b, len, ETH_IP_LEN - 1), T0);
	cr_assert_eq(st()->rx_drop_hdr_split, 1);
	cr_assert_eq(st()->tcp_rx, 0);
}

Test(ipv4, total_length_longer_than_frame_is_truncated)
{
	uint8_t b[FRAME_MAX];
	size_t len = frame_tcp(b, 10);

	ip_of(b)->total_length = rte_cpu_to_be_16((uint16_t)(len - 14 + 1));
	fix_ip_cksum(b);
	EXPECT_DROP(b, len, ip_drop_truncated);
	ip_of(b)->total_length = RTE_BE16(0xffff);
	fix_ip_cksum(b);
	EXPECT_DROP(b, len, ip_drop_truncated);
}

Test(ipv4, total_length_shorter_than_header_is_dropped)
{
	uint8_t b[FRAME_MAX];
	size_t len = frame_tcp(b, 10);

	for (uint16_t tl = 0; tl < 20; tl++) {
		ip_of(b)->total_length = rte_cpu_to_be_16(tl);
		fix_ip_cksum(b);
		EXPECT_DROP(b, len, ip_drop_bad_total_len);
	}
}

Test(ipv4, bad_version_is_dropped)
{
	uint8_t b[FRAME_MAX];
	size_t len = frame_tcp(b, 0);

	b[14] = 0x65;
	fix_ip_cksum(b);
	EXPECT_DROP(b, len, ip_drop_bad_version);
}

Test(ipv4, ihl_below_five_is_dropped)
{
	uint8_t b[FRAME_MAX];
	size_t len = frame_tcp(b, 0);

	for (uint8_t ihl = 0; ihl < 5; ihl++) {
		b[14] = 0x40 | ihl;
		EXPECT_DROP(b, len, ip_drop_bad_ihl);
	}
}

Test(ipv4, options_are_dropped)
{
	uint8_t b[FRAME_MAX], tcp[20] = { 0 }, f[FRAME_MAX];
	size_t len = frame_ipv4(b, IPPROTO_TCP, PEER_IP, OUR_IP, tcp, 20);

	/* IHL 6: a 4-byte NOP option in front of the segment */
	memmove(b + 38, b + 34, 20);
	memset(b + 34, 1, 4);
	b[14] = 0x46;
	ip_of(b)->total_length = RTE_BE16(44);
	fix_ip_cksum(b);
	EXPECT_DROP(b, len + 4, ip_drop_options);
	/* IHL 15 in a frame shorter than 60 bytes of header: still options, read nothing */
	b[14] = 0x4f;
	EXPECT_DROP(b, len + 4, ip_drop_options);
	(void)f;
}

Test(ipv4, bad_header_checksum_is_dropped)
{
	uint8_t b[FRAME_MAX];
	size_t len = frame_tcp(b, 0);

	b[14 + 10] ^= 0x40;
	EXPECT_DROP(b, len, ip_drop_bad_csum);
	b[14 + 10] ^= 0x40;
	b[14 + 4] ^= 0x01;   /* a field changed, checksum not */
	EXPECT_DROP(b, len, ip_drop_bad_csum);
}

Test(ipv4, pmd_checksum_verdict_is_honoured)
{
	uint8_t b[FRAME_MAX];
	size_t len = frame_tcp(b, 0);
	struct rte_mbuf *m = sy_test_mbuf_from(fx.pool, b, (uint16_t)len);

	m->ol_flags |= RTE_MBUF_F_RX_IP_CKSUM_BAD;
	cr_assert_eq(sy_net_input(fx.net, m, T0), SY_NET_RX_CONSUMED);
	cr_assert_eq(st()->ip_drop_bad_csum, 1, "BAD from the PMD drops a correct header");

	b[14 + 10] ^= 0x40;
	m = sy_test_mbuf_from(fx.pool, b, (uint16_t)len);
	m->ol_flags |= RTE_MBUF_F_RX_IP_CKSUM_GOOD;
	cr_assert_eq(sy_net_input(fx.net, m, T0), SY_NET_RX_TCP, "GOOD from the PMD trusted");
	rte_pktmbuf_free(m);
}

Test(ipv4, ttl_zero_is_dropped)
{
	uint8_t b[FRAME_MAX];
	size_t len = frame_tcp(b, 0);

	b[14 + 8] = 0;
	fix_ip_cksum(b);
	EXPECT_DROP(b, len, ip_drop_ttl_zero);
	b[14 + 8] = 1;
	fix_ip_cksum(b);
	struct rte_mbuf *m = sy_test_mbuf_from(fx.pool, b, (uint16_t)len);

	/* RFC 1122 3.2.1.7: a host does not drop for TTL 1 */
	cr_assert_eq(sy_net_input(fx.net, m, T0), SY_NET_RX_TCP);
	rte_pktmbuf_free(m);
}

Test(ipv4, fragments_are_dropped)
{
	const uint16_t frag[] = { 0x2000, 0x0001, 0x2001, 0x1fff, 0x4001, 0x6000 };

	for (size_t i = 0; i < RTE_DIM(frag); i++) {
		uint8_t b[FRAME_MAX];
		size_t len = frame_tcp(b, 0);

		ip_of(b)->fragment_offset = rte_cpu_to_be_16(frag[i]);
		fix_ip_cksum(b);
		EXPECT_DROP(b, len, ip_drop_fragment);
	}
}

Test(ipv4, invalid_sources_are_dropped)
{
	const rte_be32_t src[] = {
		IP4(0, 0, 0, 0), IP4(0, 1, 2, 3), IP4(255, 255, 255, 255), IP4(224, 0, 0, 1),
		IP4(239, 1, 1, 1), IP4(10, 0, 0, 255), IP4(127, 0, 0, 1),
	};

	for (size_t i = 0; i < RTE_DIM(src); i++) {
		uint8_t b[FRAME_MAX];
		size_t len = frame_tcp(b, 0);

		ip_of(b)->src_addr = src[i];
		fix_ip_cksum(b);
		EXPECT_DROP(b, len, ip_drop_bad_src);
	}
}

Test(ipv4, not_our_address_is_dropped)
{
	const rte_be32_t dst[] = {
		IP4(10, 0, 0, 9), IP4(10, 0, 0, 14), IP4(255, 255, 255, 255), IP4(10, 0, 0, 255),
		IP4(224, 0, 0, 1),
	};

	for (size_t i = 0; i < RTE_DIM(dst); i++) {
		uint8_t b[FRAME_MAX];
		size_t len = frame_tcp(b, 0);

		ip_of(b)->dst_addr = dst[i];
		fix_ip_cksum(b);
		EXPECT_DROP(b, len, ip_drop_not_our_addr);
	}
}

Test(ipv4, other_protocols_are_dropped)
{
	const uint8_t proto[] = { IPPROTO_UDP, IPPROTO_IGMP, 41, 132, 255 };

	for (size_t i = 0; i < RTE_DIM(proto); i++) {
		uint8_t b[FRAME_MAX];
		size_t len = frame_tcp(b, 0);

		ip_of(b)->next_proto_id = proto[i];
		fix_ip_cksum(b);
		EXPECT_DROP(b, len, ip_drop_proto);
	}
}

/* On a trusted link a frame is taken as checked, and lib/tcp is told so by the flags. */
static void
trusted_setup(void)
{
	net_test_conf();
	fx.conf.trusted_link = true;
	net_test_start();
}

Test(ipv4, trusted_link_marks_frames_checked, .init = trusted_setup)
{
	uint8_t b[FRAME_MAX];
	size_t len = frame_tcp(b, 0);
	struct rte_mbuf *m;

	b[14 + 10] ^= 0x40;    /* a checksum no verifier would pass */
	m = sy_test_mbuf_from(fx.pool, b, (uint16_t)len);
	cr_assert_eq(sy_net_input(fx.net, m, T0), SY_NET_RX_TCP);
	cr_assert_eq(m->ol_flags & RTE_MBUF_F_RX_IP_CKSUM_MASK, RTE_MBUF_F_RX_IP_CKSUM_GOOD);
	cr_assert_eq(m->ol_flags & RTE_MBUF_F_RX_L4_CKSUM_MASK, RTE_MBUF_F_RX_L4_CKSUM_GOOD);
	cr_assert_eq(st()->ip_drop_bad_csum, 0);
	rte_pktmbuf_free(m);
}
