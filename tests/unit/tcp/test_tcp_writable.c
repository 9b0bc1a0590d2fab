/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The writable callback (sy_tcp.h): an application that found no send space — told so by
 * sy_tcp_send() returning -EAGAIN or by sy_tcp_send_space() returning 0 — is called back
 * once an ACK frees space, and not otherwise.
 */
#include <string.h>
#include <criterion/criterion.h>

#include "tcp_harness.h"

#define SND_BUF 4000

static uint8_t buf[SND_BUF];

static void
small_send_buffer(struct sy_tcp_conf *c)
{
	c->snd_buf = SND_BUF;
}

TestSuite(tcp_writable, .fini = th_teardown);

/* An established passive connection whose send buffer holds SND_BUF unacknowledged bytes. */
static void
fill(struct th_conn *cn)
{
	struct th_pkt p;
	uint32_t sent = 0;

	th_setup_with(small_send_buffer);
	th_open_passive(TH, cn, NULL, 0);
	cr_assert_eq(sy_tcp_set_nodelay(TH->tcp, cn->c, true), 0);   /* no Nagle: all leaves now */
	th_pattern(buf, sizeof(buf), 7);
	th_app_send(TH, cn->c, buf, SND_BUF);
	while (th_try_pop(TH, &p))          /* the segments carrying it (IW10 sends them all) */
		sent += p.len;
	cr_assert_eq(sent, SND_BUF);
}

static void
peer_acks_everything(struct th_conn *cn)
{
	th_peer_send_at(TH, cn, TH_ACK, cn->rcv_nxt, cn->snd_nxt + SND_BUF, NULL, 0);
	cn->snd_nxt += SND_BUF;
}

Test(tcp_writable, zero_send_space_then_ack_calls_writable)
{
	struct th_conn cn = { 0 };

	fill(&cn);
	cr_assert_eq(sy_tcp_send_space(TH->tcp, cn.c), 0);
	cr_assert_eq(th_app_count(TH, TH_EV_WRITABLE), 0);
	peer_acks_everything(&cn);
	cr_assert_eq(th_app_count(TH, TH_EV_WRITABLE), 1, "no writable callback after the ACK");
	cr_assert_eq(sy_tcp_send_space(TH->tcp, cn.c), SND_BUF);
}

Test(tcp_writable, eagain_then_ack_calls_writable)
{
	struct th_conn cn = { 0 };
	struct rte_mbuf *m;

	fill(&cn);
	m = rte_pktmbuf_alloc(TH->pool);
	memset(rte_pktmbuf_append(m, 100), 'x', 100);
	cr_assert_eq(sy_tcp_send(TH->tcp, cn.c, m), -EAGAIN);
	rte_pktmbuf_free(m);
	peer_acks_everything(&cn);
	cr_assert_eq(th_app_count(TH, TH_EV_WRITABLE), 1);
}

Test(tcp_writable, no_callback_when_nobody_asked)
{
	struct th_conn cn = { 0 };

	fill(&cn);
	peer_acks_everything(&cn);
	cr_assert_eq(th_app_count(TH, TH_EV_WRITABLE), 0, "writable without -EAGAIN or 0 space");
}
