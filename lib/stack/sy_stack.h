/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * A stack instance: one started port and one worker per queue, each with its own net
 * layer, TCP engine, clock and tx batch, registered with the counter registry.
 *
 * Two instances can live in one process (the in-memory pair: a server stack on port A and
 * a client stack on port B). Workers are placed on lcores by struct sy_lcore_plan: one lcore
 * may run several workers in turn (two stacks on a one-core test machine), and the main
 * lcore may run workers between its own duties (the progress line).
 */
#ifndef SY_STACK_H
#define SY_STACK_H

#include <stdbool.h>
#include <stdint.h>

#include "sy_port.h"
#include "sy_stats.h"
#include "sy_tcp.h"
#include "sy_worker.h"

struct sy_stack {
	char name[16];
	struct sy_port *port;
	uint16_t n_workers;
	struct sy_worker *workers[SY_PORT_MAX_QUEUES];
};

/**
 * Builds the workers of a started port: worker q polls queue q.
 * @param name    label for counters and DPDK object names ("server", "client")
 * @param port    a started port (sy_port_start / sy_port_start_pair); not owned
 * @param conf    its profile (addresses and ARP knobs for the net layer)
 * @param tcp     TCP configuration, or NULL for a packet-path-only stack (ARP, ICMP)
 * @param stop    the flag that ends every loop
 * @param stats   registry to add one slot per worker to (may be NULL)
 * @param err     one-line reason on failure
 * @return 0 or a negative errno (-ENOTSUP: zero-copy transmit asked, @p tcp
 *   tx_zerocopy_min > 0, and the port takes only single-mbuf frames)
 */
int sy_stack_create(struct sy_stack *s, const char *name, struct sy_port *port,
		    const struct sy_port_conf *conf, const struct sy_tcp_conf *tcp,
		    const volatile bool *stop, struct sy_stats *stats, char *err, size_t errlen);

/** Frees the workers (their net and TCP layers, and every frame they hold). */
void sy_stack_free(struct sy_stack *s);

/** Sends a gratuitous ARP from every worker (call once the loops are about to run). */
void sy_stack_announce(struct sy_stack *s);

#define SY_LCORE_MAX_WORKERS 16

/** The workers one lcore runs, in turn. */
struct sy_lcore_plan {
	uint16_t n;
	struct sy_worker *workers[SY_LCORE_MAX_WORKERS];
	const volatile bool *stop;
	/** Main lcore only: called about every @p tick_ms with the plan's arg; NULL otherwise. */
	void (*tick)(void *arg);
	void *tick_arg;
	uint32_t tick_ms;
};

/** Adds a worker to a plan: 0 or -ENOSPC. */
int sy_lcore_plan_add(struct sy_lcore_plan *p, struct sy_worker *w);

/** Runs the plan until *stop (or every worker hit its rx limit); an lcore function. */
int sy_lcore_run(void *plan);

#endif /* SY_STACK_H */
