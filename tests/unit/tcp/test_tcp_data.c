/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The minimum of data transfer the life-cycle depends on: RFC 9293 3.10.7.4 seventh
 * (segment text to the user, RCV.NXT advances), 3.8.6.3 and RFC 1122 4.2.3.2 / RFC 5681
 * 4.2 (delayed ACK: at least every second full-sized segment, within 500 ms; immediate
 * duplicate ACK for an out-of-order segment and an immediate ACK when a gap fills),
 * RFC 9293 3.7.1 (segments no larger than the peer's MSS) and RFC 6298 (retransmission
 * on RTO with back-off; give up after data_retries).
 */
#include <errno.h>
#include <string.h>
#include <criterion/criterion.h>

#include "tcp_harness.h"

TestSuite(tcp_data, .init = th_setup, .fini = th_teardown);

#define ACK_MAX_MS (TH_DELACK_MS + TH_SLACK_MS(TH_DELACK_MS))

Test(tcp_data, in_order_data_delivered_with_exact_bytes)
{
	struct th_conn cn = { 0 };
	uint8_t d[1000];

	th_pattern(d, sizeof(d), 42);
	th_open_passive(TH, &cn, NULL, 0);
	th_peer_send(TH, &cn, TH_ACK | TH_PSH, d, sizeof(d));
	cr_assert_eq(th_app_count(TH, TH_EV_DATA) > 0, 1, "no data callback");
	cr_assert_eq(TH->app.data_len, sizeof(d));
	cr_assert_arr_eq(TH->app.data, d, sizeof(d));
	cr_assert_eq(th_app_find(TH, TH_EV_DATA)->c, cn.c);
}

Test(tcp_data, single_segment_acked_after_delack_not_immediately)
{
	struct th_conn cn = { 0 };
	uint8_t d[100] = { 0 };

	th_open_passive(TH, &cn, NULL, 0);
	th_peer_send(TH, &cn, TH_ACK | TH_PSH, d, sizeof(d));
	/* RFC 9293 3.8.6.3: a TCP SHOULD implement a delayed ACK (here delack_ms), < 0.5 s */
	cr_assert_eq(th_pending(TH), 0, "one small segment ACKed at once (no delayed ACK)");
	int64_t t = th_run_until_frame(TH, 500);
	cr_assert(t > 0, "no ACK within 500 ms (RFC 1122 4.2.3.2)");
	cr_assert(t <= (int64_t)ACK_MAX_MS, "ACK after %ld ms, delack is %u ms", (long)t,
		  TH_DELACK_MS);
	th_expect(TH, NULL, TH_ACK, cn.snd_nxt, cn.rcv_nxt);
	th_expect_none(TH);
}

Test(tcp_data, two_full_segments_acked_immediately)
{
	struct th_conn cn = { 0 };
	static uint8_t d[2 * TH_MSS];
	struct th_pkt p;
	bool last_ok = false;

	th_pattern(d, sizeof(d), 9);
	th_open_passive(TH, &cn, NULL, 0);
	cr_assert_eq(cn.stack_mss, TH_MSS);
	th_peer_send(TH, &cn, TH_ACK, d, TH_MSS);
	th_peer_send(TH, &cn, TH_ACK, d + TH_MSS, TH_MSS);
	/* RFC 5681 4.2: an ACK for at least every second full-sized segment, no timer */
	cr_assert(th_pending(TH) > 0, "two full segments not ACKed at once");
	while (th_try_pop(TH, &p)) {
		cr_assert_eq(p.flags & ~TH_PSH, TH_ACK);
		last_ok = p.ack == cn.rcv_nxt;
	}
	cr_assert(last_ok, "last ACK does not cover both segments (RCV.NXT %u)", cn.rcv_nxt);
	cr_assert_eq(TH->app.data_len, sizeof(d));
	cr_assert_arr_eq(TH->app.data, d, sizeof(d));
}

Test(tcp_data, out_of_order_segment_gets_immediate_duplicate_ack)
{
	struct th_conn cn = { 0 };
	uint8_t d[100] = { 0 };

	th_open_passive(TH, &cn, NULL, 0);
	th_peer_send_at(TH, &cn, TH_ACK | TH_PSH, cn.rcv_nxt + 500, cn.snd_nxt, d, sizeof(d));
	/* RFC 5681 4.2: immediate duplicate ACK, ACK = RCV.NXT (the hole) */
	th_expect(TH, NULL, TH_ACK, cn.snd_nxt, cn.rcv_nxt);
	cr_assert_eq(th_app_count(TH, TH_EV_DATA), 0, "out-of-order data handed to the app");
}

Test(tcp_data, filling_the_hole_delivers_queued_data_in_order_and_acks_at_once)
{
	struct th_conn cn = { 0 };
	uint8_t d[600];

	th_pattern(d, sizeof(d), 77);
	th_open_passive(TH, &cn, NULL, 0);
	th_peer_send_at(TH, &cn, TH_ACK | TH_PSH, cn.rcv_nxt + 500, cn.snd_nxt, d + 500, 100);
	th_expect(TH, NULL, TH_ACK, cn.snd_nxt, cn.rcv_nxt);
	th_peer_send(TH, &cn, TH_ACK | TH_PSH, d, 500);
	cn.rcv_nxt += 100;
	/* RFC 9293 3.10.7.4 seventh: queued out-of-order text SHOULD be kept; RFC 5681 4.2:
	 * a segment that fills a gap is ACKed immediately */
	cr_assert_eq(TH->app.data_len, sizeof(d), "%u bytes delivered, expected 600",
		     TH->app.data_len);
	cr_assert_arr_eq(TH->app.data, d, sizeof(d));
	th_expect(TH, NULL, TH_ACK, cn.snd_nxt, cn.rcv_nxt);
}

Test(tcp_data, duplicate_segment_is_acked_and_not_delivered_twice)
{
	struct th_conn cn = { 0 };
	uint8_t d[100];

	th_pattern(d, sizeof(d), 5);
	th_open_passive(TH, &cn, NULL, 0);
	th_peer_send(TH, &cn, TH_ACK | TH_PSH, d, sizeof(d));
	th_expect_within(TH, ACK_MAX_MS, NULL, TH_ACK, cn.snd_nxt, cn.rcv_nxt);
	/* RFC 9293 3.10.7.4 first: an old segment is unacceptable -> <ACK=RCV.NXT>, dropped */
	th_peer_send_at(TH, &cn, TH_ACK | TH_PSH, cn.rcv_nxt - 100, cn.snd_nxt, d, sizeof(d));
	th_expect_within(TH, ACK_MAX_MS, NULL, TH_ACK, cn.snd_nxt, cn.rcv_nxt);
	cr_assert_eq(TH->app.data_len, sizeof(d), "duplicate delivered");
}

Test(tcp_data, sent_segments_no_larger_than_peer_mss)
{
	struct th_conn cn = { 0 };
	const struct th_opts o = { .mss = 1000 };
	static uint8_t buf[3000], got[3000];
	uint32_t sent = 0, max_len = 0;
	struct th_pkt p;

	th_open_passive(TH, &cn, &o, 0);
	cr_assert_eq(sy_tcp_set_nodelay(TH->tcp, cn.c, true), 0);
	th_pattern(buf, sizeof(buf), 3);
	th_app_send(TH, cn.c, buf, sizeof(buf));
	for (int round = 0; round < 10 && sent < sizeof(buf); round++) {
		while (th_try_pop(TH, &p)) {
			cr_assert(p.len <= 1000, "segment of %u bytes, peer MSS 1000", p.len);
			cr_assert_eq(p.seq, cn.snd_nxt);
			cr_assert_eq(p.flags & ~TH_PSH, TH_ACK);
			cr_assert_eq(p.ack, cn.rcv_nxt);
			memcpy(got + sent, p.data, p.len);
			sent += p.len;
			cn.snd_nxt += p.len;
			max_len = p.len > max_len ? p.len : max_len;
		}
		th_peer_send(TH, &cn, TH_ACK, NULL, 0);
		th_advance_ms(TH, 1);
	}
	cr_assert_eq(sent, sizeof(buf));
	cr_assert_eq(max_len, 1000, "largest segment %u, expected full 1000-byte ones", max_len);
	cr_assert_arr_eq(got, buf, sizeof(buf));
}

static void
send_500(struct th_conn *cn, uint8_t *buf, struct th_pkt *p)
{
	th_pattern(buf, 500, 17);
	th_app_send(TH, cn->c, buf, 500);
	th_pop(TH, p);
	cr_assert_eq(p->seq, cn->snd_nxt);
	cr_assert_eq(p->len, 500);
}

Test(tcp_data, unacked_data_retransmitted_on_rto)
{
	struct th_conn cn = { 0 };
	uint8_t buf[500];
	struct th_pkt p, q;

	th_open_passive(TH, &cn, NULL, 100);
	send_500(&cn, buf, &p);
	int64_t t = th_run_until_frame(TH, 5000);
	/* RFC 6298: 300 ms with the 100 ms handshake sample, 1 s without; never < rto_min */
	cr_assert(t >= 200, "retransmitted after %ld ms, below rto_min", (long)t);
	cr_assert(t <= 1000 + TH_SLACK_MS(1000), "retransmitted after %ld ms", (long)t);
	th_pop(TH, &q);
	cr_assert_eq(q.seq, p.seq);
	cr_assert_eq(q.len, 500);
	cr_assert_arr_eq(q.data, buf, 500);
	cr_assert_eq(sy_tcp_stats(TH->tcp)->data_retrans, 1);
}

Test(tcp_data, retransmission_timer_backs_off_doubling)
{
	struct th_conn cn = { 0 };
	uint8_t buf[500];
	struct th_pkt p;

	th_open_passive(TH, &cn, NULL, 100);
	send_500(&cn, buf, &p);
	int64_t t1 = th_run_until_frame(TH, 5000);
	cr_assert(t1 > 0);
	th_expect(TH, NULL, TH_ACK, p.seq, cn.rcv_nxt);
	int64_t t2 = th_run_until_frame(TH, 10000);
	/* RFC 6298 5.5: RTO <- RTO * 2 */
	cr_assert(t2 >= 2 * t1 - 2 && t2 <= 2 * t1 + TH_SLACK_MS(2 * t1),
		  "second RTO %ld ms after a first of %ld ms", (long)t2, (long)t1);
	th_expect(TH, NULL, TH_ACK, p.seq, cn.rcv_nxt);
}

Test(tcp_data, acked_data_is_not_retransmitted)
{
	struct th_conn cn = { 0 };
	uint8_t buf[500];
	struct th_pkt p;

	th_open_passive(TH, &cn, NULL, 0);
	send_500(&cn, buf, &p);
	cn.snd_nxt += 500;
	th_peer_send(TH, &cn, TH_ACK, NULL, 0);
	th_advance_ms(TH, 5000);
	th_expect_none(TH);
	cr_assert_eq(sy_tcp_stats(TH->tcp)->data_retrans, 0);
}

Test(tcp_data, data_retries_exhausted_closes_timeout)
{
	struct th_conn cn = { 0 };
	uint8_t buf[500];
	struct th_pkt p;
	unsigned int retrans = 0;

	th_open_passive(TH, &cn, NULL, 0);
	send_500(&cn, buf, &p);
	int64_t t = th_run_until_event(TH, TH_EV_CLOSED, 300000);
	cr_assert(t >= 0, "never gave up");
	const struct th_ev *e = th_app_find(TH, TH_EV_CLOSED);
	cr_assert_eq(e->why, SY_TCP_CLOSE_TIMEOUT, "reason %s", sy_tcp_close_reason_name(e->why));
	while (th_try_pop(TH, &p)) {
		if (p.flags & TH_RST)
			continue;
		cr_assert_eq(p.seq, cn.snd_nxt);
		retrans++;
	}
	cr_assert_eq(retrans, TH_DATA_RETRIES, "%u retransmissions, data_retries %u", retrans,
		     TH_DATA_RETRIES);
	cr_assert_eq(th_count_all(TH), 0);
}

Test(tcp_data, send_after_shutdown_is_epipe)
{
	struct th_conn cn = { 0 };
	uint8_t d[10] = { 0 };

	th_open_passive(TH, &cn, NULL, 0);
	cr_assert_eq(sy_tcp_shutdown(TH->tcp, cn.c), 0);
	struct rte_mbuf *m = sy_test_mbuf_from(TH->pool, d, sizeof(d));
	int rc = sy_tcp_send(TH->tcp, cn.c, m);
	if (rc != 0)
		rte_pktmbuf_free(m);
	cr_assert_eq(rc, -EPIPE, "send after shutdown: %d", rc);
}

Test(tcp_data, ack_of_unsent_data_gets_ack_and_segment_dropped)
{
	struct th_conn cn = { 0 };
	uint8_t d[100] = { 0 };

	th_open_passive(TH, &cn, NULL, 0);
	/* RFC 9293 3.10.7.4 fifth: SEG.ACK > SND.NXT -> send an ACK, drop the segment */
	th_peer_send_at(TH, &cn, TH_ACK | TH_PSH, cn.rcv_nxt, cn.snd_nxt + 1000, d, sizeof(d));
	th_expect(TH, NULL, TH_ACK, cn.snd_nxt, cn.rcv_nxt);
	cr_assert_eq(th_app_count(TH, TH_EV_DATA), 0, "data of a segment acking unsent data");
	cr_assert_eq(sy_tcp_conn_state(TH->tcp, cn.c), SY_TCP_ESTABLISHED);
}

/* The frame @p m as a chain of two mbufs, the first holding @p first bytes. */
static struct rte_mbuf *
split_in_two(struct rte_mbuf *m, uint16_t first)
{
	struct rte_mbuf *a = rte_pktmbuf_alloc(TH->pool), *b = rte_pktmbuf_alloc(TH->pool);
	uint16_t len = (uint16_t)rte_pktmbuf_pkt_len(m);

	cr_assert(a != NULL && b != NULL && first < len);
	memcpy(rte_pktmbuf_append(a, first), rte_pktmbuf_mtod(m, uint8_t *), first);
	memcpy(rte_pktmbuf_append(b, (uint16_t)(len - first)),
	       rte_pktmbuf_mtod_offset(m, uint8_t *, first), len - first);
	rte_pktmbuf_free(m);
	cr_assert_eq(rte_pktmbuf_chain(a, b), 0);
	return a;
}

/*
 * RFC 9293 3.1 / RFC 1071: the checksum covers the segment whatever the buffers it sits in.
 * A correct segment that arrives as a chain whose first piece ends at an odd offset of the
 * TCP segment (a NIC scattering into buffers, a sender's zero-copy chain) is accepted, its
 * data delivered whole; the same chain with one payload bit flipped is dropped.
 */
Test(tcp_data, chained_segment_split_at_an_odd_offset_is_verified_exactly)
{
	struct th_conn cn = { 0 };
	uint8_t pay[301];

	memset(pay, 0xff, sizeof(pay));   /* all ones: every partial sum carries */
	pay[7] = 0x01;
	th_open_passive(TH, &cn, NULL, 0);
	struct rte_mbuf *m = th_build(TH, &(struct th_seg){ .sport = TH_PPORT, .dport = TH_LPORT,
		.flags = TH_ACK | TH_PSH, .seq = cn.rcv_nxt, .ack = cn.snd_nxt, .data = pay,
		.len = sizeof(pay) });
	uint16_t l4 = 14 + 20, hl = (uint16_t)(rte_pktmbuf_pkt_len(m) - l4 - sizeof(pay));

	th_feed_mbuf(TH, split_in_two(m, (uint16_t)(l4 + hl + 51)));   /* 20 + 51: odd */
	cr_assert_eq(sy_tcp_stats(TH->tcp)->drop_bad_csum, 0, "a correct chain was refused");
	cr_assert_eq(TH->app.data_len, sizeof(pay));
	cr_assert_eq(memcmp(TH->app.data, pay, sizeof(pay)), 0);

	pay[200] ^= 0x10;
	m = th_build(TH, &(struct th_seg){ .sport = TH_PPORT, .dport = TH_LPORT,
		.flags = TH_ACK | TH_PSH, .seq = cn.rcv_nxt + sizeof(pay), .ack = cn.snd_nxt,
		.data = pay, .len = sizeof(pay) });
	/* corrupt after the checksum was computed: flip the same bit back in the frame */
	uint8_t *b = rte_pktmbuf_mtod_offset(m, uint8_t *, l4 + hl + 200);

	*b ^= 0x20;
	th_feed_mbuf(TH, split_in_two(m, (uint16_t)(l4 + hl + 51)));
	cr_assert_eq(sy_tcp_stats(TH->tcp)->drop_bad_csum, 1);
	cr_assert_eq(TH->app.data_len, sizeof(pay), "nothing of the corrupt segment delivered");
}
