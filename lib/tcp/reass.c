/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * The out-of-order (reassembly) queue and the SACK blocks we report, RFC 9293 3.10.7.4
 * seventh ("segments with higher beginning sequence numbers SHOULD be held"), RFC 5681 4.2
 * and RFC 2018 4.
 *
 * Out-of-order segments are trimmed to their payload and kept as mbuf chains, one chain per
 * contiguous run of bytes above RCV.NXT ("range"), at most TCP_RQ_RANGES runs sorted by
 * sequence number in the connection's data block (no allocation besides the mbufs the NIC
 * gave us). A new segment is cut against what is already held, so every byte is held at
 * most once: its front is cut at the end of the run it starts in, its tail at the start of
 * the run it ends in, and runs it covers entirely are freed. Contiguous runs are chained
 * into one. Memory is bounded twice: by the receive window (seg_trim() cut everything
 * beyond it) and by a count of mbufs (a peer sending 1-byte segments cannot pin more than
 * max(64, rcv_wnd / 512) mbufs); what does not fit is dropped and counted (drop_ooo).
 *
 * SACK blocks (RFC 2018 4): the first block reported is the run holding the most recently
 * received segment, then the most recently reported other runs, most recent first; the
 * list is kept as an MRU of TCP_SACK_REPORT entries, an entry being dropped when a new run
 * swallows it or when RCV.NXT passes it.
 */
#include <string.h>

#include "tcb.h"

struct tcp_sndq *
tcp_blk_get(struct sy_tcp *tcp, struct sy_tcb *tcb)
{
	uint32_t idx;

	if (tcb->sndq != TCP_NO_SNDQ)
		return sndq_ptr(tcp, tcb->sndq);
	if (sy_arena_alloc(tcp->sndqs, &idx) < 0) {
		tcp->stats.no_data_block++;   /* sy_tcp_conf.max_data_blocks all in use */
		return NULL;
	}                                /* the arena hands out zeroed blocks */
	tcb->sndq = idx;
	tcp_rcv_adv_init(tcp, tcb, sndq_ptr(tcp, idx));
	/* when data last left (tcp_blk_maybe_release() kept it), for the idle restart */
	if (!(tcb->flags & TF_RTT))
		sndq_ptr(tcp, idx)->last_tx_ms = tcb->rtt_start;
	return sndq_ptr(tcp, idx);
}

/* Both queues empty: the block goes back (recovery and cc state with it). */
void
tcp_blk_maybe_release(struct sy_tcp *tcp, struct sy_tcb *tcb)
{
	struct tcp_sndq *q;

	if (tcb->sndq == TCP_NO_SNDQ)
		return;
	q = sndq_ptr(tcp, tcb->sndq);
	if (q->head != NULL || q->rq_n != 0 || q->dsack_on)
		return;
	/*
	 * Without a sample in progress rtt_start is free: it keeps the time data last left
	 * until the next block, so that an idle period spans blocks (RFC 5681 4.1).
	 */
	if (!(tcb->flags & TF_RTT) && q->last_tx_ms != 0)
		tcb->rtt_start = q->last_tx_ms;
	sy_arena_put(tcp->sndqs, tcb->sndq);
	tcb->sndq = TCP_NO_SNDQ;
}

static uint32_t
rq_max_segs(const struct sy_tcp *tcp)
{
	return RTE_MAX(64u, tcp->conf.rcv_wnd / 512);
}

static void
range_free(struct tcp_sndq *q, uint32_t i)
{
	q->rq_segs -= q->rq[i].head->nb_segs;
	q->rq_bytes -= q->rq[i].len;
	rte_pktmbuf_free(q->rq[i].head);
	memmove(&q->rq[i], &q->rq[i + 1], (q->rq_n - i - 1) * sizeof(q->rq[0]));
	q->rq_n--;
}

void
tcp_reass_free(struct sy_tcp *tcp, struct tcp_sndq *q)
{
	while (q->rq_n > 0)
		range_free(q, 0);
	q->sack_rep_n = 0;
}

/* Cuts @p d bytes off the front of a chain, freeing the segments they empty. */
struct rte_mbuf *
tcp_chain_adj(struct rte_mbuf *m, uint32_t d)
{
	uint32_t pkt_len = m->pkt_len - d;
	uint16_t nb = m->nb_segs;

	while (d >= m->data_len) {
		struct rte_mbuf *next = m->next;

		d -= m->data_len;
		m->next = NULL;
		rte_pktmbuf_free_seg(m);
		nb--;
		m = next;
	}
	m->data_off += d;
	m->data_len -= d;
	m->pkt_len = pkt_len;
	m->nb_segs = nb;
	return m;
}

/*
 * Cuts @p d (< pkt_len) bytes off the tail of a chain, freeing the segments they empty
 * (rte_pktmbuf_trim() only trims within the last segment; zero-copy senders make chains
 * whose last piece is short). @return 0, or -EINVAL when @p d is not below pkt_len.
 */
int
tcp_chain_trim(struct rte_mbuf *m, uint32_t d)
{
	uint32_t keep, nb = 0;
	struct rte_mbuf *s = m;

	if (d >= m->pkt_len)
		return -EINVAL;
	keep = m->pkt_len - d;
	m->pkt_len = keep;
	for (;;) {
		nb++;
		if (keep <= s->data_len)
			break;
		keep -= s->data_len;
		s = s->next;
	}
	s->data_len = (uint16_t)keep;
	rte_pktmbuf_free(s->next);
	s->next = NULL;
	m->nb_segs = (uint16_t)nb;
	return 0;
}

/* Appends chain @p m to range @p r. */
static void
range_append(struct tcp_rq_range *r, struct rte_mbuf *m, uint32_t len)
{
	r->tail->next = m;
	r->head->nb_segs += m->nb_segs;
	r->head->pkt_len += m->pkt_len;
	r->tail = rte_pktmbuf_lastseg(m);
	r->len += len;
}

static void
set_dsack(struct tcp_sndq *q, uint32_t s, uint32_t e)
{
	q->dsack[0] = s;
	q->dsack[1] = e;
	q->dsack_on = 1;
}

/* RFC 2018 4: the run [s, e) goes first; entries it swallowed go. */
static void
sack_rep_push(struct tcp_sndq *q, uint32_t s, uint32_t e)
{
	uint32_t keep[TCP_SACK_REPORT][2];
	uint32_t n = 0;

	for (uint32_t i = 0; i < q->sack_rep_n && n < TCP_SACK_REPORT - 1; i++) {
		if (SEQ_LT(q->sack_rep[i][0], e) && SEQ_GT(q->sack_rep[i][1], s))
			continue;
		keep[n][0] = q->sack_rep[i][0];
		keep[n][1] = q->sack_rep[i][1];
		n++;
	}
	q->sack_rep[0][0] = s;
	q->sack_rep[0][1] = e;
	memcpy(&q->sack_rep[1], keep, n * sizeof(keep[0]));
	q->sack_rep_n = (uint8_t)(n + 1);
}

static void
sack_rep_trim(struct tcp_sndq *q, uint32_t rcv_nxt)
{
	uint32_t n = 0;

	for (uint32_t i = 0; i < q->sack_rep_n; i++) {
		if (SEQ_LEQ(q->sack_rep[i][1], rcv_nxt))
			continue;
		q->sack_rep[n][0] = q->sack_rep[i][0];
		q->sack_rep[n][1] = q->sack_rep[i][1];
		n++;
	}
	q->sack_rep_n = (uint8_t)n;
}

/*
 * Cuts [*seq, *seq + *len) against the held runs. @return the chain to insert (NULL:
 * nothing new, @p m freed).
 */
static struct rte_mbuf *
cut_against_ranges(struct tcp_sndq *q, struct rte_mbuf *m, uint32_t *seq, uint32_t *len)
{
	uint32_t i;
	int dup = 0;
	for (i = 0; i < q->rq_n; i++) {
		struct tcp_rq_range *r = &q->rq[i];
		uint32_t end = *seq + *len, r_end = r->seq + r->len;

		if (SEQ_LEQ(r->seq, *seq) && SEQ_LT(*seq, r_end)) {
			uint32_t d = r_end - *seq;    /* front already held */

			/* RFC 2883 4: the first duplicate part is reported */
			set_dsack(q, *seq, *seq + RTE_MIN(d, *len));
			dup = 1;
			if (d >= *len)
				goto dup;
			m = tcp_chain_adj(m, d);
			*seq += d;
			*len -= d;
		} else if (SEQ_GT(r->seq, *seq) && SEQ_LT(r->seq, end) &&
			   SEQ_GT(r_end, end)) {
			if (tcp_chain_trim(m, end - r->seq) < 0)
				goto dup;
			if (!dup)
				set_dsack(q, r->seq, end);
			dup = 1;
			*len = r->seq - *seq;
		}
	}
	/* runs the segment covers entirely: its copy replaces them */
	for (i = 0; i < q->rq_n;) {
		if (SEQ_GEQ(q->rq[i].seq, *seq) &&
		    SEQ_LEQ(q->rq[i].seq + q->rq[i].len, *seq + *len)) {
			if (!dup || SEQ_LT(q->rq[i].seq, q->dsack[0]))
				set_dsack(q, q->rq[i].seq, q->rq[i].seq + q->rq[i].len);
			dup = 1;
			range_free(q, i);
		} else
			i++;
	}
	return m;
dup:
	rte_pktmbuf_free(m);
	return NULL;
}

/* Puts [seq, seq + len) (chain @p m) in order, merging with its neighbours. @return run. */
static uint32_t
range_insert(struct tcp_sndq *q, struct rte_mbuf *m, uint32_t seq, uint32_t len)
{
	uint32_t i = 0;

	while (i < q->rq_n && SEQ_LT(q->rq[i].seq, seq))
		i++;
	q->rq_segs += m->nb_segs;
	q->rq_bytes += len;
	if (i > 0 && q->rq[i - 1].seq + q->rq[i - 1].len == seq) {
		range_append(&q->rq[i - 1], m, len);
		i--;
	} else {
		memmove(&q->rq[i + 1], &q->rq[i], (q->rq_n - i) * sizeof(q->rq[0]));
		q->rq[i] = (struct tcp_rq_range){ .seq = seq, .len = len, .head = m,
						  .tail = rte_pktmbuf_lastseg(m) };
		q->rq_n++;
	}
	if (i + 1 < q->rq_n && q->rq[i].seq + q->rq[i].len == q->rq[i + 1].seq) {
		range_append(&q->rq[i], q->rq[i + 1].head, q->rq[i + 1].len);
		memmove(&q->rq[i + 1], &q->rq[i + 2], (q->rq_n - i - 2) * sizeof(q->rq[0]));
		q->rq_n--;
	}
	return i;
}

/* Would inserting [seq, seq + len) need a new run when every slot is taken? */
static int
needs_slot(const struct tcp_sndq *q, uint32_t seq, uint32_t len)
{
	for (uint32_t i = 0; i < q->rq_n; i++) {
		uint32_t r_end = q->rq[i].seq + q->rq[i].len;

		if (SEQ_LEQ(q->rq[i].seq, seq + len) && SEQ_GEQ(r_end, seq))
			return 0;                     /* touches or overlaps run i */
	}
	return q->rq_n >= TCP_RQ_RANGES;
}

/*
 * Holds the out-of-order payload @p m ([seq, seq + len), trimmed to the payload, above
 * RCV.NXT and inside the window). Consumes @p m in every case.
 * @return 0 held (or already held); -ENOSPC dropped (queue bound or no data block)
 */
int
tcp_reass_insert(struct sy_tcp *tcp, struct sy_tcb *tcb, struct rte_mbuf *m, uint32_t seq,
		 uint32_t len)
{
	struct tcp_sndq *q = tcp_blk_get(tcp, tcb);
	uint32_t i;

	if (q == NULL || needs_slot(q, seq, len) ||
	    q->rq_segs + m->nb_segs > rq_max_segs(tcp)) {
		rte_pktmbuf_free(m);
		tcp->stats.drop_ooo++;
		if (q != NULL)
			tcp_blk_maybe_release(tcp, tcb);
		return -ENOSPC;
	}
	m = cut_against_ranges(q, m, &seq, &len);
	if (m == NULL) {
		tcp->stats.rx_dup_segs++;
		return 0;
	}
	i = range_insert(q, m, seq, len);
	tcp->stats.rx_ooo_segs++;
	sack_rep_push(q, q->rq[i].seq, q->rq[i].seq + q->rq[i].len);
	return 0;
}

/* Hands the runs that RCV.NXT reached to the application, in order. */
void
tcp_reass_deliver(struct sy_tcp *tcp, struct sy_tcb *tcb)
{
	while (tcb->sndq != TCP_NO_SNDQ && !(tcb->flags & TF_DEAD)) {
		struct tcp_sndq *q = sndq_ptr(tcp, tcb->sndq);
		struct tcp_rq_range r;

		if (q->rq_n == 0 || SEQ_GT(q->rq[0].seq, tcb->rcv_nxt))
			break;
		r = q->rq[0];
		if (SEQ_LT(r.seq, tcb->rcv_nxt)) {
			uint32_t d = tcb->rcv_nxt - r.seq;   /* the in-order segment overlapped */

			if (d >= r.len) {
				range_free(q, 0);
				continue;
			}
			q->rq_segs -= r.head->nb_segs;
			r.head = tcp_chain_adj(r.head, d);
			q->rq_segs += r.head->nb_segs;
			q->rq_bytes -= d;
			r.len -= d;
		}
		memmove(&q->rq[0], &q->rq[1], (q->rq_n - 1) * sizeof(q->rq[0]));
		q->rq_n--;
		q->rq_segs -= r.head->nb_segs;
		q->rq_bytes -= r.len;
		tcb->rcv_nxt += r.len;
		tcp->stats.rx_data_bytes += r.len;
		sack_rep_trim(q, tcb->rcv_nxt);
		tcp_blk_maybe_release(tcp, tcb);
		if (tcb->ops == NULL || tcb->ops->data == NULL)
			rte_pktmbuf_free(r.head);
		else
			tcb->ops->data(tcb->user, tcb_idx(tcp, tcb), r.head);
	}
}

/*
 * Up to @p max SACK blocks for an ACK, RFC 2018 4 order; a pending D-SACK (RFC 2883 4)
 * comes first, followed by the run that contains it when there is one (4.1.2), then the
 * other runs.
 */
uint32_t
tcp_reass_sack_blocks(const struct sy_tcp *tcp, const struct sy_tcb *tcb,
		      uint32_t blocks[][2], uint32_t max)
{
	const struct tcp_sndq *q;
	uint32_t n = 0;

	if (!(tcb->flags & TF_SACK) || tcb->sndq == TCP_NO_SNDQ || max == 0)
		return 0;
	q = sndq_ptr(tcp, tcb->sndq);
	if (q->dsack_on) {
		blocks[n][0] = q->dsack[0];
		blocks[n][1] = q->dsack[1];
		n++;
	}
	for (uint32_t i = 0; i < q->sack_rep_n && n < max; i++) {
		blocks[n][0] = q->sack_rep[i][0];
		blocks[n][1] = q->sack_rep[i][1];
		/* the run containing the duplicate goes right after it */
		if (q->dsack_on && n > 1 && SEQ_LEQ(blocks[n][0], q->dsack[0]) &&
		    SEQ_GEQ(blocks[n][1], q->dsack[1])) {
			uint32_t t0 = blocks[1][0], t1 = blocks[1][1];

			blocks[1][0] = blocks[n][0];
			blocks[1][1] = blocks[n][1];
			blocks[n][0] = t0;
			blocks[n][1] = t1;
		}
		n++;
	}
	return n;
}

/* The blocks for the ACK being sent now: a D-SACK is reported once (RFC 2883 4). */
uint32_t
tcp_reass_sack_take(struct sy_tcp *tcp, struct sy_tcb *tcb, uint32_t blocks[][2],
		    uint32_t max)
{
	uint32_t n;

	if (tcb->sndq == TCP_NO_SNDQ)
		return 0;
	n = tcp_reass_sack_blocks(tcp, tcb, blocks, max);
	if (sndq_ptr(tcp, tcb->sndq)->dsack_on) {
		sndq_ptr(tcp, tcb->sndq)->dsack_on = 0;
		tcp_blk_maybe_release(tcp, tcb);
	}
	return n;
}

/*
 * RFC 2883 4: a segment whose [start, end) had all (or in part) arrived before is
 * reported in the first SACK block of the next ACK. Input calls this for data below
 * RCV.NXT; duplicates of held out-of-order data are found by tcp_reass_insert().
 */
void
tcp_reass_dsack(struct sy_tcp *tcp, struct sy_tcb *tcb, uint32_t start, uint32_t end)
{
	struct tcp_sndq *q;

	if (!(tcb->flags & TF_SACK) || start == end)
		return;
	q = tcp_blk_get(tcp, tcb);
	if (q != NULL)
		set_dsack(q, start, end);
}
