/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Connection timers on the lcore's wheel (lib/timer), RFC 6298 RTO and RFC 9293 3.8.
 *
 * Each tcb owns wheel id = its arena index; each TIME-WAIT record owns id max_conns + its
 * index. A tcb keeps three logical deadlines as 32-bit milliseconds (49 days of range,
 * compared modulo 2^32) and the wheel holds the earliest armed one:
 *   rtx_at    SYN / SYN-ACK / data / FIN retransmission, and the persist timer
 *   delack_at delayed ACK (conf.delack_ms, default 40)
 *   idle_at   keepalive (ESTABLISHED .. FIN-WAIT-2), FIN-WAIT-2 timeout after close(),
 *             2MSL for a tcb kept in TIME-WAIT when no compact record was free
 * A deadline that moves earlier re-arms the wheel (while a segment or an expiry of the
 * tcb is being handled, once at its end: tcp_busy_end()); one that moves later leaves the
 * wheel timer where it is. An expiry handles every due deadline and re-arms with the
 * next, so a stale (early) wheel deadline costs one spurious wake-up.
 */
#include "tcb.h"

static uint64_t
to_tick(const struct sy_tcp *tcp, uint32_t dl)
{
	int32_t d = (int32_t)(dl - tcp_now32(tcp));

	return d <= 0 ? tcp->now_ms : tcp->now_ms + (uint64_t)d;
}

void
tcp_timers_sync(struct sy_tcp *tcp, struct sy_tcb *tcb)
{
	uint32_t id = tcb_idx(tcp, tcb);
	uint32_t best = 0;
	int any = 0;

	if (id == tcp->busy) {   /* tcp_busy_end() syncs once for the whole segment */
		tcp->busy_timers = 1;
		return;
	}
	if (tcb->flags & TF_T_RTX) {
		best = tcb->rtx_at;
		any = 1;
	}
	if ((tcb->flags & TF_T_DELACK) && (!any || SEQ_LT(tcb->delack_at, best))) {
		best = tcb->delack_at;
		any = 1;
	}
	if ((tcb->flags & TF_T_IDLE) && (!any || SEQ_LT(tcb->idle_at, best))) {
		best = tcb->idle_at;
		any = 1;
	}
	if (!any) {
		sy_timer_cancel(tcp->wheel, id);
		return;
	}
	uint64_t tick = to_tick(tcp, best);

	/*
	 * A deadline that only moved later (the retransmission timer restarted by an ACK, the
	 * keepalive idle period by any segment) keeps the earlier wheel timer: it fires, finds
	 * nothing due (tcb_expire()) and re-arms with the real deadline. One wake-up per RTO
	 * instead of a wheel re-arm per ACK (a sender gets hundreds of thousands a second).
	 */
	if (sy_timer_is_armed(tcp->wheel, id) && sy_timer_expires(tcp->wheel, id) <= tick)
		return;
	sy_timer_arm(tcp->wheel, id, tick);
}

void
tcp_timer_rtx_start(struct sy_tcp *tcp, struct sy_tcb *tcb)
{
	tcb->rtx_at = tcp_now32(tcp) + tcb->rto_ms;
	tcb->flags |= TF_T_RTX;
	tcp_timers_sync(tcp, tcb);
}

void
tcp_timer_rtx_stop(struct sy_tcb *tcb)
{
	tcb->flags &= ~TF_T_RTX;
}

void
tcp_timer_idle(struct sy_tcp *tcp, struct sy_tcb *tcb, uint32_t ms)
{
	tcb->idle_at = tcp_now32(tcp) + ms;
	tcb->flags |= TF_T_IDLE;
	tcp_timers_sync(tcp, tcb);
}

static int
keepalive_state(const struct sy_tcb *tcb)
{
	switch (tcb->state) {
	case SY_TCP_ESTABLISHED:
	case SY_TCP_CLOSE_WAIT:
	case SY_TCP_FIN_WAIT_1:
		return 1;
	case SY_TCP_FIN_WAIT_2:
		return !(tcb->flags & TF_APP_CLOSED);  /* else the FIN-WAIT-2 timer owns idle */
	default:
		return 0;
	}
}

/* Any segment from the peer restarts the idle period (RFC 9293 3.8.4). */
void
tcp_timer_keepalive_reset(struct sy_tcp *tcp, struct sy_tcb *tcb)
{
	if (!(tcb->flags & TF_KEEPALIVE) || !keepalive_state(tcb))
		return;
	tcb->ka_probes = 0;
	tcp_timer_idle(tcp, tcb, tcp->conf.keepalive_idle_s * 1000);
}

/*
 * A sample above this is taken as this: it keeps 8 SRTT, 4 RTTVAR and their sums inside
 * 32 bits (and is far above any rto_max, so no RTO changes).
 */
#define TCP_RTT_SAMPLE_MAX_MS (1u << 24)

/* RFC 6298 2.2 and 2.3, in BSD fixed point: srtt8 = 8 SRTT, rttvar4 = 4 RTTVAR. */
void
tcp_rtt_sample(struct sy_tcp *tcp, struct sy_tcb *tcb, uint32_t r)
{
	uint32_t rto;

	r = RTE_MIN(RTE_MAX(r, 1u), TCP_RTT_SAMPLE_MAX_MS);
	if (tcb->srtt8 == 0) {
		tcb->srtt8 = r << 3;
		tcb->rttvar4 = r << 1;
	} else {
		int32_t err = (int32_t)r - (int32_t)(tcb->srtt8 >> 3);
		uint32_t aerr = err < 0 ? (uint32_t)-err : (uint32_t)err;

		tcb->rttvar4 = tcb->rttvar4 - (tcb->rttvar4 >> 2) + aerr;
		tcb->srtt8 = (uint32_t)((int32_t)tcb->srtt8 + err);
	}
	rto = (tcb->srtt8 >> 3) + RTE_MAX(1u, tcb->rttvar4);
	tcb->rto_ms = RTE_MIN(RTE_MAX(rto, tcp->conf.rto_min_ms), tcp->conf.rto_max_ms);
}

static void
backoff(struct sy_tcp *tcp, struct sy_tcb *tcb)
{
	uint64_t r = (uint64_t)tcb->rto_ms * 2;

	tcb->rto_ms = (uint32_t)RTE_MIN(r, (uint64_t)tcp->conf.rto_max_ms);
	tcb->flags &= ~TF_RTT;                      /* Karn */
}

static void
rtx_syn(struct sy_tcp *tcp, struct sy_tcb *tcb)
{
	int active = tcb->state == SY_TCP_SYN_SENT;
	uint32_t limit = active ? tcp->conf.syn_retries : tcp->conf.synack_retries;

	if (tcb->retries >= limit) {
		tcp->stats.timeouts++;
		if (tcb->listener != 0) {
			tcp->stats.drop_embryonic++;
			tcp_conn_drop_embryonic(tcp, tcb);   /* passive: freed silently */
		} else {
			tcp_conn_close(tcp, tcb, SY_TCP_CLOSE_TIMEOUT);
		}
		return;
	}
	tcb->retries++;
	if (active)
		tcp->stats.syn_retrans++;
	else
		tcp->stats.synack_retrans++;
	backoff(tcp, tcb);
	tcp_send_syn(tcp, tcb);
	tcp_timer_rtx_start(tcp, tcb);
}

/*
 * Persist timer, RFC 9293 3.8.6.1: the peer's window is zero (or nothing is in flight
 * while data waits). Probe with one byte at SND.UNA, doubling the interval up to rto_max
 * (RFC 1122 4.2.2.17). SND.NXT goes back to SND.UNA after the probe: a zero-window peer
 * drops the byte, so it is sent again first when the window opens. No congestion
 * response: a closed window is not a loss. Every ACK of a probe that still says zero
 * resets `retries` (input), so a live peer is probed forever; data_retries unanswered
 * probes in a row time the connection out, as unanswered retransmissions do.
 */
static void
rtx_persist(struct sy_tcp *tcp, struct sy_tcb *tcb)
{
	if (tcb->retries >= tcp->conf.data_retries) {
		tcp->stats.timeouts++;
		tcp_conn_close(tcp, tcb, SY_TCP_CLOSE_TIMEOUT);
		return;
	}
	tcb->retries++;
	tcp->stats.persist_probes++;
	backoff(tcp, tcb);
	tcb->snd_nxt = tcb->snd_una;
	tcp_output_probe(tcp, tcb);
	tcb->snd_nxt = tcb->snd_una;
}

static void
rtx_data(struct sy_tcp *tcp, struct sy_tcb *tcb)
{
	if (tcb_sndq_bytes(tcp, tcb) > 0 &&
	    (tcb->snd_wnd == 0 || tcb->snd_una == tcb->snd_max)) {
		rtx_persist(tcp, tcb);
		return;
	}
	if (tcb->snd_una == tcb->snd_max)
		return;
	if (tcb->retries >= tcp->conf.data_retries) {
		tcp->stats.timeouts++;
		tcp_conn_close(tcp, tcb, SY_TCP_CLOSE_TIMEOUT);
		return;
	}
	tcb->retries++;
	if ((tcb->flags & TF_FIN_SENT) && tcb->snd_max - tcb->snd_una == 1)
		tcp->stats.fin_retrans++;
	else
		tcp->stats.data_retrans++;
	backoff(tcp, tcb);
	tcp_retransmit(tcp, tcb);
}

static void
on_idle(struct sy_tcp *tcp, struct sy_tcb *tcb)
{
	if (tcb->state == SY_TCP_TIME_WAIT) {
		/* the application was told at TIME-WAIT entry */
		tcp->stats.time_wait_expired++;
		tcp_conn_drop_embryonic(tcp, tcb);
		return;
	}
	if (tcb->state == SY_TCP_FIN_WAIT_2 && (tcb->flags & TF_APP_CLOSED)) {
		tcp_conn_close(tcp, tcb, SY_TCP_CLOSE_FIN_WAIT_2);
		return;
	}
	if (!(tcb->flags & TF_KEEPALIVE) || !keepalive_state(tcb))
		return;
	if (tcb->snd_una != tcb->snd_max || tcb_sndq_bytes(tcp, tcb) > 0) {
		/* data outstanding: the retransmission timer watches the peer */
		tcp_timer_keepalive_reset(tcp, tcb);
		return;
	}
	if (tcb->ka_probes >= tcp->conf.keepalive_probes) {
		tcp->stats.keepalive_drops++;
		tcp_send_ctl(tcp, tcb, RTE_TCP_RST_FLAG, tcb->snd_nxt);
		tcp_conn_close(tcp, tcb, SY_TCP_CLOSE_KEEPALIVE);
		return;
	}
	/* RFC 9293 3.8.4: SEG.SEQ = SND.NXT-1, no data */
	tcb->ka_probes++;
	tcp->stats.keepalive_probes++;
	tcp_send_ctl(tcp, tcb, RTE_TCP_ACK_FLAG, tcb->snd_nxt - 1);
	tcp_timer_idle(tcp, tcb, tcp->conf.keepalive_intvl_s * 1000);
}

static void
tcb_expire(struct sy_tcp *tcp, struct sy_tcb *tcb)
{
	uint32_t now = tcp_now32(tcp);

	if ((tcb->flags & TF_T_DELACK) && TIME_LEQ(tcb->delack_at, now)) {
		tcb->flags &= ~TF_T_DELACK;
		if (tcb->delack_segs > 0 || (tcb->flags & TF_ACK_NOW))
			tcp_send_ack(tcp, tcb);
	}
	if ((tcb->flags & TF_T_RTX) && TIME_LEQ(tcb->rtx_at, now)) {
		tcb->flags &= ~TF_T_RTX;
		if (tcb->state == SY_TCP_SYN_SENT || tcb->state == SY_TCP_SYN_RECEIVED)
			rtx_syn(tcp, tcb);
		else
			rtx_data(tcp, tcb);
		if (tcb->flags & TF_DEAD)
			return;
	}
	if ((tcb->flags & TF_T_IDLE) && TIME_LEQ(tcb->idle_at, now)) {
		tcb->flags &= ~TF_T_IDLE;
		on_idle(tcp, tcb);
		if (tcb->flags & TF_DEAD)
			return;
	}
	tcp_timers_sync(tcp, tcb);
}

/* The wheel's callback (sy_tcp_poll). */
void
tcp_timer_expire(void *arg, uint32_t id)
{
	struct sy_tcp *tcp = arg;
	struct sy_tcb *tcb;

	if (id >= tcp->conf.max_conns) {
		tcp_tw_expire(tcp, id - tcp->conf.max_conns);
		return;
	}
	tcb = tcb_ptr(tcp, id);
	if (tcb->state == SY_TCP_CLOSED)
		return;
	tcp_busy_begin(tcp, tcb);
	tcb_expire(tcp, tcb);
	tcp_busy_end(tcp);
}
