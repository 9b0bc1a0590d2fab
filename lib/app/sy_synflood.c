/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * SYN flood generator: see sy_synflood.h. Each SYN is a bare 20-byte TCP header handed to
 * the net layer, which adds IPv4 and Ethernet and the checksums; the net layer does not
 * check that the source is one of ours, which is what makes the spoofing possible here.
 */
#include "sy_synflood.h"

#include <string.h>
#include <rte_ip.h>
#include <rte_tcp.h>

#define NAME_STRING(name) #name,
const char *const sy_synflood_stats_names[] = { SY_SYNFLOOD_STATS(NAME_STRING) };
const uint32_t sy_synflood_stats_count = RTE_DIM(sy_synflood_stats_names);
#undef NAME_STRING

#define FLOOD_BURST 32
#define MICRO 1000000ull

void
sy_synflood_init(struct sy_synflood *f, const struct sy_synflood_conf *conf,
		 struct sy_net *net, struct rte_mempool *pool, const struct sy_clock *clock)
{
	memset(f, 0, sizeof(*f));
	f->conf = *conf;
	if (f->conf.src_count == 0)
		f->conf.src_count = 1;
	f->net = net;
	f->pool = pool;
	f->clock = clock;
	f->rng = conf->seed | 1;
	f->last_us = sy_clock_us(clock);
}

/* xorshift64: fast, and a flood needs no better */
static uint64_t
next_rand(struct sy_synflood *f)
{
	f->rng ^= f->rng << 13;
	f->rng ^= f->rng >> 7;
	f->rng ^= f->rng << 17;
	return f->rng;
}

static void
send_syn(struct sy_synflood *f)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(f->pool);
	uint64_t r = next_rand(f);

	if (m == NULL) {
		f->stats.no_mbuf++;
		return;
	}
	struct rte_tcp_hdr *th = (struct rte_tcp_hdr *)rte_pktmbuf_append(m, sizeof(*th));

	if (th == NULL) {
		rte_pktmbuf_free(m);
		f->stats.no_mbuf++;
		return;
	}
	rte_be32_t src = rte_cpu_to_be_32(rte_be_to_cpu_32(f->conf.src_first) +
					  (uint32_t)(r % f->conf.src_count));

	memset(th, 0, sizeof(*th));
	th->src_port = rte_cpu_to_be_16((uint16_t)(1024 + (r >> 32) % 64000));
	th->dst_port = f->conf.dst_port;
	th->sent_seq = rte_cpu_to_be_32((uint32_t)(r >> 16));
	th->data_off = 5 << 4;
	th->tcp_flags = RTE_TCP_SYN_FLAG;
	th->rx_win = RTE_BE16(65535);
	if (sy_net_output(f->net, m, src, f->conf.dst_ip, IPPROTO_TCP,
			  sy_clock_ms(f->clock)) == 0)
		f->stats.syns_sent++;
}

void
sy_synflood_poll(struct sy_synflood *f)
{
	uint64_t now = sy_clock_us(f->clock);
	unsigned int n = FLOOD_BURST;

	if (f->conf.rate != 0) {
		f->credit += (now - f->last_us) * f->conf.rate;
		f->last_us = now;
		if (f->credit > f->conf.rate * 1000)   /* at most 1 ms of catch-up */
			f->credit = f->conf.rate * 1000;
		n = (unsigned int)RTE_MIN(f->credit / MICRO, (uint64_t)FLOOD_BURST);
		f->credit -= n * MICRO;
	}
	while (n-- > 0)
		send_syn(f);
}
