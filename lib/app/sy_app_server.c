/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Echo and discard servers: see sy_app_server.h. Per-connection state is one pointer (the
 * chain still to be sent back), kept in an array indexed by the connection handle so that
 * the TCP engine's per-connection user pointer can stay the server itself.
 */
#include "sy_app_server.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sodium.h>
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
	/* source only */
	struct rte_mempool *pool;
	uint64_t source_bytes;         /**< per connection; 0: no end */
	uint64_t *sent;                /**< by handle: bytes queued so far */
	/* discard --hash only */
	crypto_hash_sha256_state *sha; /**< by handle: SHA-256 of the stream received */
	uint64_t *rcvd;                /**< by handle: bytes received */
};

#define SOURCE_CHUNK (64u * 1024)  /* bytes queued per sy_tcp_send() */

static void source_fill(struct sy_app_server *a, sy_conn_t c);

int
sy_app_kind_parse(const char *name, enum sy_app_kind *kind)
{
	static const char *const names[] = { "none", "echo", "discard", "source" };

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
	if (a->sha != NULL) {
		crypto_hash_sha256_init(&a->sha[c]);
		a->rcvd[c] = 0;
	}
	a->peer_closed[c] = 0;
	if (a->kind == SY_APP_SOURCE) {
		a->sent[c] = 0;
		source_fill(a, c);
	}
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

/* One chain of up to @p len pattern bytes starting at stream offset @p off. */
static struct rte_mbuf *
source_chunk(struct sy_app_server *a, uint64_t off, uint32_t len)
{
	struct rte_mbuf *head = NULL;

	while (len > 0) {
		struct rte_mbuf *m = rte_pktmbuf_alloc(a->pool);

		if (m == NULL)
			break;   /* send what we have */
		uint16_t k = (uint16_t)RTE_MIN(len, (uint32_t)rte_pktmbuf_tailroom(m));
		uint8_t *p = (uint8_t *)rte_pktmbuf_append(m, k);

		if (head != NULL && rte_pktmbuf_chain(head, m) != 0) {
			rte_pktmbuf_free(m);
			break;
		}
		if (head == NULL)
			head = m;
		for (uint16_t i = 0; i < k; i++)
			p[i] = (uint8_t)(off + i);
		off += k;
		len -= k;
	}
	return head;
}

/* Queues pattern bytes while the engine takes them; the writable callback resumes. */
static void
source_fill(struct sy_app_server *a, sy_conn_t c)
{
	while (a->source_bytes == 0 || a->sent[c] < a->source_bytes) {
		uint64_t left = a->source_bytes ? a->source_bytes - a->sent[c] : UINT64_MAX;
		uint32_t room = sy_tcp_send_space(a->tcp, c);
		uint32_t len = (uint32_t)RTE_MIN(RTE_MIN(left, (uint64_t)room), (uint64_t)SOURCE_CHUNK);

		if (len == 0)
			return;
		struct rte_mbuf *m = source_chunk(a, a->sent[c], len);

		if (m == NULL) {
			a->stats.no_mbuf++;
			return;
		}
		len = rte_pktmbuf_pkt_len(m);
		if (sy_tcp_send(a->tcp, c, m) != 0) {
			rte_pktmbuf_free(m);
			return;
		}
		a->sent[c] += len;
		a->stats.tx_bytes += len;
	}
	sy_tcp_close(a->tcp, c);
}

/* --hash: the received stream, segment by segment (chains may have empty segments). */
static void
hash_chain(struct sy_app_server *a, sy_conn_t c, const struct rte_mbuf *m)
{
	for (; m != NULL; m = m->next) {
		crypto_hash_sha256_update(&a->sha[c], rte_pktmbuf_mtod(m, const uint8_t *),
					  m->data_len);
		a->rcvd[c] += m->data_len;
	}
}

/* --hash: one line per connection at close (not per packet). */
static void
hash_report(struct sy_app_server *a, sy_conn_t c)
{
	uint8_t d[crypto_hash_sha256_BYTES];
	char hex[2 * sizeof(d) + 1];

	crypto_hash_sha256_final(&a->sha[c], d);
	sodium_bin2hex(hex, sizeof(hex), d, sizeof(d));
	printf("discard: conn %u bytes %" PRIu64 " sha256 %s\n", (unsigned int)c, a->rcvd[c],
	       hex);
	fflush(stdout);
}

static void
server_data(void *user, sy_conn_t c, struct rte_mbuf *m)
{
	struct sy_app_server *a = user;

	a->stats.rx_bytes += rte_pktmbuf_pkt_len(m);
	if (a->sha != NULL)
		hash_chain(a, c, m);
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
	struct sy_app_server *a = user;

	if (a->kind == SY_APP_SOURCE)
		source_fill(a, c);
	else
		echo_flush(a, c);
}

static void
server_peer_closed(void *user, sy_conn_t c)
{
	struct sy_app_server *a = user;

	a->peer_closed[c] = 1;
	if (a->kind == SY_APP_SOURCE)
		return;  /* a half-closed client still reads what the source sends */
	echo_flush(a, c);
}

static void
server_closed(void *user, sy_conn_t c, enum sy_tcp_close_reason why)
{
	struct sy_app_server *a = user;

	a->stats.closed++;
	if (a->sha != NULL)
		hash_report(a, c);
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
	/* backlog sized to the engine: clients opening en masse are not a SYN flood */
	int rc = sy_tcp_listen(tcp, 0, port, RTE_MAX(max_conns, 1024u), &server_ops, a);

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
	rte_free(a->sent);
	rte_free(a->sha);
	rte_free(a->rcvd);
	rte_free(a);
}

int
sy_app_server_hash(struct sy_app_server *a, int socket)
{
	if (a == NULL || a->kind != SY_APP_DISCARD)
		return -EINVAL;
	a->sha = rte_zmalloc_socket("sy_app_sha", sizeof(*a->sha) * a->max_conns,
				    RTE_CACHE_LINE_SIZE, socket);
	a->rcvd = rte_zmalloc_socket("sy_app_rcvd", sizeof(*a->rcvd) * a->max_conns, 0, socket);
	if (a->sha == NULL || a->rcvd == NULL || sodium_init() < 0) {
		rte_free(a->sha);
		rte_free(a->rcvd);
		a->sha = NULL;
		a->rcvd = NULL;
		return -ENOMEM;
	}
	return 0;
}

int
sy_app_server_source(struct sy_app_server *a, struct rte_mempool *pool, uint64_t bytes,
		     int socket)
{
	if (a->kind != SY_APP_SOURCE || pool == NULL)
		return -EINVAL;
	a->sent = rte_zmalloc_socket("sy_app_sent", sizeof(*a->sent) * a->max_conns, 0, socket);
	if (a->sent == NULL)
		return -ENOMEM;
	a->pool = pool;
	a->source_bytes = bytes;
	return 0;
}

const struct sy_app_server_stats *
sy_app_server_stats(const struct sy_app_server *a)
{
	return &a->stats;
}
