/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * A fault-injecting virtual link between two synack stack instances in one process.
 *
 * Each end of the wire is a struct sy_txq whose send function hands the frames to the
 * wire (sy_wire_attach()); the other end takes them out with sy_wire_deliver() when they
 * are due and feeds them to its sy_net_input(). On the way, every frame may be dropped,
 * duplicated, held back (reordered: released after N later frames or T microseconds),
 * delayed (a fixed one-way delay) or corrupted (one byte of the IPv4 header or TCP
 * segment flipped: the receiver's checksum validation must catch it) at configured rates.
 *
 * Every decision comes from a small PRNG (xoshiro256** seeded by splitmix64) per
 * direction, seeded from the configuration, and time only from the given clock, so a run
 * with the same seed and the same traffic does the same thing. Counters say what was done.
 *
 * The wire belongs to the thread that drives both stacks; nothing here is thread safe.
 */
#ifndef SY_WIRE_H
#define SY_WIRE_H

#include <stdint.h>
#include <rte_mbuf.h>

#include "sy_clock.h"
#include "sy_txq.h"

/** Rates are in parts per million of frames offered to a direction. */
struct sy_wire_conf {
	uint64_t seed;               /**< PRNG seed; direction d uses seed ^ d */
	uint32_t drop_ppm;           /**< frames lost */
	uint32_t dup_ppm;            /**< frames delivered twice (a copy follows the frame) */
	uint32_t reorder_ppm;        /**< frames held back */
	uint32_t reorder_frames;     /**< a held frame goes after this many later frames... */
	uint32_t reorder_us;         /**< ...or this long after it was sent, what comes first */
	uint32_t corrupt_ppm;        /**< frames with one byte flipped past the Ethernet header */
	uint32_t delay_us;           /**< one-way delay of every frame */
	uint32_t queue_len;          /**< frames in flight per direction; 0: 65536 */
};

/** Defaults: a clean wire (no faults), 10 us delay, reorder after 3 frames or 1 ms. */
void sy_wire_conf_defaults(struct sy_wire_conf *conf);

#define SY_WIRE_STATS(X) \
	X(offered)                 /* frames the sending stack handed over */ \
	X(delivered)               /* frames sy_wire_deliver() handed out */ \
	X(bytes_delivered) \
	X(dropped)                 /* lost on purpose (drop_ppm) */ \
	X(duplicated)              /* extra copies made (dup_ppm) */ \
	X(reordered)               /* frames held back (reorder_ppm) */ \
	X(corrupted)               /* frames with a byte flipped (corrupt_ppm) */ \
	X(drop_queue_full)         /* in-flight queue at queue_len */ \
	X(drop_no_mbuf)            /* no mbuf for a duplicate */

struct sy_wire_stats {
#define SY_WIRE_STATS_FIELD(name) uint64_t name;
	SY_WIRE_STATS(SY_WIRE_STATS_FIELD)
#undef SY_WIRE_STATS_FIELD
};

struct sy_wire;

/**
 * Creates a wire. @p clock is read (never moved) at every send and deliver.
 * @return the wire, or NULL with rte_errno set (EINVAL, ENOMEM)
 */
struct sy_wire *sy_wire_create(const struct sy_wire_conf *conf, const struct sy_clock *clock,
			       int socket);

/** Frees the wire and every frame still on it. */
void sy_wire_free(struct sy_wire *w);

/** Makes @p q (end @p end, 0 or 1) send into the wire towards the other end. */
void sy_wire_attach(struct sy_wire *w, int end, struct sy_txq *q);

/**
 * Takes up to @p max frames that have arrived at end @p end by now (oldest first); the
 * caller owns them. Frames arrive with ol_flags cleared, as from a NIC that checks nothing.
 * @return number of frames in @p out
 */
uint16_t sy_wire_deliver(struct sy_wire *w, int end, struct rte_mbuf **out, uint16_t max);

/** Frames on their way to end @p end (queued or held). */
uint32_t sy_wire_in_flight(const struct sy_wire *w, int end);

/** Earliest time (us) a frame bound for @p end becomes deliverable; UINT64_MAX if none. */
uint64_t sy_wire_next_due(const struct sy_wire *w, int end);

/** Counters of the direction towards end @p end. */
const struct sy_wire_stats *sy_wire_stats(const struct sy_wire *w, int end);

/** Changes the fault rates on the fly (the PRNG state is kept). */
void sy_wire_set_conf(struct sy_wire *w, const struct sy_wire_conf *conf);

/** The PRNG, exposed for tests and benchmarks: splitmix64 seeding, xoshiro256**. */
struct sy_wire_rng {
	uint64_t s[4];
};
void sy_wire_rng_seed(struct sy_wire_rng *r, uint64_t seed);
uint64_t sy_wire_rng_next(struct sy_wire_rng *r);

#endif /* SY_WIRE_H */
