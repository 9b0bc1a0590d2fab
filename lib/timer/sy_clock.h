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
	uint64_t tsc_hz;
	uint64_t tsc_base;
	bool is_virtual;
};

/** A real clock driven by the TSC, starting at 0 us. */
static inline void
sy_clock_init(struct sy_clock *c)
{
	c->tsc_hz = rte_get_tsc_hz();
	c->tsc_base = rte_rdtsc();
	c->now_us = 0;
	c->is_virtual = false;
}

/** A virtual clock at @p start_us that moves only with sy_clock_set(). */
static inline void
sy_clock_init_virtual(struct sy_clock *c, uint64_t start_us)
{
	c->tsc_hz = 0;
	c->tsc_base = 0;
	c->now_us = start_us;
	c->is_virtual = true;
}

/** Reads the TSC once; a virtual clock does not move. */
static inline void
sy_clock_update(struct sy_clock *c)
{
	if (!c->is_virtual) {
		/* split so that the product cannot overflow in any uptime */
		uint64_t d = rte_rdtsc() - c->tsc_base;
		c->now_us = d / c->tsc_hz * 1000000 + d % c->tsc_hz * 1000000 / c->tsc_hz;
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
