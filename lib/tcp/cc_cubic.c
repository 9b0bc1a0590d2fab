/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * CUBIC congestion control, RFC 9438: C = 0.4, beta_cubic = 0.7, fast convergence (4.7),
 * the Reno-friendly region with alpha_cubic = 3 (1 - beta) / (1 + beta) (4.3), the target
 * W_cubic(t + RTT) clamped to [cwnd, 1.5 cwnd] (4.2), slow start as in RFC 5681 below
 * ssthresh. Windows are computed in segments as doubles (the RFC's units); the epoch starts
 * at the first ACK in congestion avoidance after a reduction, and again after an idle
 * period longer than the RTO (RFC 9438 5.8: t excludes idle time; recovery.c calls
 * tcp_cc_cubic_restart()). The state lives in the data block, which goes back when both
 * queues drain; a new block rebuilds W_max from ssthresh (ssthresh = beta * W_max after a
 * reduction), so a connection that drained and resumes continues on a curve aimed at the
 * same W_max instead of treating its current window as the maximum.
 */
#include <math.h>

#include "cc.h"

#define CUBIC_C      0.4
#define CUBIC_BETA   0.7

enum { W_MAX, K, EPOCH, W_EST, W_LAST_MAX, STARTED };

static void
cu_init(struct sy_tcp *tcp, struct sy_tcb *tcb, union tcp_cc_priv *p)
{
	for (int i = 0; i < TCP_CC_PRIV; i++)
		p->d[i] = 0;
	/* a reduction happened before (ssthresh is finite): W_max = ssthresh / beta */
	if (tcb->ssthresh != UINT32_MAX && tcb->snd_mss > 0)
		p->d[W_MAX] = (double)tcb->ssthresh / CUBIC_BETA / tcb->snd_mss;
}

void
tcp_cc_cubic_restart(struct sy_tcp *tcp, struct sy_tcb *tcb, union tcp_cc_priv *p)
{
	p->d[STARTED] = 0;       /* the next ACK in congestion avoidance opens a new epoch */
}

static void
cu_epoch(struct sy_tcp *tcp, struct sy_tcb *tcb, union tcp_cc_priv *p, double cwnd)
{
	p->d[EPOCH] = (double)tcp->now_ms;
	p->d[STARTED] = 1;
	p->d[W_EST] = cwnd;
	if (p->d[W_MAX] <= cwnd) {
		p->d[W_MAX] = cwnd;
		p->d[K] = 0;
	} else {
		p->d[K] = cbrt((p->d[W_MAX] - cwnd) / CUBIC_C);    /* RFC 9438 eq. 2 */
	}
}

static void
cu_on_ack(struct sy_tcp *tcp, struct sy_tcb *tcb, union tcp_cc_priv *p, uint32_t acked)
{
	double mss = tcb->snd_mss, cwnd, t, target, rtt;

	acked = tcp_cc_slow_start(tcp, tcb, acked);
	if (acked == 0 || tcb->cwnd < tcb->ssthresh)
		return;
	cwnd = tcb->cwnd / mss;
	if (!p->d[STARTED])
		cu_epoch(tcp, tcb, p, cwnd);
	rtt = (tcb->srtt8 >> 3) / 1000.0;
	t = ((double)tcp->now_ms - p->d[EPOCH]) / 1000.0;
	target = CUBIC_C * pow(t + rtt - p->d[K], 3) + p->d[W_MAX];     /* eq. 1 */
	target = RTE_MAX(target, cwnd);
	target = RTE_MIN(target, 1.5 * cwnd);
	/* eq. 4: the Reno-friendly estimate */
	p->d[W_EST] += 3 * (1 - CUBIC_BETA) / (1 + CUBIC_BETA) * (acked / mss) / cwnd;
	if (p->d[W_EST] > target)
		target = p->d[W_EST];
	tcb->cwnd += (uint32_t)((target - cwnd) / cwnd * acked);
}

static void
cu_reduce(struct sy_tcb *tcb, union tcp_cc_priv *p)
{
	double cwnd = (double)tcb->cwnd / tcb->snd_mss;

	/* 4.7 fast convergence */
	if (cwnd < p->d[W_LAST_MAX])
		p->d[W_MAX] = cwnd * (1 + CUBIC_BETA) / 2;
	else
		p->d[W_MAX] = cwnd;
	p->d[W_LAST_MAX] = cwnd;
	p->d[STARTED] = 0;
	tcb->ssthresh = RTE_MAX((uint32_t)(tcb->cwnd * CUBIC_BETA), 2u * tcb->snd_mss);
}

static void
cu_on_loss(struct sy_tcp *tcp, struct sy_tcb *tcb, union tcp_cc_priv *p, uint32_t flight)
{
	cu_reduce(tcb, p);
	tcb->cwnd = tcb->ssthresh;
}

static void
cu_on_rto(struct sy_tcp *tcp, struct sy_tcb *tcb, union tcp_cc_priv *p, uint32_t flight)
{
	cu_reduce(tcb, p);
	tcb->cwnd = tcb->snd_mss;
}

static uint32_t
cu_cwnd(const struct sy_tcb *tcb, const union tcp_cc_priv *p)
{
	return tcb->cwnd;
}

const struct tcp_cc_ops tcp_cc_cubic = {
	.name = "cubic", .init = cu_init, .on_ack = cu_on_ack, .on_loss = cu_on_loss,
	.on_rto = cu_on_rto, .cwnd = cu_cwnd,
};
