/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Log-linear histogram: see sy_hist.h for the bucket layout and its error bound.
 */
#include "sy_hist.h"

#include <string.h>

void
sy_hist_init(struct sy_hist *h)
{
	memset(h, 0, sizeof(*h));
	h->min = UINT64_MAX;
}

uint64_t
sy_hist_bucket_low(unsigned int b)
{
	if (b < SY_HIST_SUB)
		return b;
	unsigned int k = (b - SY_HIST_SUB) / SY_HIST_SUB + SY_HIST_SUB_BITS;
	uint64_t sub = (b - SY_HIST_SUB) % SY_HIST_SUB;

	return (SY_HIST_SUB + sub) << (k - SY_HIST_SUB_BITS);
}

uint64_t
sy_hist_bucket_high(unsigned int b)
{
	if (b + 1 >= SY_HIST_BUCKETS)
		return UINT64_MAX;
	return sy_hist_bucket_low(b + 1) - 1;
}

void
sy_hist_merge(struct sy_hist *dst, const struct sy_hist *src)
{
	for (unsigned int b = 0; b < SY_HIST_BUCKETS; b++)
		dst->buckets[b] += src->buckets[b];
	dst->count += src->count;
	dst->sum += src->sum;
	if (src->count && src->min < dst->min)
		dst->min = src->min;
	if (src->max > dst->max)
		dst->max = src->max;
}

uint64_t
sy_hist_percentile(const struct sy_hist *h, double p)
{
	if (h->count == 0)
		return 0;
	if (p >= 100.0)
		return h->max;
	if (p <= 0.0)
		return h->min;
	/* nearest rank, 1-based */
	double r = p / 100.0 * (double)h->count;
	uint64_t rank = (uint64_t)r;
	uint64_t seen = 0;

	if ((double)rank < r)
		rank++;  /* ceil without libm */
	if (rank < 1)
		rank = 1;
	for (unsigned int b = 0; b < SY_HIST_BUCKETS; b++) {
		seen += h->buckets[b];
		if (seen < rank)
			continue;
		uint64_t lo = sy_hist_bucket_low(b);
		uint64_t v = lo + (sy_hist_bucket_high(b) - lo) / 2;

		if (v < h->min)
			v = h->min;
		if (v > h->max)
			v = h->max;
		return v;
	}
	return h->max;
}

double
sy_hist_mean(const struct sy_hist *h)
{
	return h->count ? (double)h->sum / (double)h->count : 0.0;
}
