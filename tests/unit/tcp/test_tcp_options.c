/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Robustness of header and option parsing: RFC 9293 3.1 (data offset; "a TCP
 * implementation MUST be able to handle an illegal option length (e.g., zero) without
 * crashing"), 3.2 (option list format: kind, length including kind and length octets) and
 * 3.10.7 (a segment with a bad checksum is discarded, RFC 1122 4.2.2.7). Every drop is
 * counted (drop_bad_options, drop_bad_offset, drop_bad_csum), never crashes and never
 * leaks an mbuf (the teardown checks the pool).
 */
#include <errno.h>
#include <string.h>
#include <criterion/criterion.h>
#include <rte_tcp.h>

#include "tcp_harness.h"
#include "tcb.h"

TestSuite(tcp_options, .init = th_setup, .fini = th_teardown);

/* A SYN to the listener must create nothing and get no SYN-ACK (a RST is allowed: RFC
 * 9293 3.1 suggests resetting on an illegal option length). */
static void
assert_syn_dropped(void)
{
	struct th_pkt p;

	while (th_try_pop(TH, &p))
		cr_assert(p.flags & TH_RST, "a malformed SYN got flags %#x", p.flags);
	cr_assert_eq(th_count_all(TH), 0, "a malformed SYN created a connection");
	cr_assert_eq(th_app_count(TH, TH_EV_ACCEPTED), 0);
}

static void
syn_with_raw_options(const uint8_t *raw, uint8_t len)
{
	th_listen(TH);
	th_feed(TH, &(struct th_seg){ .flags = TH_SYN, .seq = 1000,
				      .opt = { .raw = raw, .raw_len = len } });
}

Test(tcp_options, option_length_0_dropped_and_counted)
{
	static const uint8_t raw[] = { 2, 4, 0x05, 0xb4, 99, 0, 0, 0 };

	syn_with_raw_options(raw, sizeof(raw));
	assert_syn_dropped();
	cr_assert_eq(sy_tcp_stats(TH->tcp)->drop_bad_options, 1);
}

Test(tcp_options, option_length_1_dropped_and_counted)
{
	static const uint8_t raw[] = { 2, 4, 0x05, 0xb4, 99, 1, 1, 1 };

	syn_with_raw_options(raw, sizeof(raw));
	assert_syn_dropped();
	cr_assert_eq(sy_tcp_stats(TH->tcp)->drop_bad_options, 1);
}

Test(tcp_options, option_running_past_data_offset_dropped_and_counted)
{
	/* a timestamps option (length 10) with only 4 octets left before the data */
	static const uint8_t raw[] = { 2, 4, 0x05, 0xb4, 8, 10, 0, 0 };

	syn_with_raw_options(raw, sizeof(raw));
	assert_syn_dropped();
	cr_assert_eq(sy_tcp_stats(TH->tcp)->drop_bad_options, 1);
}

Test(tcp_options, option_kind_in_last_octet_without_length_dropped_and_counted)
{
	static const uint8_t raw[] = { 2, 4, 0x05, 0xb4, 1, 1, 1, 8 };

	syn_with_raw_options(raw, sizeof(raw));
	assert_syn_dropped();
	cr_assert_eq(sy_tcp_stats(TH->tcp)->drop_bad_options, 1);
}

Test(tcp_options, nop_and_eol_padding_is_valid)
{
	/* the control: NOPs, MSS, then EOL and garbage after EOL are a valid option list */
	static const uint8_t raw[] = { 1, 1, 1, 1, 2, 4, 0x02, 0x00, 0, 99, 0, 7 };
	struct th_pkt p;

	syn_with_raw_options(raw, sizeof(raw));
	th_pop(TH, &p);
	cr_assert_eq(p.flags & ~TH_PSH, TH_SYN | TH_ACK);
	cr_assert_eq(sy_tcp_stats(TH->tcp)->drop_bad_options, 0);
}

Test(tcp_options, data_offset_below_5_dropped_and_counted)
{
	th_listen(TH);
	th_feed(TH, &(struct th_seg){ .flags = TH_SYN, .seq = 1000, .doff_words = 4 });
	th_expect_none(TH);
	cr_assert_eq(th_count_all(TH), 0);
	cr_assert_eq(sy_tcp_stats(TH->tcp)->drop_bad_offset, 1);
}

Test(tcp_options, data_offset_0_dropped_and_counted)
{
	th_listen(TH);
	/* doff_words 0 means "computed" in the builder: write 0 into the frame by hand */
	struct rte_mbuf *m = th_build(TH, &(struct th_seg){ .flags = TH_SYN, .seq = 1000 });
	struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *,
							  RTE_ETHER_HDR_LEN);
	struct rte_tcp_hdr *tcp = (struct rte_tcp_hdr *)(ip + 1);

	tcp->data_off = 0;
	tcp->cksum = 0;
	tcp->cksum = rte_ipv4_udptcp_cksum(ip, tcp);
	cr_assert_eq(th_feed_mbuf(TH, m), SY_NET_RX_TCP);
	th_expect_none(TH);
	cr_assert_eq(th_count_all(TH), 0);
	cr_assert_eq(sy_tcp_stats(TH->tcp)->drop_bad_offset, 1);
}

Test(tcp_options, data_offset_beyond_segment_dropped_and_counted)
{
	th_listen(TH);
	/* 60-octet header claimed, 20 present */
	th_feed(TH, &(struct th_seg){ .flags = TH_SYN, .seq = 1000, .doff_words = 15 });
	th_expect_none(TH);
	cr_assert_eq(th_count_all(TH), 0);
	cr_assert_eq(sy_tcp_stats(TH->tcp)->drop_bad_offset, 1);
}

Test(tcp_options, data_offset_beyond_segment_with_payload_dropped_and_counted)
{
	uint8_t d[10] = { 0 };

	th_listen(TH);
	/* 60-octet header claimed, 20 + 10 present */
	th_feed(TH, &(struct th_seg){ .flags = TH_SYN, .seq = 1000, .doff_words = 15,
				      .data = d, .len = sizeof(d) });
	th_expect_none(TH);
	cr_assert_eq(th_count_all(TH), 0);
	cr_assert_eq(sy_tcp_stats(TH->tcp)->drop_bad_offset, 1);
}

Test(tcp_options, bad_tcp_checksum_syn_dropped_and_counted)
{
	th_listen(TH);
	th_feed(TH, &(struct th_seg){ .flags = TH_SYN, .seq = 1000, .opt = { .mss = 1460 },
				      .bad_csum = true });
	th_expect_none(TH);
	cr_assert_eq(th_count_all(TH), 0);
	cr_assert_eq(sy_tcp_stats(TH->tcp)->drop_bad_csum, 1);
}

Test(tcp_options, bad_tcp_checksum_to_closed_port_gets_no_rst)
{
	th_feed(TH, &(struct th_seg){ .dport = 81, .flags = TH_SYN, .seq = 1000,
				      .bad_csum = true });
	th_expect_none(TH);
	cr_assert_eq(sy_tcp_stats(TH->tcp)->drop_bad_csum, 1);
	cr_assert_eq(sy_tcp_stats(TH->tcp)->rst_tx, 0);
}

/* ---------------- on an established connection ---------------- */

static void
feed_data(struct th_conn *cn, const uint8_t *d, uint16_t len, const struct th_opts *o,
	  uint8_t doff, bool bad_csum)
{
	struct th_seg s = { .sport = cn->pport, .dport = cn->lport, .flags = TH_ACK | TH_PSH,
			    .seq = cn->rcv_nxt, .ack = cn->snd_nxt, .data = d, .len = len,
			    .doff_words = doff, .bad_csum = bad_csum };

	if (o != NULL)
		s.opt = *o;
	th_feed(TH, &s);
}

Test(tcp_options, bad_checksum_data_on_established_not_delivered_nor_acked)
{
	struct th_conn cn = { 0 };
	uint8_t d[100];

	th_pattern(d, sizeof(d), 1);
	th_open_passive(TH, &cn, NULL, 0);
	feed_data(&cn, d, sizeof(d), NULL, 0, true);
	th_advance_ms(TH, 500);
	th_expect_none(TH);
	cr_assert_eq(th_app_count(TH, TH_EV_DATA), 0);
	cr_assert_eq(sy_tcp_stats(TH->tcp)->drop_bad_csum, 1);
	/* the connection is unharmed: the same bytes with a good checksum go through */
	th_peer_send(TH, &cn, TH_ACK | TH_PSH, d, sizeof(d));
	cr_assert_eq(TH->app.data_len, sizeof(d));
	cr_assert_arr_eq(TH->app.data, d, sizeof(d));
}

Test(tcp_options, bad_option_on_established_segment_dropped_and_counted)
{
	static const uint8_t raw[] = { 1, 99, 0, 0 };
	const struct th_opts o = { .raw = raw, .raw_len = sizeof(raw) };
	struct th_conn cn = { 0 };
	uint8_t d[100] = { 0 };

	th_open_passive(TH, &cn, NULL, 0);
	feed_data(&cn, d, sizeof(d), &o, 0, false);
	th_advance_ms(TH, 500);
	th_expect_none(TH);
	cr_assert_eq(th_app_count(TH, TH_EV_DATA), 0);
	cr_assert_eq(sy_tcp_stats(TH->tcp)->drop_bad_options, 1);
	cr_assert_eq(sy_tcp_conn_state(TH->tcp, cn.c), SY_TCP_ESTABLISHED);
}

Test(tcp_options, data_offset_beyond_segment_on_established_dropped_and_counted)
{
	struct th_conn cn = { 0 };
	uint8_t d[8] = { 0 };

	th_open_passive(TH, &cn, NULL, 0);
	feed_data(&cn, d, sizeof(d), NULL, 15, false);
	th_advance_ms(TH, 500);
	th_expect_none(TH);
	cr_assert_eq(th_app_count(TH, TH_EV_DATA), 0);
	cr_assert_eq(sy_tcp_stats(TH->tcp)->drop_bad_offset, 1);
	cr_assert_eq(sy_tcp_conn_state(TH->tcp, cn.c), SY_TCP_ESTABLISHED);
}

/*
 * The parser's shortcut for the layout every segment carries once timestamps are on
 * (NOP NOP TS, RFC 7323 Appendix A) must give what the general walk gives for the same
 * option elsewhere in the list, and must not hide anything that follows it.
 */
Test(tcp_opts_parse, aligned_timestamp_parses_as_the_general_walk_does)
{
	static const uint8_t aligned[12] = { 1, 1, 8, 10, 0x11, 0x22, 0x33, 0x44,
					     0x55, 0x66, 0x77, 0x88 };
	static const uint8_t trailing_nops[12] = { 8, 10, 0x11, 0x22, 0x33, 0x44,
						   0x55, 0x66, 0x77, 0x88, 1, 1 };
	static const uint8_t with_sack[24] = { 1, 1, 8, 10, 0x11, 0x22, 0x33, 0x44,
					       0x55, 0x66, 0x77, 0x88, 1, 1, 5, 10,
					       0, 0, 0, 1, 0, 0, 0, 2 };
	struct tcp_opts a, b;

	memset(&a, 0xa5, sizeof(a));
	memset(&b, 0x5a, sizeof(b));
	cr_assert_eq(tcp_opts_parse(aligned, sizeof(aligned), &a), 0);
	cr_assert_eq(tcp_opts_parse(trailing_nops, sizeof(trailing_nops), &b), 0);
	cr_assert_eq(a.present, TOPT_TS);
	cr_assert_eq(a.present, b.present);
	cr_assert_eq(a.tsval, 0x11223344u);
	cr_assert_eq(a.tsecr, 0x55667788u);
	cr_assert_eq(a.tsval, b.tsval);
	cr_assert_eq(a.tsecr, b.tsecr);
	cr_assert_eq(a.sack_blocks, 0);
	cr_assert_eq(tcp_opts_parse(with_sack, sizeof(with_sack), &a), 0);
	cr_assert_eq(a.present, TOPT_TS | TOPT_SACK, "the SACK block after it is seen");
	cr_assert_eq(a.sack_blocks, 1);
	cr_assert_eq(a.sack[0][0], 1);
	cr_assert_eq(a.sack[0][1], 2);
	/* the aligned prefix with a bad length is malformed, as in the general walk */
	uint8_t bad[12];

	memcpy(bad, aligned, sizeof(bad));
	bad[3] = 11;
	cr_assert_eq(tcp_opts_parse(bad, sizeof(bad), &a), -EINVAL);
}
