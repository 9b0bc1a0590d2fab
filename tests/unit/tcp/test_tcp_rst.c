/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Resets: RFC 9293 3.5.2 (reset generation), 3.10.7.1 (CLOSED), 3.10.7.2 (LISTEN),
 * 3.10.7.4 first/second (RST validation in synchronized states, RFC 5961 3.2: exact SEQ
 * resets, in-window SEQ gets a challenge ACK, out of window is dropped) and RFC 1337
 * (TIME-WAIT ignores RST, avoiding TIME-WAIT assassination).
 */
#include <string.h>
#include <criterion/criterion.h>

#include "tcp_harness.h"

TestSuite(tcp_rst, .init = th_setup, .fini = th_teardown);

#define CLOSED_PORT 81

/* ---------------- CLOSED: no connection, no listener ---------------- */

Test(tcp_rst, closed_port_ack_segment_gets_rst_seq_seg_ack)
{
	struct th_pkt p;

	th_feed(TH, &(struct th_seg){ .dport = CLOSED_PORT, .flags = TH_ACK, .seq = 1000,
				      .ack = 5555 });
	/* RFC 9293 3.10.7.1: ACK on -> <SEQ=SEG.ACK><CTL=RST> */
	th_expect(TH, &p, TH_RST, 5555, 0);
	cr_assert_eq(p.sport, CLOSED_PORT);
	cr_assert_eq(p.dport, TH_PPORT);
	cr_assert_eq(p.dst_ip, TH_PEER_IP);
	cr_assert_eq(p.len, 0);
	th_expect_none(TH);
	cr_assert_eq(sy_tcp_stats(TH->tcp)->drop_no_conn, 1);
	cr_assert_eq(sy_tcp_stats(TH->tcp)->rst_tx, 1);
}

Test(tcp_rst, closed_port_syn_gets_rst_ack_seq_zero_ack_seq_plus_one)
{
	th_feed(TH, &(struct th_seg){ .dport = CLOSED_PORT, .flags = TH_SYN, .seq = 1000,
				      .opt = { .mss = 1460 } });
	/* RFC 9293 3.10.7.1: ACK off -> <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>, SYN counts */
	th_expect(TH, NULL, TH_RST | TH_ACK, 0, 1001);
	th_expect_none(TH);
	cr_assert_eq(th_count_all(TH), 0);
}

Test(tcp_rst, closed_port_syn_with_data_acks_syn_and_data)
{
	uint8_t d[10] = { 0 };

	th_feed(TH, &(struct th_seg){ .dport = CLOSED_PORT, .flags = TH_SYN, .seq = 1000,
				      .data = d, .len = sizeof(d) });
	th_expect(TH, NULL, TH_RST | TH_ACK, 0, 1000 + 1 + 10);
}

Test(tcp_rst, closed_port_fin_counts_in_seg_len)
{
	uint8_t d[5] = { 0 };

	th_feed(TH, &(struct th_seg){ .dport = CLOSED_PORT, .flags = TH_FIN, .seq = 0xfffffffd,
				      .data = d, .len = sizeof(d) });
	/* SEG.LEN = 5 data + 1 FIN, modulo 2^32 */
	th_expect(TH, NULL, TH_RST | TH_ACK, 0, 0xfffffffdu + 6);
}

Test(tcp_rst, closed_port_data_without_ack_acks_its_length)
{
	uint8_t d[20] = { 0 };

	th_feed(TH, &(struct th_seg){ .dport = CLOSED_PORT, .flags = TH_PSH, .seq = 300,
				      .data = d, .len = sizeof(d) });
	th_expect(TH, NULL, TH_RST | TH_ACK, 0, 320);
}

Test(tcp_rst, closed_port_rst_is_never_answered)
{
	th_feed(TH, &(struct th_seg){ .dport = CLOSED_PORT, .flags = TH_RST, .seq = 1000 });
	th_feed(TH, &(struct th_seg){ .dport = CLOSED_PORT, .flags = TH_RST | TH_ACK,
				      .seq = 1000, .ack = 99 });
	/* RFC 9293 3.10.7.1: an incoming segment containing a RST is discarded */
	th_expect_none(TH);
	cr_assert_eq(sy_tcp_stats(TH->tcp)->rst_tx, 0);
}

/* ---------------- LISTEN ---------------- */

Test(tcp_rst, listen_ack_gets_rst_seq_seg_ack)
{
	th_listen(TH);
	/* RFC 9293 3.10.7.2 second: any ACK in LISTEN -> <SEQ=SEG.ACK><CTL=RST> */
	th_feed(TH, &(struct th_seg){ .flags = TH_ACK, .seq = 1000, .ack = 31337 });
	th_expect(TH, NULL, TH_RST, 31337, 0);
	cr_assert_eq(th_count_all(TH), 0);
}

Test(tcp_rst, listen_rst_is_ignored)
{
	th_listen(TH);
	th_feed(TH, &(struct th_seg){ .flags = TH_RST, .seq = 1000 });
	th_expect_none(TH);
	cr_assert_eq(th_count_all(TH), 0);
}

/* ---------------- ESTABLISHED: RFC 5961 3.2 ---------------- */

Test(tcp_rst, established_rst_at_rcv_nxt_closes_reset)
{
	struct th_conn cn = { 0 };

	th_open_passive(TH, &cn, NULL, 0);
	th_peer_send_at(TH, &cn, TH_RST, cn.rcv_nxt, 0, NULL, 0);
	th_expect_none(TH);
	const struct th_ev *e = th_app_find(TH, TH_EV_CLOSED);
	cr_assert_not_null(e, "no closed callback");
	cr_assert_eq(e->why, SY_TCP_CLOSE_RESET, "reason %s", sy_tcp_close_reason_name(e->why));
	cr_assert_eq(e->c, cn.c);
	cr_assert_eq(th_count_all(TH), 0);
	cr_assert_eq(sy_tcp_stats(TH->tcp)->rst_rx_accepted, 1);
}

Test(tcp_rst, established_rst_in_window_not_rcv_nxt_gets_challenge_ack)
{
	struct th_conn cn = { 0 };

	th_open_passive(TH, &cn, NULL, 0);
	th_peer_send_at(TH, &cn, TH_RST, cn.rcv_nxt + 10, 0, NULL, 0);
	/* RFC 5961 3.2: <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK> */
	th_expect(TH, NULL, TH_ACK, cn.snd_nxt, cn.rcv_nxt);
	th_expect_none(TH);
	cr_assert_eq(sy_tcp_conn_state(TH->tcp, cn.c), SY_TCP_ESTABLISHED);
	cr_assert_eq(th_app_count(TH, TH_EV_CLOSED), 0);
	cr_assert_eq(sy_tcp_stats(TH->tcp)->challenge_ack_tx, 1);
}

Test(tcp_rst, established_rst_before_window_dropped_silently)
{
	struct th_conn cn = { 0 };

	th_open_passive(TH, &cn, NULL, 0);
	th_peer_send_at(TH, &cn, TH_RST, cn.rcv_nxt - 70000, 0, NULL, 0);
	th_expect_none(TH);
	cr_assert_eq(sy_tcp_conn_state(TH->tcp, cn.c), SY_TCP_ESTABLISHED);
	cr_assert_eq(th_app_count(TH, TH_EV_CLOSED), 0);
}

Test(tcp_rst, established_rst_beyond_window_dropped_silently)
{
	struct th_conn cn = { 0 };

	th_open_passive(TH, &cn, NULL, 0);
	th_peer_send_at(TH, &cn, TH_RST | TH_ACK, cn.rcv_nxt + 0x20000000u, cn.snd_nxt, NULL, 0);
	th_expect_none(TH);
	cr_assert_eq(sy_tcp_conn_state(TH->tcp, cn.c), SY_TCP_ESTABLISHED);
	cr_assert_eq(th_app_count(TH, TH_EV_CLOSED), 0);
}

/* ---------------- the other synchronized states ---------------- */

static void
rst_closes(struct th_conn *cn, enum sy_tcp_state st, bool reset_reason)
{
	cr_assert_eq(sy_tcp_count(TH->tcp, st), 1, "precondition: one connection in %s",
		     sy_tcp_state_name(st));
	th_peer_send_at(TH, cn, TH_RST, cn->rcv_nxt, 0, NULL, 0);
	th_expect_none(TH);
	cr_assert_eq(sy_tcp_count(TH->tcp, st), 0, "RST at RCV.NXT left the %s connection",
		     sy_tcp_state_name(st));
	cr_assert_eq(th_count_all(TH), 0);
	const struct th_ev *e = th_app_find(TH, TH_EV_CLOSED);
	cr_assert_not_null(e, "no closed callback");
	if (reset_reason)
		cr_assert_eq(e->why, SY_TCP_CLOSE_RESET, "reason %s",
			     sy_tcp_close_reason_name(e->why));
}

Test(tcp_rst, fin_wait_1_rst_closes_reset)
{
	struct th_conn cn = { 0 };

	th_open_passive(TH, &cn, NULL, 0);
	cr_assert_eq(sy_tcp_close(TH->tcp, cn.c), 0);
	th_expect(TH, NULL, TH_FIN | TH_ACK, cn.snd_nxt, cn.rcv_nxt);
	rst_closes(&cn, SY_TCP_FIN_WAIT_1, true);
}

Test(tcp_rst, fin_wait_2_rst_closes_reset)
{
	struct th_conn cn = { 0 };

	th_open_passive(TH, &cn, NULL, 0);
	cr_assert_eq(sy_tcp_close(TH->tcp, cn.c), 0);
	th_expect(TH, NULL, TH_FIN | TH_ACK, cn.snd_nxt, cn.rcv_nxt);
	cn.snd_nxt++;
	th_peer_send(TH, &cn, TH_ACK, NULL, 0);
	rst_closes(&cn, SY_TCP_FIN_WAIT_2, true);
}

Test(tcp_rst, close_wait_rst_closes_reset)
{
	struct th_conn cn = { 0 };

	th_open_passive(TH, &cn, NULL, 0);
	th_peer_send(TH, &cn, TH_FIN | TH_ACK, NULL, 0);
	th_expect_within(TH, TH_DELACK_MS + TH_SLACK_MS(TH_DELACK_MS), NULL, TH_ACK, cn.snd_nxt,
			 cn.rcv_nxt);
	rst_closes(&cn, SY_TCP_CLOSE_WAIT, true);
}

Test(tcp_rst, closing_rst_closes)
{
	struct th_conn cn = { 0 };

	th_open_passive(TH, &cn, NULL, 0);
	cr_assert_eq(sy_tcp_close(TH->tcp, cn.c), 0);
	th_expect(TH, NULL, TH_FIN | TH_ACK, cn.snd_nxt, cn.rcv_nxt);
	/* the peer's FIN crosses ours: it does not acknowledge our FIN */
	th_peer_send(TH, &cn, TH_FIN | TH_ACK, NULL, 0);
	cn.snd_nxt++;
	th_expect_within(TH, TH_DELACK_MS + TH_SLACK_MS(TH_DELACK_MS), NULL, TH_ACK, cn.snd_nxt,
			 cn.rcv_nxt);
	rst_closes(&cn, SY_TCP_CLOSING, false);
}

Test(tcp_rst, last_ack_rst_closes)
{
	struct th_conn cn = { 0 };

	th_open_passive(TH, &cn, NULL, 0);
	th_peer_send(TH, &cn, TH_FIN | TH_ACK, NULL, 0);
	th_expect_within(TH, TH_DELACK_MS + TH_SLACK_MS(TH_DELACK_MS), NULL, TH_ACK, cn.snd_nxt,
			 cn.rcv_nxt);
	cr_assert_eq(sy_tcp_close(TH->tcp, cn.c), 0);
	th_expect(TH, NULL, TH_FIN | TH_ACK, cn.snd_nxt, cn.rcv_nxt);
	rst_closes(&cn, SY_TCP_LAST_ACK, false);
}

Test(tcp_rst, time_wait_rst_is_ignored_rfc1337)
{
	struct th_conn cn = { 0 };

	th_open_passive(TH, &cn, NULL, 0);
	th_to_time_wait(TH, &cn);
	th_peer_send_at(TH, &cn, TH_RST, cn.rcv_nxt, 0, NULL, 0);
	/* RFC 1337 fix (1): ignore RST in TIME-WAIT */
	th_expect_none(TH);
	cr_assert_eq(sy_tcp_count(TH->tcp, SY_TCP_TIME_WAIT), 1, "RST assassinated TIME-WAIT");
	th_advance_ms(TH, TH_2MSL_MS / 2);
	cr_assert_eq(sy_tcp_count(TH->tcp, SY_TCP_TIME_WAIT), 1);
}

/* ---------------- resets the application causes ---------------- */

Test(tcp_rst, abort_sends_rst_seq_snd_nxt_and_closes_aborted)
{
	struct th_conn cn = { 0 };

	th_open_passive(TH, &cn, NULL, 0);
	cr_assert_eq(sy_tcp_abort(TH->tcp, cn.c), 0);
	/* RFC 9293 3.10.5 ABORT in ESTABLISHED: <SEQ=SND.NXT><CTL=RST> */
	struct th_pkt p;
	th_pop(TH, &p);
	cr_assert(p.flags & TH_RST, "abort sent flags %#x", p.flags);
	cr_assert_eq(p.flags & (TH_SYN | TH_FIN), 0);
	cr_assert_eq(p.seq, cn.snd_nxt);
	th_expect_none(TH);
	const struct th_ev *e = th_app_find(TH, TH_EV_CLOSED);
	cr_assert_not_null(e, "no closed callback");
	cr_assert_eq(e->why, SY_TCP_CLOSE_ABORTED, "reason %s", sy_tcp_close_reason_name(e->why));
	cr_assert_eq(th_count_all(TH), 0);
}

Test(tcp_rst, data_after_full_close_gets_rst)
{
	struct th_conn cn = { 0 };
	uint8_t d[50] = { 0 };
	struct th_pkt p;

	th_open_passive(TH, &cn, NULL, 0);
	cr_assert_eq(sy_tcp_close(TH->tcp, cn.c), 0);
	th_expect(TH, NULL, TH_FIN | TH_ACK, cn.snd_nxt, cn.rcv_nxt);
	/* RFC 1122 4.2.2.13: new data after CLOSE -> the TCP SHOULD send a RST */
	th_peer_send(TH, &cn, TH_ACK | TH_PSH, d, sizeof(d));
	cr_assert(th_run_until_frame(TH, 1) >= 0, "no RST for data after close");
	th_pop(TH, &p);
	cr_assert(p.flags & TH_RST, "data after close answered with %#x", p.flags);
	/* acceptable to the peer: our FIN's SEQ, or just past it */
	cr_assert(p.seq == cn.snd_nxt || p.seq == cn.snd_nxt + 1, "RST SEQ %u, FIN was %u",
		  p.seq, cn.snd_nxt);
	cr_assert_eq(th_app_count(TH, TH_EV_DATA), 0, "data delivered after close");
	cr_assert_eq(th_count_all(TH), 0);
}
