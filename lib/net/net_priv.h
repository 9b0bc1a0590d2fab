/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Internal state of the net layer, shared by net.c, eth.c, arp.c, ipv4.c and icmp.c.
 * Nothing here is public: other libraries see only sy_net.h.
 */
#ifndef SY_NET_PRIV_H
#define SY_NET_PRIV_H

#include <stdint.h>
#include <string.h>
#include <rte_arp.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_mbuf.h>

#include "sy_net.h"

/* Bytes of Ethernet + IPv4 header (no options, no VLAN) in front of every L4 header. */
#define NET_L2L3_LEN (RTE_ETHER_HDR_LEN + (uint16_t)sizeof(struct rte_ipv4_hdr))
/* Minimum Ethernet frame without FCS: ARP frames are padded to it. */
#define NET_ETH_MIN_LEN (RTE_ETHER_MIN_LEN - RTE_ETHER_CRC_LEN)
#define NET_IP_TTL 64
#define NET_NO_DEADLINE UINT64_MAX

enum arp_state {
	ARP_FREE = 0,
	ARP_INCOMPLETE,  /* request sent, frames may wait in the pending queue */
	ARP_REACHABLE,   /* resolved, ages at deadline_ms */
	ARP_PROBE,       /* aged: still used, re-requested until answered or given up */
	ARP_STATIC,      /* added by configuration, never ages */
};

/* One neighbour. Lives in a dense arena; the hash index points to it. */
struct arp_entry {
	rte_be32_t ip;
	uint8_t state;
	uint8_t tries;          /* requests sent in the current INCOMPLETE/PROBE round */
	uint16_t n_pend;        /* frames waiting in the entry's pending slots */
	struct rte_ether_addr mac;
	uint32_t next_free;     /* arena free list, valid while state == ARP_FREE */
	uint64_t deadline_ms;   /* next retransmit (INCOMPLETE/PROBE) or aging (REACHABLE) */
};

/* Open-addressing index slot: ip next to the arena index keeps a probe in one line. */
struct arp_slot {
	rte_be32_t ip;
	uint32_t idx;           /* arena index + 1; 0 = empty */
};

struct sy_net {
	struct sy_net_conf conf;
	struct sy_net_stats stats;
	struct sy_txq *txq;
	struct rte_mempool *pool;
	uint32_t addr_first_h;  /* host order, for range checks */
	rte_be32_t mask;        /* on-link mask, network order */
	rte_be32_t subnet_bcast;/* directed broadcast of the on-link prefix, or 0 */
	uint16_t ip_id;

	/* ARP: arena of arp_table_size entries, index of slot_mask + 1 slots (>= 2x). */
	struct arp_entry *arp;
	struct arp_slot *slots;
	struct rte_mbuf **pend; /* arp_table_size x arp_pending_max frames */
	uint32_t slot_mask;
	uint32_t slot_shift;
	uint32_t arp_used;
	uint32_t arp_hwm;       /* entries [0, arp_hwm) have ever been used */
	uint32_t free_head;     /* first free arena entry, UINT32_MAX when full */
	uint64_t next_deadline_ms;
};

/* cksum.c: raw (uncomplemented) sum of @p len bytes at @p off; the caller bounds them */
uint16_t net_cksum_mbuf(const struct rte_mbuf *m, uint32_t off, uint32_t len);
/* complemented TCP/UDP checksum of the datagram whose L4 header is at @p l4_off */
uint16_t net_l4_cksum_mbuf(const struct rte_mbuf *m, const struct rte_ipv4_hdr *ip,
			   uint32_t l4_off);

/* eth.c */
void net_eth_fill(const struct sy_net *net, struct rte_mbuf *m, const struct rte_ether_addr *dst,
		  uint16_t ether_type);
enum sy_net_rx net_eth_input(struct sy_net *net, struct rte_mbuf *m, uint64_t now_ms);
int net_trim(struct rte_mbuf *m, uint32_t len);

/* arp.c */
int net_arp_init(struct sy_net *net, int socket);
void net_arp_fini(struct sy_net *net);
void net_arp_input(struct sy_net *net, struct rte_mbuf *m, uint64_t now_ms);
int net_arp_resolve_send(struct sy_net *net, struct rte_mbuf *m, rte_be32_t nexthop,
			 rte_be32_t src, uint64_t now_ms);
void net_arp_poll(struct sy_net *net, uint64_t now_ms);

/* ipv4.c */
enum sy_net_rx net_ipv4_input(struct sy_net *net, struct rte_mbuf *m, uint64_t now_ms);
void net_ipv4_cksum_out(const struct sy_net *net, struct rte_mbuf *m, struct rte_ipv4_hdr *ip);

/* icmp.c */
void net_icmp_input(struct sy_net *net, struct rte_mbuf *m);

/*
 * Copies @p len bytes at @p off into @p buf; false when the frame is shorter. Always a
 * copy: a header in a later segment can sit at an odd address, and the Ethernet and ARP
 * structs of DPDK want 2-byte alignment.
 */
static inline bool
net_read(const struct rte_mbuf *m, uint32_t off, uint32_t len, void *buf)
{
	const void *p = rte_pktmbuf_read(m, off, len, buf);

	if (p == NULL)
		return false;
	if (p != buf)
		memcpy(buf, p, len);
	return true;
}

static inline void
net_deadline(struct sy_net *net, uint64_t at_ms)
{
	if (at_ms < net->next_deadline_ms)
		net->next_deadline_ms = at_ms;
}

#endif /* SY_NET_PRIV_H */
