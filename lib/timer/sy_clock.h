/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * The one place time is read. Each lcore owns a struct sy_clock; its loop calls
 * sy_clock_update() once per iteration (one rdtsc), and every layer reads the cached value.
 * Tests make the clock virtual and move it with sy_clock_set(): nothing in the stack calls
 * rte_rdtsc() or clock_gettime() directly, so no test ever sleeps.
 */
#ifndef SY_CLOCK_H
#define SY_CLOCK_H

#include <stdbool.h>
#include <stdint.h>
#include <rte_cycles.h>

struct sy_clock {
	uint64_t now_us;      /**< microseconds since the clock was made */
	uint64_t tsc;         /**< the TSC read by the last update (0 when virtual) */
	uint64_t tsc_hz;
	uint64_t tsc_base;
	uint64_t us_mult;     /**< 2^32 * 10^6 / tsc_hz: TSC ticks to us without a divide */
	bool is_virtual;
};

/** A real clock driven by the TSC, starting at 0 us. */
static inline void
sy_clock_init(struct sy_clock *c)
{
	c->tsc_hz = rte_get_tsc_hz();
	c->tsc_base = rte_rdtsc();
	c->tsc = c->tsc_base;
	c->us_mult = (uint64_t)(((__uint128_t)1000000 << 32) / c->tsc_hz);
	c->now_us = 0;
	c->is_virtual = false;
}

/** A virtual clock at @p start_us that moves only with sy_clock_set(). */
static inline void
sy_clock_init_virtual(struct sy_clock *c, uint64_t start_us)
{
	c->tsc_hz = 0;
	c->tsc_base = 0;
	c->tsc = 0;
	c->us_mult = 0;
	c->now_us = start_us;
	c->is_virtual = true;
}

/**
 * Reads the TSC once; a virtual clock does not move. The conversion is one 64x64->128
 * multiply and a shift (no divide: this runs every loop iteration); the 128-bit product
 * cannot overflow in any uptime, and the error of the truncated multiplier is below
 * 1 us per hour.
 */
static inline void
sy_clock_update(struct sy_clock *c)
{
	if (!c->is_virtual) {
		c->tsc = rte_rdtsc();
		c->now_us = (uint64_t)(((__uint128_t)(c->tsc - c->tsc_base) * c->us_mult) >> 32);
	}
}

/** Moves a virtual clock (never backwards). */
static inline void
sy_clock_set(struct sy_clock *c, uint64_t now_us)
{
	if (now_us > c->now_us)
		c->now_us = now_us;
}

static inline uint64_t sy_clock_us(const struct sy_clock *c) { return c->now_us; }
static inline uint64_t sy_clock_ms(const struct sy_clock *c) { return c->now_us / 1000; }

#endif /* SY_CLOCK_H */
