/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * bench_flow: single-core rates of the flow table and, in the same run on the same keys
 * and capacity, of a plain rte_hash (default flags, rte_hash_crc, the value in its data
 * pointer) as the baseline: insert, lookup hit, lookup miss, bulk lookup (bursts of
 * BULK_BURST keys, as lib/tcp's sy_tcp_prefetch() per rx burst), remove+insert churn at
 * full capacity, remove; best of 3 rounds. Also the index arena. One JSON object on stdout.
 *
 * Usage: bench_flow [entries ...]        (default: 1000000 10000000)
 *        bench_flow sweep [entries]      load-factor sweep of our table (default 1000000)
 * EAL runs on malloc'd memory (--no-huge, 4 GiB), one lcore, no devices. Keys are
 * generated up front in ordinary memory; only the tables live in the EAL heap, whose
 * growth across the table's creation gives the bytes per entry. Both tables are called
 * through the same function-pointer table, so the call overhead is the same for both.
 */
#include <errno.h>
#include <stdbool.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_hash.h>
#include <rte_hash_crc.h>
#include <rte_lcore.h>
#include <rte_malloc.h>

#include "sy_flow.h"
#include "flow_table_priv.h"

#define BULK_BURST 32
#define ROUNDS 3

struct rate {
	double mops;
	double ns_per_op;
};

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static struct rate
rate_of(uint64_t ops, double seconds)
{
	struct rate r = { ops / seconds / 1e6, seconds * 1e9 / ops };

	return r;
}

/* Distinct for every i < 2^32; a multiplicative scramble spreads them over the tuple. */
static struct sy_flow_key
key_of(uint32_t i)
{
	uint32_t x = i * 2654435761u;   /* odd multiplier: a bijection on 32 bits */
	struct sy_flow_key k = {
		.local_ip = rte_cpu_to_be_32(0x0a000001),
		.remote_ip = rte_cpu_to_be_32(0x0a800000u ^ (x >> 16)),
		.local_port = rte_cpu_to_be_16(80),
		.remote_port = rte_cpu_to_be_16((uint16_t)x),
	};
	return k;
}

/* Bytes allocated from the EAL heaps of every socket. */
static uint64_t
heap_used(void)
{
	uint64_t sum = 0;

	for (unsigned int i = 0; i < rte_socket_count(); i++) {
		struct rte_malloc_socket_stats st;

		if (rte_malloc_get_socket_stats(rte_socket_id_by_idx(i), &st) == 0)
			sum += st.heap_allocsz_bytes;
	}
	return sum;
}

static void
print_rate(const char *name, struct rate r, const char *sep)
{
	printf("\"%s\":{\"mops\":%.2f,\"ns_per_op\":%.1f}%s", name, r.mops, r.ns_per_op, sep);
}

/* ---- the two tables behind one interface ---- */

struct impl {
	const char *name;
	void *(*create)(uint32_t n);
	void (*destroy)(void *t);
	int (*insert)(void *t, const struct sy_flow_key *k, uint32_t v);
	int (*lookup)(const void *t, const struct sy_flow_key *k, uint32_t *v);
	uint64_t (*bulk)(const void *t, const struct sy_flow_key **k, unsigned int n,
			 uint32_t *v);
	int (*remove)(void *t, const struct sy_flow_key *k);
};

static void *
sy_create(uint32_t n)
{
	return sy_flow_table_create("bench_flow", n, SOCKET_ID_ANY);
}

static void
sy_destroy(void *t)
{
	sy_flow_table_free(t);
}

static int
sy_insert(void *t, const struct sy_flow_key *k, uint32_t v)
{
	return sy_flow_insert(t, k, v);
}

static int
sy_lookup(const void *t, const struct sy_flow_key *k, uint32_t *v)
{
	return sy_flow_lookup(t, k, v);
}

static uint64_t
sy_bulk(const void *t, const struct sy_flow_key **k, unsigned int n, uint32_t *v)
{
	return sy_flow_lookup_bulk(t, k, n, v);
}

static int
sy_remove(void *t, const struct sy_flow_key *k)
{
	return sy_flow_remove(t, k);
}

static void *
rh_create(uint32_t n)
{
	struct rte_hash_parameters p = {
		.name = "bench_rte_hash",
		.entries = n,
		.key_len = sizeof(struct sy_flow_key),
		.hash_func = rte_hash_crc,
		.socket_id = SOCKET_ID_ANY,
	};

	return rte_hash_create(&p);
}

static void
rh_destroy(void *t)
{
	rte_hash_free(t);
}

static int
rh_insert(void *t, const struct sy_flow_key *k, uint32_t v)
{
	return rte_hash_add_key_data(t, k, (void *)(uintptr_t)v);
}

static int
rh_lookup(const void *t, const struct sy_flow_key *k, uint32_t *v)
{
	void *d;

	if (rte_hash_lookup_data(t, k, &d) < 0)
		return -ENOENT;
	*v = (uint32_t)(uintptr_t)d;
	return 0;
}

static uint64_t
rh_bulk(const void *t, const struct sy_flow_key **k, unsigned int n, uint32_t *v)
{
	void *d[BULK_BURST];
	uint64_t hits = 0;

	if (rte_hash_lookup_bulk_data(t, (const void **)k, n, &hits, d) < 0)
		return 0;
	for (uint64_t m = hits; m != 0; m &= m - 1)
		v[__builtin_ctzll(m)] = (uint32_t)(uintptr_t)d[__builtin_ctzll(m)];
	return hits;
}

static int
rh_remove(void *t, const struct sy_flow_key *k)
{
	return rte_hash_del_key(t, k) < 0 ? -ENOENT : 0;
}

static const struct impl impls[] = {
	{ "sy_flow", sy_create, sy_destroy, sy_insert, sy_lookup, sy_bulk, sy_remove },
	{ "rte_hash", rh_create, rh_destroy, rh_insert, rh_lookup, rh_bulk, rh_remove },
};

/* ---- one round ---- */

enum { OP_INSERT, OP_HIT, OP_MISS, OP_BULK, OP_PAIR, OP_REMOVE, OP_N };

static const char *const op_names[OP_N] = {
	"insert", "lookup_hit", "lookup_miss", "lookup_bulk", "remove_insert_pair", "remove",
};

struct run {
	const struct impl *im;
	void *t;
	const struct sy_flow_key *keys;   /* [0, n) inserted first, [n, 2n) misses, churn */
	const struct sy_flow_key **kp;    /* pointers to [0, n), for the bulk lookups */
	uint32_t n;
	uint64_t sink, failures;          /* failed inserts/removes (rte_hash may refuse) */
};

static void
phase_bulk(struct run *r)
{
	uint32_t vals[BULK_BURST];

	for (uint32_t i = 0; i + BULK_BURST <= r->n; i += BULK_BURST) {
		uint64_t hits = r->im->bulk(r->t, &r->kp[i], BULK_BURST, vals);

		r->sink += hits + vals[0];
	}
}

/*
 * Fill to capacity, look every key up, look up as many absent keys, look every key up
 * again in bursts, replace every key once at full capacity (remove the oldest, insert a
 * new one), empty the table. Writes the seconds of each phase to @p sec.
 */
static void
table_round(struct run *r, double sec[OP_N])
{
	const struct sy_flow_key *k = r->keys;
	uint32_t n = r->n, v;
	double t[OP_N + 1];

	t[0] = now_s();
	for (uint32_t i = 0; i < n; i++)
		r->failures += r->im->insert(r->t, &k[i], i) != 0;
	t[1] = now_s();
	for (uint32_t i = 0; i < n; i++)
		r->sink += r->im->lookup(r->t, &k[i], &v) == 0 ? v : 0;
	t[2] = now_s();
	for (uint32_t i = 0; i < n; i++)
		r->sink += r->im->lookup(r->t, &k[n + i], &v) == 0;
	t[3] = now_s();
	phase_bulk(r);
	t[4] = now_s();
	for (uint32_t i = 0; i < n; i++) {
		r->failures += r->im->remove(r->t, &k[i]) != 0;
		r->failures += r->im->insert(r->t, &k[n + i], i) != 0;
	}
	t[5] = now_s();
	for (uint32_t i = 0; i < n; i++)
		r->failures += r->im->remove(r->t, &k[n + i]) != 0;
	t[6] = now_s();
	for (int op = 0; op < OP_N; op++)
		sec[op] = t[op + 1] - t[op];
}

/* Ops per phase: every phase touches n keys (the bulk one n rounded down to bursts). */
static uint64_t
phase_ops(uint32_t n, int op)
{
	return op == OP_BULK ? n / BULK_BURST * BULK_BURST : n;
}

static void
print_probe_stats(const struct sy_flow_table *t)
{
	struct sy_flow_probe_stats st;

	if (sy_flow_table_check(t, &st) != 0) {
		printf("\"probe\":\"invariant broken\",");
		return;
	}
	printf("\"load_factor\":%.4f,\"probe\":{\"hit_slots\":%.3f,\"hit_lines\":%.3f,"
	       "\"miss_slots\":%.3f,\"miss_lines\":%.3f,\"max_displacement\":%u},",
	       (double)st.entries / sy_flow_table_nslots(t), st.hit_slots, st.hit_lines,
	       st.miss_slots, st.miss_lines, st.max_displacement);
}

/* Fills our table once more to capacity for its probe statistics, then empties it. */
static void
sy_probe_snapshot(struct run *r)
{
	for (uint32_t i = 0; i < r->n; i++)
		r->failures += sy_flow_insert(r->t, &r->keys[i], i) != 0;
	print_probe_stats(r->t);
	for (uint32_t i = 0; i < r->n; i++)
		r->failures += sy_flow_remove(r->t, &r->keys[i]) != 0;
}

/* Best of ROUNDS per phase (the machine is shared); round 0 also pays first-touch faults. */
static int
bench_impl(const struct impl *im, const struct sy_flow_key *keys,
	   const struct sy_flow_key **kp, uint32_t n)
{
	struct run r = { .im = im, .keys = keys, .kp = kp, .n = n };
	double best[OP_N], first_insert = 0;
	uint64_t before = heap_used();

	r.t = im->create(n);
	if (r.t == NULL) {
		fprintf(stderr, "%s create %u: %s\n", im->name, n, rte_strerror(rte_errno));
		return -ENOMEM;
	}
	double bpe = (double)(heap_used() - before) / n;

	for (int round = 0; round < ROUNDS; round++) {
		double sec[OP_N];

		table_round(&r, sec);
		if (round == 0)
			first_insert = sec[OP_INSERT];
		for (int op = 0; op < OP_N; op++)
			best[op] = round == 0 ? sec[op] : RTE_MIN(best[op], sec[op]);
	}
	printf("\"entries\":%u,\"bytes_per_entry\":%.1f,", n, bpe);
	if (im->create == sy_create)
		sy_probe_snapshot(&r);
	print_rate("insert_first_touch", rate_of(n, first_insert), ",");
	for (int op = 0; op < OP_N; op++)
		print_rate(op_names[op], rate_of(phase_ops(n, op), best[op]), ",");
	printf("\"failures\":%" PRIu64 ",\"sink\":%" PRIu64, r.failures, r.sink % 10);
	im->destroy(r.t);
	return 0;
}

static int
keys_make(uint32_t n, struct sy_flow_key **keys, const struct sy_flow_key ***kp)
{
	*keys = malloc(sizeof(**keys) * (size_t)n * 2);
	*kp = malloc(sizeof(**kp) * (size_t)n);
	if (*keys == NULL || *kp == NULL)
		return -ENOMEM;
	for (uint32_t i = 0; i < 2 * n; i++)
		(*keys)[i] = key_of(i);
	for (uint32_t i = 0; i < n; i++)
		(*kp)[i] = &(*keys)[i];
	return 0;
}

/* Our table's fields at the top level (the shape run.py has stored), rte_hash's inside. */
static int
bench_table(uint32_t n, const char *sep)
{
	struct sy_flow_key *keys;
	const struct sy_flow_key **kp;
	int rc = keys_make(n, &keys, &kp);

	printf("{");
	if (rc == 0)
		rc = bench_impl(&impls[0], keys, kp, n);
	printf(",\"rte_hash\":{");
	if (rc == 0)
		rc = bench_impl(&impls[1], keys, kp, n);
	printf("}}%s", sep);
	free(kp);
	free(keys);
	return rc;
}

/* ---- load-factor sweep (our table only) ---- */

/* Lookups (hit, miss, bulk) and churn at full capacity in a table of @p nslots slots. */
static int
sweep_one(const struct sy_flow_key *keys, const struct sy_flow_key **kp, uint32_t n,
	  uint32_t nslots)
{
	struct run r = { .im = &impls[0], .keys = keys, .kp = kp, .n = n };
	double best[OP_N];

	r.t = sy_flow_table_create_slots("bench_sweep", n, nslots, SOCKET_ID_ANY);
	if (r.t == NULL)
		return -ENOMEM;
	for (int round = 0; round < ROUNDS; round++) {
		double sec[OP_N];

		table_round(&r, sec);
		for (int op = 0; op < OP_N; op++)
			best[op] = round == 0 ? sec[op] : RTE_MIN(best[op], sec[op]);
	}
	printf("{\"slots\":%u,\"bytes_per_entry\":%.1f,", nslots, 16.0 * nslots / n);
	sy_probe_snapshot(&r);
	for (int op = 0; op < OP_N; op++)
		print_rate(op_names[op], rate_of(phase_ops(n, op), best[op]),
			   op + 1 < OP_N ? "," : "");
	printf(",\"failures\":%" PRIu64 "}", r.failures);
	sy_flow_table_free(r.t);
	return 0;
}

static int
bench_sweep(uint32_t n)
{
	static const double loads[] = { 0.5, 0.6, 2.0 / 3, 0.75, 0.8, 0.85, 0.9 };
	struct sy_flow_key *keys;
	const struct sy_flow_key **kp;
	int rc = keys_make(n, &keys, &kp);

	printf("{\"bench\":\"flow_sweep\",\"entries\":%u,\"loads\":[", n);
	for (size_t i = 0; rc == 0 && i < RTE_DIM(loads); i++) {
		uint32_t ns = RTE_ALIGN_CEIL((uint32_t)(n / loads[i]) + 1, 4u);

		rc = sweep_one(keys, kp, n, ns);
		printf("%s", i + 1 < RTE_DIM(loads) ? "," : "");
	}
	printf("]}\n");
	free(kp);
	free(keys);
	return rc;
}

/* ---- index arena ---- */

static int
bench_arena(uint32_t n, size_t elt)
{
	struct sy_arena *a = sy_arena_create("bench_arena", elt, n, SOCKET_ID_ANY);
	uint32_t *idx = malloc(sizeof(*idx) * n);

	if (a == NULL || idx == NULL) {
		fprintf(stderr, "arena: %s\n", rte_strerror(rte_errno));
		return -ENOMEM;
	}
	double t0 = now_s();

	for (uint32_t i = 0; i < n; i++)
		if (sy_arena_alloc(a, &idx[i]) != 0)
			return -EIO;
	double t1 = now_s();

	for (uint32_t i = 0; i < n; i++)
		sy_arena_put(a, idx[i]);
	double t2 = now_s();

	for (uint32_t i = 0; i < n; i++) {   /* steady state: one block hot in cache */
		if (sy_arena_alloc(a, &idx[0]) != 0)
			return -EIO;
		sy_arena_put(a, idx[0]);
	}
	double t3 = now_s();

	printf("\"arena\":{\"blocks\":%u,\"elt_size\":%zu,\"stride\":%zu,", n, elt,
	       sy_arena_view(a)->stride);
	print_rate("alloc_zeroed_cold", rate_of(n, t1 - t0), ",");
	print_rate("put", rate_of(n, t2 - t1), ",");
	print_rate("alloc_put_pair", rate_of(n, t3 - t2), "}");
	sy_arena_free(a);
	free(idx);
	return 0;
}

int
main(int argc, char **argv)
{
	char *eal[] = {
		"bench_flow", "--no-huge", "--no-pci", "--no-shconf", "--no-telemetry",
		"-m", "4096", "-l", "0", "--log-level=error", NULL,
	};
	uint32_t sizes[16] = { 1000000, 10000000 };
	int nsizes = 2, first = 1;
	bool sweep = argc > 1 && strcmp(argv[1], "sweep") == 0;

	if (sweep) {
		sizes[0] = 1000000;
		nsizes = 1;
		first = 2;
	}
	if (argc > first) {
		nsizes = 0;
		for (int i = first; i < argc && nsizes < 16; i++)
			sizes[nsizes++] = (uint32_t)strtoul(argv[i], NULL, 0);
	}
	if (rte_eal_init((int)RTE_DIM(eal) - 1, eal) < 0) {
		fprintf(stderr, "rte_eal_init: %s\n", rte_strerror(rte_errno));
		return 2;
	}
	if (sweep)
		return bench_sweep(sizes[0]) == 0 ? 0 : 1;
	printf("{\"bench\":\"flow\",\"tables\":[");
	for (int i = 0; i < nsizes; i++) {
		int rc = bench_table(sizes[i], i + 1 < nsizes ? "," : "");

		if (rc != 0) {
			fprintf(stderr, "bench_table(%u): %d\n", sizes[i], rc);
			return 1;
		}
	}
	printf("],");
	if (bench_arena(1000000, 256) != 0)
		return 1;
	printf("}\n");
	rte_eal_cleanup();
	return 0;
}
