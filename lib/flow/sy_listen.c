/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The per-lcore listener table: (local address, local port) -> listener value, consulted
 * for every SYN that matches no connection (RFC 9293 3.10.7.2, LISTEN state).
 *
 * Design. Listeners are few (tens), so an open-addressing array with linear probing is
 * enough and stays in a handful of cache lines: 2 x capacity slots rounded up to a power
 * of two, so the load never exceeds 50% and a probe always meets an empty slot. Removal
 * shifts later entries of the probe run back (no tombstones), so lookups never slow down
 * after churn. A lookup probes the exact (ip, port) first, then the wildcard (0, port).
 * Used by the owning lcore only; there is no reader protocol here.
 */
#include "sy_flow.h"

#include <errno.h>
#include <rte_errno.h>
#include <rte_hash_crc.h>
#include <rte_malloc.h>

#define LISTEN_CAPACITY_MAX (1u << 20)

struct listen_slot {
	rte_be32_t ip;
	rte_be16_t port;
	uint8_t used;
	uint32_t value;
};

struct sy_listen_table {
	uint32_t mask;
	uint32_t capacity;
	uint32_t count;
	struct listen_slot slots[];
};

static inline uint32_t
listen_home(const struct sy_listen_table *t, rte_be32_t ip, rte_be16_t port)
{
	uint64_t k = ((uint64_t)ip << 16) | port;

	return rte_hash_crc_8byte(k, 0) & t->mask;
}

/* Index of (ip, port) if present, else -(index of the empty slot ending its run) - 1. */
static int64_t
listen_find(const struct sy_listen_table *t, rte_be32_t ip, rte_be16_t port)
{
	uint32_t i = listen_home(t, ip, port);

	while (t->slots[i].used) {
		if (t->slots[i].ip == ip && t->slots[i].port == port)
			return i;
		i = (i + 1) & t->mask;
	}
	return -(int64_t)i - 1;
}

struct sy_listen_table *
sy_listen_table_create(const char *name, uint32_t capacity, int socket)
{
	if (capacity == 0 || capacity > LISTEN_CAPACITY_MAX) {
		rte_errno = EINVAL;
		return NULL;
	}
	uint32_t nslots = rte_align32pow2(RTE_MAX(2 * capacity, 8u));
	struct sy_listen_table *t = rte_zmalloc_socket(name,
		sizeof(*t) + (size_t)nslots * sizeof(t->slots[0]), RTE_CACHE_LINE_SIZE, socket);

	if (t == NULL) {
		rte_errno = ENOMEM;
		return NULL;
	}
	t->mask = nslots - 1;
	t->capacity = capacity;
	return t;
}

void
sy_listen_table_free(struct sy_listen_table *t)
{
	rte_free(t);
}

int
sy_listen_add(struct sy_listen_table *t, rte_be32_t ip, rte_be16_t port, uint32_t value)
{
	int64_t pos = listen_find(t, ip, port);

	if (pos >= 0)
		return -EEXIST;
	if (t->count >= t->capacity)
		return -ENOSPC;
	struct listen_slot *s = &t->slots[-pos - 1];

	s->ip = ip;
	s->port = port;
	s->value = value;
	s->used = 1;
	t->count++;
	return 0;
}

/* Is @p k cyclically in (hole, j]? Then the entry at j may not move into the hole. */
static inline int
listen_stays(uint32_t hole, uint32_t k, uint32_t j)
{
	if (hole <= j)
		return hole < k && k <= j;
	return hole < k || k <= j;
}

int
sy_listen_remove(struct sy_listen_table *t, rte_be32_t ip, rte_be16_t port)
{
	int64_t pos = listen_find(t, ip, port);

	if (pos < 0)
		return -ENOENT;
	uint32_t hole = (uint32_t)pos;
	uint32_t j = hole;

	/* backward-shift deletion: keep every later entry of the run reachable */
	for (;;) {
		j = (j + 1) & t->mask;
		if (!t->slots[j].used)
			break;
		uint32_t k = listen_home(t, t->slots[j].ip, t->slots[j].port);

		if (listen_stays(hole, k, j))
			continue;
		t->slots[hole] = t->slots[j];
		hole = j;
	}
	t->slots[hole].used = 0;
	t->count--;
	return 0;
}

int
sy_listen_lookup(const struct sy_listen_table *t, rte_be32_t ip, rte_be16_t port,
		 uint32_t *value)
{
	int64_t pos = listen_find(t, ip, port);

	if (pos < 0 && ip != 0)
		pos = listen_find(t, 0, port);
	if (pos < 0)
		return -ENOENT;
	*value = t->slots[pos].value;
	return 0;
}
