/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The connection table against its contract in sy_flow.h, with a reference model:
 *  - a randomized model check (over a million mixed operations on tables held at full
 *    capacity, every answer and the count compared with a direct map of the key space);
 *  - probe runs that wrap past the end of the slot array, cut by removals in the middle;
 *  - full table, value UINT32_MAX refused, -EEXIST / -ENOENT;
 *  - probe lengths with sequential remote ports (the hash must spread such keys).
 * flow_table_priv.h gives where a key's probe starts (to craft wrapping runs) and an
 * invariant check; the answers themselves are checked through the public API only.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <criterion/criterion.h>
#include <rte_byteorder.h>
#include <rte_errno.h>
#include <rte_hash_crc.h>
#include <rte_memory.h>

#include "sy_flow.h"
#include "flow_table_priv.h"
#include "sy_test.h"

static void
setup(void)
{
	sy_test_eal_init();
}

TestSuite(flow_table, .init = setup);

/* Keys as a server sees them: two local ports, remote addresses and sequential ports. */
static struct sy_flow_key
key_of(uint32_t i)
{
	struct sy_flow_key k = {
		.local_ip = rte_cpu_to_be_32(0x0a000001),
		.remote_ip = rte_cpu_to_be_32(0x0a010000u + (i >> 17)),
		.local_port = rte_cpu_to_be_16(i & 0x10000 ? 443 : 80),
		.remote_port = rte_cpu_to_be_16((uint16_t)i),
	};
	return k;
}

static struct sy_flow_table *
table(uint32_t capacity)
{
	struct sy_flow_table *t = sy_flow_table_create("ft_model", capacity, SOCKET_ID_ANY);

	cr_assert_not_null(t, "sy_flow_table_create(%u): %s", capacity, rte_strerror(rte_errno));
	return t;
}

static uint64_t
rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* ---- randomized model check ---- */

/* The reference: model[i] = value + 1 of key_of(i), 0 when absent. */
struct model {
	struct sy_flow_table *t;
	uint32_t *ref;
	uint32_t nkeys, count, capacity;
	uint64_t seed, op;
	uint64_t ok, nospc, eexist, enoent;   /* outcomes seen, to show the mix was real */
};

static uint32_t
model_value(struct model *m)
{
	uint32_t v = (uint32_t)rnd(&m->seed);

	return v == UINT32_MAX ? 0 : v;
}

static void
model_insert(struct model *m, uint32_t i, bool absent_variant)
{
	struct sy_flow_key k = key_of(i);
	uint32_t v = model_value(m);
	int want = m->ref[i] != 0 ? -EEXIST : m->count == m->capacity ? -ENOSPC : 0;
	int rc;

	if (absent_variant) {
		if (m->ref[i] != 0)
			return;   /* the caller's precondition: the key is absent */
		rc = sy_flow_insert_absent(m->t, &k, v);
	} else {
		rc = sy_flow_insert(m->t, &k, v);
	}
	cr_assert_eq(rc, want, "op %lu key %u: insert%s %d, want %d", (unsigned long)m->op, i,
		     absent_variant ? "_absent" : "", rc, want);
	if (rc == 0) {
		m->ref[i] = v + 1;
		m->count++;
		m->ok++;
	}
	m->nospc += rc == -ENOSPC;
	m->eexist += rc == -EEXIST;
}

static void
model_update(struct model *m, uint32_t i)
{
	struct sy_flow_key k = key_of(i);
	uint32_t v = model_value(m);
	int rc = sy_flow_update(m->t, &k, v);

	cr_assert_eq(rc, m->ref[i] != 0 ? 0 : -ENOENT, "op %lu key %u: update %d",
		     (unsigned long)m->op, i, rc);
	if (rc == 0)
		m->ref[i] = v + 1;
	m->enoent += rc == -ENOENT;
}

static void
model_remove(struct model *m, uint32_t i)
{
	struct sy_flow_key k = key_of(i);
	int rc = sy_flow_remove(m->t, &k);

	cr_assert_eq(rc, m->ref[i] != 0 ? 0 : -ENOENT, "op %lu key %u: remove %d",
		     (unsigned long)m->op, i, rc);
	if (rc == 0) {
		m->ref[i] = 0;
		m->count--;
	}
	m->enoent += rc == -ENOENT;
}

static void
model_lookup(struct model *m, uint32_t i)
{
	struct sy_flow_key k = key_of(i);
	uint32_t v = 0xdeadbeef;
	int rc = sy_flow_lookup(m->t, &k, &v);

	if (m->ref[i] == 0) {
		cr_assert_eq(rc, -ENOENT, "op %lu key %u: found absent key", (unsigned long)m->op, i);
		cr_assert_eq(v, 0xdeadbeef, "a miss wrote *value");
	} else {
		cr_assert_eq(rc, 0, "op %lu key %u: present key not found", (unsigned long)m->op, i);
		cr_assert_eq(v, m->ref[i] - 1, "op %lu key %u: value", (unsigned long)m->op, i);
	}
}

static void
model_lookup_bulk(struct model *m)
{
	struct sy_flow_key keys[SY_FLOW_BULK_MAX];
	const struct sy_flow_key *kp[SY_FLOW_BULK_MAX];
	uint32_t idx[SY_FLOW_BULK_MAX], vals[SY_FLOW_BULK_MAX];
	unsigned int n = 1 + (unsigned int)(rnd(&m->seed) % SY_FLOW_BULK_MAX);

	for (unsigned int j = 0; j < n; j++) {
		idx[j] = (uint32_t)(rnd(&m->seed) % m->nkeys);
		keys[j] = key_of(idx[j]);
		kp[j] = &keys[j];
		vals[j] = 0xdeadbeef;
	}
	uint64_t hits = sy_flow_lookup_bulk(m->t, kp, n, vals);

	for (unsigned int j = 0; j < n; j++) {
		uint32_t want = m->ref[idx[j]];

		cr_assert_eq((hits >> j) & 1, want != 0, "op %lu bulk key %u (position %u of %u)",
			     (unsigned long)m->op, idx[j], j, n);
		cr_assert_eq(vals[j], want != 0 ? want - 1 : 0xdeadbeef,
			     "op %lu bulk key %u value", (unsigned long)m->op, idx[j]);
	}
	if (n < 64)
		cr_assert_eq(hits >> n, 0, "hit bits beyond n");
}

/* Every key of the space answers as the model says, and the table's invariants hold. */
static void
model_sweep(struct model *m)
{
	for (uint32_t i = 0; i < m->nkeys; i++)
		model_lookup(m, i);
	cr_assert_eq(sy_flow_table_check(m->t, NULL), 0, "op %lu: table invariant broken",
		     (unsigned long)m->op);
}

/*
 * Inserts outweigh removals (45 % against 12 %) over a key space larger than the
 * capacity, so the table fills within a few thousand operations and then churns at
 * capacity (max load), with -ENOSPC, -EEXIST and -ENOENT all exercised.
 */
static void
model_run(uint32_t capacity, uint32_t nkeys, uint64_t ops, uint64_t seed)
{
	struct model m = { .t = table(capacity), .nkeys = nkeys, .capacity = capacity,
			   .seed = seed };

	m.ref = calloc(nkeys, sizeof(*m.ref));
	cr_assert_not_null(m.ref);
	for (m.op = 0; m.op < ops; m.op++) {
		uint32_t i = (uint32_t)(rnd(&m.seed) % nkeys);
		uint32_t r = (uint32_t)(rnd(&m.seed) % 100);

		if (r < 30)
			model_insert(&m, i, false);
		else if (r < 45)
			model_insert(&m, i, true);
		else if (r < 57)
			model_remove(&m, i);
		else if (r < 67)
			model_update(&m, i);
		else if (r < 87)
			model_lookup(&m, i);
		else
			model_lookup_bulk(&m);
		cr_assert_eq(sy_flow_count(m.t), m.count, "op %lu: count", (unsigned long)m.op);
		if (m.op % 8192 == 0)
			model_sweep(&m);
	}
	model_sweep(&m);
	cr_log_info("model cap %u keys %u: %lu inserts, %lu ENOSPC, %lu EEXIST, %lu ENOENT",
		    capacity, nkeys, (unsigned long)m.ok, (unsigned long)m.nospc,
		    (unsigned long)m.eexist, (unsigned long)m.enoent);
	cr_assert_gt(m.nospc, ops / 100, "the table was not held at capacity");
	cr_assert_gt(m.ok, ops / 50, "too few successful inserts");
	cr_assert_gt(m.eexist, 0);
	cr_assert_gt(m.enoent, 0);
	free(m.ref);
	sy_flow_table_free(m.t);
}

Test(flow_table, random_ops_match_a_reference_model_near_full)
{
	model_run(3000, 4096, 1200000, 0x9e3779b97f4a7c15ull);
}

/* A few slots: nearly every probe run touches the end of the array and wraps. */
Test(flow_table, random_ops_on_a_tiny_table_match_the_model)
{
	model_run(9, 24, 300000, 0x2545f4914f6cdd1dull);
}

/* ---- probe runs across the end of the slot array ---- */

/* Fills @p out with @p n keys (indices into key_of) whose home slot is @p home. */
static void
keys_homed_at(const struct sy_flow_table *t, uint32_t home, uint32_t n, uint32_t *out,
	      uint32_t *next)
{
	uint32_t found = 0;

	for (uint32_t i = *next; found < n && i < (1u << 22); i++) {
		struct sy_flow_key k = key_of(i);

		if (sy_flow_table_home(t, &k) == home)
			out[found++] = i;
	}
	cr_assert_eq(found, n, "no %u keys homed at slot %u", n, home);
	*next = out[n - 1] + 1;
}

#define WRAP_KEYS 10

/*
 * Ten keys homed at the last two slots and the first two: their run covers the array's
 * end and continues from slot 0, keys homed at 0 and 1 are displaced by keys homed
 * before them. Built in a table of capacity 64.
 */
static struct sy_flow_table *
wrap_table(uint32_t keys[WRAP_KEYS])
{
	struct sy_flow_table *t = table(64);
	uint32_t ns = sy_flow_table_nslots(t), next = 0;

	keys_homed_at(t, ns - 2, 3, &keys[0], &next);
	next = 0;
	keys_homed_at(t, ns - 1, 3, &keys[3], &next);
	next = 0;
	keys_homed_at(t, 0, 2, &keys[6], &next);
	next = 0;
	keys_homed_at(t, 1, 2, &keys[8], &next);
	for (uint32_t j = 0; j < WRAP_KEYS; j++) {
		struct sy_flow_key k = key_of(keys[j]);

		cr_assert_eq(sy_flow_insert(t, &k, keys[j] ^ 0x55555555u), 0);
	}
	return t;
}

static void
assert_found_except(const struct sy_flow_table *t, const uint32_t keys[WRAP_KEYS],
		    const bool *gone)
{
	uint32_t v, n = 0;

	for (uint32_t j = 0; j < WRAP_KEYS; j++) {
		struct sy_flow_key k = key_of(keys[j]);
		int rc = sy_flow_lookup(t, &k, &v);

		if (gone[j]) {
			cr_assert_eq(rc, -ENOENT, "removed key %u still found", keys[j]);
			continue;
		}
		n++;
		cr_assert_eq(rc, 0, "key %u (number %u) lost", keys[j], j);
		cr_assert_eq(v, keys[j] ^ 0x55555555u, "key %u value", keys[j]);
	}
	cr_assert_eq(sy_flow_count(t), n);
	cr_assert_eq(sy_flow_table_check(t, NULL), 0);
}

Test(flow_table, probe_run_wraps_past_the_end_of_the_array)
{
	uint32_t keys[WRAP_KEYS];
	struct sy_flow_table *t = wrap_table(keys);
	uint32_t ns = sy_flow_table_nslots(t);
	bool none[WRAP_KEYS] = { false };
	uint32_t wrapped = 0;

	for (uint32_t j = 0; j < 6; j++) {
		struct sy_flow_key k = key_of(keys[j]);
		int64_t slot = sy_flow_table_slot_of(t, &k);

		cr_assert_geq(slot, 0);
		wrapped += slot < ns - 2;
	}
	cr_assert_eq(wrapped, 4, "6 keys homed at the last 2 slots: 4 must wrap to the start");
	assert_found_except(t, keys, none);
	sy_flow_table_free(t);
}

/* Every removal order of the ten keys, sampled: each step leaves the rest reachable. */
Test(flow_table, removals_inside_a_wrapped_run_keep_every_other_key)
{
	uint64_t seed = 0x1234567887654321ull;

	for (int round = 0; round < 300; round++) {
		uint32_t keys[WRAP_KEYS], order[WRAP_KEYS];
		struct sy_flow_table *t = wrap_table(keys);
		bool gone[WRAP_KEYS] = { false };

		for (uint32_t j = 0; j < WRAP_KEYS; j++)
			order[j] = j;
		for (uint32_t j = WRAP_KEYS - 1; j > 0; j--) {
			uint32_t r = (uint32_t)(rnd(&seed) % (j + 1)), x = order[j];

			order[j] = order[r];
			order[r] = x;
		}
		for (uint32_t j = 0; j < WRAP_KEYS; j++) {
			struct sy_flow_key k = key_of(keys[order[j]]);

			cr_assert_eq(sy_flow_remove(t, &k), 0, "round %d remove %u", round, j);
			gone[order[j]] = true;
			assert_found_except(t, keys, gone);
			if (j == WRAP_KEYS / 2) {   /* and re-insert into the cut run */
				cr_assert_eq(sy_flow_insert(t, &k, keys[order[j]] ^ 0x55555555u), 0);
				gone[order[j]] = false;
				assert_found_except(t, keys, gone);
				cr_assert_eq(sy_flow_remove(t, &k), 0);
				gone[order[j]] = true;
			}
		}
		cr_assert_eq(sy_flow_count(t), 0);
		sy_flow_table_free(t);
	}
}

/* ---- limits and errors ---- */

Test(flow_table, exactly_capacity_entries_fit_then_enospc)
{
	const uint32_t cap = 3000;
	struct sy_flow_table *t = table(cap);
	struct sy_flow_key extra = key_of(cap), k;
	uint32_t v;

	for (uint32_t i = 0; i < cap; i++) {
		k = key_of(i);
		cr_assert_eq(i % 2 ? sy_flow_insert(t, &k, i) : sy_flow_insert_absent(t, &k, i), 0,
			     "insert %u", i);
	}
	cr_assert_eq(sy_flow_insert(t, &extra, 1), -ENOSPC);
	cr_assert_eq(sy_flow_insert_absent(t, &extra, 1), -ENOSPC);
	cr_assert_eq(sy_flow_lookup(t, &extra, &v), -ENOENT, "a refused insert left a trace");
	cr_assert_eq(sy_flow_count(t), cap);
	k = key_of(1234);
	cr_assert_eq(sy_flow_remove(t, &k), 0);
	cr_assert_eq(sy_flow_insert(t, &extra, 77), 0);
	cr_assert_eq(sy_flow_lookup(t, &extra, &v), 0);
	cr_assert_eq(v, 77);
	cr_assert_eq(sy_flow_insert(t, &k, 1), -ENOSPC);
	for (uint32_t i = 0; i < cap; i++) {
		k = key_of(i);
		if (i == 1234)
			continue;
		cr_assert_eq(sy_flow_lookup(t, &k, &v), 0, "key %u", i);
		cr_assert_eq(v, i);
	}
	cr_assert_eq(sy_flow_table_check(t, NULL), 0);
	sy_flow_table_free(t);
}

Test(flow_table, value_uint32_max_is_refused_and_changes_nothing)
{
	struct sy_flow_table *t = table(16);
	struct sy_flow_key a = key_of(1), b = key_of(2);
	uint32_t v;

	cr_assert_eq(sy_flow_insert(t, &a, UINT32_MAX), -EINVAL);
	cr_assert_eq(sy_flow_insert_absent(t, &a, UINT32_MAX), -EINVAL);
	cr_assert_eq(sy_flow_lookup(t, &a, &v), -ENOENT);
	cr_assert_eq(sy_flow_count(t), 0);
	cr_assert_eq(sy_flow_insert(t, &b, 5), 0);
	cr_assert_eq(sy_flow_update(t, &b, UINT32_MAX), -EINVAL);
	cr_assert_eq(sy_flow_insert_absent(t, &b, UINT32_MAX), -EINVAL);
	cr_assert_eq(sy_flow_lookup(t, &b, &v), 0);
	cr_assert_eq(v, 5, "a refused update changed the value");
	cr_assert_eq(sy_flow_count(t), 1);
	sy_flow_table_free(t);
}

Test(flow_table, eexist_on_present_and_enoent_on_absent)
{
	struct sy_flow_table *t = table(16);
	struct sy_flow_key a = key_of(1), b = key_of(2);
	uint32_t v;

	cr_assert_eq(sy_flow_update(t, &a, 1), -ENOENT);
	cr_assert_eq(sy_flow_remove(t, &a), -ENOENT);
	cr_assert_eq(sy_flow_insert(t, &a, 1), 0);
	cr_assert_eq(sy_flow_insert(t, &a, 2), -EEXIST);
	cr_assert_eq(sy_flow_update(t, &b, 1), -ENOENT);
	cr_assert_eq(sy_flow_remove(t, &b), -ENOENT);
	cr_assert_eq(sy_flow_lookup(t, &b, &v), -ENOENT);
	cr_assert_eq(sy_flow_remove(t, &a), 0);
	cr_assert_eq(sy_flow_update(t, &a, 3), -ENOENT, "removed: nothing to update");
	cr_assert_eq(sy_flow_remove(t, &a), -ENOENT);
	cr_assert_eq(sy_flow_count(t), 0);
	sy_flow_table_free(t);
}

/* sy_flow.h: insert_absent on a present key replaces its value, never a second entry. */
Test(flow_table, insert_absent_on_a_present_key_keeps_one_entry)
{
	struct sy_flow_table *t = table(16);
	struct sy_flow_key a = key_of(1);
	uint32_t v;

	cr_assert_eq(sy_flow_insert(t, &a, 1), 0);
	cr_assert_eq(sy_flow_insert_absent(t, &a, 2), 0);
	cr_assert_eq(sy_flow_count(t), 1);
	cr_assert_eq(sy_flow_lookup(t, &a, &v), 0);
	cr_assert_eq(v, 2);
	cr_assert_eq(sy_flow_remove(t, &a), 0);
	cr_assert_eq(sy_flow_lookup(t, &a, &v), -ENOENT, "a second entry survived");
	sy_flow_table_free(t);
}

/* A bulk lookup reads keys at any alignment (sy_flow.h puts no alignment on them). */
Test(flow_table, bulk_lookup_reads_unaligned_keys)
{
	struct sy_flow_table *t = table(64);
	uint8_t buf[SY_FLOW_BULK_MAX * sizeof(struct sy_flow_key) + 1];
	const struct sy_flow_key *kp[SY_FLOW_BULK_MAX];
	uint32_t vals[SY_FLOW_BULK_MAX];

	for (uint32_t i = 0; i < 32; i++) {
		struct sy_flow_key k = key_of(i);

		cr_assert_eq(sy_flow_insert(t, &k, i + 100), 0);
	}
	for (uint32_t i = 0; i < SY_FLOW_BULK_MAX; i++) {
		struct sy_flow_key k = key_of(i);

		memcpy(buf + 1 + i * sizeof(k), &k, sizeof(k));
		kp[i] = (const struct sy_flow_key *)(buf + 1 + i * sizeof(k));
	}
	uint64_t hits = sy_flow_lookup_bulk(t, kp, SY_FLOW_BULK_MAX, vals);

	cr_assert_eq(hits, 0xffffffffull, "hits %#lx", (unsigned long)hits);
	for (uint32_t i = 0; i < 32; i++)
		cr_assert_eq(vals[i], i + 100);
	sy_flow_table_free(t);
}

/*
 * Sequential remote ports at full capacity: probe lengths must be no worse than those of
 * a random hash at the table's maximum load 2/3 (Knuth 6.4: 2.0 slots per hit, 5.0 per
 * miss), within a margin. A hash that clusters sequential ports makes long runs and fails
 * here.
 */
Test(flow_table, sequential_ports_give_random_hash_probe_lengths)
{
	const uint32_t cap = 200000;
	struct sy_flow_table *t = table(cap);
	struct sy_flow_probe_stats st;

	for (uint32_t i = 0; i < cap; i++) {
		struct sy_flow_key k = key_of(i);

		cr_assert_eq(sy_flow_insert(t, &k, i), 0);
	}
	cr_assert_eq(sy_flow_table_check(t, &st), 0);
	cr_log_info("load %.3f: hit %.2f slots %.2f lines, miss %.2f slots %.2f lines, max %u",
		    (double)cap / sy_flow_table_nslots(t), st.hit_slots, st.hit_lines,
		    st.miss_slots, st.miss_lines, st.max_displacement);
	cr_assert_eq(st.entries, cap);
	cr_assert_lt(st.hit_slots, 2.5);
	cr_assert_lt(st.miss_slots, 6.5);
	sy_flow_table_free(t);
}

/*
 * A peer that chooses its source ports knows crc32c (it is public): it can pick, from a
 * few addresses, ports whose crc falls in the lowest 1/64 of the hash range. Were the home
 * slot taken from the crc alone, those keys would share one probe run and every lookup in
 * it would walk thousands of slots. The table's secret multiplier must spread them like
 * any other keys.
 */
Test(flow_table, keys_chosen_by_their_crc_do_not_pile_up)
{
	const uint32_t cap = 32768, n = 16384;
	struct sy_flow_table *t = table(cap);
	struct sy_flow_probe_stats st;
	uint32_t found = 0;

	for (uint32_t ip = 0; ip < 64 && found < n; ip++) {
		for (uint32_t port = 1; port < 65536 && found < n; port++) {
			struct sy_flow_key k = {
				.local_ip = rte_cpu_to_be_32(0x0a000001),
				.remote_ip = rte_cpu_to_be_32(0xc6120000u + ip),
				.local_port = rte_cpu_to_be_16(80),
				.remote_port = rte_cpu_to_be_16((uint16_t)port),
			};
			uint64_t lo;
			uint32_t hi;

			memcpy(&lo, &k, 8);
			memcpy(&hi, (const uint8_t *)&k + 8, 4);
			/* the attacker's choice: the crc the table starts from, top 6 bits zero */
			if (rte_hash_crc_4byte(hi, rte_hash_crc_8byte(lo, 0x6c078965u)) >> 26 != 0)
				continue;
			cr_assert_eq(sy_flow_insert(t, &k, found), 0);
			found++;
		}
	}
	cr_assert_eq(found, n);
	cr_assert_eq(sy_flow_table_check(t, &st), 0);
	cr_log_info("crafted keys: hit %.2f slots, miss %.2f slots, max displacement %u",
		    st.hit_slots, st.miss_slots, st.max_displacement);
	cr_assert_lt(st.hit_slots, 2.5, "crafted keys share a run: %.1f slots per hit",
		     st.hit_slots);
	cr_assert_lt(st.max_displacement, 200);
	sy_flow_table_free(t);
}
