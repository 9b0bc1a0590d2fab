/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Internal to the load generator: its state, shared by sy_loadgen.c (configuration,
 * pacing, source tuples) and loadgen_conn.c (one connection's life: requests, responses,
 * close).
 */
#ifndef SY_LOADGEN_PRIV_H
#define SY_LOADGEN_PRIV_H

#include "app_body.h"
#include "app_msgs.h"
#include "http_parse.h"
#include "sy_loadgen.h"

#define LG_REQ_MAX 512        /* bytes of an HTTP request head */

/* connection states */
enum {
	LC_FREE = 0,
	LC_CONNECTING,        /* SYN sent */
	LC_ACTIVE,            /* a request is being sent or its response awaited */
	LC_THINK,             /* between a response and the next request */
	LC_DRAIN,             /* last response in: waiting for the server's FIN */
	LC_CLOSING,           /* sy_tcp_close() or abort done: waiting for closed */
};

/* connection flags */
#define LF_FIRST_BYTE  0x01   /* a byte of the current response arrived */
#define LF_LAST        0x02   /* the current request is the connection's last */

/*
 * The state of one request and its response, pooled (app_msgs.h): 56 bytes, one cache
 * line apart. Taken when a request starts, returned when its response is complete (or
 * the connection ends), so a connection that thinks or drains holds none. A generator
 * speaks one protocol, so the HTTP response parser and the raw byte counts share bytes.
 */
struct lg_msg {
	union {
		struct sy_http_parser p;  /* HTTP: the response being read */
		struct {
			uint32_t rx_left; /* response bytes still expected */
			uint32_t tx_left; /* request bytes still to cut */
			uint32_t tx_off;
		} raw;
	};
	struct rte_mbuf *pending; /* refused by sy_tcp_send() */
};

/*
 * One connection, by handle: 20 bytes, in an array of max_conns (docs/benchmarks.md,
 * "Memory per idle connection"). The connect time and the request start share one
 * timestamp (the first request starts when the connection is made); times are
 * microseconds modulo 2^32, so latencies up to 71 minutes are exact. A connection in
 * state LC_ACTIVE always holds a message block.
 */
struct lg_conn {
	uint32_t msg;             /* message block handle, or APP_MSG_NONE */
	uint32_t t_us;            /* connect() call, then the start of the current request */
	uint32_t serial;          /* distinguishes uses of one handle (think queue) */
	uint32_t reqs_done;
	uint8_t state;
	uint8_t flags;
};

/* a connection waiting for its think time to end; FIFO because think_us is constant */
struct lg_think {
	uint32_t wake_us;         /* modulo 2^32: think_us is below 2^31 */
	sy_conn_t c;
	uint32_t serial;
};

struct sy_loadgen {
	struct sy_loadgen_conf conf;
	struct sy_tcp *tcp;
	const struct sy_clock *clock;
	struct rte_mempool *pool;
	struct lg_conn *conns;          /* by handle */
	struct sy_arena *msgs;          /* message blocks */
	struct sy_arena_view msgv;      /* copy of sy_arena_view(msgs) */
	struct lg_think *think;         /* ring of think_size entries */
	uint32_t think_size;            /* power of two > max_concurrent */
	uint32_t conc_max;              /* max_concurrent at create: the think ring's bound */
	uint32_t think_head, think_tail;
	uint32_t active;
	uint32_t serial;
	bool stopping;
	/* pacer: credit in millionths of a connection */
	uint64_t credit;
	uint64_t credit_max;
	uint64_t last_us;
	/* next source tuple and destination */
	uint32_t src_idx;
	uint32_t src_port;              /* host order */
	uint32_t dst_idx;
	struct app_body body;
	bool body_ready;
	uint16_t req_len[2];            /* [0] plain, [1] with Connection: close */
	char req[2][LG_REQ_MAX];
	struct sy_loadgen_stats stats;
	struct sy_hist hist[SY_LOADGEN_HIST_COUNT];
};

extern const struct sy_tcp_ops lg_ops;

/** The connection @p c was opened now: state CONNECTING. */
void lg_conn_opened(struct sy_loadgen *l, sy_conn_t c);

/** Sends the next request on @p c (after think time). */
void lg_conn_request(struct sy_loadgen *l, sy_conn_t c);

/** The message block of @p lc (it holds one). */
static inline struct lg_msg *
lg_msg_of(const struct sy_loadgen *l, const struct lg_conn *lc)
{
	return app_msg_ptr(&l->msgv, lc->msg);
}

/** Returns the block of @p lc, freeing a request piece it still holds. */
void lg_msg_put(struct sy_loadgen *l, struct lg_conn *lc);

static inline uint64_t
lg_now(const struct sy_loadgen *l)
{
	return sy_clock_us(l->clock);
}

/* The clock in microseconds modulo 2^32, for per-connection timestamps. */
static inline uint32_t
lg_now32(const struct sy_loadgen *l)
{
	return (uint32_t)sy_clock_us(l->clock);
}

/* Microseconds since @p t (modulo 2^32). */
static inline uint32_t
lg_since(const struct sy_loadgen *l, uint32_t t)
{
	return lg_now32(l) - t;
}

#endif /* SY_LOADGEN_PRIV_H */
