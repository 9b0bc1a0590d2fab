/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Cache warming for a received burst (sy_tcp_prefetch()).
 *
 * With tens of thousands of connections and TIME-WAIT records, a flow-table lookup is one
 * or two cache misses (the slot line, then the connection block), and sy_tcp_input()
 * takes them one segment after the other. Looking the whole burst up first, with the
 * flow table's bulk lookup (which prefetches every home line before it probes any), lets
 * those misses overlap; the blocks found are prefetched too. The results are only hints:
 * sy_tcp_input() looks each segment up again, by then from the cache, so a segment that
 * changes the table (a SYN, a close) cannot make a later one of the burst use a stale
 * answer.
 */
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_prefetch.h>

#include "tcb.h"

/* The 4-tuple of a frame that looks like IPv4 (no options) + TCP; false otherwise. Reads
 * fixed offsets only: nothing is validated here, sy_net_input() does that later. */
static bool
frame_key(const struct rte_mbuf *m, struct sy_flow_key *k)
{
	const uint8_t *p = rte_pktmbuf_mtod(m, const uint8_t *);
	const struct rte_ipv4_hdr *ip = (const struct rte_ipv4_hdr *)(p + RTE_ETHER_HDR_LEN);
	const rte_be16_t *ports = (const rte_be16_t *)(p + SY_NET_L4_OFFSET);

	if (rte_pktmbuf_data_len(m) < SY_NET_L4_OFFSET + 4 ||
	    ((const struct rte_ether_hdr *)p)->ether_type != RTE_BE16(RTE_ETHER_TYPE_IPV4) ||
	    ip->version_ihl != RTE_IPV4_VHL_DEF || ip->next_proto_id != IPPROTO_TCP)
		return false;
	k->local_ip = ip->dst_addr;
	k->remote_ip = ip->src_addr;
	k->local_port = ports[1];
	k->remote_port = ports[0];
	return true;
}

/* keys 8-byte aligned: the flow table's crc32c reads a key as an 8- and a 4-byte word */
struct aligned_key {
	struct sy_flow_key k;
} __rte_aligned(8);

void
sy_tcp_prefetch(struct sy_tcp *tcp, struct rte_mbuf *const *pkts, uint16_t n)
{
	struct aligned_key keys[SY_FLOW_BULK_MAX];
	const struct sy_flow_key *kp[SY_FLOW_BULK_MAX];
	uint32_t vals[SY_FLOW_BULK_MAX];
	unsigned int k = 0;
	uint64_t hits;

	for (uint16_t i = 0; i < n && k < SY_FLOW_BULK_MAX; i++)
		if (frame_key(pkts[i], &keys[k].k)) {
			kp[k] = &keys[k].k;
			k++;
		}
	if (k < 2)
		return;   /* one lookup has nothing to overlap with */
	hits = sy_flow_lookup_bulk(tcp->flows, kp, k, vals);
	for (; hits != 0; hits &= hits - 1) {
		uint32_t v = vals[__builtin_ctzll(hits)];

		if (v & TCP_FLOW_TW) {
			rte_prefetch0(tw_ptr(tcp, v & ~TCP_FLOW_TW));
		} else {
			const uint8_t *b = (const uint8_t *)tcb_ptr(tcp, v);

			rte_prefetch0(b);
			rte_prefetch0(b + RTE_CACHE_LINE_SIZE);
		}
	}
}
