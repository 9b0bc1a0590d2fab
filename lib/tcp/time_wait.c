/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * TIME-WAIT as a compact record (RFC 9293 3.6.1, 3.10.7.4; RFC 1337; RFC 6191).
 *
 * A connection entering TIME-WAIT frees its tcb (128 bytes plus any buffers) and leaves a
 * 28-byte struct tcp_tw: the 4-tuple, SND.NXT, RCV.NXT and TS.Recent, enough to
 *  - re-ACK a retransmitted FIN and restart 2MSL (the peer lost our last ACK),
 *  - ignore RST (RFC 1337: TIME-WAIT assassination),
 *  - challenge-ACK anything else, and
 *  - accept a new SYN on the same tuple when it cannot be an old duplicate (RFC 6191:
 *    its timestamp is newer than TS.Recent, or without timestamps its SEQ is above
 *    RCV.NXT): the record is dropped and the SYN goes to the listener.
 * Records live in their own arena; their wheel id is max_conns + index, and the flow
 * table value is index | TCP_FLOW_TW. The 2MSL timer is the record's only timer.
 */
#include "tcb.h"

static void
tw_arm(struct sy_tcp *tcp, uint32_t idx)
{
	sy_timer_arm(tcp->wheel, tcp->conf.max_conns + idx,
		     tcp->now_ms + 2ull * tcp->conf.msl_s * 1000);
}

int
tcp_tw_enter(struct sy_tcp *tcp, const struct sy_tcb *tcb)
{
	struct tcp_tw *tw;
	uint32_t idx;

	if (sy_arena_alloc(tcp->tws, &idx) < 0)
		return -ENOMEM;
	tw = tw_ptr(tcp, idx);
	tw->key = tcb->key;
	tw->snd_nxt = tcb->snd_max;
	tw->rcv_nxt = tcb->rcv_nxt;
	tw->ts_recent = tcb->ts_recent;
	tw->ts_ok = (tcb->flags & TF_TS) != 0;
	tw->rcv_shift = tcb->rcv_shift;
	tw->in_use = 1;
	/* the tuple's entry now names the record: no remove, no grace period, no re-insert */
	if (sy_flow_update(tcp->flows, &tw->key, idx | TCP_FLOW_TW) < 0) {
		tw->in_use = 0;   /* the tcb had no entry: cannot happen */
		sy_arena_put(tcp->tws, idx);
		return -ENOSPC;
	}
	tw_arm(tcp, idx);
	return 0;
}

/* Frees a record; its flow entry is the caller's (removed, or taken over). */
void
tcp_tw_release(struct sy_tcp *tcp, uint32_t idx)
{
	sy_timer_cancel(tcp->wheel, tcp->conf.max_conns + idx);
	tw_ptr(tcp, idx)->in_use = 0;
	sy_arena_put(tcp->tws, idx);
}

void
tcp_tw_remove(struct sy_tcp *tcp, uint32_t idx)
{
	sy_flow_remove(tcp->flows, &tw_ptr(tcp, idx)->key);
	tcp_tw_release(tcp, idx);
}

void
tcp_tw_expire(struct sy_tcp *tcp, uint32_t idx)
{
	if (!tw_ptr(tcp, idx)->in_use)
		return;
	tcp->stats.time_wait_expired++;
	tcp_tw_remove(tcp, idx);
}

static void
tw_send_ack(struct sy_tcp *tcp, const struct tcp_tw *tw)
{
	uint32_t max = (uint32_t)UINT16_MAX << tw->rcv_shift;
	struct tcp_out o = {
		.flags = RTE_TCP_ACK_FLAG,
		.seq = tw->snd_nxt,
		.ack = tw->rcv_nxt,
		.wnd = (uint16_t)(RTE_MIN(tcp->conf.rcv_wnd, max) >> tw->rcv_shift),
		.ts = tw->ts_ok,
		.tsecr = tw->ts_recent,
	};

	tcp_output_segment(tcp, &tw->key, &o);
}

/*
 * What a segment on a TIME-WAIT tuple asks for. One decision for the compact record and
 * for a tcb kept in TIME-WAIT (time_wait_overflow_keep), so both behave alike:
 *  - RST: ignored (RFC 1337, TIME-WAIT assassination);
 *  - a SYN that cannot belong to the old incarnation: the tuple may be reused (RFC 6191 2);
 *  - a retransmitted FIN: ACK again and wait 2MSL from now (RFC 9293 3.10.7.4);
 *  - any other SYN: a challenge ACK within the RFC 5961 7 limit (RFC 5961 4);
 *  - an unacceptable segment gets an ACK; an in-window empty one is dropped (3.10.7.4).
 */
enum tcp_tw_action
tcp_tw_classify(struct sy_tcp *tcp, int ts_ok, uint32_t ts_recent, uint32_t rcv_nxt,
		const struct tcp_seg *seg)
{
	if (TCP_FLAGS(seg, RTE_TCP_RST_FLAG)) {
		tcp->stats.drop_time_wait++;
		return TCP_TW_DROP;
	}
	if (TCP_FLAGS(seg, RTE_TCP_SYN_FLAG) && !TCP_FLAGS(seg, RTE_TCP_ACK_FLAG) &&
	    tcp_tw_syn_ok(ts_ok, ts_recent, rcv_nxt, seg)) {
		tcp->stats.time_wait_reused++;
		return TCP_TW_REUSE;
	}
	if (TCP_FLAGS(seg, RTE_TCP_FIN_FLAG) && !TCP_FLAGS(seg, RTE_TCP_SYN_FLAG))
		return TCP_TW_ACK_RESTART;
	if (TCP_FLAGS(seg, RTE_TCP_SYN_FLAG))
		return tcp_challenge_ack_allowed(tcp) ? TCP_TW_ACK : TCP_TW_DROP;
	if (seg->seq != rcv_nxt || seg->len > 0) {
		tcp->stats.drop_unacceptable++;
		return TCP_TW_ACK;
	}
	tcp->stats.drop_time_wait++;
	return TCP_TW_DROP;
}

/* The new connection takes the tuple's entry over (tcp_conn_alloc()) rather than a remove
 * and an insert of the same key; if none is made, the entry goes now. */
void
tcp_tw_reuse(struct sy_tcp *tcp, struct tcp_seg *seg, uint32_t iss_floor)
{
	seg->tw_reuse = 1;
	seg->iss_floor = iss_floor;
	seg->flow_held = 1;
	tcp_input_demux_new(tcp, seg);
	if (seg->flow_held)
		sy_flow_remove(tcp->flows, &seg->key);
}

/* The segment is consumed by the caller. */
void
tcp_tw_input(struct sy_tcp *tcp, uint32_t idx, struct tcp_seg *seg)
{
	struct tcp_tw *tw = tw_ptr(tcp, idx);

	switch (tcp_tw_classify(tcp, tw->ts_ok, tw->ts_recent, tw->rcv_nxt, seg)) {
	case TCP_TW_REUSE: {
		uint32_t iss_floor = tw->snd_nxt;

		tcp_tw_release(tcp, idx);
		tcp_tw_reuse(tcp, seg, iss_floor);
		break;
	}
	case TCP_TW_ACK_RESTART:
		tw_send_ack(tcp, tw);
		tw_arm(tcp, idx);
		break;
	case TCP_TW_ACK:
		tw_send_ack(tcp, tw);
		break;
	case TCP_TW_DROP:
		break;
	}
}

int
tcp_tw_reusable_for_connect(const struct sy_tcp *tcp, uint32_t idx, uint32_t iss)
{
	/* our new SYN is above everything the old incarnation sent (RFC 6191 at the peer) */
	return SEQ_GT(iss, tw_ptr(tcp, idx)->snd_nxt);
}
