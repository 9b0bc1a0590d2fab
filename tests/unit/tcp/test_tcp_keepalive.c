/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Keep-alives: RFC 1122 4.2.3.6 (off by default, only after an idle interval, a probe is
 * <SEQ=SND.NXT-1> with no data or one garbage octet, an answer resets the idle clock, a
 * dead peer is given up after unanswered probes) and RFC 9293 3.8.4.
 */
#include <string.h>
#include <criterion/criterion.h>

#include "tcp_harness.h"

TestSuite(tcp_keepalive, .init = th_setup, .fini = th_teardown);

#define IDLE_MS  (TH_KA_IDLE_S * 1000u)
#define INTVL_MS (TH_KA_INTVL_S * 1000u)

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

static void
expect_probe(const struct th_conn *cn)
{
	struct th_pkt p;

	/* RFC 1122 4.2.3.6: SEG.SEQ = SND.NXT-1, ACK = RCV.NXT, zero or one garbage octet */
	th_expect(TH, &p, TH_ACK, cn->snd_nxt - 1, cn->rcv_nxt);
	cr_assert(p.len <= 1, "keepalive probe with %u bytes", p.len);
}

static void
open_with_keepalive(struct th_conn *cn)
{
	th_open_passive(TH, cn, NULL, 0);
	cr_assert_eq(sy_tcp_set_keepalive(TH->tcp, cn->c, true), 0);
	th_expect_none(TH);
}

Test(tcp_keepalive, off_by_default_no_probe_when_idle)
{
	struct th_conn cn = { 0 };

	th_open_passive(TH, &cn, NULL, 0);
	/* RFC 1122 4.2.3.6: keep-alives MUST default to off */
	th_advance_ms(TH, 3 * IDLE_MS);
	th_expect_none(TH);
	cr_assert_eq(sy_tcp_conn_state(TH->tcp, cn.c), SY_TCP_ESTABLISHED);
}

Test(tcp_keepalive, probe_after_idle_has_seq_snd_nxt_minus_1_and_ack_rcv_nxt)
{
	struct th_conn cn = { 0 };

	open_with_keepalive(&cn);
	int64_t t = th_run_until_frame(TH, 2 * IDLE_MS);
	assert_at(t, IDLE_MS, "first keepalive probe");
	expect_probe(&cn);
	cr_assert_eq(sy_tcp_stats(TH->tcp)->keepalive_probes, 1);
}

Test(tcp_keepalive, peer_ack_resets_idle_timer)
{
	struct th_conn cn = { 0 };

	open_with_keepalive(&cn);
	cr_assert(th_run_until_frame(TH, 2 * IDLE_MS) >= 0, "no first probe");
	expect_probe(&cn);
	/* the peer answers with <SEQ=RCV.NXT><ACK=SND.NXT><CTL=ACK> */
	th_peer_send(TH, &cn, TH_ACK, NULL, 0);
	/* the next probe comes after a full idle period, not after the probe interval */
	int64_t t = th_run_until_frame(TH, 2 * IDLE_MS);
	assert_at(t, IDLE_MS, "probe after an answered probe");
	expect_probe(&cn);
	cr_assert_eq(sy_tcp_conn_state(TH->tcp, cn.c), SY_TCP_ESTABLISHED);
}

Test(tcp_keepalive, data_from_peer_postpones_first_probe)
{
	struct th_conn cn = { 0 };
	uint8_t d[10] = { 1 };

	open_with_keepalive(&cn);
	th_advance_ms(TH, IDLE_MS / 2);
	th_peer_send(TH, &cn, TH_ACK | TH_PSH, d, sizeof(d));
	th_expect_within(TH, TH_DELACK_MS + TH_SLACK_MS(TH_DELACK_MS), NULL, TH_ACK, cn.snd_nxt,
			 cn.rcv_nxt);
	uint64_t t_data = th_now_ms(TH);
	int64_t t = th_run_until_frame(TH, 2 * IDLE_MS);
	cr_assert(t >= 0, "no probe");
	/* idle counts from the last segment received, which came at most delack ms earlier */
	cr_assert(t + TH_DELACK_MS + TH_SLACK_MS(TH_DELACK_MS) >= IDLE_MS,
		  "probe %ld ms after data: idle clock not reset", (long)t);
	cr_assert(th_now_ms(TH) - t_data <= IDLE_MS + TH_SLACK_MS(IDLE_MS));
	expect_probe(&cn);
}

Test(tcp_keepalive, dead_peer_probes_every_interval_then_aborts_keepalive)
{
	struct th_conn cn = { 0 };
	struct th_pkt p;

	open_with_keepalive(&cn);
	int64_t t = th_run_until_frame(TH, 2 * IDLE_MS);
	assert_at(t, IDLE_MS, "first probe");
	expect_probe(&cn);
	for (unsigned int i = 1; i < TH_KA_PROBES; i++) {
		t = th_run_until_frame(TH, 2 * INTVL_MS);
		assert_at(t, INTVL_MS, "unanswered probe repeated");
		expect_probe(&cn);
	}
	/* the last probe also goes unanswered for an interval: the connection is aborted */
	t = th_run_until_event(TH, TH_EV_CLOSED, 2 * INTVL_MS);
	assert_at(t, INTVL_MS, "abort after the last probe");
	const struct th_ev *e = th_app_find(TH, TH_EV_CLOSED);
	cr_assert_eq(e->why, SY_TCP_CLOSE_KEEPALIVE, "reason %s",
		     sy_tcp_close_reason_name(e->why));
	cr_assert_eq(sy_tcp_stats(TH->tcp)->keepalive_drops, 1);
	cr_assert_eq(sy_tcp_stats(TH->tcp)->keepalive_probes, TH_KA_PROBES);
	cr_assert_eq(th_count_all(TH), 0);
	/* a RST is optional; no further probe */
	while (th_try_pop(TH, &p)) {
		cr_assert(p.flags & TH_RST, "after the abort only a RST, got %#x", p.flags);
		cr_assert_eq(p.seq, cn.snd_nxt);
	}
}
