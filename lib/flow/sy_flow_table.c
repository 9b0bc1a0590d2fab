/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The per-lcore connection table: TCP 4-tuple (struct sy_flow_key, 12 bytes) -> 32-bit
 * value (a connection index). One table per lcore, and that lcore is the only thread that
 * reads or writes it: this is the "lock-free per-core connection table" of the
 * architecture, lock-free because nothing in it is shared, so it needs neither locks nor
 * the reader protocol (RCU, deferred slot reuse) of a concurrent hash.
 *
 * Design: open addressing with linear probing (Knuth, TAOCP vol. 3, 6.4, Algorithm L).
 *  - A slot is the key and the value, 16 bytes: four slots per 64-byte line, the array
 *    cache-line aligned. A hit reads one line in the common case, never a second array.
 *  - The slot stores value + 1, so 0 marks an empty slot and zeroed memory is an empty
 *    table; value UINT32_MAX (which would wrap to 0) is refused with -EINVAL.
 *  - Hash: crc32c over the 12 bytes (one 8-byte and one 4-byte crc32 instruction with
 *    SSE4.2, rte_hash_crc), then multiply-shift by a secret per-table multiplier so that
 *    peers cannot aim keys at one probe run (flow_home_of()). Home slot by multiply-shift, (hash * nslots) >> 32, so the
 *    slot count need not be a power of two; probes wrap at the end of the array.
 *  - nslots = capacity * 3 / 2 rounded up to a multiple of 4: the load never exceeds 2/3.
 *    Measured at full capacity with 1 M scrambled keys (bench_flow sweep, probe lengths
 *    from sy_flow_table_check(); a probe counts the slot that ends it):
 *        max load     bytes/entry   hit: slots  lines    miss: slots  lines   max disp.
 *        1/2          32.0              1.49   1.12            2.47   1.37      33
 *        2/3          24.0              1.97   1.24            4.88   1.97     103
 *        3/4          21.3              2.45   1.36            8.34   2.83     178
 *        0.8          20.0              2.94   1.49           12.9    3.98     308
 *    (Knuth's 1/2 (1 + 1/(1-a)) and 1/2 (1 + 1/(1-a)^2) for a random hash: crc32c spreads
 *    these keys as well as one; sequential remote ports spread better still, 1.15 and
 *    2.70 slots at 3/4.) At 2/3 a miss (each SYN, each insert) reads ~2 lines, adjacent
 *    ones, no more than rte_hash's two bucket lines; at 3/4 it reads ~3, for 2.7 B less.
 *    A table is rarely full (it is sized for max_conns + max_time_wait), and then shorter.
 *  - Removal by backward shift (Algorithm R): later entries of the run move into the hole
 *    when their home slot allows it, so there are no tombstones and insert/remove churn
 *    (millions of short connections, TIME-WAIT) never lengthens probes. A moved entry's
 *    home slot is recomputed from its key.
 *  - sy_flow_lookup_bulk() hashes every key and prefetches its home line and the next
 *    before it probes any, so a burst's cache misses overlap.
 *
 * Memory: 16 B x nslots = 24 B per entry of capacity, plus one 64-byte header.
 */
#include "sy_flow.h"
#include "flow_table_priv.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <rte_errno.h>
#include <sys/random.h>
#include <rte_cycles.h>
#include <rte_hash_crc.h>
#include <rte_malloc.h>
#include <rte_prefetch.h>
#include <rte_random.h>

/* Kept from the rte_hash implementation (its ring names) so that every name that was
 * valid stays valid and no longer one becomes valid: callers build names to this limit. */
#define FLOW_NAME_MAX 21

#define FLOW_CAPACITY_MAX (1u << 30)

/* Maximum load factor FLOW_LOAD_NUM / FLOW_LOAD_DEN (see the top of this file). */
#define FLOW_LOAD_NUM 2u
#define FLOW_LOAD_DEN 3u

#define FLOW_HASH_SEED 0x6c078965u

struct flow_slot {
	struct sy_flow_key key;
	uint32_t stored;        /* value + 1; 0: empty */
};

#define FLOW_SLOTS_PER_LINE (RTE_CACHE_LINE_SIZE / sizeof(struct flow_slot))

_Static_assert(sizeof(struct flow_slot) == 16, "four slots per cache line");

struct sy_flow_table {
	struct flow_slot *slots;
	uint64_t mix;           /* secret odd multiplier, drawn at create (see flow_home_of) */
	uint32_t nslots;
	uint32_t capacity;
	uint32_t count;
} __rte_cache_aligned;

/* The key as an 8-byte and a 4-byte word; memcpy because a caller's key may be unaligned. */
struct flow_words {
	uint64_t lo;
	uint32_t hi;
};

static inline struct flow_words
flow_words_of(const struct sy_flow_key *k)
{
	struct flow_words w;

	memcpy(&w.lo, k, sizeof(w.lo));
	memcpy(&w.hi, (const uint8_t *)k + sizeof(w.lo), sizeof(w.hi));
	return w;
}

/*
 * crc32c is public and linear: a peer that picks its source ports could compute which keys
 * share the top bits of the crc, aim them all at one probe run, and make every lookup in
 * it walk thousands of slots (measured in review: 86x slower lookups, 7 809 slots per
 * probe). A secret seed would not help (with crc it only XORs one constant into every
 * hash). The crc is therefore put through multiply-shift with a secret random odd
 * multiplier (Dietzfelbinger et al.'s universal family): without the multiplier a peer
 * cannot tell where its keys land, and distinct crcs collide with probability ~2^-31.
 */
static inline uint32_t
flow_home_of(const struct sy_flow_table *t, struct flow_words w)
{
	uint32_t c = rte_hash_crc_4byte(w.hi, rte_hash_crc_8byte(w.lo, FLOW_HASH_SEED));
	uint32_t h = (uint32_t)(((uint64_t)c * t->mix) >> 32);

	return (uint32_t)(((uint64_t)h * t->nslots) >> 32);
}

static inline bool
flow_slot_holds(const struct flow_slot *s, struct flow_words w)
{
	struct flow_words x = flow_words_of(&s->key);

	return x.lo == w.lo && x.hi == w.hi;
}

/*
 * The slot holding @p w, or the empty slot that ends its probe run from @p i. The table
 * always has an empty slot (nslots > capacity), so the loop ends.
 */
static inline uint32_t
flow_probe(const struct sy_flow_table *t, struct flow_words w, uint32_t i)
{
	const struct flow_slot *s = t->slots;

	while (s[i].stored != 0 && !flow_slot_holds(&s[i], w))
		if (++i == t->nslots)
			i = 0;
	return i;
}

static uint32_t
flow_default_slots(uint32_t capacity)
{
	uint64_t n = ((uint64_t)capacity * FLOW_LOAD_DEN + FLOW_LOAD_NUM - 1) / FLOW_LOAD_NUM;

	n = RTE_ALIGN_CEIL(n + 1, FLOW_SLOTS_PER_LINE);   /* + 1: never full, probes end */
	return (uint32_t)n;
}

static uint64_t
flow_secret_multiplier(void)
{
	uint64_t m;

	/* from the kernel's CSPRNG; rte_rand() is seeded from the TSC, a guessable value */
	if (getrandom(&m, sizeof(m), 0) != (ssize_t)sizeof(m))
		m = rte_rand() ^ rte_get_tsc_cycles();
	return m | 1;
}

struct sy_flow_table *
sy_flow_table_create_slots(const char *name, uint32_t capacity, uint32_t nslots, int socket)
{
	if (name == NULL || capacity == 0 || capacity > FLOW_CAPACITY_MAX ||
	    nslots <= capacity || nslots % FLOW_SLOTS_PER_LINE != 0) {
		rte_errno = EINVAL;
		return NULL;
	}
	if (strnlen(name, FLOW_NAME_MAX + 1) > FLOW_NAME_MAX) {
		rte_errno = ENAMETOOLONG;
		return NULL;
	}
	struct sy_flow_table *t = rte_zmalloc_socket(name, sizeof(*t), RTE_CACHE_LINE_SIZE,
						     socket);
	if (t == NULL) {
		rte_errno = ENOMEM;
		return NULL;
	}
	/* zeroed: every slot empty */
	t->slots = rte_zmalloc_socket(name, sizeof(*t->slots) * (size_t)nslots,
				      RTE_CACHE_LINE_SIZE, socket);
	if (t->slots == NULL) {
		rte_free(t);
		rte_errno = ENOMEM;
		return NULL;
	}
	t->nslots = nslots;
	t->capacity = capacity;
	t->mix = flow_secret_multiplier();
	return t;
}

struct sy_flow_table *
sy_flow_table_create(const char *name, uint32_t capacity, int socket)
{
	if (capacity == 0 || capacity > FLOW_CAPACITY_MAX) {
		rte_errno = EINVAL;
		return NULL;
	}
	return sy_flow_table_create_slots(name, capacity, flow_default_slots(capacity), socket);
}

void
sy_flow_table_free(struct sy_flow_table *t)
{
	if (t == NULL)
		return;
	rte_free(t->slots);
	rte_free(t);
}

int
sy_flow_lookup(const struct sy_flow_table *t, const struct sy_flow_key *key, uint32_t *value)
{
	struct flow_words w = flow_words_of(key);
	const struct flow_slot *s = &t->slots[flow_probe(t, w, flow_home_of(t, w))];

	if (s->stored == 0)
		return -ENOENT;
	*value = s->stored - 1;
	return 0;
}

uint64_t
sy_flow_lookup_bulk(const struct sy_flow_table *t, const struct sy_flow_key **keys,
		    unsigned int n, uint32_t *values)
{
	struct flow_words w[SY_FLOW_BULK_MAX];
	uint32_t home[SY_FLOW_BULK_MAX];
	uint64_t hits = 0;

	if (n == 0 || n > SY_FLOW_BULK_MAX)
		return 0;
	for (unsigned int i = 0; i < n; i++) {
		uint32_t next;

		w[i] = flow_words_of(keys[i]);
		home[i] = flow_home_of(t, w[i]);
		next = home[i] + FLOW_SLOTS_PER_LINE;
		rte_prefetch0(&t->slots[home[i]]);
		/* and the line after: a quarter of hits end there (1.24 lines per hit at 2/3
		 * load); bench_flow at 10 M, 32-key bursts: 21.4-22.3 -> 19.0 ns per key */
		rte_prefetch0(&t->slots[next < t->nslots ? next : next - t->nslots]);
	}
	for (unsigned int i = 0; i < n; i++) {
		const struct flow_slot *s = &t->slots[flow_probe(t, w[i], home[i])];

		if (s->stored != 0) {
			values[i] = s->stored - 1;
			hits |= UINT64_C(1) << i;
		}
	}
	return hits;
}

/* Stores a new entry in the empty slot @p i that ends the key's probe run. */
static int
flow_place(struct sy_flow_table *t, uint32_t i, const struct sy_flow_key *key, uint32_t value)
{
	if (t->count >= t->capacity)
		return -ENOSPC;
	t->slots[i].key = *key;
	t->slots[i].stored = value + 1;
	t->count++;
	return 0;
}

/* What sy_flow_insert(), sy_flow_insert_absent() and sy_flow_update() do with a key's slot. */
enum flow_set_mode {
	FLOW_SET_INSERT,     /* absent: place; present: -EEXIST */
	FLOW_SET_PUT,        /* absent: place; present: new value (never a second entry) */
	FLOW_SET_UPDATE,     /* absent: -ENOENT; present: new value */
};

/* One probe for all three: it ends at the key's slot or at the empty slot to place it in. */
static int
flow_set(struct sy_flow_table *t, const struct sy_flow_key *key, uint32_t value,
	 enum flow_set_mode mode)
{
	if (value == UINT32_MAX)
		return -EINVAL;
	struct flow_words w = flow_words_of(key);
	uint32_t i = flow_probe(t, w, flow_home_of(t, w));

	if (t->slots[i].stored == 0)
		return mode == FLOW_SET_UPDATE ? -ENOENT : flow_place(t, i, key, value);
	if (mode == FLOW_SET_INSERT)
		return -EEXIST;
	t->slots[i].stored = value + 1;
	return 0;
}

int
sy_flow_insert(struct sy_flow_table *t, const struct sy_flow_key *key, uint32_t value)
{
	return flow_set(t, key, value, FLOW_SET_INSERT);
}

int
sy_flow_insert_absent(struct sy_flow_table *t, const struct sy_flow_key *key, uint32_t value)
{
	return flow_set(t, key, value, FLOW_SET_PUT);
}

int
sy_flow_update(struct sy_flow_table *t, const struct sy_flow_key *key, uint32_t value)
{
	return flow_set(t, key, value, FLOW_SET_UPDATE);
}

/* Is @p h cyclically in (hole, j]? Then the entry homed at h must stay at or after j. */
static inline bool
flow_home_between(uint32_t hole, uint32_t h, uint32_t j)
{
	return hole <= j ? (hole < h && h <= j) : (hole < h || h <= j);
}

/*
 * Knuth 6.4 Algorithm R: empties slot @p hole, then walks the rest of the run and moves
 * back every entry whose probe path crosses the hole, so the run stays gap-free.
 */
static void
flow_shift_back(struct sy_flow_table *t, uint32_t hole)
{
	struct flow_slot *s = t->slots;
	uint32_t j = hole;

	for (;;) {
		if (++j == t->nslots)
			j = 0;
		if (s[j].stored == 0)
			break;
		if (flow_home_between(hole, flow_home_of(t, flow_words_of(&s[j].key)), j))
			continue;
		s[hole] = s[j];
		hole = j;
	}
	memset(&s[hole], 0, sizeof(s[hole]));
}

int
sy_flow_remove(struct sy_flow_table *t, const struct sy_flow_key *key)
{
	struct flow_words w = flow_words_of(key);
	uint32_t i = flow_probe(t, w, flow_home_of(t, w));

	if (t->slots[i].stored == 0)
		return -ENOENT;
	flow_shift_back(t, i);
	t->count--;
	return 0;
}

uint32_t
sy_flow_count(const struct sy_flow_table *t)
{
	return t->count;
}

uint32_t
sy_flow_capacity(const struct sy_flow_table *t)
{
	return t->capacity;
}

/* ---- internal hooks (flow_table_priv.h) ---- */

uint32_t
sy_flow_table_nslots(const struct sy_flow_table *t)
{
	return t->nslots;
}

uint32_t
sy_flow_table_home(const struct sy_flow_table *t, const struct sy_flow_key *key)
{
	return flow_home_of(t, flow_words_of(key));
}

int64_t
sy_flow_table_slot_of(const struct sy_flow_table *t, const struct sy_flow_key *key)
{
	struct flow_words w = flow_words_of(key);
	uint32_t i = flow_probe(t, w, flow_home_of(t, w));

	return t->slots[i].stored == 0 ? -ENOENT : (int64_t)i;
}

/* Lines a probe of @p len slots from slot @p i touches (a wrap counts its lines too). */
static uint32_t
flow_lines(uint32_t i, uint32_t len)
{
	return (uint32_t)((i % FLOW_SLOTS_PER_LINE + len - 1) / FLOW_SLOTS_PER_LINE + 1);
}

/* Entry at slot @p j: reachable from its home without an empty slot, and first match. */
static int
flow_check_entry(const struct sy_flow_table *t, uint32_t j, struct sy_flow_probe_stats *st)
{
	struct flow_words w = flow_words_of(&t->slots[j].key);
	uint32_t h = flow_home_of(t, w);
	uint32_t d = j >= h ? j - h : j + t->nslots - h;

	if (flow_probe(t, w, h) != j)
		return -EFAULT;
	st->entries++;
	st->max_displacement = RTE_MAX(st->max_displacement, d);
	st->hit_slots += d + 1;
	st->hit_lines += flow_lines(h, d + 1);
	return 0;
}

int
sy_flow_table_check(const struct sy_flow_table *t, struct sy_flow_probe_stats *st)
{
	struct sy_flow_probe_stats s = { 0 };
	uint32_t empty = 0, run = 0;

	for (uint32_t j = 0; j < t->nslots; j++)
		if (t->slots[j].stored != 0 && flow_check_entry(t, j, &s) != 0)
			return -EFAULT;
	if (s.entries != t->count)
		return -EFAULT;
	/* a miss homed at i walks to the next empty slot: go backwards from an empty one */
	while (t->slots[empty].stored != 0)
		empty++;
	for (uint32_t k = 0; k < t->nslots; k++) {
		uint32_t i = (empty + t->nslots - k) % t->nslots;

		run = t->slots[i].stored == 0 ? 0 : run + 1;
		s.miss_slots += run + 1;
		s.miss_lines += flow_lines(i, run + 1);
	}
	if (s.entries != 0) {
		s.hit_slots /= s.entries;
		s.hit_lines /= s.entries;
	}
	s.miss_slots /= t->nslots;
	s.miss_lines /= t->nslots;
	if (st != NULL)
		*st = s;
	return 0;
}
