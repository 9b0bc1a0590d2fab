/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Packet-level tests of the data-transfer behaviours, on the tests/unit/tcp harness (a
 * scripted peer, exact segments, virtual clock). Expected values come from the RFCs:
 * RFC 9293 3.10.7.4 seventh and RFC 5681 4.2 (out-of-order data held, immediate duplicate
 * ACK, ACK at once when a gap fills), RFC 2018 3-4 (SACK option format and block order),
 * RFC 6928 (initial window), RFC 5681 3.2 and RFC 6582 (fast retransmit, NewReno),
 * RFC 6675 (SACK-based recovery).
 */
#include <string.h>
#include <criterion/criterion.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_tcp.h>

#include "raw_ack.h"

TestSuite(tcpdata_pkt, .init = th_setup, .fini = th_teardown);


static const struct th_opts sack_syn = { .mss = 1460, .sack_ok = true };
static const struct th_opts sack_ts_syn = { .mss = 1460, .sack_ok = true, .ts_on = true,
					    .tsval = 1000 };

Test(tcpdata_pkt, tcb_stays_within_128_bytes)
{
	cr_assert(sy_tcp_conn_size() <= 128, "struct sy_tcb is %zu bytes", sy_tcp_conn_size());
}

Test(tcpdata_pkt, out_of_order_segment_acked_at_once_with_its_sack_block)
{
	struct th_conn cn = { 0 };
	uint8_t d[100] = { 0 };
	struct raw_ack r;

	th_open_passive(TH, &cn, &sack_syn, 0);
	th_peer_send_at(TH, &cn, TH_ACK, cn.rcv_nxt + 1000, cn.snd_nxt, d, 100);
	raw_ack_pop(&r);
	/* RFC 5681 4.2 immediate duplicate ACK; RFC 2018 4: first block = that segment */
	cr_assert_eq(r.flags, TH_ACK);
	cr_assert_eq(r.ack, cn.rcv_nxt);
	cr_assert_eq(r.len, 0);
	cr_assert_eq(r.nblk, 1);
	cr_assert_eq(r.blk[0][0], cn.rcv_nxt + 1000);
	cr_assert_eq(r.blk[0][1], cn.rcv_nxt + 1100);
	cr_assert_eq(TH->app.data_len, 0);
}

Test(tcpdata_pkt, most_recent_block_first_then_older_blocks)
{
	struct th_conn cn = { 0 };
	uint8_t d[100] = { 0 };
	struct raw_ack r;
	uint32_t b = cn.rcv_nxt;

	th_open_passive(TH, &cn, &sack_syn, 0);
	b = cn.rcv_nxt;
	th_peer_send_at(TH, &cn, TH_ACK, b + 1000, cn.snd_nxt, d, 100);
	raw_ack_pop(&r);
	th_peer_send_at(TH, &cn, TH_ACK, b + 2000, cn.snd_nxt, d, 100);
	raw_ack_pop(&r);
	th_peer_send_at(TH, &cn, TH_ACK, b + 3000, cn.snd_nxt, d, 100);
	raw_ack_pop(&r);
	cr_assert_eq(r.nblk, 3);
	cr_assert_eq(r.blk[0][0], b + 3000);
	cr_assert_eq(r.blk[1][0], b + 2000);
	cr_assert_eq(r.blk[2][0], b + 1000);
	/* a segment joining the oldest run: that (grown) run comes first, others follow */
	th_peer_send_at(TH, &cn, TH_ACK, b + 1100, cn.snd_nxt, d, 100);
	raw_ack_pop(&r);
	cr_assert_eq(r.nblk, 3);
	cr_assert_eq(r.blk[0][0], b + 1000);
	cr_assert_eq(r.blk[0][1], b + 1200);
	cr_assert_eq(r.blk[1][0], b + 3000);
	cr_assert_eq(r.blk[2][0], b + 2000);
}

Test(tcpdata_pkt, with_timestamps_at_most_three_blocks_fit)
{
	struct th_conn cn = { 0 };
	uint8_t d[10] = { 0 };
	struct raw_ack r;

	th_open_passive(TH, &cn, &sack_ts_syn, 0);
	for (uint32_t i = 1; i <= 5; i++) {
		th_peer_send_at(TH, &cn, TH_ACK, cn.rcv_nxt + 100 * i, cn.snd_nxt, d, 10);
		raw_ack_pop(&r);
	}
	/* RFC 2018 3: 40 option bytes - 12 (TS) - 2 - 2 NOP leave room for 3 blocks */
	cr_assert_eq(r.nblk, 3);
	cr_assert_eq(r.blk[0][0], cn.rcv_nxt + 500);
}

Test(tcpdata_pkt, overlapping_and_duplicate_segments_delivered_once_in_order)
{
	struct th_conn cn = { 0 };
	uint8_t d[3000];
	struct raw_ack r;
	uint32_t b;

	th_pattern(d, sizeof(d), 11);
	th_open_passive(TH, &cn, &sack_syn, 0);
	b = cn.rcv_nxt;
	th_peer_send_at(TH, &cn, TH_ACK, b + 1000, cn.snd_nxt, d + 1000, 500);   /* [1000,1500) */
	th_peer_send_at(TH, &cn, TH_ACK, b + 1200, cn.snd_nxt, d + 1200, 800);   /* overlaps */
	th_peer_send_at(TH, &cn, TH_ACK, b + 1000, cn.snd_nxt, d + 1000, 500);   /* duplicate */
	th_peer_send_at(TH, &cn, TH_ACK, b + 2500, cn.snd_nxt, d + 2500, 500);   /* [2500,3000) */
	th_peer_send_at(TH, &cn, TH_ACK, b + 900, cn.snd_nxt, d + 900, 1700);    /* covers */
	while (th_pending(TH) > 0)
		raw_ack_pop(&r);
	/* RFC 2883 4: the covering segment repeated [1000, 2000): that duplicate first,
	 * then the run that contains it */
	cr_assert_eq(r.blk[0][0], b + 1000);
	cr_assert_eq(r.blk[0][1], b + 2000);
	cr_assert_eq(r.blk[1][0], b + 900);
	cr_assert_eq(r.blk[1][1], b + 3000);
	cr_assert_eq(TH->app.data_len, 0);
	th_peer_send_at(TH, &cn, TH_ACK, b, cn.snd_nxt, d, 900);
	cr_assert_eq(TH->app.data_len, 3000);
	cr_assert_arr_eq(TH->app.data, d, 3000);
	raw_ack_pop(&r);
	cr_assert_eq(r.ack, b + 3000, "gap filled: ACK must cover every held byte at once");
	cr_assert_eq(r.nblk, 0, "no SACK block once nothing is out of order");
}

Test(tcpdata_pkt, initial_window_is_ten_segments)
{
	struct th_conn cn = { 0 };
	static uint8_t d[20 * 1460];
	struct th_pkt p;
	uint32_t n = 0, bytes = 0;

	th_open_passive(TH, &cn, NULL, 0);
	cr_assert_eq(sy_tcp_set_nodelay(TH->tcp, cn.c, true), 0);
	th_app_send(TH, cn.c, d, sizeof(d));
	while (th_try_pop(TH, &p)) {
		n++;
		bytes += p.len;
	}
	/* RFC 6928 2: IW = min(10 MSS, max(2 MSS, 14600)) = 14600 with MSS 1460 */
	cr_assert_eq(bytes, 14600, "%u bytes (%u segments) before the first ACK", bytes, n);
	cr_assert_eq(n, 10);
}

/* Sends 20 segments' worth with IW 10, and returns the first segment's SEQ. */
static uint32_t
ten_in_flight(struct th_conn *cn, const struct th_opts *o)
{
	static uint8_t d[20 * 1460];
	struct th_pkt p;
	uint32_t first = 0;

	th_open_passive(TH, cn, o, 0);
	cr_assert_eq(sy_tcp_set_nodelay(TH->tcp, cn->c, true), 0);
	th_app_send(TH, cn->c, d, sizeof(d));
	for (int i = 0; th_try_pop(TH, &p); i++)
		if (i == 0)
			first = p.seq;
	return first;
}

Test(tcpdata_pkt, third_duplicate_ack_triggers_fast_retransmit_newreno)
{
	struct th_conn cn = { 0 };
	struct th_pkt p;
	struct sy_tcp_conn_info ci;
	uint32_t una = ten_in_flight(&cn, NULL);

	/* segment 1 lost: the peer ACKs segment 0, then three duplicates */
	cn.snd_nxt = una + 1460;
	th_peer_send(TH, &cn, TH_ACK, NULL, 0);
	while (th_try_pop(TH, &p))
		;                                       /* what the ACK clocked out */
	th_peer_send(TH, &cn, TH_ACK, NULL, 0);
	th_peer_send(TH, &cn, TH_ACK, NULL, 0);
	cr_assert_eq(th_pending(TH), 0, "retransmitted before the third duplicate ACK");
	th_peer_send(TH, &cn, TH_ACK, NULL, 0);
	/* RFC 5681 3.2 step 2-3: retransmit SND.UNA at once, no timer */
	th_pop(TH, &p);
	cr_assert_eq(p.seq, una + 1460);
	cr_assert_eq(p.len, 1460);
	cr_assert_eq(sy_tcp_stats(TH->tcp)->fast_retrans, 1);
	cr_assert_eq(sy_tcp_conn_info(TH->tcp, cn.c, &ci), 0);
	cr_assert(ci.in_recovery);
	/* FlightSize was 11 segments: ssthresh = 5.5 MSS, cwnd = ssthresh + 3 MSS */
	cr_assert_eq(ci.ssthresh, 11 * 1460 / 2);
	cr_assert_eq(ci.cwnd, ci.ssthresh + 3 * 1460);
}

Test(tcpdata_pkt, partial_ack_retransmits_next_hole_newreno)
{
	struct th_conn cn = { 0 };
	struct th_pkt p;
	uint32_t una = ten_in_flight(&cn, NULL);

	cn.snd_nxt = una + 1460;
	th_peer_send(TH, &cn, TH_ACK, NULL, 0);
	for (int i = 0; i < 3; i++)
		th_peer_send(TH, &cn, TH_ACK, NULL, 0);
	while (th_try_pop(TH, &p))
		;
	/* the retransmission arrives; segment 3 was lost too: partial ACK up to it */
	cn.snd_nxt = una + 3 * 1460;
	th_peer_send(TH, &cn, TH_ACK, NULL, 0);
	/* RFC 6582 3.2 step 5: retransmit the first unacknowledged segment at once */
	th_pop(TH, &p);
	cr_assert_eq(p.seq, una + 3 * 1460);
	cr_assert_eq(sy_tcp_stats(TH->tcp)->partial_ack_retrans, 1);
}

Test(tcpdata_pkt, sack_recovery_retransmits_only_the_holes)
{
	struct th_conn cn = { 0 };
	struct th_pkt p;
	uint32_t una = ten_in_flight(&cn, &sack_syn);
	uint8_t got[10] = { 0 };
	uint32_t n = 0;

	/* segments 2 and 5 lost of 0..9: ACK 2, SACK [3,5) and [6,10) */
	(void)got;
	cn.snd_nxt = una + 2 * 1460;
	const uint8_t opt[] = {
		1, 1, 5, 18,
		0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	};
	uint8_t o[sizeof(opt)];
	struct th_seg s = { .flags = TH_ACK, .sport = cn.pport, .dport = cn.lport };

	memcpy(o, opt, sizeof(o));
	uint32_t e[4] = { una + 3 * 1460, una + 5 * 1460, una + 6 * 1460, una + 10 * 1460 };
	for (int k = 0; k < 4; k++) {
		o[4 + 4 * k] = (uint8_t)(e[k] >> 24);
		o[5 + 4 * k] = (uint8_t)(e[k] >> 16);
		o[6 + 4 * k] = (uint8_t)(e[k] >> 8);
		o[7 + 4 * k] = (uint8_t)e[k];
	}
	s.seq = cn.rcv_nxt;
	s.ack = cn.snd_nxt;
	s.opt.raw = o;
	s.opt.raw_len = sizeof(o);
	th_feed(TH, &s);
	/* RFC 6675 5: 7 segments SACKed > (DupThresh - 1) SMSS: recovery at once; the
	 * holes go first (segments 2 and 5), no SACKed segment is sent again */
	while (th_try_pop(TH, &p)) {
		uint32_t seg = (p.seq - una) / 1460;

		cr_assert(p.len == 0 || seg == 2 || seg == 5 || seg >= 20 || seg >= 10,
			  "segment %u sent again although SACKed", seg);
		if (p.len > 0 && (seg == 2 || seg == 5))
			n++;
	}
	cr_assert_eq(sy_tcp_stats(TH->tcp)->fast_retrans, 1, "no recovery (drop_bad_options %lu)",
		     (unsigned long)sy_tcp_stats(TH->tcp)->drop_bad_options);
	cr_assert_eq(n, 2, "%u hole retransmissions, expected 2", n);
	cr_assert_eq(sy_tcp_stats(TH->tcp)->fast_retrans, 1);
}
