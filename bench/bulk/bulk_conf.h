/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The TCP engine both bulk benchmarks run (bulk.c: two stacks on one thread; bulk_2core.c:
 * one lcore each): a few connections, 1 MiB windows and send buffers, MSS from the MTU.
 */
#ifndef BENCH_BULK_CONF_H
#define BENCH_BULK_CONF_H

#include "sy_tcp.h"

static inline void
bulk_tcp_conf(struct sy_tcp_conf *tc, uint32_t mtu)
{
	sy_tcp_conf_defaults(tc);
	tc->max_conns = 64;
	tc->max_time_wait = 64;
	tc->rcv_wnd = 1 << 20;
	tc->snd_buf = 1 << 20;
	tc->mss = (uint16_t)(mtu - 40);
}

#endif /* BENCH_BULK_CONF_H */
