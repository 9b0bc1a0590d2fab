/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * The per-lcore run-to-completion loop.
 *
 * A worker owns one rx/tx queue pair of one port and everything above it: its clock, its
 * net layer (ARP table, counters), its TCP engine (connections, timers) and its tx batch.
 * One iteration: read the clock once, receive a burst, hand each frame up (net, then TCP),
 * run due timers, let the application do its per-iteration work (open connections, send),
 * flush the tx batch as one burst. No locks, no atomics, no shared writable state: the
 * only thing another thread writes is the stop flag, once.
 */
#ifndef SY_WORKER_H
#define SY_WORKER_H

#include <stdbool.h>
#include <stdint.h>
#include <rte_mbuf.h>

#include "sy_capture.h"
#include "sy_clock.h"
#include "sy_net.h"
#include "sy_tcp.h"
#include "sy_txq.h"

#define SY_WORKER_RX_BURST 32
#define SY_WORKER_MAX_PEERS 63

/** Loop counters (per worker). */
#define SY_WORKER_STATS(X) \
	X(rx_frames) \
	X(rx_bytes) \
	X(rx_bursts)       /* non-empty bursts */ \
	X(loops) \
	X(busy_cycles)     /* TSC cycles spent in iterations that received or sent */ \
	X(tx_frames)       /* mirrors of the txq counters, for one stats group */ \
	X(tx_bytes) \
	X(tx_drop_full) \
	X(arp_shared)      /* ARP replies copied to the other workers of the port */ \
	X(arp_share_drop)  /* copies lost: no mbuf, or a peer's inbox full */ \
	X(arp_from_peers)  /* ARP replies received from the other workers */

struct sy_worker_stats {
#define SY_WORKER_STATS_FIELD(name) uint64_t name;
	SY_WORKER_STATS(SY_WORKER_STATS_FIELD)
#undef SY_WORKER_STATS_FIELD
};

extern const char *const sy_worker_stats_names[];
extern const uint32_t sy_worker_stats_count;

struct sy_worker;

/** Per-iteration hook of the application running on this worker. */
typedef void (*sy_worker_app_fn)(void *app, struct sy_worker *w);

struct sy_worker {
	uint16_t port_id;
	uint16_t queue_id;
	struct sy_clock clock;
	struct sy_txq txq;
	struct sy_net *net;
	struct sy_tcp *tcp;              /**< NULL: packet path only (ARP, ICMP) */
	struct rte_mempool *pool;
	sy_worker_app_fn app_poll;       /**< NULL: none */
	void *app;
	const volatile bool *stop;       /**< set once by the main thread to end the loop */
	uint64_t rx_limit;               /**< stop after this many frames (0: no limit) */
	/*
	 * With RSS, ARP frames are not hashed and arrive on queue 0 only, yet every worker
	 * resolves its own next hops. So a worker that receives an ARP reply hands a copy to
	 * each other worker of the port through that worker's inbox (a ring with one
	 * consumer), and each worker learns from its inbox once per iteration. Requests are
	 * not shared: only the receiving worker answers them.
	 */
	struct rte_ring *arp_inbox;      /**< copies from peers; NULL with one worker */
	uint16_t n_arp_peers;
	struct rte_ring *arp_peers[SY_WORKER_MAX_PEERS];
	struct sy_capture *capture;      /**< first frames to pcapng; NULL when off */
	struct sy_worker_stats stats;
};

/**
 * Hands received frames up the stack (what one iteration does with a burst); tests call it
 * directly to feed frames without a port.
 */
void sy_worker_input(struct sy_worker *w, struct rte_mbuf **pkts, uint16_t n);

/** Feeds the ARP replies other workers shared with this one into its net layer. */
void sy_worker_arp_inbox(struct sy_worker *w);

/** Runs one iteration of the loop; returns the number of frames received. */
uint16_t sy_worker_iterate(struct sy_worker *w);

/** Runs the loop until *w->stop or the rx limit; an rte_eal_remote_launch function. */
int sy_worker_main(void *w);

#endif /* SY_WORKER_H */
