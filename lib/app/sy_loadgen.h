/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * The load-generator client, one instance per worker (nothing shared between workers).
 *
 * It opens connections at a paced rate (a token bucket on the worker's sy_clock, so opens
 * are spread evenly instead of bursting once per tick), keeps at most max_concurrent open,
 * sends requests_per_conn requests on each (HTTP GET validated with the HTTP/1.1 parser,
 * or raw bytes checked by count against an echo-like server), waits think_us between
 * requests, and closes from the side the configuration says. Source (address, port) tuples
 * are iterated over the configured ranges by the generator itself, so that when the port
 * space runs out (TIME-WAIT) it is counted (port_exhausted) instead of silently slowing.
 *
 * Driven by sy_loadgen_poll() once per worker loop iteration and by the TCP callbacks.
 * No allocation after sy_loadgen_create(): per-connection state is an array indexed by
 * the connection handle (20 bytes each, loadgen_priv.h), the state of a request in
 * progress (response parser or raw counts, a piece waiting for send space: 64 bytes) a
 * pool of max_messages blocks, taken when a request starts and returned with its response
 * (a connection that thinks holds none); request heads are built once.
 */
#ifndef SY_LOADGEN_H
#define SY_LOADGEN_H

#include <stdbool.h>
#include <stdint.h>
#include <rte_byteorder.h>
#include <rte_mempool.h>

#include "sy_clock.h"
#include "sy_hist.h"
#include "sy_tcp.h"

enum sy_loadgen_proto {
	SY_LOADGEN_HTTP = 0,    /**< GET path; 2xx and (optionally) exact body length */
	SY_LOADGEN_RAW,         /**< request_size bytes out, response_size bytes back */
};

enum sy_loadgen_closer {
	SY_LOADGEN_CLIENT_CLOSES = 0,  /**< the client closes after the last response */
	SY_LOADGEN_SERVER_CLOSES,      /**< the client asks (Connection: close, or a half-close
					 *   in raw mode) and waits for the server's FIN */
};

/** Longest think time: per-connection times are kept modulo 2^32 microseconds. */
#define SY_LOADGEN_THINK_MAX_US ((1u << 31) - 1)

struct sy_loadgen_conf {
	uint32_t max_conns;        /**< the TCP engine's max_conns (handles are below it) */
	rte_be32_t dst_ip;         /**< first destination address */
	uint32_t dst_ip_count;     /**< addresses from dst_ip on (>= 1) */
	rte_be16_t dst_port;
	rte_be32_t src_ip;         /**< first local source address */
	uint32_t src_ip_count;     /**< addresses from src_ip on (>= 1) */
	uint16_t src_port_lo;      /**< host order; 0: the engine picks ephemeral ports */
	uint16_t src_port_hi;      /**< inclusive */
	uint64_t rate;             /**< connection opens per second; 0: max_concurrent bound */
	uint32_t max_concurrent;   /**< open connections at most (>= 1) */
	uint64_t total_conns;      /**< stop opening after this many; 0: unlimited */
	uint32_t requests_per_conn;/**< 1: short connections; 0: keep-alive until stopped */
	enum sy_loadgen_proto proto;
	const char *path;          /**< HTTP request-target; default "/" */
	const char *host;          /**< Host header; default the first dst_ip */
	int64_t expect_body;       /**< HTTP: exact body length expected; -1: any */
	uint32_t request_size;     /**< raw: bytes per request (> 0) */
	uint32_t response_size;    /**< raw: bytes expected back per request */
	uint32_t think_us;         /**< pause between a response and the next request, at most
				    *   SY_LOADGEN_THINK_MAX_US */
	enum sy_loadgen_closer closer;
	uint32_t max_header;       /**< response header bound; default 8192 */
	/**
	 * Message blocks: the state of a request until its response is complete (HTTP
	 * parser or raw byte counts, a request piece refused by sy_tcp_send()). 0 (default):
	 * max_conns up to 262144, above that a sixteenth of max_conns but at least 262144
	 * (the rule of sy_tcp_conf.max_data_blocks); otherwise at most max_conns. Never more
	 * than max_concurrent (no more connections are open). A request that finds every
	 * block in use resets its connection (conns_failed_no_msg_state).
	 */
	uint32_t max_messages;
	/**
	 * Optional tuple filter: only (src, sport, dst, dport) it accepts are opened, e.g. so
	 * that a NIC's RSS puts the replies on this worker's queue (lib/stack/sy_rss.h). Needs
	 * a source port range. NULL: every tuple.
	 */
	bool (*tuple_ok)(void *arg, rte_be32_t src, rte_be16_t sport, rte_be32_t dst,
			 rte_be16_t dport);
	void *tuple_arg;
};

/** Defaults: HTTP GET / on port 80, 1 request per connection, client closes, rate 0,
 * 1 concurrent connection, unlimited total, expect_body -1. Addresses must be set. */
void sy_loadgen_conf_defaults(struct sy_loadgen_conf *conf);

#define SY_LOADGEN_STATS(X) \
	X(conns_opened)            /* sy_tcp_connect() succeeded */ \
	X(conns_established) \
	X(conns_closed)            /* closed callbacks, whatever the reason */ \
	X(conns_failed)            /* sum of the four below */ \
	X(conns_failed_refused)    /* RST to our SYN */ \
	X(conns_failed_timeout)    /* SYN or data retransmissions exhausted */ \
	X(conns_failed_reset)      /* RST on an established connection */ \
	X(conns_failed_no_msg_state) /* every message block in use: reset by us */ \
	X(connect_errors)          /* sy_tcp_connect(): table full or other error */ \
	X(requests_sent) \
	X(responses_ok) \
	X(response_errors)         /* sum of the four below */ \
	X(response_bad_status)     /* not 2xx */ \
	X(response_bad_length)     /* body (or raw response) of the wrong length */ \
	X(response_parse_error)    /* malformed response: connection aborted */ \
	X(response_premature_close) /* connection ended with a response outstanding */ \
	X(bytes_tx) \
	X(bytes_rx) \
	X(port_exhausted)          /* an open found no free source (address, port) */ \
	X(tuples_filtered)         /* tuples the tuple filter (RSS) passed over */ \
	X(rate_behind)             /* opens the pacer could not do: max_concurrent reached */ \
	X(send_deferred)           /* sy_tcp_send() said -EAGAIN */ \
	X(think_cut_short)         /* think queue full of closed connections' entries: woken early */ \
	X(no_mbuf)                 /* no mbuf for a request: connection aborted */ \
	X(aborted)                 /* connections reset by sy_loadgen_abort_all() */

struct sy_loadgen_stats {
#define SY_LOADGEN_FIELD(name) uint64_t name;
	SY_LOADGEN_STATS(SY_LOADGEN_FIELD)
#undef SY_LOADGEN_FIELD
};

extern const char *const sy_loadgen_stats_names[];
extern const uint32_t sy_loadgen_stats_count;

/** Latency histograms, in microseconds (the unit of sy_clock). */
enum sy_loadgen_hist_kind {
	SY_LOADGEN_HIST_CONNECT = 0,   /**< connect() call to the connected callback */
	SY_LOADGEN_HIST_TTFB,          /**< request start to the first response byte */
	SY_LOADGEN_HIST_RESPONSE,      /**< request start to the complete response */
	SY_LOADGEN_HIST_COUNT
};

struct sy_loadgen;

/**
 * Creates the generator of one worker.
 * @param clock  the worker's clock (read, never moved)
 * @param pool   mempool for requests
 * @return the generator, or NULL with rte_errno set (EINVAL: bad configuration; ENOMEM)
 */
struct sy_loadgen *sy_loadgen_create(const struct sy_loadgen_conf *conf, struct sy_tcp *tcp,
				     const struct sy_clock *clock, struct rte_mempool *pool,
				     int socket);

/** Opens paced connections and sends requests whose think time ended. Call from the
 * worker's app_poll, once per iteration. */
void sy_loadgen_poll(struct sy_loadgen *l);

/**
 * Changes the open rate and the concurrency bound while running (ramp-up); 0 keeps a
 * value as it is. A generator created without pacing (rate 0) stays unpaced, and the
 * concurrency never exceeds the max_concurrent it was created with (its think queue is
 * sized for that).
 */
void sy_loadgen_set_limits(struct sy_loadgen *l, uint64_t rate, uint32_t max_concurrent);

/** Opens no more connections; keep-alive connections without a request limit close
 * after their current response. */
void sy_loadgen_stop_opening(struct sy_loadgen *l);

/** Connections open now (connect() done, closed callback not yet). */
uint32_t sy_loadgen_active(const struct sy_loadgen *l);

/** True when opening stopped (stop_opening or total reached) and none is active. */
bool sy_loadgen_done(const struct sy_loadgen *l);

/** Stops opening and resets every open connection now (bounded shutdown on SIGINT). */
void sy_loadgen_abort_all(struct sy_loadgen *l);

const struct sy_loadgen_stats *sy_loadgen_stats(const struct sy_loadgen *l);

/** Message blocks held now (requests whose response is not complete). */
uint32_t sy_loadgen_msgs_in_use(const struct sy_loadgen *l);

/** Message blocks in the pool (max_messages resolved). */
uint32_t sy_loadgen_msgs_capacity(const struct sy_loadgen *l);

const struct sy_hist *sy_loadgen_hist(const struct sy_loadgen *l,
				      enum sy_loadgen_hist_kind which);

/** Frees the generator. Call after the TCP engine is freed. */
void sy_loadgen_free(struct sy_loadgen *l);

#endif /* SY_LOADGEN_H */
