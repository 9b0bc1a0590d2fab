/* SPDX-License-Identifier: BSD-3-Clause */
/* IPv4 output (RFC 791, RFC 1122 3.3.1): headers, checksums, offloads, next hop, errors. */
#include <string.h>
#include <criterion/criterion.h>
#include <rte_udp.h>

#include "net_test.h"

static const struct rte_ether_addr gw_mac = { { 0x02, 0, 0, 0, 0, 0x01 + 0x10 } };

static void
output_setup(void)
{
	net_test_setup();
	sy_net_arp_add_static(fx.net, PEER_IP, &peer_mac);
	sy_net_arp_add_static(fx.net, GW_IP, &gw_mac);
}

static void
offload_setup(void)
{
	net_test_conf();
	fx.conf.tx_ip_cksum_offload = true;
	fx.conf.tx_l4_cksum_offload = true;
	net_test_start();
	sy_net_arp_add_static(fx.net, PEER_IP, &peer_mac);
}

TestSuite(output, .init = output_setup, .fini = net_test_teardown);

/* A TCP segment of 20 + @p dlen bytes with a recognisable payload and garbage checksum. */
static struct rte_mbuf *
tcp_segment(size_t dlen)
{
	uint8_t s[FRAME_MAX] = { 0 };

	s[0] = 0x9c; s[1] = 0x40; s[2] = 0; s[3] = 80;
	s[12] = 5 << 4;
	s[13] = 0x10;
	s[16] = 0xde; s[17] = 0xad;
	for (size_t i = 0; i < dlen; i++)
		s[20 + i] = (uint8_t)(i * 13 + 1);
	return sy_test_mbuf_from(fx.pool, s, (uint16_t)(20 + dlen));
}

static struct rte_mbuf *
wire_pop(void)
{
	struct rte_mbuf *m = sy_test_wire_pop(&fx.wire, &fx.txq);

	cr_assert_not_null(m, "expected a frame");
	return m;
}

Test(output, ipv4_header_fields_are_exact)
{
	uint8_t f[FRAME_MAX];

	cr_assert_eq(sy_net_output(fx.net, tcp_segment(100), IP4(10, 0, 0, 11), PEER_IP,
				   IPPROTO_TCP, T0), 0);
	size_t len = pop(f);
	const uint8_t *ip = f + RTE_ETHER_HDR_LEN;

	cr_assert_eq(len, 14 + 20 + 120);
	cr_assert_eq(memcmp(f, &peer_mac, 6), 0);
	cr_assert_eq(memcmp(f + 6, &our_mac, 6), 0);
	cr_assert_eq(f[12] << 8 | f[13], 0x0800);
	cr_assert_eq(ip[0], 0x45, "version 4, IHL 5");
	cr_assert_eq(ip[1], 0, "TOS");
	cr_assert_eq(ip[2] << 8 | ip[3], 140, "total length");
	cr_assert_eq(ip[6] << 8 | ip[7], 0x4000, "DF, offset 0");
	cr_assert_eq(ip[8], 64, "TTL");
	cr_assert_eq(ip[9], 6);
	cr_assert_eq(memcmp(ip + 12, (uint8_t[]){ 10, 0, 0, 11 }, 4), 0);
	cr_assert_eq(memcmp(ip + 16, (uint8_t[]){ 10, 0, 0, 99 }, 4), 0);
	cr_assert_eq(cksum16(ip, 20, 0), 0, "header checksum verifies independently");
	cr_assert_eq(st()->ip_tx, 1);
}

Test(output, identification_advances)
{
	uint8_t f[FRAME_MAX];

	sy_net_output(fx.net, tcp_segment(0), OUR_IP, PEER_IP, IPPROTO_TCP, T0);
	sy_net_output(fx.net, tcp_segment(0), OUR_IP, PEER_IP, IPPROTO_TCP, T0);
	pop(f);
	uint16_t id1 = (uint16_t)(f[18] << 8 | f[19]);

	pop(f);
	uint16_t id2 = (uint16_t)(f[18] << 8 | f[19]);

	cr_assert_eq((uint16_t)(id1 + 1), id2);
}

Test(output, software_tcp_checksum_verifies)
{
	struct rte_mbuf *m;

	sy_net_output(fx.net, tcp_segment(333), OUR_IP, PEER_IP, IPPROTO_TCP, T0);
	m = wire_pop();
	cr_assert_eq(m->nb_segs, 1);
	const struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *, 14);

	cr_assert_eq(rte_ipv4_udptcp_cksum_verify(ip, ip + 1), 0);
	cr_assert_eq(m->ol_flags & (RTE_MBUF_F_TX_IP_CKSUM | RTE_MBUF_F_TX_TCP_CKSUM), 0);
	rte_pktmbuf_free(m);
}

Test(output, software_tcp_checksum_covers_chained_payload)
{
	/* odd segment lengths: DPDK 22.11's rte_ipv4_udptcp_cksum_mbuf() gets these wrong */
	for (size_t first = 0; first < 8; first++) {
		uint8_t pay[501], f[FRAME_MAX];
		struct rte_mbuf *m = tcp_segment(first);

		for (size_t i = 0; i < sizeof(pay); i++)
			pay[i] = (uint8_t)(255 - i * 3);
		cr_assert_eq(rte_pktmbuf_chain(m, sy_test_mbuf_from(fx.pool, pay, sizeof(pay))), 0);
		cr_assert_eq(sy_net_output(fx.net, m, OUR_IP, PEER_IP, IPPROTO_TCP, T0), 0);
		size_t len = pop(f);
		const struct rte_ipv4_hdr *ip = (const struct rte_ipv4_hdr *)(f + 14);

		cr_assert_eq(len, 14 + 20 + 20 + first + 501);
		cr_assert_eq(rte_be_to_cpu_16(ip->total_length), 20 + 20 + first + 501);
		/* verified on a flat copy of the frame */
		cr_assert_eq(rte_ipv4_udptcp_cksum_verify(ip, ip + 1), 0, "first %zu", first);
	}
}

Test(output, software_udp_checksum_verifies)
{
	uint8_t u[40] = { 0x13, 0x88, 0x13, 0x89, 0, 40, 0xff, 0xff, 'h', 'i' };
	struct rte_mbuf *m = sy_test_mbuf_from(fx.pool, u, sizeof(u));

	sy_net_output(fx.net, m, OUR_IP, PEER_IP, IPPROTO_UDP, T0);
	m = wire_pop();
	const struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *, 14);

	cr_assert_eq(rte_ipv4_udptcp_cksum_verify(ip, ip + 1), 0);
	rte_pktmbuf_free(m);
}

Test(output, icmp_checksum_is_left_to_the_caller)
{
	uint8_t ic[8] = { 0, 0, 0x12, 0x34, 0, 1, 0, 1 }, f[FRAME_MAX];

	sy_net_output(fx.net, sy_test_mbuf_from(fx.pool, ic, 8), OUR_IP, PEER_IP,
		      IPPROTO_ICMP, T0);
	pop(f);
	cr_assert_eq(memcmp(f + ETH_IP_LEN, ic, 8), 0);
	cr_assert_eq(cksum16(f + 14, 20, 0), 0);
}

Test(output, offload_sets_flags_and_pseudo_header, .init = offload_setup)
{
	struct rte_mbuf *m;

	cr_assert_eq(sy_net_output(fx.net, tcp_segment(50), OUR_IP, PEER_IP, IPPROTO_TCP,
				   T0), 0);
	m = wire_pop();
	const struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *, 14);
	const struct rte_tcp_hdr *th = (const struct rte_tcp_hdr *)(ip + 1);
	uint64_t want = RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_IP_CKSUM | RTE_MBUF_F_TX_TCP_CKSUM;

	cr_assert_eq(m->ol_flags & want, want);
	cr_assert_eq(m->l2_len, 14);
	cr_assert_eq(m->l3_len, 20);
	cr_assert_eq(ip->hdr_checksum, 0, "the port fills the IPv4 checksum");
	/* pseudo-header sum (RFC 9293 3.1), not complemented, computed independently */
	uint8_t ph[12];

	memcpy(ph, &ip->src_addr, 4);
	memcpy(ph + 4, &ip->dst_addr, 4);
	ph[8] = 0;
	ph[9] = 6;
	ph[10] = 0;
	ph[11] = 70;
	cr_assert_eq(rte_be_to_cpu_16(th->cksum), (uint16_t)~cksum16(ph, 12, 0));
	rte_pktmbuf_free(m);
}

Test(output, on_link_destination_is_its_own_next_hop, .init = net_test_setup)
{
	uint8_t f[FRAME_MAX];

	sy_net_output(fx.net, tcp_segment(0), OUR_IP, IP4(10, 0, 0, 200), IPPROTO_TCP, T0);
	size_t len = pop(f);
	const struct rte_arp_hdr *a = (const struct rte_arp_hdr *)(f + 14);

	cr_assert_geq(len, 42);
	cr_assert_eq(f[12] << 8 | f[13], 0x0806);
	cr_assert_eq(a->arp_data.arp_tip, IP4(10, 0, 0, 200));
}

Test(output, off_link_destination_goes_via_gateway, .init = net_test_setup)
{
	uint8_t f[FRAME_MAX];

	sy_net_output(fx.net, tcp_segment(0), OUR_IP, FAR_IP, IPPROTO_TCP, T0);
	pop(f);
	const struct rte_arp_hdr *a = (const struct rte_arp_hdr *)(f + 14);

	cr_assert_eq(a->arp_data.arp_tip, GW_IP, "ARP asks for the gateway");
}

Test(output, off_link_with_resolved_gateway_uses_gateway_mac)
{
	uint8_t f[FRAME_MAX];

	sy_net_output(fx.net, tcp_segment(0), OUR_IP, FAR_IP, IPPROTO_TCP, T0);
	pop(f);
	cr_assert_eq(memcmp(f, &gw_mac, 6), 0);
	cr_assert_eq(memcmp(f + 14 + 16, &(rte_be32_t){ FAR_IP }, 4), 0, "IP dst unchanged");
}

static void
no_gateway_setup(void)
{
	net_test_conf();
	fx.conf.gateway = 0;
	net_test_start();
}

Test(output, off_link_without_gateway_is_unreachable, .init = no_gateway_setup)
{
	cr_assert_eq(sy_net_output(fx.net, tcp_segment(0), OUR_IP, FAR_IP, IPPROTO_TCP, T0),
		     -EHOSTUNREACH);
	cr_assert_eq(st()->ip_drop_no_route, 1);
	cr_assert_eq(sy_test_wire_count(&fx.wire, &fx.txq), 0);
}

Test(output, own_address_is_not_looped_back)
{
	cr_assert_eq(sy_net_output(fx.net, tcp_segment(0), OUR_IP, IP4(10, 0, 0, 12),
				   IPPROTO_TCP, T0), -EHOSTUNREACH);
	cr_assert_eq(st()->ip_drop_loopback, 1);
	cr_assert_eq(sy_test_wire_count(&fx.wire, &fx.txq), 0);
}

Test(output, broadcast_and_multicast_destinations_are_unreachable)
{
	const rte_be32_t dst[] = { 0, IP4(255, 255, 255, 255), IP4(10, 0, 0, 255),
				   IP4(224, 0, 0, 5) };

	for (size_t i = 0; i < RTE_DIM(dst); i++)
		cr_assert_eq(sy_net_output(fx.net, tcp_segment(0), OUR_IP, dst[i], IPPROTO_TCP,
					   T0), -EHOSTUNREACH);
	cr_assert_eq(st()->ip_drop_no_route, RTE_DIM(dst));
	cr_assert_eq(sy_test_wire_count(&fx.wire, &fx.txq), 0);
}

Test(output, larger_than_mtu_is_refused)
{
	uint8_t f[FRAME_MAX];

	cr_assert_eq(sy_net_output(fx.net, tcp_segment(1461), OUR_IP, PEER_IP, IPPROTO_TCP,
				   T0), -EMSGSIZE);
	cr_assert_eq(st()->ip_drop_too_big, 1);
	cr_assert_eq(sy_net_output(fx.net, tcp_segment(1460), OUR_IP, PEER_IP, IPPROTO_TCP,
				   T0), 0, "exactly the MTU fits");
	cr_assert_eq(pop(f), 1514);
}

Test(output, missing_headroom_is_refused)
{
	struct rte_mbuf *m = tcp_segment(0);

	rte_pktmbuf_prepend(m, rte_pktmbuf_headroom(m) - 20);
	rte_pktmbuf_trim(m, rte_pktmbuf_data_len(m) - 20);
	cr_assert_eq(sy_net_output(fx.net, m, OUR_IP, PEER_IP, IPPROTO_TCP, T0), -EINVAL);
	cr_assert_eq(st()->ip_drop_bad_mbuf, 1);
}

static void
trusted_setup(void)
{
	net_test_conf();
	fx.conf.trusted_link = true;
	net_test_start();
	sy_net_arp_add_static(fx.net, PEER_IP, &peer_mac);
}

/* An in-process link: no checksum is computed and no offload is asked of the port. */
Test(output, trusted_link_fills_no_checksum, .init = trusted_setup)
{
	struct rte_mbuf *m;

	cr_assert_eq(sy_net_output(fx.net, tcp_segment(50), OUR_IP, PEER_IP, IPPROTO_TCP,
				   T0), 0);
	m = wire_pop();
	const struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *, 14);
	const struct rte_tcp_hdr *th = (const struct rte_tcp_hdr *)(ip + 1);

	cr_assert_eq(ip->hdr_checksum, 0);
	cr_assert_eq(th->cksum, 0, "the 0xdead the segment came with is cleared, not kept");
	cr_assert_eq(m->ol_flags & (RTE_MBUF_F_TX_IP_CKSUM | RTE_MBUF_F_TX_TCP_CKSUM), 0);
	cr_assert_eq(rte_be_to_cpu_16(ip->total_length), 90, "the header is still exact");
	rte_pktmbuf_free(m);
}

/* The allocation the packet path uses gives what rte_pktmbuf_alloc() gives. */
Test(output, mbuf_alloc_is_a_reset_mbuf, .init = net_test_setup)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(fx.pool);

	cr_assert_not_null(m);
	cr_assert_not_null(rte_pktmbuf_append(m, 100));
	m->ol_flags |= RTE_MBUF_F_TX_IPV4;
	m->packet_type = 7;
	m->vlan_tci = 5;
	rte_pktmbuf_adj(m, 10);
	rte_pktmbuf_free(m);
	m = sy_net_mbuf_alloc(fx.pool);   /* likely the same mbuf, from the lcore cache */
	cr_assert_not_null(m);
	cr_assert_eq(m->next, NULL);
	cr_assert_eq(m->nb_segs, 1);
	cr_assert_eq(m->pkt_len, 0);
	cr_assert_eq(m->data_len, 0);
	cr_assert_eq(m->data_off, RTE_PKTMBUF_HEADROOM);
	cr_assert_eq(m->ol_flags, 0);
	cr_assert_eq(m->packet_type, 0);
	cr_assert_eq(m->vlan_tci, 0);
	cr_assert_eq(m->port, RTE_MBUF_PORT_INVALID);
	cr_assert_eq(rte_mbuf_refcnt_read(m), 1);
	rte_pktmbuf_free(m);
}

/* A TSO segment as lib/tcp makes it: 20-byte header, then a chain of @p n 1000-byte
 * pieces, marked RTE_MBUF_F_TX_TCP_SEG with tso_segsz @p segsz. */
static struct rte_mbuf *
tso_segment(unsigned int n, uint16_t segsz)
{
	static uint8_t piece[1000];
	struct rte_mbuf *m = tcp_segment(0);

	for (unsigned int i = 0; i < n; i++) {
		memset(piece, (int)(i + 1), sizeof(piece));
		cr_assert_eq(rte_pktmbuf_chain(m, sy_test_mbuf_from(fx.pool, piece,
								    sizeof(piece))), 0);
	}
	m->ol_flags |= RTE_MBUF_F_TX_TCP_SEG;
	m->tso_segsz = segsz;
	m->l4_len = 20;
	return m;
}

static void
tso_setup(enum sy_net_tso mode, bool offload)
{
	net_test_conf();
	fx.conf.tx_multi_seg = true;
	fx.conf.tx_ip_cksum_offload = offload;
	fx.conf.tx_l4_cksum_offload = offload;
	fx.conf.tso = mode;
	net_test_start();
	sy_net_arp_add_static(fx.net, PEER_IP, &peer_mac);
}

static void tso_device_setup(void) { tso_setup(SY_NET_TSO_DEVICE, true); }
static void tso_whole_setup(void) { tso_setup(SY_NET_TSO_WHOLE, false); }

/*
 * A device that cuts: the frame above the MTU goes out with the flag, the lengths the
 * device needs (l2, l3, l4, tso_segsz), IP checksum left to it, and the TCP checksum
 * field holding the pseudo-header sum without the length (each cut segment has its own).
 */
Test(output, tso_device_gets_the_segment_with_its_lengths, .init = tso_device_setup)
{
	struct rte_mbuf *m;

	cr_assert_eq(sy_net_output(fx.net, tso_segment(10, 1000), OUR_IP, PEER_IP,
				   IPPROTO_TCP, T0), 0);
	m = wire_pop();
	const struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *, 14);
	const struct rte_tcp_hdr *th = (const struct rte_tcp_hdr *)(ip + 1);
	uint64_t want = RTE_MBUF_F_TX_TCP_SEG | RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_IP_CKSUM |
			RTE_MBUF_F_TX_TCP_CKSUM;
	uint8_t ph[12];

	cr_assert_eq(m->ol_flags & want, want);
	cr_assert_eq(m->l2_len, 14);
	cr_assert_eq(m->l3_len, 20);
	cr_assert_eq(m->l4_len, 20);
	cr_assert_eq(m->tso_segsz, 1000);
	cr_assert_eq(m->pkt_len, 14 + 20 + 20 + 10000);
	cr_assert_eq(rte_be_to_cpu_16(ip->total_length), 20 + 20 + 10000);
	cr_assert_eq(ip->hdr_checksum, 0);
	memcpy(ph, &ip->src_addr, 4);
	memcpy(ph + 4, &ip->dst_addr, 4);
	ph[8] = 0;
	ph[9] = 6;
	ph[10] = ph[11] = 0;            /* no length in a TSO pseudo-header */
	cr_assert_eq(rte_be_to_cpu_16(th->cksum), (uint16_t)~cksum16(ph, 12, 0));
	cr_assert_eq(st()->ip_drop_too_big, 0);
	rte_pktmbuf_free(m);
}

/* The ring pair: the frame is carried whole, checksummed whole, with no flag left on. */
Test(output, tso_whole_checksums_the_segment_whole, .init = tso_whole_setup)
{
	static uint8_t f[14 + 20 + 20 + 10000];
	struct rte_mbuf *m;

	cr_assert_eq(sy_net_output(fx.net, tso_segment(10, 1000), OUR_IP, PEER_IP,
				   IPPROTO_TCP, T0), 0);
	m = wire_pop();
	cr_assert_eq(m->ol_flags & RTE_MBUF_F_TX_TCP_SEG, 0);
	cr_assert_eq(m->pkt_len, sizeof(f));
	const struct rte_ipv4_hdr *ip = rte_pktmbuf_read(m, 0, sizeof(f), f);

	ip = (const struct rte_ipv4_hdr *)((const uint8_t *)ip + 14);
	cr_assert_eq(rte_be_to_cpu_16(ip->total_length), 20 + 20 + 10000);
	cr_assert_eq(cksum16(ip, 20, 0), 0);
	cr_assert_eq(rte_ipv4_udptcp_cksum_verify(ip, ip + 1), 0);
	rte_pktmbuf_free(m);
}

/* Without TSO a marked frame above the MTU is what it is: too big (counted). */
Test(output, tso_segment_on_a_port_without_tso_is_too_big)
{
	cr_assert_eq(sy_net_output(fx.net, tso_segment(10, 1000), OUR_IP, PEER_IP,
				   IPPROTO_TCP, T0), -EMSGSIZE);
	cr_assert_eq(st()->ip_drop_too_big, 1);
}

/* A conf asking a device to cut without its checksum offloads, or TSO without chains. */
Test(output, tso_conf_needs_chains_and_for_a_device_both_offloads, .init = net_test_setup)
{
	struct sy_net_conf c = fx.conf;

	c.tso = SY_NET_TSO_DEVICE;
	c.tx_multi_seg = true;
	cr_assert_null(sy_net_create(&c, &fx.txq, fx.pool, SOCKET_ID_ANY));
	c.tx_ip_cksum_offload = c.tx_l4_cksum_offload = true;
	struct sy_net *n = sy_net_create(&c, &fx.txq, fx.pool, SOCKET_ID_ANY);

	cr_assert_not_null(n);
	sy_net_free(n);
	c.tso = SY_NET_TSO_WHOLE;
	c.tx_multi_seg = false;
	cr_assert_null(sy_net_create(&c, &fx.txq, fx.pool, SOCKET_ID_ANY));
}
