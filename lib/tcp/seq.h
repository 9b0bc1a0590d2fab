/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Sequence-number arithmetic modulo 2^32 (RFC 9293 3.4): a is "less than" b when the
 * signed 32-bit difference a - b is negative, which is correct while the two numbers are
 * less than 2^31 apart -- always true for numbers inside one window.
 */
#ifndef SY_TCP_SEQ_H
#define SY_TCP_SEQ_H

#include <stdint.h>

#define SEQ_LT(a, b)  ((int32_t)((uint32_t)(a) - (uint32_t)(b)) < 0)
#define SEQ_LEQ(a, b) ((int32_t)((uint32_t)(a) - (uint32_t)(b)) <= 0)
#define SEQ_GT(a, b)  ((int32_t)((uint32_t)(a) - (uint32_t)(b)) > 0)
#define SEQ_GEQ(a, b) ((int32_t)((uint32_t)(a) - (uint32_t)(b)) >= 0)

/** lo <= x < hi, modulo 2^32. */
static inline int
seq_in(uint32_t x, uint32_t lo, uint32_t hi)
{
	return x - lo < hi - lo;
}

static inline uint32_t
seq_max(uint32_t a, uint32_t b)
{
	return SEQ_GT(a, b) ? a : b;
}

/* Millisecond deadlines are kept in 32 bits and compared the same way (49-day range). */
#define TIME_LEQ(a, b) SEQ_LEQ(a, b)

#endif /* SY_TCP_SEQ_H */
