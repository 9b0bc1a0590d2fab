/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * PAWS (RFC 7323 5.3 R1-R3): a segment whose TSval is older than TS.Recent is dropped,
 * counted and acknowledged, and TS.Recent does not move. Multiplicative decrease on loss:
 * CUBIC cuts the window to beta_cubic = 0.7 of cwnd (RFC 9438 4.6), NewReno to half the
 * flight (RFC 5681 3.2 eq. 4), selected per connection with sy_tcp_set_cc().
 */
#include <string.h>
#include <criterion/criterion.h>

#include "tcp_harness.h"

TestSuite(tcpdata_paws_cc, .init = th_setup, .fini = th_teardown);

static const struct th_opts ts_syn = { .mss = 1460, .ts_on = true, .tsval = 1000 };

Test(tcpdata_paws_cc, segment_with_old_tsval_is_dropped_and_acked)
{
	struct th_conn cn = { 0 };
	uint8_t d[100];
	struct th_pkt p;
	uint32_t b;

	th_pattern(d, sizeof(d), 5);
	th_open_passive(TH, &cn, &ts_syn, 0);
	cr_assert(cn.ts, "timestamps not negotiated");
	b = cn.rcv_nxt;
	cn.peer_tsval = 5000;
	th_peer_send(TH, &cn, TH_ACK | TH_PSH, d, sizeof(d));   /* TS.Recent = 5000 */
	th_advance_ms(TH, TH_DELACK_MS + TH_SLACK_MS(TH_DELACK_MS));
	th_expect(TH, &p, TH_ACK, cn.snd_nxt, b + 100);
	cr_assert_eq(p.opt.tsecr, 5000);
	/* R1: TSval 4000 < TS.Recent: drop, send an ACK, keep TS.Recent */
	cn.peer_tsval = 4000;
	th_peer_send(TH, &cn, TH_ACK | TH_PSH, d, sizeof(d));
	th_expect(TH, &p, TH_ACK, cn.snd_nxt, b + 100);
	cr_assert_eq(p.opt.tsecr, 5000, "TS.Recent moved to %u", p.opt.tsecr);
	cr_assert_eq(sy_tcp_stats(TH->tcp)->drop_paws, 1);
	cr_assert_eq(TH->app.data_len, 100, "PAWS-dropped data was delivered");
	/* the same bytes with a current TSval are taken */
	cn.rcv_nxt = b + 100;
	cn.peer_tsval = 5001;
	th_peer_send(TH, &cn, TH_ACK | TH_PSH, d, sizeof(d));
	cr_assert_eq(TH->app.data_len, 200);
	cr_assert_eq(sy_tcp_stats(TH->tcp)->drop_paws, 1);
}

Test(tcpdata_paws_cc, equal_tsval_is_not_old)
{
	struct th_conn cn = { 0 };
	uint8_t d[100] = { 0 };

	th_open_passive(TH, &cn, &ts_syn, 0);
	cn.peer_tsval = 5000;
	th_peer_send(TH, &cn, TH_ACK, d, sizeof(d));
	cn.peer_tsval = 5000;                    /* R1 drops only SEG.TSval < TS.Recent */
	th_peer_send(TH, &cn, TH_ACK, d, sizeof(d));
	cr_assert_eq(TH->app.data_len, 200);
	cr_assert_eq(sy_tcp_stats(TH->tcp)->drop_paws, 0);
}

/*
 * A full initial window (10 segments, RFC 6928) in flight, the first lost: the peer's
 * duplicate ACK SACKs segments 2..4, which is loss by RFC 6675 (3 SMSS SACKed above
 * SND.UNA). Returns the sender's state after the reduction.
 */
static void
loss_with(enum sy_tcp_cc cc, struct sy_tcp_conn_info *before, struct sy_tcp_conn_info *after)
{
	static const struct th_opts sack_syn = { .mss = 1460, .sack_ok = true };
	static uint8_t d[14600];
	struct th_conn cn = { 0 };
	struct th_pkt p;
	uint8_t o[12] = { 1, 1, 5, 10 };
	uint32_t una, s, e;
	unsigned int n = 0;

	th_open_passive(TH, &cn, &sack_syn, 50);
	cr_assert_eq(sy_tcp_set_cc(TH->tcp, cn.c, cc), 0);
	th_app_send(TH, cn.c, d, sizeof(d));
	while (th_try_pop(TH, &p))
		n += p.len > 0;
	cr_assert_eq(n, 10, "initial window: %u segments", n);
	cr_assert_eq(sy_tcp_conn_info(TH->tcp, cn.c, before), 0);
	una = cn.snd_nxt;
	s = rte_cpu_to_be_32(una + 1460);
	e = rte_cpu_to_be_32(una + 4 * 1460);
	memcpy(o + 4, &s, 4);
	memcpy(o + 8, &e, 4);
	th_feed(TH, &(struct th_seg){ .sport = cn.pport, .dport = cn.lport, .flags = TH_ACK,
				      .seq = cn.rcv_nxt, .ack = una,
				      .opt = { .raw = o, .raw_len = sizeof(o) } });
	cr_assert_eq(sy_tcp_conn_info(TH->tcp, cn.c, after), 0);
	cr_assert(after->in_recovery, "no recovery after 3 SMSS SACKed");
	cr_assert_eq(after->cc, cc);
}

Test(tcpdata_paws_cc, cubic_loss_reduces_cwnd_by_beta_0_7)
{
	struct sy_tcp_conn_info b, a;

	loss_with(SY_TCP_CC_CUBIC, &b, &a);
	cr_assert_eq(b.cwnd, 14600);
	/* RFC 9438 4.6: ssthresh = cwnd * 0.7, cwnd = ssthresh (flight = cwnd here) */
	cr_assert_eq(a.ssthresh, 10220, "ssthresh %u", a.ssthresh);
	cr_assert_eq(a.cwnd, 10220, "cwnd %u", a.cwnd);
}

Test(tcpdata_paws_cc, newreno_loss_halves_the_window)
{
	struct sy_tcp_conn_info b, a;

	loss_with(SY_TCP_CC_NEWRENO, &b, &a);
	cr_assert_eq(b.cwnd, 14600);
	/* RFC 5681 3.2 eq. 4: ssthresh = max(FlightSize / 2, 2 SMSS) */
	cr_assert_eq(a.ssthresh, 7300, "ssthresh %u", a.ssthresh);
	cr_assert_eq(a.cwnd, 7300, "cwnd %u", a.cwnd);
}
