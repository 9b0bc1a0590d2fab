/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Connection block life-cycle: allocation with its flow-table entry, state accounting,
 * option negotiation on SYN (RFC 9293 3.7.1 MSS, RFC 7323 window scale and timestamps,
 * RFC 2018 SACK-permitted), the transitions that call the application (ESTABLISHED,
 * TIME-WAIT, CLOSED) and freeing.
 *
 * A tcb can be freed from inside a callback that runs while its own input or timer is
 * being processed (the application calls sy_tcp_abort() from its data callback). The
 * block is then marked TF_DEAD and CLOSED at once, and returned to the arena only when the
 * outer processing ends (tcp_busy_end), so no code ever touches a recycled block.
 */
#include <string.h>

#include "tcb.h"

#define TCP_MSS_RFC_DEFAULT 536    /* RFC 9293 3.7.1: no MSS option */
#define TCP_MSS_FLOOR 64

void
tcp_busy_begin(struct sy_tcp *tcp, struct sy_tcb *tcb)
{
	tcp->busy = tcb_idx(tcp, tcb);
	tcp->busy_dead = 0;
	tcp->busy_timers = 0;
	tcp->busy_output = 0;
}

/*
 * One segment moves a connection's deadlines several times (ACK stops the retransmission
 * timer, data restarts it, keepalive restarts, delayed ACK arms and clears): the wheel is
 * told once, here, with the earliest that remains (tcp_timers_sync()). Likewise what the
 * application queued from its callbacks (a response, then close()) leaves here in as few
 * segments as it takes: the FIN rides on the last data segment, as in BSD, where output
 * runs once at the end of input.
 */
void
tcp_busy_end(struct sy_tcp *tcp)
{
	uint32_t idx = tcp->busy;
	int timers = tcp->busy_timers, output = tcp->busy_output;

	tcp->busy = UINT32_MAX;
	tcp->busy_timers = 0;
	tcp->busy_output = 0;
	if (tcp->busy_dead) {
		tcp->busy_dead = 0;
		sy_arena_put(tcp->tcbs, idx);
		return;
	}
	if (output)
		tcp_output(tcp, tcb_ptr(tcp, idx));
	if (timers || output)
		tcp_timers_sync(tcp, tcb_ptr(tcp, idx));
}

static void
release(struct sy_tcp *tcp, uint32_t idx)
{
	if (idx == tcp->busy)
		tcp->busy_dead = 1;
	else
		sy_arena_put(tcp->tcbs, idx);
}

void
tcp_conn_set_state(struct sy_tcp *tcp, struct sy_tcb *tcb, enum sy_tcp_state s)
{
	if (tcb->state != SY_TCP_CLOSED)
		tcp->count[tcb->state]--;
	if (s != SY_TCP_CLOSED)
		tcp->count[s]++;
	tcb->state = (uint8_t)s;
}

struct sy_tcb *
tcp_conn_alloc(struct sy_tcp *tcp, const struct sy_flow_key *key, uint8_t *flow_held)
{
	struct sy_tcb *tcb;
	uint32_t idx;
	int rc;

	if (sy_arena_alloc(tcp->tcbs, &idx) < 0)
		return NULL;
	/* both callers looked the tuple up just before: absent, or held for us to take over */
	if (flow_held != NULL && *flow_held) {
		rc = sy_flow_update(tcp->flows, key, idx);
		*flow_held = 0;
	} else {
		rc = sy_flow_insert_absent(tcp->flows, key, idx);
	}
	if (rc < 0) {
		sy_arena_put(tcp->tcbs, idx);
		return NULL;
	}
	tcb = tcb_ptr(tcp, idx);   /* zeroed by the arena */
	tcb->key = *key;
	tcb->sndq = TCP_NO_SNDQ;
	tcb->rto_ms = tcp->conf.rto_init_ms;
	tcb->snd_mss = TCP_MSS_RFC_DEFAULT;
	tcb->flags = TF_WS;
	tcb->cc = tcp->conf.cc;
	if (tcp->conf.timestamps)
		tcb->flags |= TF_TS;
	if (tcp->conf.sack)
		tcb->flags |= TF_SACK;
	if (tcp->conf.keepalive)
		tcb->flags |= TF_KEEPALIVE;
	return tcb;
}

/* What the peer's SYN or SYN-ACK agreed to; our offer is in tcb->flags. */
void
tcp_conn_negotiate(struct sy_tcp *tcp, struct sy_tcb *tcb, const struct tcp_opts *o)
{
	uint32_t mss = (o->present & TOPT_MSS) ? o->mss : TCP_MSS_RFC_DEFAULT;

	if (!(o->present & TOPT_TS))
		tcb->flags &= ~TF_TS;
	if (!(o->present & TOPT_SACKOK))
		tcb->flags &= ~TF_SACK;
	if (o->present & TOPT_WS) {
		tcb->snd_shift = o->wscale;
		tcb->rcv_shift = tcp->conf.wscale;
	} else {
		/* RFC 7323 2.2: both directions unscaled unless both sides sent WS */
		tcb->flags &= ~TF_WS;
		tcb->snd_shift = 0;
		tcb->rcv_shift = 0;
	}
	mss = RTE_MIN(mss, (uint32_t)tcp->conf.mss);
	if (tcb->flags & TF_TS) {
		tcb->ts_recent = o->tsval;
		mss -= RTE_MIN(mss, (uint32_t)TCP_TS_OPT_LEN);  /* RFC 6691: options come out of MSS */
	}
	tcb->snd_mss = (uint16_t)RTE_MAX(mss, (uint32_t)TCP_MSS_FLOOR);
}

struct tcp_listener *
tcp_conn_listener(struct sy_tcp *tcp, const struct sy_tcb *tcb)
{
	struct tcp_listener *l;

	if (tcb->listener == 0)
		return NULL;
	l = &tcp->listeners[tcb->listener - 1];
	return l->in_use ? l : NULL;
}

static void
embryonic_done(struct sy_tcp *tcp, struct sy_tcb *tcb)
{
	struct tcp_listener *l = tcp_conn_listener(tcp, tcb);

	if (tcb->state == SY_TCP_SYN_RECEIVED && l != NULL && l->embryonic > 0)
		l->embryonic--;
}

/* Frees everything the tcb holds; @p keep_flow when its flow entry was handed over. */
static void
conn_free(struct sy_tcp *tcp, struct sy_tcb *tcb, int keep_flow)
{
	uint32_t idx = tcb_idx(tcp, tcb);

	sy_timer_cancel(tcp->wheel, idx);
	if (!keep_flow)
		sy_flow_remove(tcp->flows, &tcb->key);
	tcp_sndq_free(tcp, tcb);
	embryonic_done(tcp, tcb);
	tcp_conn_set_state(tcp, tcb, SY_TCP_CLOSED);
	tcb->flags |= TF_DEAD;
}

static void
conn_finish(struct sy_tcp *tcp, struct sy_tcb *tcb, int keep_flow,
	    enum sy_tcp_close_reason why)
{
	const struct sy_tcp_ops *ops = tcb->ops;
	void *user = tcb->user;
	uint32_t idx = tcb_idx(tcp, tcb);

	conn_free(tcp, tcb, keep_flow);
	if (ops != NULL && ops->closed != NULL)
		ops->closed(user, idx, why);
	release(tcp, idx);
}

void
tcp_conn_close(struct sy_tcp *tcp, struct sy_tcb *tcb, enum sy_tcp_close_reason why)
{
	if (tcb->flags & TF_DEAD)
		return;
	if (why == SY_TCP_CLOSE_NORMAL)
		tcp->stats.closed_normal++;
	else if (why == SY_TCP_CLOSE_RESET || why == SY_TCP_CLOSE_REFUSED)
		tcp->stats.closed_reset++;
	conn_finish(tcp, tcb, 0, why);
}

/* A passive open that never completed: no application saw it, nobody is told. */
void
tcp_conn_drop_embryonic(struct sy_tcp *tcp, struct sy_tcb *tcb)
{
	uint32_t idx = tcb_idx(tcp, tcb);

	conn_free(tcp, tcb, 0);
	release(tcp, idx);
}

void
tcp_conn_release_to_reuse(struct sy_tcp *tcp, struct sy_tcb *tcb)
{
	uint32_t idx = tcb_idx(tcp, tcb);

	conn_free(tcp, tcb, 1);
	release(tcp, idx);
}

/* SYN-SENT or SYN-RECEIVED -> ESTABLISHED; tells the application. */
void
tcp_conn_established(struct sy_tcp *tcp, struct sy_tcb *tcb)
{
	uint32_t idx = tcb_idx(tcp, tcb);
	int passive = tcb->listener != 0;

	embryonic_done(tcp, tcb);
	tcb->listener = 0;
	tcb->retries = 0;
	tcp_timer_rtx_stop(tcb);
	tcp_conn_set_state(tcp, tcb, SY_TCP_ESTABLISHED);
	tcp->stats.established++;
	/* RFC 6928 initial window, RFC 5681 3.1: ssthresh arbitrarily high at first */
	tcb->cwnd = tcp_initial_cwnd(tcb);
	tcb->ssthresh = UINT32_MAX;
	tcp_timer_keepalive_reset(tcp, tcb);
	if (passive) {
		tcp->stats.passive_opens++;
		tcb->user = tcb->ops->accepted != NULL ?
			tcb->ops->accepted(tcb->user, idx) : NULL;
	} else if (tcb->ops->connected != NULL) {
		tcb->ops->connected(tcb->user, idx);
	}
	/* a shutdown during SYN-RECEIVED was queued for ESTABLISHED (RFC 9293 3.10.4) */
	if (!(tcb->flags & TF_DEAD) && (tcb->flags & TF_FIN_QUEUED) &&
	    tcb->state == SY_TCP_ESTABLISHED)
		tcp_conn_set_state(tcp, tcb, SY_TCP_FIN_WAIT_1);
}

/*
 * Enter TIME-WAIT: the application is told the connection closed normally, and the tcb
 * gives way to a compact record. With no record free, by default the connection closes
 * without TIME-WAIT, as Linux does past tcp_max_tw_buckets (a load generator that reuses
 * its tuples relies on RFC 6191 then); with time_wait_overflow_keep the tcb itself waits
 * 2MSL.
 */
void
tcp_conn_time_wait(struct sy_tcp *tcp, struct sy_tcb *tcb)
{
	const struct sy_tcp_ops *ops;
	void *user;

	tcp->stats.time_wait_entered++;
	tcp->stats.closed_normal++;
	if (tcp_tw_enter(tcp, tcb) == 0) {
		conn_finish(tcp, tcb, 1, SY_TCP_CLOSE_NORMAL);
		return;
	}
	if (!tcp->conf.time_wait_overflow_keep) {
		tcp->stats.time_wait_overflow++;
		conn_finish(tcp, tcb, 0, SY_TCP_CLOSE_NORMAL);
		return;
	}
	ops = tcb->ops;
	user = tcb->user;
	tcb->ops = NULL;
	tcp_sndq_free(tcp, tcb);
	tcb->flags &= ~(TF_T_RTX | TF_T_DELACK | TF_KEEPALIVE);
	tcp_conn_set_state(tcp, tcb, SY_TCP_TIME_WAIT);
	tcp_timer_idle(tcp, tcb, 2 * tcp->conf.msl_s * 1000);
	if (ops != NULL && ops->closed != NULL)
		ops->closed(user, tcb_idx(tcp, tcb), SY_TCP_CLOSE_NORMAL);
}
