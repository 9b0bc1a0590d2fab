/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Segment arrival in SYN-RECEIVED and the synchronized states, RFC 9293 3.10.7.4, in the
 * RFC's order: sequence check (with PAWS, RFC 7323 5), RST (RFC 5961 3.2), SYN (RFC 5961
 * 4), ACK (RFC 5961 5.2), text, FIN. Each step is one function that returns whether
 * processing continues.
 *
 * Data: in-order data is delivered at once, zero copy; a segment that starts beyond
 * RCV.NXT has its ACK processed, its payload held in the reassembly queue (reass.c) and
 * gets an immediate duplicate ACK with SACK blocks; when a segment fills the hole, the
 * held runs that became in order follow it to the application and the ACK goes at once.
 */
#include "tcb.h"

/* First: RFC 9293 3.10.7.4 acceptability test, then trimming to the window. */
static int
seq_check(struct sy_tcp *tcp, struct sy_tcb *tcb, struct tcp_seg *seg)
{
	uint32_t wnd = tcp_rcv_wnd(tcp, tcb);
	uint32_t nxt = tcb->rcv_nxt;
	int rst = TCP_FLAGS(seg, RTE_TCP_RST_FLAG);
	int ok;

	if (seg->seg_len == 0)
		ok = wnd == 0 ? seg->seq == nxt : seq_in(seg->seq, nxt, nxt + wnd);
	else
		ok = wnd > 0 && (seq_in(seg->seq, nxt, nxt + wnd) ||
				 seq_in(seg->seq + seg->seg_len - 1, nxt, nxt + wnd));
	if (ok && !rst && (tcb->flags & TF_TS) && (seg->opts.present & TOPT_TS) &&
	    SEQ_LT(seg->opts.tsval, tcb->ts_recent)) {
		tcp->stats.drop_paws++;              /* RFC 7323 5.3 R1 */
		tcp_send_ack(tcp, tcb);
		return 0;
	}
	if (!ok) {
		tcp->stats.drop_unacceptable++;
		/* RFC 2883 4: data that had all arrived before goes in the ACK's first block */
		if (!rst && seg->len > 0 && SEQ_LEQ(seg->seq + seg->len, nxt))
			tcp_reass_dsack(tcp, tcb, seg->seq, seg->seq + seg->len);
		if (!rst)                            /* RFC 5961 3.2: out-of-window RST: silence */
			tcp_send_ack(tcp, tcb);
		return 0;
	}
	return 1;
}

/* Cut what lies before RCV.NXT or beyond the window off the payload. */
static void
seg_trim(struct sy_tcp *tcp, struct sy_tcb *tcb, struct tcp_seg *seg)
{
	uint32_t wnd = tcp_rcv_wnd(tcp, tcb);
	uint32_t room;

	if (SEQ_LT(seg->seq, tcb->rcv_nxt)) {
		uint32_t d = tcb->rcv_nxt - seg->seq;

		if (TCP_FLAGS(seg, RTE_TCP_SYN_FLAG)) {
			seg->flags &= ~RTE_TCP_SYN_FLAG;
			seg->seq++;
			d--;
		}
		d = RTE_MIN(d, seg->len);
		tcp_reass_dsack(tcp, tcb, seg->seq, seg->seq + d);   /* RFC 2883 4: partly old */
		seg->seq += d;
		seg->len -= d;
		seg->payload_off += d;
	}
	room = tcb->rcv_nxt + wnd - seg->seq;
	if (seg->len > room) {
		seg->len = room;
		seg->flags &= ~RTE_TCP_FIN_FLAG;
	}
}

/* Second: RFC 5961 3.2 -- only an exact RCV.NXT resets; in-window otherwise -> challenge. */
static void
rst_process(struct sy_tcp *tcp, struct sy_tcb *tcb, const struct tcp_seg *seg)
{
	if (seg->seq != tcb->rcv_nxt) {
		if (tcp_challenge_ack_allowed(tcp))
			tcp_send_ack(tcp, tcb);
		return;
	}
	tcp->stats.rst_rx_accepted++;
	if (tcb->state == SY_TCP_SYN_RECEIVED) {
		if (tcb->listener != 0)
			tcp_conn_drop_embryonic(tcp, tcb);   /* back to LISTEN */
		else
			tcp_conn_close(tcp, tcb, SY_TCP_CLOSE_REFUSED);
		return;
	}
	tcp_conn_close(tcp, tcb, SY_TCP_CLOSE_RESET);
}

static void
challenge_ack(struct sy_tcp *tcp, struct sy_tcb *tcb)
{
	if (tcp_challenge_ack_allowed(tcp))
		tcp_send_ack(tcp, tcb);
}

static void
window_update(struct sy_tcb *tcb, const struct tcp_seg *seg)
{
	/* RFC 9293 3.10.7.4: only a segment newer than the last update moves the window */
	if (SEQ_LT(tcb->snd_wl1, seg->seq) ||
	    (tcb->snd_wl1 == seg->seq && SEQ_LEQ(tcb->snd_wl2, seg->ack))) {
		tcb->snd_wnd = seg->wnd << tcb->snd_shift;
		tcb->snd_wl1 = seg->seq;
		tcb->snd_wl2 = seg->ack;
		tcb->max_snd_wnd = RTE_MAX(tcb->max_snd_wnd, tcb->snd_wnd);
	}
}

/* SYN-RECEIVED: an ACK of our SYN completes the handshake. @return 0 to stop. */
static int
ack_syn_received(struct sy_tcp *tcp, struct sy_tcb *tcb, struct tcp_seg *seg)
{
	if (!(SEQ_LT(tcb->snd_una, seg->ack) && SEQ_LEQ(seg->ack, tcb->snd_max))) {
		tcp_output_rst_for_segment(tcp, seg);   /* <SEQ=SEG.ACK><CTL=RST> */
		return 0;
	}
	if ((tcb->flags & TF_RTT) && SEQ_GT(seg->ack, tcb->rtt_seq)) {
		tcb->flags &= ~TF_RTT;
		tcp_rtt_sample(tcp, tcb, tcp_now32(tcp) - tcb->rtt_start);
	}
	tcb->snd_una = seg->ack;
	tcb->snd_wnd = seg->wnd << tcb->snd_shift;
	tcb->max_snd_wnd = tcb->snd_wnd;
	tcb->snd_wl1 = seg->seq;
	tcb->snd_wl2 = seg->ack;
	tcp_conn_established(tcp, tcb);
	return !(tcb->flags & TF_DEAD);
}

/*
 * RTT sample of an ACK of new data: RFC 7323 4.1 from the echoed timestamp (valid for
 * retransmitted data too, so Karn's rule is not needed), else RFC 6298 timing of one
 * segment at a time, never a retransmitted one (Karn).
 *
 * The echo is the peer's word: a TSecr from the future, or older than rto_max (every
 * byte in flight was sent, or sent again, within the longest RTO), is no TSval of ours
 * still in flight. It gives no sample (counted) and one timed segment is used instead.
 */
static void
rtt_update(struct sy_tcp *tcp, struct sy_tcb *tcb, const struct tcp_seg *seg)
{
	if ((tcb->flags & TF_TS) && (seg->opts.present & TOPT_TS) && seg->opts.tsecr != 0) {
		uint32_t r = tcp_now32(tcp) - seg->opts.tsecr;

		if (r <= tcp->conf.rto_max_ms) {
			tcb->flags &= ~TF_RTT;
			tcp_rtt_sample(tcp, tcb, r);
			return;
		}
		tcp->stats.rtt_echo_implausible++;
	}
	if ((tcb->flags & TF_RTT) && SEQ_GT(seg->ack, tcb->rtt_seq)) {
		tcb->flags &= ~TF_RTT;
		tcp_rtt_sample(tcp, tcb, tcp_now32(tcp) - tcb->rtt_start);
	}
}

static void
ack_new_data(struct sy_tcp *tcp, struct sy_tcb *tcb, const struct tcp_seg *seg)
{
	uint32_t ack = seg->ack;
	uint32_t acked = ack - tcb->snd_una;
	uint32_t data = RTE_MIN(acked, tcb_sndq_bytes(tcp, tcb));
	int partial;

	rtt_update(tcp, tcb, seg);
	partial = tcp_recovery_pre_ack(tcp, tcb, ack);
	tcp_sndq_ack(tcp, tcb, data);
	tcb->snd_una = ack;
	if (SEQ_LT(tcb->snd_nxt, ack))
		tcb->snd_nxt = ack;
	tcb->retries = 0;
	if (tcb->snd_una == tcb->snd_max)
		tcp_timer_rtx_stop(tcb);
	else
		tcp_timer_rtx_start(tcp, tcb);      /* RFC 6298 5.3 */
	if (partial)
		tcp_recovery_partial(tcp, tcb, acked);
}

/* RFC 5681 2: a duplicate ACK acknowledges nothing new, carries no data, SYN or FIN,
 * does not change the window, and data is outstanding. */
static int
is_dup_ack(const struct sy_tcb *tcb, const struct tcp_seg *seg, uint32_t old_una,
	   uint32_t old_wnd)
{
	return seg->ack == old_una && seg->len == 0 &&
	       !TCP_FLAGS(seg, RTE_TCP_SYN_FLAG | RTE_TCP_FIN_FLAG) &&
	       tcb->snd_wnd == old_wnd && old_una != tcb->snd_max;
}

/* What an ACK of our FIN does in each closing state. @return 0 to stop. */
static int
ack_fin_states(struct sy_tcp *tcp, struct sy_tcb *tcb)
{
	int fin_acked = (tcb->flags & TF_FIN_SENT) && tcb->snd_una == tcb->snd_max;

	if (!fin_acked)
		return 1;
	switch (tcb->state) {
	case SY_TCP_FIN_WAIT_1:
		tcp_conn_set_state(tcp, tcb, SY_TCP_FIN_WAIT_2);
		if (tcb->flags & TF_APP_CLOSED)
			tcp_timer_idle(tcp, tcb, tcp->conf.fin_wait2_timeout_s * 1000);
		return 1;
	case SY_TCP_CLOSING:
		tcp_conn_time_wait(tcp, tcb);
		return 0;
	case SY_TCP_LAST_ACK:
		tcp_conn_close(tcp, tcb, SY_TCP_CLOSE_NORMAL);
		return 0;
	default:
		return 1;
	}
}

/* Fifth: RFC 9293 3.10.7.4 ACK processing with RFC 5961 5.2. @return 0 to stop. */
static int
ack_process(struct sy_tcp *tcp, struct sy_tcb *tcb, struct tcp_seg *seg)
{
	uint32_t old_una, old_wnd;

	if (!TCP_FLAGS(seg, RTE_TCP_ACK_FLAG)) {
		tcp->stats.drop_no_ack++;
		return 0;
	}
	if (tcb->state == SY_TCP_SYN_RECEIVED && !ack_syn_received(tcp, tcb, seg))
		return 0;
	if (SEQ_GT(seg->ack, tcb->snd_max)) {
		tcp->stats.drop_ack_unsent++;
		tcp_send_ack(tcp, tcb);
		return 0;
	}
	if (SEQ_LT(seg->ack, tcb->snd_una - tcb->max_snd_wnd)) {
		tcp->stats.drop_ack_old++;
		tcp_send_ack(tcp, tcb);
		return 0;
	}
	old_una = tcb->snd_una;
	old_wnd = tcb->snd_wnd;
	if (SEQ_GT(seg->ack, tcb->snd_una))
		ack_new_data(tcp, tcb, seg);
	window_update(tcb, seg);
	if (tcb_synchronized(tcb))
		tcp_recovery_ack(tcp, tcb, seg, old_una, is_dup_ack(tcb, seg, old_una, old_wnd));
	/* RFC 9293 3.8.6.1: a peer that answers window probes keeps the connection open */
	if (tcb->snd_wnd == 0)
		tcb->retries = 0;
	return ack_fin_states(tcp, tcb);
}

static void
deliver(struct sy_tcp *tcp, struct sy_tcb *tcb, struct tcp_seg *seg)
{
	struct rte_mbuf *m = seg->m;

	tcb->rcv_nxt += seg->len;
	tcp->stats.rx_data_bytes += seg->len;
	/*
	 * RFC 9293 3.8.6.3: ACK at least every second segment, else within delack_ms. A
	 * segment above our MSS was coalesced (LRO, a TSO sender on the ring pair): it holds
	 * two full segments at least, so it is acknowledged at once.
	 */
	tcb->delack_segs += seg->len > tcp->conf.mss ? 2 : 1;
	if (tcb->delack_segs >= 2) {
		tcb->flags |= TF_ACK_NOW;
	} else if (!(tcb->flags & TF_T_DELACK)) {
		tcb->delack_at = tcp_now32(tcp) + tcp->conf.delack_ms;
		tcb->flags |= TF_T_DELACK;
	}
	if (tcb->ops == NULL || tcb->ops->data == NULL)
		return;
	/* chain-safe cuts: a received frame may be a chain (zero-copy sender, NIC scatter) */
	m = tcp_chain_adj(m, seg->payload_off);
	if (m->pkt_len > seg->len)
		tcp_chain_trim(m, m->pkt_len - seg->len);
	seg->m = NULL;
	tcb->ops->data(tcb->user, tcb_idx(tcp, tcb), m);
}

/*
 * Out-of-order text: held for reassembly (reass.c), and an immediate duplicate ACK with
 * SACK blocks (RFC 5681 4.2, RFC 2018 4) goes out before any data we may send, so the
 * peer sees a pure duplicate ACK (RFC 5681 2) and can count it. A FIN beyond a hole
 * waits for its retransmission.
 */
static void
ooo_hold(struct sy_tcp *tcp, struct sy_tcb *tcb, struct tcp_seg *seg)
{
	struct rte_mbuf *m = seg->m;

	seg->flags &= ~RTE_TCP_FIN_FLAG;
	m = tcp_chain_adj(m, seg->payload_off);
	if (m->pkt_len > seg->len)
		tcp_chain_trim(m, m->pkt_len - seg->len);
	seg->m = NULL;
	tcp_reass_insert(tcp, tcb, m, seg->seq, seg->len);
	tcp_send_ack(tcp, tcb);
}

/* Seventh: text. @return 0 to stop. */
static int
text_process(struct sy_tcp *tcp, struct sy_tcb *tcb, struct tcp_seg *seg)
{
	int ooo;

	if (seg->len == 0)
		return 1;
	if (tcb->state != SY_TCP_ESTABLISHED && tcb->state != SY_TCP_FIN_WAIT_1 &&
	    tcb->state != SY_TCP_FIN_WAIT_2)
		return 1;                            /* after the peer's FIN: ignored */
	if (tcb->flags & TF_APP_CLOSED) {
		/* RFC 9293 3.10.4 / RFC 2525 2.17: nobody will read it -> RST */
		tcp->stats.drop_after_close++;
		tcp_send_ctl(tcp, tcb, RTE_TCP_RST_FLAG, tcb->snd_nxt);
		tcp_conn_close(tcp, tcb, SY_TCP_CLOSE_ABORTED);
		return 0;
	}
	if (seg->seq != tcb->rcv_nxt) {
		ooo_hold(tcp, tcb, seg);
		return 1;
	}
	ooo = tcb_has_ooo(tcp, tcb);
	deliver(tcp, tcb, seg);
	if (ooo && !(tcb->flags & TF_DEAD)) {
		/* RFC 5681 4.2: a segment that fills (part of) a gap is ACKed at once */
		tcb->flags |= TF_ACK_NOW;
		tcp_reass_deliver(tcp, tcb);
	}
	return !(tcb->flags & TF_DEAD);
}

/* Eighth: FIN. @return 0 to stop. */
static int
fin_process(struct sy_tcp *tcp, struct sy_tcb *tcb, struct tcp_seg *seg)
{
	int tell;

	if (!TCP_FLAGS(seg, RTE_TCP_FIN_FLAG))
		return 1;
	if (seg->seq + seg->len != tcb->rcv_nxt || (tcb->flags & TF_PEER_FIN)) {
		tcb->flags |= TF_ACK_NOW;            /* out of order: not yet */
		return 1;
	}
	tcb->rcv_nxt++;
	tcb->flags |= TF_PEER_FIN | TF_ACK_NOW;
	tell = !(tcb->flags & TF_APP_CLOSED) && tcb->ops != NULL && tcb->ops->peer_closed;
	switch (tcb->state) {
	case SY_TCP_ESTABLISHED:
		tcp_conn_set_state(tcp, tcb, SY_TCP_CLOSE_WAIT);
		break;
	case SY_TCP_FIN_WAIT_1:
		tcp_conn_set_state(tcp, tcb, SY_TCP_CLOSING);
		break;
	case SY_TCP_FIN_WAIT_2:
		tcp_send_ack(tcp, tcb);
		if (tell)
			tcb->ops->peer_closed(tcb->user, tcb_idx(tcp, tcb));
		if (!(tcb->flags & TF_DEAD))
			tcp_conn_time_wait(tcp, tcb);
		return 0;
	default:
		return 1;
	}
	if (tell)
		tcb->ops->peer_closed(tcb->user, tcb_idx(tcp, tcb));
	return !(tcb->flags & TF_DEAD);
}

/* A tcb kept in TIME-WAIT because no compact record was free (see time_wait.c). */
static void
time_wait_tcb_input(struct sy_tcp *tcp, struct sy_tcb *tcb, struct tcp_seg *seg)
{
	switch (tcp_tw_classify(tcp, tcb->flags & TF_TS, tcb->ts_recent, tcb->rcv_nxt, seg)) {
	case TCP_TW_REUSE: {
		uint32_t iss_floor = tcb->snd_max;

		tcp_conn_release_to_reuse(tcp, tcb);
		tcp_tw_reuse(tcp, seg, iss_floor);
		break;
	}
	case TCP_TW_ACK_RESTART:
		tcp_send_ack(tcp, tcb);
		tcp_timer_idle(tcp, tcb, 2 * tcp->conf.msl_s * 1000);
		break;
	case TCP_TW_ACK:
		tcp_send_ack(tcp, tcb);
		break;
	case TCP_TW_DROP:
		break;
	}
}

static void
ts_recent_update(struct sy_tcb *tcb, const struct tcp_seg *seg)
{
	/* RFC 7323 4.3 (Last.ACK.sent approximated by RCV.NXT) */
	if ((tcb->flags & TF_TS) && (seg->opts.present & TOPT_TS) &&
	    SEQ_GEQ(seg->opts.tsval, tcb->ts_recent) && SEQ_LEQ(seg->seq, tcb->rcv_nxt))
		tcb->ts_recent = seg->opts.tsval;
}

static void
after_input(struct sy_tcp *tcp, struct sy_tcb *tcb)
{
	tcp_output(tcp, tcb);
	if ((tcb->flags & TF_WANT_WRITE) && sy_tcp_send_space(tcp, tcb_idx(tcp, tcb)) > 0) {
		tcb->flags &= ~TF_WANT_WRITE;
		if (tcb->ops != NULL && tcb->ops->writable != NULL)
			tcb->ops->writable(tcb->user, tcb_idx(tcp, tcb));
		if (tcb->flags & TF_DEAD)
			return;
	}
	tcp_timers_sync(tcp, tcb);
}

/*
 * Simultaneous open, RFC 9293 Figure 8 line 6: in SYN-RECEIVED the peer's SYN,ACK that
 * repeats its SYN (SEQ = RCV.NXT - 1) and acknowledges ours (ACK = SND.NXT) completes the
 * open. Read literally, the sequence check would reject it (its SYN is old) and RFC 5961 4
 * would challenge it; like Linux (tcp_validate_incoming), take it as the ACK it carries.
 */
static void
simultaneous_synack(struct sy_tcb *tcb, struct tcp_seg *seg)
{
	if (TCP_FLAGS(seg, RTE_TCP_SYN_FLAG) && TCP_FLAGS(seg, RTE_TCP_ACK_FLAG) &&
	    !TCP_FLAGS(seg, RTE_TCP_RST_FLAG) && seg->seq + 1 == tcb->rcv_nxt &&
	    seg->ack == tcb->snd_max) {
		seg->flags &= ~RTE_TCP_SYN_FLAG;
		seg->seq++;
		seg->seg_len--;
		tcb->flags |= TF_ACK_NOW;
	}
}

void
tcp_input_synchronized(struct sy_tcp *tcp, struct sy_tcb *tcb, struct tcp_seg *seg)
{
	int passive_syn_rcvd = tcb->state == SY_TCP_SYN_RECEIVED && tcb->listener != 0;

	if (tcb->state == SY_TCP_TIME_WAIT) {
		time_wait_tcb_input(tcp, tcb, seg);
		return;
	}
	if (tcb->state == SY_TCP_SYN_RECEIVED && !passive_syn_rcvd)
		simultaneous_synack(tcb, seg);
	/* RFC 5961 4 / RFC 9293 3.10.7.4: a SYN, whatever its sequence number -> challenge */
	if (TCP_FLAGS(seg, RTE_TCP_SYN_FLAG) && !TCP_FLAGS(seg, RTE_TCP_RST_FLAG) &&
	    !passive_syn_rcvd) {
		challenge_ack(tcp, tcb);
		return;
	}
	if (!seq_check(tcp, tcb, seg))
		return;
	if (TCP_FLAGS(seg, RTE_TCP_RST_FLAG)) {
		rst_process(tcp, tcb, seg);
		return;
	}
	if (TCP_FLAGS(seg, RTE_TCP_SYN_FLAG)) {
		/* RFC 9293 3.10.7.4 fourth: passive SYN-RECEIVED returns to LISTEN */
		tcp->stats.drop_embryonic++;
		tcp_conn_drop_embryonic(tcp, tcb);
		return;
	}
	seg_trim(tcp, tcb, seg);
	ts_recent_update(tcb, seg);
	if (!ack_process(tcp, tcb, seg))
		return;
	tcp_timer_keepalive_reset(tcp, tcb);
	if (!text_process(tcp, tcb, seg) || !fin_process(tcp, tcb, seg))
		return;
	after_input(tcp, tcb);
}
