/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * RFC 6298 worked on the virtual clock, observed through retransmission times: the first
 * RTT sample R gives SRTT = R, RTTVAR = R/2, RTO = SRTT + max(G, 4 RTTVAR) (2.2), raised
 * to rto_min (2.4); later samples with alpha = 1/8, beta = 1/4 (2.3); Karn's rule (3):
 * a retransmitted segment gives no sample and the backed-off RTO stays until a segment
 * sent once is acknowledged; each expiry doubles the RTO (5.5) up to rto_max (2.5).
 * The connections negotiate no timestamps, so RTT is timed one segment at a time. The
 * handshake is the first sample: the SYN-ACK is answered after @p rtt ms.
 */
#include <criterion/criterion.h>

#include "tcp_harness.h"
#include "tcb.h"

TestSuite(tcpdata_rto, .init = th_setup, .fini = th_teardown);

static const struct th_opts plain = { .mss = 1460 };
static uint8_t d[100];

static void
restart_with(const struct sy_tcp_conf *conf)
{
	th_destroy(TH);
	TH = th_create(conf, NULL, 1000000);
}

/* The app sends 100 bytes; the segment leaves at once. */
static void
send_100(struct th_conn *cn)
{
	struct th_pkt p;

	th_app_send(TH, cn->c, d, sizeof(d));
	th_expect(TH, &p, TH_ACK, cn->snd_nxt, cn->rcv_nxt);
	cr_assert_eq(p.len, sizeof(d));
}

/* The same segment comes again after @p lo ms (never earlier, at most a slack later). */
static void
expect_rtx_after(struct th_conn *cn, uint32_t lo, uint32_t hi)
{
	struct th_pkt p;
	uint64_t t = th_expect_within(TH, hi + TH_SLACK_MS(hi), &p, TH_ACK, cn->snd_nxt,
				      cn->rcv_nxt);

	cr_assert(t >= lo && t <= hi + TH_SLACK_MS(hi),
		  "retransmission after %lu ms, expected %u..%u", (unsigned long)t, lo, hi);
	cr_assert_eq(p.len, sizeof(d));
}

/* After @p ms, the peer acknowledges everything sent. */
static void
ack_after(struct th_conn *cn, uint32_t ms)
{
	th_advance_ms(TH, ms);
	cn->snd_nxt += sizeof(d);
	th_peer_send(TH, cn, TH_ACK, NULL, 0);
	th_expect_none(TH);
}

Test(tcpdata_rto, first_sample_gives_srtt_r_rttvar_half_and_rto_srtt_plus_4_rttvar)
{
	struct th_conn cn = { 0 };
	struct sy_tcp_conn_info ci;

	th_open_passive(TH, &cn, &plain, 100);
	cr_assert_eq(sy_tcp_conn_info(TH->tcp, cn.c, &ci), 0);
	cr_assert_eq(ci.srtt_ms, 100);
	cr_assert_eq(ci.rttvar_ms, 50);
	send_100(&cn);
	expect_rtx_after(&cn, 300, 300);          /* 100 + 4 * 50 */
}

Test(tcpdata_rto, rto_is_raised_to_rto_min)
{
	struct th_conn cn = { 0 };

	th_open_passive(TH, &cn, &plain, 10);     /* 10 + 4 * 5 = 30 < rto_min 200 */
	send_100(&cn);
	expect_rtx_after(&cn, 200, 200);
}

Test(tcpdata_rto, later_samples_use_alpha_one_eighth_beta_one_quarter)
{
	struct th_conn cn = { 0 };

	th_open_passive(TH, &cn, &plain, 100);
	send_100(&cn);
	ack_after(&cn, 200);
	/* R' = 200: RTTVAR = 3/4 50 + 1/4 |100 - 200| = 62.5, SRTT = 7/8 100 + 1/8 200 =
	 * 112.5, RTO = 112.5 + 4 * 62.5 = 362.5 */
	send_100(&cn);
	expect_rtx_after(&cn, 362, 363);
}

Test(tcpdata_rto, karn_no_sample_from_a_retransmission_and_backoff_kept)
{
	struct th_conn cn = { 0 };

	th_open_passive(TH, &cn, &plain, 100);    /* RTO 300 */
	send_100(&cn);
	expect_rtx_after(&cn, 300, 300);          /* RTO -> 600 */
	ack_after(&cn, 50);                       /* ambiguous: no sample (Karn) */
	send_100(&cn);
	/* the backed-off 600 stays until a segment sent once is acknowledged */
	expect_rtx_after(&cn, 600, 600);          /* RTO -> 1200 */
	ack_after(&cn, 10);
	send_100(&cn);
	ack_after(&cn, 100);                      /* a valid sample of 100 */
	/* RTTVAR = 3/4 50 + 1/4 0 = 37.5, SRTT = 100, RTO = 250: the back-off is gone */
	send_100(&cn);
	expect_rtx_after(&cn, 250, 250);
}

Test(tcpdata_rto, each_expiry_doubles_the_rto_up_to_rto_max)
{
	struct sy_tcp_conf conf;
	struct th_conn cn = { 0 };
	const uint32_t iv[] = { 300, 600, 1000, 1000, 1000 };

	th_conf_defaults(&conf);
	conf.rto_max_ms = 1000;
	conf.data_retries = 6;
	restart_with(&conf);
	th_open_passive(TH, &cn, &plain, 100);
	send_100(&cn);
	for (unsigned int i = 0; i < RTE_DIM(iv); i++)
		expect_rtx_after(&cn, iv[i], iv[i]);
	cr_assert_eq(sy_tcp_conn_state(TH->tcp, cn.c), SY_TCP_ESTABLISHED);
}

/*
 * RFC 6298 5.3: an ACK of new data restarts the retransmission timer, so that it expires
 * RTO after that ACK (with the RTO the ACK's sample just gave), not RTO after the first
 * segment went out. (The wheel timer of the first deadline may stay armed; its early
 * expiry must send nothing.)
 */
Test(tcpdata_rto, ack_of_new_data_restarts_the_timer_from_the_ack)
{
	struct th_conn cn = { 0 };
	struct th_pkt p;

	th_open_passive(TH, &cn, &plain, 100);    /* RTO 300 */
	cr_assert_eq(sy_tcp_set_nodelay(TH->tcp, cn.c, true), 0);
	send_100(&cn);                            /* A at t = 0 */
	th_advance_ms(TH, 50);
	th_app_send(TH, cn.c, d, sizeof(d));      /* B at t = 50 */
	th_expect(TH, &p, TH_ACK, cn.snd_nxt + sizeof(d), cn.rcv_nxt);
	ack_after(&cn, 150);                      /* A acknowledged at t = 200: R' = 200 */
	/* RTO = 112.5 + 4 * 62.5 = 362.5 from the ACK, i.e. B again at t = 562, not at 300
	 * (the first deadline) nor at 350 (B's send + the old RTO) */
	expect_rtx_after(&cn, 362, 363);
}

/*
 * RFC 7323 4.1 takes RTT from the echoed TSecr, but the echo is the peer's word. An echo
 * that cannot be a TSval of ours still in flight (from the future; older than rto_max;
 * half the clock away, which once overflowed the SRTT arithmetic) gives no sample: the
 * timed segment (RFC 6298) gives it instead, so SRTT and the RTO follow the real round
 * trip. Each such echo is counted.
 */
Test(tcpdata_rto, an_implausible_timestamp_echo_gives_no_rtt_sample)
{
	static const struct th_opts ts_syn = { .mss = 1460, .ts_on = true, .tsval = 1000 };
	const uint32_t rto_max = 120000;
	struct th_conn cn = { 0 };
	/* TSecr - the stack's TSval now: a ms ahead, half the clock back, rto_max + 1 back */
	const uint32_t ahead_of_now[] = { 1, 0x80000000u, -(rto_max + 1) };
	struct sy_tcp_conn_info ci;

	th_open_passive(TH, &cn, &ts_syn, 100);   /* SRTT 100, RTTVAR 50 */
	cr_assert(cn.ts, "timestamps not negotiated");
	for (unsigned int i = 0; i < RTE_DIM(ahead_of_now); i++) {
		struct th_seg s = {
			.sport = cn.pport, .dport = cn.lport, .flags = TH_ACK,
			.opt = { .ts_on = true },
		};

		send_100(&cn);
		th_advance_ms(TH, 100);
		cn.snd_nxt += sizeof(d);
		s.seq = cn.rcv_nxt;
		s.ack = cn.snd_nxt;
		s.opt.tsval = cn.peer_tsval++;
		/* the stack's TSval now is its last one (the send) + 100 */
		s.opt.tsecr = TH->last_tsval + 100 + ahead_of_now[i];
		th_feed(TH, &s);
		th_expect_none(TH);
		cr_assert_eq(sy_tcp_conn_info(TH->tcp, cn.c, &ci), 0);
		cr_assert_eq(ci.srtt_ms, 100, "echo %u: SRTT %u", i, ci.srtt_ms);
		cr_assert_leq(ci.rto_ms, 300, "echo %u: RTO %u", i, ci.rto_ms);
		cr_assert_eq(ci.flight, 0);
		cr_assert_eq(sy_tcp_stats(TH->tcp)->rtt_echo_implausible, i + 1);
	}
	/* an echo exactly rto_max old is still taken (the bound is inclusive) */
	send_100(&cn);
	th_advance_ms(TH, 100);
	cn.snd_nxt += sizeof(d);
	th_feed(TH, &(struct th_seg){ .sport = cn.pport, .dport = cn.lport, .flags = TH_ACK,
				     .seq = cn.rcv_nxt, .ack = cn.snd_nxt,
				     .opt = { .ts_on = true, .tsval = cn.peer_tsval++,
					      .tsecr = TH->last_tsval + 100 - rto_max } });
	cr_assert_eq(sy_tcp_stats(TH->tcp)->rtt_echo_implausible, 3);
	cr_assert_eq(sy_tcp_conn_info(TH->tcp, cn.c, &ci), 0);
	cr_assert_gt(ci.srtt_ms, 10000, "the in-range echo gave no sample: SRTT %u", ci.srtt_ms);
}

/*
 * Whatever reaches the RTT estimator (a filtered echo, or our own clock on a connection
 * idle for weeks), SRTT and RTTVAR stay inside their 32-bit fixed point: a sample of half
 * the clock is taken as 2^24 ms, and the RTO stays clamped to rto_max.
 */
Test(tcpdata_rto, a_huge_rtt_sample_is_capped_not_overflowed)
{
	struct sy_tcb tcb = { 0 };

	tcp_rtt_sample(TH->tcp, &tcb, 0x80000000u);
	cr_assert_eq(tcb.srtt8 >> 3, SY_TCP_RTO_MAX_LIMIT_MS);
	tcp_rtt_sample(TH->tcp, &tcb, UINT32_MAX);
	cr_assert_eq(tcb.srtt8 >> 3, SY_TCP_RTO_MAX_LIMIT_MS);
	cr_assert_eq(tcb.rto_ms, 120000);
	tcp_rtt_sample(TH->tcp, &tcb, 100);         /* and it still converges from there */
	cr_assert_lt(tcb.srtt8 >> 3, SY_TCP_RTO_MAX_LIMIT_MS);
}

/* rto_max_ms above the limit would let a bogus echo through the filter: refused. */
Test(tcpdata_rto, rto_max_above_the_limit_is_refused)
{
	struct sy_tcp_conf conf;

	th_conf_defaults(&conf);
	conf.rto_max_ms = SY_TCP_RTO_MAX_LIMIT_MS + 1;
	cr_assert_null(sy_tcp_create("rto_lim", &conf, TH->net, TH->pool, &TH->clock,
				     SOCKET_ID_ANY));
	conf.rto_max_ms = SY_TCP_RTO_MAX_LIMIT_MS;
	struct sy_tcp *t = sy_tcp_create("rto_lim", &conf, TH->net, TH->pool, &TH->clock,
					 SOCKET_ID_ANY);

	cr_assert_not_null(t);
	sy_tcp_free(t);
}
