/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * bench_flow: single-core rates of the flow table (insert, lookup hit, lookup miss,
 * remove, remove+insert churn at full capacity; best of 3 rounds) and of the index arena,
 * printed as one JSON object on stdout. Rates are single-threaded, no reader registered.
 *
 * Usage: bench_flow [entries ...]      (default: 1000000 10000000)
 * EAL runs on malloc'd memory (--no-huge, 4 GiB), one lcore, no devices. Keys are
 * generated up front in ordinary memory; only the table lives in the EAL heap, whose
 * growth across sy_flow_table_create() gives the bytes per entry.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_malloc.h>

#include "sy_flow.h"

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

enum { OP_INSERT, OP_HIT, OP_MISS, OP_PAIR, OP_REMOVE, OP_N };

static const char *const op_names[OP_N] = {
	"insert", "lookup_hit", "lookup_miss", "remove_insert_pair", "remove",
};

/*
 * One round: fill to capacity, look every key up, look up as many absent keys, replace
 * every key once at full capacity (remove the oldest, insert a new one), empty the table.
 * Writes the seconds of each phase to @p sec.
 */
static int
table_round(struct sy_flow_table *t, const struct sy_flow_key *keys, uint32_t n,
	    double sec[OP_N], uint64_t *sink)
{
	double t0 = now_s();
	uint32_t v;

	for (uint32_t i = 0; i < n; i++)
		if (sy_flow_insert(t, &keys[i], i) != 0)
			return -EIO;
	double t1 = now_s();

	for (uint32_t i = 0; i < n; i++)
		*sink += sy_flow_lookup(t, &keys[i], &v) == 0 ? v : 0;
	double t2 = now_s();

	for (uint32_t i = 0; i < n; i++)
		*sink += sy_flow_lookup(t, &keys[n + i], &v) == 0;
	double t3 = now_s();

	for (uint32_t i = 0; i < n; i++)
		if (sy_flow_remove(t, &keys[i]) != 0 || sy_flow_insert(t, &keys[n + i], i) != 0)
			return -EIO;
	double t4 = now_s();

	for (uint32_t i = 0; i < n; i++)
		if (sy_flow_remove(t, &keys[n + i]) != 0)
			return -EIO;
	double t5 = now_s();

	sec[OP_INSERT] = t1 - t0;
	sec[OP_HIT] = t2 - t1;
	sec[OP_MISS] = t3 - t2;
	sec[OP_PAIR] = t4 - t3;
	sec[OP_REMOVE] = t5 - t4;
	return 0;
}

#define ROUNDS 3

/* Best of ROUNDS per phase (the machine is shared); round 0 also pays first-touch faults. */
static int
bench_table(uint32_t n, const char *sep)
{
	struct sy_flow_key *keys = malloc(sizeof(*keys) * (size_t)n * 2);
	double best[OP_N], first_insert = 0;
	uint64_t sink = 0;

	if (keys == NULL)
		return -ENOMEM;
	for (uint32_t i = 0; i < 2 * n; i++)
		keys[i] = key_of(i);   /* [0, n) inserted first, [n, 2n) misses, then churn */

	uint64_t before = heap_used();
	struct sy_flow_table *t = sy_flow_table_create("bench_flow", n, SOCKET_ID_ANY);

	if (t == NULL) {
		fprintf(stderr, "create %u: %s\n", n, rte_strerror(rte_errno));
		free(keys);
		return -rte_errno;
	}
	double bpe = (double)(heap_used() - before) / n;

	for (int r = 0; r < ROUNDS; r++) {
		double sec[OP_N];

		if (table_round(t, keys, n, sec, &sink) != 0)
			return -EIO;
		if (r == 0)
			first_insert = sec[OP_INSERT];
		for (int op = 0; op < OP_N; op++)
			best[op] = r == 0 ? sec[op] : RTE_MIN(best[op], sec[op]);
	}
	printf("{\"entries\":%u,\"bytes_per_entry\":%.1f,", n, bpe);
	print_rate("insert_first_touch", rate_of(n, first_insert), ",");
	for (int op = 0; op < OP_N; op++)
		print_rate(op_names[op], rate_of(n, best[op]), ",");
	printf("\"count_after\":%u,\"sink\":%" PRIu64 "}%s", sy_flow_count(t), sink % 10, sep);
	sy_flow_table_free(t);
	free(keys);
	return 0;
}

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
	int nsizes = 2;

	if (argc > 1) {
		nsizes = 0;
		for (int i = 1; i < argc && nsizes < 16; i++)
			sizes[nsizes++] = (uint32_t)strtoul(argv[i], NULL, 0);
	}
	if (rte_eal_init((int)RTE_DIM(eal) - 1, eal) < 0) {
		fprintf(stderr, "rte_eal_init: %s\n", rte_strerror(rte_errno));
		return 2;
	}
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
