/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Initial sequence numbers and sequence arithmetic.
 * RFC 6528 3: ISN = M + F(localip, localport, remoteip, remoteport, secretkey), M a timer
 * ticking every 4 microseconds, F a keyed hash fixed per tuple and secret. RFC 9293 3.4:
 * sequence numbers are compared modulo 2^32, so RCV.NXT and SND.NXT must cross 2^32 cleanly.
 */
#include <string.h>
#include <criterion/criterion.h>

#include "tcp_harness.h"

TestSuite(tcp_isn, .init = th_setup, .fini = th_teardown);
TestSuite(tcp_wrap, .init = th_setup, .fini = th_teardown);

#define ACK_MAX_MS (TH_DELACK_MS + TH_SLACK_MS(TH_DELACK_MS))
#define ISN_PORT 50000

/* ISN of a SYN for (TH_LOCAL_IP:port -> TH_PEER_IP:TH_LPORT) sent now, then aborted. */
static uint32_t
isn_now(struct th *h, uint16_t port)
{
	struct th_conn cn = { 0 };

	th_connect_syn(h, &cn, port, NULL);
	cr_assert_eq(sy_tcp_abort(h->tcp, cn.c), 0);
	sy_test_wire_clear(&h->wire, &h->txq);
	cr_assert_eq(th_count_all(h), 0, "abort left a connection");
	return cn.iss;
}

Test(tcp_isn, isns_differ_across_tuples_at_same_time)
{
	uint32_t isn[5];
	struct th_pkt p;

	th_listen(TH);
	for (int i = 0; i < 5; i++) {
		th_feed(TH, &(struct th_seg){ .sport = (uint16_t)(TH_PPORT + (i < 4 ? i : 0)),
					      .src_ip = i < 4 ? TH_PEER_IP : TH_PEER2_IP,
					      .flags = TH_SYN, .seq = 1000, .opt = { .mss = 1460 } });
		th_pop(TH, &p);
		cr_assert_eq(p.flags & ~TH_PSH, TH_SYN | TH_ACK);
		isn[i] = p.seq;
	}
	for (int i = 0; i < 5; i++)
		for (int j = i + 1; j < 5; j++)
			cr_assert_neq(isn[i], isn[j], "tuples %d and %d share ISN %u", i, j, isn[i]);
}

static void
isn_advances_by(uint32_t k)
{
	uint32_t a = isn_now(TH, ISN_PORT);

	th_jump_us(TH, sy_clock_us(&TH->clock) + 4ull * k);
	uint32_t b = isn_now(TH, ISN_PORT);
	int64_t d = (int64_t)(uint32_t)(b - a);
	/* M ticks every 4 us; a clock read in whole milliseconds is off by < 250 ticks */
	cr_assert(d >= (int64_t)k - 250 && d <= (int64_t)k + 250 + k / 100,
		  "ISN moved by %ld after %u * 4 us, expected about %u", (long)d, k, k);
}

Test(tcp_isn, isn_for_one_tuple_advances_with_4us_clock_by_1_second)
{
	isn_advances_by(250000);
}

Test(tcp_isn, isn_for_one_tuple_advances_with_4us_clock_by_1234_ticks)
{
	isn_advances_by(1234);
}

Test(tcp_isn, isn_for_one_tuple_advances_with_4us_clock_by_10_seconds)
{
	isn_advances_by(2500000);
}

Test(tcp_isn, different_secrets_give_different_isns_for_same_tuple)
{
	uint8_t other[16];

	memset(other, 0xa5, sizeof(other));
	struct th *h2 = th_create(NULL, other, sy_clock_us(&TH->clock));
	uint32_t a = isn_now(TH, ISN_PORT);
	uint32_t b = isn_now(h2, ISN_PORT);

	th_destroy(h2);
	cr_assert_neq(a, b, "two secrets, same tuple and time, same ISN %u", a);
}

Test(tcp_isn, same_secret_same_tuple_same_time_gives_same_isn)
{
	/* the control for the test above: F depends only on the tuple and the secret */
	struct th *h2 = th_create(NULL, NULL, sy_clock_us(&TH->clock));
	uint32_t a = isn_now(TH, ISN_PORT);
	uint32_t b = isn_now(h2, ISN_PORT);

	th_destroy(h2);
	cr_assert_eq(a, b, "same secret, tuple and time: ISN %u vs %u", a, b);
}

/* ---------------- wrap-around ---------------- */

/* Pops every frame; each must be a pure ACK of @p cn; the last must ACK RCV.NXT. */
static void
expect_acked(const struct th_conn *cn)
{
	struct th_pkt p;
	bool any = false;

	cr_assert(th_run_until_frame(TH, ACK_MAX_MS) >= 0, "no ACK");
	th_advance_ms(TH, ACK_MAX_MS);
	while (th_try_pop(TH, &p)) {
		cr_assert_eq(p.flags & ~TH_PSH, TH_ACK, "flags %#x", p.flags);
		cr_assert_eq(p.seq, cn->snd_nxt);
		cr_assert_eq(p.len, 0);
		any = true;
		if (th_pending(TH) == 0)
			cr_assert_eq(p.ack, cn->rcv_nxt, "final ACK %#x, expected RCV.NXT %#x",
				     p.ack, cn->rcv_nxt);
	}
	cr_assert(any);
}

static void
peer_data_across_wrap(uint32_t irs)
{
	struct th_conn cn = { .irs = irs };
	uint8_t d[300];

	th_pattern(d, sizeof(d), 5);
	th_open_passive(TH, &cn, NULL, 0);
	for (int i = 0; i < 3; i++)
		th_peer_send(TH, &cn, TH_ACK | TH_PSH, d + 100 * i, 100);
	cr_assert_eq(cn.rcv_nxt, irs + 1 + 300);
	cr_assert_eq(TH->app.data_len, sizeof(d), "%u of 300 bytes delivered",
		     TH->app.data_len);
	cr_assert_arr_eq(TH->app.data, d, sizeof(d));
	expect_acked(&cn);
}

Test(tcp_wrap, peer_isn_fffffff0_rcv_nxt_wraps_through_data)
{
	peer_data_across_wrap(0xfffffff0u);
}

Test(tcp_wrap, peer_isn_ffffffff_syn_ack_acks_zero)
{
	struct th_pkt p;

	th_listen(TH);
	th_feed(TH, &(struct th_seg){ .sport = TH_PPORT + 100, .flags = TH_SYN,
				      .seq = 0xffffffffu, .opt = { .mss = 1460 } });
	th_pop(TH, &p);
	cr_assert_eq(p.flags & ~TH_PSH, TH_SYN | TH_ACK);
	cr_assert_eq(p.ack, 0, "ACK %#x, expected 0xffffffff + 1 = 0", p.ack);
	peer_data_across_wrap(0xffffffffu);
}

Test(tcp_wrap, our_snd_nxt_wraps_through_data)
{
	struct th_conn cn = { .irs = 0x7000 };
	static uint8_t buf[3000], got[3000];
	uint32_t sent = 0;
	struct th_pkt p;

	/* steer our ISN to 2^32 - 1500 through the RFC 6528 clock: M advances 1 per 4 us */
	const uint32_t target = 0xffffffffu - 1500;
	uint32_t isn0 = isn_now(TH, ISN_PORT);
	uint32_t delta = target - isn0;
	th_jump_us(TH, sy_clock_us(&TH->clock) + 4ull * delta);
	th_open_active(TH, &cn, ISN_PORT, NULL, 0);
	cr_assert(cn.iss >= target - 400 && cn.iss <= target + 400,
		  "could not steer the ISN near 2^32 (got %#x for target %#x): "
		  "the ISN does not follow M + F (RFC 6528)", cn.iss, target);

	cr_assert_eq(sy_tcp_set_nodelay(TH->tcp, cn.c, true), 0);
	th_pattern(buf, sizeof(buf), 11);
	th_app_send(TH, cn.c, buf, sizeof(buf));
	for (int round = 0; round < 10 && sent < sizeof(buf); round++) {
		while (th_try_pop(TH, &p)) {
			cr_assert_eq(p.seq, cn.snd_nxt, "SEQ %#x, expected %#x", p.seq,
				     cn.snd_nxt);
			memcpy(got + sent, p.data, p.len);
			sent += p.len;
			cn.snd_nxt += p.len;
		}
		th_peer_send(TH, &cn, TH_ACK, NULL, 0);
		th_advance_ms(TH, 1);
	}
	cr_assert_eq(sent, sizeof(buf));
	cr_assert(cn.snd_nxt < cn.iss, "SND.NXT %#x did not wrap (ISS %#x)", cn.snd_nxt, cn.iss);
	cr_assert_arr_eq(got, buf, sizeof(buf));
	/* every byte was acknowledged across the wrap: nothing is retransmitted */
	th_advance_ms(TH, 3000);
	th_expect_none(TH);
	cr_assert_eq(sy_tcp_stats(TH->tcp)->data_retrans, 0);
	cr_assert_eq(sy_tcp_conn_state(TH->tcp, cn.c), SY_TCP_ESTABLISHED);
}
