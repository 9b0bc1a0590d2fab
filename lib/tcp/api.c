/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * The engine's public API (sy_tcp.h): creation, the user calls of RFC 9293 3.10
 * (OPEN, SEND, CLOSE, ABORT as listen/connect/send/shutdown/close/abort), polling of
 * timers, and introspection. Creation allocates everything the hot path will ever use:
 * tcb, TIME-WAIT and send-queue arenas, the flow and listener tables and the timer wheel.
 */
#include <stdio.h>
#include <string.h>
#include <sodium.h>
#include <rte_errno.h>
#include <rte_malloc.h>

#include "tcb.h"

void
sy_tcp_conf_defaults(struct sy_tcp_conf *c)
{
	memset(c, 0, sizeof(*c));
	c->max_conns = 16384;
	c->max_time_wait = 16384;
	c->msl_s = 30;
	c->rto_init_ms = 1000;
	c->rto_min_ms = 200;
	c->rto_max_ms = 120000;
	c->syn_retries = 6;
	c->synack_retries = 5;
	c->data_retries = 15;
	c->fin_wait2_timeout_s = 60;
	c->delack_ms = 40;
	c->keepalive = false;
	c->keepalive_idle_s = 7200;
	c->keepalive_intvl_s = 75;
	c->keepalive_probes = 9;
	c->mss = 1460;
	c->wscale = 7;
	c->sack = true;
	c->timestamps = true;
	c->rcv_wnd = 262144;
	c->rst_when_full = false;
	c->ephemeral_lo = 32768;
	c->ephemeral_hi = 60999;
	c->isn_secret = NULL;
	c->snd_buf = 262144;
	c->challenge_ack_limit = 1000;
	c->idle_restart = true;
	c->cc = SY_TCP_CC_NEWRENO;
	c->syncookie_threshold = SY_TCP_SYNCOOKIE_AUTO;
}

const char *
sy_tcp_state_name(enum sy_tcp_state s)
{
	static const char *const names[] = {
		"CLOSED", "LISTEN", "SYN-SENT", "SYN-RECEIVED", "ESTABLISHED", "FIN-WAIT-1",
		"FIN-WAIT-2", "CLOSE-WAIT", "CLOSING", "LAST-ACK", "TIME-WAIT",
	};

	return (unsigned int)s < RTE_DIM(names) ? names[s] : "?";
}

const char *
sy_tcp_close_reason_name(enum sy_tcp_close_reason r)
{
	static const char *const names[] = {
		"normal", "reset", "refused", "timeout", "keepalive", "aborted", "fin-wait-2",
	};

	return (unsigned int)r < RTE_DIM(names) ? names[r] : "?";
}

static int
conf_check(const struct sy_tcp_conf *c)
{
	if (c->max_conns == 0 || c->max_conns >= TCP_FLOW_TW || c->max_time_wait == 0 ||
	    c->max_time_wait >= TCP_FLOW_TW || c->wscale > 14 || c->mss < 64 ||
	    c->ephemeral_lo == 0 || c->ephemeral_lo > c->ephemeral_hi ||
	    c->rto_min_ms == 0 || c->rto_min_ms > c->rto_max_ms ||
	    c->rto_max_ms > SY_TCP_RTO_MAX_LIMIT_MS || c->rcv_wnd == 0 ||
	    c->cc > SY_TCP_CC_CUBIC)
		return -EINVAL;
	return 0;
}

/* sy_tcp_conf.max_data_blocks, with 0 resolved (documented in sy_tcp.h) */
static uint32_t
tcp_data_blocks(const struct sy_tcp_conf *c)
{
	const uint32_t all_up_to = 262144;

	if (c->max_data_blocks != 0)
		return RTE_MIN(c->max_data_blocks, c->max_conns);
	if (c->max_conns <= all_up_to)
		return c->max_conns;
	return RTE_MAX(all_up_to, c->max_conns / 16);
}

static int
create_tables(struct sy_tcp *tcp, const char *name, int socket)
{
	uint32_t n = tcp->conf.max_conns, tw = tcp->conf.max_time_wait;
	char buf[64];

	snprintf(buf, sizeof(buf), "%s_fl", name);
	tcp->flows = sy_flow_table_create(buf, n + tw, socket);
	snprintf(buf, sizeof(buf), "%s_ls", name);
	tcp->listens = sy_listen_table_create(buf, TCP_MAX_LISTENERS, socket);
	snprintf(buf, sizeof(buf), "%s_tcb", name);
	tcp->tcbs = sy_arena_create(buf, sizeof(struct sy_tcb), n, socket);
	snprintf(buf, sizeof(buf), "%s_tw", name);
	tcp->tws = sy_arena_create(buf, sizeof(struct tcp_tw), tw, socket);
	snprintf(buf, sizeof(buf), "%s_sq", name);
	tcp->sndqs = sy_arena_create(buf, sizeof(struct tcp_sndq), tcp_data_blocks(&tcp->conf),
				     socket);
	tcp->wheel = sy_timer_wheel_create(n + tw, tcp->now_ms, socket);
	if (tcp->flows == NULL || tcp->listens == NULL || tcp->tcbs == NULL ||
	    tcp->tws == NULL || tcp->sndqs == NULL || tcp->wheel == NULL)
		return -ENOMEM;
	tcp->tcb_v = *sy_arena_view(tcp->tcbs);
	tcp->tw_v = *sy_arena_view(tcp->tws);
	tcp->sndq_v = *sy_arena_view(tcp->sndqs);
	return 0;
}

struct sy_tcp *
sy_tcp_create(const char *name, const struct sy_tcp_conf *conf, struct sy_net *net,
	      struct rte_mempool *pool, struct sy_clock *clock, int socket)
{
	struct sy_tcp *tcp;

	if (name == NULL || conf == NULL || net == NULL || pool == NULL || clock == NULL ||
	    conf_check(conf) < 0 || sodium_init() < 0) {
		rte_errno = EINVAL;
		return NULL;
	}
	tcp = rte_zmalloc_socket("sy_tcp", sizeof(*tcp), RTE_CACHE_LINE_SIZE, socket);
	if (tcp == NULL) {
		rte_errno = ENOMEM;
		return NULL;
	}
	tcp->conf = *conf;
	/* the MSS we announce fits the interface MTU (RFC 9293 3.7.1) */
	tcp->conf.mss = (uint16_t)RTE_MIN((uint32_t)conf->mss,
					  (uint32_t)sy_net_conf(net)->mtu - 40u);
	tcp->net = net;
	tcp->pool = pool;
	tcp->clock = clock;
	tcp->now_ms = sy_clock_ms(clock);
	tcp->busy = UINT32_MAX;
	if (conf->isn_secret != NULL)
		memcpy(tcp->isn_secret, conf->isn_secret, sizeof(tcp->isn_secret));
	else
		randombytes_buf(tcp->isn_secret, sizeof(tcp->isn_secret));
	tcp->conf.isn_secret = NULL;
	/* the cookie key lives in the engine's copy of the conf; never the ISN secret */
	if (sodium_is_zero(conf->syncookie_secret, sizeof(conf->syncookie_secret)))
		randombytes_buf(tcp->conf.syncookie_secret, sizeof(tcp->conf.syncookie_secret));
	if (create_tables(tcp, name, socket) < 0) {
		sy_tcp_free(tcp);
		rte_errno = ENOMEM;
		return NULL;
	}
	/* chains (zero copy, jumbo segments over small mbufs) only where the port takes them */
	if (sy_tcp_set_tx_zerocopy(tcp, sy_net_conf(net)->tx_multi_seg,
				   conf->tx_zerocopy_min) < 0) {
		sy_tcp_free(tcp);
		rte_errno = ENOTSUP;
		return NULL;
	}
	/* the net layer's conf was checked: TSO there implies multi-segment frames */
	if (sy_net_conf(net)->tso != SY_NET_TSO_OFF)
		sy_tcp_set_tso(tcp, true);
	return tcp;
}

void
sy_tcp_free(struct sy_tcp *tcp)
{
	if (tcp == NULL)
		return;
	if (tcp->tcbs != NULL && tcp->sndqs != NULL) {
		for (uint32_t i = 0; i < tcp->conf.max_conns; i++) {
			struct sy_tcb *tcb = tcb_ptr(tcp, i);

			if (tcb->state != SY_TCP_CLOSED)
				tcp_sndq_free(tcp, tcb);
		}
	}
	sy_timer_wheel_free(tcp->wheel);
	sy_arena_free(tcp->sndqs);
	sy_arena_free(tcp->tws);
	sy_arena_free(tcp->tcbs);
	sy_listen_table_free(tcp->listens);
	sy_flow_table_free(tcp->flows);
	rte_free(tcp);
}

void
sy_tcp_poll(struct sy_tcp *tcp)
{
	tcp->now_ms = sy_clock_ms(tcp->clock);
	sy_timer_advance(tcp->wheel, tcp->now_ms, tcp_timer_expire, tcp);
}

const struct sy_tcp_stats *
sy_tcp_stats(const struct sy_tcp *tcp)
{
	return &tcp->stats;
}

uint32_t
sy_tcp_count(const struct sy_tcp *tcp, enum sy_tcp_state s)
{
	uint32_t n = 0;

	if (s == SY_TCP_CLOSED || (unsigned int)s > SY_TCP_TIME_WAIT)
		return 0;
	if (s == SY_TCP_LISTEN) {
		for (unsigned int i = 0; i < TCP_MAX_LISTENERS; i++)
			n += tcp->listeners[i].in_use;
		return n;
	}
	if (s == SY_TCP_TIME_WAIT)
		n = sy_arena_in_use(tcp->tws);
	return n + tcp->count[s];
}

size_t
sy_tcp_conn_size(void)
{
	return sizeof(struct sy_tcb);
}

size_t
sy_tcp_time_wait_size(void)
{
	return sizeof(struct tcp_tw);
}

int
sy_tcp_listen(struct sy_tcp *tcp, rte_be32_t ip, rte_be16_t port, uint32_t backlog,
	      const struct sy_tcp_ops *ops, void *user)
{
	struct tcp_listener *l = NULL;
	unsigned int i;
	int rc;

	if (ops == NULL || port == 0)
		return -EINVAL;
	for (i = 0; i < TCP_MAX_LISTENERS; i++) {
		if (!tcp->listeners[i].in_use) {
			l = &tcp->listeners[i];
			break;
		}
	}
	if (l == NULL)
		return -ENOSPC;
	rc = sy_listen_add(tcp->listens, ip, port, i);
	if (rc < 0)
		return rc == -EEXIST ? -EADDRINUSE : rc;
	l->ip = ip;
	l->port = port;
	l->backlog = backlog == 0 ? 1 : backlog;
	l->embryonic = 0;
	l->cookie_mode = 0;
	l->cookie_last_ms = 0;
	l->ops = ops;
	l->user = user;
	l->in_use = 1;
	return 0;
}

int
sy_tcp_unlisten(struct sy_tcp *tcp, rte_be32_t ip, rte_be16_t port)
{
	for (unsigned int i = 0; i < TCP_MAX_LISTENERS; i++) {
		struct tcp_listener *l = &tcp->listeners[i];

		if (l->in_use && l->ip == ip && l->port == port) {
			sy_listen_remove(tcp->listens, ip, port);
			l->in_use = 0;
			return 0;
		}
	}
	return -ENOENT;
}
