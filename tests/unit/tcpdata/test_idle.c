/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * RFC 5681 4.1 "Restarting Idle Connections": a TCP that has not sent data for more than
 * one retransmission timeout uses min(IW, cwnd) as its congestion window when it sends
 * again (the ACK clock that paced it is gone). Less idle time keeps the grown window.
 */
#include <criterion/criterion.h>

#include "raw_ack.h"

TestSuite(tcpdata_idle, .init = th_setup, .fini = th_teardown);

#define MSS 1460
#define IW (10 * MSS)        /* RFC 6928 with MSS 1460 */

static uint8_t payload[40 * MSS];

/* Segments sent now, before any ACK; their bytes in *bytes. */
static uint32_t
drain(uint32_t *bytes)
{
	struct th_pkt p;
	uint32_t n = 0;

	*bytes = 0;
	while (th_try_pop(TH, &p)) {
		n++;
		*bytes += p.len;
	}
	return n;
}

/*
 * Grows cwnd past IW in slow start: 20 segments, each ACKed on its own (RFC 5681 3.1:
 * +1 MSS per ACK), then returns to idle with everything acknowledged.
 */
static uint32_t
grow_then_idle(struct th_conn *cn)
{
	struct sy_tcp_conn_info ci;
	uint32_t bytes, una;

	th_open_passive(TH, cn, NULL, 0);
	cr_assert_eq(sy_tcp_set_nodelay(TH->tcp, cn->c, true), 0);
	una = cn->snd_nxt;
	th_app_send(TH, cn->c, payload, 20 * MSS);
	while (cn->snd_nxt - una < 20 * MSS) {
		drain(&bytes);
		for (uint32_t b = 0; b < bytes; b += MSS) {
			cn->snd_nxt += MSS;
			th_peer_send(TH, cn, TH_ACK, NULL, 0);
		}
	}
	drain(&bytes);
	cr_assert_eq(bytes, 0, "everything acknowledged");
	cr_assert_eq(sy_tcp_conn_info(TH->tcp, cn->c, &ci), 0);
	cr_assert_geq(ci.cwnd, 2 * IW, "slow start grew cwnd to %u", ci.cwnd);
	return ci.rto_ms;
}

Test(tcpdata_idle, idle_longer_than_the_rto_restarts_from_the_initial_window)
{
	struct th_conn cn = { 0 };
	uint32_t rto = grow_then_idle(&cn), bytes, n;

	th_advance_ms(TH, rto + 10);
	th_app_send(TH, cn.c, payload, 30 * MSS);
	n = drain(&bytes);
	cr_assert_eq(bytes, IW, "restart window min(IW, cwnd): %u bytes in %u segments",
		     bytes, n);
	cr_assert_eq(sy_tcp_stats(TH->tcp)->cwnd_idle_restarts, 1);
}

Test(tcpdata_idle, idle_shorter_than_the_rto_keeps_the_window)
{
	struct th_conn cn = { 0 };
	uint32_t rto = grow_then_idle(&cn), bytes;

	th_advance_ms(TH, rto / 2);
	th_app_send(TH, cn.c, payload, 30 * MSS);
	drain(&bytes);
	cr_assert_geq(bytes, 2 * IW, "grown window kept: %u bytes", bytes);
	cr_assert_eq(sy_tcp_stats(TH->tcp)->cwnd_idle_restarts, 0);
}

Test(tcpdata_idle, idle_restart_off_keeps_the_window)
{
	struct th_conn cn = { 0 };
	struct sy_tcp_conf conf;
	uint32_t rto, bytes;

	th_conf_defaults(&conf);
	conf.idle_restart = false;
	th_destroy(TH);
	TH = th_create(&conf, NULL, 1000000);
	rto = grow_then_idle(&cn);
	th_advance_ms(TH, 10 * rto);
	th_app_send(TH, cn.c, payload, 30 * MSS);
	drain(&bytes);
	cr_assert_geq(bytes, 2 * IW, "window kept with idle_restart off: %u bytes", bytes);
}
