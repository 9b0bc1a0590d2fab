/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Per-lcore transmit batch: see sy_txq.h. A full TX ring is retried a few times (the NIC
 * drains it within microseconds) before frames are dropped, so a burst that momentarily
 * outruns the device costs a retry, not data.
 */
#include "sy_txq.h"

#include <rte_ethdev.h>

#define TXQ_FULL_RETRIES 4

static uint16_t
txq_send_eth(struct sy_txq *q, struct rte_mbuf **pkts, uint16_t n)
{
	return rte_eth_tx_burst(q->port_id, q->queue_id, pkts, n);
}

void
sy_txq_init_eth(struct sy_txq *q, uint16_t port_id, uint16_t queue_id)
{
	*q = (struct sy_txq){ .port_id = port_id, .queue_id = queue_id, .send = txq_send_eth };
}

void
sy_txq_init_fn(struct sy_txq *q, sy_txq_send_fn send, void *arg)
{
	*q = (struct sy_txq){ .port_id = UINT16_MAX, .send = send, .send_arg = arg };
}

void
sy_txq_flush(struct sy_txq *q)
{
	uint16_t sent = 0;
	unsigned int tries = 0;

	if (q->n == 0)
		return;
	if (q->observe != NULL)
		q->observe(q->observe_arg, q->pkts, q->n);
	for (uint16_t i = 0; i < q->n; i++)
		q->tx_bytes += rte_pktmbuf_pkt_len(q->pkts[i]);
	while (sent < q->n && tries++ <= TXQ_FULL_RETRIES)
		sent += q->send(q, q->pkts + sent, q->n - sent);
	q->tx_pkts += sent;
	for (uint16_t i = sent; i < q->n; i++) {
		q->tx_bytes -= rte_pktmbuf_pkt_len(q->pkts[i]);
		rte_pktmbuf_free(q->pkts[i]);
		q->tx_drop_full++;
	}
	q->n = 0;
}
