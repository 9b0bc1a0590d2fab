/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lib/flow: the connection table, the listener table and the index arena, tested against
 * the contract in sy_flow.h (values, errors, capacity). The connection table's randomized
 * model check, probe wrap-around and hash-quality tests are in test_flow_table.c.
 */
#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <criterion/criterion.h>
#include <rte_byteorder.h>
#include <rte_errno.h>
#include <rte_lcore.h>

#include "sy_flow.h"
#include "sy_test.h"

static void
setup(void)
{
	sy_test_eal_init();
}

/* Distinct for every i: 2^32 keys, spread over remote address and port. */
static struct sy_flow_key
key_of(uint32_t i)
{
	struct sy_flow_key k = {
		.local_ip = rte_cpu_to_be_32(0x0a000001),
		.remote_ip = rte_cpu_to_be_32(0xc0a80000u + (i >> 16)),
		.local_port = rte_cpu_to_be_16(80),
		.remote_port = rte_cpu_to_be_16((uint16_t)i),
	};
	return k;
}

/* A value that is not the key's own index, so a swapped entry cannot pass for right. */
static uint32_t
value_of(uint32_t i)
{
	return (i * 2654435761u) ^ 0x5a5a5a5au;
}

static struct sy_flow_table *
table(uint32_t capacity)
{
	struct sy_flow_table *t = sy_flow_table_create("ft_test", capacity, SOCKET_ID_ANY);

	cr_assert_not_null(t, "sy_flow_table_create(%u): %s", capacity, rte_strerror(rte_errno));
	return t;
}

TestSuite(flow, .init = setup);

Test(flow, key_is_12_bytes_without_padding)
{
	cr_assert_eq(sizeof(struct sy_flow_key), 12);
}

Test(flow, inserted_key_is_found_with_its_value)
{
	struct sy_flow_table *t = table(64);
	struct sy_flow_key k = key_of(7);
	uint32_t v = 0;

	cr_assert_eq(sy_flow_insert(t, &k, 1234), 0);
	cr_assert_eq(sy_flow_lookup(t, &k, &v), 0);
	cr_assert_eq(v, 1234);
	cr_assert_eq(sy_flow_count(t), 1);
	cr_assert_eq(sy_flow_capacity(t), 64);
	sy_flow_table_free(t);
}

/* Values are 0 .. UINT32_MAX - 1 (sy_flow.h): both ends round-trip. */
Test(flow, value_zero_and_max_round_trip)
{
	struct sy_flow_table *t = table(64);
	struct sy_flow_key a = key_of(1), b = key_of(2);
	uint32_t v = 1;

	cr_assert_eq(sy_flow_insert(t, &a, 0), 0);
	cr_assert_eq(sy_flow_insert(t, &b, UINT32_MAX - 1), 0);
	cr_assert_eq(sy_flow_lookup(t, &a, &v), 0);
	cr_assert_eq(v, 0);
	cr_assert_eq(sy_flow_lookup(t, &b, &v), 0);
	cr_assert_eq(v, UINT32_MAX - 1);
	sy_flow_table_free(t);
}

Test(flow, duplicate_insert_is_eexist_and_keeps_first_value)
{
	struct sy_flow_table *t = table(64);
	struct sy_flow_key k = key_of(3);
	uint32_t v = 0;

	cr_assert_eq(sy_flow_insert(t, &k, 10), 0);
	cr_assert_eq(sy_flow_insert(t, &k, 20), -EEXIST);
	cr_assert_eq(sy_flow_lookup(t, &k, &v), 0);
	cr_assert_eq(v, 10);
	cr_assert_eq(sy_flow_count(t), 1);
	sy_flow_table_free(t);
}

Test(flow, absent_key_lookup_and_remove_are_enoent)
{
	struct sy_flow_table *t = table(64);
	struct sy_flow_key k = key_of(4), other = key_of(5);
	uint32_t v = 99;

	cr_assert_eq(sy_flow_lookup(t, &k, &v), -ENOENT);
	cr_assert_eq(v, 99, "a miss must not write *value");
	cr_assert_eq(sy_flow_remove(t, &k), -ENOENT);
	cr_assert_eq(sy_flow_insert(t, &other, 1), 0);
	cr_assert_eq(sy_flow_lookup(t, &k, &v), -ENOENT);
	cr_assert_eq(sy_flow_remove(t, &k), -ENOENT);
	cr_assert_eq(sy_flow_count(t), 1);
	sy_flow_table_free(t);
}

Test(flow, removed_key_is_gone_and_others_stay)
{
	struct sy_flow_table *t = table(64);
	uint32_t v;

	for (uint32_t i = 0; i < 10; i++) {
		struct sy_flow_key k = key_of(i);

		cr_assert_eq(sy_flow_insert(t, &k, value_of(i)), 0);
	}
	struct sy_flow_key gone = key_of(4);

	cr_assert_eq(sy_flow_remove(t, &gone), 0);
	cr_assert_eq(sy_flow_remove(t, &gone), -ENOENT);
	cr_assert_eq(sy_flow_lookup(t, &gone, &v), -ENOENT);
	cr_assert_eq(sy_flow_count(t), 9);
	for (uint32_t i = 0; i < 10; i++) {
		struct sy_flow_key k = key_of(i);

		if (i == 4)
			continue;
		cr_assert_eq(sy_flow_lookup(t, &k, &v), 0, "key %u", i);
		cr_assert_eq(v, value_of(i));
	}
	sy_flow_table_free(t);
}

static void
fill_until_full(uint32_t capacity)
{
	struct sy_flow_table *t = table(capacity);

	for (uint32_t i = 0; i < capacity; i++) {
		struct sy_flow_key k = key_of(i);

		cr_assert_eq(sy_flow_insert(t, &k, value_of(i)), 0, "insert %u of %u", i, capacity);
	}
	struct sy_flow_key extra = key_of(capacity);

	cr_assert_eq(sy_flow_insert(t, &extra, 1), -ENOSPC);
	cr_assert_eq(sy_flow_count(t), capacity);
	/* full, yet an existing key is still reported as such */
	struct sy_flow_key first = key_of(0);

	cr_assert_eq(sy_flow_insert(t, &first, 1), -EEXIST);
	/* one out, one in */
	cr_assert_eq(sy_flow_remove(t, &first), 0);
	cr_assert_eq(sy_flow_insert(t, &extra, 1), 0);
	cr_assert_eq(sy_flow_insert(t, &first, 1), -ENOSPC);
	sy_flow_table_free(t);
}

Test(flow, full_at_exactly_capacity)
{
	fill_until_full(1000);
}

Test(flow, full_at_exactly_capacity_below_one_bucket)
{
	fill_until_full(5);
}

Test(flow, full_at_exactly_capacity_power_of_two)
{
	fill_until_full(4096);
}

Test(flow, one_million_entries_fit_and_are_all_found, .timeout = 120)
{
	const uint32_t n = 1000000;
	struct sy_flow_table *t = table(n);
	uint32_t v;

	for (uint32_t i = 0; i < n; i++) {
		struct sy_flow_key k = key_of(i);

		cr_assert_eq(sy_flow_insert(t, &k, value_of(i)), 0, "insert %u", i);
	}
	struct sy_flow_key extra = key_of(n);

	cr_assert_eq(sy_flow_insert(t, &extra, 1), -ENOSPC);
	for (uint32_t i = 0; i < n; i++) {
		struct sy_flow_key k = key_of(i);

		cr_assert_eq(sy_flow_lookup(t, &k, &v), 0, "lookup %u", i);
		cr_assert_eq(v, value_of(i), "value %u", i);
	}
	cr_assert_eq(sy_flow_count(t), n);
	sy_flow_table_free(t);
}

Test(flow, rolling_delete_insert_never_runs_out_of_slots, .timeout = 120)
{
	const uint32_t cap = 1000, total = 1000000;
	struct sy_flow_table *t = table(cap);
	uint32_t v;

	for (uint32_t i = 0; i < total; i++) {
		struct sy_flow_key k = key_of(i);

		if (i >= cap) {
			struct sy_flow_key old = key_of(i - cap);

			cr_assert_eq(sy_flow_remove(t, &old), 0, "remove %u", i - cap);
		}
		cr_assert_eq(sy_flow_insert(t, &k, value_of(i)), 0, "insert %u", i);
	}
	cr_assert_eq(sy_flow_count(t), cap);
	for (uint32_t i = total - cap; i < total; i++) {
		struct sy_flow_key k = key_of(i);

		cr_assert_eq(sy_flow_lookup(t, &k, &v), 0);
		cr_assert_eq(v, value_of(i));
	}
	struct sy_flow_key gone = key_of(total - cap - 1);

	cr_assert_eq(sy_flow_lookup(t, &gone, &v), -ENOENT);
	sy_flow_table_free(t);
}

Test(flow, keys_differing_in_one_byte_are_distinct)
{
	struct sy_flow_table *t = table(64);
	struct sy_flow_key base = key_of(0x12345);
	uint32_t v;

	cr_assert_eq(sy_flow_insert(t, &base, 1000), 0);
	for (uint32_t b = 0; b < sizeof(base); b++) {
		struct sy_flow_key k = base;

		((uint8_t *)&k)[b] ^= 0x01;
		cr_assert_eq(sy_flow_lookup(t, &k, &v), -ENOENT, "byte %u", b);
		cr_assert_eq(sy_flow_insert(t, &k, b), 0, "byte %u", b);
	}
	for (uint32_t b = 0; b < sizeof(base); b++) {
		struct sy_flow_key k = base;

		((uint8_t *)&k)[b] ^= 0x01;
		cr_assert_eq(sy_flow_lookup(t, &k, &v), 0);
		cr_assert_eq(v, b, "byte %u", b);
	}
	cr_assert_eq(sy_flow_lookup(t, &base, &v), 0);
	cr_assert_eq(v, 1000);
	cr_assert_eq(sy_flow_count(t), 13);
	sy_flow_table_free(t);
}

Test(flow, count_follows_inserts_and_removes)
{
	struct sy_flow_table *t = table(128);

	for (uint32_t i = 0; i < 100; i++) {
		struct sy_flow_key k = key_of(i);

		sy_flow_insert(t, &k, i);
		cr_assert_eq(sy_flow_count(t), i + 1);
	}
	for (uint32_t i = 0; i < 100; i += 2) {
		struct sy_flow_key k = key_of(i);

		sy_flow_remove(t, &k);
	}
	cr_assert_eq(sy_flow_count(t), 50);
	sy_flow_table_free(t);
}

Test(flow, create_rejects_bad_arguments)
{
	cr_assert_null(sy_flow_table_create("ft_zero", 0, SOCKET_ID_ANY));
	cr_assert_eq(rte_errno, EINVAL);
	cr_assert_null(sy_flow_table_create(NULL, 10, SOCKET_ID_ANY));
	cr_assert_eq(rte_errno, EINVAL);
	cr_assert_null(sy_flow_table_create("flowtable_lcore_100000", 10, SOCKET_ID_ANY));
	cr_assert_eq(rte_errno, ENAMETOOLONG, "22 characters is one too many");
}

/* 21 characters is the limit, and tables differing only in the last one coexist. */
Test(flow, longest_names_stay_distinct)
{
	struct sy_flow_table *a = sy_flow_table_create("flowtable_lcore_10000", 64, SOCKET_ID_ANY);
	struct sy_flow_table *b = sy_flow_table_create("flowtable_lcore_10001", 64, SOCKET_ID_ANY);

	cr_assert_not_null(a, "%s", rte_strerror(rte_errno));
	cr_assert_not_null(b, "%s", rte_strerror(rte_errno));
	sy_flow_table_free(a);
	sy_flow_table_free(b);
}

/* A name only tags heap allocations (sy_flow.h): even a shared one gives separate tables. */
Test(flow, two_tables_are_independent)
{
	struct sy_flow_table *a = sy_flow_table_create("flows_lc_0", 64, SOCKET_ID_ANY);
	struct sy_flow_table *b = sy_flow_table_create("flows_lc_1", 64, SOCKET_ID_ANY);
	struct sy_flow_table *c = sy_flow_table_create("flows_lc_0", 64, SOCKET_ID_ANY);
	struct sy_flow_key k = key_of(1);
	uint32_t v;

	cr_assert_not_null(a, "%s", rte_strerror(rte_errno));
	cr_assert_not_null(b, "%s", rte_strerror(rte_errno));
	cr_assert_not_null(c, "%s", rte_strerror(rte_errno));
	cr_assert_eq(sy_flow_insert(a, &k, 1), 0);
	cr_assert_eq(sy_flow_lookup(b, &k, &v), -ENOENT);
	cr_assert_eq(sy_flow_lookup(c, &k, &v), -ENOENT);
	cr_assert_eq(sy_flow_insert(c, &k, 3), 0);
	cr_assert_eq(sy_flow_lookup(a, &k, &v), 0);
	cr_assert_eq(v, 1);
	sy_flow_table_free(a);
	sy_flow_table_free(b);
	sy_flow_table_free(c);
}

/* ---- listener table ---- */

#define IP_A rte_cpu_to_be_32(0x0a000001)
#define IP_B rte_cpu_to_be_32(0x0a000002)
#define PORT(p) rte_cpu_to_be_16(p)

static struct sy_listen_table *
listeners(uint32_t capacity)
{
	struct sy_listen_table *t = sy_listen_table_create("lt_test", capacity, SOCKET_ID_ANY);

	cr_assert_not_null(t, "sy_listen_table_create: %s", rte_strerror(rte_errno));
	return t;
}

TestSuite(listen, .init = setup);

Test(listen, exact_address_wins_over_wildcard)
{
	struct sy_listen_table *t = listeners(8);
	uint32_t v = 0;

	cr_assert_eq(sy_listen_add(t, 0, PORT(80), 1), 0);
	cr_assert_eq(sy_listen_add(t, IP_A, PORT(80), 2), 0);
	cr_assert_eq(sy_listen_lookup(t, IP_A, PORT(80), &v), 0);
	cr_assert_eq(v, 2);
	cr_assert_eq(sy_listen_lookup(t, IP_B, PORT(80), &v), 0);
	cr_assert_eq(v, 1, "other address falls back to the wildcard");
	cr_assert_eq(sy_listen_lookup(t, IP_A, PORT(81), &v), -ENOENT);
	sy_listen_table_free(t);
}

Test(listen, exact_only_does_not_match_other_addresses)
{
	struct sy_listen_table *t = listeners(8);
	uint32_t v = 0;

	cr_assert_eq(sy_listen_add(t, IP_A, PORT(443), 5), 0);
	cr_assert_eq(sy_listen_lookup(t, IP_B, PORT(443), &v), -ENOENT);
	cr_assert_eq(sy_listen_lookup(t, IP_A, PORT(443), &v), 0);
	cr_assert_eq(v, 5);
	sy_listen_table_free(t);
}

Test(listen, removing_exact_falls_back_to_wildcard)
{
	struct sy_listen_table *t = listeners(8);
	uint32_t v = 0;

	cr_assert_eq(sy_listen_add(t, IP_A, PORT(80), 2), 0);
	cr_assert_eq(sy_listen_add(t, 0, PORT(80), 1), 0);
	cr_assert_eq(sy_listen_remove(t, IP_A, PORT(80)), 0);
	cr_assert_eq(sy_listen_lookup(t, IP_A, PORT(80), &v), 0);
	cr_assert_eq(v, 1);
	cr_assert_eq(sy_listen_remove(t, 0, PORT(80)), 0);
	cr_assert_eq(sy_listen_lookup(t, IP_A, PORT(80), &v), -ENOENT);
	cr_assert_eq(sy_listen_remove(t, 0, PORT(80)), -ENOENT);
	sy_listen_table_free(t);
}

Test(listen, duplicate_is_eexist_and_full_is_enospc)
{
	struct sy_listen_table *t = listeners(3);
	uint32_t v = 0;

	cr_assert_eq(sy_listen_add(t, 0, PORT(1), 1), 0);
	cr_assert_eq(sy_listen_add(t, 0, PORT(1), 9), -EEXIST);
	cr_assert_eq(sy_listen_add(t, IP_A, PORT(1), 2), 0);
	cr_assert_eq(sy_listen_add(t, IP_B, PORT(1), 3), 0);
	cr_assert_eq(sy_listen_add(t, 0, PORT(2), 4), -ENOSPC);
	cr_assert_eq(sy_listen_add(t, IP_B, PORT(1), 3), -EEXIST);
	cr_assert_eq(sy_listen_lookup(t, 0, PORT(1), &v), 0);
	cr_assert_eq(v, 1);
	cr_assert_eq(sy_listen_remove(t, IP_A, PORT(1)), 0);
	cr_assert_eq(sy_listen_add(t, 0, PORT(2), 4), 0);
	sy_listen_table_free(t);
}

/* Removal in the middle of probe runs must keep every other listener reachable. */
Test(listen, random_churn_matches_a_reference_model)
{
	enum { N = 48 };
	struct sy_listen_table *t = listeners(N);
	uint32_t model[N];   /* value + 1, 0 = absent; listener i is (IP_A or 0, port 1000+i/2) */
	uint32_t seed = 12345, v;

	memset(model, 0, sizeof(model));
	for (int op = 0; op < 20000; op++) {
		seed = seed * 1103515245u + 12345u;
		uint32_t i = (seed >> 8) % N;
		rte_be32_t ip = (i & 1) ? IP_A : 0;
		rte_be16_t port = PORT(1000 + i / 2);

		if (model[i] == 0) {
			cr_assert_eq(sy_listen_add(t, ip, port, op), 0, "op %d add %u", op, i);
			model[i] = (uint32_t)op + 1;
		} else {
			cr_assert_eq(sy_listen_remove(t, ip, port), 0, "op %d remove %u", op, i);
			model[i] = 0;
		}
		for (uint32_t j = 0; j < N; j++) {
			uint32_t want = model[j];

			/* an absent exact entry falls back to its wildcard sibling */
			if (want == 0 && (j & 1))
				want = model[j - 1];
			int rc = sy_listen_lookup(t, (j & 1) ? IP_A : 0, PORT(1000 + j / 2), &v);

			if (want == 0) {
				cr_assert_eq(rc, -ENOENT, "op %d listener %u", op, j);
			} else {
				cr_assert_eq(rc, 0, "op %d listener %u", op, j);
				cr_assert_eq(v, want - 1, "op %d listener %u", op, j);
			}
		}
	}
	sy_listen_table_free(t);
}

/* ---- index arena ---- */

static struct sy_arena *
arena(size_t elt_size, uint32_t count)
{
	struct sy_arena *a = sy_arena_create("ar_test", elt_size, count, SOCKET_ID_ANY);

	cr_assert_not_null(a, "sy_arena_create: %s", rte_strerror(rte_errno));
	return a;
}

TestSuite(arena, .init = setup);

Test(arena, alloc_until_enomem_then_put_and_realloc)
{
	enum { N = 100 };
	struct sy_arena *a = arena(200, N);
	bool seen[N] = { false };
	uint32_t idx;

	cr_assert_eq(sy_arena_capacity(a), N);
	for (int i = 0; i < N; i++) {
		cr_assert_eq(sy_arena_alloc(a, &idx), 0, "alloc %d", i);
		cr_assert_lt(idx, N);
		cr_assert(!seen[idx], "index %u handed out twice", idx);
		seen[idx] = true;
	}
	cr_assert_eq(sy_arena_alloc(a, &idx), -ENOMEM);
	cr_assert_eq(sy_arena_in_use(a), N);
	sy_arena_put(a, 42);
	cr_assert_eq(sy_arena_in_use(a), N - 1);
	cr_assert_eq(sy_arena_alloc(a, &idx), 0);
	cr_assert_eq(idx, 42, "the only free block is 42");
	cr_assert_eq(sy_arena_alloc(a, &idx), -ENOMEM);
	for (uint32_t i = 0; i < N; i++)
		sy_arena_put(a, i);
	cr_assert_eq(sy_arena_in_use(a), 0);
	sy_arena_free(a);
}

Test(arena, index_pointer_round_trip_for_every_block)
{
	enum { N = 1000 };
	const size_t elt = 333;
	struct sy_arena *a = arena(elt, N);
	const struct sy_arena_view *view = sy_arena_view(a);
	uint32_t idx;

	cr_assert_geq(view->stride, elt);
	cr_assert_eq(view->stride % RTE_CACHE_LINE_SIZE, 0);
	for (uint32_t i = 0; i < N; i++) {
		cr_assert_eq(sy_arena_alloc(a, &idx), 0);
		uint8_t *p = sy_arena_ptr(view, idx);

		cr_assert_eq(sy_arena_idx(view, p), idx);
		/* an interior pointer maps to its own block too */
		cr_assert_eq(sy_arena_idx(view, p + elt - 1), idx);
		cr_assert_eq((uintptr_t)p % RTE_CACHE_LINE_SIZE, 0, "block %u misaligned", idx);
	}
	for (uint32_t i = 0; i < N; i++)
		cr_assert_eq(sy_arena_idx(view, sy_arena_ptr(view, i)), i);
	for (uint32_t i = 0; i < N; i++)
		sy_arena_put(a, i);
	sy_arena_free(a);
}

Test(arena, blocks_do_not_overlap)
{
	enum { N = 500 };
	const size_t elt = 100;
	struct sy_arena *a = arena(elt, N);
	const struct sy_arena_view *view = sy_arena_view(a);
	uint32_t idx;

	for (uint32_t i = 0; i < N; i++) {
		cr_assert_eq(sy_arena_alloc(a, &idx), 0);
		memset(sy_arena_ptr(view, idx), (int)(idx & 0xff), elt);
	}
	for (uint32_t i = 0; i < N; i++) {
		const uint8_t *p = sy_arena_ptr(view, i);

		for (size_t b = 0; b < elt; b++)
			cr_assert_eq(p[b], i & 0xff, "block %u byte %zu", i, b);
	}
	for (uint32_t i = 0; i < N; i++)
		sy_arena_put(a, i);
	sy_arena_free(a);
}

Test(arena, alloc_returns_a_zeroed_block)
{
	enum { N = 64 };
	const size_t elt = 250;
	struct sy_arena *a = arena(elt, N);
	const struct sy_arena_view *view = sy_arena_view(a);
	uint32_t idx;

	for (int round = 0; round < 2; round++) {
		for (uint32_t i = 0; i < N; i++) {
			cr_assert_eq(sy_arena_alloc(a, &idx), 0);
			const uint8_t *p = sy_arena_ptr(view, idx);

			for (size_t b = 0; b < elt; b++)
				cr_assert_eq(p[b], 0, "round %d block %u byte %zu", round, idx, b);
			memset(sy_arena_ptr(view, idx), 0xab, elt);
		}
		for (uint32_t i = 0; i < N; i++)
			sy_arena_put(a, i);
	}
	cr_assert_eq(sy_arena_in_use(a), 0);
	sy_arena_free(a);
}

Test(arena, in_use_counts_allocs_minus_puts)
{
	struct sy_arena *a = arena(64, 10);
	uint32_t idx[10];

	cr_assert_eq(sy_arena_in_use(a), 0);
	for (int i = 0; i < 7; i++) {
		cr_assert_eq(sy_arena_alloc(a, &idx[i]), 0);
		cr_assert_eq(sy_arena_in_use(a), (uint32_t)i + 1);
	}
	sy_arena_put(a, idx[3]);
	sy_arena_put(a, idx[0]);
	cr_assert_eq(sy_arena_in_use(a), 5);
	for (int i = 1; i < 7; i++)
		if (i != 3)
			sy_arena_put(a, idx[i]);
	cr_assert_eq(sy_arena_in_use(a), 0);
	sy_arena_free(a);
}

Test(arena, create_rejects_bad_arguments)
{
	cr_assert_null(sy_arena_create("ar_zero", 64, 0, SOCKET_ID_ANY));
	cr_assert_eq(rte_errno, EINVAL);
	cr_assert_null(sy_arena_create("ar_zero", 0, 10, SOCKET_ID_ANY));
	cr_assert_eq(rte_errno, EINVAL);
	cr_assert_null(sy_arena_create(NULL, 64, 10, SOCKET_ID_ANY));
	cr_assert_eq(rte_errno, EINVAL);
	cr_assert_null(sy_arena_create("arena_name_of_26_character", 64, 10, SOCKET_ID_ANY));
	cr_assert_eq(rte_errno, ENAMETOOLONG);
	struct sy_arena *a = sy_arena_create("arena_name_of_25_chars_ok", 64, 10, SOCKET_ID_ANY);

	cr_assert_not_null(a, "%s", rte_strerror(rte_errno));
	sy_arena_free(a);
}

/* The layout sy_flow.h documents: small blocks packed at a power-of-two stride that never
 * straddles a cache line, larger ones exactly the size rounded to a line (no header). */
Test(arena, stride_is_the_block_size_rounded_without_a_header)
{
	static const struct { size_t elt, stride; } cases[] = {
		{ 8, 8 }, { 28, 32 }, { 32, 32 }, { 40, 64 }, { 64, 64 }, { 128, 128 },
		{ 129, 192 }, { 592, 640 },
	};

	for (size_t c = 0; c < RTE_DIM(cases); c++) {
		struct sy_arena *a = arena(cases[c].elt, 100);
		const struct sy_arena_view *view = sy_arena_view(a);

		cr_assert_eq(view->stride, cases[c].stride, "elt %zu: stride %zu", cases[c].elt,
			     view->stride);
		for (uint32_t i = 0; i < 100; i++) {
			uintptr_t p = (uintptr_t)sy_arena_ptr(view, i);

			if (cases[c].elt <= RTE_CACHE_LINE_SIZE)
				cr_assert_eq(p / RTE_CACHE_LINE_SIZE,
					     (p + cases[c].elt - 1) / RTE_CACHE_LINE_SIZE,
					     "elt %zu block %u straddles a line", cases[c].elt, i);
			else
				cr_assert_eq(p % RTE_CACHE_LINE_SIZE, 0, "elt %zu block %u misaligned",
					     cases[c].elt, i);
		}
		sy_arena_free(a);
	}
}

/* The block put back last is handed out first (LIFO: its lines are still cached). */
Test(arena, put_blocks_come_back_most_recent_first)
{
	enum { N = 8 };
	struct sy_arena *a = arena(128, N);
	uint32_t idx;

	for (uint32_t i = 0; i < 5; i++) {
		cr_assert_eq(sy_arena_alloc(a, &idx), 0);
		cr_assert_eq(idx, i, "fresh blocks in index order");
	}
	sy_arena_put(a, 3);
	sy_arena_put(a, 1);
	cr_assert_eq(sy_arena_alloc(a, &idx), 0);
	cr_assert_eq(idx, 1, "the last put first");
	cr_assert_eq(sy_arena_alloc(a, &idx), 0);
	cr_assert_eq(idx, 3);
	for (uint32_t want = 5; want < N; want++) {
		cr_assert_eq(sy_arena_alloc(a, &idx), 0);
		cr_assert_eq(idx, want, "then the never-used blocks, in order");
	}
	cr_assert_eq(sy_arena_alloc(a, &idx), -ENOMEM);
	for (uint32_t i = 0; i < N; i++)
		sy_arena_put(a, i);
	sy_arena_free(a);
}

/* The flow suite again, for the two writer shortcuts the TCP engine uses. */
Test(flow, update_replaces_the_value_and_keeps_one_entry, .init = setup)
{
	struct sy_flow_table *t = table(64);
	struct sy_flow_key k = key_of(9), other = key_of(10);
	uint32_t v = 0;

	cr_assert_eq(sy_flow_update(t, &k, 5), -ENOENT, "absent: nothing to update");
	cr_assert_eq(sy_flow_count(t), 0, "and nothing inserted");
	cr_assert_eq(sy_flow_insert(t, &k, value_of(9)), 0);
	cr_assert_eq(sy_flow_insert(t, &other, value_of(10)), 0);
	cr_assert_eq(sy_flow_update(t, &k, 0x80000007u), 0);
	cr_assert_eq(sy_flow_lookup(t, &k, &v), 0);
	cr_assert_eq(v, 0x80000007u);
	cr_assert_eq(sy_flow_lookup(t, &other, &v), 0);
	cr_assert_eq(v, value_of(10), "the other entry is untouched");
	cr_assert_eq(sy_flow_count(t), 2);
	sy_flow_table_free(t);
}

Test(flow, insert_absent_fills_to_capacity_like_insert, .init = setup)
{
	struct sy_flow_table *t = table(100);
	uint32_t v = 0;

	for (uint32_t i = 0; i < 100; i++) {
		struct sy_flow_key k = key_of(i);

		cr_assert_eq(sy_flow_insert_absent(t, &k, value_of(i)), 0, "entry %u", i);
	}
	struct sy_flow_key extra = key_of(100);

	cr_assert_eq(sy_flow_insert_absent(t, &extra, 1), -ENOSPC);
	for (uint32_t i = 0; i < 100; i++) {
		struct sy_flow_key k = key_of(i);

		cr_assert_eq(sy_flow_lookup(t, &k, &v), 0);
		cr_assert_eq(v, value_of(i));
	}
	sy_flow_table_free(t);
}

/* The burst lookup answers what sy_flow_lookup() answers, key by key. */
Test(flow, bulk_lookup_matches_single_lookups, .init = setup)
{
	struct sy_flow_table *t = table(1000);
	struct { struct sy_flow_key k; } __rte_aligned(8) keys[SY_FLOW_BULK_MAX];
	const struct sy_flow_key *kp[SY_FLOW_BULK_MAX];
	uint32_t vals[SY_FLOW_BULK_MAX] = { 0 };
	uint64_t hits;

	for (uint32_t i = 0; i < 500; i += 2) {   /* even keys present */
		struct sy_flow_key k = key_of(i);

		cr_assert_eq(sy_flow_insert(t, &k, value_of(i)), 0);
	}
	for (uint32_t i = 0; i < SY_FLOW_BULK_MAX; i++) {
		keys[i].k = key_of(i * 7);   /* 8-byte aligned, as lib/tcp passes them */
		kp[i] = &keys[i].k;
	}
	hits = sy_flow_lookup_bulk(t, kp, SY_FLOW_BULK_MAX, vals);
	for (uint32_t i = 0; i < SY_FLOW_BULK_MAX; i++) {
		bool present = (i * 7) % 2 == 0 && i * 7 < 500;

		cr_assert_eq((hits >> i) & 1, present, "key %u", i * 7);
		if (present)
			cr_assert_eq(vals[i], value_of(i * 7));
	}
	cr_assert_eq(sy_flow_lookup_bulk(t, kp, 0, vals), 0);
	cr_assert_eq(sy_flow_lookup_bulk(t, kp, SY_FLOW_BULK_MAX + 1, vals), 0, "refused");
	sy_flow_table_free(t);
}
