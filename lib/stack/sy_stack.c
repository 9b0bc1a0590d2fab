/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Stack instances and lcore plans: see sy_stack.h. Each worker's memory (the worker struct,
 * its ARP table, its TCP engine) is allocated on the NUMA socket of its port, and each uses
 * the port's pool of that socket, so no packet crosses sockets.
 */
#include "sy_stack.h"

#include <stdlib.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <rte_errno.h>
#include <rte_malloc.h>
#include <rte_ring.h>

static void
net_conf_from_port(struct sy_net_conf *nc, const struct sy_port_conf *pc,
		   const struct sy_port *port)
{
	sy_net_conf_defaults(nc);
	nc->mac = port->mac;
	nc->addr_first = pc->ip.addr_first;
	nc->addr_count = pc->ip.addr_count;
	nc->prefix_len = pc->ip.prefix_len;
	nc->gateway = pc->ip.gateway;
	nc->mtu = port->mtu;
	nc->arp_table_size = pc->ip.arp_table_size;
	nc->arp_timeout_s = pc->ip.arp_timeout_s;
	nc->arp_retry_ms = pc->ip.arp_retry_ms;
	nc->arp_retries = pc->ip.arp_retries;
	nc->arp_pending_max = pc->ip.arp_pending_max;
	nc->tx_ip_cksum_offload = port->tx_ip_cksum;
	nc->tx_l4_cksum_offload = port->tx_tcp_cksum;
	nc->trusted_link = port->trusted_link;
	nc->tx_multi_seg = port->tx_multi_seg;
	nc->tso = port->tso ? SY_NET_TSO_DEVICE :
		  port->tso_whole ? SY_NET_TSO_WHOLE : SY_NET_TSO_OFF;
}

/* Zero copy needs frames of several mbufs: say why the engine refuses it on this port. */
static int
zerocopy_refused(const struct sy_stack *s, uint32_t tx_zc_min, char *err, size_t errlen)
{
	snprintf(err, errlen, "%s: zero-copy transmit (payloads from %u bytes) needs a port "
		 "that takes multi-segment frames; port %u does not (its profile must set "
		 "[port] offload_multi_seg = yes, and the device report "
		 "RTE_ETH_TX_OFFLOAD_MULTI_SEGS)", s->name, tx_zc_min, s->port->port_id);
	return -ENOTSUP;
}

static void
register_worker_stats(struct sy_stats *stats, const char *name, struct sy_worker *w)
{
	char label[32];
	int slot;

	snprintf(label, sizeof(label), "%s/q%u", name, w->queue_id);
	slot = sy_stats_add_slot(stats, label);
	if (slot < 0)
		return;
	sy_stats_add_group(stats, slot, "loop", sy_worker_stats_names, sy_worker_stats_count,
			   (const uint64_t *)&w->stats);
	sy_stats_add_group(stats, slot, "net", sy_stats_net_names, sy_stats_net_count,
			   (const uint64_t *)sy_net_stats(w->net));
	if (w->tcp != NULL)
		sy_stats_add_group(stats, slot, "tcp", sy_stats_tcp_names, sy_stats_tcp_count,
				   (const uint64_t *)sy_tcp_stats(w->tcp));
}

static int
worker_create(struct sy_stack *s, uint16_t q, const struct sy_port_conf *conf,
	      const struct sy_tcp_conf *tcp, const volatile bool *stop, char *err, size_t errlen)
{
	struct sy_port *port = s->port;
	struct sy_net_conf nc;
	char tcp_name[32];
	struct sy_worker *w = rte_zmalloc_socket("sy_worker", sizeof(*w), RTE_CACHE_LINE_SIZE,
						 port->socket);

	if (w == NULL) {
		snprintf(err, errlen, "%s: worker %u: out of memory", s->name, q);
		return -ENOMEM;
	}
	s->workers[q] = w;
	w->port_id = port->port_id;
	w->queue_id = q;
	w->stop = stop;
	w->pool = sy_port_pool(port, port->socket);
	sy_clock_init(&w->clock);
	sy_txq_init_eth(&w->txq, port->port_id, q);
	net_conf_from_port(&nc, conf, port);
	w->net = sy_net_create(&nc, &w->txq, w->pool, port->socket);
	if (w->net == NULL) {
		snprintf(err, errlen, "%s: worker %u: net layer: %s", s->name, q,
			 rte_strerror(rte_errno));
		return -rte_errno;
	}
	if (tcp == NULL)
		return 0;
	snprintf(tcp_name, sizeof(tcp_name), "%s%u", s->name, q);
	w->tcp = sy_tcp_create(tcp_name, tcp, w->net, w->pool, &w->clock, port->socket);
	if (w->tcp == NULL && rte_errno == ENOTSUP)
		return zerocopy_refused(s, tcp->tx_zerocopy_min, err, errlen);
	if (w->tcp == NULL) {
		snprintf(err, errlen, "%s: worker %u: TCP engine: %s", s->name, q,
			 rte_strerror(rte_errno));
		return -rte_errno;
	}
	return 0;
}

#define ARP_INBOX_SIZE 256

/* One inbox per worker, fed by every other worker (see sy_worker.h). */
static int
arp_sharing_create(struct sy_stack *s, char *err, size_t errlen)
{
	char name[RTE_RING_NAMESIZE];

	if (s->n_workers < 2)
		return 0;
	if (s->n_workers > SY_WORKER_MAX_PEERS + 1) {
		snprintf(err, errlen, "%s: at most %u workers per port", s->name,
			 SY_WORKER_MAX_PEERS + 1);
		return -EINVAL;
	}
	for (uint16_t q = 0; q < s->n_workers; q++) {
		snprintf(name, sizeof(name), "sy_arp_%s_%u", s->name, q);
		s->workers[q]->arp_inbox = rte_ring_create(name, ARP_INBOX_SIZE, s->port->socket,
							   RING_F_SC_DEQ);
		if (s->workers[q]->arp_inbox == NULL) {
			snprintf(err, errlen, "%s: ARP inbox %s: %s", s->name, name,
				 rte_strerror(rte_errno));
			return -rte_errno;
		}
	}
	for (uint16_t q = 0; q < s->n_workers; q++)
		for (uint16_t p = 0; p < s->n_workers; p++)
			if (p != q)
				s->workers[q]->arp_peers[s->workers[q]->n_arp_peers++] =
					s->workers[p]->arp_inbox;
	return 0;
}

static void
arp_inbox_free(struct sy_worker *w)
{
	struct rte_mbuf *m;

	if (w->arp_inbox == NULL)
		return;
	while (rte_ring_dequeue(w->arp_inbox, (void **)&m) == 0)
		rte_pktmbuf_free(m);
	rte_ring_free(w->arp_inbox);
	w->arp_inbox = NULL;
}

int
sy_stack_create(struct sy_stack *s, const char *name, struct sy_port *port,
		const struct sy_port_conf *conf, const struct sy_tcp_conf *tcp,
		const volatile bool *stop, struct sy_stats *stats, char *err, size_t errlen)
{
	memset(s, 0, sizeof(*s));
	snprintf(s->name, sizeof(s->name), "%s", name);
	s->port = port;
	s->n_workers = port->nb_rxq;
	for (uint16_t q = 0; q < s->n_workers; q++) {
		int rc = worker_create(s, q, conf, tcp, stop, err, errlen);

		if (rc < 0) {
			sy_stack_free(s);
			return rc;
		}
		if (stats != NULL)
			register_worker_stats(stats, name, s->workers[q]);
	}
	int rc = arp_sharing_create(s, err, errlen);

	if (rc < 0)
		sy_stack_free(s);
	return rc;
}

void
sy_stack_free(struct sy_stack *s)
{
	for (uint16_t q = 0; q < s->n_workers; q++) {
		struct sy_worker *w = s->workers[q];

		if (w == NULL)
			continue;
		sy_txq_flush(&w->txq);
		arp_inbox_free(w);
		sy_tcp_free(w->tcp);
		sy_txq_flush(&w->txq);
		sy_net_free(w->net);
		sy_txq_flush(&w->txq);
		rte_free(w);
		s->workers[q] = NULL;
	}
}

void
sy_stack_announce(struct sy_stack *s)
{
	for (uint16_t q = 0; q < s->n_workers; q++) {
		struct sy_worker *w = s->workers[q];

		sy_clock_update(&w->clock);
		sy_net_announce(w->net, sy_clock_ms(&w->clock));
		sy_txq_flush(&w->txq);
	}
}

int
sy_lcore_plan_add(struct sy_lcore_plan *p, struct sy_worker *w)
{
	if (p->n == SY_LCORE_MAX_WORKERS)
		return -ENOSPC;
	p->workers[p->n++] = w;
	return 0;
}

static bool
plan_done(const struct sy_lcore_plan *p)
{
	for (uint16_t i = 0; i < p->n; i++) {
		const struct sy_worker *w = p->workers[i];

		if (w->rx_limit == 0 || w->stats.rx_frames < w->rx_limit)
			return false;
	}
	return p->n > 0;
}

/* The TSC without a second read (18 ns on some VMs) when a worker just took it. */
static uint64_t
tick_now(const struct sy_lcore_plan *p)
{
	const struct sy_worker *w = p->n > 0 ? p->workers[p->n - 1] : NULL;

	return w != NULL && !w->clock.is_virtual ? w->clock.tsc : rte_rdtsc();
}

int
sy_lcore_run(void *arg)
{
	struct sy_lcore_plan *p = arg;
	uint64_t tick_cycles = rte_get_tsc_hz() / 1000 * (p->tick_ms ? p->tick_ms : 1000);
	uint64_t next_tick = rte_rdtsc() + tick_cycles;

	while (!*p->stop && !plan_done(p)) {
		for (uint16_t i = 0; i < p->n; i++)
			sy_worker_iterate(p->workers[i]);
		if (p->tick != NULL && tick_now(p) >= next_tick) {
			next_tick += tick_cycles;
			p->tick(p->tick_arg);
		}
	}
	for (uint16_t i = 0; i < p->n; i++)
		sy_txq_flush(&p->workers[i]->txq);
	return 0;
}
