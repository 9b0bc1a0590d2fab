/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The net layer of one lcore: configuration, creation and the entry points that do not
 * belong to one protocol. The protocols live in eth.c (RFC 894 framing), arp.c (RFC 826,
 * RFC 1122 2.3.2), ipv4.c (RFC 791, RFC 1122 3.2.1) and icmp.c (RFC 792, RFC 1122 3.2.2).
 *
 * Everything is allocated here, at creation, on the lcore's NUMA socket: the layer itself,
 * the ARP arena and index, and the pending-frame slots. After that the only allocations
 * are mbufs from the pool given at creation.
 */
#include <errno.h>
#include <string.h>
#include <rte_errno.h>
#include <rte_malloc.h>
#include <rte_random.h>

#include "net_priv.h"

/* Upper bound on the ARP table so that the index size cannot overflow 32 bits. */
#define NET_ARP_TABLE_MAX (1u << 20)
#define NET_ARP_PENDING_MAX 1024

void
sy_net_conf_defaults(struct sy_net_conf *conf)
{
	memset(conf, 0, sizeof(*conf));
	conf->addr_count = 1;
	conf->prefix_len = 24;
	conf->mtu = 1500;
	conf->arp_table_size = 1024;
	conf->arp_timeout_s = 60;
	conf->arp_retry_ms = 1000;
	conf->arp_retries = 3;
	conf->arp_pending_max = 16;
}

static bool
net_conf_valid(const struct sy_net_conf *c)
{
	uint32_t first = rte_be_to_cpu_32(c->addr_first);

	if (!rte_is_valid_assigned_ether_addr(&c->mac))
		return false;
	if (first == 0 || c->addr_count == 0 || first + (uint64_t)c->addr_count - 1 > UINT32_MAX)
		return false;
	if (c->prefix_len > 32 || c->mtu < 68 || c->mtu > 9000)
		return false;
	if (c->tso > SY_NET_TSO_WHOLE || (c->tso != SY_NET_TSO_OFF && !c->tx_multi_seg) ||
	    (c->tso == SY_NET_TSO_DEVICE &&
	     !(c->tx_ip_cksum_offload && c->tx_l4_cksum_offload && !c->trusted_link)))
		return false;
	if (c->arp_table_size == 0 || c->arp_table_size > NET_ARP_TABLE_MAX)
		return false;
	if (c->arp_pending_max == 0 || c->arp_pending_max > NET_ARP_PENDING_MAX)
		return false;
	/* tries is a uint8_t */
	return c->arp_retries >= 1 && c->arp_retries <= UINT8_MAX && c->arp_retry_ms >= 1 &&
	       c->arp_timeout_s >= 1;
}

static void
net_derive(struct sy_net *net)
{
	const struct sy_net_conf *c = &net->conf;
	uint32_t mask = c->prefix_len == 0 ? 0 : UINT32_MAX << (32 - c->prefix_len);

	net->addr_first_h = rte_be_to_cpu_32(c->addr_first);
	net->mask = rte_cpu_to_be_32(mask);
	/* /31 (RFC 3021) and /32 have no directed broadcast */
	net->subnet_bcast = c->prefix_len <= 30 ?
		rte_cpu_to_be_32((net->addr_first_h & mask) | ~mask) : 0;
	net->ip_id = (uint16_t)rte_rand();
	net->next_deadline_ms = NET_NO_DEADLINE;
}

struct sy_net *
sy_net_create(const struct sy_net_conf *conf, struct sy_txq *txq, struct rte_mempool *pool,
	      int socket)
{
	if (conf == NULL || txq == NULL || pool == NULL || !net_conf_valid(conf)) {
		rte_errno = EINVAL;
		return NULL;
	}
	struct sy_net *net = rte_zmalloc_socket("sy_net", sizeof(*net), RTE_CACHE_LINE_SIZE,
						socket);
	if (net == NULL) {
		rte_errno = ENOMEM;
		return NULL;
	}
	net->conf = *conf;
	net->txq = txq;
	net->pool = pool;
	net_derive(net);
	if (net_arp_init(net, socket) < 0) {
		sy_net_free(net);
		rte_errno = ENOMEM;
		return NULL;
	}
	return net;
}

void
sy_net_free(struct sy_net *net)
{
	if (net == NULL)
		return;
	net_arp_fini(net);
	rte_free(net);
}

const struct sy_net_conf *
sy_net_conf(const struct sy_net *net)
{
	return &net->conf;
}

const struct sy_net_stats *
sy_net_stats(const struct sy_net *net)
{
	return &net->stats;
}

bool
sy_net_is_local(const struct sy_net *net, rte_be32_t addr)
{
	/* unsigned wrap-around turns "below the range" into "far above it" */
	return rte_be_to_cpu_32(addr) - net->addr_first_h < net->conf.addr_count;
}

enum sy_net_rx
sy_net_input(struct sy_net *net, struct rte_mbuf *m, uint64_t now_ms)
{
	net->stats.rx_frames++;
	return net_eth_input(net, m, now_ms);
}

void
sy_net_poll(struct sy_net *net, uint64_t now_ms)
{
	/* O(1) when nothing is due: one compare against the earliest ARP deadline */
	if (likely(now_ms < net->next_deadline_ms))
		return;
	net_arp_poll(net, now_ms);
}
