/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Per-lcore transmit batch.
 *
 * Every layer that emits a frame pushes it here; the lcore's loop flushes the batch once
 * per iteration (or when it fills) with one tx burst. The flush goes through a function
 * pointer so that tests can put a fake wire where the NIC would be: the packet-level tests
 * capture exactly what the stack emits without a PMD. The indirect call costs one branch per
 * burst, not per packet.
 *
 * A txq is owned by one lcore; nothing here is thread safe and nothing needs to be.
 */
#ifndef SY_TXQ_H
#define SY_TXQ_H

#include <stdint.h>
#include <rte_mbuf.h>

#define SY_TXQ_BURST 32

struct sy_txq;

/**
 * Sends up to @p n frames; returns how many were taken. Frames not taken stay owned by
 * the caller (sy_txq_flush() frees and counts them).
 */
typedef uint16_t (*sy_txq_send_fn)(struct sy_txq *q, struct rte_mbuf **pkts, uint16_t n);

struct sy_txq {
	uint16_t port_id;
	uint16_t queue_id;
	uint16_t n;                          /**< frames waiting in pkts[] */
	sy_txq_send_fn send;                 /**< rte_eth_tx_burst, or a test's fake wire */
	void *send_arg;                      /**< for fake wires */
	uint64_t tx_pkts;                    /**< frames the device took */
	uint64_t tx_bytes;
	uint64_t tx_drop_full;               /**< frames the device refused (queue full) */
	/** Optional: sees every frame about to be sent (packet capture); NULL when off. */
	void (*observe)(void *arg, struct rte_mbuf **pkts, uint16_t n);
	void *observe_arg;
	struct rte_mbuf *pkts[SY_TXQ_BURST];
};

/** Initialise @p q to send on an ethdev port and queue with rte_eth_tx_burst. */
void sy_txq_init_eth(struct sy_txq *q, uint16_t port_id, uint16_t queue_id);

/** Initialise @p q to hand frames to @p send (a fake wire); @p arg lands in q->send_arg. */
void sy_txq_init_fn(struct sy_txq *q, sy_txq_send_fn send, void *arg);

/**
 * Sends every waiting frame. A device that refuses frames gets them offered again a
 * bounded number of times; what it still refuses is freed and counted in tx_drop_full.
 */
void sy_txq_flush(struct sy_txq *q);

/** Queues one frame for the next flush; flushes first if the batch is full. */
static inline void
sy_txq_push(struct sy_txq *q, struct rte_mbuf *m)
{
	if (q->n == SY_TXQ_BURST)
		sy_txq_flush(q);
	q->pkts[q->n++] = m;
}

#endif /* SY_TXQ_H */
