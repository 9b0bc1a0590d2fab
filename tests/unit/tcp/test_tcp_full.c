/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A full connection table. RFC 9293 3.10.7.2 lets a listener refuse a SYN it has no
 * resources for; what synack does is configuration (docs/tcp.md): drop it silently (the
 * peer retransmits, like a full SYN queue) or answer <SEQ=0><ACK=SEG.SEQ+1><CTL=RST,ACK>
 * (rst_when_full). Either way it is counted, and the established connections are not
 * touched: they keep exchanging data, and a freed block serves the next SYN.
 */
#include <errno.h>
#include <string.h>
#include <criterion/criterion.h>

#include "tcp_harness.h"

static void
two_conns_drop(struct sy_tcp_conf *c)
{
	c->max_conns = 2;
	c->rst_when_full = false;
}

static void
two_conns_rst(struct sy_tcp_conf *c)
{
	c->max_conns = 2;
	c->rst_when_full = true;
}

TestSuite(tcp_full, .fini = th_teardown);

/* Fills the table with two established connections (ports 40000, 40001). */
static void
fill(struct th_conn *a, struct th_conn *b)
{
	a->pport = 40000;
	b->pport = 40001;
	th_open_passive(TH, a, NULL, 0);
	th_open_passive(TH, b, NULL, 0);
}

static void
syn_from_port(uint16_t port)
{
	th_feed(TH, &(struct th_seg){ .sport = port, .dport = TH_LPORT, .flags = TH_SYN,
				     .seq = 5000, .win = 65535 });
}

/* an established connection still carries data both ways and ACKs as usual */
static void
still_works(struct th_conn *a)
{
	th_peer_send(TH, a, TH_ACK | TH_PSH, "ping", 4);
	cr_assert_eq(sy_tcp_conn_state(TH->tcp, a->c), SY_TCP_ESTABLISHED);
	th_app_send(TH, a->c, "pong", 4);
	struct th_pkt p;

	th_expect_within(TH, TH_DELACK_MS + TH_SLACK_MS(TH_DELACK_MS), &p, TH_ACK, a->snd_nxt,
			 a->rcv_nxt);
}

Test(tcp_full, syn_dropped_silently_by_default_and_counted)
{
	struct th_conn a = { 0 }, b = { 0 };

	th_setup_with(two_conns_drop);
	fill(&a, &b);
	syn_from_port(40002);
	th_expect_none(TH);
	cr_assert_eq(sy_tcp_stats(TH->tcp)->drop_table_full, 1);
	still_works(&a);
}

Test(tcp_full, syn_answered_with_rst_ack_when_configured)
{
	struct th_conn a = { 0 }, b = { 0 };

	th_setup_with(two_conns_rst);
	fill(&a, &b);
	syn_from_port(40002);
	/* RFC 9293 3.10.7.1 form for a segment without ACK: <SEQ=0><ACK=SEG.SEQ+SEG.LEN> */
	th_expect(TH, NULL, TH_RST | TH_ACK, 0, 5001);
	cr_assert_eq(sy_tcp_stats(TH->tcp)->drop_table_full, 1);
	still_works(&a);
}

Test(tcp_full, a_freed_block_serves_the_next_syn)
{
	struct th_conn a = { 0 }, b = { 0 }, c = { .pport = 40003 };

	th_setup_with(two_conns_drop);
	fill(&a, &b);
	cr_assert_eq(sy_tcp_abort(TH->tcp, b.c), 0);
	th_expect(TH, NULL, TH_RST, b.snd_nxt, 0);   /* RFC 9293 3.10.4 ABORT: <SEQ=SND.NXT><CTL=RST> */
	th_open_passive(TH, &c, NULL, 0);
	cr_assert_eq(sy_tcp_conn_state(TH->tcp, c.c), SY_TCP_ESTABLISHED);
	cr_assert_eq(sy_tcp_stats(TH->tcp)->drop_table_full, 0);
}

static void
one_data_block(struct sy_tcp_conf *c)
{
	c->max_conns = 4;
	c->max_data_blocks = 1;
}

static int
app_send_rc(sy_conn_t c, const char *s)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(TH->pool);
	int rc;

	cr_assert_not_null(m);
	memcpy(rte_pktmbuf_append(m, (uint16_t)strlen(s)), s, strlen(s));
	rc = sy_tcp_send(TH->tcp, c, m);
	if (rc != 0)
		rte_pktmbuf_free(m);   /* refused: still ours */
	return rc;
}

/*
 * Data blocks (sy_tcp_conf.max_data_blocks) exist only while a connection has data queued:
 * with one block, a second connection cannot queue until the first one's data is
 * acknowledged; the refusal is an error the application sees, counted, never a stall.
 */
Test(tcp_full, data_blocks_bound_the_connections_with_data_in_flight)
{
	struct th_conn a = { 0 }, b = { 0 };
	struct th_pkt p;

	th_setup_with(one_data_block);
	fill(&a, &b);
	cr_assert_eq(app_send_rc(a.c, "held"), 0);
	th_pop(TH, &p);
	cr_assert_eq(p.seq, a.snd_nxt);
	cr_assert_eq(app_send_rc(b.c, "refused"), -ENOMEM);
	cr_assert_eq(sy_tcp_stats(TH->tcp)->no_data_block, 1);
	cr_assert_eq(sy_tcp_conn_state(TH->tcp, b.c), SY_TCP_ESTABLISHED, "b is not harmed");
	/* the peer ACKs a's 4 bytes: the queue drains and the block goes back */
	th_peer_send_at(TH, &a, TH_ACK, a.rcv_nxt, a.snd_nxt + 4, NULL, 0);
	cr_assert_eq(app_send_rc(b.c, "now"), 0);
	th_pop(TH, &p);
	cr_assert_eq(p.seq, b.snd_nxt);
	cr_assert_eq(sy_tcp_stats(TH->tcp)->no_data_block, 1);
}
