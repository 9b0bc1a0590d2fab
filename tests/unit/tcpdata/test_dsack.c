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

#include "tcp_harness.h"

TestSuite(tcpdata_dsack, .init = th_setup, .fini = th_teardown);

struct raw {
	uint32_t seq, ack;
	uint16_t len;
	uint32_t nblk;
	uint32_t blk[4][2];
};

static uint32_t
get32(const uint8_t *p)
{
	return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

/* Pops one frame and reads its SACK blocks from the first mbuf (headers live there). */
static void
pop_raw(struct raw *r)
{
	struct rte_mbuf *m = sy_test_wire_pop(&TH->wire, &TH->txq);
	const uint8_t *o;
	const struct rte_tcp_hdr *th;
	uint32_t hl, i = 0;

	cr_assert_not_null(m, "no frame");
	th = rte_pktmbuf_mtod_offset(m, const struct rte_tcp_hdr *, 14 + 20);
	hl = (th->data_off >> 4) * 4u;
	memset(r, 0, sizeof(*r));
	r->seq = rte_be_to_cpu_32(th->sent_seq);
	r->ack = rte_be_to_cpu_32(th->recv_ack);
	r->len = (uint16_t)(m->pkt_len - 14 - 20 - hl);
	o = (const uint8_t *)(th + 1);
	while (i < hl - 20 && o[i] != 0) {
		if (o[i] == 1) {
			i++;
			continue;
		}
		if (o[i] == 5) {
			r->nblk = (o[i + 1] - 2u) / 8;
			for (uint32_t k = 0; k < r->nblk && k < 4; k++) {
				r->blk[k][0] = get32(o + i + 2 + 8 * k);
				r->blk[k][1] = get32(o + i + 6 + 8 * k);
			}
		}
		i += o[i + 1];
	}
	rte_pktmbuf_free(m);
}

static const struct th_opts sack_syn = { .mss = 1460, .sack_ok = true };

Test(tcpdata_dsack, data_segments_carry_sack_blocks_while_out_of_order_data_is_held)
{
	struct th_conn cn = { 0 };
	static uint8_t d[3000];
	struct raw r;
	uint32_t b;

	th_open_passive(TH, &cn, &sack_syn, 0);
	cr_assert_eq(sy_tcp_set_nodelay(TH->tcp, cn.c, true), 0);
	b = cn.rcv_nxt;
	th_peer_send_at(TH, &cn, TH_ACK, b + 1000, cn.snd_nxt, d, 100);
	pop_raw(&r);                                    /* the immediate duplicate ACK */
	th_app_send(TH, cn.c, d, sizeof(d));
	pop_raw(&r);
	/* RFC 2018 4: every ACK while [1000, 1100) is held, this data segment too */
	cr_assert_gt(r.len, 0);
	cr_assert_eq(r.ack, b);
	cr_assert_eq(r.nblk, 1);
	cr_assert_eq(r.blk[0][0], b + 1000);
	cr_assert_eq(r.blk[0][1], b + 1100);
	/* RFC 9293 3.7.1: options take from the MSS; 2 NOP + kind + len + 8 = 12 bytes */
	cr_assert_eq(r.len, 1460 - 12, "full segment with one SACK block: %u bytes", r.len);
	while (th_pending(TH) > 0)
		pop_raw(&r);
	/* the gap fills: no more SACK blocks on what follows */
	th_peer_send_at(TH, &cn, TH_ACK, b, cn.snd_nxt, d, 1000);
	while (th_pending(TH) > 0)
		pop_raw(&r);
	cr_assert_eq(r.ack, b + 1100);
	cr_assert_eq(r.nblk, 0);
}

Test(tcpdata_dsack, duplicate_of_held_data_reported_first_once_with_its_run_second)
{
	struct th_conn cn = { 0 };
	uint8_t d[200] = { 0 };
	struct raw r;
	uint32_t b;

	th_open_passive(TH, &cn, &sack_syn, 0);
	b = cn.rcv_nxt;
	th_peer_send_at(TH, &cn, TH_ACK, b + 1000, cn.snd_nxt, d, 200);   /* [1000, 1200) */
	pop_raw(&r);
	th_peer_send_at(TH, &cn, TH_ACK, b + 3000, cn.snd_nxt, d, 100);   /* [3000, 3100) */
	pop_raw(&r);
	th_peer_send_at(TH, &cn, TH_ACK, b + 1100, cn.snd_nxt, d, 50);    /* duplicate */
	pop_raw(&r);
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
	pop_raw(&r);
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
	struct raw r;
	uint32_t b;

	th_open_passive(TH, &cn, &sack_syn, 0);
	b = cn.rcv_nxt;
	th_peer_send_at(TH, &cn, TH_ACK, b, cn.snd_nxt, d, 500);         /* [0, 500) */
	while (th_pending(TH) > 0)
		pop_raw(&r);
	th_peer_send_at(TH, &cn, TH_ACK, b + 100, cn.snd_nxt, d, 200);   /* old [100, 300) */
	cr_assert_gt(th_pending(TH), 0, "an old segment draws an immediate ACK");
	pop_raw(&r);
	cr_assert_eq(r.ack, b + 500);
	cr_assert_eq(r.nblk, 1);
	cr_assert_eq(r.blk[0][0], b + 100);
	cr_assert_eq(r.blk[0][1], b + 300);
	/* a segment straddling RCV.NXT: its old front is the D-SACK, its new bytes are data */
	th_peer_send_at(TH, &cn, TH_ACK, b + 400, cn.snd_nxt, d, 200);   /* [400, 600) */
	cr_assert_geq(th_run_until_frame(TH, 1000), 0, "the ACK, at once or after the delay");
	pop_raw(&r);
	cr_assert_eq(r.ack, b + 600);
	cr_assert_geq(r.nblk, 1);
	cr_assert_eq(r.blk[0][0], b + 400);
	cr_assert_eq(r.blk[0][1], b + 500);
	/* reported once */
	th_peer_send_at(TH, &cn, TH_ACK, b + 600, cn.snd_nxt, d, 100);
	cr_assert_geq(th_run_until_frame(TH, 1000), 0);
	pop_raw(&r);
	cr_assert_eq(r.nblk, 0);
}
