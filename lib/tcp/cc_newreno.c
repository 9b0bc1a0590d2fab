/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * NewReno congestion control, RFC 5681 3.1: slow start (RFC 3465 appropriate byte
 * counting, L = 2 SMSS) below ssthresh, congestion avoidance above it (one SMSS per cwnd
 * of acknowledged bytes), ssthresh = max(FlightSize / 2, 2 SMSS) on loss; the loss window
 * after an RTO is one SMSS. The recovery itself (RFC 6582) is in recovery.c.
 */
#include "cc.h"

/* p->w[0]: bytes acknowledged towards the next congestion-avoidance increase */

static void
nr_init(struct sy_tcp *tcp, struct sy_tcb *tcb, union tcp_cc_priv *p)
{
	p->w[0] = 0;
}

static void
nr_on_ack(struct sy_tcp *tcp, struct sy_tcb *tcb, union tcp_cc_priv *p, uint32_t acked)
{
	acked = tcp_cc_slow_start(tcp, tcb, acked);
	if (acked == 0 || tcb->cwnd < tcb->ssthresh)
		return;
	p->w[0] += acked;                        /* RFC 5681 3.1 equation (3), byte counted */
	if (p->w[0] >= tcb->cwnd) {
		p->w[0] -= tcb->cwnd;
		tcb->cwnd += tcb->snd_mss;
	}
}

static void
nr_on_loss(struct sy_tcp *tcp, struct sy_tcb *tcb, union tcp_cc_priv *p, uint32_t flight)
{
	tcb->ssthresh = tcp_cc_half_flight(tcb, flight);
	tcb->cwnd = tcb->ssthresh;
	p->w[0] = 0;
}

static void
nr_on_rto(struct sy_tcp *tcp, struct sy_tcb *tcb, union tcp_cc_priv *p, uint32_t flight)
{
	tcb->ssthresh = tcp_cc_half_flight(tcb, flight);
	tcb->cwnd = tcb->snd_mss;                /* RFC 5681 3.1: LW = 1 SMSS */
	p->w[0] = 0;
}

static uint32_t
nr_cwnd(const struct sy_tcb *tcb, const union tcp_cc_priv *p)
{
	return tcb->cwnd;
}

const struct tcp_cc_ops tcp_cc_newreno = {
	.name = "newreno", .init = nr_init, .on_ack = nr_on_ack, .on_loss = nr_on_loss,
	.on_rto = nr_on_rto, .cwnd = nr_cwnd,
};

const struct tcp_cc_ops *
tcp_cc_get(const struct sy_tcb *tcb)
{
	return tcb->cc == SY_TCP_CC_CUBIC ? &tcp_cc_cubic : &tcp_cc_newreno;
}
