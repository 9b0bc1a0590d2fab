/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ICMP for a host (RFC 792, RFC 1122 3.2.2): answer echo requests, count and drop the rest.
 *
 * The checksum is verified over the whole ICMP message, every segment of it (RFC 792,
 * icmp_drop_bad_csum) before anything is answered. RFC 1122 3.2.2.6: the reply carries
 * the request's identifier, sequence number and data unchanged, so it reuses the request's
 * mbuf: type 8 becomes 0 and the checksum is adjusted for that one word (RFC 1624 eqn. 3)
 * instead of summing the payload again; the addresses are swapped, TTL reset to 64 and
 * the IPv4 checksum recomputed. The reply goes back to the MAC the request came from (the
 * sender itself or its router), so answering needs no ARP lookup.
 *
 * Other types (echo replies, unreachables, redirects, ...) are counted in icmp_drop_type:
 * TCP does not act on ICMP errors yet (RFC 5927 makes that optional and risky).
 */
#include <string.h>
#include <rte_icmp.h>

#include "net_priv.h"

#define ICMP_HDR_LEN ((uint32_t)sizeof(struct rte_icmp_hdr))

/* RFC 1624 eqn. 3: HC' = ~(~HC + ~m + m'), all in one's complement arithmetic. */
static uint16_t
icmp_cksum_adjust(uint16_t hc, uint16_t old_word, uint16_t new_word)
{
	uint32_t sum = (uint16_t)~hc + (uint32_t)(uint16_t)~old_word + new_word;

	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	/*
	 * RFC 1624 eqn. 3 yields 0x0000 where a fresh computation gives 0xffff (-0 vs +0).
	 * 0xffff verifies whenever 0x0000 does, and also for an all-zero message.
	 */
	return sum == 0xffff ? 0xffff : (uint16_t)~sum;
}

static void
icmp_echo_reply(struct sy_net *net, struct rte_mbuf *m)
{
	struct rte_ether_hdr *eh = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(eh + 1);
	struct rte_icmp_hdr *ic = (struct rte_icmp_hdr *)(ip + 1);
	rte_be32_t peer = ip->src_addr;
	uint16_t old_word, new_word;

	rte_ether_addr_copy(&eh->src_addr, &eh->dst_addr);
	rte_ether_addr_copy(&net->conf.mac, &eh->src_addr);
	ip->src_addr = ip->dst_addr;
	ip->dst_addr = peer;
	ip->time_to_live = NET_IP_TTL;
	/* the receive flags mean nothing on the way out */
	m->ol_flags = 0;
	net_ipv4_cksum_out(net, m, ip);

	memcpy(&old_word, &ic->icmp_type, sizeof(old_word));
	ic->icmp_type = RTE_IP_ICMP_ECHO_REPLY;
	ic->icmp_code = 0;
	memcpy(&new_word, &ic->icmp_type, sizeof(new_word));
	ic->icmp_cksum = icmp_cksum_adjust(ic->icmp_cksum, old_word, new_word);
	sy_txq_push(net->txq, m);
	net->stats.icmp_tx_echo_reply++;
	net->stats.ip_tx++;
}

void
net_icmp_input(struct sy_net *net, struct rte_mbuf *m)
{
	uint32_t len = rte_pktmbuf_pkt_len(m) - NET_L2L3_LEN;   /* trimmed by ipv4.c */
	struct rte_icmp_hdr copy;
	const struct rte_icmp_hdr *ic;
	uint64_t *drop;

	ic = rte_pktmbuf_read(m, NET_L2L3_LEN, sizeof(copy), &copy);
	if (ic == NULL || len < ICMP_HDR_LEN)
		drop = &net->stats.icmp_drop_truncated;
	else if (net_cksum_mbuf(m, NET_L2L3_LEN, len) != 0xffff)
		drop = &net->stats.icmp_drop_bad_csum;
	else if (ic->icmp_type != RTE_IP_ICMP_ECHO_REQUEST)
		drop = &net->stats.icmp_drop_type;
	else if (rte_pktmbuf_data_len(m) < NET_L2L3_LEN + ICMP_HDR_LEN) {
		net->stats.icmp_rx_echo_request++;
		drop = &net->stats.rx_drop_hdr_split;
	} else {
		net->stats.icmp_rx_echo_request++;
		icmp_echo_reply(net, m);
		return;
	}
	(*drop)++;
	rte_pktmbuf_free(m);
}
