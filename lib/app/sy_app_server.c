/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Echo and discard servers: see sy_app_server.h. Per-connection state is one pointer (the
 * chain still to be sent back), kept in an array indexed by the connection handle so that
 * the TCP engine's per-connection user pointer can stay the server itself.
 */
#include "sy_app_server.h"

#include <errno.h>
#include <string.h>
#include <rte_errno.h>
#include <rte_malloc.h>

#define NAME_STRING(name) #name,
const char *const sy_app_server_stats_names[] = { SY_APP_SERVER_STATS(NAME_STRING) };
const uint32_t sy_app_server_stats_count = RTE_DIM(sy_app_server_stats_names);
#undef NAME_STRING

struct sy_app_server {
	struct sy_tcp *tcp;
	enum sy_app_kind kind;
	rte_be16_t port;
	uint32_t max_conns;
	struct sy_app_server_stats stats;
	struct rte_mbuf **pending;     /**< by handle: echo data not yet queued */
	uint8_t *peer_closed;          /**< by handle: close once pending is empty */
};

int
sy_app_kind_parse(const char *name, enum sy_app_kind *kind)
{
	static const char *const names[] = { "none", "echo", "discard" };

	for (unsigned int i = 0; i < RTE_DIM(names); i++)
		if (strcmp(name, names[i]) == 0) {
			*kind = (enum sy_app_kind)i;
			return 0;
		}
	return -EINVAL;
}

static void *
server_accepted(void *user, sy_conn_t c)
{
	struct sy_app_server *a = user;

	a->stats.accepted++;
	a->pending[c] = NULL;
	a->peer_closed[c] = 0;
	return a;
}

/* Queues what is pending; closes when the peer is done and nothing is left. */
static void
echo_flush(struct sy_app_server *a, sy_conn_t c)
{
	struct rte_mbuf *m = a->pending[c];

	if (m != NULL) {
		uint32_t len = rte_pktmbuf_pkt_len(m);

		if (sy_tcp_send(a->tcp, c, m) != 0)
			return;  /* -EAGAIN: the writable callback calls again */
		a->stats.tx_bytes += len;
		a->pending[c] = NULL;
	}
	if (a->peer_closed[c])
		sy_tcp_close(a->tcp, c);
}

static void
server_data(void *user, sy_conn_t c, struct rte_mbuf *m)
{
	struct sy_app_server *a = user;

	a->stats.rx_bytes += rte_pktmbuf_pkt_len(m);
	if (a->kind != SY_APP_ECHO) {
		rte_pktmbuf_free(m);
		return;
	}
	if (a->pending[c] == NULL) {
		a->pending[c] = m;
	} else if (rte_pktmbuf_chain(a->pending[c], m) != 0) {
		/* chain too long for one mbuf chain: keep order, queue what we have first */
		a->stats.send_deferred++;
		echo_flush(a, c);
		if (a->pending[c] == NULL)
			a->pending[c] = m;
		else
			rte_pktmbuf_chain(a->pending[c], m);
		return;
	}
	echo_flush(a, c);
	if (a->pending[c] != NULL)
		a->stats.send_deferred++;
}

static void
server_writable(void *user, sy_conn_t c)
{
	echo_flush(user, c);
}

static void
server_peer_closed(void *user, sy_conn_t c)
{
	struct sy_app_server *a = user;

	a->peer_closed[c] = 1;
	echo_flush(a, c);
}

static void
server_closed(void *user, sy_conn_t c, enum sy_tcp_close_reason why)
{
	struct sy_app_server *a = user;

	a->stats.closed++;
	rte_pktmbuf_free(a->pending[c]);
	a->pending[c] = NULL;
}

static const struct sy_tcp_ops server_ops = {
	.accepted = server_accepted,
	.data = server_data,
	.writable = server_writable,
	.peer_closed = server_peer_closed,
	.closed = server_closed,
};

struct sy_app_server *
sy_app_server_start(struct sy_tcp *tcp, enum sy_app_kind kind, rte_be16_t port,
		    uint32_t max_conns, int socket)
{
	struct sy_app_server *a = rte_zmalloc_socket("sy_app_server", sizeof(*a), 0, socket);

	if (a == NULL)
		goto nomem;
	a->pending = rte_zmalloc_socket("sy_app_pending", sizeof(*a->pending) * max_conns, 0,
					socket);
	a->peer_closed = rte_zmalloc_socket("sy_app_closed", max_conns, 0, socket);
	if (a->pending == NULL || a->peer_closed == NULL)
		goto nomem;
	a->tcp = tcp;
	a->kind = kind;
	a->port = port;
	a->max_conns = max_conns;
	int rc = sy_tcp_listen(tcp, 0, port, 1024, &server_ops, a);

	if (rc < 0) {
		sy_app_server_free(a);
		rte_errno = -rc;
		return NULL;
	}
	return a;
nomem:
	sy_app_server_free(a);
	rte_errno = ENOMEM;
	return NULL;
}

void
sy_app_server_free(struct sy_app_server *a)
{
	if (a == NULL)
		return;
	for (uint32_t c = 0; a->pending != NULL && c < a->max_conns; c++)
		rte_pktmbuf_free(a->pending[c]);
	rte_free(a->pending);
	rte_free(a->peer_closed);
	rte_free(a);
}

const struct sy_app_server_stats *
sy_app_server_stats(const struct sy_app_server *a)
{
	return &a->stats;
}
