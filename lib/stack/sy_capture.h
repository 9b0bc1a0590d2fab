/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Capture of the first frames a worker receives and sends, written as pcapng (DPDK's
 * rte_pcapng) that Wireshark opens.
 *
 * Each worker keeps copies of its first @c limit received and sent frames (copies from a
 * capture pool, so the live frames are untouched) and nothing after that: one compare per
 * burst once the capture is full. The file is written after the loops stop, so no worker
 * ever waits on the disk.
 */
#ifndef SY_CAPTURE_H
#define SY_CAPTURE_H

#include <stdint.h>
#include <rte_mbuf.h>

struct sy_capture {
	uint16_t port_id;
	uint16_t queue_id;
	uint32_t limit;               /**< frames per worker, rx and tx together */
	uint32_t n;
	uint64_t dropped;             /**< copies that found no mbuf in the capture pool */
	struct rte_mempool *pool;
	struct rte_mbuf **frames;     /**< limit entries */
};

/**
 * Prepares a capture of @p limit frames for one worker.
 * @return 0, or -ENOMEM.
 */
int sy_capture_init(struct sy_capture *c, uint16_t port_id, uint16_t queue_id, uint32_t limit,
		    int socket);

/** Copies frames received on the worker's queue while the capture has room. */
void sy_capture_rx(struct sy_capture *c, struct rte_mbuf **pkts, uint16_t n, uint64_t tsc);

/** A struct sy_txq observe hook: copies frames about to be sent. */
void sy_capture_tx(void *capture, struct rte_mbuf **pkts, uint16_t n);

/**
 * Writes the captures of @p n workers to @p path (pcapng) and frees what they hold.
 * @return frames written, or a negative errno.
 */
int sy_capture_write(const char *path, struct sy_capture *const *captures, unsigned int n);

/** Frees what a capture holds without writing it. */
void sy_capture_free(struct sy_capture *c);

#endif /* SY_CAPTURE_H */
