/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * TIME-WAIT when every compact record is in use (docs/tcp.md, "TIME-WAIT record
 * overflow"). RFC 9293 does not bound TIME-WAIT state; an implementation must. synack's
 * default is Linux's (past tcp_max_tw_buckets the connection closes without TIME-WAIT and
 * the overflow is counted); time_wait_overflow_keep keeps the connection block in
 * TIME-WAIT instead. Either way the application is told the connection closed normally.
 */
#include <criterion/criterion.h>

#include "tcp_harness.h"

static void
one_record(struct sy_tcp_conf *c)
{
	c->max_time_wait = 1;
	c->time_wait_overflow_keep = false;
}

static void
one_record_keep(struct sy_tcp_conf *c)
{
	c->max_time_wait = 1;
	c->time_wait_overflow_keep = true;
}

TestSuite(tcp_tw_overflow, .fini = th_teardown);

/* Active close of @p cn up to the ACK of the peer's FIN (RFC 9293 Figure 13, left side). */
static void
close_to_time_wait(struct th_conn *cn)
{
	cr_assert_eq(sy_tcp_close(TH->tcp, cn->c), 0);
	th_expect(TH, NULL, TH_FIN | TH_ACK, cn->snd_nxt, cn->rcv_nxt);
	th_peer_send_at(TH, cn, TH_ACK, cn->rcv_nxt, cn->snd_nxt + 1, NULL, 0);
	th_peer_send_at(TH, cn, TH_FIN | TH_ACK, cn->rcv_nxt, cn->snd_nxt + 1, NULL, 0);
	cn->snd_nxt += 1;
	cn->rcv_nxt += 1;
	th_expect_within(TH, TH_DELACK_MS + TH_SLACK_MS(TH_DELACK_MS), NULL, TH_ACK, cn->snd_nxt,
			 cn->rcv_nxt);
}

static void
two_connections_to_time_wait(struct th_conn *a, struct th_conn *b)
{
	a->pport = 40000;
	b->pport = 40001;
	th_open_passive(TH, a, NULL, 0);
	th_open_passive(TH, b, NULL, 0);
	close_to_time_wait(a);
	cr_assert_eq(sy_tcp_count(TH->tcp, SY_TCP_TIME_WAIT), 1);
	close_to_time_wait(b);
}

Test(tcp_tw_overflow, default_closes_without_time_wait_and_counts_it)
{
	struct th_conn a = { 0 }, b = { 0 };

	th_setup_with(one_record);
	two_connections_to_time_wait(&a, &b);
	cr_assert_eq(sy_tcp_stats(TH->tcp)->time_wait_overflow, 1);
	cr_assert_eq(sy_tcp_count(TH->tcp, SY_TCP_TIME_WAIT), 1, "only the first is in TIME-WAIT");
	cr_assert_eq(th_app_count(TH, TH_EV_CLOSED), 2, "both closed callbacks");
	/* b's tuple has no state left: a retransmitted FIN meets a closed port (3.10.7.1) */
	th_peer_send_at(TH, &b, TH_FIN | TH_ACK, b.rcv_nxt - 1, b.snd_nxt, NULL, 0);
	th_expect(TH, NULL, TH_RST, b.snd_nxt, 0);
	/* a's record still re-ACKs its peer's retransmitted FIN */
	th_peer_send_at(TH, &a, TH_FIN | TH_ACK, a.rcv_nxt - 1, a.snd_nxt, NULL, 0);
	th_expect(TH, NULL, TH_ACK, a.snd_nxt, a.rcv_nxt);
}

Test(tcp_tw_overflow, keep_holds_the_connection_in_time_wait_for_2msl)
{
	struct th_conn a = { 0 }, b = { 0 };

	th_setup_with(one_record_keep);
	two_connections_to_time_wait(&a, &b);
	cr_assert_eq(sy_tcp_stats(TH->tcp)->time_wait_overflow, 0);
	cr_assert_eq(sy_tcp_count(TH->tcp, SY_TCP_TIME_WAIT), 2, "both in TIME-WAIT");
	th_peer_send_at(TH, &b, TH_FIN | TH_ACK, b.rcv_nxt - 1, b.snd_nxt, NULL, 0);
	th_expect(TH, NULL, TH_ACK, b.snd_nxt, b.rcv_nxt);
	th_advance_ms(TH, TH_2MSL_MS + TH_SLACK_MS(TH_2MSL_MS));
	cr_assert_eq(sy_tcp_count(TH->tcp, SY_TCP_TIME_WAIT), 0, "both expire after 2MSL");
}

static void
one_record_keep_two_challenges(struct sy_tcp_conf *c)
{
	one_record_keep(c);
	c->challenge_ack_limit = 2;
}

/*
 * A tcb kept in TIME-WAIT answers like a compact record: a SYN that may be an old
 * duplicate gets a challenge ACK (RFC 5961 4) within the RFC 5961 7 limit, data gets an
 * ACK and is counted as unacceptable (RFC 9293 3.10.7.4), RST is ignored (RFC 1337).
 */
Test(tcp_tw_overflow, kept_connection_challenges_old_syns_within_the_limit)
{
	struct th_conn a = { 0 }, b = { 0 };

	th_setup_with(one_record_keep_two_challenges);
	two_connections_to_time_wait(&a, &b);
	for (int i = 0; i < 4; i++)
		th_peer_send_at(TH, &b, TH_SYN, b.rcv_nxt - 1000, 0, NULL, 0);
	th_expect(TH, NULL, TH_ACK, b.snd_nxt, b.rcv_nxt);
	th_expect(TH, NULL, TH_ACK, b.snd_nxt, b.rcv_nxt);
	th_expect_none(TH);
	cr_assert_eq(sy_tcp_stats(TH->tcp)->challenge_ack_limited, 2);
	th_peer_send_at(TH, &b, TH_RST, b.rcv_nxt, 0, NULL, 0);
	th_expect_none(TH);
	th_peer_send_at(TH, &b, TH_ACK, b.rcv_nxt, b.snd_nxt, "x", 1);
	th_expect(TH, NULL, TH_ACK, b.snd_nxt, b.rcv_nxt);
	cr_assert_eq(sy_tcp_stats(TH->tcp)->drop_unacceptable, 1);
	cr_assert_eq(sy_tcp_count(TH->tcp, SY_TCP_TIME_WAIT), 2, "both still in TIME-WAIT");
}

/* RFC 6191 2 on a kept tcb: a SYN above the old RCV.NXT opens a new connection. */
Test(tcp_tw_overflow, kept_connection_tuple_is_reused_by_a_new_syn)
{
	struct th_conn a = { 0 }, b = { 0 };
	struct th_pkt p;
	uint32_t seq;

	th_setup_with(one_record_keep);
	two_connections_to_time_wait(&a, &b);
	seq = b.rcv_nxt + 100000;
	th_peer_send_at(TH, &b, TH_SYN, seq, 0, NULL, 0);
	th_pop(TH, &p);
	cr_assert_eq(p.flags & ~TH_PSH, TH_SYN | TH_ACK, "flags %#x", p.flags);
	cr_assert_eq(p.ack, seq + 1);
	cr_assert(th_seq_gt(p.seq, b.snd_nxt), "new ISS above the old incarnation's SND.NXT");
	cr_assert_eq(sy_tcp_stats(TH->tcp)->time_wait_reused, 1);
	cr_assert_eq(sy_tcp_count(TH->tcp, SY_TCP_SYN_RECEIVED), 1);
	cr_assert_eq(sy_tcp_count(TH->tcp, SY_TCP_TIME_WAIT), 1, "only a's record is left");
	/* the handshake completes on the reused tuple */
	th_peer_send_at(TH, &b, TH_ACK, seq + 1, p.seq + 1, NULL, 0);
	cr_assert_eq(sy_tcp_count(TH->tcp, SY_TCP_ESTABLISHED), 1);
}
