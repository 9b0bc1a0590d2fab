/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The per-lcore connection table: TCP 4-tuple (struct sy_flow_key, 12 bytes) -> 32-bit
 * connection index.
 *
 * Design. One rte_hash per lcore: cuckoo hashing, 8-entry buckets, rte_hash_crc over the
 * 12-byte key (one crc32 of 8 bytes and one of 4 with SSE4.2). Flags:
 *  - RW_CONCURRENCY_LF: the owning lcore writes without locks; other threads (telemetry)
 *    read without locks, and a cuckoo move never hides a present key from them (rte_hash
 *    re-reads its table change counter and retries).
 *  - EXT_TABLE: a full bucket pair chains into extendable buckets (as many as main
 *    buckets), so an insert fails only when all `capacity` key slots are taken, never
 *    earlier because of an unlucky bucket (plain cuckoo starts rejecting near 95% load).
 * The value lives in rte_hash's data pointer (cast through uintptr_t): a hit touches the
 * bucket line(s) and the key slot, never a third array.
 *
 * Slot reuse. Lock-free mode implies NO_FREE_ON_DEL: a deleted key's slot must not be
 * rewritten while a reader may still be comparing it, or that reader could return the
 * next key's value. Each table owns an RCU QSBR variable (SY_FLOW_READERS_MAX readers)
 * and frees slots itself with rte_hash_free_key_with_position() after a grace period.
 * Removed positions go to a FIFO; every FLOW_BATCH removals close a batch with ONE QSBR
 * token (rte_rcu_qsbr_start, the only atomic read-modify-write here) and batches whose
 * token every registered reader has passed are freed, oldest first. An insert that finds
 * no free slot closes the open batch and reclaims before giving up, so with no reader
 * registered, remove-then-insert at full capacity always succeeds. The FIFO holds every
 * slot, so a removal can never fail to queue and leak one.
 * We do not use rte_hash_rcu_qsbr_add(RTE_HASH_QSBR_MODE_DQ): it takes a token and does
 * a multi-producer ring enqueue plus a reclaim attempt on every delete, which measured
 * 150-220 ns per delete against ~70 ns here (bench_flow), and its queue costs 16 B/slot.
 * sy_flow_count() is our own counter: rte_hash_count() also counts slots in their grace.
 *
 * Memory: 36 B per entry (key store 32, ext-bucket bookkeeping 4) plus ~27 B per slot of
 * capacity rounded up to a power of two (buckets 8, extendable buckets 8, free-slot ring 4,
 * our FIFO 4, batch tokens 2, ext-bucket ring ~1): 64 B per entry at 1M, 81 B at 10M,
 * as bench_flow measures from the EAL heap.
 */
#include "sy_flow.h"

#include <errno.h>
#include <string.h>
#include <rte_branch_prediction.h>
#include <rte_errno.h>
#include <rte_hash.h>
#include <rte_hash_crc.h>
#include <rte_malloc.h>
#include <rte_rcu_qsbr.h>

/*
 * rte_hash names its extendable-bucket ring "HT_EXT_<name>" inside a 29-byte ring name: only
 * 21 characters of ours survive, and two tables sharing them would collide.
 */
#define FLOW_NAME_MAX 21

/* rte_hash's bucket width (internal to rte_cuckoo_hash.h); its minimum size is one bucket */
#define FLOW_HASH_MIN_ENTRIES 8u

/* Removals per QSBR token: amortises the token's atomic increment. */
#define FLOW_BATCH 64

struct flow_batch {
	uint64_t token;     /* rte_rcu_qsbr_start() after the batch's last removal */
	uint32_t end;       /* FIFO index one past the batch's last position */
};

struct sy_flow_table {
	struct rte_hash *h;
	struct rte_rcu_qsbr *qsbr;
	uint32_t capacity;
	uint32_t count;     /* owner writes; other threads read it with a relaxed load */
	/* removed positions waiting for a grace period: [tail, open) tokened, [open, head) not */
	int32_t *fifo;
	uint32_t fifo_mask, head, open, tail;
	struct flow_batch *batches;
	uint32_t batch_mask, batch_head, batch_tail;
};

static struct rte_rcu_qsbr *
flow_qsbr_create(const char *name, int socket)
{
	size_t sz = rte_rcu_qsbr_get_memsize(SY_FLOW_READERS_MAX);
	struct rte_rcu_qsbr *v = rte_zmalloc_socket(name, sz, RTE_CACHE_LINE_SIZE, socket);

	if (v == NULL)
		return NULL;
	if (rte_rcu_qsbr_init(v, SY_FLOW_READERS_MAX) != 0) {
		rte_free(v);
		return NULL;
	}
	return v;
}

static struct rte_hash *
flow_hash_create(const char *name, uint32_t entries, int socket)
{
	struct rte_hash_parameters p = {
		.name = name,
		.entries = entries,
		.key_len = sizeof(struct sy_flow_key),
		.hash_func = rte_hash_crc,
		.hash_func_init_val = 0,
		.socket_id = socket,
		.extra_flag = RTE_HASH_EXTRA_FLAGS_RW_CONCURRENCY_LF |
			      RTE_HASH_EXTRA_FLAGS_EXT_TABLE,
	};

	return rte_hash_create(&p);
}

/* The FIFO holds every slot (pending <= entries); a batch holds >= 1 position. */
static int
flow_fifo_create(struct sy_flow_table *t, const char *name, uint32_t entries, int socket)
{
	uint32_t nfifo = rte_align32pow2(entries);
	uint32_t nbatch = rte_align32pow2(entries / 8 + 2);

	t->fifo = rte_malloc_socket(name, sizeof(*t->fifo) * (size_t)nfifo, 0, socket);
	t->batches = rte_malloc_socket(name, sizeof(*t->batches) * (size_t)nbatch, 0, socket);
	if (t->fifo == NULL || t->batches == NULL)
		return -ENOMEM;
	t->fifo_mask = nfifo - 1;
	t->batch_mask = nbatch - 1;
	return 0;
}

/*
 * Key slots to ask rte_hash for. Our counter enforces `capacity`; up to 2 batches of
 * slack, when they fit under the power of two that sizes the buckets anyway, keep the
 * slots in their grace period out of the way: a full table then replaces a connection
 * without the failed-insert-then-reclaim path (347 -> 150 ns per remove+insert at 1M).
 */
static uint32_t
flow_slots(uint32_t capacity)
{
	uint32_t pow2 = rte_align32pow2(RTE_MAX(capacity, FLOW_HASH_MIN_ENTRIES));

	return RTE_MIN(pow2, RTE_MAX(capacity, FLOW_HASH_MIN_ENTRIES) + 2 * FLOW_BATCH);
}

struct sy_flow_table *
sy_flow_table_create(const char *name, uint32_t capacity, int socket)
{
	if (name == NULL || capacity == 0 || capacity > RTE_HASH_ENTRIES_MAX) {
		rte_errno = EINVAL;
		return NULL;
	}
	if (strnlen(name, FLOW_NAME_MAX + 1) > FLOW_NAME_MAX) {
		rte_errno = ENAMETOOLONG;
		return NULL;
	}
	uint32_t entries = flow_slots(capacity);
	struct sy_flow_table *t = rte_zmalloc_socket(name, sizeof(*t), RTE_CACHE_LINE_SIZE,
						     socket);
	if (t == NULL) {
		rte_errno = ENOMEM;
		return NULL;
	}
	t->capacity = capacity;
	t->qsbr = flow_qsbr_create(name, socket);
	if (t->qsbr == NULL || flow_fifo_create(t, name, entries, socket) != 0) {
		sy_flow_table_free(t);
		rte_errno = ENOMEM;
		return NULL;
	}
	rte_errno = 0;
	t->h = flow_hash_create(name, entries, socket);
	if (t->h == NULL) {
		int err = rte_errno != 0 ? rte_errno : ENOMEM;

		sy_flow_table_free(t);
		rte_errno = err;
		return NULL;
	}
	return t;
}

void
sy_flow_table_free(struct sy_flow_table *t)
{
	if (t == NULL)
		return;
	rte_hash_free(t->h);
	rte_free(t->batches);
	rte_free(t->fifo);
	rte_free(t->qsbr);
	rte_free(t);
}

/* Gives the untokened removals one grace-period token (unless the batch ring is full). */
static void
flow_batch_close(struct sy_flow_table *t)
{
	if (t->open == t->head || t->batch_head - t->batch_tail > t->batch_mask)
		return;
	struct flow_batch *b = &t->batches[t->batch_head & t->batch_mask];

	b->token = rte_rcu_qsbr_start(t->qsbr);
	b->end = t->head;
	t->batch_head++;
	t->open = t->head;
}

/* Frees the slots of every batch, oldest first, whose grace period is over. */
static void
flow_reclaim(struct sy_flow_table *t)
{
	while (t->batch_tail != t->batch_head) {
		const struct flow_batch *b = &t->batches[t->batch_tail & t->batch_mask];

		if (rte_rcu_qsbr_check(t->qsbr, b->token, false) != 1)
			return;
		for (; t->tail != b->end; t->tail++)
			rte_hash_free_key_with_position(t->h, t->fifo[t->tail & t->fifo_mask]);
		t->batch_tail++;
	}
}

int
sy_flow_lookup(const struct sy_flow_table *t, const struct sy_flow_key *key, uint32_t *value)
{
	void *data;

	if (rte_hash_lookup_data(t->h, key, &data) < 0)
		return -ENOENT;
	*value = (uint32_t)(uintptr_t)data;
	return 0;
}

static int
flow_add(struct sy_flow_table *t, const struct sy_flow_key *key, hash_sig_t sig,
	 uint32_t value)
{
	void *data = (void *)(uintptr_t)value;

	if (t->count >= t->capacity)
		return -ENOSPC;
	int rc = rte_hash_add_key_with_hash_data(t->h, key, sig, data);

	if (unlikely(rc == -ENOSPC && t->tail != t->head)) {
		/* every free slot is in its grace period: end it for those readers allow */
		flow_batch_close(t);
		flow_reclaim(t);
		rc = rte_hash_add_key_with_hash_data(t->h, key, sig, data);
	}
	if (rc < 0)
		return rc == -ENOSPC ? -ENOSPC : -EINVAL;
	__atomic_store_n(&t->count, t->count + 1, __ATOMIC_RELAXED);
	return 0;
}

uint64_t
sy_flow_lookup_bulk(const struct sy_flow_table *t, const struct sy_flow_key **keys,
		    unsigned int n, uint32_t *values)
{
	void *data[SY_FLOW_BULK_MAX];
	uint64_t hits = 0;

	if (n == 0 || n > SY_FLOW_BULK_MAX ||
	    rte_hash_lookup_bulk_data(t->h, (const void **)keys, n, &hits, data) < 0)
		return 0;
	for (uint64_t m = hits; m != 0; m &= m - 1) {
		unsigned int i = (unsigned int)__builtin_ctzll(m);

		values[i] = (uint32_t)(uintptr_t)data[i];
	}
	return hits;
}

int
sy_flow_insert(struct sy_flow_table *t, const struct sy_flow_key *key, uint32_t value)
{
	hash_sig_t sig = rte_hash_hash(t->h, key);

	/* rte_hash_add_key_data() would overwrite an existing key's value: refuse instead */
	if (rte_hash_lookup_with_hash(t->h, key, sig) >= 0)
		return -EEXIST;
	return flow_add(t, key, sig, value);
}

int
sy_flow_insert_absent(struct sy_flow_table *t, const struct sy_flow_key *key, uint32_t value)
{
	return flow_add(t, key, rte_hash_hash(t->h, key), value);
}

int
sy_flow_update(struct sy_flow_table *t, const struct sy_flow_key *key, uint32_t value)
{
	hash_sig_t sig = rte_hash_hash(t->h, key);

	if (rte_hash_lookup_with_hash(t->h, key, sig) < 0)
		return -ENOENT;
	/* on a present key rte_hash only stores the new data pointer, atomically for LF
	 * readers (RTE_HASH_EXTRA_FLAGS_RW_CONCURRENCY_LF) */
	return rte_hash_add_key_with_hash_data(t->h, key, sig, (void *)(uintptr_t)value) < 0 ?
	       -ENOENT : 0;
}

int
sy_flow_remove(struct sy_flow_table *t, const struct sy_flow_key *key)
{
	int32_t pos = rte_hash_del_key(t->h, key);

	if (pos < 0)
		return -ENOENT;
	/* the slot stays reserved until readers are past it (see the top of this file) */
	t->fifo[t->head & t->fifo_mask] = pos;
	t->head++;
	if (t->head - t->open >= FLOW_BATCH) {
		flow_batch_close(t);
		flow_reclaim(t);
	}
	__atomic_store_n(&t->count, t->count - 1, __ATOMIC_RELAXED);
	return 0;
}

uint32_t
sy_flow_count(const struct sy_flow_table *t)
{
	return __atomic_load_n(&t->count, __ATOMIC_RELAXED);
}

uint32_t
sy_flow_capacity(const struct sy_flow_table *t)
{
	return t->capacity;
}

int
sy_flow_reader_register(const struct sy_flow_table *t, unsigned int reader_id)
{
	if (reader_id >= SY_FLOW_READERS_MAX)
		return -EINVAL;
	if (rte_rcu_qsbr_thread_register(t->qsbr, reader_id) != 0)
		return -EINVAL;
	rte_rcu_qsbr_thread_online(t->qsbr, reader_id);
	return 0;
}

void
sy_flow_reader_quiescent(const struct sy_flow_table *t, unsigned int reader_id)
{
	rte_rcu_qsbr_quiescent(t->qsbr, reader_id);
}

void
sy_flow_reader_unregister(const struct sy_flow_table *t, unsigned int reader_id)
{
	rte_rcu_qsbr_thread_offline(t->qsbr, reader_id);
	rte_rcu_qsbr_thread_unregister(t->qsbr, reader_id);
}
