/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Loss detection and recovery on the sending side:
 * - the SACK scoreboard (RFC 6675 2): the peer's SACK blocks above SND.UNA, merged into at
 *   most TCP_SB_RANGES sorted runs in the data block (when full, the highest run is given
 *   up: it only makes the sender retransmit more than needed);
 * - fast retransmit on the third duplicate ACK (RFC 5681 3.2), or, with SACK, as soon as
 *   more than (DupThresh - 1) SMSS above SND.UNA are SACKed (RFC 6675 IsLost(SND.UNA));
 *   not again before SND.UNA passes "recover" (RFC 6582 3.2 step 2);
 * - without SACK, NewReno (RFC 6582): cwnd = ssthresh + 3 SMSS, inflated by one SMSS per
 *   further duplicate ACK; a partial ACK retransmits the next segment and deflates cwnd by
 *   the bytes it acknowledged (plus one SMSS); the full ACK sets cwnd = min(ssthresh,
 *   FlightSize + SMSS);
 * - with SACK, the conservative recovery of RFC 6675 simplified as FACK does: every hole
 *   below the highest SACKed byte counts as lost; pipe = bytes outstanding - SACKed - lost
 *   and not yet retransmitted; while cwnd - pipe >= 1 SMSS, NextSeg() is the first lost
 *   byte at or above HighRxt, else new data;
 * - on RTO: the congestion control's loss window, recovery ends, and the SACK scoreboard is
 *   cleared (RFC 6675 5.1, RFC 2018 8: after a timeout the receiver may have reneged, so
 *   old SACK information is not trusted; Linux does the same): the go-back-N resend
 *   covers everything from SND.UNA, and SACK blocks arriving after the RTO rebuild it;
 * - after an idle period longer than the RTO (nothing in flight, then new data), the
 *   congestion control restarts its epoch: RFC 9438 5.8, the time since the epoch must
 *   not include periods in which the flow was idle or application-limited.
 */
#include <string.h>

#include "cc.h"

static struct tcp_sndq *
blk(const struct sy_tcp *tcp, const struct sy_tcb *tcb)
{
	return tcb->sndq == TCP_NO_SNDQ ? NULL : sndq_ptr(tcp, tcb->sndq);
}

uint32_t
tcp_initial_cwnd(const struct sy_tcb *tcb)
{
	/* RFC 6928 2: IW = min(10 * MSS, max(2 * MSS, 14600)) */
	uint32_t mss = tcb->snd_mss;

	return RTE_MIN(10 * mss, RTE_MAX(2 * mss, 14600u));
}

static void
sb_recount(struct tcp_sndq *q)
{
	q->sacked = 0;
	for (uint32_t i = 0; i < q->sb_n; i++)
		q->sacked += q->sb[i][1] - q->sb[i][0];
}

/* Drops what SND.UNA passed. */
static void
sb_trim(struct tcp_sndq *q, uint32_t una)
{
	uint32_t n = 0;

	for (uint32_t i = 0; i < q->sb_n; i++) {
		if (SEQ_LEQ(q->sb[i][1], una))
			continue;
		q->sb[n][0] = SEQ_LT(q->sb[i][0], una) ? una : q->sb[i][0];
		q->sb[n][1] = q->sb[i][1];
		n++;
	}
	q->sb_n = (uint8_t)n;
}

/* Merges [s, e) into the sorted runs. @return 1 when it SACKed new bytes. */
static int
sb_add(struct tcp_sndq *q, uint32_t s, uint32_t e)
{
	uint32_t i = 0, j;

	while (i < q->sb_n && SEQ_LT(q->sb[i][1], s))
		i++;
	if (i < q->sb_n && SEQ_LEQ(q->sb[i][0], s) && SEQ_GEQ(q->sb[i][1], e))
		return 0;                                /* nothing new */
	j = i;
	while (j < q->sb_n && SEQ_LEQ(q->sb[j][0], e)) {  /* runs [i, j) touch [s, e) */
		s = SEQ_LT(q->sb[j][0], s) ? q->sb[j][0] : s;
		e = SEQ_GT(q->sb[j][1], e) ? q->sb[j][1] : e;
		j++;
	}
	if (j == i && q->sb_n == TCP_SB_RANGES) {
		if (i == q->sb_n)
			return 0;                        /* highest and no room: give it up */
		q->sb_n--;                               /* give up the highest run */
	}
	memmove(&q->sb[i + 1], &q->sb[j], (q->sb_n - j) * sizeof(q->sb[0]));
	q->sb_n = (uint8_t)(q->sb_n - (j - i) + 1);
	q->sb[i][0] = s;
	q->sb[i][1] = e;
	return 1;
}

/* RFC 2018 / RFC 6675: take the blocks that lie in (SND.UNA, SND.MAX]. */
static int
sb_update(struct sy_tcp *tcp, struct sy_tcb *tcb, struct tcp_sndq *q,
	  const struct tcp_seg *seg)
{
	int news = 0;

	for (uint32_t i = 0; i < seg->opts.sack_blocks; i++) {
		uint32_t s = seg->opts.sack[i][0], e = seg->opts.sack[i][1];

		if (!SEQ_LT(s, e) || SEQ_LEQ(e, tcb->snd_una) || SEQ_GT(e, tcb->snd_max))
			continue;                        /* D-SACK, stale or bogus */
		if (SEQ_LT(s, tcb->snd_una))
			s = tcb->snd_una;
		news |= sb_add(q, s, e);
	}
	sb_trim(q, tcb->snd_una);
	sb_recount(q);
	return news;
}

/* With SACK, in recovery: the RFC 6675 path drives sending. */
int
tcp_in_sack_recovery(const struct sy_tcp *tcp, const struct sy_tcb *tcb)
{
	const struct tcp_sndq *q = blk(tcp, tcb);

	return q != NULL && q->in_recovery && (tcb->flags & TF_SACK);
}

/* If @p seq is SACKed, sets *end to the end of its run. */
int
tcp_sb_skip(const struct sy_tcp *tcp, const struct sy_tcb *tcb, uint32_t seq, uint32_t *end)
{
	const struct tcp_sndq *q = blk(tcp, tcb);

	for (uint32_t i = 0; q != NULL && i < q->sb_n; i++) {
		if (SEQ_LEQ(q->sb[i][0], seq) && SEQ_LT(seq, q->sb[i][1])) {
			*end = q->sb[i][1];
			return 1;
		}
		if (SEQ_GT(q->sb[i][0], seq)) {
			*end = q->sb[i][0];              /* next SACKed byte above seq */
			return 0;
		}
	}
	*end = tcb->snd_max;
	return 0;
}

static void
cc_ready(struct sy_tcp *tcp, struct sy_tcb *tcb, struct tcp_sndq *q)
{
	if (!q->cc_ready) {
		tcp_cc_get(tcb)->init(tcp, tcb, &q->cc);
		q->cc_ready = 1;
	}
}

static void
enter_recovery(struct sy_tcp *tcp, struct sy_tcb *tcb, struct tcp_sndq *q)
{
	uint32_t flight = tcb->snd_max - tcb->snd_una;

	tcp->stats.fast_retrans++;
	cc_ready(tcp, tcb, q);
	tcp_cc_get(tcb)->on_loss(tcp, tcb, &q->cc, flight);
	q->in_recovery = 1;
	q->recover = tcb->snd_max;
	q->high_rxt = tcb->snd_una;
	tcb->flags &= ~TF_RTT;                            /* Karn */
	if (!(tcb->flags & TF_SACK)) {
		/* RFC 6582 3.2 step 2-3 */
		tcp_send_at(tcp, tcb, tcb->snd_una, tcb->snd_mss);
		tcb->cwnd = tcb->ssthresh + 3u * tcb->snd_mss;
	}
}

static void
exit_recovery(struct sy_tcp *tcp, struct sy_tcb *tcb, struct tcp_sndq *q, uint32_t flight)
{
	q->in_recovery = 0;
	q->dupacks = 0;
	/* RFC 6582 3.2 step 5 (option 1) */
	tcb->cwnd = RTE_MIN(tcb->ssthresh, flight + tcb->snd_mss);
	tcb->cwnd = RTE_MAX(tcb->cwnd, tcb->snd_mss);
}

/* RFC 6582 3.2 step 5: a partial ACK without SACK (after SND.UNA moved). */
void
tcp_recovery_partial(struct sy_tcp *tcp, struct sy_tcb *tcb, uint32_t acked)
{
	tcp->stats.partial_ack_retrans++;
	tcp_send_at(tcp, tcb, tcb->snd_una, tcb->snd_mss);
	tcb->cwnd -= RTE_MIN(tcb->cwnd, acked);
	if (acked >= tcb->snd_mss)
		tcb->cwnd += tcb->snd_mss;
	tcb->cwnd = RTE_MAX(tcb->cwnd, tcb->snd_mss);
}

/*
 * An ACK of new data up to @p ack, before SND.UNA moves: ends recovery (full ACK) or grows
 * cwnd. @return 1 for a NewReno partial ACK: call tcp_recovery_partial() once SND.UNA moved.
 */
int
tcp_recovery_pre_ack(struct sy_tcp *tcp, struct sy_tcb *tcb, uint32_t ack)
{
	struct tcp_sndq *q = blk(tcp, tcb);

	if (q == NULL)
		return 0;
	if (q->in_recovery) {
		if (SEQ_GEQ(ack, q->recover)) {
			exit_recovery(tcp, tcb, q, tcb->snd_max - ack);
			return 0;
		}
		return !(tcb->flags & TF_SACK);
	}
	q->dupacks = 0;
	cc_ready(tcp, tcb, q);
	tcp_cc_get(tcb)->on_ack(tcp, tcb, &q->cc, ack - tcb->snd_una);
	return 0;
}

/*
 * Called by ACK processing after SND.UNA moved (from @p old_una) or not; @p dup says the
 * segment is a duplicate ACK by RFC 5681 2 (no data, same window, data outstanding).
 */
void
tcp_recovery_ack(struct sy_tcp *tcp, struct sy_tcb *tcb, const struct tcp_seg *seg,
		 uint32_t old_una, int dup)
{
	struct tcp_sndq *q = blk(tcp, tcb);
	int news = 0;

	if (q == NULL)
		return;
	/* RFC 9293 3.8.6.1: the ACK of a zero-window probe repeats SND.UNA; it says the
	 * window is closed, not that a segment was lost */
	if (tcb->snd_wnd == 0)
		dup = 0;
	if ((tcb->flags & TF_SACK) && seg->opts.sack_blocks > 0)
		news = sb_update(tcp, tcb, q, seg);
	else if (q->sb_n > 0) {
		sb_trim(q, tcb->snd_una);
		sb_recount(q);
	}
	if (q->in_recovery) {
		if (dup && !(tcb->flags & TF_SACK))
			tcb->cwnd += tcb->snd_mss;       /* RFC 6582 3.2 step 4: inflate */
		return;
	}
	if (dup && q->dupacks < UINT8_MAX)
		q->dupacks++;
	if (tcb->snd_una == tcb->snd_max)
		return;
	/* RFC 6582 3.2 step 2: not twice for the same window */
	if (q->recover != 0 && SEQ_LT(tcb->snd_una, q->recover))
		return;
	/* RFC 5681 3.2: third duplicate ACK; RFC 6675 5: IsLost(SND.UNA) by SACKed bytes */
	if ((dup && q->dupacks >= 3) || (news && q->sacked >= 3u * tcb->snd_mss))
		enter_recovery(tcp, tcb, q);
}

void
tcp_recovery_rto(struct sy_tcp *tcp, struct sy_tcb *tcb)
{
	struct tcp_sndq *q = blk(tcp, tcb);
	uint32_t flight = tcb->snd_max - tcb->snd_una;

	tcp->stats.rto_events++;
	if (q == NULL) {
		tcb->ssthresh = RTE_MAX(flight / 2, 2u * tcb->snd_mss);
		tcb->cwnd = tcb->snd_mss;
		return;
	}
	cc_ready(tcp, tcb, q);
	/* RFC 5681 3.1: only the first timeout of a loss event halves ssthresh */
	if (tcb->retries <= 1)
		tcp_cc_get(tcb)->on_rto(tcp, tcb, &q->cc, flight);
	else
		tcb->cwnd = tcb->snd_mss;
	q->in_recovery = 0;
	q->dupacks = 0;
	q->recover = tcb->snd_max;
	q->sb_n = 0;
	q->sacked = 0;
	q->high_rxt = tcb->snd_una;
}

/*
 * New data leaves with nothing in flight. When the sender has sent no data for longer
 * than the RTO, the ACK clock is gone: RFC 5681 4.1 restarts from the restart window
 * min(IW, cwnd) (conf idle_restart), and CUBIC starts a new epoch (RFC 9438 5.8; Linux
 * resets its epoch on the first send after idle). The time data last left survives the
 * data block in tcb->rtt_start (reass.c); a block with no CUBIC state yet (cc_ready 0)
 * has nothing to restart: CUBIC rebuilds W_max from ssthresh (cc_cubic.c).
 */
void
tcp_recovery_tx_start(struct sy_tcp *tcp, struct sy_tcb *tcb)
{
	struct tcp_sndq *q = blk(tcp, tcb);
	uint32_t rw;

	if (q == NULL || q->last_tx_ms == 0 || tcp_now32(tcp) - q->last_tx_ms <= tcb->rto_ms)
		return;
	rw = tcp_initial_cwnd(tcb);
	if (tcp->conf.idle_restart && tcb->cwnd > rw) {
		tcb->cwnd = rw;
		tcp->stats.cwnd_idle_restarts++;
	}
	if (q->cc_ready && tcb->cc == SY_TCP_CC_CUBIC)
		tcp_cc_cubic_restart(tcp, tcb, &q->cc);
}

/* RFC 6675 4 / 5: bytes in the network. */
static uint32_t pipe(const struct sy_tcb *tcb, const struct tcp_sndq *q);

/* What congestion control lets the sender add to the network now. */
uint32_t
tcp_recovery_room(const struct sy_tcp *tcp, const struct sy_tcb *tcb)
{
	const struct tcp_sndq *q = blk(tcp, tcb);
	uint32_t cwnd = tcb->cwnd, used;

	if (q != NULL && q->in_recovery && (tcb->flags & TF_SACK))
		used = pipe(tcb, q);
	else
		used = tcb->snd_nxt - tcb->snd_una;       /* after an RTO: go-back-N from here */
	return cwnd > used ? cwnd - used : 0;
}

static uint32_t
pipe(const struct sy_tcb *tcb, const struct tcp_sndq *q)
{
	uint32_t fack = q->sb_n ? q->sb[q->sb_n - 1][1] : tcb->snd_una;
	uint32_t out = tcb->snd_max - tcb->snd_una - q->sacked;
	uint32_t lost = 0, from = tcb->snd_una;

	/* holes below the highest SACKed byte, not yet retransmitted, are gone */
	for (uint32_t i = 0; i < q->sb_n; i++) {
		uint32_t hs = SEQ_GT(q->high_rxt, from) ? q->high_rxt : from;

		if (SEQ_LT(hs, q->sb[i][0]))
			lost += q->sb[i][0] - hs;
		from = q->sb[i][1];
	}
	RTE_SET_USED(fack);
	return out > lost ? out - lost : 0;
}

/* RFC 6675 5 (NextSeg rules 1 and 2) while cwnd - pipe >= 1 SMSS. */
void
tcp_output_recovery(struct sy_tcp *tcp, struct sy_tcb *tcb)
{
	struct tcp_sndq *q = blk(tcp, tcb);

	for (int guard = 0; q != NULL && q->in_recovery && guard < 64; guard++) {
		uint32_t fack = q->sb_n ? q->sb[q->sb_n - 1][1] : tcb->snd_una;
		uint32_t seq = SEQ_GT(q->high_rxt, tcb->snd_una) ? q->high_rxt : tcb->snd_una;
		uint32_t end;

		if (tcb->cwnd < pipe(tcb, q) + tcb->snd_mss)
			return;
		while (SEQ_LT(seq, fack) && tcp_sb_skip(tcp, tcb, seq, &end))
			seq = end;
		if (SEQ_LT(seq, fack)) {
			tcp_sb_skip(tcp, tcb, seq, &end);
			tcp->stats.sack_retrans++;
			tcp_send_at(tcp, tcb, seq, RTE_MIN(end - seq, (uint32_t)tcb->snd_mss));
			q->high_rxt = seq + RTE_MIN(end - seq, (uint32_t)tcb->snd_mss);
			continue;
		}
		q->high_rxt = fack;
		return;                                  /* rule 2: new data, tcp_output's job */
	}
}
