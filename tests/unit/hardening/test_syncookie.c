/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * SYN cookies, RFC 4987 section 3.6: past the threshold a listener answers SYNs without
 * keeping state; a legitimate final ACK recreates the connection from the cookie, a forged
 * or expired one is refused (RFC 9293 3.10.7.2: an ACK in LISTEN gets <SEQ=SEG.ACK><RST>).
 * The harness listener has backlog 16, so the default threshold is 8.
 */
#include <string.h>
#include <criterion/criterion.h>

#include "tcp_harness.h"

#define THRESH 8
#define FLOOD_PORT 20000

TestSuite(syncookie, .init = th_setup, .fini = th_teardown);

static void
expect_synack(struct th *h, struct th_pkt *p, uint32_t ack)
{
	th_pop(h, p);
	cr_assert_eq(p->flags & ~TH_PSH, TH_SYN | TH_ACK, "flags %#x", p->flags);
	cr_assert_eq(p->ack, ack, "ACK %u, expected %u", p->ack, ack);
}

/* @p n spoofed SYNs from distinct ports, never completed; every one must get a SYN-ACK
 * acknowledging exactly its SYN. */
static void
flood(struct th *h, unsigned int n, uint16_t base)
{
	struct th_pkt p;

	th_listen(h);
	for (unsigned int i = 0; i < n; i++) {
		uint32_t isn = 0x10000u * (i + 1);

		th_feed(h, &(struct th_seg){ .sport = (uint16_t)(base + i), .flags = TH_SYN,
					     .seq = isn, .opt = { .mss = 1460 } });
		expect_synack(h, &p, isn + 1);
		cr_assert_eq(p.dport, base + i);
	}
}

static unsigned int
pool_in_use(const struct th *h)
{
	return rte_mempool_in_use_count(h->pool);
}

Test(syncookie, flood_past_threshold_gets_synacks_but_allocates_no_state)
{
	unsigned int before = pool_in_use(TH);

	flood(TH, 200, FLOOD_PORT);
	/* RFC 4987 3.6: past the threshold no state is kept for the half-open connections */
	cr_assert_eq(sy_tcp_count(TH->tcp, SY_TCP_SYN_RECEIVED), THRESH,
		     "SYN-RECEIVED %u", sy_tcp_count(TH->tcp, SY_TCP_SYN_RECEIVED));
	cr_assert_eq(sy_tcp_stats(TH->tcp)->syncookies_sent, 200 - THRESH);
	cr_assert_eq(sy_tcp_stats(TH->tcp)->drop_backlog, 0);
	cr_assert_eq(sy_tcp_stats(TH->tcp)->syncookie_mode_on, 1);
	cr_assert_eq(pool_in_use(TH), before, "mbufs held: %u -> %u", before, pool_in_use(TH));
}

Test(syncookie, without_cookies_the_same_flood_fills_the_backlog_and_is_dropped)
{
	struct sy_tcp_conf c;

	th_teardown();
	th_conf_defaults(&c);
	c.syncookie_threshold = 0;
	TH = th_create(&c, NULL, 1000000);
	th_listen(TH);
	for (unsigned int i = 0; i < 40; i++)
		th_feed(TH, &(struct th_seg){ .sport = (uint16_t)(FLOOD_PORT + i), .flags = TH_SYN,
					      .seq = 1000u * i, .opt = { .mss = 1460 } });
	cr_assert_eq(th_pending(TH), 16, "SYN-ACKs %u", th_pending(TH));
	cr_assert_eq(sy_tcp_stats(TH->tcp)->drop_backlog, 24);
	cr_assert_eq(sy_tcp_stats(TH->tcp)->syncookies_sent, 0);
}

Test(syncookie, legitimate_client_completes_with_cookie_and_exchanges_data)
{
	const struct th_opts o = { .mss = 1460, .ws_on = true, .ws = 2, .sack_ok = true,
				   .ts_on = true, .tsval = 777 };
	struct th_conn cn = { .pport = 50000, .irs = 0xabcdef };
	struct th_pkt p;
	uint8_t d[100];

	flood(TH, 30, FLOOD_PORT);
	uint64_t sent = sy_tcp_stats(TH->tcp)->syncookies_sent;
	th_open_passive(TH, &cn, &o, 5);
	cr_assert_eq(sy_tcp_stats(TH->tcp)->syncookies_sent, sent + 1, "not a cookie SYN-ACK");
	cr_assert_eq(sy_tcp_stats(TH->tcp)->syncookies_ok, 1);
	cr_assert_eq(sy_tcp_conn_state(TH->tcp, cn.c), SY_TCP_ESTABLISHED);
	cr_assert_eq(sy_tcp_count(TH->tcp, SY_TCP_SYN_RECEIVED), THRESH);
	cr_assert(cn.ts, "timestamps offered back in the cookie SYN-ACK");

	th_pattern(d, sizeof(d), 3);
	th_peer_send(TH, &cn, TH_ACK | TH_PSH, d, sizeof(d));
	cr_assert_eq(TH->app.data_len, sizeof(d));
	cr_assert_arr_eq(TH->app.data, d, sizeof(d));
	th_app_send(TH, cn.c, d, 50);
	th_pop(TH, &p);
	cr_assert_eq(p.len, 50);
	cr_assert_eq(p.seq, cn.snd_nxt);
	cr_assert(p.opt.ts_on);
	/* RFC 7323 2.3: with window scale agreed our windows are scaled by conf.wscale (7) */
	cr_assert_eq(p.win, (uint16_t)(TH->conf.rcv_wnd >> 7), "window %u", p.win);
}

Test(syncookie, cookie_synack_without_timestamps_offers_no_ws_or_sack)
{
	struct th_pkt p;

	flood(TH, THRESH, FLOOD_PORT);
	th_feed(TH, &(struct th_seg){ .sport = 50000, .flags = TH_SYN, .seq = 5,
				      .opt = { .mss = 1460, .ws_on = true, .ws = 3,
					       .sack_ok = true } });
	expect_synack(TH, &p, 6);
	cr_assert_eq(sy_tcp_stats(TH->tcp)->syncookies_sent, 1);
	/* nothing to carry WS/SACK back in: decline both (RFC 7323 2.2, RFC 2018 2) */
	cr_assert_not(p.opt.ws_on);
	cr_assert_not(p.opt.sack_ok);
	cr_assert_eq(p.opt.mss, TH_MSS);
}

Test(syncookie, forged_ack_with_wrong_cookie_gets_rst_and_no_connection)
{
	struct th_pkt p;

	flood(TH, 20, FLOOD_PORT);
	th_feed(TH, &(struct th_seg){ .flags = TH_SYN, .seq = 1000, .opt = { .mss = 1460 } });
	expect_synack(TH, &p, 1001);
	/* a blind attacker does not know p.seq: any other value must be refused */
	th_feed(TH, &(struct th_seg){ .flags = TH_ACK, .seq = 1001, .ack = p.seq + 2 });
	th_expect(TH, NULL, TH_RST, p.seq + 2, 0);
	/* the right cookie for another SYN's ISN is just as wrong */
	th_feed(TH, &(struct th_seg){ .flags = TH_ACK, .seq = 2001, .ack = p.seq + 1 });
	th_expect(TH, NULL, TH_RST, p.seq + 1, 0);
	cr_assert_eq(sy_tcp_stats(TH->tcp)->syncookies_bad, 2);
	cr_assert_eq(sy_tcp_stats(TH->tcp)->syncookies_ok, 0);
	cr_assert_eq(sy_tcp_count(TH->tcp, SY_TCP_ESTABLISHED), 0);
	cr_assert_eq(th_app_count(TH, TH_EV_ACCEPTED), 0);
}

static void
cookie_after(uint64_t wait_ms, bool accepted)
{
	struct th_pkt p;

	flood(TH, THRESH, FLOOD_PORT);
	th_feed(TH, &(struct th_seg){ .sport = 50000, .flags = TH_SYN, .seq = 1000,
				      .opt = { .mss = 1460 } });
	expect_synack(TH, &p, 1001);
	th_jump_us(TH, (th_now_ms(TH) + wait_ms) * 1000);
	th_run_until_frame(TH, 0);
	sy_test_wire_clear(&TH->wire, &TH->txq);    /* SYN-ACK retransmissions of the flood */
	th_feed(TH, &(struct th_seg){ .sport = 50000, .flags = TH_ACK, .seq = 1001,
				      .ack = p.seq + 1 });
	if (accepted) {
		cr_assert_eq(sy_tcp_stats(TH->tcp)->syncookies_ok, 1);
		cr_assert_eq(th_app_count(TH, TH_EV_ACCEPTED), 1);
	} else {
		th_expect(TH, NULL, TH_RST, p.seq + 1, 0);
		cr_assert_eq(sy_tcp_stats(TH->tcp)->syncookies_bad, 1);
		cr_assert_eq(th_app_count(TH, TH_EV_ACCEPTED), 0);
	}
}

Test(syncookie, cookie_from_the_previous_period_is_accepted)
{
	cookie_after(64000, true);
}

Test(syncookie, cookie_older_than_two_periods_is_rejected)
{
	cookie_after(2 * 64000 + 1000, false);
}

Test(syncookie, encoded_mss_is_honoured_and_never_exceeded)
{
	struct th_conn cn = { .pport = 50000 };
	const struct th_opts o = { .mss = 1350 };
	struct th_pkt p;
	static uint8_t d[6000];

	flood(TH, THRESH, FLOOD_PORT);
	th_open_passive(TH, &cn, &o, 1);
	cr_assert_eq(sy_tcp_stats(TH->tcp)->syncookies_ok, 1);
	th_app_send(TH, cn.c, d, sizeof(d));
	th_pop(TH, &p);
	/* RFC 9293 3.7.1: never above the peer's MSS; the cookie rounds down to 1300 */
	cr_assert_leq(p.len, 1350);
	cr_assert_gt(p.len, 536, "the MSS did not survive the cookie: %u", p.len);
	cr_assert_eq(p.len, 1300);
}

Test(syncookie, window_scale_survives_the_cookie_through_the_timestamp)
{
	const struct th_opts o = { .mss = 1460, .ws_on = true, .ws = 2, .ts_on = true,
				   .tsval = 100 };
	struct th_conn cn = { .pport = 50000 };
	static uint8_t d[6000];
	uint32_t sent = 0;
	struct th_pkt p;

	flood(TH, THRESH, FLOOD_PORT);
	th_open_passive(TH, &cn, &o, 1);
	cr_assert_eq(sy_tcp_stats(TH->tcp)->syncookies_ok, 1);
	cr_assert_eq(sy_tcp_set_nodelay(TH->tcp, cn.c, true), 0);
	/* the peer's window field 500 means 500 << 2 = 2000 bytes (RFC 7323 2.3) */
	th_feed(TH, &(struct th_seg){ .sport = cn.pport, .flags = TH_ACK, .seq = cn.rcv_nxt,
				      .ack = cn.snd_nxt, .win = 500,
				      .opt = { .ts_on = true, .tsval = cn.peer_tsval++,
					       .tsecr = TH->last_tsval } });
	th_app_send(TH, cn.c, d, sizeof(d));
	while (th_try_pop(TH, &p))
		sent += p.len;
	/* a full segment fits only if the window is 2000 (not the unscaled 500); the 552-byte
	 * rest waits (RFC 9293 3.8.6.2.1 sender SWS avoidance) */
	cr_assert(sent >= 1448 && sent <= 2000, "sent %u into a 2000-byte window", sent);
}

/*
 * The mode switches off once the backlog drains under the threshold: here the half-open
 * connections of the flood give up after their SYN-ACK retries, and the next SYN gets an
 * ordinary SYN-ACK with state again. Both switches are counted once.
 */
Test(syncookie, mode_switches_off_when_the_backlog_drains)
{
	struct th_pkt p;

	flood(TH, THRESH + 5, FLOOD_PORT);
	cr_assert_eq(sy_tcp_stats(TH->tcp)->syncookie_mode_on, 1);
	/* SYN-ACK retries (TH_SYNACK_RETRIES, doubling from 1 s) run out within a minute */
	th_advance_ms(TH, 60000);
	sy_test_wire_clear(&TH->wire, &TH->txq);
	cr_assert_eq(sy_tcp_count(TH->tcp, SY_TCP_SYN_RECEIVED), 0, "backlog not drained");
	th_feed(TH, &(struct th_seg){ .sport = 50001, .flags = TH_SYN, .seq = 7000,
				      .opt = { .mss = 1460 } });
	expect_synack(TH, &p, 7001);
	cr_assert_eq(sy_tcp_count(TH->tcp, SY_TCP_SYN_RECEIVED), 1, "state kept again");
	cr_assert_eq(sy_tcp_stats(TH->tcp)->syncookie_mode_off, 1);
	cr_assert_eq(sy_tcp_stats(TH->tcp)->syncookies_sent, 5);
}

/* A listener that never sent a cookie does not spend a SipHash on a stray ACK: plain RST
 * (RFC 9293 3.10.7.2), not counted as a bad cookie. */
Test(syncookie, stray_ack_to_a_listener_without_cookies_is_a_plain_rst)
{
	th_listen(TH);
	th_feed(TH, &(struct th_seg){ .sport = 50002, .flags = TH_ACK, .seq = 1, .ack = 12345 });
	th_expect(TH, NULL, TH_RST, 12345, 0);
	cr_assert_eq(sy_tcp_stats(TH->tcp)->syncookies_bad, 0);
	cr_assert_eq(sy_tcp_stats(TH->tcp)->drop_listen, 1);
}
