/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Per-lcore flow tables and the index arena that holds connection blocks.
 *
 * - struct sy_flow_table maps a TCP 4-tuple to a 32-bit value (a connection index). It is
 *   owned by one lcore, the only thread that reads or writes it: the architecture's
 *   lock-free per-core connection table, with no locks because nothing in it is shared.
 *   Open addressing, linear probing, 16-byte slots (key + value), 24 bytes per entry of
 *   capacity; see lib/flow/sy_flow_table.c.
 * - struct sy_listen_table maps (local address, port) to a listener; address 0 is the
 *   wildcard, and an exact address wins over the wildcard.
 * - struct sy_arena hands out fixed-size blocks by 32-bit index from one preallocated,
 *   contiguous region (stride bytes per block, no per-block header; the free list is
 *   kept inside the free blocks), so that owners store 4-byte indices instead of 8-byte pointers and can turn
 *   an index into a pointer with one multiply-add.
 *
 * Keys and addresses are in network byte order. Errors are negative errno values.
 *
 * Flow-table values are below UINT32_MAX, which the table reserves to mark empty slots:
 * insert, insert_absent and update refuse it with -EINVAL.
 *
 * A flow table's name is at most 21 characters and an arena's at most 25; a longer name
 * fails with ENAMETOOLONG. A flow table's name only tags its EAL heap allocations (as the
 * rte_malloc type, seen in heap dumps): it need not be unique.
 */
#ifndef SY_FLOW_H
#define SY_FLOW_H

#include <stdint.h>
#include <stddef.h>
#include <rte_byteorder.h>
#include <rte_common.h>

/** A TCP connection as seen from our side. 12 bytes, no padding. */
struct sy_flow_key {
	rte_be32_t local_ip;
	rte_be32_t remote_ip;
	rte_be16_t local_port;
	rte_be16_t remote_port;
} __rte_packed;

struct sy_flow_table;

/**
 * @param name      at most 21 characters; tags the table's heap allocations, need not be
 *                  unique
 * @param capacity  entries (1 .. 2^30); insert returns -ENOSPC at exactly this many
 *                  entries. Memory: 16 bytes x (ceil(capacity x 3/2) + 1, rounded up to 4),
 *                  plus a header.
 * @param socket    NUMA socket of the memory, or SOCKET_ID_ANY
 * @return the table, or NULL with rte_errno set (EINVAL, ENAMETOOLONG, ENOMEM)
 */
struct sy_flow_table *sy_flow_table_create(const char *name, uint32_t capacity, int socket);
void sy_flow_table_free(struct sy_flow_table *t);

/** 0 and *value set when found, -ENOENT otherwise. */
int sy_flow_lookup(const struct sy_flow_table *t, const struct sy_flow_key *key, uint32_t *value);

/** Most keys sy_flow_lookup_bulk() takes at once. */
#define SY_FLOW_BULK_MAX 64

/**
 * Looks up @p n (<= SY_FLOW_BULK_MAX) keys at once: every key's first two slot lines
 * are prefetched before any is probed, so the cache misses of a burst overlap instead of
 * adding up. values[i] is set for each bit i of the returned hit mask (and only those);
 * n == 0 or n > SY_FLOW_BULK_MAX returns 0.
 */
uint64_t sy_flow_lookup_bulk(const struct sy_flow_table *t, const struct sy_flow_key **keys,
			     unsigned int n, uint32_t *values);

/**
 * 0; -EEXIST when the key is present (even when full); -ENOSPC when the table is full;
 * -EINVAL for value UINT32_MAX.
 */
int sy_flow_insert(struct sy_flow_table *t, const struct sy_flow_key *key, uint32_t value);

/**
 * sy_flow_insert() for a key the caller knows to be absent: it looked the key up (or
 * removed it) on this lcore, with no insert since. Kept for that caller's intent; it costs
 * what sy_flow_insert() costs (one probe serves both checks). With a present key the
 * entry's value is replaced (never a second entry) and 0 returned.
 * @return 0; -ENOSPC when the table is full and the key absent; -EINVAL for UINT32_MAX.
 */
int sy_flow_insert_absent(struct sy_flow_table *t, const struct sy_flow_key *key,
			  uint32_t value);

/**
 * Replaces the value of a present key in place (one store), e.g. a connection handing
 * its tuple to a TIME-WAIT record without a remove and a re-insert.
 * @return 0; -ENOENT when absent (nothing inserted); -EINVAL for value UINT32_MAX.
 */
int sy_flow_update(struct sy_flow_table *t, const struct sy_flow_key *key, uint32_t value);

/** 0; -ENOENT when absent. */
int sy_flow_remove(struct sy_flow_table *t, const struct sy_flow_key *key);

/** Entries present. O(1). */
uint32_t sy_flow_count(const struct sy_flow_table *t);
uint32_t sy_flow_capacity(const struct sy_flow_table *t);

struct sy_listen_table;

/**
 * Listener table, used by its owning lcore only (no reader protocol).
 * @param capacity  listeners (1 .. 2^20); add returns -ENOSPC beyond it
 * @return the table, or NULL with rte_errno set (EINVAL, ENOMEM)
 */
struct sy_listen_table *sy_listen_table_create(const char *name, uint32_t capacity, int socket);
void sy_listen_table_free(struct sy_listen_table *t);

/** @p ip 0 is the wildcard. 0, -EEXIST, -ENOSPC. */
int sy_listen_add(struct sy_listen_table *t, rte_be32_t ip, rte_be16_t port, uint32_t value);
int sy_listen_remove(struct sy_listen_table *t, rte_be32_t ip, rte_be16_t port);

/** Exact (ip, port) first, then (0, port). 0 and *value set, or -ENOENT. */
int sy_listen_lookup(const struct sy_listen_table *t, rte_be32_t ip, rte_be16_t port,
		     uint32_t *value);

struct sy_arena;

/**
 * @param elt_size  block size in bytes (rounded up to 8); blocks are sy_arena_view()->stride
 *                  apart: the size rounded up to a power of two when it is at most 32 bytes
 *                  (no block straddles a cache line), else to a cache line (blocks are
 *                  cache-line aligned). Memory: count x stride bytes.
 * @param count     number of blocks (1 .. 2^30 - 1)
 * @return the arena, or NULL with rte_errno set (EINVAL, ENAMETOOLONG, ENOMEM)
 */
struct sy_arena *sy_arena_create(const char *name, size_t elt_size, uint32_t count, int socket);
void sy_arena_free(struct sy_arena *a);

/** 0 and *idx set to a zeroed block's index; -ENOMEM when every block is in use. */
int sy_arena_alloc(struct sy_arena *a, uint32_t *idx);

/** Returns block @p idx to the arena, which then owns its first 4 bytes (its free-list
 * link) until the block is handed out again, zeroed. */
void sy_arena_put(struct sy_arena *a, uint32_t idx);

/** Blocks handed out and not yet returned. */
uint32_t sy_arena_in_use(const struct sy_arena *a);
uint32_t sy_arena_capacity(const struct sy_arena *a);

/* Hot and tiny: index <-> pointer, inline. The layout is public for that reason only. */
struct sy_arena_view {
	uint8_t *base;
	size_t stride;
};

const struct sy_arena_view *sy_arena_view(const struct sy_arena *a);

static inline void *
sy_arena_ptr(const struct sy_arena_view *v, uint32_t idx)
{
	return v->base + (size_t)idx * v->stride;
}

static inline uint32_t
sy_arena_idx(const struct sy_arena_view *v, const void *p)
{
	return (uint32_t)(((const uint8_t *)p - v->base) / v->stride);
}

#endif /* SY_FLOW_H */
