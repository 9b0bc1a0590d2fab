/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Ethernet II framing (RFC 894): filter on the destination MAC, dispatch on the EtherType.
 *
 * Accepted: frames to our MAC and to the broadcast address. Other multicast is dropped
 * (rx_drop_multicast: we join no group), other unicast is dropped (rx_drop_not_our_mac:
 * promiscuous ports and flooding switches deliver those). A group source MAC is invalid
 * (rx_drop_bad_src_mac). EtherTypes other than IPv4 and ARP, including 802.1Q tags, are
 * dropped (rx_drop_ethertype): the stack runs untagged. A PMD that strips VLAN tags
 * (RTE_MBUF_F_RX_VLAN_STRIPPED) must not be configured to: the tag is not checked here.
 *
 * The Ethernet header is copied out with net_read() (rte_pktmbuf_read()), so a frame is
 * never read past its length, whatever its segment layout.
 */
#include <rte_ether.h>

#include "net_priv.h"

void
net_eth_fill(const struct sy_net *net, struct rte_mbuf *m, const struct rte_ether_addr *dst,
	     uint16_t ether_type)
{
	struct rte_ether_hdr *eh = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);

	rte_ether_addr_copy(dst, &eh->dst_addr);
	rte_ether_addr_copy(&net->conf.mac, &eh->src_addr);
	eh->ether_type = rte_cpu_to_be_16(ether_type);
}

enum sy_net_rx
net_eth_input(struct sy_net *net, struct rte_mbuf *m, uint64_t now_ms)
{
	struct rte_ether_hdr copy;
	const struct rte_ether_hdr *eh = &copy;

	if (unlikely(!net_read(m, 0, sizeof(copy), &copy))) {
		net->stats.rx_drop_runt++;
		goto drop;
	}
	if (!rte_is_same_ether_addr(&eh->dst_addr, &net->conf.mac) &&
	    !rte_is_broadcast_ether_addr(&eh->dst_addr)) {
		if (rte_is_multicast_ether_addr(&eh->dst_addr))
			net->stats.rx_drop_multicast++;
		else
			net->stats.rx_drop_not_our_mac++;
		goto drop;
	}
	/* replies go back to the source MAC: a group address there would be amplified */
	if (unlikely(rte_is_multicast_ether_addr(&eh->src_addr))) {
		net->stats.rx_drop_bad_src_mac++;
		goto drop;
	}
	switch (eh->ether_type) {
	case RTE_BE16(RTE_ETHER_TYPE_IPV4):
		return net_ipv4_input(net, m, now_ms);
	case RTE_BE16(RTE_ETHER_TYPE_ARP):
		net_arp_input(net, m, now_ms);
		return SY_NET_RX_CONSUMED;
	default:
		net->stats.rx_drop_ethertype++;
		goto drop;
	}
drop:
	rte_pktmbuf_free(m);
	return SY_NET_RX_CONSUMED;
}

/*
 * Cuts @p m to @p len bytes, freeing segments that end up empty. Unlike rte_pktmbuf_trim()
 * this works when the bytes to remove (Ethernet padding) span more than the last segment.
 */
int
net_trim(struct rte_mbuf *m, uint32_t len)
{
	struct rte_mbuf *seg = m;
	uint32_t off = 0;
	uint16_t nb = 1;

	if (len > rte_pktmbuf_pkt_len(m))
		return -EINVAL;
	if (len == rte_pktmbuf_pkt_len(m))
		return 0;
	/* the segment holding byte len - 1; the first one when len is 0 */
	while (seg->next != NULL && off + rte_pktmbuf_data_len(seg) < len) {
		off += rte_pktmbuf_data_len(seg);
		seg = seg->next;
		nb++;
	}
	seg->data_len = (uint16_t)(len - off);
	if (seg->next != NULL) {
		seg->next->nb_segs = (uint16_t)(m->nb_segs - nb);
		rte_pktmbuf_free(seg->next);
		seg->next = NULL;
	}
	m->nb_segs = nb;
	m->pkt_len = len;
	return 0;
}
