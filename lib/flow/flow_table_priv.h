/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Internal hooks into the connection table (sy_flow_table.c) for tests/unit/flow and
 * bench/flow only: where a key's probe run starts, the table's invariants, probe-length
 * statistics, and a table sized with an explicit slot count. Not a public contract;
 * product code includes sy_flow.h only.
 */
#ifndef SY_FLOW_TABLE_PRIV_H
#define SY_FLOW_TABLE_PRIV_H

#include <stdint.h>

#include "sy_flow.h"

/** Slots in the table's array (more than its capacity). */
uint32_t sy_flow_table_nslots(const struct sy_flow_table *t);

/** The slot where @p key's probe run starts (0 .. nslots - 1), present or not. */
uint32_t sy_flow_table_home(const struct sy_flow_table *t, const struct sy_flow_key *key);

/** The slot holding @p key, or -ENOENT. */
int64_t sy_flow_table_slot_of(const struct sy_flow_table *t, const struct sy_flow_key *key);

/**
 * Probe lengths over the whole table, in slots and in 64-byte lines touched; a probe
 * includes the slot that ends it (the key's, or the empty one).
 */
struct sy_flow_probe_stats {
	uint32_t entries;        /**< occupied slots */
	uint32_t max_displacement; /**< farthest entry from its home slot, in slots */
	double hit_slots;        /**< mean over entries */
	double hit_lines;
	double miss_slots;       /**< mean over every home slot */
	double miss_lines;
};

/**
 * Checks the linear-probing invariant: every entry is reachable from its home slot
 * without crossing an empty slot, no key is stored twice (as far as lookups can tell:
 * each entry is the first match on its own probe path), and the occupied slots number
 * sy_flow_count(). Fills @p st when it is not NULL.
 * @return 0; -EFAULT at the first violation.
 */
int sy_flow_table_check(const struct sy_flow_table *t, struct sy_flow_probe_stats *st);

/**
 * sy_flow_table_create() with @p nslots slots (> capacity, a multiple of 4) instead of
 * the default load factor, to measure other load factors.
 */
struct sy_flow_table *sy_flow_table_create_slots(const char *name, uint32_t capacity,
						 uint32_t nslots, int socket);

#endif /* SY_FLOW_TABLE_PRIV_H */
