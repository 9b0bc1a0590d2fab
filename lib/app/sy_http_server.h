/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * An HTTP/1.1 server application on the TCP event API, one instance per worker.
 *
 * Every GET is answered with the configured status and a body of the configured size
 * (any size: the body is a chain of mbufs attached, without copy, to one read-only block
 * allocated at start; see sy_http_server.c); HEAD gets the same head without body. Other
 * methods get 405 (RFC 9110 15.5.6) with their body skipped. Requests are parsed with the
 * incremental parser of http_parse.h, so a request may arrive in any number of segments
 * and several may arrive in one (pipelining): responses go out in request order, and
 * while a response waits for send space the following requests wait too.
 * Persistence follows RFC 9112 9.3: after a request with "Connection: close" (or an
 * HTTP/1.0 request without keep-alive) the response carries "Connection: close" and the
 * server closes once it is sent. A malformed request gets 400 and a close (RFC 9112 3).
 *
 * Memory: 8 bytes per connection (max_conns of them), plus a pool of max_messages
 * 64-byte message blocks (the free list lives inside the free blocks). A connection holds
 * a block only while a request is arriving or its response waits for send space; an idle
 * keep-alive connection holds none. When every block is in use, a connection whose request
 * starts is reset (RST) and counted in no_msg_state. Nothing times out a request that
 * never completes: above 262 144 connections, where the default pool is a sixteenth of
 * max_conns, that many peers each sending a partial request can hold every block (size
 * max_messages for the worst case when the peers are not trusted).
 */
#ifndef SY_HTTP_SERVER_H
#define SY_HTTP_SERVER_H

#include <stdint.h>
#include <rte_byteorder.h>
#include <rte_mempool.h>

#include "sy_tcp.h"

/** What the server answers. */
struct sy_http_server_conf {
	uint16_t status;        /**< status of GET/HEAD responses, 100..599; default 200 */
	uint64_t body_size;     /**< bytes of the GET body; default 0 */
	uint32_t max_header;    /**< request header section bound; default 8192 */
	/** Extra header lines for GET/HEAD responses, each ending in CRLF
	 *  ("X-A: 1\r\nCache-Control: no-store\r\n"); NULL or "": none. At most 512 bytes;
	 *  the string must outlive the server. */
	const char *headers;
	/**
	 * Message blocks: the state of a request in progress and of its response until it is
	 * queued (parser, received bytes not parsed yet, a piece refused by sy_tcp_send()).
	 * 0 (default): max_conns up to 262144, above that a sixteenth of max_conns but at
	 * least 262144 (the rule of sy_tcp_conf.max_data_blocks); otherwise at most max_conns.
	 */
	uint32_t max_messages;
};

void sy_http_server_conf_defaults(struct sy_http_server_conf *conf);

#define SY_HTTP_SERVER_STATS(X) \
	X(accepted) \
	X(closed) \
	X(requests)             /* complete requests parsed */ \
	X(responses_2xx) \
	X(responses_3xx) \
	X(responses_4xx) \
	X(responses_5xx) \
	X(responses_400)        /* malformed requests (also in 4xx) */ \
	X(responses_405)        /* methods other than GET and HEAD (also in 4xx) */ \
	X(rx_bytes) \
	X(tx_bytes)             /* head and body bytes queued */ \
	X(send_deferred)        /* sy_tcp_send() said -EAGAIN: waited for writable */ \
	X(send_errors)          /* sy_tcp_send() failed otherwise: connection aborted */ \
	X(no_mbuf)              /* no mbuf for a response: connection aborted */ \
	X(closed_after_response) /* closed by us after Connection: close or a 400 */ \
	X(closed_by_peer)       /* the client's FIN ended the connection */ \
	X(incomplete_at_close)  /* the peer closed inside a request */ \
	X(no_msg_state)         /* every message block in use: connection reset (RST) */

struct sy_http_server_stats {
#define SY_HTTP_SERVER_FIELD(name) uint64_t name;
	SY_HTTP_SERVER_STATS(SY_HTTP_SERVER_FIELD)
#undef SY_HTTP_SERVER_FIELD
};

extern const char *const sy_http_server_stats_names[];
extern const uint32_t sy_http_server_stats_count;

struct sy_http_server;

/**
 * Starts an HTTP server on one worker's TCP engine, listening on (any address, @p port).
 * @param conf       what to answer (copied); NULL for the defaults
 * @param max_conns  the engine's max_conns (handles are below it)
 * @param pool       mempool for response heads and body segments
 * @return the server, or NULL with rte_errno set (EINVAL, ENOMEM, or the listen error)
 */
struct sy_http_server *sy_http_server_start(struct sy_tcp *tcp, rte_be16_t port,
					    const struct sy_http_server_conf *conf,
					    uint32_t max_conns, struct rte_mempool *pool,
					    int socket);

/** Frees the server and what it holds. Call after the TCP engine is freed (its teardown
 * may still call back, and queued body segments point into the server's body block). */
void sy_http_server_free(struct sy_http_server *s);

const struct sy_http_server_stats *sy_http_server_stats(const struct sy_http_server *s);

/** Message blocks held now (requests arriving, responses waiting for send space). */
uint32_t sy_http_server_msgs_in_use(const struct sy_http_server *s);

/** Message blocks in the pool (sy_http_server_conf.max_messages resolved). */
uint32_t sy_http_server_msgs_capacity(const struct sy_http_server *s);

#endif /* SY_HTTP_SERVER_H */
