/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * IPv4 for a host (RFC 791), with the validation rules of RFC 1122 3.2.1.
 *
 * Input: a datagram is dropped, each case with its own counter, when
 *  - the frame is shorter than a header or than the total length (ip_drop_truncated);
 *  - the version is not 4 (RFC 1122 3.2.1.1, ip_drop_bad_version);
 *  - IHL < 5 (ip_drop_bad_ihl), or > 5: we parse no options (ip_drop_options);
 *  - the total length is shorter than the header (ip_drop_bad_total_len);
 *  - the header checksum fails (RFC 1122 3.2.1.2, ip_drop_bad_csum). A PMD that checked it
 *    says so in ol_flags (GOOD/NONE: trusted, BAD: dropped); otherwise it is checked here;
 *  - it is a fragment, MF or offset set (ip_drop_fragment): there is no reassembly, and TCP
 *    sends DF segments below the MSS, so a fragment means something unusual on the path;
 *  - TTL is 0 (ip_drop_ttl_zero). RFC 1122 3.2.1.7 forbids dropping for TTL < 2 only on
 *    forwarding grounds; a TTL of 0 never leaves a correct sender (RFC 791);
 *  - the source is 0.0.0.0/8, 127/8, multicast, 240/4 (incl. limited broadcast) or the
 *    directed broadcast of our prefix (RFC 1122 3.2.1.3, ip_drop_bad_src);
 *  - the destination is not one of our addresses (ip_drop_not_our_addr);
 *  - the protocol is neither ICMP nor TCP (ip_drop_proto).
 * Frames longer than the total length carry Ethernet padding, which is trimmed.
 *
 * Output: IHL 5, TOS 0, DF, TTL 64, an identification counter per lcore (RFC 6864
 * allows any value for atomic datagrams), header checksum in software or by the port,
 * TCP/UDP checksum in software or by the port (pseudo-header seeded, as DPDK PMDs want).
 * The next hop is the destination when on-link (same prefix as our range), else the
 * gateway; without gateway an off-link destination is unreachable.
 */
#include <errno.h>
#include <stddef.h>
#include <rte_tcp.h>
#include <rte_udp.h>

#include "net_priv.h"

#define IPV4_FRAG_BITS RTE_BE16(RTE_IPV4_HDR_MF_FLAG | RTE_IPV4_HDR_OFFSET_MASK)

/* RFC 1122 3.2.1.3: addresses that never identify one sending host. */
static bool
ipv4_src_invalid(const struct sy_net *net, rte_be32_t src)
{
	uint8_t first = (uint8_t)(rte_be_to_cpu_32(src) >> 24);

	return first == 0 || first == 127 || first >= 224 ||
	       (net->subnet_bcast != 0 && src == net->subnet_bcast);
}

static bool
ipv4_cksum_bad(const struct rte_mbuf *m, const struct rte_ipv4_hdr *ip)
{
	switch (m->ol_flags & RTE_MBUF_F_RX_IP_CKSUM_MASK) {
	case RTE_MBUF_F_RX_IP_CKSUM_GOOD:
	case RTE_MBUF_F_RX_IP_CKSUM_NONE:   /* PMD checked the header, field not filled */
		return false;
	case RTE_MBUF_F_RX_IP_CKSUM_BAD:
		return true;
	default:
		/* a correct header sums to 0xffff, so the complement is 0 */
		return rte_ipv4_cksum(ip) != 0;
	}
}

/* The counter of the first rule @p ip breaks, or NULL for a datagram we accept. */
static uint64_t *
ipv4_validate(struct sy_net *net, const struct rte_mbuf *m, const struct rte_ipv4_hdr *ip)
{
	struct sy_net_stats *st = &net->stats;
	uint16_t total = rte_be_to_cpu_16(ip->total_length);

	if ((ip->version_ihl >> 4) != 4)
		return &st->ip_drop_bad_version;
	if ((ip->version_ihl & RTE_IPV4_HDR_IHL_MASK) < RTE_IPV4_MIN_IHL)
		return &st->ip_drop_bad_ihl;
	if ((ip->version_ihl & RTE_IPV4_HDR_IHL_MASK) > RTE_IPV4_MIN_IHL)
		return &st->ip_drop_options;
	if (total < sizeof(*ip))
		return &st->ip_drop_bad_total_len;
	if (total > rte_pktmbuf_pkt_len(m) - RTE_ETHER_HDR_LEN)
		return &st->ip_drop_truncated;
	if (ipv4_cksum_bad(m, ip))
		return &st->ip_drop_bad_csum;
	if (ip->fragment_offset & IPV4_FRAG_BITS)
		return &st->ip_drop_fragment;
	if (ip->time_to_live == 0)
		return &st->ip_drop_ttl_zero;
	if (ipv4_src_invalid(net, ip->src_addr))
		return &st->ip_drop_bad_src;
	if (!sy_net_is_local(net, ip->dst_addr))
		return &st->ip_drop_not_our_addr;
	if (ip->next_proto_id != IPPROTO_TCP && ip->next_proto_id != IPPROTO_ICMP)
		return &st->ip_drop_proto;
	return NULL;
}

enum sy_net_rx
net_ipv4_input(struct sy_net *net, struct rte_mbuf *m, uint64_t now_ms)
{
	struct rte_ipv4_hdr copy;
	const struct rte_ipv4_hdr *ip;
	uint64_t *drop;

	net->stats.ip_rx++;
	/* what a NIC's checksum offload would report; lib/tcp reads the same flags */
	if (net->conf.trusted_link)
		m->ol_flags |= RTE_MBUF_F_RX_IP_CKSUM_GOOD | RTE_MBUF_F_RX_L4_CKSUM_GOOD;
	ip = rte_pktmbuf_read(m, RTE_ETHER_HDR_LEN, sizeof(copy), &copy);
	drop = ip == NULL ? &net->stats.ip_drop_truncated : ipv4_validate(net, m, ip);
	if (drop != NULL)
		goto drop;
	net_trim(m, RTE_ETHER_HDR_LEN + (uint32_t)rte_be_to_cpu_16(ip->total_length));
	if (ip->next_proto_id == IPPROTO_ICMP) {
		net_icmp_input(net, m);
		return SY_NET_RX_CONSUMED;
	}
	/* TCP reads its header in the first segment, at SY_NET_L4_OFFSET */
	RTE_BUILD_BUG_ON(SY_NET_L4_OFFSET != NET_L2L3_LEN);
	if (rte_pktmbuf_data_len(m) < NET_L2L3_LEN) {
		drop = &net->stats.rx_drop_hdr_split;
		goto drop;
	}
	net->stats.tcp_rx++;
	return SY_NET_RX_TCP;
drop:
	(*drop)++;
	rte_pktmbuf_free(m);
	return SY_NET_RX_CONSUMED;
}

/* ---- output --------------------------------------------------------------------------- */

void
net_ipv4_cksum_out(const struct sy_net *net, struct rte_mbuf *m, struct rte_ipv4_hdr *ip)
{
	ip->hdr_checksum = 0;
	if (net->conf.trusted_link)
		return;
	if (net->conf.tx_ip_cksum_offload || net->conf.tx_l4_cksum_offload) {
		/*
		 * What the port reads for an offload; stale otherwise (sy_net_mbuf_alloc()),
		 * except the TSO lengths lib/tcp set on a segment it flagged (only those are
		 * read: the flag is in the first cache line).
		 */
		uint16_t segsz = 0, l4_len = 0;

		if (m->ol_flags & RTE_MBUF_F_TX_TCP_SEG) {
			segsz = m->tso_segsz;
			l4_len = m->l4_len;
		}
		m->tx_offload = 0;
		m->l2_len = RTE_ETHER_HDR_LEN;
		m->l3_len = sizeof(*ip);
		m->tso_segsz = segsz;
		m->l4_len = l4_len;
	}
	if (net->conf.tx_ip_cksum_offload)
		m->ol_flags |= RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_IP_CKSUM;
	else
		ip->hdr_checksum = rte_ipv4_cksum(ip);
}

/* Offset of the checksum field in the L4 header, or 0 when we do not fill it. */
static uint16_t
ipv4_l4_cksum_off(uint8_t proto)
{
	switch (proto) {
	case IPPROTO_TCP:
		return offsetof(struct rte_tcp_hdr, cksum);
	case IPPROTO_UDP:
		return offsetof(struct rte_udp_hdr, dgram_cksum);
	default:
		return 0;   /* ICMP: the caller computed it */
	}
}

static void
ipv4_l4_cksum_out(const struct sy_net *net, struct rte_mbuf *m, struct rte_ipv4_hdr *ip,
		  uint16_t off)
{
	rte_be16_t *ck = rte_pktmbuf_mtod_offset(m, rte_be16_t *, NET_L2L3_LEN + off);

	*ck = 0;
	if (net->conf.trusted_link)
		return;
	if (net->conf.tx_l4_cksum_offload) {
		m->ol_flags |= RTE_MBUF_F_TX_IPV4 | (ip->next_proto_id == IPPROTO_TCP ?
			RTE_MBUF_F_TX_TCP_CKSUM : RTE_MBUF_F_TX_UDP_CKSUM);
		*ck = rte_ipv4_phdr_cksum(ip, m->ol_flags);
	} else {
		/* walks every segment of a chained payload */
		*ck = net_l4_cksum_mbuf(m, ip, NET_L2L3_LEN);
	}
}

static void
ipv4_build(struct sy_net *net, struct rte_ipv4_hdr *ip, uint16_t total, rte_be32_t src,
	   rte_be32_t dst, uint8_t proto)
{
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->type_of_service = 0;
	ip->total_length = rte_cpu_to_be_16(total);
	ip->packet_id = rte_cpu_to_be_16(net->ip_id++);
	ip->fragment_offset = RTE_BE16(RTE_IPV4_HDR_DF_FLAG);
	ip->time_to_live = NET_IP_TTL;
	ip->next_proto_id = proto;
	ip->hdr_checksum = 0;
	ip->src_addr = src;
	ip->dst_addr = dst;
}

/* The next hop of @p dst, or a negative errno with the drop counted. */
static int
ipv4_route(struct sy_net *net, rte_be32_t dst, rte_be32_t *nexthop)
{
	uint8_t first = (uint8_t)(rte_be_to_cpu_32(dst) >> 24);

	if (sy_net_is_local(net, dst)) {
		net->stats.ip_drop_loopback++;
		return -EHOSTUNREACH;
	}
	/* nothing to resolve for these: we send unicast only */
	if (first == 0 || first >= 224 || dst == net->subnet_bcast) {
		net->stats.ip_drop_no_route++;
		return -EHOSTUNREACH;
	}
	if (((dst ^ net->conf.addr_first) & net->mask) == 0) {
		*nexthop = dst;
		return 0;
	}
	if (net->conf.gateway == 0) {
		net->stats.ip_drop_no_route++;
		return -EHOSTUNREACH;
	}
	*nexthop = net->conf.gateway;
	return 0;
}

int
sy_net_output(struct sy_net *net, struct rte_mbuf *m, rte_be32_t src, rte_be32_t dst,
	      uint8_t proto, uint64_t now_ms)
{
	uint32_t total = rte_pktmbuf_pkt_len(m) + (uint32_t)sizeof(struct rte_ipv4_hdr);
	uint32_t limit = net->conf.mtu;
	uint16_t ck_off = ipv4_l4_cksum_off(proto);
	rte_be32_t nexthop;
	int rc = ipv4_route(net, dst, &nexthop);

	if (rc < 0)
		goto drop;
	/*
	 * A TSO segment from lib/tcp may exceed the MTU. Only a device that cuts it keeps the
	 * flag; the ring pair carries it whole (checksummed whole, if at all).
	 */
	if (m->ol_flags & RTE_MBUF_F_TX_TCP_SEG) {
		if (net->conf.tso != SY_NET_TSO_OFF)
			limit = UINT16_MAX;
		if (net->conf.tso != SY_NET_TSO_DEVICE)
			m->ol_flags &= ~RTE_MBUF_F_TX_TCP_SEG;
	}
	if (total > limit) {
		net->stats.ip_drop_too_big++;
		rc = -EMSGSIZE;
		goto drop;
	}
	if ((ck_off != 0 && rte_pktmbuf_data_len(m) < ck_off + sizeof(rte_be16_t)) ||
	    rte_pktmbuf_prepend(m, NET_L2L3_LEN) == NULL) {
		net->stats.ip_drop_bad_mbuf++;
		rc = -EINVAL;
		goto drop;
	}
	struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *,
							   RTE_ETHER_HDR_LEN);

	ipv4_build(net, ip, (uint16_t)total, src, dst, proto);
	net_ipv4_cksum_out(net, m, ip);
	if (ck_off != 0)
		ipv4_l4_cksum_out(net, m, ip, ck_off);
	/* the destination MAC is filled when the next hop is resolved */
	net_eth_fill(net, m, &net->conf.mac, RTE_ETHER_TYPE_IPV4);
	return net_arp_resolve_send(net, m, nexthop, src, now_ms);
drop:
	rte_pktmbuf_free(m);
	return rc;
}
