/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Opening connections: RFC 9293 3.5 (passive, active and simultaneous open, Figures 6-8),
 * 3.10.7.2-3.10.7.4 (SEGMENT ARRIVES in LISTEN, SYN-SENT, SYN-RECEIVED), 3.7.1 (MSS),
 * RFC 7323 (window scale and timestamps in SYN), RFC 2018 (SACK-permitted), and old
 * duplicate handling: RFC 9293 3.5 Figures 9-10, RFC 5961 4 (SYN on a synchronized
 * connection gets a challenge ACK).
 */
#include <errno.h>
#include <string.h>
#include <criterion/criterion.h>

#include "tcp_harness.h"

TestSuite(tcp_open, .init = th_setup, .fini = th_teardown);
TestSuite(tcp_active, .init = th_setup, .fini = th_teardown);
TestSuite(tcp_simopen, .init = th_setup, .fini = th_teardown);
TestSuite(tcp_stale, .init = th_setup, .fini = th_teardown);

/* ---------------- passive open: LISTEN -> SYN-RECEIVED -> ESTABLISHED ---------------- */

Test(tcp_open, passive_open_syn_gets_synack_with_mss_and_ack_seq_plus_one)
{
	struct th_pkt p;

	th_listen(TH);
	th_feed(TH, &(struct th_seg){ .flags = TH_SYN, .seq = TH_PEER_ISN,
				      .opt = { .mss = 1460 } });
	/* RFC 9293 3.10.7.2: <SEQ=ISS><ACK=RCV.NXT><CTL=SYN,ACK>, RCV.NXT = SEG.SEQ+1 */
	th_pop(TH, &p);
	cr_assert_eq(p.flags & ~TH_PSH, TH_SYN | TH_ACK, "flags %#x", p.flags);
	cr_assert_eq(p.ack, TH_PEER_ISN + 1);
	/* RFC 9293 3.7.1: the MSS option is sent in the SYN-ACK */
	cr_assert_eq(p.opt.mss, TH_MSS, "MSS option %u", p.opt.mss);
	cr_assert_not(p.opt.bad, "malformed options in SYN-ACK");
	cr_assert_eq(p.len, 0);
	cr_assert_eq(p.sport, TH_LPORT);
	cr_assert_eq(p.dport, TH_PPORT);
	cr_assert_eq(p.dst_ip, TH_PEER_IP);
	cr_assert_eq(sy_tcp_count(TH->tcp, SY_TCP_SYN_RECEIVED), 1);
	cr_assert_eq(th_app_count(TH, TH_EV_ACCEPTED), 0, "accepted before the handshake ended");
	th_expect_none(TH);
}

Test(tcp_open, passive_open_final_ack_calls_accepted_and_enters_established)
{
	struct th_conn cn = { 0 };

	th_open_passive(TH, &cn, NULL, 0);
	cr_assert_eq(sy_tcp_conn_state(TH->tcp, cn.c), SY_TCP_ESTABLISHED);
	cr_assert_eq(sy_tcp_count(TH->tcp, SY_TCP_ESTABLISHED), 1);
	cr_assert_eq(sy_tcp_count(TH->tcp, SY_TCP_SYN_RECEIVED), 0);
	cr_assert_eq(sy_tcp_stats(TH->tcp)->passive_opens, 1);
	cr_assert_eq(th_app_count(TH, TH_EV_ACCEPTED), 1);
}

Test(tcp_open, synack_omits_ws_sack_ts_when_syn_offered_none)
{
	struct th_pkt p;

	th_listen(TH);
	th_feed(TH, &(struct th_seg){ .flags = TH_SYN, .seq = TH_PEER_ISN,
				      .opt = { .mss = 1460 } });
	th_pop(TH, &p);
	/* RFC 7323 2.2 / 3.2 and RFC 2018 2: only in answer to the same option in the SYN */
	cr_assert_not(p.opt.ws_on, "window scale in SYN-ACK to a SYN without it");
	cr_assert_not(p.opt.ts_on, "timestamps in SYN-ACK to a SYN without them");
	cr_assert_not(p.opt.sack_ok, "SACK-permitted in SYN-ACK to a SYN without it");
}

Test(tcp_open, synack_echoes_ws_sack_ts_when_offered)
{
	struct th_pkt p;

	th_listen(TH);
	th_feed(TH, &(struct th_seg){ .flags = TH_SYN, .seq = TH_PEER_ISN,
				      .opt = { .mss = 1460, .ws_on = true, .ws = 2,
					       .sack_ok = true, .ts_on = true,
					       .tsval = 12345 } });
	th_pop(TH, &p);
	cr_assert_eq(p.flags & ~TH_PSH, TH_SYN | TH_ACK);
	cr_assert(p.opt.ws_on, "no window scale in SYN-ACK");
	cr_assert_eq(p.opt.ws, 7, "window scale %u, configured 7", p.opt.ws);
	cr_assert(p.opt.sack_ok, "no SACK-permitted in SYN-ACK");
	cr_assert(p.opt.ts_on, "no timestamps in SYN-ACK");
	cr_assert_eq(p.opt.tsecr, 12345);
	cr_assert_eq(p.opt.mss, TH_MSS);
}

Test(tcp_open, synack_timestamp_echoes_syn_tsval_in_tsecr)
{
	struct th_pkt p;

	th_listen(TH);
	th_feed(TH, &(struct th_seg){ .flags = TH_SYN, .seq = TH_PEER_ISN,
				      .opt = { .mss = 1460, .ts_on = true,
					       .tsval = 0xdeadbeef } });
	th_pop(TH, &p);
	/* RFC 7323 3.2: TSecr echoes the TSval of the segment being acknowledged */
	cr_assert(p.opt.ts_on);
	cr_assert_eq(p.opt.tsecr, 0xdeadbeef, "TSecr %#x", p.opt.tsecr);
	cr_assert_not(p.opt.ws_on);
	cr_assert_not(p.opt.sack_ok);
}

Test(tcp_open, window_field_of_synack_is_not_scaled)
{
	struct th_pkt p;

	th_listen(TH);
	th_feed(TH, &(struct th_seg){ .flags = TH_SYN, .seq = TH_PEER_ISN,
				      .opt = { .mss = 1460, .ws_on = true, .ws = 0 } });
	th_pop(TH, &p);
	/* RFC 7323 2.2: the window in a SYN segment is never scaled, so a receive window of
	 * at least 64 KiB shows as a large field, not as rcv_wnd >> 7 */
	uint32_t expect = TH->conf.rcv_wnd < 65535 ? TH->conf.rcv_wnd : 65535;
	cr_assert(p.win >= expect / 2, "SYN-ACK window %u looks scaled (rcv_wnd %u)", p.win,
		  TH->conf.rcv_wnd);
}

Test(tcp_open, missing_mss_option_assumes_536)
{
	struct th_conn cn = { 0 };
	const struct th_opts none = { 0 };
	uint8_t buf[2000], got[2000];
	uint32_t sent = 0, max_len = 0;
	struct th_pkt p;

	th_open_passive(TH, &cn, &none, 0);
	cr_assert_eq(sy_tcp_set_nodelay(TH->tcp, cn.c, true), 0);
	th_pattern(buf, sizeof(buf), 7);
	th_app_send(TH, cn.c, buf, sizeof(buf));
	for (int round = 0; round < 10 && sent < sizeof(buf); round++) {
		while (th_try_pop(TH, &p)) {
			/* RFC 9293 3.7.1: no MSS option -> send MSS 536 (RFC 1122 4.2.2.6) */
			cr_assert(p.len <= 536, "segment of %u bytes without peer MSS", p.len);
			cr_assert_eq(p.seq, cn.snd_nxt, "SEQ %u expected %u", p.seq, cn.snd_nxt);
			memcpy(got + sent, p.data, p.len);
			sent += p.len;
			cn.snd_nxt += p.len;
			max_len = p.len > max_len ? p.len : max_len;
		}
		th_peer_send(TH, &cn, TH_ACK, NULL, 0);
		th_advance_ms(TH, 1);
	}
	cr_assert_eq(sent, sizeof(buf), "only %u of %zu bytes sent", sent, sizeof(buf));
	cr_assert_eq(max_len, 536, "largest segment %u, expected full 536-byte segments",
		     max_len);
	cr_assert_arr_eq(got, buf, sizeof(buf));
}

/* ---------------- active open: CLOSED -> SYN-SENT -> ESTABLISHED ---------------- */

Test(tcp_active, connect_sends_syn_with_mss_ws_sack_ts_options)
{
	struct th_conn cn = { 0 };
	struct th_pkt syn;

	th_connect_syn(TH, &cn, 0, &syn);
	cr_assert_eq(syn.len, 0);
	cr_assert_eq(syn.opt.mss, TH_MSS, "MSS %u", syn.opt.mss);
	cr_assert(syn.opt.ws_on, "no window scale option");
	cr_assert_eq(syn.opt.ws, 7);
	cr_assert(syn.opt.sack_ok, "no SACK-permitted option");
	cr_assert(syn.opt.ts_on, "no timestamps option");
	cr_assert_not(syn.opt.bad);
	cr_assert(syn.sport >= TH->conf.ephemeral_lo && syn.sport <= TH->conf.ephemeral_hi,
		  "source port %u outside the ephemeral range", syn.sport);
	cr_assert_eq(sy_tcp_conn_state(TH->tcp, cn.c), SY_TCP_SYN_SENT);
	cr_assert_eq(sy_tcp_count(TH->tcp, SY_TCP_SYN_SENT), 1);
	cr_assert_eq(th_app_count(TH, TH_EV_CONNECTED), 0);
}

Test(tcp_active, synack_gets_ack_iss_plus_one_irs_plus_one_and_connected)
{
	struct th_conn cn = { 0 };

	/* the helper asserts <SEQ=ISS+1><ACK=IRS+1><CTL=ACK> and the connected callback */
	th_open_active(TH, &cn, 0, NULL, 0);
	cr_assert_eq(sy_tcp_conn_state(TH->tcp, cn.c), SY_TCP_ESTABLISHED);
	cr_assert_eq(sy_tcp_count(TH->tcp, SY_TCP_SYN_SENT), 0);
	cr_assert_eq(sy_tcp_count(TH->tcp, SY_TCP_ESTABLISHED), 1);
	cr_assert_eq(sy_tcp_stats(TH->tcp)->active_opens, 1);
	th_expect_none(TH);
}

Test(tcp_active, synack_with_timestamps_is_acked_with_tsecr_echo)
{
	struct th_conn cn = { 0 };
	struct th_pkt syn, p;

	th_connect_syn(TH, &cn, 0, &syn);
	th_feed(TH, &(struct th_seg){ .sport = TH_LPORT, .dport = cn.lport,
				      .flags = TH_SYN | TH_ACK, .seq = TH_PEER_ISN,
				      .ack = cn.iss + 1,
				      .opt = { .mss = 1460, .ts_on = true, .tsval = 777,
					       .tsecr = syn.opt.tsval } });
	th_expect(TH, &p, TH_ACK, cn.iss + 1, TH_PEER_ISN + 1);
	/* RFC 7323 3.2: once negotiated, TSopt in every non-RST segment, TSecr = TS.Recent */
	cr_assert(p.opt.ts_on, "no TSopt in the ACK");
	cr_assert_eq(p.opt.tsecr, 777);
}

Test(tcp_active, connect_to_same_tuple_twice_is_eaddrinuse)
{
	struct th_conn cn = { 0 };
	sy_conn_t c2;

	th_connect_syn(TH, &cn, 50000, NULL);
	int rc = sy_tcp_connect(TH->tcp, rte_cpu_to_be_32(TH_LOCAL_IP), rte_cpu_to_be_16(50000),
				rte_cpu_to_be_32(TH_PEER_IP), rte_cpu_to_be_16(TH_LPORT),
				&TH->ops, &TH->app, &c2);
	cr_assert_eq(rc, -EADDRINUSE, "second connect on the same 4-tuple: %d", rc);
	th_expect_none(TH);
}

/* ---------------- simultaneous open: RFC 9293 3.5 Figure 8 ---------------- */

Test(tcp_simopen, syn_in_syn_sent_enters_syn_received_and_sends_synack_with_iss)
{
	struct th_conn cn = { 0 };

	th_connect_syn(TH, &cn, 0, NULL);
	th_feed(TH, &(struct th_seg){ .sport = TH_LPORT, .dport = cn.lport, .flags = TH_SYN,
				      .seq = TH_PEER_ISN, .opt = { .mss = 1460 } });
	/* RFC 9293 3.10.7.3 (SYN without ACK): <SEQ=ISS><ACK=RCV.NXT><CTL=SYN,ACK> */
	th_expect(TH, NULL, TH_SYN | TH_ACK, cn.iss, TH_PEER_ISN + 1);
	cr_assert_eq(sy_tcp_conn_state(TH->tcp, cn.c), SY_TCP_SYN_RECEIVED);
	cr_assert_eq(th_app_count(TH, TH_EV_CONNECTED), 0);
}

Test(tcp_simopen, simultaneous_open_ack_of_our_syn_enters_established)
{
	struct th_conn cn = { 0 };

	th_connect_syn(TH, &cn, 0, NULL);
	th_feed(TH, &(struct th_seg){ .sport = TH_LPORT, .dport = cn.lport, .flags = TH_SYN,
				      .seq = TH_PEER_ISN, .opt = { .mss = 1460 } });
	th_expect(TH, NULL, TH_SYN | TH_ACK, cn.iss, TH_PEER_ISN + 1);
	/* RFC 9293 3.10.7.4 fifth: SND.UNA < SEG.ACK =< SND.NXT -> ESTABLISHED */
	th_feed(TH, &(struct th_seg){ .sport = TH_LPORT, .dport = cn.lport, .flags = TH_ACK,
				      .seq = TH_PEER_ISN + 1, .ack = cn.iss + 1 });
	cr_assert_eq(sy_tcp_conn_state(TH->tcp, cn.c), SY_TCP_ESTABLISHED);
	cr_assert_eq(th_app_count(TH, TH_EV_CONNECTED), 1);
	th_expect_none(TH);
}

Test(tcp_simopen, simultaneous_open_peer_synack_enters_established_figure_8)
{
	struct th_conn cn = { 0 };
	struct th_pkt p;

	th_connect_syn(TH, &cn, 0, NULL);
	th_feed(TH, &(struct th_seg){ .sport = TH_LPORT, .dport = cn.lport, .flags = TH_SYN,
				      .seq = TH_PEER_ISN, .opt = { .mss = 1460 } });
	th_expect(TH, NULL, TH_SYN | TH_ACK, cn.iss, TH_PEER_ISN + 1);
	/* Figure 8 line 6: the peer's <SEQ=300><ACK=101><CTL=SYN,ACK> -> ESTABLISHED */
	th_feed(TH, &(struct th_seg){ .sport = TH_LPORT, .dport = cn.lport,
				      .flags = TH_SYN | TH_ACK, .seq = TH_PEER_ISN,
				      .ack = cn.iss + 1, .opt = { .mss = 1460 } });
	cr_assert_eq(sy_tcp_conn_state(TH->tcp, cn.c), SY_TCP_ESTABLISHED);
	cr_assert_eq(th_app_count(TH, TH_EV_CONNECTED), 1);
	/* at most an ACK <SEQ=ISS+1><ACK=IRS+1>; never a RST */
	while (th_try_pop(TH, &p)) {
		cr_assert_eq(p.flags & ~TH_PSH, TH_ACK, "unexpected flags %#x", p.flags);
		cr_assert_eq(p.seq, cn.iss + 1);
		cr_assert_eq(p.ack, TH_PEER_ISN + 1);
	}
}

/* ---------------- old duplicates and resets during the handshake ---------------- */

Test(tcp_stale, syn_sent_ack_at_iss_gets_rst_seq_seg_ack_and_stays_syn_sent)
{
	struct th_conn cn = { 0 };

	th_connect_syn(TH, &cn, 0, NULL);
	/* RFC 9293 3.10.7.3: SEG.ACK =< ISS -> <SEQ=SEG.ACK><CTL=RST> */
	th_feed(TH, &(struct th_seg){ .sport = TH_LPORT, .dport = cn.lport, .flags = TH_ACK,
				      .seq = 5000, .ack = cn.iss });
	th_expect(TH, NULL, TH_RST, cn.iss, 0);
	cr_assert_eq(sy_tcp_conn_state(TH->tcp, cn.c), SY_TCP_SYN_SENT);
	th_expect_none(TH);
}

Test(tcp_stale, syn_sent_old_synack_beyond_snd_nxt_gets_rst_and_stays_syn_sent)
{
	struct th_conn cn = { 0 };

	th_connect_syn(TH, &cn, 0, NULL);
	/* RFC 9293 3.5 Figure 9 and 3.10.7.3: SEG.ACK > SND.NXT -> <SEQ=SEG.ACK><CTL=RST> */
	th_feed(TH, &(struct th_seg){ .sport = TH_LPORT, .dport = cn.lport,
				      .flags = TH_SYN | TH_ACK, .seq = 90000,
				      .ack = cn.iss + 2, .opt = { .mss = 1460 } });
	th_expect(TH, NULL, TH_RST, cn.iss + 2, 0);
	cr_assert_eq(sy_tcp_conn_state(TH->tcp, cn.c), SY_TCP_SYN_SENT);
	cr_assert_eq(th_app_count(TH, TH_EV_CONNECTED), 0);
	cr_assert_eq(th_app_count(TH, TH_EV_CLOSED), 0);
}

Test(tcp_stale, syn_sent_old_synack_below_iss_gets_rst_and_stays_syn_sent)
{
	struct th_conn cn = { 0 };

	th_connect_syn(TH, &cn, 0, NULL);
	th_feed(TH, &(struct th_seg){ .sport = TH_LPORT, .dport = cn.lport,
				      .flags = TH_SYN | TH_ACK, .seq = 90000,
				      .ack = cn.iss - 1000, .opt = { .mss = 1460 } });
	th_expect(TH, NULL, TH_RST, cn.iss - 1000, 0);
	cr_assert_eq(sy_tcp_conn_state(TH->tcp, cn.c), SY_TCP_SYN_SENT);
}

Test(tcp_stale, syn_sent_recovers_when_real_synack_follows_old_one)
{
	struct th_conn cn = { 0 };

	th_connect_syn(TH, &cn, 0, NULL);
	th_feed(TH, &(struct th_seg){ .sport = TH_LPORT, .dport = cn.lport,
				      .flags = TH_SYN | TH_ACK, .seq = 90000,
				      .ack = cn.iss + 2, .opt = { .mss = 1460 } });
	th_expect(TH, NULL, TH_RST, cn.iss + 2, 0);
	/* RFC 9293 Figure 9 line 7: the real SYN-ACK then completes the handshake */
	th_feed(TH, &(struct th_seg){ .sport = TH_LPORT, .dport = cn.lport,
				      .flags = TH_SYN | TH_ACK, .seq = TH_PEER_ISN,
				      .ack = cn.iss + 1, .opt = { .mss = 1460 } });
	th_expect(TH, NULL, TH_ACK, cn.iss + 1, TH_PEER_ISN + 1);
	cr_assert_eq(sy_tcp_conn_state(TH->tcp, cn.c), SY_TCP_ESTABLISHED);
	cr_assert_eq(th_app_count(TH, TH_EV_CONNECTED), 1);
}

Test(tcp_stale, syn_received_rst_removes_embryonic_and_listener_accepts_fresh_syn)
{
	struct th_pkt p;

	th_listen(TH);
	th_feed(TH, &(struct th_seg){ .flags = TH_SYN, .seq = TH_PEER_ISN,
				      .opt = { .mss = 1460 } });
	th_pop(TH, &p);
	cr_assert_eq(sy_tcp_count(TH->tcp, SY_TCP_SYN_RECEIVED), 1);
	/* RFC 9293 3.10.7.4 second (passive OPEN): return to LISTEN; RST SEQ = RCV.NXT */
	th_feed(TH, &(struct th_seg){ .flags = TH_RST, .seq = TH_PEER_ISN + 1 });
	th_expect_none(TH);
	cr_assert_eq(sy_tcp_count(TH->tcp, SY_TCP_SYN_RECEIVED), 0);
	cr_assert_eq(th_count_all(TH), 0);
	cr_assert_eq(th_app_count(TH, TH_EV_ACCEPTED), 0);
	/* the listener still accepts a new SYN on the same 4-tuple */
	th_feed(TH, &(struct th_seg){ .flags = TH_SYN, .seq = 777777,
				      .opt = { .mss = 1460 } });
	th_pop(TH, &p);
	cr_assert_eq(p.flags & ~TH_PSH, TH_SYN | TH_ACK);
	cr_assert_eq(p.ack, 777778);
}

Test(tcp_stale, syn_sent_rst_with_acceptable_ack_closes_refused)
{
	struct th_conn cn = { 0 };

	th_connect_syn(TH, &cn, 0, NULL);
	/* RFC 9293 3.10.7.3: acceptable ACK + RST -> "connection reset", CLOSED */
	th_feed(TH, &(struct th_seg){ .sport = TH_LPORT, .dport = cn.lport,
				      .flags = TH_RST | TH_ACK, .seq = 0, .ack = cn.iss + 1 });
	th_expect_none(TH);
	const struct th_ev *e = th_app_find(TH, TH_EV_CLOSED);
	cr_assert_not_null(e, "no closed callback");
	cr_assert_eq(e->why, SY_TCP_CLOSE_REFUSED, "reason %s",
		     sy_tcp_close_reason_name(e->why));
	cr_assert_eq(e->c, cn.c);
	cr_assert_eq(th_count_all(TH), 0);
	cr_assert_eq(th_app_count(TH, TH_EV_CONNECTED), 0);
}

Test(tcp_stale, syn_sent_rst_with_unacceptable_ack_is_dropped)
{
	struct th_conn cn = { 0 };

	th_connect_syn(TH, &cn, 0, NULL);
	/* RFC 9293 3.10.7.3 first: bad ACK with RST -> drop, no RST in answer */
	th_feed(TH, &(struct th_seg){ .sport = TH_LPORT, .dport = cn.lport,
				      .flags = TH_RST | TH_ACK, .seq = 0, .ack = cn.iss });
	th_expect_none(TH);
	cr_assert_eq(sy_tcp_conn_state(TH->tcp, cn.c), SY_TCP_SYN_SENT);
	cr_assert_eq(th_app_count(TH, TH_EV_CLOSED), 0);
}

Test(tcp_stale, syn_sent_rst_without_ack_is_dropped)
{
	struct th_conn cn = { 0 };

	th_connect_syn(TH, &cn, 0, NULL);
	/* RFC 9293 3.10.7.3 second: RST without ACK in SYN-SENT -> drop */
	th_feed(TH, &(struct th_seg){ .sport = TH_LPORT, .dport = cn.lport, .flags = TH_RST,
				      .seq = 0 });
	th_expect_none(TH);
	cr_assert_eq(sy_tcp_conn_state(TH->tcp, cn.c), SY_TCP_SYN_SENT);
	cr_assert_eq(th_app_count(TH, TH_EV_CLOSED), 0);
}

Test(tcp_stale, syn_in_window_on_established_gets_challenge_ack_state_unchanged)
{
	struct th_conn cn = { 0 };

	th_open_passive(TH, &cn, NULL, 0);
	/* RFC 5961 4.2 / RFC 9293 3.10.7.4 fourth: SYN in a synchronized state, whatever
	 * its SEQ -> <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>, and nothing else happens */
	th_feed(TH, &(struct th_seg){ .flags = TH_SYN, .seq = cn.rcv_nxt + 100,
				      .opt = { .mss = 1460 } });
	th_expect(TH, NULL, TH_ACK, cn.snd_nxt, cn.rcv_nxt);
	th_expect_none(TH);
	cr_assert_eq(sy_tcp_conn_state(TH->tcp, cn.c), SY_TCP_ESTABLISHED);
	cr_assert_eq(th_app_count(TH, TH_EV_CLOSED), 0);
	cr_assert_eq(sy_tcp_stats(TH->tcp)->challenge_ack_tx, 1);
}

Test(tcp_stale, syn_at_rcv_nxt_on_established_gets_challenge_ack_not_reset)
{
	struct th_conn cn = { 0 };

	th_open_active(TH, &cn, 0, NULL, 0);
	/* RFC 5961 4.2: even SEQ == RCV.NXT must not reset the connection (RFC 793 would) */
	th_feed(TH, &(struct th_seg){ .sport = cn.pport, .dport = cn.lport, .flags = TH_SYN,
				      .seq = cn.rcv_nxt, .opt = { .mss = 1460 } });
	th_expect(TH, NULL, TH_ACK, cn.snd_nxt, cn.rcv_nxt);
	cr_assert_eq(sy_tcp_conn_state(TH->tcp, cn.c), SY_TCP_ESTABLISHED);
	cr_assert_eq(th_app_count(TH, TH_EV_CLOSED), 0);
}
