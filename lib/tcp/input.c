/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Segment arrival, RFC 9293 3.10.7: validation, demultiplexing, and the states without a
 * synchronized connection -- CLOSED (3.10.7.1), LISTEN (3.10.7.2), SYN-SENT (3.10.7.3).
 * The synchronized states are in input_sync.c, TIME-WAIT records in time_wait.c.
 *
 * Validation before any state is touched: the data offset must be at least 5 words and
 * lie inside the segment and inside the first mbuf (drop_bad_offset); the checksum is
 * trusted from the NIC when it says GOOD/BAD, else verified in software (drop_bad_csum);
 * the option list must be well formed (drop_bad_options).
 */
#include <rte_ip.h>

#include "tcb.h"

/* syncookie.c (declared here: tcb.h belongs to the data-path work) */
uint32_t tcp_syncookie_threshold(const struct sy_tcp *tcp, const struct tcp_listener *l);
void tcp_syncookie_send(struct sy_tcp *tcp, const struct tcp_seg *seg);
int tcp_syncookie_check(struct sy_tcp *tcp, const struct tcp_seg *seg, struct tcp_opts *syn);

static void input_tcb(struct sy_tcp *tcp, uint32_t idx, struct tcp_seg *seg);

static int
seg_checksum_ok(const struct rte_mbuf *m, const struct rte_ipv4_hdr *ip,
		const struct rte_tcp_hdr *th, uint32_t l4off)
{
	uint64_t f = m->ol_flags & RTE_MBUF_F_RX_L4_CKSUM_MASK;

	if (f == RTE_MBUF_F_RX_L4_CKSUM_BAD)
		return 0;
	if (f == RTE_MBUF_F_RX_L4_CKSUM_GOOD || f == RTE_MBUF_F_RX_L4_CKSUM_NONE)
		return 1;
	if (m->nb_segs == 1)
		return rte_ipv4_udptcp_cksum_verify(ip, th) == 0;
	return sy_net_l4_cksum_valid(m, ip, l4off);   /* exact on any chain */
}

static int
seg_parse(struct sy_tcp *tcp, struct rte_mbuf *m, struct tcp_seg *seg)
{
	uint32_t l4off = SY_NET_L4_OFFSET;
	const struct rte_ipv4_hdr *ip;
	const struct rte_tcp_hdr *th;
	uint32_t tcp_len, hlen;

	if (m->pkt_len < l4off + sizeof(*th) || m->data_len < l4off + sizeof(*th)) {
		tcp->stats.drop_bad_offset++;
		return -1;
	}
	ip = rte_pktmbuf_mtod_offset(m, const struct rte_ipv4_hdr *, RTE_ETHER_HDR_LEN);
	th = rte_pktmbuf_mtod_offset(m, const struct rte_tcp_hdr *, l4off);
	tcp_len = m->pkt_len - l4off;
	hlen = (uint32_t)(th->data_off >> 4) * 4;
	if (hlen < sizeof(*th) || hlen > tcp_len || l4off + hlen > m->data_len) {
		tcp->stats.drop_bad_offset++;
		return -1;
	}
	if (!seg_checksum_ok(m, ip, th, l4off)) {
		tcp->stats.drop_bad_csum++;
		return -1;
	}
	if (tcp_opts_parse((const uint8_t *)(th + 1), hlen - sizeof(*th), &seg->opts) < 0) {
		tcp->stats.drop_bad_options++;
		return -1;
	}
	seg->m = m;
	seg->tw_reuse = 0;
	seg->flow_held = 0;
	seg->iss_floor = 0;
	seg->key.local_ip = ip->dst_addr;
	seg->key.remote_ip = ip->src_addr;
	seg->key.local_port = th->dst_port;
	seg->key.remote_port = th->src_port;
	seg->seq = rte_be_to_cpu_32(th->sent_seq);
	seg->ack = rte_be_to_cpu_32(th->recv_ack);
	seg->flags = th->tcp_flags;
	seg->wnd = rte_be_to_cpu_16(th->rx_win);
	seg->len = tcp_len - hlen;
	seg->seg_len = seg->len + TCP_FLAGS(seg, RTE_TCP_SYN_FLAG) + TCP_FLAGS(seg, RTE_TCP_FIN_FLAG);
	seg->payload_off = l4off + hlen;
	return 0;
}

/* RFC 9293 3.10.7.1: no connection, no listener. */
void
tcp_input_closed(struct sy_tcp *tcp, struct tcp_seg *seg)
{
	tcp->stats.drop_no_conn++;
	tcp_output_rst_for_segment(tcp, seg);
}

static void
refuse_syn(struct sy_tcp *tcp, struct tcp_seg *seg)
{
	if (tcp->conf.rst_when_full)
		tcp_output_rst_for_segment(tcp, seg);
}

/* The passive-open tcb of SYN @p seg in SYN-RECEIVED, counted against the listener. */
static struct sy_tcb *
listen_tcb(struct sy_tcp *tcp, struct tcp_seg *seg, uint32_t lidx, uint32_t iss,
	   const struct tcp_opts *syn)
{
	struct tcp_listener *l = &tcp->listeners[lidx];
	struct sy_tcb *tcb = tcp_conn_alloc(tcp, &seg->key, &seg->flow_held);

	if (tcb == NULL)
		return NULL;
	tcb->listener = (uint16_t)(lidx + 1);
	tcb->ops = l->ops;
	tcb->user = l->user;
	l->embryonic++;
	tcb->rcv_nxt = seg->seq + 1;
	tcb->iss = iss;
	tcb->snd_una = iss;
	tcb->snd_nxt = iss + 1;
	tcb->snd_max = iss + 1;
	tcb->snd_wnd = seg->wnd;               /* RFC 7323 2.2: a SYN's window is unscaled */
	tcb->max_snd_wnd = seg->wnd;
	tcb->snd_wl1 = seg->seq;
	tcp_conn_negotiate(tcp, tcb, syn);
	tcp_conn_set_state(tcp, tcb, SY_TCP_SYN_RECEIVED);
	return tcb;
}

/*
 * RFC 4987 3.6: an ACK to a listener may complete a cookie handshake. The SYN-RECEIVED
 * connection the SYN would have made is rebuilt from the cookie, then the ACK goes
 * through the ordinary SYN-RECEIVED processing (which also takes data it carries).
 * @return 1 when the segment was consumed, 0 when it was no valid cookie.
 */
static int
listen_cookie_ack(struct sy_tcp *tcp, struct tcp_seg *seg, uint32_t lidx)
{
	struct tcp_opts syn;
	struct tcp_seg synseg;
	struct sy_tcb *tcb;

	if (tcp_syncookie_check(tcp, seg, &syn) < 0) {
		tcp->stats.syncookies_bad++;
		return 0;
	}
	synseg = *seg;
	synseg.seq = seg->seq - 1;
	tcb = listen_tcb(tcp, &synseg, lidx, seg->ack - 1, &syn);
	if (tcb == NULL) {
		tcp->stats.drop_table_full++;
		return 1;          /* the peer's data or keepalive will get a RST later */
	}
	tcp->stats.syncookies_ok++;
	input_tcb(tcp, tcb_idx(tcp, tcb), seg);
	return 1;
}

/*
 * RFC 4987 3.6: SYN-ACK from a cookie when the listener is over its threshold. A full
 * connection table keeps its documented policy (drop, or RST with rst_when_full). The
 * mode switches on with the first cookie and off with the first SYN that finds the
 * backlog under the threshold again; both switches are counted.
 */
static int
listen_cookie_syn(struct sy_tcp *tcp, struct tcp_seg *seg, struct tcp_listener *l)
{
	uint32_t t = tcp_syncookie_threshold(tcp, l);

	/* a reopened TIME-WAIT tuple needs an ISN above the old one: no cookie */
	if (t == 0 || seg->tw_reuse || l->embryonic < t) {
		if (l->cookie_mode) {
			l->cookie_mode = 0;
			tcp->stats.syncookie_mode_off++;
		}
		return 0;
	}
	if (!l->cookie_mode) {
		l->cookie_mode = 1;
		tcp->stats.syncookie_mode_on++;
	}
	l->cookie_last_ms = tcp->now_ms + 1;   /* 0 stays "never" */
	tcp_syncookie_send(tcp, seg);
	return 1;
}

/*
 * Cookies are valid for two 64 s periods. ACKs to a listener are checked as cookies (one
 * SipHash each) only within four periods of the last cookie sent, not forever: so a
 * stray ACK costs nothing to a listener that never needed cookies, and an ACK carrying an
 * expired cookie is still recognised (and counted) as one for a while.
 */
#define COOKIE_WINDOW_MS (4 * 64 * 1000)

static bool
listen_expects_cookies(const struct sy_tcp *tcp, const struct tcp_listener *l)
{
	return l->cookie_last_ms != 0 && tcp->now_ms + 1 - l->cookie_last_ms <= COOKIE_WINDOW_MS;
}

/* RFC 9293 3.10.7.2 */
void
tcp_input_listen(struct sy_tcp *tcp, struct tcp_seg *seg, uint32_t lidx)
{
	struct tcp_listener *l = &tcp->listeners[lidx];
	struct sy_tcb *tcb;
	uint32_t iss;

	if (!TCP_FLAGS(seg, RTE_TCP_SYN_FLAG) || TCP_FLAGS(seg, RTE_TCP_RST_FLAG) ||
	    TCP_FLAGS(seg, RTE_TCP_ACK_FLAG)) {
		if (TCP_FLAGS(seg, RTE_TCP_ACK_FLAG) && !TCP_FLAGS(seg, RTE_TCP_SYN_FLAG) &&
		    !TCP_FLAGS(seg, RTE_TCP_RST_FLAG) && tcp_syncookie_threshold(tcp, l) != 0 &&
		    listen_expects_cookies(tcp, l) && listen_cookie_ack(tcp, seg, lidx))
			return;
		/* RST: ignore; ACK: <SEQ=SEG.ACK><CTL=RST>; anything else: drop */
		tcp->stats.drop_listen++;
		if (TCP_FLAGS(seg, RTE_TCP_ACK_FLAG))
			tcp_output_rst_for_segment(tcp, seg);
		return;
	}
	if (listen_cookie_syn(tcp, seg, l))
		return;
	if (l->embryonic >= l->backlog) {
		tcp->stats.drop_backlog++;
		refuse_syn(tcp, seg);
		return;
	}
	iss = tcp_isn(tcp, &seg->key);
	/* RFC 1122 4.2.2.13: a reopened TIME-WAIT tuple starts above the old SND.NXT
	 * (Linux adds 65535 + 2 likewise); the RFC 6528 clock alone may not have moved far */
	if (seg->tw_reuse && !SEQ_GT(iss, seg->iss_floor))
		iss = seg->iss_floor + 65537;
	tcb = listen_tcb(tcp, seg, lidx, iss, &seg->opts);
	if (tcb == NULL) {
		tcp->stats.drop_table_full++;
		refuse_syn(tcp, seg);
		return;
	}
	tcb->flags |= TF_RTT;
	tcb->rtt_seq = tcb->iss;
	tcb->rtt_start = tcp_now32(tcp);
	tcp_send_syn(tcp, tcb);
	tcp_timer_rtx_start(tcp, tcb);
}

/* RFC 9293 3.10.7.3 */
static void
tcp_input_syn_sent(struct sy_tcp *tcp, struct sy_tcb *tcb, struct tcp_seg *seg)
{
	int ack = TCP_FLAGS(seg, RTE_TCP_ACK_FLAG);

	if (ack && (SEQ_LEQ(seg->ack, tcb->iss) || SEQ_GT(seg->ack, tcb->snd_max))) {
		tcp->stats.drop_syn_sent++;
		tcp_output_rst_for_segment(tcp, seg);  /* <SEQ=SEG.ACK><CTL=RST>, not for RST */
		return;
	}
	if (TCP_FLAGS(seg, RTE_TCP_RST_FLAG)) {
		if (!ack) {
			tcp->stats.drop_syn_sent++;
			return;
		}
		tcp->stats.rst_rx_accepted++;
		tcp_conn_close(tcp, tcb, SY_TCP_CLOSE_REFUSED);
		return;
	}
	if (!TCP_FLAGS(seg, RTE_TCP_SYN_FLAG)) {
		tcp->stats.drop_syn_sent++;
		return;
	}
	tcb->rcv_nxt = seg->seq + 1;
	tcp_conn_negotiate(tcp, tcb, &seg->opts);
	tcb->snd_wnd = seg->wnd;
	tcb->max_snd_wnd = seg->wnd;
	tcb->snd_wl1 = seg->seq;
	tcb->snd_wl2 = seg->ack;
	if (!ack) {
		/* simultaneous open: SYN-RECEIVED, <SEQ=ISS><ACK=RCV.NXT><CTL=SYN,ACK> */
		tcp_conn_set_state(tcp, tcb, SY_TCP_SYN_RECEIVED);
		tcb->retries = 0;
		tcp_send_syn(tcp, tcb);
		tcp_timer_rtx_start(tcp, tcb);
		return;
	}
	tcb->snd_una = seg->ack;
	if ((tcb->flags & TF_RTT) && SEQ_GT(seg->ack, tcb->rtt_seq)) {
		tcb->flags &= ~TF_RTT;
		tcp_rtt_sample(tcp, tcb, tcp_now32(tcp) - tcb->rtt_start);
	}
	tcb->flags |= TF_ACK_NOW;
	tcp_conn_established(tcp, tcb);
	if (tcb->flags & TF_DEAD)
		return;
	tcp_output(tcp, tcb);
	tcp_timers_sync(tcp, tcb);
}

/* A segment for a tuple with no connection: a listener's, or CLOSED. */
void
tcp_input_demux_new(struct sy_tcp *tcp, struct tcp_seg *seg)
{
	uint32_t lidx;

	if (sy_listen_lookup(tcp->listens, seg->key.local_ip, seg->key.local_port, &lidx) == 0)
		tcp_input_listen(tcp, seg, lidx);
	else
		tcp_input_closed(tcp, seg);
}

static void
input_tcb(struct sy_tcp *tcp, uint32_t idx, struct tcp_seg *seg)
{
	struct sy_tcb *tcb = tcb_ptr(tcp, idx);

	tcp_busy_begin(tcp, tcb);
	if (tcb->state == SY_TCP_SYN_SENT)
		tcp_input_syn_sent(tcp, tcb, seg);
	else
		tcp_input_synchronized(tcp, tcb, seg);
	tcp_busy_end(tcp);
}

void
sy_tcp_input(struct sy_tcp *tcp, struct rte_mbuf *m)
{
	struct tcp_seg seg;
	uint32_t v;

	tcp->now_ms = sy_clock_ms(tcp->clock);
	tcp->stats.rx_segs++;
	if (seg_parse(tcp, m, &seg) < 0) {
		rte_pktmbuf_free(m);
		return;
	}
	if (sy_flow_lookup(tcp->flows, &seg.key, &v) < 0)
		tcp_input_demux_new(tcp, &seg);
	else if (v & TCP_FLOW_TW)
		tcp_tw_input(tcp, v & ~TCP_FLOW_TW, &seg);
	else
		input_tcb(tcp, v, &seg);
	if (seg.m != NULL)
		rte_pktmbuf_free(seg.m);
}
