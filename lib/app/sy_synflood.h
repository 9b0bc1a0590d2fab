/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * A SYN flood, for testing the defence against one (RFC 4987) on links the test owns:
 * SYN segments from spoofed source addresses and ports, paced or as fast as the worker
 * can build them, that never complete a handshake. It runs on a worker next to a load
 * generator, so legitimate connections can be measured during the flood.
 */
#ifndef SY_SYNFLOOD_H
#define SY_SYNFLOOD_H

#include <stdint.h>
#include <rte_byteorder.h>
#include <rte_mempool.h>

#include "sy_clock.h"
#include "sy_net.h"

struct sy_synflood_conf {
	rte_be32_t dst_ip;
	rte_be16_t dst_port;
	rte_be32_t src_first;       /**< spoofed sources: src_first .. src_first+src_count-1 */
	uint32_t src_count;
	uint64_t rate;              /**< SYNs per second; 0: a burst every poll */
	uint64_t seed;
};

#define SY_SYNFLOOD_STATS(X) \
	X(syns_sent) \
	X(no_mbuf)

struct sy_synflood_stats {
#define SY_SYNFLOOD_FIELD(name) uint64_t name;
	SY_SYNFLOOD_STATS(SY_SYNFLOOD_FIELD)
#undef SY_SYNFLOOD_FIELD
};

extern const char *const sy_synflood_stats_names[];
extern const uint32_t sy_synflood_stats_count;

struct sy_synflood {
	struct sy_synflood_conf conf;
	struct sy_net *net;
	struct rte_mempool *pool;
	const struct sy_clock *clock;
	uint64_t last_us;
	uint64_t credit;            /**< SYNs owed, in millionths */
	uint64_t rng;
	struct sy_synflood_stats stats;
};

/** Prepares a flood from one worker (nothing is allocated). */
void sy_synflood_init(struct sy_synflood *f, const struct sy_synflood_conf *conf,
		      struct sy_net *net, struct rte_mempool *pool, const struct sy_clock *clock);

/** Sends the SYNs due now (call once per loop iteration). */
void sy_synflood_poll(struct sy_synflood *f);

#endif /* SY_SYNFLOOD_H */
