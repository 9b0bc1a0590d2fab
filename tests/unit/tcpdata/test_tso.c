/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * TCP segmentation offload (docs/tcp.md, "TSO"): on a port that takes large segments, the
 * data the windows allow leaves as one frame of whole MSS (the port cuts it, or the ring
 * pair carries it whole), so the peer sees exactly the segments a sender without TSO
 * would have sent. Retransmissions stay one MSS (RFC 6298 5.4: "the earliest segment"),
 * slow start grows by what a whole TSO segment's ACK covers, and a receiver acknowledges
 * at once a segment larger than its MSS (a coalesced one holds two full segments at
 * least: RFC 9293 3.8.6.3, RFC 5681 4.2). The stack here runs over a net layer in WHOLE
 * mode, so the frames on the fake wire are the TSO segments as built, checksummed whole.
 */
#include <string.h>
#include <criterion/criterion.h>

#include "tcp_harness.h"

#define MSS 1460
#define IW (10 * MSS)         /* RFC 6928 with MSS 1460 */

static void
tso_setup(void)
{
	TH = th_create_tso(NULL, NULL, 1000000, true);
}

TestSuite(tcpdata_tso, .init = tso_setup, .fini = th_teardown);

static const struct th_opts plain = { .mss = MSS };
static uint8_t payload[40 * MSS];

/* Established, 40 MSS queued by the application. */
static void
open_and_queue(struct th_conn *cn)
{
	th_pattern(payload, sizeof(payload), 7);
	th_open_passive(TH, cn, &plain, 100);
	th_app_send(TH, cn->c, payload, sizeof(payload));
}

Test(tcpdata_tso, the_initial_window_leaves_as_one_segment_of_whole_mss)
{
	struct th_conn cn = { 0 };
	struct th_pkt p;

	open_and_queue(&cn);
	th_expect(TH, &p, TH_ACK, cn.snd_nxt, cn.rcv_nxt);
	cr_assert_eq(p.len, IW, "one frame of the whole initial window, got %u", p.len);
	cr_assert_eq(memcmp(p.data, payload, sizeof(p.data)), 0, "payload from byte 0");
	th_expect_none(TH);
	cr_assert_eq(sy_tcp_stats(TH->tcp)->tx_tso_segs, 1);
}

/* The same application writes without TSO: ten frames of one MSS each. */
Test(tcpdata_tso, without_tso_the_initial_window_is_ten_frames)
{
	struct th_conn cn = { 0 };
	struct th_pkt p;

	th_destroy(TH);
	TH = th_create_tso(NULL, NULL, 1000000, false);
	open_and_queue(&cn);
	for (uint32_t i = 0; i < 10; i++) {
		th_expect(TH, &p, TH_ACK, cn.snd_nxt + i * MSS, cn.rcv_nxt);
		cr_assert_eq(p.len, MSS);
	}
	th_expect_none(TH);
	cr_assert_eq(sy_tcp_stats(TH->tcp)->tx_tso_segs, 0);
}

/*
 * RFC 5681 3.1 slow start: the ACK of the whole initial window (one ACK, as a peer that
 * coalesced it sends) grows cwnd by all it covers, so the next flight is twice the first;
 * RFC 3465's L = 2 SMSS would have given IW + 2 MSS.
 */
Test(tcpdata_tso, one_ack_of_a_whole_tso_segment_doubles_the_window_in_slow_start)
{
	struct th_conn cn = { 0 };
	struct sy_tcp_conn_info ci;
	struct th_pkt p;

	open_and_queue(&cn);
	th_expect(TH, &p, TH_ACK, cn.snd_nxt, cn.rcv_nxt);
	th_advance_ms(TH, 10);
	cn.snd_nxt += IW;
	th_peer_send(TH, &cn, TH_ACK, NULL, 0);
	cr_assert_eq(sy_tcp_conn_info(TH->tcp, cn.c, &ci), 0);
	cr_assert_eq(ci.cwnd, 2 * IW);
	th_expect(TH, &p, TH_ACK, cn.snd_nxt, cn.rcv_nxt);
	cr_assert_eq(p.len, 2 * IW);
	th_expect_none(TH);
}

/* RFC 6298 5.4: on expiry, the earliest unacknowledged segment: one MSS, not the burst. */
Test(tcpdata_tso, a_retransmission_after_rto_is_one_mss)
{
	struct th_conn cn = { 0 };
	struct th_pkt p;

	open_and_queue(&cn);
	th_expect(TH, &p, TH_ACK, cn.snd_nxt, cn.rcv_nxt);
	th_expect_within(TH, 2000, &p, TH_ACK, cn.snd_nxt, cn.rcv_nxt);
	cr_assert_eq(p.len, MSS, "retransmitted %u bytes", p.len);
	cr_assert_eq(memcmp(p.data, payload, MSS), 0);
	th_expect_none(TH);
}

/* A segment above our MSS is acknowledged at once; one of less waits for delayed ACK. */
Test(tcpdata_tso, a_segment_larger_than_our_mss_is_acknowledged_at_once)
{
	static uint8_t d[MSS + 340];      /* the harness's frames stop at 2 KiB */
	struct th_conn cn = { 0 };
	struct th_pkt p;

	th_open_passive(TH, &cn, &plain, 100);
	th_peer_send(TH, &cn, TH_ACK, d, 1000);
	th_expect_none(TH);                        /* delayed (RFC 9293 3.8.6.3) */
	th_advance_ms(TH, TH_DELACK_MS + TH_SLACK_MS(TH_DELACK_MS));
	th_expect(TH, &p, TH_ACK, cn.snd_nxt, cn.rcv_nxt);
	th_peer_send(TH, &cn, TH_ACK, d, sizeof(d));
	th_expect(TH, &p, TH_ACK, cn.snd_nxt, cn.rcv_nxt);
	cr_assert_eq(TH->app.data_len, 1000 + sizeof(d));
}

/* The engine refuses TSO on a port that has none. */
Test(tcpdata_tso, tso_needs_a_port_that_does_it)
{
	th_destroy(TH);
	TH = th_create_tso(NULL, NULL, 1000000, false);
	cr_assert_eq(sy_tcp_set_tso(TH->tcp, true), -EINVAL);
	cr_assert_eq(sy_tcp_set_tso(TH->tcp, false), 0);
}

/* Our ACK of the handshake is in; the peer now offers @p wnd bytes (no window scaling). */
static void
peer_offers(struct th_conn *cn, uint16_t wnd)
{
	th_feed(TH, &(struct th_seg){ .sport = cn->pport, .dport = cn->lport, .flags = TH_ACK,
				      .seq = cn->rcv_nxt, .ack = cn->snd_nxt, .win = wnd });
}

/* Pops every frame now on the wire; returns their count, their payload bytes in *bytes. */
static uint32_t
drain(uint32_t *bytes)
{
	struct th_pkt p;
	uint32_t n = 0;

	for (*bytes = 0; th_try_pop(TH, &p); n++)
		*bytes += p.len;
	return n;
}

/*
 * RFC 9293 3.8.6.2.1 sender SWS avoidance: with 2 MSS + 100 offered and plenty queued, the
 * 100 bytes wait (they are neither a full MSS nor half the largest window offered). With
 * TSO the two MSS leave as one frame and the tail still waits: no 100-byte segment.
 */
Test(tcpdata_tso, a_short_tail_cut_by_the_window_waits_as_without_tso)
{
	struct th_conn cn = { 0 };
	struct th_pkt p;

	th_pattern(payload, sizeof(payload), 7);
	th_open_passive(TH, &cn, &plain, 100);
	peer_offers(&cn, 2 * MSS + 100);
	th_app_send(TH, cn.c, payload, sizeof(payload));
	th_expect(TH, &p, TH_ACK, cn.snd_nxt, cn.rcv_nxt);
	cr_assert_eq(p.len, 2 * MSS);
	th_expect_none(TH);
}

/*
 * RFC 9293 3.7.4 Nagle: one write of MSS + 100 sends the full MSS; the 100 bytes wait for
 * the ACK. A second such write before it sends the next full MSS only: never two short
 * segments unacknowledged (with TSO the tail of a TSO segment would be one).
 */
Test(tcpdata_tso, nagle_holds_the_short_tail_of_each_write)
{
	struct th_conn cn = { 0 };
	uint32_t bytes;

	th_pattern(payload, sizeof(payload), 7);
	th_open_passive(TH, &cn, &plain, 100);
	th_app_send(TH, cn.c, payload, MSS + 100);
	cr_assert_eq(drain(&bytes), 1);
	cr_assert_eq(bytes, MSS);
	th_app_send(TH, cn.c, payload + MSS + 100, MSS + 100);
	cr_assert_eq(drain(&bytes), 1);
	cr_assert_eq(bytes, MSS, "sent %u of the second write", bytes);
}

/*
 * RFC 3465 3.1 / RFC 5681 3.1 after an RTO: cwnd = 1 MSS, ssthresh = FlightSize / 2. The
 * ACK of the resent segment covers the whole initial window the receiver held; slow start
 * may grow cwnd by 2 MSS for it, not by a TSO segment's worth.
 */
Test(tcpdata_tso, after_an_rto_one_ack_grows_cwnd_by_two_mss_only)
{
	struct th_conn cn = { 0 };
	struct sy_tcp_conn_info ci;
	struct th_pkt p;
	uint32_t bytes;

	open_and_queue(&cn);
	th_expect(TH, &p, TH_ACK, cn.snd_nxt, cn.rcv_nxt);
	th_expect_within(TH, 2000, &p, TH_ACK, cn.snd_nxt, cn.rcv_nxt);
	cr_assert_eq(p.len, MSS);
	cn.snd_nxt += IW;
	th_peer_send(TH, &cn, TH_ACK, NULL, 0);
	cr_assert_eq(sy_tcp_conn_info(TH->tcp, cn.c, &ci), 0);
	cr_assert_eq(ci.cwnd, 3 * MSS, "cwnd %u", ci.cwnd);
	drain(&bytes);
	cr_assert_eq(bytes, 3 * MSS);
}

/* A peer MSS under 536 gets no TSO: a 64 KiB frame would be a thousand segments. */
Test(tcpdata_tso, a_small_peer_mss_gets_no_tso)
{
	static const struct th_opts small = { .mss = 200 };
	struct th_conn cn = { 0 };
	struct th_pkt p;

	th_pattern(payload, sizeof(payload), 7);
	th_open_passive(TH, &cn, &small, 100);
	th_app_send(TH, cn.c, payload, 4000);
	th_expect(TH, &p, TH_ACK, cn.snd_nxt, cn.rcv_nxt);
	cr_assert_eq(p.len, 200);
	cr_assert_eq(sy_tcp_stats(TH->tcp)->tx_tso_segs, 0);
}

/*
 * RFC 2018 4: while out-of-order data is held, every segment we send carries SACK blocks,
 * data segments too, and the options come out of the payload (RFC 9293 3.7.1: MSS counts
 * data only). A device would copy those options into every segment it cut, so such a
 * segment is never a TSO one: each data frame is one MSS minus the SACK option.
 */
Test(tcpdata_tso, data_segments_carrying_sack_blocks_are_single_segments)
{
	static const struct th_opts sack_syn = { .mss = MSS, .sack_ok = true };
	static uint8_t ooo[500];
	struct th_conn cn = { 0 };
	struct th_pkt p;
	uint32_t frames = 0;

	th_pattern(payload, sizeof(payload), 7);
	th_open_passive(TH, &cn, &sack_syn, 100);
	th_peer_send_at(TH, &cn, TH_ACK, cn.rcv_nxt + 1000, cn.snd_nxt, ooo, sizeof(ooo));
	th_expect(TH, &p, TH_ACK, cn.snd_nxt, cn.rcv_nxt);        /* duplicate ACK ... */
	cr_assert_eq(p.opt.sack_blocks, 1, "... with the held run as a SACK block");
	th_app_send(TH, cn.c, payload, sizeof(payload));
	while (th_try_pop(TH, &p)) {
		cr_assert_eq(p.opt.sack_blocks, 1, "frame %u without SACK blocks", frames);
		cr_assert_eq(p.len, MSS - 12, "frame %u: %u bytes", frames, p.len);
		frames++;
	}
	cr_assert_geq(frames, 2);
	cr_assert_eq(sy_tcp_stats(TH->tcp)->tx_tso_segs, 0);
}
