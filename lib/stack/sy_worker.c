/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The run-to-completion loop: see sy_worker.h. Frames of a burst are prefetched one ahead
 * so that the Ethernet header of the next frame is in cache when the current one is done.
 */
#include "sy_worker.h"

#include <rte_ethdev.h>
#include <rte_arp.h>
#include <rte_prefetch.h>
#include <rte_ring.h>

#define NAME_STRING(name) #name,
const char *const sy_worker_stats_names[] = { SY_WORKER_STATS(NAME_STRING) };
const uint32_t sy_worker_stats_count = RTE_DIM(sy_worker_stats_names);
#undef NAME_STRING

/* Ethernet + ARP up to the opcode, in the first segment */
#define ARP_OPCODE_END (RTE_ETHER_HDR_LEN + 8)

/* A cheap filter run on every frame; sy_net_arp_reply_for_us() then checks the rest. */
static bool
looks_like_arp_reply(const struct rte_mbuf *m)
{
	const uint8_t *p = rte_pktmbuf_mtod(m, const uint8_t *);

	if (rte_pktmbuf_data_len(m) < ARP_OPCODE_END)
		return false;
	return p[12] == 0x08 && p[13] == 0x06 && p[20] == 0x00 && p[21] == RTE_ARP_OP_REPLY;
}

static void
share_arp_reply(struct sy_worker *w, const struct rte_mbuf *m)
{
	for (uint16_t i = 0; i < w->n_arp_peers; i++) {
		struct rte_mbuf *copy = rte_pktmbuf_copy(m, w->pool, 0, UINT32_MAX);

		if (copy == NULL || rte_ring_enqueue(w->arp_peers[i], copy) != 0) {
			rte_pktmbuf_free(copy);
			w->stats.arp_share_drop++;
			continue;
		}
		w->stats.arp_shared++;
	}
}

void
sy_worker_arp_inbox(struct sy_worker *w)
{
	struct rte_mbuf *m[SY_WORKER_RX_BURST];
	unsigned int n;

	if (w->arp_inbox == NULL)
		return;
	n = rte_ring_dequeue_burst(w->arp_inbox, (void **)m, SY_WORKER_RX_BURST, NULL);
	w->stats.arp_from_peers += n;
	for (unsigned int i = 0; i < n; i++)
		if (sy_net_input(w->net, m[i], sy_clock_ms(&w->clock)) == SY_NET_RX_TCP)
			rte_pktmbuf_free(m[i]);  /* cannot happen: only ARP is shared */
}

void
sy_worker_input(struct sy_worker *w, struct rte_mbuf **pkts, uint16_t n)
{
	uint64_t now_ms = sy_clock_ms(&w->clock);

	/*
	 * The frames were written by another core (or the NIC): every mbuf header is a cache
	 * miss. Asking for all of them at once lets the misses overlap; each frame's data is
	 * then asked for two frames ahead, once its header (which says where the data is) has
	 * had time to arrive. Measured: the first-touch miss on the header was most of the
	 * input loop's time (docs/benchmarks.md).
	 */
	for (uint16_t i = 0; i < n; i++)
		rte_prefetch0(pkts[i]);
	for (uint16_t i = 0; i < n && i < 2; i++)
		rte_prefetch0(rte_pktmbuf_mtod(pkts[i], void *));
	if (w->tcp != NULL)
		sy_tcp_prefetch(w->tcp, pkts, n);
	for (uint16_t i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];

		if (i + 2 < n) {
			const uint8_t *d = rte_pktmbuf_mtod(pkts[i + 2], const uint8_t *);

			rte_prefetch0(d);
			/* headers with options end past the first line; the payload starts there */
			if (rte_pktmbuf_data_len(pkts[i + 2]) > RTE_CACHE_LINE_SIZE)
				rte_prefetch0(d + RTE_CACHE_LINE_SIZE);
		}
		w->stats.rx_bytes += rte_pktmbuf_pkt_len(m);
		if (unlikely(w->n_arp_peers > 0) && looks_like_arp_reply(m) &&
		    sy_net_arp_reply_for_us(w->net, m))
			share_arp_reply(w, m);
		if (sy_net_input(w->net, m, now_ms) != SY_NET_RX_TCP)
			continue;
		if (w->tcp != NULL)
			sy_tcp_input(w->tcp, m);
		else
			rte_pktmbuf_free(m);  /* packet-path-only worker: counted as tcp_rx */
	}
}

uint16_t
sy_worker_iterate(struct sy_worker *w)
{
	struct rte_mbuf *pkts[SY_WORKER_RX_BURST];
	uint64_t tx_before = w->txq.tx_pkts + w->txq.n;
	uint16_t n;

	sy_clock_update(&w->clock);   /* its TSC reading is also this iteration's start */
	n = rte_eth_rx_burst(w->port_id, w->queue_id, pkts, SY_WORKER_RX_BURST);
	if (n > 0) {
		w->stats.rx_frames += n;
		w->stats.rx_bursts++;
		if (unlikely(w->capture != NULL))
			sy_capture_rx(w->capture, pkts, n, w->clock.tsc);
		sy_worker_input(w, pkts, n);
	}
	if (w->arp_inbox != NULL)
		sy_worker_arp_inbox(w);
	if (w->tcp != NULL)
		sy_tcp_poll(w->tcp);
	sy_net_poll(w->net, sy_clock_ms(&w->clock));
	if (w->app_poll != NULL)
		w->app_poll(w->app, w);
	sy_txq_flush(&w->txq);

	w->stats.loops++;
	w->stats.tx_frames = w->txq.tx_pkts;
	w->stats.tx_bytes = w->txq.tx_bytes;
	w->stats.tx_drop_full = w->txq.tx_drop_full;
	/* an idle poll costs no second TSC read */
	if ((n > 0 || w->txq.tx_pkts != tx_before) && !w->clock.is_virtual)
		w->stats.busy_cycles += rte_rdtsc() - w->clock.tsc;
	return n;
}

int
sy_worker_main(void *arg)
{
	struct sy_worker *w = arg;

	while (!*w->stop) {
		sy_worker_iterate(w);
		if (w->rx_limit != 0 && w->stats.rx_frames >= w->rx_limit)
			break;
	}
	sy_txq_flush(&w->txq);
	return 0;
}
