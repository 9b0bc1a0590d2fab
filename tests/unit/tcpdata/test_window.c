/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Packet-level tests of the windows, on the tests/unit/tcp harness.
 * - Zero window, RFC 9293 3.8.6.1 and RFC 1122 4.2.2.17: the persist timer, window probes
 *   with exponential back-off bounded by rto_max, a window update reopens the flow, a peer
 *   that keeps answering probes with a zero window is probed forever.
 * - Receive-side silly window avoidance, RFC 9293 3.8.6.2.2 / RFC 1122 4.2.3.3: the
 *   window offered is the buffer minus out-of-order data held, the right edge never moves
 *   left, and it moves right only by at least min(RCV.BUFF / 2, MSS).
 * The connections here negotiate neither timestamps nor window scaling (unless said), so
 * the window fields are bytes and RTT samples follow RFC 6298 timing of one segment.
 */
#include <string.h>
#include <criterion/criterion.h>
#include <rte_tcp.h>

#include "tcp_harness.h"

TestSuite(tcpdata_window, .init = th_setup, .fini = th_teardown);

static const struct th_opts plain = { .mss = 1460 };

/* Replaces TH with a stack of configuration @p conf (the fixture frees it). */
static void
restart_with(const struct sy_tcp_conf *conf)
{
	th_destroy(TH);
	TH = th_create(conf, NULL, 1000000);
}

/*
 * The peer sends <SEQ=its next><ACK=@p ack><CTL=ACK> with window @p win, data optional.
 * The harness reads a window of 0 as "default 65535", so a zero window is written into
 * the built frame and the TCP checksum adjusted incrementally (RFC 1624 eqn. 3).
 */
static void
peer_send_win(struct th_conn *cn, uint32_t ack, uint16_t win, const void *data,
	      uint16_t len)
{
	struct th_seg s = { .sport = cn->pport, .dport = cn->lport, .flags = TH_ACK,
			    .seq = cn->rcv_nxt, .ack = ack, .win = win ? win : 1,
			    .data = data, .len = len };
	struct rte_mbuf *m = th_build(TH, &s);

	if (win == 0) {
		struct rte_tcp_hdr *t = rte_pktmbuf_mtod_offset(m, struct rte_tcp_hdr *, 14 + 20);
		uint32_t sum = (uint16_t)~rte_be_to_cpu_16(t->cksum);

		sum += (uint16_t)~rte_be_to_cpu_16(t->rx_win);   /* + ~m, + m' (= 0) */
		sum = (sum & 0xffff) + (sum >> 16);
		sum = (sum & 0xffff) + (sum >> 16);
		t->rx_win = 0;
		t->cksum = rte_cpu_to_be_16((uint16_t)~sum);
	}
	th_feed_mbuf(TH, m);
	cn->rcv_nxt += len;
}

/* RFC 6298 2.2: a handshake RTT of 100 ms gives RTO = 100 + 4 * 50 = 300 ms. */
#define RTT_MS 100
#define RTO_MS 300

static void
open_zero_window(struct th_conn *cn)
{
	th_open_passive(TH, cn, &plain, RTT_MS);
	peer_send_win(cn, cn->snd_nxt, 0, NULL, 0);
	th_expect_none(TH);
}

/* Steps until the next frame; asserts it is a 1-byte probe at SND.UNA after [lo, lo+slack]. */
static void
expect_probe(struct th_conn *cn, uint32_t lo, const uint8_t *byte)
{
	struct th_pkt p;
	uint64_t t = th_expect_within(TH, lo + TH_SLACK_MS(lo), &p, TH_ACK, cn->snd_nxt,
				      cn->rcv_nxt);

	cr_assert_geq(t, lo, "window probe after %lu ms, expected %u (never early)",
		      (unsigned long)t, lo);
	cr_assert_eq(p.len, 1, "a window probe carries one byte, got %u", p.len);
	if (byte != NULL)
		cr_assert_eq(p.data[0], *byte);
}

Test(tcpdata_window, zero_window_with_data_sends_nothing_until_the_persist_timer)
{
	struct th_conn cn = { 0 };
	uint8_t d[1000];

	th_pattern(d, sizeof(d), 7);
	open_zero_window(&cn);
	th_app_send(TH, cn.c, d, sizeof(d));
	th_expect_none(TH);
	th_advance_ms(TH, RTO_MS - 1);
	th_expect_none(TH);
	expect_probe(&cn, 1, &d[0]);
	cr_assert_eq(sy_tcp_stats(TH->tcp)->persist_probes, 1);
}

Test(tcpdata_window, probe_interval_doubles_up_to_rto_max)
{
	struct sy_tcp_conf conf;
	struct th_conn cn = { 0 };
	uint8_t d[500];
	uint32_t iv = RTO_MS;

	th_conf_defaults(&conf);
	conf.rto_max_ms = 2000;
	restart_with(&conf);
	th_pattern(d, sizeof(d), 1);
	open_zero_window(&cn);
	th_app_send(TH, cn.c, d, sizeof(d));
	/* RFC 1122 4.2.2.17: exponential back-off; RFC 6298 2.5: a maximum may be placed */
	for (int i = 0; i < 7; i++) {
		expect_probe(&cn, iv, &d[0]);
		peer_send_win(&cn, cn.snd_nxt, 0, NULL, 0);      /* still closed */
		th_expect_none(TH);
		iv = iv * 2 > conf.rto_max_ms ? conf.rto_max_ms : iv * 2;
	}
	cr_assert_eq(sy_tcp_stats(TH->tcp)->persist_probes, 7);
}

Test(tcpdata_window, window_update_reopens_the_flow)
{
	struct th_conn cn = { 0 };
	uint8_t d[3000];
	uint32_t end, got = 0;
	struct th_pkt p;

	th_pattern(d, sizeof(d), 3);
	open_zero_window(&cn);
	th_app_send(TH, cn.c, d, sizeof(d));
	expect_probe(&cn, RTO_MS, &d[0]);
	peer_send_win(&cn, cn.snd_nxt, 0, NULL, 0);
	/* the window opens: the queued bytes follow from SND.UNA, in order, as the
	 * congestion window and Nagle allow (the peer ACKs each flight at once) */
	peer_send_win(&cn, cn.snd_nxt, 65535, NULL, 0);
	end = cn.snd_nxt;
	for (int round = 0; round < 4 && th_pending(TH) > 0; round++) {
		while (th_try_pop(TH, &p)) {
			cr_assert(p.flags & TH_ACK);
			cr_assert(!th_seq_gt(p.seq, end), "hole before SEQ %u (sent up to %u)",
				  p.seq, end);
			cr_assert_eq(memcmp(p.data, d + (p.seq - cn.snd_nxt), p.len), 0,
				     "payload");
			if (th_seq_gt(p.seq + p.len, end))
				end = p.seq + p.len;
		}
		peer_send_win(&cn, end, 65535, NULL, 0);
	}
	got = end - cn.snd_nxt;
	cr_assert_eq(got, sizeof(d), "sent %u of %zu bytes after the window update", got,
		     sizeof(d));
	cn.snd_nxt = end;
	th_advance_ms(TH, 10 * RTO_MS);
	th_expect_none(TH);                      /* all acknowledged: no timer left behind */
}

Test(tcpdata_window, peer_answering_probes_with_zero_window_is_probed_forever)
{
	struct sy_tcp_conf conf;
	struct th_conn cn = { 0 };
	uint8_t d[100] = { 0 };
	int n = 4 * TH_DATA_RETRIES;

	th_conf_defaults(&conf);
	conf.rto_max_ms = 1000;
	restart_with(&conf);
	open_zero_window(&cn);
	th_app_send(TH, cn.c, d, sizeof(d));
	/* RFC 9293 3.8.6.1: the connection is kept as long as the peer ACKs the probes */
	for (int i = 0; i < n; i++) {
		struct th_pkt p;

		th_expect_within(TH, conf.rto_max_ms + TH_SLACK_MS(conf.rto_max_ms), &p, TH_ACK,
				 cn.snd_nxt, cn.rcv_nxt);
		cr_assert_eq(p.len, 1);
		peer_send_win(&cn, cn.snd_nxt, 0, NULL, 0);
		th_expect_none(TH);
	}
	cr_assert_eq(sy_tcp_conn_state(TH->tcp, cn.c), SY_TCP_ESTABLISHED);
	cr_assert_eq(th_app_count(TH, TH_EV_CLOSED), 0);
	cr_assert_eq(sy_tcp_stats(TH->tcp)->persist_probes, (uint64_t)n);
}

Test(tcpdata_window, window_closed_by_the_ack_of_all_data_arms_the_persist_timer)
{
	struct th_conn cn = { 0 };
	uint8_t d[2000];
	struct th_pkt p;

	th_pattern(d, sizeof(d), 9);
	th_open_passive(TH, &cn, &plain, RTT_MS);
	th_app_send(TH, cn.c, d, 1000);
	th_expect(TH, &p, TH_ACK, cn.snd_nxt, cn.rcv_nxt);
	cr_assert_eq(p.len, 1000);
	th_app_send(TH, cn.c, d + 1000, 1000);        /* Nagle holds it: data unacknowledged */
	th_expect_none(TH);
	cn.snd_nxt += 1000;
	th_advance_ms(TH, RTT_MS);
	peer_send_win(&cn, cn.snd_nxt, 0, NULL, 0);   /* all ACKed, window closed */
	th_expect_none(TH);
	/* RFC 6298 2.3: a second sample of 100 ms: RTTVAR = 3/4 50 + 1/4 0 = 37.5,
	 * SRTT = 100, RTO = 100 + 4 * 37.5 = 250 */
	expect_probe(&cn, 250, &d[1000]);
}

Test(tcpdata_window, unanswered_probes_time_out_like_retransmissions)
{
	struct th_conn cn = { 0 };
	uint8_t d[100] = { 0 };
	uint32_t iv = RTO_MS;
	const struct th_ev *ev;

	open_zero_window(&cn);
	th_app_send(TH, cn.c, d, sizeof(d));
	/* RFC 1122 4.2.2.17 forbids closing only while the peer ACKs the probes; a silent
	 * peer gets data_retries probes, as silent peers get retransmissions */
	for (int i = 0; i < TH_DATA_RETRIES; i++) {
		expect_probe(&cn, iv, NULL);
		iv *= 2;
	}
	cr_assert_geq(th_run_until_event(TH, TH_EV_CLOSED, iv + TH_SLACK_MS(iv)), 0,
		      "no close after %d unanswered probes", TH_DATA_RETRIES);
	ev = th_app_find(TH, TH_EV_CLOSED);
	cr_assert_eq(ev->why, SY_TCP_CLOSE_TIMEOUT);
}

/* ---- receive-side silly window avoidance ---- */

#define SWS_BUF 20000u     /* RCV.BUFF; threshold min(RCV.BUFF / 2, MSS) = 1460 */

static void
open_sws(struct th_conn *cn)
{
	struct sy_tcp_conf conf;

	th_conf_defaults(&conf);
	conf.rcv_wnd = SWS_BUF;
	restart_with(&conf);
	th_open_passive(TH, cn, &plain, 0);    /* no window scaling: the field is bytes */
}

/* The peer sends @p len bytes at RCV.NXT-relative @p off; returns the ACK it draws. */
static void
send_expect_ack(struct th_conn *cn, uint32_t base, uint32_t off, uint16_t len,
		uint32_t ack, uint32_t win)
{
	static uint8_t d[1460];
	struct th_pkt p;

	th_peer_send_at(TH, cn, TH_ACK, base + off, cn->snd_nxt, d, len);
	th_expect(TH, &p, TH_ACK, cn->snd_nxt, ack);
	cr_assert_eq(p.win, win, "segment at +%u: window %u, expected %u", off, p.win, win);
}

Test(tcpdata_window, held_out_of_order_data_counts_against_the_window)
{
	struct th_conn cn = { 0 };
	uint32_t b;

	open_sws(&cn);
	b = cn.rcv_nxt;
	/* 1000 bytes held beyond a 2920-byte hole; the right edge b + 20000 stays */
	send_expect_ack(&cn, b, 2920, 1000, b, SWS_BUF);
	/* 1460 in order: RCV.BUFF - RCV.USER - RCV.WND = 20000 - 1000 - 18540 = 460 < 1460:
	 * the edge stays (RFC 1122 4.2.3.3), window 18540 */
	send_expect_ack(&cn, b, 0, 1460, b + 1460, SWS_BUF - 1460);
	/* the hole fills, the held run follows: nothing held, the edge moves by 3920 */
	send_expect_ack(&cn, b, 1460, 1460, b + 3920, SWS_BUF);
	cr_assert_eq(TH->app.data_len, 3920);
}

Test(tcpdata_window, right_edge_never_moves_left_while_data_is_held)
{
	struct th_conn cn = { 0 };
	uint32_t b;

	open_sws(&cn);
	b = cn.rcv_nxt;
	/* RFC 9293 3.8.6.2.2: 5840 bytes held must not shrink the window offered */
	for (uint32_t i = 0; i < 4; i++)
		send_expect_ack(&cn, b, 1000 + i * 1460, 1460, b, SWS_BUF);
	send_expect_ack(&cn, b, 0, 500, b + 500, SWS_BUF - 500);
}

Test(tcpdata_window, small_window_increases_are_not_advertised)
{
	struct th_conn cn = { 0 };
	uint32_t b;

	open_sws(&cn);
	b = cn.rcv_nxt;
	send_expect_ack(&cn, b, 10000, 100, b, SWS_BUF);     /* 100 bytes held */
	/* each 100-byte segment is consumed at once, but the edge gains only
	 * 100 k - 100 bytes (100 still held) until that reaches 1460 at k = 16 */
	for (uint32_t k = 1; k <= 15; k++)
		send_expect_ack(&cn, b, (k - 1) * 100, 100, b + k * 100, SWS_BUF - k * 100);
	send_expect_ack(&cn, b, 1500, 100, b + 1600, SWS_BUF - 100);
}

/*
 * RFC 9293 3.8.6.2.1, sender side: with a small window offered (here 300 bytes after a
 * 64 KiB one), a segment cut short by the window is not sent; a window update that makes
 * room for a full segment releases the data; and if the window stays small, the override
 * timer sends the small segment anyway, so the connection never stalls.
 */
Test(tcpdata_window, sws_small_offered_window_holds_data_until_update_or_override)
{
	struct th_conn cn = { 0 };
	static uint8_t d[3000];
	struct th_pkt p;

	th_open_passive(TH, &cn, NULL, 0);
	cr_assert_eq(sy_tcp_set_nodelay(TH->tcp, cn.c, true), 0);
	th_feed(TH, &(struct th_seg){ .sport = cn.pport, .flags = TH_ACK, .seq = cn.rcv_nxt,
				      .ack = cn.snd_nxt, .win = 300 });
	th_app_send(TH, cn.c, d, sizeof(d));
	th_expect_none(TH);                            /* 300 < MSS and < half of 65535 */
	/* the override: the persist/retransmission timer sends what the window allows */
	uint64_t waited = th_expect_within(TH, 2000, &p, TH_ACK, cn.snd_nxt, cn.rcv_nxt);

	cr_assert_gt(waited, 0, "sent at once: silly window");
	cr_assert_eq(p.len, 300);
	cn.snd_nxt += 300;
	/* a window update with room for full segments releases the rest */
	th_feed(TH, &(struct th_seg){ .sport = cn.pport, .flags = TH_ACK, .seq = cn.rcv_nxt,
				      .ack = cn.snd_nxt, .win = 65535 });
	uint32_t sent = 0;

	while (th_try_pop(TH, &p))
		sent += p.len;
	cr_assert_eq(sent, sizeof(d) - 300);
}

/*
 * RFC 9293 3.7.4 (Nagle): a small segment is held while earlier data is unacknowledged
 * and leaves the moment the ACK arrives (no timer involved); with TCP_NODELAY it leaves
 * at once.
 */
static void
nagle_case(bool nodelay)
{
	struct th_conn cn = { 0 };
	struct th_pkt p;

	th_open_passive(TH, &cn, NULL, 0);
	cr_assert_eq(sy_tcp_set_nodelay(TH->tcp, cn.c, nodelay), 0);
	th_app_send(TH, cn.c, "first", 5);
	th_expect(TH, &p, TH_ACK, cn.snd_nxt, cn.rcv_nxt);      /* nothing in flight: goes */
	th_app_send(TH, cn.c, "second", 6);
	if (nodelay) {
		th_expect(TH, &p, TH_ACK, cn.snd_nxt + 5, cn.rcv_nxt);
		return;
	}
	th_advance_ms(TH, 100);                                   /* no timer releases it */
	th_expect_none(TH);
	th_peer_send_at(TH, &cn, TH_ACK, cn.rcv_nxt, cn.snd_nxt + 5, NULL, 0);
	th_expect(TH, &p, TH_ACK, cn.snd_nxt + 5, cn.rcv_nxt);  /* released by the ACK */
	cr_assert_eq(p.len, 6);
}

Test(tcpdata_window, nagle_holds_a_small_segment_until_the_ack)
{
	nagle_case(false);
}

Test(tcpdata_window, nodelay_sends_a_small_segment_at_once)
{
	nagle_case(true);
}
