/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Latency histogram tests: percentiles against the exact nearest-rank percentile of the
 * sorted values, within the bucket error (1/16 of the value; 1/32 with the midpoint).
 */
#include <stdlib.h>
#include <string.h>
#include <criterion/criterion.h>

#include "sy_hist.h"

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* nearest rank: ceil(p/100 * n), 1-based */
static uint64_t
exact_percentile(const uint64_t *sorted, size_t n, double p)
{
	size_t rank = (size_t)(p / 100.0 * (double)n);

	if ((double)rank < p / 100.0 * (double)n)
		rank++;
	if (rank < 1)
		rank = 1;
	return sorted[rank - 1];
}

static void
assert_close(uint64_t got, uint64_t want, const char *what)
{
	uint64_t diff = got > want ? got - want : want - got;

	/* half a bucket: a bucket is at most 1/16 of its lower bound wide */
	cr_assert(diff * 32 <= want + 1 || diff == 0, "%s: got %lu want %lu", what,
		  (unsigned long)got, (unsigned long)want);
}

static uint64_t rng_state = 88172645463325252ull;

static uint64_t
xorshift(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static void
check_distribution(uint64_t *v, size_t n)
{
	static const double ps[] = { 1, 10, 50, 90, 99, 99.9, 99.99, 100 };
	static struct sy_hist h;

	sy_hist_init(&h);
	for (size_t i = 0; i < n; i++)
		sy_hist_record(&h, v[i]);
	qsort(v, n, sizeof(v[0]), cmp_u64);
	for (size_t i = 0; i < sizeof(ps) / sizeof(ps[0]); i++)
		assert_close(sy_hist_percentile(&h, ps[i]), exact_percentile(v, n, ps[i]),
			     "percentile");
	cr_assert_eq(sy_hist_count(&h), n);
	cr_assert_eq(sy_hist_max(&h), v[n - 1]);
	cr_assert_eq(sy_hist_min(&h), v[0]);
	cr_assert_eq(sy_hist_percentile(&h, 100), v[n - 1], "max is exact");
}

Test(hist, buckets_tile_the_range_with_bounded_width)
{
	uint64_t prev_high = 0;

	for (unsigned int b = 0; b < SY_HIST_BUCKETS; b++) {
		uint64_t lo = sy_hist_bucket_low(b), hi = sy_hist_bucket_high(b);

		if (b > 0)
			cr_assert_eq(lo, prev_high + 1, "bucket %u starts after %u", b, b - 1);
		cr_assert_eq(sy_hist_bucket(lo), b);
		cr_assert_eq(sy_hist_bucket(hi), b);
		if (lo >= 16)
			cr_assert_leq(hi - lo + 1, lo / 16, "bucket %u wider than 1/16", b);
		prev_high = hi;
	}
	cr_assert_eq(prev_high, UINT64_MAX);
	cr_assert_eq(sy_hist_bucket(UINT64_MAX), SY_HIST_BUCKETS - 1);
}

Test(hist, small_values_are_exact)
{
	struct sy_hist h;

	sy_hist_init(&h);
	for (uint64_t v = 0; v < 16; v++)
		sy_hist_record(&h, v);
	cr_assert_eq(sy_hist_percentile(&h, 50), 7);   /* rank 8 of 0..15 */
	cr_assert_eq(sy_hist_percentile(&h, 100), 15);
	cr_assert_eq(sy_hist_min(&h), 0);
	cr_assert_float_eq(sy_hist_mean(&h), 7.5, 1e-9);
}

Test(hist, uniform_values_match_sorted_percentiles)
{
	static uint64_t v[100000];

	for (size_t i = 0; i < 100000; i++)
		v[i] = 1 + xorshift() % 1000000;
	check_distribution(v, 100000);
}

Test(hist, heavy_tail_from_microseconds_to_hours_matches)
{
	static uint64_t v[50000];

	/* log-uniform over 1 us .. 2^42 ns (about 73 minutes) */
	for (size_t i = 0; i < 50000; i++) {
		unsigned int k = (unsigned int)(xorshift() % 42);

		v[i] = (1ull << k) + xorshift() % (1ull << k);
	}
	check_distribution(v, 50000);
}

Test(hist, merge_equals_recording_everything_in_one)
{
	static struct sy_hist a, b, all;
	uint64_t sum = 0;

	sy_hist_init(&a);
	sy_hist_init(&b);
	sy_hist_init(&all);
	for (int i = 0; i < 20000; i++) {
		uint64_t x = xorshift() % 5000000;

		sy_hist_record(i % 3 ? &a : &b, x);
		sy_hist_record(&all, x);
		sum += x;
	}
	sy_hist_merge(&a, &b);
	cr_assert(memcmp(&a, &all, sizeof(a)) == 0);
	cr_assert_float_eq(sy_hist_mean(&a), (double)sum / 20000, 1e-6);
}

Test(hist, merge_of_an_empty_histogram_keeps_min)
{
	struct sy_hist a, empty;

	sy_hist_init(&a);
	sy_hist_init(&empty);
	sy_hist_record(&a, 500);
	sy_hist_merge(&a, &empty);
	cr_assert_eq(sy_hist_min(&a), 500);
	sy_hist_merge(&empty, &a);
	cr_assert_eq(sy_hist_min(&empty), 500);
	cr_assert_eq(sy_hist_count(&empty), 1);
}

Test(hist, empty_histogram_reports_zero)
{
	struct sy_hist h;

	sy_hist_init(&h);
	cr_assert_eq(sy_hist_percentile(&h, 99), 0);
	cr_assert_eq(sy_hist_min(&h), 0);
	cr_assert_eq(sy_hist_max(&h), 0);
	cr_assert_float_eq(sy_hist_mean(&h), 0.0, 1e-12);
}
