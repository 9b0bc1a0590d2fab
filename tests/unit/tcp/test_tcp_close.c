/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Closing: RFC 9293 3.6 (Figures 12-13: active, passive and simultaneous close), 3.10.4
 * (CLOSE call), 3.10.7.4 fifth and eighth (ACK and FIN processing per state), 3.6.1 / RFC
 * 6191 and RFC 1122 4.2.2.13 (a new SYN on a TIME-WAIT tuple), the 2 MSL TIME-WAIT and its
 * restart when the peer retransmits its FIN, FIN retransmission (RFC 6298), and the
 * FIN-WAIT-2 timeout of an orphaned connection.
 */
#include <string.h>
#include <criterion/criterion.h>

#include "tcp_harness.h"

TestSuite(tcp_close, .init = th_setup, .fini = th_teardown);

#define ACK_MAX_MS (TH_DELACK_MS + TH_SLACK_MS(TH_DELACK_MS))

/* ---------------- active close ---------------- */

Test(tcp_close, active_close_sends_fin_and_enters_fin_wait_1)
{
	struct th_conn cn = { 0 };
	struct th_pkt p;

	th_open_passive(TH, &cn, NULL, 0);
	cr_assert_eq(sy_tcp_close(TH->tcp, cn.c), 0);
	/* RFC 9293 3.10.4: <SEQ=SND.NXT><ACK=RCV.NXT><CTL=FIN,ACK> */
	th_expect(TH, &p, TH_FIN | TH_ACK, cn.snd_nxt, cn.rcv_nxt);
	cr_assert_eq(p.len, 0);
	cr_assert_eq(sy_tcp_count(TH->tcp, SY_TCP_FIN_WAIT_1), 1);
	cr_assert_eq(sy_tcp_count(TH->tcp, SY_TCP_ESTABLISHED), 0);
}

Test(tcp_close, ack_of_fin_in_fin_wait_1_enters_fin_wait_2)
{
	struct th_conn cn = { 0 };

	th_open_passive(TH, &cn, NULL, 0);
	cr_assert_eq(sy_tcp_close(TH->tcp, cn.c), 0);
	th_expect(TH, NULL, TH_FIN | TH_ACK, cn.snd_nxt, cn.rcv_nxt);
	cn.snd_nxt++;
	th_peer_send(TH, &cn, TH_ACK, NULL, 0);
	th_expect_none(TH);
	cr_assert_eq(sy_tcp_count(TH->tcp, SY_TCP_FIN_WAIT_2), 1);
	cr_assert_eq(sy_tcp_count(TH->tcp, SY_TCP_FIN_WAIT_1), 0);
}

Test(tcp_close, fin_in_fin_wait_2_is_acked_and_enters_time_wait)
{
	struct th_conn cn = { 0 };

	th_open_passive(TH, &cn, NULL, 0);
	/* the helper asserts <SEQ=FIN+1><ACK=peer FIN+1><CTL=ACK> and TIME-WAIT */
	th_to_time_wait(TH, &cn);
	cr_assert_eq(sy_tcp_count(TH->tcp, SY_TCP_FIN_WAIT_2), 0);
	cr_assert_eq(sy_tcp_stats(TH->tcp)->time_wait_entered, 1);
	th_expect_none(TH);
}

Test(tcp_close, time_wait_lasts_exactly_2msl)
{
	struct th_conn cn = { 0 };

	th_open_passive(TH, &cn, NULL, 0);
	uint64_t t0 = th_to_time_wait(TH, &cn);
	/* RFC 9293 3.10.7.4 eighth: TIME-WAIT for 2 MSL, not less */
	th_advance_to_ms(TH, t0 + TH_2MSL_MS - 1);
	cr_assert_eq(sy_tcp_count(TH->tcp, SY_TCP_TIME_WAIT), 1,
		     "TIME-WAIT gone before 2MSL (%u ms)", TH_2MSL_MS);
	th_advance_to_ms(TH, t0 + TH_2MSL_MS + TH_SLACK_MS(TH_2MSL_MS));
	cr_assert_eq(sy_tcp_count(TH->tcp, SY_TCP_TIME_WAIT), 0, "TIME-WAIT outlived 2MSL");
	cr_assert_eq(th_count_all(TH), 0);
	cr_assert_eq(sy_tcp_stats(TH->tcp)->time_wait_expired, 1);
	const struct th_ev *e = th_app_find(TH, TH_EV_CLOSED);
	cr_assert_not_null(e, "no closed callback by the end of TIME-WAIT");
	cr_assert_eq(e->why, SY_TCP_CLOSE_NORMAL, "reason %s", sy_tcp_close_reason_name(e->why));
	th_expect_none(TH);
}

/* ---------------- passive close ---------------- */

Test(tcp_close, peer_fin_enters_close_wait_acks_and_calls_peer_closed)
{
	struct th_conn cn = { 0 };

	th_open_passive(TH, &cn, NULL, 0);
	th_peer_send(TH, &cn, TH_FIN | TH_ACK, NULL, 0);
	cr_assert_eq(th_app_count(TH, TH_EV_PEER_CLOSED), 1, "no peer_closed callback");
	cr_assert_eq(sy_tcp_conn_state(TH->tcp, cn.c), SY_TCP_CLOSE_WAIT);
	/* RFC 9293 3.10.7.4 eighth: advance RCV.NXT over the FIN and acknowledge it */
	th_expect_within(TH, ACK_MAX_MS, NULL, TH_ACK, cn.snd_nxt, cn.rcv_nxt);
	th_expect_none(TH);
	cr_assert_eq(th_app_count(TH, TH_EV_CLOSED), 0);
}

Test(tcp_close, close_in_close_wait_sends_fin_and_enters_last_ack)
{
	struct th_conn cn = { 0 };

	th_open_passive(TH, &cn, NULL, 0);
	th_peer_send(TH, &cn, TH_FIN | TH_ACK, NULL, 0);
	th_expect_within(TH, ACK_MAX_MS, NULL, TH_ACK, cn.snd_nxt, cn.rcv_nxt);
	cr_assert_eq(sy_tcp_close(TH->tcp, cn.c), 0);
	th_expect(TH, NULL, TH_FIN | TH_ACK, cn.snd_nxt, cn.rcv_nxt);
	cr_assert_eq(sy_tcp_count(TH->tcp, SY_TCP_LAST_ACK), 1);
}

Test(tcp_close, ack_of_fin_in_last_ack_closes_normal_without_time_wait)
{
	struct th_conn cn = { 0 };

	th_open_passive(TH, &cn, NULL, 0);
	th_peer_send(TH, &cn, TH_FIN | TH_ACK, NULL, 0);
	th_expect_within(TH, ACK_MAX_MS, NULL, TH_ACK, cn.snd_nxt, cn.rcv_nxt);
	cr_assert_eq(sy_tcp_close(TH->tcp, cn.c), 0);
	th_expect(TH, NULL, TH_FIN | TH_ACK, cn.snd_nxt, cn.rcv_nxt);
	cn.snd_nxt++;
	th_peer_send(TH, &cn, TH_ACK, NULL, 0);
	th_expect_none(TH);
	cr_assert_eq(th_count_all(TH), 0, "LAST-ACK + ACK must go straight to CLOSED");
	const struct th_ev *e = th_app_find(TH, TH_EV_CLOSED);
	cr_assert_not_null(e, "no closed callback");
	cr_assert_eq(e->why, SY_TCP_CLOSE_NORMAL, "reason %s", sy_tcp_close_reason_name(e->why));
	cr_assert_eq(sy_tcp_stats(TH->tcp)->time_wait_entered, 0);
}

/* ---------------- simultaneous close ---------------- */

Test(tcp_close, fin_in_fin_wait_1_not_acking_ours_enters_closing)
{
	struct th_conn cn = { 0 };

	th_open_passive(TH, &cn, NULL, 0);
	cr_assert_eq(sy_tcp_close(TH->tcp, cn.c), 0);
	th_expect(TH, NULL, TH_FIN | TH_ACK, cn.snd_nxt, cn.rcv_nxt);
	th_peer_send(TH, &cn, TH_FIN | TH_ACK, NULL, 0);   /* ACK = our FIN's SEQ */
	cn.snd_nxt++;
	/* RFC 9293 Figure 13: <SEQ=FIN+1><ACK=peer FIN+1><CTL=ACK>, CLOSING */
	th_expect_within(TH, ACK_MAX_MS, NULL, TH_ACK, cn.snd_nxt, cn.rcv_nxt);
	cr_assert_eq(sy_tcp_count(TH->tcp, SY_TCP_CLOSING), 1);
}

Test(tcp_close, ack_of_fin_in_closing_enters_time_wait)
{
	struct th_conn cn = { 0 };

	th_open_passive(TH, &cn, NULL, 0);
	cr_assert_eq(sy_tcp_close(TH->tcp, cn.c), 0);
	th_expect(TH, NULL, TH_FIN | TH_ACK, cn.snd_nxt, cn.rcv_nxt);
	th_peer_send(TH, &cn, TH_FIN | TH_ACK, NULL, 0);
	cn.snd_nxt++;
	th_expect_within(TH, ACK_MAX_MS, NULL, TH_ACK, cn.snd_nxt, cn.rcv_nxt);
	th_peer_send(TH, &cn, TH_ACK, NULL, 0);
	th_expect_none(TH);
	cr_assert_eq(sy_tcp_count(TH->tcp, SY_TCP_CLOSING), 0);
	cr_assert_eq(sy_tcp_count(TH->tcp, SY_TCP_TIME_WAIT), 1);
}

Test(tcp_close, fin_and_ack_of_our_fin_together_enter_time_wait_directly)
{
	struct th_conn cn = { 0 };

	th_open_passive(TH, &cn, NULL, 0);
	cr_assert_eq(sy_tcp_close(TH->tcp, cn.c), 0);
	th_expect(TH, NULL, TH_FIN | TH_ACK, cn.snd_nxt, cn.rcv_nxt);
	cn.snd_nxt++;
	th_peer_send(TH, &cn, TH_FIN | TH_ACK, NULL, 0);   /* ACK = our FIN + 1 */
	th_expect_within(TH, ACK_MAX_MS, NULL, TH_ACK, cn.snd_nxt, cn.rcv_nxt);
	cr_assert_eq(sy_tcp_count(TH->tcp, SY_TCP_TIME_WAIT), 1);
	cr_assert_eq(sy_tcp_count(TH->tcp, SY_TCP_CLOSING), 0);
	cr_assert_eq(sy_tcp_count(TH->tcp, SY_TCP_FIN_WAIT_2), 0);
}

/* ---------------- half-close ---------------- */

Test(tcp_close, half_close_app_still_sends_after_peer_fin_then_closes)
{
	struct th_conn cn = { 0 };
	static uint8_t buf[4000], got[4000];
	uint32_t sent = 0;
	struct th_pkt p;

	th_open_passive(TH, &cn, NULL, 0);
	cr_assert_eq(sy_tcp_set_nodelay(TH->tcp, cn.c, true), 0);
	th_peer_send(TH, &cn, TH_FIN | TH_ACK, NULL, 0);
	cr_assert_eq(th_app_count(TH, TH_EV_PEER_CLOSED), 1);
	th_expect_within(TH, ACK_MAX_MS, NULL, TH_ACK, cn.snd_nxt, cn.rcv_nxt);

	/* RFC 9293 3.10.7.4 eighth, CLOSE-WAIT: we may still SEND */
	th_pattern(buf, sizeof(buf), 99);
	th_app_send(TH, cn.c, buf, sizeof(buf));
	unsigned int segs = 0;
	for (int round = 0; round < 10 && sent < sizeof(buf); round++) {
		while (th_try_pop(TH, &p)) {
			cr_assert_eq(p.flags & ~TH_PSH, TH_ACK, "flags %#x on data", p.flags);
			cr_assert_eq(p.seq, cn.snd_nxt, "SEQ %u, expected %u", p.seq, cn.snd_nxt);
			cr_assert_eq(p.ack, cn.rcv_nxt, "data must ACK the peer's FIN");
			cr_assert(p.len > 0 && p.len <= 1460, "segment of %u bytes", p.len);
			memcpy(got + sent, p.data, p.len);
			sent += p.len;
			cn.snd_nxt += p.len;
			segs++;
		}
		th_peer_send(TH, &cn, TH_ACK, NULL, 0);
		th_advance_ms(TH, 1);
	}
	cr_assert_eq(sent, sizeof(buf), "only %u bytes sent in CLOSE-WAIT", sent);
	cr_assert(segs >= 3, "%u segments for 4000 bytes at MSS 1460", segs);
	cr_assert_arr_eq(got, buf, sizeof(buf));
	th_expect_none(TH);

	cr_assert_eq(sy_tcp_close(TH->tcp, cn.c), 0);
	th_expect(TH, NULL, TH_FIN | TH_ACK, cn.snd_nxt, cn.rcv_nxt);
	cr_assert_eq(sy_tcp_count(TH->tcp, SY_TCP_LAST_ACK), 1);
	cn.snd_nxt++;
	th_peer_send(TH, &cn, TH_ACK, NULL, 0);
	cr_assert_eq(th_count_all(TH), 0);
	const struct th_ev *e = th_app_find(TH, TH_EV_CLOSED);
	cr_assert_not_null(e);
	cr_assert_eq(e->why, SY_TCP_CLOSE_NORMAL);
}

Test(tcp_close, shutdown_sends_fin_after_queued_data_and_keeps_receiving)
{
	struct th_conn cn = { 0 };
	uint8_t out[300], in[200];
	struct th_pkt p;

	th_open_passive(TH, &cn, NULL, 0);
	cr_assert_eq(sy_tcp_set_nodelay(TH->tcp, cn.c, true), 0);
	th_pattern(out, sizeof(out), 1);
	th_pattern(in, sizeof(in), 2);
	th_app_send(TH, cn.c, out, sizeof(out));
	cr_assert_eq(sy_tcp_shutdown(TH->tcp, cn.c), 0);
	/* the data, then the FIN (possibly in the same segment) */
	th_pop(TH, &p);
	cr_assert_eq(p.seq, cn.snd_nxt);
	cr_assert_eq(p.len, sizeof(out));
	cr_assert_arr_eq(p.data, out, sizeof(out));
	cn.snd_nxt += p.len;
	if (!(p.flags & TH_FIN))
		th_expect(TH, &p, TH_FIN | TH_ACK, cn.snd_nxt, cn.rcv_nxt);
	cn.snd_nxt++;
	th_peer_send(TH, &cn, TH_ACK, NULL, 0);
	cr_assert_eq(sy_tcp_count(TH->tcp, SY_TCP_FIN_WAIT_2), 1);
	/* RFC 9293 3.10.7.4 seventh: FIN-WAIT-1/2 still process segment text */
	th_peer_send(TH, &cn, TH_ACK | TH_PSH, in, sizeof(in));
	cr_assert_eq(TH->app.data_len, sizeof(in));
	cr_assert_arr_eq(TH->app.data, in, sizeof(in));
}

/* ---------------- timers of the closing states ---------------- */

Test(tcp_close, unacked_fin_is_retransmitted_on_rto)
{
	struct th_conn cn = { 0 };

	th_open_passive(TH, &cn, NULL, 100);
	cr_assert_eq(sy_tcp_close(TH->tcp, cn.c), 0);
	th_expect(TH, NULL, TH_FIN | TH_ACK, cn.snd_nxt, cn.rcv_nxt);
	int64_t t = th_run_until_frame(TH, 5000);
	/* RFC 6298: RTO >= rto_min (200 ms); 300 ms with the 100 ms SYN-ACK sample, 1 s
	 * without any sample */
	cr_assert(t >= 200, "FIN retransmitted after %ld ms, below rto_min", (long)t);
	cr_assert(t <= 1000 + TH_SLACK_MS(1000), "FIN retransmitted after %ld ms", (long)t);
	th_expect(TH, NULL, TH_FIN | TH_ACK, cn.snd_nxt, cn.rcv_nxt);
	cr_assert_eq(sy_tcp_stats(TH->tcp)->fin_retrans, 1);
	cr_assert_eq(sy_tcp_count(TH->tcp, SY_TCP_FIN_WAIT_1), 1);
}

Test(tcp_close, fin_wait_2_times_out_after_fin_wait2_timeout)
{
	struct th_conn cn = { 0 };

	th_open_passive(TH, &cn, NULL, 0);
	cr_assert_eq(sy_tcp_close(TH->tcp, cn.c), 0);
	th_expect(TH, NULL, TH_FIN | TH_ACK, cn.snd_nxt, cn.rcv_nxt);
	cn.snd_nxt++;
	uint64_t t0 = th_now_ms(TH);
	th_peer_send(TH, &cn, TH_ACK, NULL, 0);
	cr_assert_eq(sy_tcp_count(TH->tcp, SY_TCP_FIN_WAIT_2), 1);
	const uint64_t to = TH_FW2_TIMEOUT_S * 1000ull;
	th_advance_to_ms(TH, t0 + to - 1);
	cr_assert_eq(sy_tcp_count(TH->tcp, SY_TCP_FIN_WAIT_2), 1, "FIN-WAIT-2 ended early");
	th_advance_to_ms(TH, t0 + to + TH_SLACK_MS(to));
	cr_assert_eq(sy_tcp_count(TH->tcp, SY_TCP_FIN_WAIT_2), 0, "FIN-WAIT-2 never timed out");
	const struct th_ev *e = th_app_find(TH, TH_EV_CLOSED);
	cr_assert_not_null(e, "no closed callback");
	cr_assert_eq(e->why, SY_TCP_CLOSE_FIN_WAIT_2, "reason %s",
		     sy_tcp_close_reason_name(e->why));
	struct th_pkt p;
	while (th_try_pop(TH, &p))
		cr_assert(p.flags & TH_RST, "only a RST may follow the timeout, got %#x", p.flags);
}

Test(tcp_close, retransmitted_fin_in_time_wait_is_reacked_and_restarts_2msl)
{
	struct th_conn cn = { 0 };

	th_open_passive(TH, &cn, NULL, 0);
	uint64_t t0 = th_to_time_wait(TH, &cn);
	th_advance_to_ms(TH, t0 + TH_2MSL_MS / 2);
	/* our last ACK was lost: the peer retransmits its FIN (SEQ = RCV.NXT - 1) */
	uint64_t t1 = th_now_ms(TH);
	th_peer_send_at(TH, &cn, TH_FIN | TH_ACK, cn.rcv_nxt - 1, cn.snd_nxt, NULL, 0);
	/* RFC 9293 3.10.7.4 eighth, TIME-WAIT: acknowledge it and restart the 2 MSL timeout */
	th_expect_within(TH, ACK_MAX_MS, NULL, TH_ACK, cn.snd_nxt, cn.rcv_nxt);
	th_advance_to_ms(TH, t1 + TH_2MSL_MS - 1);
	cr_assert_eq(sy_tcp_count(TH->tcp, SY_TCP_TIME_WAIT), 1,
		     "2MSL not restarted by the retransmitted FIN");
	th_advance_to_ms(TH, t1 + TH_2MSL_MS + TH_SLACK_MS(TH_2MSL_MS));
	cr_assert_eq(sy_tcp_count(TH->tcp, SY_TCP_TIME_WAIT), 0);
	th_expect_none(TH);
}

/* ---------------- a new SYN on a TIME-WAIT tuple ---------------- */

Test(tcp_close, time_wait_new_syn_above_rcv_nxt_is_accepted)
{
	struct th_conn cn = { 0 };
	struct th_pkt p;

	th_open_passive(TH, &cn, NULL, 0);
	th_to_time_wait(TH, &cn);
	th_advance_ms(TH, 100);
	/* RFC 1122 4.2.2.13 / RFC 6191 2 (no timestamps): SEQ beyond the old RCV.NXT */
	uint32_t seq = cn.rcv_nxt + 100000;
	th_feed(TH, &(struct th_seg){ .flags = TH_SYN, .seq = seq, .opt = { .mss = 1460 } });
	th_pop(TH, &p);
	cr_assert_eq(p.flags & ~TH_PSH, TH_SYN | TH_ACK, "flags %#x", p.flags);
	cr_assert_eq(p.ack, seq + 1);
	cr_assert_eq(sy_tcp_stats(TH->tcp)->time_wait_reused, 1);
	cr_assert_eq(sy_tcp_count(TH->tcp, SY_TCP_SYN_RECEIVED), 1);
	cr_assert_eq(sy_tcp_count(TH->tcp, SY_TCP_TIME_WAIT), 0);
}

/*
 * The new connection takes the TIME-WAIT record's flow entry over; when no connection is
 * made (the port stopped listening: RFC 9293 3.10.7.1, RST), the entry goes too, and the
 * tuple is then unknown: a later segment on it draws a RST as for any closed port.
 */
Test(tcp_close, time_wait_syn_without_listener_frees_the_tuple)
{
	struct th_conn cn = { 0 };
	struct th_pkt p;

	th_open_passive(TH, &cn, NULL, 0);
	th_to_time_wait(TH, &cn);
	th_advance_ms(TH, 100);
	cr_assert_eq(sy_tcp_unlisten(TH->tcp, rte_cpu_to_be_32(TH_LOCAL_IP),
				     rte_cpu_to_be_16(TH_LPORT)), 0);
	uint32_t seq = cn.rcv_nxt + 100000;

	th_feed(TH, &(struct th_seg){ .flags = TH_SYN, .seq = seq, .opt = { .mss = 1460 } });
	th_pop(TH, &p);
	cr_assert_eq(p.flags & ~TH_PSH, TH_RST | TH_ACK, "flags %#x", p.flags);
	cr_assert_eq(sy_tcp_count(TH->tcp, SY_TCP_TIME_WAIT), 0);
	cr_assert_eq(sy_tcp_count(TH->tcp, SY_TCP_SYN_RECEIVED), 0);
	uint64_t closed_port = sy_tcp_stats(TH->tcp)->drop_no_conn;

	th_feed(TH, &(struct th_seg){ .flags = TH_ACK, .seq = seq + 1, .ack = 12345 });
	th_expect(TH, &p, TH_RST, 12345, 0);
	cr_assert_eq(sy_tcp_stats(TH->tcp)->drop_no_conn, closed_port + 1,
		     "the tuple is unknown, not a stale entry");
}

Test(tcp_close, time_wait_reuse_picks_iss_above_old_snd_nxt)
{
	struct th_conn cn = { 0 };
	static uint8_t buf[3000];
	struct th_pkt p;

	th_open_passive(TH, &cn, NULL, 0);
	cr_assert_eq(sy_tcp_set_nodelay(TH->tcp, cn.c, true), 0);
	th_app_send(TH, cn.c, buf, sizeof(buf));
	for (int round = 0; round < 10 && cn.snd_nxt != cn.iss + 1 + sizeof(buf); round++) {
		while (th_try_pop(TH, &p))
			cn.snd_nxt += p.len;
		th_peer_send(TH, &cn, TH_ACK, NULL, 0);
		th_advance_ms(TH, 1);
	}
	cr_assert_eq(cn.snd_nxt, cn.iss + 1 + sizeof(buf), "data not all sent");
	th_to_time_wait(TH, &cn);
	th_feed(TH, &(struct th_seg){ .flags = TH_SYN, .seq = cn.rcv_nxt + 100000,
				      .opt = { .mss = 1460 } });
	th_pop(TH, &p);
	cr_assert_eq(p.flags & ~TH_PSH, TH_SYN | TH_ACK);
	/* RFC 1122 4.2.2.13 (1): the new ISS is larger than the old incarnation's SND.NXT */
	cr_assert(th_seq_gt(p.seq, cn.snd_nxt), "new ISS %u not above old SND.NXT %u", p.seq,
		  cn.snd_nxt);
}

static void
old_syn_not_accepted(uint32_t delta)
{
	struct th_conn cn = { 0 };
	struct th_pkt p;

	th_open_passive(TH, &cn, NULL, 0);
	th_to_time_wait(TH, &cn);
	th_advance_ms(TH, 100);
	th_feed(TH, &(struct th_seg){ .flags = TH_SYN, .seq = cn.rcv_nxt - delta,
				      .opt = { .mss = 1460 } });
	/* RFC 6191 2 / RFC 9293 3.10.7.4: not a new incarnation; at most a pure ACK of the
	 * old connection comes back, never a SYN-ACK */
	while (th_try_pop(TH, &p)) {
		cr_assert_not(p.flags & TH_SYN, "a SYN-ACK for an old SYN on a TIME-WAIT tuple");
		cr_assert_eq(p.flags & ~TH_PSH, TH_ACK, "flags %#x", p.flags);
		cr_assert_eq(p.seq, cn.snd_nxt);
		cr_assert_eq(p.ack, cn.rcv_nxt);
	}
	cr_assert_eq(sy_tcp_count(TH->tcp, SY_TCP_TIME_WAIT), 1);
	cr_assert_eq(sy_tcp_count(TH->tcp, SY_TCP_SYN_RECEIVED), 0);
	cr_assert_eq(sy_tcp_stats(TH->tcp)->time_wait_reused, 0);
}

Test(tcp_close, time_wait_syn_at_old_fin_seq_is_not_accepted)
{
	old_syn_not_accepted(1);
}

Test(tcp_close, time_wait_syn_far_below_rcv_nxt_is_not_accepted)
{
	old_syn_not_accepted(100000);
}

/* ---------------- output at the end of input ---------------- */

/* An application that answers a request and closes, from the data callback (HTTP/1.1
 * with "Connection: close", RFC 9112 9.6). */
static void
respond_and_close(void *user, sy_conn_t c, struct rte_mbuf *m)
{
	struct th_app *a = user;
	struct rte_mbuf *r = rte_pktmbuf_alloc(a->h->pool);

	rte_pktmbuf_free(m);
	cr_assert_not_null(r);
	memcpy(rte_pktmbuf_append(r, 4), "done", 4);
	cr_assert_eq(sy_tcp_send(a->h->tcp, c, r), 0);
	cr_assert_eq(sy_tcp_close(a->h->tcp, c), 0);
}

/*
 * RFC 9293 3.10.4 queues the FIN "after all preceding SENDs have been segmentized": a
 * response and a close() from one callback leave as ONE segment, data with FIN (as BSD,
 * where output runs once at the end of input), not as data then a bare FIN.
 */
Test(tcp_close, response_and_close_from_a_callback_leave_as_one_segment)
{
	struct th_conn cn = { 0 };
	struct th_pkt p;

	TH->ops.data = respond_and_close;
	th_open_passive(TH, &cn, NULL, 0);
	th_peer_send(TH, &cn, TH_ACK | TH_PSH, "GET", 3);
	th_expect(TH, &p, TH_FIN | TH_ACK, cn.snd_nxt, cn.rcv_nxt);
	cr_assert_eq(p.len, 4, "the response rides with the FIN");
	cr_assert_eq(memcmp(p.data, "done", 4), 0);
	th_expect_none(TH);
	cr_assert_eq(sy_tcp_count(TH->tcp, SY_TCP_FIN_WAIT_1), 1);
}

/*
 * Active open on a tuple in TIME-WAIT (RFC 6191 at the peer: our new ISS is above all the
 * old incarnation sent): the record goes, the new connection takes the tuple's flow entry
 * over, and segments of the tuple reach the new connection, not the old record.
 */
Test(tcp_close, connect_on_a_time_wait_tuple_takes_it_over)
{
	struct th_conn old = { 0 }, cn = { 0 };
	struct th_pkt p;

	th_open_active(TH, &old, 40000, NULL, 0);
	th_to_time_wait(TH, &old);
	th_advance_ms(TH, 1000);
	th_connect_syn(TH, &cn, 40000, &p);
	cr_assert((int32_t)(p.seq - old.snd_nxt) > 0, "ISS above the old incarnation's SND.NXT");
	cr_assert_eq(sy_tcp_stats(TH->tcp)->time_wait_reused, 1);
	cr_assert_eq(sy_tcp_count(TH->tcp, SY_TCP_TIME_WAIT), 0);
	th_feed(TH, &(struct th_seg){ .sport = TH_LPORT, .dport = 40000,
				      .flags = TH_SYN | TH_ACK, .seq = 777000, .ack = p.seq + 1,
				      .opt = { .mss = 1460 } });
	th_expect(TH, &p, TH_ACK, cn.iss + 1, 777001);
	cr_assert_eq(sy_tcp_conn_state(TH->tcp, cn.c), SY_TCP_ESTABLISHED);
}
