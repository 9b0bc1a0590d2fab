/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * The congestion control interface (internal). The engine keeps cwnd and ssthresh in the
 * tcb and calls an algorithm, chosen per connection (tcb->cc, enum sy_tcp_cc), at four
 * points: when the data block is set up (init), when an ACK of new data arrives outside
 * recovery (on_ack), on entering fast recovery (on_loss) and on a retransmission timeout
 * (on_rto). An algorithm keeps its own state in the data block's union tcp_cc_priv, which
 * lives as long as data is in flight (an idle connection restarts its epoch).
 */
#ifndef SY_TCP_CC_H
#define SY_TCP_CC_H

#include "tcb.h"

struct tcp_cc_ops {
	const char *name;
	void (*init)(struct sy_tcp *tcp, struct sy_tcb *tcb, union tcp_cc_priv *p);
	void (*on_ack)(struct sy_tcp *tcp, struct sy_tcb *tcb, union tcp_cc_priv *p,
		       uint32_t acked);
	void (*on_loss)(struct sy_tcp *tcp, struct sy_tcb *tcb, union tcp_cc_priv *p,
			uint32_t flight);
	void (*on_rto)(struct sy_tcp *tcp, struct sy_tcb *tcb, union tcp_cc_priv *p,
		       uint32_t flight);
	/** The window the sender may use now (normally tcb->cwnd). */
	uint32_t (*cwnd)(const struct sy_tcb *tcb, const union tcp_cc_priv *p);
};

extern const struct tcp_cc_ops tcp_cc_newreno;
extern const struct tcp_cc_ops tcp_cc_cubic;

const struct tcp_cc_ops *tcp_cc_get(const struct sy_tcb *tcb);

/* RFC 5681 3.1 equation (4): ssthresh = max(FlightSize / 2, 2 * SMSS) */
static inline uint32_t
tcp_cc_half_flight(const struct sy_tcb *tcb, uint32_t flight)
{
	return RTE_MAX(flight / 2, 2u * tcb->snd_mss);
}

/*
 * RFC 5681 3.1 slow start with RFC 3465 L = 2 SMSS; returns the bytes it did not use.
 * With TSO, L is one TSO segment: the peer (LRO, or the ring pair carrying the segment
 * whole) acknowledges a whole one at a time, and a burst of that size leaves us anyway,
 * so L = 2 SMSS would only slow the window's growth by the burst's count of segments.
 * Not while going back N after an RTO: one ACK of the resent segment may cover a window
 * the receiver held, and RFC 3465 3.1 wants a small L exactly then.
 */
static inline uint32_t
tcp_cc_slow_start(const struct sy_tcp *tcp, struct sy_tcb *tcb, uint32_t acked)
{
	uint32_t l = tcp->tso && !SEQ_LT(tcb->snd_nxt, tcb->snd_max) ?
		     RTE_MAX(tcp_seg_cap(tcp, tcb), 2u * tcb->snd_mss) : 2u * tcb->snd_mss;
	uint32_t inc = RTE_MIN(acked, l);

	if (tcb->cwnd >= tcb->ssthresh)
		return acked;
	inc = RTE_MIN(inc, tcb->ssthresh - tcb->cwnd);
	tcb->cwnd += inc;
	return acked > inc && tcb->cwnd >= tcb->ssthresh ? acked - inc : 0;
}

#endif
