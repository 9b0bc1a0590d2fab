/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Log-linear latency histogram (the HdrHistogram idea with a fixed precision).
 *
 * Values below 16 have a bucket each. Above, every power of two [2^k, 2^(k+1)) is split
 * into 16 equal sub-buckets, so a bucket is never wider than 1/16 of its lower bound:
 * reporting its midpoint is within 1/32 (3.2 %) of any value it holds, and the whole
 * uint64_t range (ns up to centuries) takes 16 + 60 x 16 = 976 buckets (7.8 KiB).
 * Recording is O(1): one count-leading-zeros, a shift, two adds. One histogram per lcore,
 * merged at the end (bucket-wise sums), so recording needs no atomics.
 *
 * Percentiles use the nearest-rank definition: the p-th percentile is the value of rank
 * ceil(p/100 x count) in sorted order; the histogram returns the midpoint of the bucket
 * holding that rank, clamped to the exact min and max.
 * The unit is the caller's (the load generator records microseconds, the unit of sy_clock).
 */
#ifndef SY_HIST_H
#define SY_HIST_H

#include <stdint.h>

#define SY_HIST_SUB_BITS 4
#define SY_HIST_SUB (1u << SY_HIST_SUB_BITS)                      /* 16 */
#define SY_HIST_BUCKETS (SY_HIST_SUB + (64 - SY_HIST_SUB_BITS) * SY_HIST_SUB)

struct sy_hist {
	uint64_t count;
	uint64_t sum;          /**< wraps after 2^64 units in total */
	uint64_t min;          /**< UINT64_MAX when empty */
	uint64_t max;
	uint64_t buckets[SY_HIST_BUCKETS];
};

/** Empties @p h. */
void sy_hist_init(struct sy_hist *h);

/** The bucket of @p v. */
static inline unsigned int
sy_hist_bucket(uint64_t v)
{
	if (v < SY_HIST_SUB)
		return (unsigned int)v;
	unsigned int k = 63u - (unsigned int)__builtin_clzll(v);   /* k >= 4 */
	unsigned int sub = (unsigned int)(v >> (k - SY_HIST_SUB_BITS)) & (SY_HIST_SUB - 1);

	return SY_HIST_SUB + (k - SY_HIST_SUB_BITS) * SY_HIST_SUB + sub;
}

/** Lowest value of bucket @p b. */
uint64_t sy_hist_bucket_low(unsigned int b);

/** Highest value of bucket @p b. */
uint64_t sy_hist_bucket_high(unsigned int b);

/** Records one value: O(1). */
static inline void
sy_hist_record(struct sy_hist *h, uint64_t v)
{
	h->buckets[sy_hist_bucket(v)]++;
	h->count++;
	h->sum += v;
	if (v < h->min)
		h->min = v;
	if (v > h->max)
		h->max = v;
}

/** Adds every value of @p src to @p dst. */
void sy_hist_merge(struct sy_hist *dst, const struct sy_hist *src);

/**
 * The @p p-th percentile (0 < p <= 100; p >= 100 gives the max, p <= 0 the min).
 * @return 0 when empty
 */
uint64_t sy_hist_percentile(const struct sy_hist *h, double p);

/** Arithmetic mean (exact sum / count); 0 when empty. */
double sy_hist_mean(const struct sy_hist *h);

static inline uint64_t sy_hist_count(const struct sy_hist *h) { return h->count; }
static inline uint64_t sy_hist_max(const struct sy_hist *h) { return h->max; }
static inline uint64_t
sy_hist_min(const struct sy_hist *h)
{
	return h->count ? h->min : 0;
}

#endif /* SY_HIST_H */
