/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Blind in-window attacks, RFC 5961. Already covered in tests/unit/tcp (not repeated
 * here): an in-window RST that is not exactly RCV.NXT gets a challenge ACK
 * (tcp_rst.established_rst_in_window_not_rcv_nxt_gets_challenge_ack) and an in-window SYN
 * gets one (tcp_stale.syn_in_window_on_established_gets_challenge_ack_state_unchanged).
 * Here: the rate limit of section 7 and data outside the receive window (RFC 9293
 * 3.10.7.4 first check: <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>, segment dropped).
 */
#include <string.h>
#include <criterion/criterion.h>

#include "tcp_harness.h"

TestSuite(blind, .init = th_setup, .fini = th_teardown);

#define LIMIT 5

static void
stack_with_limit(uint32_t limit)
{
	struct sy_tcp_conf c;

	th_teardown();
	th_conf_defaults(&c);
	c.challenge_ack_limit = limit;
	TH = th_create(&c, NULL, 1000000);
}

static unsigned int
rst_burst(struct th_conn *cn, unsigned int n)
{
	unsigned int acks = 0;
	struct th_pkt p;

	for (unsigned int i = 0; i < n; i++)
		th_peer_send_at(TH, cn, TH_RST, cn->rcv_nxt + 10 + i, 0, NULL, 0);
	while (th_try_pop(TH, &p)) {
		cr_assert_eq(p.flags & ~TH_PSH, TH_ACK, "flags %#x", p.flags);
		cr_assert_eq(p.seq, cn->snd_nxt);
		cr_assert_eq(p.ack, cn->rcv_nxt);
		acks++;
	}
	return acks;
}

Test(blind, challenge_acks_are_limited_per_second_and_the_budget_refills)
{
	struct th_conn cn = { 0 };

	stack_with_limit(LIMIT);
	th_open_passive(TH, &cn, NULL, 0);
	/* RFC 5961 7: at most the configured number of challenge ACKs per second */
	cr_assert_eq(rst_burst(&cn, 3 * LIMIT), LIMIT);
	cr_assert_eq(sy_tcp_stats(TH->tcp)->challenge_ack_tx, LIMIT);
	cr_assert_eq(sy_tcp_stats(TH->tcp)->challenge_ack_limited, 2 * LIMIT);
	cr_assert_eq(sy_tcp_conn_state(TH->tcp, cn.c), SY_TCP_ESTABLISHED);
	th_advance_ms(TH, 1000);
	while (th_try_pop(TH, NULL))
		;
	cr_assert_eq(rst_burst(&cn, 1), 1, "the budget did not refill after a second");
	cr_assert_eq(sy_tcp_conn_state(TH->tcp, cn.c), SY_TCP_ESTABLISHED);
}

Test(blind, challenge_ack_limit_covers_syn_and_rst_together)
{
	struct th_conn cn = { 0 };

	stack_with_limit(LIMIT);
	th_open_passive(TH, &cn, NULL, 0);
	cr_assert_eq(rst_burst(&cn, LIMIT - 1), LIMIT - 1);
	/* RFC 5961 4 + 7: SYN challenge ACKs draw from the same budget */
	th_peer_send_at(TH, &cn, TH_SYN, cn.rcv_nxt + 100, 0, NULL, 0);
	th_peer_send_at(TH, &cn, TH_SYN, cn.rcv_nxt + 200, 0, NULL, 0);
	cr_assert_eq(th_pending(TH), 1);
	cr_assert_eq(sy_tcp_stats(TH->tcp)->challenge_ack_limited, 1);
}

Test(blind, zero_limit_means_no_limit)
{
	struct th_conn cn = { 0 };

	stack_with_limit(0);
	th_open_passive(TH, &cn, NULL, 0);
	cr_assert_eq(rst_burst(&cn, 50), 50);
	cr_assert_eq(sy_tcp_stats(TH->tcp)->challenge_ack_limited, 0);
}

static void
data_outside_window(uint32_t seq)
{
	struct th_conn cn = { 0 };
	uint8_t d[100];

	th_open_passive(TH, &cn, NULL, 0);
	memset(d, 0xee, sizeof(d));
	th_peer_send_at(TH, &cn, TH_ACK | TH_PSH, seq, cn.snd_nxt, d, sizeof(d));
	/* RFC 9293 3.10.7.4 first: not acceptable -> <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK> */
	th_expect(TH, NULL, TH_ACK, cn.snd_nxt, cn.rcv_nxt);
	th_expect_none(TH);
	cr_assert_eq(TH->app.data_len, 0, "data outside the window was delivered");
	cr_assert_eq(th_app_count(TH, TH_EV_DATA), 0);
	cr_assert_eq(sy_tcp_stats(TH->tcp)->drop_unacceptable, 1);
	cr_assert_eq(sy_tcp_conn_state(TH->tcp, cn.c), SY_TCP_ESTABLISHED);
}

Test(blind, data_beyond_the_window_gets_ack_and_is_not_delivered)
{
	/* no window scale offered: RCV.WND is 65535 */
	data_outside_window(TH_PEER_ISN + 1 + 70000);
}

Test(blind, data_wholly_before_rcv_nxt_gets_ack_and_is_not_delivered)
{
	data_outside_window(TH_PEER_ISN + 1 - 1000);
}

/*
 * RFC 5961 5.2 (RFC 9293 3.10.7.4 fifth): an ACK of data never sent — SEG.ACK > SND.NXT —
 * is answered with an ACK and dropped: it moves nothing and its data is not delivered.
 */
Test(blind, ack_of_unsent_data_is_acked_and_dropped)
{
	struct th_conn cn = { 0 };

	th_open_passive(TH, &cn, NULL, 0);
	th_peer_send_at(TH, &cn, TH_ACK | TH_PSH, cn.rcv_nxt, cn.snd_nxt + 5000, "evil", 4);
	th_expect(TH, NULL, TH_ACK, cn.snd_nxt, cn.rcv_nxt);
	cr_assert_eq(sy_tcp_stats(TH->tcp)->drop_ack_unsent, 1);
	cr_assert_eq(TH->app.data_len, 0, "data of an unacceptable ACK was delivered");
	cr_assert_eq(sy_tcp_conn_state(TH->tcp, cn.c), SY_TCP_ESTABLISHED);
	/* the connection is unharmed: the genuine segment is taken */
	th_peer_send_at(TH, &cn, TH_ACK | TH_PSH, cn.rcv_nxt, cn.snd_nxt, "good", 4);
	cr_assert_eq(TH->app.data_len, 4);
}

/* RFC 5961 5.2: an ACK below SND.UNA - MAX.SND.WND is too old to be genuine: ACK, drop. */
Test(blind, ack_far_below_snd_una_is_acked_and_dropped)
{
	struct th_conn cn = { 0 };

	th_open_passive(TH, &cn, NULL, 0);
	th_peer_send_at(TH, &cn, TH_ACK | TH_PSH, cn.rcv_nxt, cn.snd_nxt - 200000, "evil", 4);
	th_expect(TH, NULL, TH_ACK, cn.snd_nxt, cn.rcv_nxt);
	cr_assert_eq(sy_tcp_stats(TH->tcp)->drop_ack_old, 1);
	cr_assert_eq(TH->app.data_len, 0);
}
