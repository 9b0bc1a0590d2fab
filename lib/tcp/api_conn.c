/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Per-connection user calls, RFC 9293 3.10.1-3.10.5: active OPEN with local port
 * selection, SEND, CLOSE (as shutdown = half close, and close = no more reading), ABORT,
 * and the keepalive / Nagle switches.
 *
 * Local port selection for connect(): ports of [ephemeral_lo, ephemeral_hi] are tried from
 * a cursor that advances on every success, and the first whose 4-tuple is free wins. A
 * tuple held by a TIME-WAIT record is taken too when our new ISS is above the old
 * incarnation's SND.NXT: the peer, if it still remembers the tuple, then accepts the SYN by
 * RFC 6191 (its RCV.NXT is our old SND.NXT), and our timestamps only grow. The RFC 6528 ISN
 * advances 250,000 per second on a tuple, so this holds unless the old connection sent
 * more than that clock since its own SYN.
 */
#include <string.h>

#include "tcb.h"

static struct sy_tcb *
tcb_get(const struct sy_tcp *tcp, sy_conn_t c)
{
	struct sy_tcb *tcb;

	if (c >= tcp->conf.max_conns)
		return NULL;
	tcb = tcb_ptr(tcp, c);
	if (tcb->state == SY_TCP_CLOSED || (tcb->flags & TF_DEAD))
		return NULL;
	return tcb;
}

/*
 * 0 when @p key can be used by a new connection. A reusable TIME-WAIT record is freed and
 * its flow entry left for the new tcb to take over (*held set, see tcp_conn_alloc()).
 */
static int
tuple_claim(struct sy_tcp *tcp, const struct sy_flow_key *key, uint32_t *iss, uint8_t *held)
{
	uint32_t v;

	*iss = tcp_isn(tcp, key);
	if (sy_flow_lookup(tcp->flows, key, &v) < 0)
		return 0;
	if ((v & TCP_FLOW_TW) && tcp_tw_reusable_for_connect(tcp, v & ~TCP_FLOW_TW, *iss)) {
		tcp->stats.time_wait_reused++;
		tcp_tw_release(tcp, v & ~TCP_FLOW_TW);
		*held = 1;
		return 0;
	}
	return -EADDRINUSE;
}

static int
pick_port(struct sy_tcp *tcp, struct sy_flow_key *key, uint32_t *iss, uint8_t *held)
{
	uint32_t lo = tcp->conf.ephemeral_lo;
	uint32_t n = (uint32_t)tcp->conf.ephemeral_hi - lo + 1;

	for (uint32_t i = 0; i < n; i++) {
		uint16_t port = (uint16_t)(lo + (tcp->next_port + i) % n);

		key->local_port = rte_cpu_to_be_16(port);
		if (tuple_claim(tcp, key, iss, held) == 0) {
			tcp->next_port = (uint16_t)((tcp->next_port + i + 1) % n);
			return 0;
		}
	}
	return -EADDRNOTAVAIL;
}

int
sy_tcp_connect(struct sy_tcp *tcp, rte_be32_t src_ip, rte_be16_t src_port,
	       rte_be32_t dst_ip, rte_be16_t dst_port, const struct sy_tcp_ops *ops,
	       void *user, sy_conn_t *out)
{
	struct sy_flow_key key = { .local_ip = src_ip, .remote_ip = dst_ip,
				   .local_port = src_port, .remote_port = dst_port };
	struct sy_tcb *tcb;
	uint32_t iss;
	uint8_t held = 0;
	int rc;

	if (ops == NULL || out == NULL || dst_port == 0 || dst_ip == 0)
		return -EINVAL;
	tcp->now_ms = sy_clock_ms(tcp->clock);
	if (key.local_ip == 0)
		key.local_ip = sy_net_conf(tcp->net)->addr_first;
	if (!sy_net_is_local(tcp->net, key.local_ip))
		return -EADDRNOTAVAIL;
	rc = src_port != 0 ? tuple_claim(tcp, &key, &iss, &held) :
			     pick_port(tcp, &key, &iss, &held);
	if (rc < 0)
		return rc;
	tcb = tcp_conn_alloc(tcp, &key, &held);
	if (tcb == NULL) {
		if (held)   /* the freed TIME-WAIT record's entry, not taken over */
			sy_flow_remove(tcp->flows, &key);
		tcp->stats.drop_table_full++;
		return -ENOMEM;
	}
	tcb->ops = ops;
	tcb->user = user;
	tcb->iss = iss;
	tcb->snd_una = iss;
	tcb->snd_nxt = iss + 1;
	tcb->snd_max = iss + 1;
	tcp_conn_set_state(tcp, tcb, SY_TCP_SYN_SENT);
	tcp->stats.active_opens++;
	tcb->flags |= TF_RTT;
	tcb->rtt_seq = iss;
	tcb->rtt_start = tcp_now32(tcp);
	tcp_send_syn(tcp, tcb);
	tcp_timer_rtx_start(tcp, tcb);
	*out = tcb_idx(tcp, tcb);
	return 0;
}

static int
can_queue(const struct sy_tcb *tcb)
{
	if (tcb->flags & TF_FIN_QUEUED)
		return 0;
	return tcb->state == SY_TCP_SYN_SENT || tcb->state == SY_TCP_SYN_RECEIVED ||
	       tcb->state == SY_TCP_ESTABLISHED || tcb->state == SY_TCP_CLOSE_WAIT;
}

uint32_t
sy_tcp_send_space(const struct sy_tcp *tcp, sy_conn_t c)
{
	struct sy_tcb *tcb = tcb_get(tcp, c);
	uint32_t q;

	if (tcb == NULL || !can_queue(tcb))
		return 0;
	q = tcb_sndq_bytes(tcp, tcb);
	if (q < tcp->conf.snd_buf)
		return tcp->conf.snd_buf - q;
	/* a caller told "no room" waits for the writable callback, as after -EAGAIN */
	tcb->flags |= TF_WANT_WRITE;
	return 0;
}

/*
 * Sends what the application queued: now, or, when it called from a callback of this very
 * connection, once the segment (or expiry) that called it is done (tcp_busy_end()).
 */
static void
tcp_output_soon(struct sy_tcp *tcp, struct sy_tcb *tcb)
{
	if (tcb_idx(tcp, tcb) == tcp->busy) {
		tcp->busy_output = 1;
		return;
	}
	tcp_output(tcp, tcb);
	tcp_timers_sync(tcp, tcb);
}

int
sy_tcp_send(struct sy_tcp *tcp, sy_conn_t c, struct rte_mbuf *m)
{
	struct sy_tcb *tcb = tcb_get(tcp, c);
	uint32_t q;

	if (tcb == NULL)
		return -ENOTCONN;
	if (!can_queue(tcb))
		return -EPIPE;
	q = tcb_sndq_bytes(tcp, tcb);
	if (q > 0 && q + m->pkt_len > tcp->conf.snd_buf) {
		tcb->flags |= TF_WANT_WRITE;
		return -EAGAIN;
	}
	if (m->pkt_len == 0) {
		rte_pktmbuf_free(m);
		return 0;
	}
	if (tcp_sndq_append(tcp, tcb, m) < 0)
		return -ENOMEM;
	tcp->stats.tx_data_bytes += m->pkt_len;
	tcp->now_ms = sy_clock_ms(tcp->clock);
	tcp_output_soon(tcp, tcb);
	return 0;
}

int
sy_tcp_shutdown(struct sy_tcp *tcp, sy_conn_t c)
{
	struct sy_tcb *tcb = tcb_get(tcp, c);

	if (tcb == NULL)
		return -ENOTCONN;
	tcp->now_ms = sy_clock_ms(tcp->clock);
	switch (tcb->state) {
	case SY_TCP_SYN_SENT:
		/* RFC 9293 3.10.4: nothing was synchronized, delete the TCB */
		tcp_conn_close(tcp, tcb, SY_TCP_CLOSE_NORMAL);
		return 0;
	case SY_TCP_SYN_RECEIVED:
		tcb->flags |= TF_FIN_QUEUED;        /* FIN-WAIT-1 on ESTABLISHED */
		return 0;
	case SY_TCP_ESTABLISHED:
		tcp_conn_set_state(tcp, tcb, SY_TCP_FIN_WAIT_1);
		break;
	case SY_TCP_CLOSE_WAIT:
		tcp_conn_set_state(tcp, tcb, SY_TCP_LAST_ACK);
		break;
	default:
		return (tcb->flags & TF_FIN_QUEUED) ? 0 : -ENOTCONN;
	}
	tcb->flags |= TF_FIN_QUEUED;
	tcp_output_soon(tcp, tcb);
	return 0;
}

int
sy_tcp_close(struct sy_tcp *tcp, sy_conn_t c)
{
	struct sy_tcb *tcb = tcb_get(tcp, c);
	int rc;

	if (tcb == NULL)
		return -ENOTCONN;
	tcb->flags |= TF_APP_CLOSED;
	rc = sy_tcp_shutdown(tcp, c);
	if (rc == 0 && !(tcb->flags & TF_DEAD) && tcb->state == SY_TCP_FIN_WAIT_2) {
		/* Linux tcp_fin_timeout: an orphaned FIN-WAIT-2 does not wait forever */
		tcp_timer_idle(tcp, tcb, tcp->conf.fin_wait2_timeout_s * 1000);
	}
	return rc;
}

int
sy_tcp_abort(struct sy_tcp *tcp, sy_conn_t c)
{
	struct sy_tcb *tcb = tcb_get(tcp, c);

	if (tcb == NULL)
		return -ENOTCONN;
	tcp->now_ms = sy_clock_ms(tcp->clock);
	/* RFC 9293 3.10.5: <SEQ=SND.NXT><CTL=RST> unless nothing was synchronized */
	if (tcb->state >= SY_TCP_SYN_RECEIVED && tcb->state != SY_TCP_TIME_WAIT)
		tcp_send_ctl(tcp, tcb, RTE_TCP_RST_FLAG, tcb->snd_nxt);
	tcp_conn_close(tcp, tcb, SY_TCP_CLOSE_ABORTED);
	return 0;
}

int
sy_tcp_set_keepalive(struct sy_tcp *tcp, sy_conn_t c, bool on)
{
	struct sy_tcb *tcb = tcb_get(tcp, c);

	if (tcb == NULL)
		return -ENOTCONN;
	tcp->now_ms = sy_clock_ms(tcp->clock);
	if (on) {
		tcb->flags |= TF_KEEPALIVE;
		tcp_timer_keepalive_reset(tcp, tcb);
		return 0;
	}
	tcb->flags &= ~TF_KEEPALIVE;
	if (!(tcb->state == SY_TCP_FIN_WAIT_2 && (tcb->flags & TF_APP_CLOSED)) &&
	    tcb->state != SY_TCP_TIME_WAIT)
		tcb->flags &= ~TF_T_IDLE;
	tcp_timers_sync(tcp, tcb);
	return 0;
}

int
sy_tcp_set_nodelay(struct sy_tcp *tcp, sy_conn_t c, bool nodelay)
{
	struct sy_tcb *tcb = tcb_get(tcp, c);

	if (tcb == NULL)
		return -ENOTCONN;
	if (!nodelay) {
		tcb->flags &= ~TF_NODELAY;
		return 0;
	}
	tcb->flags |= TF_NODELAY;
	tcp->now_ms = sy_clock_ms(tcp->clock);
	tcp_output(tcp, tcb);
	tcp_timers_sync(tcp, tcb);
	return 0;
}

enum sy_tcp_state
sy_tcp_conn_state(const struct sy_tcp *tcp, sy_conn_t c)
{
	const struct sy_tcb *tcb = tcb_get(tcp, c);

	return tcb == NULL ? SY_TCP_CLOSED : (enum sy_tcp_state)tcb->state;
}

int
sy_tcp_set_cc(struct sy_tcp *tcp, sy_conn_t c, enum sy_tcp_cc cc)
{
	struct sy_tcb *tcb = tcb_get(tcp, c);

	if (tcb == NULL)
		return -ENOTCONN;
	if (cc != SY_TCP_CC_NEWRENO && cc != SY_TCP_CC_CUBIC)
		return -EINVAL;
	tcb->cc = cc;
	if (tcb->sndq != TCP_NO_SNDQ)
		sndq_ptr(tcp, tcb->sndq)->cc_ready = 0;
	return 0;
}

int
sy_tcp_conn_info(const struct sy_tcp *tcp, sy_conn_t c, struct sy_tcp_conn_info *info)
{
	const struct sy_tcb *tcb = tcb_get(tcp, c);
	const struct tcp_sndq *q;

	if (tcb == NULL)
		return -ENOTCONN;
	memset(info, 0, sizeof(*info));
	info->cwnd = tcb->cwnd;
	info->ssthresh = tcb->ssthresh;
	info->snd_mss = tcb->snd_mss;
	info->srtt_ms = tcb->srtt8 >> 3;
	info->rttvar_ms = tcb->rttvar4 >> 2;
	info->rto_ms = tcb->rto_ms;
	info->flight = tcb->snd_max - tcb->snd_una;
	info->cc = tcb->cc;
	if (tcb->sndq == TCP_NO_SNDQ)
		return 0;
	q = sndq_ptr(tcp, tcb->sndq);
	info->sacked = q->sacked;
	info->ooo_bytes = q->rq_bytes;
	info->ooo_segs = q->rq_segs;
	info->in_recovery = q->in_recovery != 0;
	return 0;
}
