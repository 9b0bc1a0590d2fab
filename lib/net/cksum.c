/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The Internet checksum (RFC 1071) over a chained mbuf.
 *
 * DPDK 22.11's rte_raw_cksum_mbuf() (and rte_ipv4_udptcp_cksum_mbuf(), built on it)
 * byte-swaps an unreduced 32-bit partial sum after a segment of odd length and so loses
 * its carries: the result is wrong for some chained packets (fixed upstream after 22.11).
 * Here each segment's partial sum is reduced to 16 bits first; swapping a reduced one's
 * complement sum is exact (RFC 1071 2.(B), byte-order independence).
 */
#include <rte_byteorder.h>
#include <rte_ip.h>

#include "net_priv.h"

static inline uint32_t
cksum_fold(uint32_t sum)
{
	sum = (sum & 0xffff) + (sum >> 16);
	return (sum & 0xffff) + (sum >> 16);
}

uint16_t
net_cksum_mbuf(const struct rte_mbuf *m, uint32_t off, uint32_t len)
{
	const struct rte_mbuf *seg = m;
	uint32_t sum = 0;
	bool odd = false;

	while (seg != NULL && off >= rte_pktmbuf_data_len(seg)) {
		off -= rte_pktmbuf_data_len(seg);
		seg = seg->next;
	}
	for (; seg != NULL && len > 0; seg = seg->next, off = 0) {
		uint32_t n = RTE_MIN(len, (uint32_t)rte_pktmbuf_data_len(seg) - off);
		uint16_t part = rte_raw_cksum(rte_pktmbuf_mtod_offset(seg, const void *, off), n);

		/* a segment starting at an odd offset of the message has its bytes swapped */
		sum += odd ? rte_bswap16(part) : part;
		odd ^= n & 1;
		len -= n;
	}
	return (uint16_t)cksum_fold(sum);
}

bool
sy_net_l4_cksum_valid(const struct rte_mbuf *m, const struct rte_ipv4_hdr *ip, uint32_t l4_off)
{
	uint32_t l4_len = rte_be_to_cpu_16(ip->total_length) - (uint32_t)rte_ipv4_hdr_len(ip);

	/* a correct datagram sums, checksum field included, to all ones (RFC 1071) */
	return cksum_fold((uint32_t)rte_ipv4_phdr_cksum(ip, 0) +
			  net_cksum_mbuf(m, l4_off, l4_len)) == 0xffff;
}

uint16_t
net_l4_cksum_mbuf(const struct rte_mbuf *m, const struct rte_ipv4_hdr *ip, uint32_t l4_off)
{
	uint32_t l4_len = rte_be_to_cpu_16(ip->total_length) - (uint32_t)rte_ipv4_hdr_len(ip);
	uint32_t sum = (uint32_t)rte_ipv4_phdr_cksum(ip, 0) + net_cksum_mbuf(m, l4_off, l4_len);
	uint16_t ck = (uint16_t)~cksum_fold(sum);

	/* RFC 768: a computed UDP checksum of 0 is sent as all ones */
	if (ck == 0 && ip->next_proto_id == IPPROTO_UDP)
		ck = 0xffff;
	return ck;
}
