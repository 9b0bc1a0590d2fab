/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Minimal data transfer: the per-connection send queue and the sender (RFC 9293 3.8).
 *
 * The send queue holds the bytes from SND.UNA on as a list of the application's mbuf
 * segments; it is allocated from an arena on the first sy_tcp_send() and returned when a
 * cumulative ACK drains it, so an idle connection carries only a 4-byte index. The sender
 * cuts segments of min(peer MSS, usable window, mbuf room) bytes, applies Nagle (3.7.4)
 * unless TCP_NODELAY, and puts the FIN after the last queued byte. The usable window is
 * the smaller of the peer's window and what congestion control leaves (recovery.c, cc_*.c);
 * a retransmission timeout resends one segment from SND.UNA and goes back N from there in
 * slow start, skipping what the peer SACKed.
 */
#include "tcb.h"
#include "sy_flow.h"

int
tcp_sndq_append(struct sy_tcp *tcp, struct sy_tcb *tcb, struct rte_mbuf *m)
{
	struct tcp_sndq *q = tcp_blk_get(tcp, tcb);

	if (q == NULL)
		return -ENOMEM;
	if (q->tail == NULL)
		q->head = m;
	else
		q->tail->next = m;
	q->tail = rte_pktmbuf_lastseg(m);
	q->bytes += m->pkt_len;
	return 0;
}

/* A cumulative ACK took @p bytes of data off the front. */
void
tcp_sndq_ack(struct sy_tcp *tcp, struct sy_tcb *tcb, uint32_t bytes)
{
	struct tcp_sndq *q;
	struct rte_mbuf *s;
	uint32_t freed = 0;

	if (tcb->sndq == TCP_NO_SNDQ || bytes == 0)
		return;
	q = sndq_ptr(tcp, tcb->sndq);
	q->bytes -= bytes;
	bytes += q->head_off;
	s = q->head;
	while (s != NULL && bytes >= s->data_len) {
		struct rte_mbuf *next = s->next;

		bytes -= s->data_len;
		freed += s->data_len;
		if (s == q->cur)
			q->cur = NULL;
		rte_pktmbuf_free_seg(s);
		s = next;
	}
	q->cur_pos -= RTE_MIN(q->cur_pos, freed);
	q->head = s;
	q->head_off = bytes;
	if (s == NULL) {
		q->tail = NULL;
		q->head_off = 0;
		q->cur = NULL;
		q->cur_pos = 0;
		tcp_blk_maybe_release(tcp, tcb);
	}
}

void
tcp_sndq_free(struct sy_tcp *tcp, struct sy_tcb *tcb)
{
	struct rte_mbuf *s, *next;

	if (tcb->sndq == TCP_NO_SNDQ)
		return;
	for (s = sndq_ptr(tcp, tcb->sndq)->head; s != NULL; s = next) {
		next = s->next;
		rte_pktmbuf_free_seg(s);
	}
	tcp_reass_free(tcp, sndq_ptr(tcp, tcb->sndq));
	sy_arena_put(tcp->sndqs, tcb->sndq);
	tcb->sndq = TCP_NO_SNDQ;
}

static int
can_send_data(const struct sy_tcb *tcb)
{
	switch (tcb->state) {
	case SY_TCP_ESTABLISHED:
	case SY_TCP_CLOSE_WAIT:
	case SY_TCP_FIN_WAIT_1:
	case SY_TCP_CLOSING:
	case SY_TCP_LAST_ACK:
		return 1;
	default:
		return 0;
	}
}

/*
 * RFC 2018 4: while out-of-order data is held, every ACK carries SACK blocks, data
 * segments included (and a pending D-SACK, RFC 2883). The options then take room from
 * the payload (RFC 9293 3.7.1: MSS counts data only, the datagram must still fit): 4 bytes
 * (two NOPs, kind, length) plus 8 per block. @return payload bytes that still fit.
 */
static uint32_t
data_sack(struct sy_tcp *tcp, struct sy_tcb *tcb, struct tcp_out *o, uint32_t len)
{
	uint32_t opt;

	if (tcb->sndq == TCP_NO_SNDQ)
		return len;
	o->sack_n = tcp_reass_sack_take(tcp, tcb, o->sack, o->ts ? 3 : 4);
	if (o->sack_n == 0)
		return len;
	tcp->stats.sack_blocks_tx += o->sack_n;
	opt = 4 + 8 * o->sack_n;
	return RTE_MIN(len, tcb->snd_mss > opt ? tcb->snd_mss - opt : 1u);
}

/* Sends [snd_nxt, snd_nxt + len) and the FIN after it when @p fin. */
static void
send_segment(struct sy_tcp *tcp, struct sy_tcb *tcb, uint32_t len, int fin, uint32_t queued)
{
	uint32_t off = tcb->snd_nxt - tcb->snd_una;
	struct tcp_out o = {
		.flags = RTE_TCP_ACK_FLAG,
		.seq = tcb->snd_nxt,
		.ack = tcb->rcv_nxt,
		.wnd = tcp_rcv_wnd_field(tcp, tcb),
		.ts = (tcb->flags & TF_TS) != 0,
		.tsecr = tcb->ts_recent,
		.data_off = off,
		.tso_segsz = tcp->tso ? tcb->snd_mss : 0,
	};
	uint32_t fit = data_sack(tcp, tcb, &o, len);

	if (fit < len) {
		len = fit;
		fin = 0;                 /* the FIN follows the last byte, which moved on */
	}
	o.data = len ? sndq_ptr(tcp, tcb->sndq) : NULL;
	o.data_len = len;
	if (fin)
		o.flags |= RTE_TCP_FIN_FLAG;
	if (len > 0 && off + len == queued)
		o.flags |= RTE_TCP_PSH_FLAG;
	if (len > 0 && tcb->snd_nxt == tcb->snd_una && tcb->snd_una == tcb->snd_max)
		tcp_recovery_tx_start(tcp, tcb);
	/* RFC 6298 / Karn: time only segments sent for the first time */
	if (!(tcb->flags & TF_RTT) && tcb->snd_nxt == tcb->snd_max) {
		tcb->flags |= TF_RTT;
		tcb->rtt_seq = tcb->snd_nxt;
		tcb->rtt_start = tcp_now32(tcp);
	}
	if (len > 0)
		sndq_ptr(tcp, tcb->sndq)->last_tx_ms = tcp_now32(tcp);
	tcb->flags &= ~(TF_ACK_NOW | TF_T_DELACK);
	tcb->delack_segs = 0;
	tcp_output_segment(tcp, &tcb->key, &o);
	tcb->snd_nxt += len + (fin ? 1 : 0);
	if (fin)
		tcb->flags |= TF_FIN_SENT;
	tcb->snd_max = seq_max(tcb->snd_max, tcb->snd_nxt);
	if (!(tcb->flags & TF_T_RTX))
		tcp_timer_rtx_start(tcp, tcb);
}

/*
 * Length of the next segment from snd_nxt; sets *fin. The usable window is the peer's
 * window from SND.UNA, and what congestion control leaves (@p room). @p force sends 1 byte
 * past a zero window (persist probe) or one segment whatever cwnd says (RTO).
 */
static uint32_t
next_len(const struct sy_tcp *tcp, const struct sy_tcb *tcb, uint32_t queued, int force,
	 int *fin)
{
	uint32_t off = tcb->snd_nxt - tcb->snd_una;
	uint32_t unsent, avail, len, sacked_at;

	*fin = 0;
	if (off > queued)
		return 0;                    /* the FIN is already out */
	unsent = queued - off;
	avail = tcb->snd_wnd > off ? tcb->snd_wnd - off : 0;
	if (!force)
		avail = RTE_MIN(avail, tcp_recovery_room(tcp, tcb));
	else if (avail == 0)
		avail = 1;
	len = RTE_MIN(unsent, avail);
	/* a probe or an RTO's resend is one MSS; else TSO may make it many */
	len = RTE_MIN(len, force ? tcp_seg_one(tcp, tcb) : tcp_seg_cap(tcp, tcb));
	/* going back N after an RTO (or a window probe): stop where the peer SACKed */
	if (SEQ_LT(tcb->snd_nxt, tcb->snd_max) &&
	    !tcp_sb_skip(tcp, tcb, tcb->snd_nxt, &sacked_at) && sacked_at != tcb->snd_max)
		len = RTE_MIN(len, sacked_at - tcb->snd_nxt);
	/*
	 * TSO sends whole MSS only: a short tail is a segment of its own, so the SWS and
	 * Nagle rules below judge it as they would without TSO (the device would cut it off
	 * as a small segment otherwise).
	 */
	if (len > tcb->snd_mss)
		len -= len % tcb->snd_mss;
	*fin = (tcb->flags & TF_FIN_QUEUED) && off + len == queued;
	/*
	 * RFC 9293 3.8.6.2.1 sender SWS avoidance: a segment cut short by a small offered
	 * window (not by the data) waits until it is a full MSS or half the largest window
	 * the peer ever offered; the persist/retransmission timer is the override timeout
	 * that sends it anyway (force).
	 */
	if (!force && !*fin && len < tcb->snd_mss && len < unsent &&
	    len < tcb->max_snd_wnd / 2)
		return 0;
	/* RFC 9293 3.7.4 Nagle: hold a small segment while data is unacknowledged */
	if (!force && !*fin && len < tcb->snd_mss && off > 0 &&
	    !(tcb->flags & TF_NODELAY) && SEQ_GEQ(tcb->snd_nxt, tcb->snd_max))
		return 0;
	return len;
}

/* Going back N: SACKed runs are not sent again. */
static void
skip_sacked(const struct sy_tcp *tcp, struct sy_tcb *tcb)
{
	uint32_t end;

	while (SEQ_LT(tcb->snd_nxt, tcb->snd_max) && tcp_sb_skip(tcp, tcb, tcb->snd_nxt, &end))
		tcb->snd_nxt = SEQ_LT(end, tcb->snd_max) ? end : tcb->snd_max;
}

/* Sends what the windows allow, then an ACK if one is owed and nothing carried it. */
void
tcp_output(struct sy_tcp *tcp, struct sy_tcb *tcb)
{
	if (can_send_data(tcb)) {
		if (tcp_in_sack_recovery(tcp, tcb))
			tcp_output_recovery(tcp, tcb);
		for (;;) {
			uint32_t queued = tcb_sndq_bytes(tcp, tcb);
			int fin;
			uint32_t len;

			skip_sacked(tcp, tcb);
			len = next_len(tcp, tcb, queued, 0, &fin);
			if (len == 0 && !fin)
				break;
			send_segment(tcp, tcb, len, fin, queued);
		}
		/* RFC 9293 3.8.6.1: zero window with data waiting -> persist timer */
		if (tcb->snd_nxt == tcb->snd_una && tcb_sndq_bytes(tcp, tcb) > 0 &&
		    !(tcb->flags & TF_T_RTX))
			tcp_timer_rtx_start(tcp, tcb);
	}
	if (tcb->flags & TF_ACK_NOW)
		tcp_send_ack(tcp, tcb);
}

/* Retransmits [seq, seq + max_len) (within what was sent) without moving SND.NXT. */
void
tcp_send_at(struct sy_tcp *tcp, struct sy_tcb *tcb, uint32_t seq, uint32_t max_len)
{
	uint32_t queued = tcb_sndq_bytes(tcp, tcb);
	uint32_t off = seq - tcb->snd_una;
	uint32_t save = tcb->snd_nxt, len;
	int fin;

	if (!SEQ_LT(seq, tcb->snd_max) || off > queued)
		return;
	len = RTE_MIN(queued - off, max_len);
	len = RTE_MIN(len, tcp_seg_one(tcp, tcb));
	fin = (tcb->flags & TF_FIN_SENT) && off + len == queued;
	if (len == 0 && !fin)
		return;
	tcb->snd_nxt = seq;
	tcp->stats.data_retrans++;
	send_segment(tcp, tcb, len, fin, queued);
	if (SEQ_GT(save, tcb->snd_nxt))
		tcb->snd_nxt = save;
}

/* Persist timer: one byte beyond a zero window (RFC 9293 3.8.6.1). */
void
tcp_output_probe(struct sy_tcp *tcp, struct sy_tcb *tcb)
{
	uint32_t queued = tcb_sndq_bytes(tcp, tcb);
	int fin;
	uint32_t len = next_len(tcp, tcb, queued, 1, &fin);

	if (len > 0 || fin)
		send_segment(tcp, tcb, len, fin, queued);
}

/* RTO: go back to SND.UNA and resend one segment (RFC 6298 5.4); Karn: stop timing. */
void
tcp_retransmit(struct sy_tcp *tcp, struct sy_tcb *tcb)
{
	uint32_t queued = tcb_sndq_bytes(tcp, tcb);
	int fin;
	uint32_t len;

	tcp_recovery_rto(tcp, tcb);
	tcb->snd_nxt = tcb->snd_una;
	tcb->flags &= ~TF_RTT;
	skip_sacked(tcp, tcb);
	len = next_len(tcp, tcb, queued, 1, &fin);
	if (len > 0 || fin)
		send_segment(tcp, tcb, len, fin, queued);
}
