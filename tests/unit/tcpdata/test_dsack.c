/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * SACK information on every ACK and after a timeout, on the tests/unit/tcp harness:
 * RFC 2018 4 (SACK blocks in every ACK while out-of-order data is held, data segments
 * included), RFC 2883 4 (D-SACK: the first block reports a duplicate, the second the run
 * that contains it, reported once), RFC 6675 5.1 / RFC 2018 8 (after an RTO the sender
 * does not trust the old scoreboard and resends SACKed data too).
 */
#include <string.h>
#include <criterion/criterion.h>
#include <rte_tcp.h>

#include "raw_ack.h"

TestSuite(tcpdata_dsack, .init = th_setup, .fini = th_teardown);


static const struct th_opts sack_syn = { .mss = 1460, .sack_ok = true };

Test(tcpdata_dsack, data_segments_carry_sack_blocks_while_out_of_order_data_is_held)
{
	struct th_conn cn = { 0 };
	static uint8_t d[3000];
	struct raw_ack r;
	uint32_t b;

	th_open_passive(TH, &cn, &sack_syn, 0);
	cr_assert_eq(sy_tcp_set_nodelay(TH->tcp, cn.c, true), 0);
	b = cn.rcv_nxt;
	th_peer_send_at(TH, &cn, TH_ACK, b + 1000, cn.snd_nxt, d, 100);
	raw_ack_pop(&r);                                    /* the immediate duplicate ACK */
	th_app_send(TH, cn.c, d, sizeof(d));
	raw_ack_pop(&r);
	/* RFC 2018 4: every ACK while [1000, 1100) is held, this data segment too */
	cr_assert_gt(r.len, 0);
	cr_assert_eq(r.ack, b);
	cr_assert_eq(r.nblk, 1);
	cr_assert_eq(r.blk[0][0], b + 1000);
	cr_assert_eq(r.blk[0][1], b + 1100);
	/* RFC 9293 3.7.1: options take from the MSS; 2 NOP + kind + len + 8 = 12 bytes */
	cr_assert_eq(r.len, 1460 - 12, "full segment with one SACK block: %u bytes", r.len);
	while (th_pending(TH) > 0)
		raw_ack_pop(&r);
	/* the gap fills: no more SACK blocks on what follows */
	th_peer_send_at(TH, &cn, TH_ACK, b, cn.snd_nxt, d, 1000);
	while (th_pending(TH) > 0)
		raw_ack_pop(&r);
	cr_assert_eq(r.ack, b + 1100);
	cr_assert_eq(r.nblk, 0);
}

Test(tcpdata_dsack, duplicate_of_held_data_reported_first_once_with_its_run_second)
{
	struct th_conn cn = { 0 };
	uint8_t d[200] = { 0 };
	struct raw_ack r;
	uint32_t b;

	th_open_passive(TH, &cn, &sack_syn, 0);
	b = cn.rcv_nxt;
	th_peer_send_at(TH, &cn, TH_ACK, b + 1000, cn.snd_nxt, d, 200);   /* [1000, 1200) */
	raw_ack_pop(&r);
	th_peer_send_at(TH, &cn, TH_ACK, b + 3000, cn.snd_nxt, d, 100);   /* [3000, 3100) */
	raw_ack_pop(&r);
	th_peer_send_at(TH, &cn, TH_ACK, b + 1100, cn.snd_nxt, d, 50);    /* duplicate */
	raw_ack_pop(&r);
	/* RFC 2883 4: first block the duplicate, second the block that contains it, then
	 * the other runs */
	cr_assert_eq(r.ack, b);
	cr_assert_eq(r.nblk, 3);
	cr_assert_eq(r.blk[0][0], b + 1100);
	cr_assert_eq(r.blk[0][1], b + 1150);
	cr_assert_eq(r.blk[1][0], b + 1000);
	cr_assert_eq(r.blk[1][1], b + 1200);
	cr_assert_eq(r.blk[2][0], b + 3000);
	/* the next ACK does not repeat the D-SACK (RFC 2883 4: reported once) */
	th_peer_send_at(TH, &cn, TH_ACK, b + 5000, cn.snd_nxt, d, 100);
	raw_ack_pop(&r);
	for (uint32_t k = 0; k < r.nblk; k++)
		cr_assert(!(r.blk[k][0] == b + 1100 && r.blk[k][1] == b + 1150),
			  "D-SACK block reported twice");
	cr_assert_eq(r.blk[0][0], b + 5000);
}

/* SACK option bytes with @p n blocks, after 2 NOPs. */
static uint8_t
sack_opt(uint8_t *o, const uint32_t (*blk)[2], uint32_t n)
{
	o[0] = 1;
	o[1] = 1;
	o[2] = 5;
	o[3] = (uint8_t)(2 + 8 * n);
	for (uint32_t k = 0; k < n; k++)
		for (int e = 0; e < 2; e++) {
			uint32_t v = rte_cpu_to_be_32(blk[k][e]);

			memcpy(o + 4 + 8 * k + 4 * e, &v, 4);
		}
	return (uint8_t)(4 + 8 * n);
}

Test(tcpdata_dsack, rto_clears_the_scoreboard_and_sacked_data_is_sent_again)
{
	struct th_conn cn = { 0 };
	static uint8_t d[20 * 1460];
	struct th_pkt p;
	uint8_t o[40];
	uint32_t una = 0, blk[1][2];
	struct th_seg s;

	th_open_passive(TH, &cn, &sack_syn, 0);
	cr_assert_eq(sy_tcp_set_nodelay(TH->tcp, cn.c, true), 0);
	th_app_send(TH, cn.c, d, sizeof(d));
	for (int i = 0; th_try_pop(TH, &p); i++)
		if (i == 0)
			una = p.seq;
	/* the peer has segments 3 and 4 only: one SACK block, too little for recovery */
	blk[0][0] = una + 3 * 1460;
	blk[0][1] = una + 5 * 1460;
	memset(&s, 0, sizeof(s));
	s.flags = TH_ACK;
	s.sport = cn.pport;
	s.dport = cn.lport;
	s.seq = cn.rcv_nxt;
	s.ack = una;
	s.opt.raw = o;
	s.opt.raw_len = sack_opt(o, blk, 1);
	th_feed(TH, &s);
	cr_assert_eq(th_pending(TH), 0);
	/* RTO: SND.UNA again */
	th_run_until_frame(TH, 5000);
	th_pop(TH, &p);
	cr_assert_eq(p.seq, una);
	/* the peer ACKs segments 0-2, no SACK blocks (it may have reneged): RFC 6675 5.1 /
	 * RFC 2018 8: after the timeout, segments 3 and 4 go again, they are not skipped */
	s.ack = una + 3 * 1460;
	s.opt.raw = NULL;
	s.opt.raw_len = 0;
	th_feed(TH, &s);
	th_pop(TH, &p);
	cr_assert_eq(p.seq, una + 3 * 1460, "resumed at segment %u, not 3",
		     (p.seq - una) / 1460);
	while (th_try_pop(TH, &p))
		;
}

/*
 * RFC 2883 4: a retransmission of data below RCV.NXT (all of it, or its front) is reported
 * in the first SACK block of the ACK it draws: the sender learns that it retransmitted
 * needlessly. Example 1 of RFC 2883 5: the duplicate alone, ACK = RCV.NXT.
 */
Test(tcpdata_dsack, duplicate_below_rcv_nxt_is_reported_in_the_first_block)
{
	struct th_conn cn = { 0 };
	uint8_t d[500] = { 0 };
	struct raw_ack r;
	uint32_t b;

	th_open_passive(TH, &cn, &sack_syn, 0);
	b = cn.rcv_nxt;
	th_peer_send_at(TH, &cn, TH_ACK, b, cn.snd_nxt, d, 500);         /* [0, 500) */
	while (th_pending(TH) > 0)
		raw_ack_pop(&r);
	th_peer_send_at(TH, &cn, TH_ACK, b + 100, cn.snd_nxt, d, 200);   /* old [100, 300) */
	cr_assert_gt(th_pending(TH), 0, "an old segment draws an immediate ACK");
	raw_ack_pop(&r);
	cr_assert_eq(r.ack, b + 500);
	cr_assert_eq(r.nblk, 1);
	cr_assert_eq(r.blk[0][0], b + 100);
	cr_assert_eq(r.blk[0][1], b + 300);
	/* a segment straddling RCV.NXT: its old front is the D-SACK, its new bytes are data */
	th_peer_send_at(TH, &cn, TH_ACK, b + 400, cn.snd_nxt, d, 200);   /* [400, 600) */
	cr_assert_geq(th_run_until_frame(TH, 1000), 0, "the ACK, at once or after the delay");
	raw_ack_pop(&r);
	cr_assert_eq(r.ack, b + 600);
	cr_assert_geq(r.nblk, 1);
	cr_assert_eq(r.blk[0][0], b + 400);
	cr_assert_eq(r.blk[0][1], b + 500);
	/* reported once */
	th_peer_send_at(TH, &cn, TH_ACK, b + 600, cn.snd_nxt, d, 100);
	cr_assert_geq(th_run_until_frame(TH, 1000), 0);
	raw_ack_pop(&r);
	cr_assert_eq(r.nblk, 0);
}
