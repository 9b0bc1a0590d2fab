/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Counters of every layer, per lcore, summed on demand.
 *
 * Each lcore keeps its own counters inside the layers it owns (struct sy_net_stats,
 * struct sy_tcp_stats, struct sy_txq, the worker's rx counters); nothing is shared or
 * atomic on the packet path. At start-up, before the workers run, the main lcore registers
 * where each lcore's counter blocks live. Readers (telemetry, the progress line, the summary
 * at exit) then sum them: a 64-bit aligned load on x86-64 and arm64 is never torn, and a
 * total that is a few packets behind is fine for a counter.
 *
 * Telemetry: /synack/stats (all counters summed), /synack/stats,<slot> (one slot), /synack/slots (slot labels),
 * readable with dpdk-telemetry.py against a running synack.
 */
#ifndef SY_STATS_H
#define SY_STATS_H

#include <stdint.h>
#include <stdio.h>

#define SY_STATS_MAX_SLOTS 128     /**< lcores (or stack instances x lcores) */
#define SY_STATS_MAX_GROUPS 8      /**< counter blocks per slot */

/** A block of uint64_t counters and their names. */
struct sy_stats_group {
	const char *prefix;            /**< "net", "tcp", "port" ...: the key is prefix.name */
	const char *const *names;
	uint32_t n;
	const uint64_t *values;        /**< n consecutive counters, owned by one lcore */
};

struct sy_stats_slot {
	char label[32];                /**< e.g. "server/lcore1" */
	uint32_t n_groups;
	struct sy_stats_group groups[SY_STATS_MAX_GROUPS];
};

/** The registry: written at start-up only, read at any time by any thread. */
struct sy_stats {
	uint32_t n_slots;
	struct sy_stats_slot slots[SY_STATS_MAX_SLOTS];
};

/** Adds a slot; returns its index or -ENOSPC. */
int sy_stats_add_slot(struct sy_stats *s, const char *label);

/** Adds a counter block to slot @p slot; 0, -EINVAL, -ENOSPC. */
int sy_stats_add_group(struct sy_stats *s, int slot, const char *prefix,
		       const char *const *names, uint32_t n, const uint64_t *values);

/** The sum over all slots of counter "prefix.name"; 0 when unknown. */
uint64_t sy_stats_sum(const struct sy_stats *s, const char *key);

/** Calls @p fn for every counter name (prefix.name) with its sum over @p slot (-1 = all). */
void sy_stats_foreach(const struct sy_stats *s, int slot,
		      void (*fn)(void *arg, const char *key, uint64_t value), void *arg);

/** Prints every non-zero counter summed over all slots, one "key value" per line. */
void sy_stats_print(const struct sy_stats *s, FILE *f);

/** Writes every counter summed over all slots as one JSON object. */
void sy_stats_json(const struct sy_stats *s, FILE *f);

/**
 * Registers the telemetry endpoints for @p s (one registry per process; @p s must stay
 * valid until exit). 0 or a negative errno.
 */
int sy_stats_telemetry_register(const struct sy_stats *s);

/** Names of the counters of struct sy_net_stats, struct sy_tcp_stats and struct sy_txq. */
extern const char *const sy_stats_net_names[];
extern const uint32_t sy_stats_net_count;
extern const char *const sy_stats_tcp_names[];
extern const uint32_t sy_stats_tcp_count;

#endif /* SY_STATS_H */
