/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ARP for Ethernet and IPv4 (RFC 826), with the host requirements of RFC 1122 2.3.2.
 *
 * Input follows RFC 826 "Packet Reception": check hardware and protocol type and lengths
 * (else arp_drop_malformed); if the sender is in the table, update its MAC (the merge);
 * if we are the target, add the sender when it was not merged, and answer a request. A
 * request for an address we do not own is counted (arp_drop_not_for_us) after the merge.
 * We never learn a broadcast/multicast sender MAC or a sender claiming one of our own
 * addresses (arp_drop_bad_sender), and we do not learn 0.0.0.0 (RFC 5227 probes), though
 * a probe for our address is answered so that the prober sees the conflict.
 *
 * Table: one per lcore, no locks. A dense arena of arp_table_size entries (free list
 * through the free entries) and an open-addressing index of at least twice as many slots
 * (load <= 0.5, linear probing, backward-shift deletion: no tombstones, so lookups stay
 * short however many entries come and go). A full table is counted (arp_drop_table_full);
 * nothing is evicted, so a flood of ARP cannot push out the neighbours in use.
 *
 * Resolution: an unknown next hop gets an entry in INCOMPLETE state and a broadcast
 * request; up to arp_pending_max frames wait in the entry (more: arp_drop_pending_full).
 * The request is sent arp_retries times in all, arp_retry_ms apart; arp_retry_ms after
 * the last one the waiting frames are dropped (arp_drop_unresolved) and the entry freed.
 * With the defaults (3 tries, 1000 ms) a dead next hop costs 3 requests and 3 s.
 *
 * Aging: a resolved entry is trusted for arp_timeout_s. Then it is refreshed rather than
 * dropped: it stays usable while unicast requests go to the cached MAC (RFC 1122
 * 2.3.2.1 "unicast poll"), with the same retry schedule; no answer -> the entry is freed
 * (arp_expired). Static entries never age and are never overwritten by the merge.
 *
 * Timers: every entry's deadline feeds net->next_deadline_ms, so sy_net_poll() is one
 * compare when nothing is due; when something is, one pass over the used part of the
 * arena handles every due entry and finds the next deadline.
 */
#include <errno.h>
#include <string.h>
#include <rte_malloc.h>

#include "net_priv.h"

#define ARP_FRAME_LEN (RTE_ETHER_HDR_LEN + (uint32_t)sizeof(struct rte_arp_hdr))

static const struct rte_ether_addr mac_bcast = {
	.addr_bytes = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff } };
static const struct rte_ether_addr mac_zero;

/* ---- table ---------------------------------------------------------------------------- */

static inline uint32_t
arp_hash(const struct sy_net *net, rte_be32_t ip)
{
	/* Fibonacci hashing: the top bits of a multiplicative hash spread a /24 evenly */
	return (rte_be_to_cpu_32(ip) * 0x9e3779b1u) >> net->slot_shift;
}

/* Slot holding @p ip, or the empty slot where it would go. */
static uint32_t
arp_slot_find(const struct sy_net *net, rte_be32_t ip)
{
	uint32_t i = arp_hash(net, ip);

	while (net->slots[i].idx != 0 && net->slots[i].ip != ip)
		i = (i + 1) & net->slot_mask;
	return i;
}

static struct arp_entry *
arp_find(const struct sy_net *net, rte_be32_t ip)
{
	const struct arp_slot *s = &net->slots[arp_slot_find(net, ip)];

	return s->idx == 0 ? NULL : &net->arp[s->idx - 1];
}

static inline struct rte_mbuf **
arp_pend(const struct sy_net *net, const struct arp_entry *e)
{
	return &net->pend[(size_t)(e - net->arp) * net->conf.arp_pending_max];
}

static struct arp_entry *
arp_insert(struct sy_net *net, rte_be32_t ip, uint8_t state)
{
	uint32_t s = arp_slot_find(net, ip);

	if (net->free_head == UINT32_MAX) {
		net->stats.arp_drop_table_full++;
		return NULL;
	}
	uint32_t idx = net->free_head;
	struct arp_entry *e = &net->arp[idx];

	net->free_head = e->next_free;
	*e = (struct arp_entry){ .ip = ip, .state = state, .deadline_ms = NET_NO_DEADLINE };
	net->slots[s] = (struct arp_slot){ .ip = ip, .idx = idx + 1 };
	net->arp_used++;
	if (idx >= net->arp_hwm)
		net->arp_hwm = idx + 1;
	return e;
}

/* Backward-shift deletion (Knuth 6.4 algorithm R): keeps every probe chain unbroken. */
static void
arp_slot_delete(struct sy_net *net, uint32_t i)
{
	uint32_t j = i;

	for (;;) {
		j = (j + 1) & net->slot_mask;
		if (net->slots[j].idx == 0)
			break;
		uint32_t k = arp_hash(net, net->slots[j].ip);
		/* the entry at j stays if its home k lies cyclically in (i, j] */
		if (i <= j ? (i < k && k <= j) : (i < k || k <= j))
			continue;
		net->slots[i] = net->slots[j];
		i = j;
	}
	net->slots[i] = (struct arp_slot){ 0 };
}

/* Frees the entry; waiting frames are dropped and counted as unresolved. */
static void
arp_remove(struct sy_net *net, struct arp_entry *e)
{
	struct rte_mbuf **pend = arp_pend(net, e);
	uint32_t idx = (uint32_t)(e - net->arp);

	for (uint16_t i = 0; i < e->n_pend; i++) {
		rte_pktmbuf_free(pend[i]);
		net->stats.arp_drop_unresolved++;
	}
	arp_slot_delete(net, arp_slot_find(net, e->ip));
	*e = (struct arp_entry){ .state = ARP_FREE, .next_free = net->free_head };
	net->free_head = idx;
	net->arp_used--;
}

int
net_arp_init(struct sy_net *net, int socket)
{
	uint32_t n = net->conf.arp_table_size;
	uint32_t slots = 2;
	uint32_t bits = 1;

	while (slots < 2 * n) {
		slots <<= 1;
		bits++;
	}
	net->slot_mask = slots - 1;
	net->slot_shift = 32 - bits;
	net->arp = rte_zmalloc_socket("sy_net_arp", sizeof(*net->arp) * n, RTE_CACHE_LINE_SIZE,
				      socket);
	net->slots = rte_zmalloc_socket("sy_net_arp_idx", sizeof(*net->slots) * slots,
					RTE_CACHE_LINE_SIZE, socket);
	net->pend = rte_zmalloc_socket("sy_net_arp_pend",
				       sizeof(*net->pend) * n * net->conf.arp_pending_max,
				       RTE_CACHE_LINE_SIZE, socket);
	if (net->arp == NULL || net->slots == NULL || net->pend == NULL)
		return -ENOMEM;
	for (uint32_t i = 0; i < n; i++)
		net->arp[i].next_free = i + 1 < n ? i + 1 : UINT32_MAX;
	net->free_head = 0;
	return 0;
}

void
net_arp_fini(struct sy_net *net)
{
	if (net->arp != NULL && net->slots != NULL && net->pend != NULL) {
		for (uint32_t i = 0; i < net->arp_hwm; i++) {
			struct rte_mbuf **pend = arp_pend(net, &net->arp[i]);

			for (uint16_t k = 0; k < net->arp[i].n_pend; k++)
				rte_pktmbuf_free(pend[k]);
		}
	}
	rte_free(net->pend);
	rte_free(net->slots);
	rte_free(net->arp);
}

/* ---- output --------------------------------------------------------------------------- */

/* Builds and queues one ARP frame, padded to the Ethernet minimum. */
static int
arp_send(struct sy_net *net, uint16_t op, const struct rte_ether_addr *eth_dst,
	 const struct rte_ether_addr *tha, rte_be32_t spa, rte_be32_t tpa)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(net->pool);

	if (m == NULL) {
		net->stats.ip_drop_no_mbuf++;
		return -ENOBUFS;
	}
	char *p = rte_pktmbuf_append(m, NET_ETH_MIN_LEN);

	if (p == NULL) {
		rte_pktmbuf_free(m);
		net->stats.ip_drop_no_mbuf++;
		return -ENOBUFS;
	}
	memset(p, 0, NET_ETH_MIN_LEN);
	net_eth_fill(net, m, eth_dst, RTE_ETHER_TYPE_ARP);

	struct rte_arp_hdr *ah = (struct rte_arp_hdr *)(p + RTE_ETHER_HDR_LEN);

	ah->arp_hardware = RTE_BE16(RTE_ARP_HRD_ETHER);
	ah->arp_protocol = RTE_BE16(RTE_ETHER_TYPE_IPV4);
	ah->arp_hlen = RTE_ETHER_ADDR_LEN;
	ah->arp_plen = sizeof(rte_be32_t);
	ah->arp_opcode = rte_cpu_to_be_16(op);
	rte_ether_addr_copy(&net->conf.mac, &ah->arp_data.arp_sha);
	ah->arp_data.arp_sip = spa;
	rte_ether_addr_copy(tha, &ah->arp_data.arp_tha);
	ah->arp_data.arp_tip = tpa;
	sy_txq_push(net->txq, m);
	return 0;
}

/* A request for @p e's address from one of ours: broadcast, or unicast poll when aging. */
static int
arp_request(struct sy_net *net, struct arp_entry *e, rte_be32_t spa, uint64_t now_ms)
{
	const struct rte_ether_addr *dst = e->state == ARP_PROBE ? &e->mac : &mac_bcast;

	e->tries++;
	e->deadline_ms = now_ms + net->conf.arp_retry_ms;
	net_deadline(net, e->deadline_ms);
	if (arp_send(net, RTE_ARP_OP_REQUEST, dst, &mac_zero, spa, e->ip) < 0)
		return -ENOBUFS;
	net->stats.arp_tx_request++;
	return 0;
}

/* The entry is resolved: stamp the MAC on every waiting frame, in order, and send. */
static void
arp_flush_pending(struct sy_net *net, struct arp_entry *e)
{
	struct rte_mbuf **pend = arp_pend(net, e);

	for (uint16_t i = 0; i < e->n_pend; i++) {
		struct rte_ether_hdr *eh = rte_pktmbuf_mtod(pend[i], struct rte_ether_hdr *);

		rte_ether_addr_copy(&e->mac, &eh->dst_addr);
		sy_txq_push(net->txq, pend[i]);
		net->stats.ip_tx++;
		pend[i] = NULL;
	}
	e->n_pend = 0;
}

int
net_arp_resolve_send(struct sy_net *net, struct rte_mbuf *m, rte_be32_t nexthop,
		     rte_be32_t src, uint64_t now_ms)
{
	struct arp_entry *e = arp_find(net, nexthop);

	if (likely(e != NULL && e->state != ARP_INCOMPLETE)) {
		struct rte_ether_hdr *eh = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);

		rte_ether_addr_copy(&e->mac, &eh->dst_addr);
		sy_txq_push(net->txq, m);
		net->stats.ip_tx++;
		return 0;
	}
	if (e == NULL) {
		e = arp_insert(net, nexthop, ARP_INCOMPLETE);
		if (e == NULL) {
			rte_pktmbuf_free(m);
			return -ENOBUFS;
		}
		/* a lost request (no mbuf) is retried on the normal schedule */
		arp_request(net, e, src, now_ms);
	}
	if (e->n_pend >= net->conf.arp_pending_max) {
		net->stats.arp_drop_pending_full++;
		rte_pktmbuf_free(m);
		return -ENOBUFS;
	}
	arp_pend(net, e)[e->n_pend++] = m;
	net->stats.arp_pending_queued++;
	return 0;
}

/* ---- input ---------------------------------------------------------------------------- */

static void
arp_learn(struct sy_net *net, struct arp_entry *e, const struct rte_ether_addr *sha,
	  uint64_t now_ms)
{
	if (e->state == ARP_STATIC)
		return;
	rte_ether_addr_copy(sha, &e->mac);
	e->state = ARP_REACHABLE;
	e->tries = 0;
	e->deadline_ms = now_ms + (uint64_t)net->conf.arp_timeout_s * 1000;
	net_deadline(net, e->deadline_ms);
	arp_flush_pending(net, e);
}

static bool
arp_header_valid(const struct rte_arp_hdr *ah)
{
	return ah->arp_hardware == RTE_BE16(RTE_ARP_HRD_ETHER) &&
	       ah->arp_protocol == RTE_BE16(RTE_ETHER_TYPE_IPV4) &&
	       ah->arp_hlen == RTE_ETHER_ADDR_LEN && ah->arp_plen == sizeof(rte_be32_t) &&
	       (ah->arp_opcode == RTE_BE16(RTE_ARP_OP_REQUEST) ||
		ah->arp_opcode == RTE_BE16(RTE_ARP_OP_REPLY));
}

/* A sender we may learn and answer: unicast, and not claiming one of our addresses. */
static bool
arp_sender_valid(const struct sy_net *net, const struct rte_arp_ipv4 *d)
{
	return rte_is_unicast_ether_addr(&d->arp_sha) && !rte_is_zero_ether_addr(&d->arp_sha) &&
	       !sy_net_is_local(net, d->arp_sip);
}

/* RFC 826 "Packet Reception", from the merge on. */
static void
arp_process(struct sy_net *net, const struct rte_arp_hdr *ah, uint64_t now_ms)
{
	const struct rte_arp_ipv4 *d = &ah->arp_data;
	bool for_us = sy_net_is_local(net, d->arp_tip);
	bool request = ah->arp_opcode == RTE_BE16(RTE_ARP_OP_REQUEST);

	if (request)
		net->stats.arp_rx_request++;
	else
		net->stats.arp_rx_reply++;
	if (!arp_sender_valid(net, d)) {
		net->stats.arp_drop_bad_sender++;
		return;
	}
	if (d->arp_sip != 0) {
		struct arp_entry *e = arp_find(net, d->arp_sip);

		if (e == NULL && for_us)
			e = arp_insert(net, d->arp_sip, ARP_INCOMPLETE);
		if (e != NULL)
			arp_learn(net, e, &d->arp_sha, now_ms);
	}
	if (!request)
		return;
	if (!for_us) {
		net->stats.arp_drop_not_for_us++;
		return;
	}
	/* the reply goes straight to the asker, whose MAC is in the request */
	if (arp_send(net, RTE_ARP_OP_REPLY, &d->arp_sha, &d->arp_sha, d->arp_tip,
		     d->arp_sip) == 0)
		net->stats.arp_tx_reply++;
}

void
net_arp_input(struct sy_net *net, struct rte_mbuf *m, uint64_t now_ms)
{
	struct rte_arp_hdr ah;

	if (!net_read(m, RTE_ETHER_HDR_LEN, sizeof(ah), &ah) || !arp_header_valid(&ah))
		net->stats.arp_drop_malformed++;
	else
		arp_process(net, &ah, now_ms);
	rte_pktmbuf_free(m);
}

bool
sy_net_arp_reply_for_us(const struct sy_net *net, const struct rte_mbuf *m)
{
	struct rte_ether_hdr eh;
	struct rte_arp_hdr ah;

	if (!net_read(m, 0, sizeof(eh), &eh) || !net_read(m, sizeof(eh), sizeof(ah), &ah) ||
	    eh.ether_type != RTE_BE16(RTE_ETHER_TYPE_ARP) ||
	    (!rte_is_same_ether_addr(&eh.dst_addr, &net->conf.mac) &&
	     !rte_is_broadcast_ether_addr(&eh.dst_addr)) ||
	    !arp_header_valid(&ah) || ah.arp_opcode != RTE_BE16(RTE_ARP_OP_REPLY))
		return false;
	/* any target: a reply for another address (a gratuitous one announcing a new MAC)
	 * still refreshes an entry that another worker may hold (arp_process()) */
	return arp_sender_valid(net, &ah.arp_data) && ah.arp_data.arp_sip != 0;
}

/* ---- timers --------------------------------------------------------------------------- */

static void
arp_timer(struct sy_net *net, struct arp_entry *e, uint64_t now_ms)
{
	switch (e->state) {
	case ARP_REACHABLE:
		e->state = ARP_PROBE;
		e->tries = 0;
		arp_request(net, e, net->conf.addr_first, now_ms);
		break;
	case ARP_INCOMPLETE:
	case ARP_PROBE:
		if (e->tries < net->conf.arp_retries) {
			arp_request(net, e, net->conf.addr_first, now_ms);
			break;
		}
		if (e->state == ARP_PROBE)
			net->stats.arp_expired++;
		arp_remove(net, e);
		break;
	default:
		break;
	}
}

void
net_arp_poll(struct sy_net *net, uint64_t now_ms)
{
	uint64_t next = NET_NO_DEADLINE;

	net->next_deadline_ms = NET_NO_DEADLINE;
	for (uint32_t i = 0; i < net->arp_hwm; i++) {
		struct arp_entry *e = &net->arp[i];

		if (e->state == ARP_FREE || e->state == ARP_STATIC)
			continue;
		if (e->deadline_ms <= now_ms)
			arp_timer(net, e, now_ms);
		if (e->state != ARP_FREE && e->deadline_ms < next)
			next = e->deadline_ms;
	}
	net_deadline(net, next);
}

/* ---- public --------------------------------------------------------------------------- */

void
sy_net_announce(struct sy_net *net, uint64_t now_ms)
{
	uint32_t n = RTE_MIN(net->conf.addr_count, (uint32_t)SY_NET_ANNOUNCE_MAX);

	for (uint32_t i = 0; i < n; i++) {
		rte_be32_t a = rte_cpu_to_be_32(net->addr_first_h + i);

		if (arp_send(net, RTE_ARP_OP_REQUEST, &mac_bcast, &mac_zero, a, a) == 0)
			net->stats.arp_tx_gratuitous++;
	}
}

int
sy_net_arp_lookup(const struct sy_net *net, rte_be32_t ip, struct rte_ether_addr *mac)
{
	const struct arp_entry *e = arp_find(net, ip);

	if (e == NULL || e->state == ARP_INCOMPLETE)
		return -ENOENT;
	rte_ether_addr_copy(&e->mac, mac);
	return 0;
}

int
sy_net_arp_add_static(struct sy_net *net, rte_be32_t ip, const struct rte_ether_addr *mac)
{
	if (ip == 0 || mac == NULL || !rte_is_valid_assigned_ether_addr(mac))
		return -EINVAL;
	struct arp_entry *e = arp_find(net, ip);

	if (e == NULL)
		e = arp_insert(net, ip, ARP_STATIC);
	if (e == NULL)
		return -ENOSPC;
	rte_ether_addr_copy(mac, &e->mac);
	e->state = ARP_STATIC;
	e->tries = 0;
	e->deadline_ms = NET_NO_DEADLINE;
	arp_flush_pending(net, e);
	return 0;
}
