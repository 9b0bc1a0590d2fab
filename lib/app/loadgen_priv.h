/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Internal to the load generator: its state, shared by sy_loadgen.c (configuration,
 * pacing, source tuples) and loadgen_conn.c (one connection's life: requests, responses,
 * close).
 */
#ifndef SY_LOADGEN_PRIV_H
#define SY_LOADGEN_PRIV_H

#include "app_body.h"
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

struct lg_conn {
	struct sy_http_parser p;
	uint64_t t_connect;       /* us */
	uint64_t t_req;           /* us: start of the current request */
	uint64_t rx_left;         /* raw: response bytes still expected */
	uint64_t tx_left;         /* raw: request bytes still to cut */
	uint64_t tx_off;
	struct rte_mbuf *pending; /* refused by sy_tcp_send() */
	uint32_t serial;          /* distinguishes uses of one handle (think queue) */
	uint32_t reqs_done;
	uint8_t state;
	uint8_t flags;
};

/* a connection waiting for its think time to end; FIFO because think_us is constant */
struct lg_think {
	uint64_t wake_us;
	sy_conn_t c;
	uint32_t serial;
};

struct sy_loadgen {
	struct sy_loadgen_conf conf;
	struct sy_tcp *tcp;
	const struct sy_clock *clock;
	struct rte_mempool *pool;
	struct lg_conn *conns;          /* by handle */
	struct lg_think *think;         /* ring of think_size entries */
	uint32_t think_size;            /* power of two > max_concurrent */
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

static inline uint64_t
lg_now(const struct sy_loadgen *l)
{
	return sy_clock_us(l->clock);
}

#endif /* SY_LOADGEN_PRIV_H */
