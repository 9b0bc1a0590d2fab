/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Per-lcore hierarchical timer wheel.
 *
 * Timers are named by a 32-bit id in [0, capacity): the owner (TCP) uses its connection
 * block index as the id, so a connection carries no timer pointer at all and the wheel's
 * per-timer node lives in one array of capacity entries. One id holds at most one armed
 * deadline; an owner with several logical timers (RTO, delayed ACK, keepalive, 2MSL) arms
 * the earliest and re-arms on expiry.
 *
 * Time is in ticks chosen by the owner (synack uses 1 ms). The wheel never reads a clock:
 * sy_timer_advance() is told the current tick.
 *
 * Contract: arm, re-arm and cancel are O(1); advance costs O(expired + slots passed);
 * a timer fires in the first advance() whose tick is >= its deadline, and timers fire in
 * deadline order (ties in any order). The callback may arm, re-arm or cancel any timer,
 * including the one firing. Not thread safe: one wheel, one lcore.
 *
 * Details of this implementation (see the comment at the top of sy_timer.c):
 * - Any 64-bit deadline is valid; one node is 16 bytes; the wheel adds about 11 KiB.
 * - While a callback runs, sy_timer_now() is the tick being processed, which is the
 *   firing timer's deadline (or, for a timer that was due when armed, the tick at which
 *   the advance() call started). A periodic timer re-arms with sy_timer_now(w) + period.
 * - A timer armed with a deadline <= sy_timer_now() (also from inside a callback) fires
 *   at the start of the NEXT advance() call, before any later deadline, and not in the
 *   call that is running. A deadline in the future that is <= the running advance()'s
 *   tick fires in the running call, in order.
 * - advance() with a tick below sy_timer_now() does not move the wheel back; it still
 *   fires the due timers. advance() must not be called from a callback.
 * - The node array comes from rte_zmalloc_socket(); when EAL is not initialised or its
 *   heap is too small, from an anonymous mmap().
 */
#ifndef SY_TIMER_H
#define SY_TIMER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct sy_timer_wheel;

/** Called for each expired timer; the timer is disarmed before the call. */
typedef void (*sy_timer_expire_fn)(void *arg, uint32_t id);

/**
 * @param capacity  number of timer ids (1 .. 2^31)
 * @param now_tick  the wheel's current tick
 * @param socket    NUMA socket for the node array (SOCKET_ID_ANY allowed)
 * @return the wheel, or NULL with rte_errno set (EINVAL, ENOMEM)
 */
struct sy_timer_wheel *sy_timer_wheel_create(uint32_t capacity, uint64_t now_tick, int socket);

void sy_timer_wheel_free(struct sy_timer_wheel *w);

/** Arms (or re-arms) timer @p id to fire at tick @p expires; a past tick fires next advance. */
void sy_timer_arm(struct sy_timer_wheel *w, uint32_t id, uint64_t expires);

/** Disarms timer @p id; a no-op when it is not armed. */
void sy_timer_cancel(struct sy_timer_wheel *w, uint32_t id);

bool sy_timer_is_armed(const struct sy_timer_wheel *w, uint32_t id);

/** The deadline of an armed timer (undefined when not armed). */
uint64_t sy_timer_expires(const struct sy_timer_wheel *w, uint32_t id);

/**
 * Moves the wheel to @p now_tick and fires every timer due by then, in deadline order.
 * @return the number of timers fired
 */
uint32_t sy_timer_advance(struct sy_timer_wheel *w, uint64_t now_tick,
			  sy_timer_expire_fn fn, void *arg);

uint64_t sy_timer_now(const struct sy_timer_wheel *w);

/** Number of armed timers. */
uint32_t sy_timer_count(const struct sy_timer_wheel *w);

/** Bytes of memory the wheel uses (for docs and benchmarks). */
size_t sy_timer_wheel_memory(const struct sy_timer_wheel *w);

/** Work counters of one wheel (plain per-lcore counters, read by the owner). */
struct sy_timer_stats {
	uint64_t fired;     /**< callbacks called */
	uint64_t cascaded;  /**< timers moved from a coarse level to a finer one */
	uint64_t steps;     /**< slots processed by advance() (idle ticks are skipped) */
};

/** Copies the wheel's counters into @p st. */
void sy_timer_wheel_stats(const struct sy_timer_wheel *w, struct sy_timer_stats *st);

#endif /* SY_TIMER_H */
