/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * One load-generator connection, from connected to closed: send a request (an HTTP head
 * copied from the template built at start, or raw bytes cut without copy from the shared
 * body block), read the response (HTTP: the incremental parser, which validates the
 * status line, headers and body framing across any segmentation; raw: a byte count),
 * record the latencies, then the next request, a think pause, or the close.
 *
 * The request's state (parser or raw counts, a piece refused by sy_tcp_send()) is in a
 * pooled message block (loadgen_priv.h), taken when the request starts and returned with
 * its response; when every block is in use, the connection is reset and counted as failed
 * (conns_failed_no_msg_state).
 *
 * Any callback may end the connection (sy_tcp_abort() calls closed at once), so code
 * that continues after such a call re-checks the state.
 */
#include <errno.h>
#include <string.h>

#include "loadgen_priv.h"

static void
conn_abort(struct sy_loadgen *l, sy_conn_t c)
{
	struct lg_conn *lc = &l->conns[c];

	lc->state = LC_CLOSING;
	sy_tcp_abort(l->tcp, c);
	/* the closed callback returned the block; unless the engine no longer knew c */
	if (lc->msg != APP_MSG_NONE)
		lg_msg_put(l, lc);
}

static void
conn_close(struct sy_loadgen *l, sy_conn_t c)
{
	l->conns[c].state = LC_CLOSING;
	sy_tcp_close(l->tcp, c);
}

void
lg_msg_put(struct sy_loadgen *l, struct lg_conn *lc)
{
	rte_pktmbuf_free(lg_msg_of(l, lc)->pending);
	app_msg_put(l->msgs, lc->msg);
	lc->msg = APP_MSG_NONE;
}

/* A block for a request that starts (zeroed: raw counts 0, nothing pending). */
static int
msg_take(struct sy_loadgen *l, struct lg_conn *lc)
{
	if (app_msg_take(l->msgs, &lc->msg) < 0)
		return -ENOMEM;
	if (l->conf.proto == SY_LOADGEN_HTTP)
		sy_http_parser_init(&lg_msg_of(l, lc)->p, SY_HTTP_RESPONSE, l->conf.max_header);
	return 0;
}

void
lg_conn_opened(struct sy_loadgen *l, sy_conn_t c)
{
	struct lg_conn *lc = &l->conns[c];

	lc->msg = APP_MSG_NONE;
	lc->t_us = lg_now32(l);
	lc->serial = ++l->serial;
	lc->reqs_done = 0;
	lc->state = LC_CONNECTING;
	lc->flags = 0;
	l->active++;
}

/* --- sending ------------------------------------------------------------------------- */

/* Sends @p m: 1 sent, 0 kept as pending, -1 aborted. */
static int
send_piece(struct sy_loadgen *l, sy_conn_t c, struct lg_msg *msg, struct rte_mbuf *m)
{
	uint32_t len = rte_pktmbuf_pkt_len(m);
	int rc = sy_tcp_send(l->tcp, c, m);

	if (rc == 0) {
		l->stats.bytes_tx += len;
		return 1;
	}
	if (rc == -EAGAIN) {
		msg->pending = m;
		l->stats.send_deferred++;
		return 0;
	}
	rte_pktmbuf_free(m);
	conn_abort(l, c);
	return -1;
}

/* Sends what is left of the request (LC_ACTIVE); 1 all queued, 0 blocked, -1 aborted. */
static int
conn_flush(struct sy_loadgen *l, sy_conn_t c)
{
	struct lg_msg *msg = lg_msg_of(l, &l->conns[c]);

	if (msg->pending != NULL) {
		struct rte_mbuf *m = msg->pending;
		int rc;

		msg->pending = NULL;
		rc = send_piece(l, c, msg, m);
		if (rc <= 0)
			return rc;
	}
	while (l->conf.proto == SY_LOADGEN_RAW && msg->raw.tx_left > 0) {
		struct rte_mbuf *m = app_body_piece(&l->body, l->pool, msg->raw.tx_off,
						    msg->raw.tx_left);
		int rc;

		if (m == NULL) {
			l->stats.no_mbuf++;
			conn_abort(l, c);
			return -1;
		}
		msg->raw.tx_left -= m->data_len;
		msg->raw.tx_off += m->data_len;
		rc = send_piece(l, c, msg, m);
		if (rc <= 0)
			return rc;
	}
	return 1;
}

/* Is the request about to go the connection's last one? */
static bool
request_is_last(const struct sy_loadgen *l, const struct lg_conn *lc)
{
	uint32_t n = l->conf.requests_per_conn;

	return (n != 0 && lc->reqs_done + 1 >= n) || (n == 0 && l->stopping);
}

/* Queues the HTTP request head @p v behind what is still pending; <0 aborted. */
static int
http_request(struct sy_loadgen *l, sy_conn_t c, struct lg_msg *msg, int v)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(l->pool);

	if (m == NULL) {
		l->stats.no_mbuf++;
		conn_abort(l, c);
		return -1;
	}
	memcpy(rte_pktmbuf_append(m, l->req_len[v]), l->req[v], l->req_len[v]);
	if (msg->pending == NULL) {
		msg->pending = m;
		return 0;
	}
	/* the previous request is still unsent (its response came early): keep the order */
	if (rte_pktmbuf_chain(msg->pending, m) < 0) {
		rte_pktmbuf_free(m);
		l->stats.no_mbuf++;
		conn_abort(l, c);
		return -1;
	}
	return 0;
}

void
lg_conn_request(struct sy_loadgen *l, sy_conn_t c)
{
	struct lg_conn *lc = &l->conns[c];
	bool last = request_is_last(l, lc);
	struct lg_msg *msg;

	if (lc->msg == APP_MSG_NONE && msg_take(l, lc) < 0) {
		/* every message block in use: a failed connection, counted, never a stall */
		l->stats.conns_failed_no_msg_state++;
		l->stats.conns_failed++;
		conn_abort(l, c);
		return;
	}
	msg = lg_msg_of(l, lc);
	lc->state = LC_ACTIVE;
	lc->flags = last ? LF_LAST : 0;
	lc->t_us = lg_now32(l);
	l->stats.requests_sent++;
	if (l->conf.proto == SY_LOADGEN_RAW) {
		msg->raw.tx_left = l->conf.request_size;
		msg->raw.tx_off = 0;
		msg->raw.rx_left = l->conf.response_size;
	} else if (http_request(l, c, msg, last && l->conf.closer == SY_LOADGEN_SERVER_CLOSES) < 0) {
		return;
	}
	if (conn_flush(l, c) < 0)
		return;
	/* raw, server closes: our half-close is the "last request" signal */
	if (last && l->conf.proto == SY_LOADGEN_RAW && l->conf.closer == SY_LOADGEN_SERVER_CLOSES &&
	    msg->pending == NULL && msg->raw.tx_left == 0)
		sy_tcp_shutdown(l->tcp, c);
}

/* --- responses ----------------------------------------------------------------------- */

/*
 * The queue also holds the entries of connections that closed while they thought (stale,
 * skipped when they come due), so it can fill although no more than the concurrency think
 * at once. Full, the oldest entry leaves first, before it is written over: a live one
 * (the earliest wake-up of all) sends its request now rather than never.
 */
static void
think_make_room(struct sy_loadgen *l)
{
	struct lg_think *t = &l->think[l->think_head++ & (l->think_size - 1)];
	struct lg_conn *lc = &l->conns[t->c];

	if (lc->state == LC_THINK && lc->serial == t->serial) {
		l->stats.think_cut_short++;
		lg_conn_request(l, t->c);
	}
}

static void
think_push(struct sy_loadgen *l, sy_conn_t c)
{
	struct lg_think *t;

	if (l->think_tail - l->think_head == l->think_size)
		think_make_room(l);
	t = &l->think[l->think_tail++ & (l->think_size - 1)];

	t->wake_us = lg_now32(l) + l->conf.think_us;
	t->c = c;
	t->serial = l->conns[c].serial;
	l->conns[c].state = LC_THINK;
}

/* The response to the current request is complete (@p ok: valid). */
static void
response_done(struct sy_loadgen *l, sy_conn_t c, bool ok, bool keep_alive)
{
	struct lg_conn *lc = &l->conns[c];

	sy_hist_record(&l->hist[SY_LOADGEN_HIST_RESPONSE], lg_since(l, lc->t_us));
	if (ok)
		l->stats.responses_ok++;
	else
		l->stats.response_errors++;
	lc->reqs_done++;
	/* between requests: the block goes back, unless a request piece still waits to go
	 * (HTTP: a response that came before all of its request was queued) */
	if (lg_msg_of(l, lc)->pending == NULL)
		lg_msg_put(l, lc);
	if (!(lc->flags & LF_LAST) && keep_alive && !(l->stopping &&
						      l->conf.requests_per_conn == 0)) {
		if (l->conf.think_us > 0)
			think_push(l, c);
		else
			lg_conn_request(l, c);
		return;
	}
	if (l->conf.closer == SY_LOADGEN_SERVER_CLOSES || !keep_alive)
		lc->state = LC_DRAIN;   /* the server's FIN ends it (peer_closed) */
	else
		conn_close(l, c);
}

static void
http_message_done(struct sy_loadgen *l, sy_conn_t c)
{
	struct sy_http_parser *p = &lg_msg_of(l, &l->conns[c])->p;
	uint16_t status = sy_http_parser_status(p);
	bool ok = true;

	if (status < 200) {
		sy_http_parser_next(p);   /* 1xx: interim, the final response follows */
		return;
	}
	if (status >= 300) {
		l->stats.response_bad_status++;
		ok = false;
	} else if (l->conf.expect_body >= 0 &&
		   sy_http_parser_body_bytes(p) != (uint64_t)l->conf.expect_body) {
		l->stats.response_bad_length++;
		ok = false;
	}
	bool keep = sy_http_parser_keep_alive(p);

	sy_http_parser_next(p);
	response_done(l, c, ok, keep);
}

static void
response_protocol_error(struct sy_loadgen *l, sy_conn_t c, bool parse)
{
	if (parse)
		l->stats.response_parse_error++;
	else
		l->stats.response_bad_length++;
	l->stats.response_errors++;
	conn_abort(l, c);
}

/* Feeds one segment; false when the connection ended. */
static bool
http_segment(struct sy_loadgen *l, sy_conn_t c, const uint8_t *b, uint32_t len)
{
	struct lg_conn *lc = &l->conns[c];

	while (len > 0) {
		if (lc->state != LC_ACTIVE) {
			/* bytes nobody asked for */
			response_protocol_error(l, c, true);
			return false;
		}
		/* LC_ACTIVE: it holds a block (maybe a new one: a response may start a request) */
		struct sy_http_parser *p = &lg_msg_of(l, lc)->p;
		int32_t n = sy_http_parser_feed(p, b, len);

		if (n < 0) {
			response_protocol_error(l, c, true);
			return false;
		}
		b += n;
		len -= (uint32_t)n;
		if (sy_http_parser_done(p))
			http_message_done(l, c);
		if (lc->state == LC_FREE || lc->state == LC_CLOSING)
			return false;
	}
	return true;
}

static void
raw_data(struct sy_loadgen *l, sy_conn_t c, uint32_t len)
{
	struct lg_conn *lc = &l->conns[c];
	struct lg_msg *msg;

	if (lc->state != LC_ACTIVE || len > (msg = lg_msg_of(l, lc))->raw.rx_left) {
		response_protocol_error(l, c, false);
		return;
	}
	msg->raw.rx_left -= len;
	if (msg->raw.rx_left == 0 && msg->raw.tx_left == 0 && msg->pending == NULL)
		response_done(l, c, true, true);
}

/* --- callbacks ----------------------------------------------------------------------- */

static void
lg_connected(void *user, sy_conn_t c)
{
	struct sy_loadgen *l = user;
	struct lg_conn *lc = &l->conns[c];

	l->stats.conns_established++;
	sy_hist_record(&l->hist[SY_LOADGEN_HIST_CONNECT], lg_since(l, lc->t_us));
	lg_conn_request(l, c);
}

static void
lg_data(void *user, sy_conn_t c, struct rte_mbuf *m)
{
	struct sy_loadgen *l = user;
	struct lg_conn *lc = &l->conns[c];

	l->stats.bytes_rx += rte_pktmbuf_pkt_len(m);
	if (!(lc->flags & LF_FIRST_BYTE) && lc->state == LC_ACTIVE) {
		lc->flags |= LF_FIRST_BYTE;
		sy_hist_record(&l->hist[SY_LOADGEN_HIST_TTFB], lg_since(l, lc->t_us));
	}
	if (l->conf.proto == SY_LOADGEN_RAW) {
		raw_data(l, c, rte_pktmbuf_pkt_len(m));
	} else {
		for (struct rte_mbuf *s = m; s != NULL; s = s->next)
			if (!http_segment(l, c, rte_pktmbuf_mtod(s, const uint8_t *), s->data_len))
				break;
	}
	rte_pktmbuf_free(m);
}

static void
lg_writable(void *user, sy_conn_t c)
{
	struct sy_loadgen *l = user;
	struct lg_conn *lc = &l->conns[c];

	if (lc->state != LC_ACTIVE || conn_flush(l, c) <= 0)
		return;
	if ((lc->flags & LF_LAST) && l->conf.proto == SY_LOADGEN_RAW &&
	    l->conf.closer == SY_LOADGEN_SERVER_CLOSES)
		sy_tcp_shutdown(l->tcp, c);
	if (l->conf.proto == SY_LOADGEN_RAW && lc->state == LC_ACTIVE &&
	    lg_msg_of(l, lc)->raw.rx_left == 0)
		response_done(l, c, true, true);
}

static void
lg_peer_closed(void *user, sy_conn_t c)
{
	struct sy_loadgen *l = user;
	struct lg_conn *lc = &l->conns[c];

	if (lc->state == LC_ACTIVE && l->conf.proto == SY_LOADGEN_HTTP &&
	    sy_http_parser_eof(&lg_msg_of(l, lc)->p) == 1) {
		/* a response delimited by the close (RFC 9112 6.3 item 8) */
		http_message_done(l, c);
		if (lc->state == LC_CLOSING || lc->state == LC_FREE)
			return;
	}
	if (lc->state == LC_ACTIVE) {
		l->stats.response_premature_close++;
		l->stats.response_errors++;
	}
	conn_close(l, c);
}

static void
lg_closed(void *user, sy_conn_t c, enum sy_tcp_close_reason why)
{
	struct sy_loadgen *l = user;
	struct lg_conn *lc = &l->conns[c];

	l->stats.conns_closed++;
	if (why == SY_TCP_CLOSE_REFUSED) {
		l->stats.conns_failed_refused++;
	} else if (why == SY_TCP_CLOSE_TIMEOUT || why == SY_TCP_CLOSE_KEEPALIVE) {
		l->stats.conns_failed_timeout++;
	} else if (why == SY_TCP_CLOSE_RESET) {
		l->stats.conns_failed_reset++;
	}
	if (why == SY_TCP_CLOSE_REFUSED || why == SY_TCP_CLOSE_TIMEOUT ||
	    why == SY_TCP_CLOSE_KEEPALIVE || why == SY_TCP_CLOSE_RESET)
		l->stats.conns_failed++;
	if (lc->state == LC_ACTIVE) {
		l->stats.response_premature_close++;
		l->stats.response_errors++;
	}
	if (lc->msg != APP_MSG_NONE)
		lg_msg_put(l, lc);
	lc->state = LC_FREE;
	l->active--;
}

const struct sy_tcp_ops lg_ops = {
	.connected = lg_connected,
	.data = lg_data,
	.writable = lg_writable,
	.peer_closed = lg_peer_closed,
	.closed = lg_closed,
};
