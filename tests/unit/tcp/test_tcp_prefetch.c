/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sy_tcp_prefetch(): the burst lookup that warms the caches before a burst is processed
 * (prefetch.c). Its contract: it changes no state and validates nothing, so anything a wire
 * can deliver (runts, other protocols, IPv4 options, garbage) passes through it harmlessly,
 * and the segments then processed one by one behave exactly as without it.
 */
#include <string.h>
#include <criterion/criterion.h>

#include "tcp_harness.h"

TestSuite(tcp_prefetch, .init = th_setup, .fini = th_teardown);

static struct rte_mbuf *
raw_frame(const uint8_t *b, uint16_t len)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(TH->pool);

	cr_assert_not_null(m);
	memcpy(rte_pktmbuf_append(m, len), b, len);
	return m;
}

Test(tcp_prefetch, odd_frames_change_nothing_and_segments_then_work)
{
	struct th_conn a = { .pport = 40000 }, b = { .pport = 40001 };
	struct sy_tcp_stats before;
	struct rte_mbuf *burst[8];
	uint8_t junk[64];
	uint16_t n = 0;

	th_open_passive(TH, &a, NULL, 0);
	th_open_passive(TH, &b, NULL, 0);
	memset(junk, 0xff, sizeof(junk));
	burst[n++] = raw_frame(junk, 1);                         /* a runt */
	burst[n++] = raw_frame(junk, sizeof(junk));              /* not IPv4 */
	memcpy(junk + 12, "\x08\x00\x46\x00", 4);                /* IPv4 with options */
	burst[n++] = raw_frame(junk, sizeof(junk));
	junk[14] = 0x45;                                         /* IPv4/TCP, random tuple */
	junk[23] = 6;
	burst[n++] = raw_frame(junk, sizeof(junk));
	burst[n++] = raw_frame(junk, 37);                        /* ports cut off */
	/* and two real segments of the open connections */
	burst[n++] = th_build(TH, &(struct th_seg){ .sport = a.pport, .dport = TH_LPORT,
		.flags = TH_ACK, .seq = a.rcv_nxt, .ack = a.snd_nxt, .win = 65535,
		.data = "ping", .len = 4 });
	burst[n++] = th_build(TH, &(struct th_seg){ .sport = b.pport, .dport = TH_LPORT,
		.flags = TH_ACK, .seq = b.rcv_nxt, .ack = b.snd_nxt, .win = 65535,
		.data = "pong", .len = 4 });
	memcpy(&before, sy_tcp_stats(TH->tcp), sizeof(before));
	sy_tcp_prefetch(TH->tcp, burst, n);
	cr_assert_eq(memcmp(&before, sy_tcp_stats(TH->tcp), sizeof(before)), 0,
		     "no counter moved");
	th_expect_none(TH);
	cr_assert_eq(sy_tcp_count(TH->tcp, SY_TCP_ESTABLISHED), 2);
	for (uint16_t i = 0; i < 5; i++)
		rte_pktmbuf_free(burst[i]);
	/* the segments themselves are then processed as usual */
	for (uint16_t i = 5; i < n; i++)
		if (sy_net_input(TH->net, burst[i], sy_clock_ms(&TH->clock)) == SY_NET_RX_TCP)
			sy_tcp_input(TH->tcp, burst[i]);
	cr_assert_eq(TH->app.data_len, 8);
	cr_assert_eq(memcmp(TH->app.data, "pingpong", 8), 0);
}
