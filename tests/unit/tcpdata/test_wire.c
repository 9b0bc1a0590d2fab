/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The fault-injecting wire (lib/wire): deterministic from its seed, rates close to the
 * configured ones, reordering and duplication as documented, corrupted frames caught by
 * the receiving stack's checksums and counted, never delivered as data.
 */
#include <string.h>
#include <criterion/criterion.h>

#include "sy_test.h"
#include "sy_wire.h"
#include "xfer.h"

TestSuite(wire, .init = sy_test_eal_init);

static struct rte_mempool *pool;

static void
send_n(struct sy_wire *w, struct sy_txq *q, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++) {
		struct rte_mbuf *m = rte_pktmbuf_alloc(pool);
		uint32_t *p = (uint32_t *)rte_pktmbuf_append(m, 64);

		memset(p, 0, 64);
		p[10] = i;                               /* past the Ethernet header */
		sy_txq_push(q, m);
	}
	sy_txq_flush(q);
}

/* Delivers everything bound for end 1; fills ids[] with frame numbers. */
static unsigned int
drain(struct sy_wire *w, struct sy_clock *c, uint32_t *ids, unsigned int max)
{
	struct rte_mbuf *m[32];
	unsigned int n = 0;

	for (int t = 0; t < 100 && sy_wire_in_flight(w, 1) > 0; t++) {
		uint16_t k;

		sy_clock_set(c, sy_clock_us(c) + 1000);
		while ((k = sy_wire_deliver(w, 1, m, 32)) > 0) {
			for (uint16_t i = 0; i < k; i++) {
				if (n < max)
					ids[n++] = rte_pktmbuf_mtod(m[i], uint32_t *)[10];
				rte_pktmbuf_free(m[i]);
			}
		}
	}
	return n;
}

static unsigned int
run(uint64_t seed, uint32_t *ids, struct sy_wire_stats *st)
{
	struct sy_wire_conf wc;
	struct sy_clock c;
	struct sy_txq q;
	struct sy_wire *w;
	unsigned int n;

	sy_clock_init_virtual(&c, 0);
	sy_wire_conf_defaults(&wc);
	wc.seed = seed;
	wc.drop_ppm = 100000;
	wc.dup_ppm = 50000;
	wc.reorder_ppm = 50000;
	w = sy_wire_create(&wc, &c, SOCKET_ID_ANY);
	cr_assert_not_null(w);
	sy_wire_attach(w, 0, &q);
	send_n(w, &q, 10000);
	n = drain(w, &c, ids, 20000);
	*st = *sy_wire_stats(w, 1);
	sy_wire_free(w);
	return n;
}

Test(wire, same_seed_same_faults_and_rates_near_configuration)
{
	static uint32_t a[20000], b[20000];
	struct sy_wire_stats sa, sb;
	unsigned int na, nb;

	pool = sy_test_pool(16383);
	na = run(7, a, &sa);
	nb = run(7, b, &sb);
	cr_assert_eq(na, nb);
	cr_assert_arr_eq(a, b, na * sizeof(a[0]), "same seed, different frames");
	cr_assert_eq(sa.offered, 10000);
	/* 10 % drop, 5 % dup, 5 % reorder of 10000: well inside 4 sigma */
	cr_assert(sa.dropped > 880 && sa.dropped < 1120, "dropped %lu", sa.dropped);
	cr_assert(sa.duplicated > 410 && sa.duplicated < 590, "dup %lu", sa.duplicated);
	cr_assert(sa.reordered > 340 && sa.reordered < 560, "reordered %lu", sa.reordered);
	cr_assert_eq(sa.delivered, sa.offered - sa.dropped + sa.duplicated);
	cr_assert_eq(na, sa.delivered);
	nb = run(8, b, &sb);
	cr_assert(sb.dropped != sa.dropped || memcmp(a, b, 100 * sizeof(a[0])) != 0,
		  "another seed did the same");
	sy_test_pool_check_and_free(pool);
}

Test(wire, held_frame_arrives_after_later_frames)
{
	static uint32_t ids[20000];
	struct sy_wire_stats st;
	unsigned int n, late = 0;

	pool = sy_test_pool(16383);
	n = run(3, ids, &st);
	for (unsigned int i = 1; i < n; i++)
		late += ids[i] < ids[i - 1];
	cr_assert(late > 0 && st.reordered > 0, "no frame overtaken");
	sy_test_pool_check_and_free(pool);
}

Test(wire, corrupted_frames_are_caught_by_checksums_never_delivered)
{
	struct sy_wire_conf wc;
	struct xf x;
	const uint64_t b[2] = { 4u << 20, 4u << 20 };
	uint64_t caught = 0;

	sy_wire_conf_defaults(&wc);
	wc.seed = 99;
	wc.corrupt_ppm = 50000;                          /* 5 % of frames */
	xf_create(&x, &wc, NULL);
	xf_run(&x, b, 600ull * 1000000);
	xf_assert_exact(&x);
	for (int i = 0; i < 2; i++) {
		const struct sy_net_stats *ns = sy_net_stats(x.s[i].net);
		const struct sy_tcp_stats *ts = sy_tcp_stats(x.s[i].tcp);

#define NET_DROP(n) if (strstr(#n, "drop")) caught += ns->n;
		SY_NET_STATS(NET_DROP)
#undef NET_DROP
		caught += ts->drop_bad_csum + ts->drop_bad_offset + ts->drop_bad_options;
	}
	uint64_t corrupted = sy_wire_stats(x.wire, 0)->corrupted +
			     sy_wire_stats(x.wire, 1)->corrupted;
	cr_assert(corrupted > 100, "only %lu corrupted", corrupted);
	/* every corrupted frame was dropped by a named counter (SHA-256 equal above) */
	cr_assert_eq(caught, corrupted, "corrupted %lu, caught %lu", corrupted, caught);
	xf_destroy(&x);
}
