/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Losses during the handshake: RFC 9293 3.8.1 (retransmission timeout), RFC 6298 2.1
 * (initial RTO 1 s) and 5.5 (back off the timer, doubling), RFC 1122 4.2.3.5 (give up after
 * a bound: syn_retries / synack_retries here), RFC 9293 3.10.7.4 (an ACK-bearing data
 * segment completes SYN-RECEIVED when the bare ACK was lost).
 */
#include <string.h>
#include <criterion/criterion.h>

#include "tcp_harness.h"

TestSuite(tcp_lost, .init = th_setup, .fini = th_teardown);

#define RTO_INIT 1000u

static void
assert_at(int64_t elapsed, uint64_t expect, const char *what)
{
	cr_assert(elapsed >= 0, "%s: never happened", what);
	cr_assert((uint64_t)elapsed >= expect, "%s after %ld ms: earlier than %lu ms", what,
		  (long)elapsed, (unsigned long)expect);
	cr_assert((uint64_t)elapsed <= expect + TH_SLACK_MS(expect),
		  "%s after %ld ms: expected %lu ms", what, (long)elapsed,
		  (unsigned long)expect);
}

Test(tcp_lost, lost_syn_retransmitted_after_initial_rto_1s)
{
	struct th_conn cn = { 0 };
	struct th_pkt p;

	th_connect_syn(TH, &cn, 0, NULL);
	int64_t t = th_run_until_frame(TH, 3 * RTO_INIT);
	/* RFC 6298 2.1: RTO starts at 1 s */
	assert_at(t, RTO_INIT, "SYN retransmission");
	th_expect(TH, &p, TH_SYN, cn.iss, 0);
	cr_assert_eq(p.sport, cn.lport);
	cr_assert_eq(p.opt.mss, TH_MSS, "retransmitted SYN lost its MSS option");
	cr_assert_eq(sy_tcp_stats(TH->tcp)->syn_retrans, 1);
	cr_assert_eq(sy_tcp_conn_state(TH->tcp, cn.c), SY_TCP_SYN_SENT);
}

Test(tcp_lost, lost_syn_backoff_doubles_each_retransmission)
{
	struct th_conn cn = { 0 };

	th_connect_syn(TH, &cn, 0, NULL);
	/* RFC 6298 5.5: RTO <- RTO * 2 after each expiry: 1 s, 2 s, 4 s */
	for (uint32_t i = 0, rto = RTO_INIT; i < TH_SYN_RETRIES; i++, rto *= 2) {
		int64_t t = th_run_until_frame(TH, 3 * rto);

		assert_at(t, rto, "SYN retransmission");
		th_expect(TH, NULL, TH_SYN, cn.iss, 0);
	}
}

Test(tcp_lost, lost_syn_gives_up_after_syn_retries_with_closed_timeout)
{
	struct th_conn cn = { 0 };
	struct th_pkt p;
	uint32_t rto = RTO_INIT;

	th_connect_syn(TH, &cn, 0, NULL);
	for (uint32_t i = 0; i < TH_SYN_RETRIES; i++, rto *= 2) {
		cr_assert(th_run_until_frame(TH, 3 * rto) >= 0, "retransmission %u missing", i);
		th_expect(TH, NULL, TH_SYN, cn.iss, 0);
	}
	/* the last retransmission gets its own RTO (8 s) before the connection gives up */
	int64_t t = th_run_until_event(TH, TH_EV_CLOSED, 2 * rto);
	assert_at(t, rto, "giving up");
	const struct th_ev *e = th_app_find(TH, TH_EV_CLOSED);
	cr_assert_eq(e->why, SY_TCP_CLOSE_TIMEOUT, "reason %s",
		     sy_tcp_close_reason_name(e->why));
	cr_assert_eq(e->c, cn.c);
	while (th_try_pop(TH, &p))
		cr_assert_not(p.flags & TH_SYN, "a SYN beyond syn_retries");
	cr_assert_eq(sy_tcp_stats(TH->tcp)->syn_retrans, TH_SYN_RETRIES);
	cr_assert_eq(th_count_all(TH), 0);
	cr_assert_eq(th_app_count(TH, TH_EV_CONNECTED), 0);
}

Test(tcp_lost, lost_synack_retransmitted_after_1s_with_same_seq_and_ack)
{
	struct th_pkt p, q;

	th_listen(TH);
	th_feed(TH, &(struct th_seg){ .flags = TH_SYN, .seq = TH_PEER_ISN,
				      .opt = { .mss = 1460 } });
	th_pop(TH, &p);
	int64_t t = th_run_until_frame(TH, 3 * RTO_INIT);
	assert_at(t, RTO_INIT, "SYN-ACK retransmission");
	th_expect(TH, &q, TH_SYN | TH_ACK, p.seq, TH_PEER_ISN + 1);
	cr_assert_eq(q.opt.mss, TH_MSS);
	cr_assert_eq(sy_tcp_stats(TH->tcp)->synack_retrans, 1);
	cr_assert_eq(sy_tcp_count(TH->tcp, SY_TCP_SYN_RECEIVED), 1);
}

Test(tcp_lost, lost_synack_embryonic_freed_after_synack_retries)
{
	struct th_pkt p;
	uint32_t rto = RTO_INIT;

	th_listen(TH);
	th_feed(TH, &(struct th_seg){ .flags = TH_SYN, .seq = TH_PEER_ISN,
				      .opt = { .mss = 1460 } });
	th_pop(TH, &p);
	uint32_t iss = p.seq;
	for (uint32_t i = 0; i < TH_SYNACK_RETRIES; i++, rto *= 2) {
		int64_t t = th_run_until_frame(TH, 3 * rto);

		assert_at(t, rto, "SYN-ACK retransmission");
		th_expect(TH, NULL, TH_SYN | TH_ACK, iss, TH_PEER_ISN + 1);
	}
	cr_assert_eq(sy_tcp_count(TH->tcp, SY_TCP_SYN_RECEIVED), 1);
	/* after the last retransmission's RTO the embryonic connection is gone */
	th_advance_ms(TH, rto + TH_SLACK_MS(rto));
	while (th_try_pop(TH, &p))
		cr_assert_not(p.flags & TH_SYN, "a SYN-ACK beyond synack_retries");
	cr_assert_eq(sy_tcp_count(TH->tcp, SY_TCP_SYN_RECEIVED), 0);
	cr_assert_eq(th_count_all(TH), 0);
	cr_assert_eq(th_app_count(TH, TH_EV_ACCEPTED), 0);
	/* and the listener still works */
	th_feed(TH, &(struct th_seg){ .flags = TH_SYN, .seq = 4242, .opt = { .mss = 1460 } });
	th_pop(TH, &p);
	cr_assert_eq(p.flags & ~TH_PSH, TH_SYN | TH_ACK);
	cr_assert_eq(p.ack, 4243);
}

Test(tcp_lost, lost_final_ack_data_segment_with_ack_completes_handshake)
{
	struct th_pkt p;
	uint8_t data[100];

	th_pattern(data, sizeof(data), 3);
	th_listen(TH);
	th_feed(TH, &(struct th_seg){ .flags = TH_SYN, .seq = TH_PEER_ISN,
				      .opt = { .mss = 1460 } });
	th_pop(TH, &p);
	/* the bare ACK is lost; the first data segment carries ACK = ISS+1 */
	th_feed(TH, &(struct th_seg){ .flags = TH_ACK | TH_PSH, .seq = TH_PEER_ISN + 1,
				      .ack = p.seq + 1, .data = data, .len = sizeof(data) });
	int ia = th_app_index(TH, TH_EV_ACCEPTED);
	int id = th_app_index(TH, TH_EV_DATA);
	cr_assert(ia >= 0, "no accepted callback");
	cr_assert(id > ia, "data before accepted (or none)");
	cr_assert_eq(TH->app.data_len, sizeof(data));
	cr_assert_arr_eq(TH->app.data, data, sizeof(data));
	cr_assert_eq(sy_tcp_conn_state(TH->tcp, TH->app.last), SY_TCP_ESTABLISHED);
	th_expect_within(TH, TH_DELACK_MS + TH_SLACK_MS(TH_DELACK_MS), NULL, TH_ACK, p.seq + 1,
			 TH_PEER_ISN + 1 + sizeof(data));
}
