/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * HTTP/1.1 server: see sy_http_server.h.
 *
 * Per connection (array indexed by the handle, 8 bytes): the handle of its message block,
 * the parsed offset into the first held segment, and flags. The message block (64 bytes,
 * one cache line, pooled in an index arena: app_msgs.h) holds what exists only while a
 * request or its response is in progress: the request parser, the received bytes not
 * parsed yet ("hold": a segment list), and the response piece that sy_tcp_send() refused;
 * while a response is being sent the parser is idle, so its bytes hold how many body
 * bytes are still to be cut instead. A block is taken with the first byte of a request
 * and returned as soon as the connection is between requests with nothing held and
 * nothing to send, so an idle keep-alive connection costs its 8 bytes only. When every
 * block is in use, the connection that needs one is reset and counted (no_msg_state).
 *
 * One function, conn_run(), moves a connection forward: flush the response in progress,
 * then parse the next request from the hold, answer it, repeat. It runs on data, writable
 * and peer-closed callbacks; it stops when the send buffer is full (and resumes on
 * writable), which also keeps pipelined requests in order.
 *
 * Response heads are built once at start for each (status, Connection header) pair; a
 * response costs one mbuf and a copy of its head (~80 bytes). Small bodies (up to
 * INLINE_BODY bytes) are copied behind the head; larger ones are cut from the shared
 * read-only body block (app_body.h) in pieces of up to 60 KiB without copying.
 */
#include "sy_http_server.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <rte_errno.h>
#include <rte_malloc.h>

#include "app_body.h"
#include "app_msgs.h"
#include "http_parse.h"

#define NAME_STRING(name) #name,
const char *const sy_http_server_stats_names[] = { SY_HTTP_SERVER_STATS(NAME_STRING) };
const uint32_t sy_http_server_stats_count = RTE_DIM(sy_http_server_stats_names);
#undef NAME_STRING

#define HEAD_MAX 768   /* status line, Server, Allow, up to 512 bytes of extra headers, ... */
#define INLINE_BODY 1024

/* which response */
enum { R_CONF = 0, R_HEAD_CONF, R_400, R_405, R_COUNT };
/* which Connection header */
enum { C_NONE = 0, C_CLOSE, C_KEEP_ALIVE, C_COUNT };

/* connection flags */
#define HF_CLOSE_AFTER  0x01   /* close once the response in progress is sent */
#define HF_PEER_CLOSED  0x02
#define HF_CLOSED       0x04   /* sy_tcp_close() done: no more callbacks but closed */
#define HF_RESPONDING   0x08   /* the message block holds a response (body_left), no parser */

/*
 * The state of one request and its response, pooled (see the top of the file): 64 bytes.
 * Only the configured GET response has a body cut from the body block, so the offset of
 * its next piece is body_size - body_left and is not stored.
 */
struct http_msg {
	union {
		struct sy_http_parser p;   /* reading a request */
		uint64_t body_left;        /* HF_RESPONDING: body bytes still to cut */
	};
	struct rte_mbuf *hold;         /* received, not parsed yet (segment list) */
	struct rte_mbuf *pending;      /* refused by sy_tcp_send(): goes first */
};

/* One connection, by handle: 8 bytes (docs/benchmarks.md, "Memory per idle connection"). */
struct http_conn {
	uint32_t msg;                  /* message block handle, or APP_MSG_NONE */
	uint16_t hold_off;             /* parsed bytes of the hold's first segment */
	uint8_t flags;
};

struct sy_http_server {
	struct sy_tcp *tcp;
	struct rte_mempool *pool;
	struct sy_http_server_conf conf;
	uint32_t max_conns;
	struct http_conn *conns;
	struct sy_arena *msgs;
	struct sy_arena_view msgv;     /* copy of sy_arena_view(msgs): one load less */
	struct app_body body;
	bool body_ready;
	struct sy_http_server_stats stats;
	uint16_t head_len[R_COUNT][C_COUNT];
	char head[R_COUNT][C_COUNT][HEAD_MAX];
};

void
sy_http_server_conf_defaults(struct sy_http_server_conf *conf)
{
	conf->status = 200;
	conf->body_size = 0;
	conf->max_header = SY_HTTP_MAX_HEADER_DEFAULT;
	conf->headers = NULL;
	conf->max_messages = 0;
}

static const char *
reason_phrase(uint16_t status)
{
	switch (status) {
	case 200: return "OK";
	case 201: return "Created";
	case 204: return "No Content";
	case 301: return "Moved Permanently";
	case 302: return "Found";
	case 304: return "Not Modified";
	case 400: return "Bad Request";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 500: return "Internal Server Error";
	case 503: return "Service Unavailable";
	default: return "Status";
	}
}

/* RFC 9110 6.4.1: 1xx, 204 and 304 carry no body (and 204/1xx no Content-Length) */
static bool
status_has_body(uint16_t status)
{
	return status >= 200 && status != 204 && status != 304;
}

static int
build_head(struct sy_http_server *s, int r, int c)
{
	static const char *const conn_hdr[C_COUNT] = {
		"", "Connection: close\r\n", "Connection: keep-alive\r\n",
	};
	uint16_t status = r == R_400 ? 400 : r == R_405 ? 405 : s->conf.status;
	bool configured = r == R_CONF || r == R_HEAD_CONF;
	uint64_t len = configured ? s->conf.body_size : 0;
	const char *extra = configured && s->conf.headers != NULL ? s->conf.headers : "";
	char cl[48] = "";
	int n;

	if (status_has_body(status))
		snprintf(cl, sizeof(cl), "Content-Length: %lu\r\n", (unsigned long)len);
	n = snprintf(s->head[r][c], HEAD_MAX, "HTTP/1.1 %u %s\r\nServer: synack\r\n%s%s%s%s\r\n",
		     status, reason_phrase(status), r == R_405 ? "Allow: GET, HEAD\r\n" : "",
		     extra, cl, conn_hdr[c]);
	if (n < 0 || n >= HEAD_MAX)
		return -EINVAL;
	s->head_len[r][c] = (uint16_t)n;
	return 0;
}

/* --- message blocks ----------------------------------------------------------------- */

static inline struct http_msg *
msg_of(const struct sy_http_server *s, const struct http_conn *h)
{
	return app_msg_ptr(&s->msgv, h->msg);
}

/* Frees the hold's fully parsed segments and drops the rest when @p all. */
static void
hold_trim(struct http_conn *h, struct http_msg *m, bool all)
{
	while (m->hold != NULL && (all || h->hold_off >= m->hold->data_len)) {
		struct rte_mbuf *next = m->hold->next;

		rte_pktmbuf_free_seg(m->hold);
		m->hold = next;
		h->hold_off = 0;
	}
}

/* A block for a request that starts; -ENOMEM (counted) when every block is in use. */
static int
msg_take(struct sy_http_server *s, struct http_conn *h)
{
	if (app_msg_take(s->msgs, &h->msg) < 0) {
		s->stats.no_msg_state++;
		return -ENOMEM;
	}
	sy_http_parser_init(&msg_of(s, h)->p, SY_HTTP_REQUEST, s->conf.max_header);
	return 0;
}

/* Returns the block of @p h, dropping what it still holds. */
static void
msg_put(struct sy_http_server *s, struct http_conn *h)
{
	struct http_msg *m = msg_of(s, h);

	hold_trim(h, m, true);
	rte_pktmbuf_free(m->pending);
	app_msg_put(s->msgs, h->msg);
	h->msg = APP_MSG_NONE;
	h->flags &= ~HF_RESPONDING;
}

/* --- sending ------------------------------------------------------------------------- */

static void
conn_abort(struct sy_http_server *s, sy_conn_t c)
{
	struct http_conn *h = &s->conns[c];

	h->flags |= HF_CLOSED;
	sy_tcp_abort(s->tcp, c);
	/* the closed callback returned the block; unless the engine no longer knew c */
	if (h->msg != APP_MSG_NONE)
		msg_put(s, h);
}

/* Sends @p piece; 1 sent, 0 refused (kept as pending), -1 connection aborted. */
static int
send_piece(struct sy_http_server *s, sy_conn_t c, struct http_msg *m, struct rte_mbuf *piece)
{
	uint32_t len = rte_pktmbuf_pkt_len(piece);
	int rc = sy_tcp_send(s->tcp, c, piece);

	if (rc == 0) {
		s->stats.tx_bytes += len;
		return 1;
	}
	if (rc == -EAGAIN) {
		m->pending = piece;
		s->stats.send_deferred++;
		return 0;
	}
	rte_pktmbuf_free(piece);
	s->stats.send_errors++;
	conn_abort(s, c);
	return -1;
}

/* Sends the response in progress; 1 when all of it is queued, 0 blocked, -1 aborted. */
static int
conn_flush(struct sy_http_server *s, sy_conn_t c, struct http_msg *m)
{
	if (m->pending != NULL) {
		struct rte_mbuf *piece = m->pending;
		int rc;

		m->pending = NULL;
		rc = send_piece(s, c, m, piece);
		if (rc <= 0)
			return rc;
	}
	while (m->body_left > 0) {
		struct rte_mbuf *piece = app_body_piece(&s->body, s->pool,
							s->conf.body_size - m->body_left,
							m->body_left);
		int rc;

		if (piece == NULL) {
			s->stats.no_mbuf++;
			conn_abort(s, c);
			return -1;
		}
		m->body_left -= piece->data_len;
		rc = send_piece(s, c, m, piece);
		if (rc <= 0)
			return rc;
	}
	return 1;
}

static void
count_status(struct sy_http_server *s, uint16_t status)
{
	if (status < 300)
		s->stats.responses_2xx++;
	else if (status < 400)
		s->stats.responses_3xx++;
	else if (status < 500)
		s->stats.responses_4xx++;
	else
		s->stats.responses_5xx++;
}

/*
 * Starts response @p r with Connection header @p ch; -1 when the connection was aborted.
 * From here on the block holds the response: read the parser before.
 */
static int
respond(struct sy_http_server *s, sy_conn_t c, int r, int ch)
{
	struct http_conn *h = &s->conns[c];
	struct http_msg *msg = msg_of(s, h);
	struct rte_mbuf *m = rte_pktmbuf_alloc(s->pool);
	uint16_t hl = s->head_len[r][ch];
	uint64_t body = r == R_CONF && status_has_body(s->conf.status) ? s->conf.body_size : 0;
	char *dst;

	if (m == NULL) {
		s->stats.no_mbuf++;
		conn_abort(s, c);
		return -1;
	}
	bool inline_body = body <= INLINE_BODY && hl + body <= rte_pktmbuf_tailroom(m);

	dst = rte_pktmbuf_append(m, (uint16_t)(hl + (inline_body ? body : 0)));
	memcpy(dst, s->head[r][ch], hl);
	if (inline_body) {
		memcpy(dst + hl, s->body.block, body);   /* the block starts at offset 0 */
		body = 0;
	}
	h->flags |= HF_RESPONDING;
	msg->body_left = body;   /* non-zero only for R_CONF: see struct http_msg */
	count_status(s, r == R_400 ? 400 : r == R_405 ? 405 : s->conf.status);
	s->stats.responses_400 += r == R_400;
	s->stats.responses_405 += r == R_405;
	msg->pending = m;
	return 0;
}

/* --- receiving ----------------------------------------------------------------------- */

/* Parses from the hold; 1 a request is complete, 0 need more (hold empty), <0 error. */
static int
parse_hold(struct http_conn *h, struct http_msg *m)
{
	while (m->hold != NULL) {
		struct rte_mbuf *seg = m->hold;
		int32_t n = sy_http_parser_feed(&m->p, rte_pktmbuf_mtod_offset(seg, char *,
								      h->hold_off),
						(uint32_t)(seg->data_len - h->hold_off));

		if (n < 0)
			return n;
		h->hold_off = (uint16_t)(h->hold_off + n);
		hold_trim(h, m, false);
		if (sy_http_parser_done(&m->p))
			return 1;
	}
	return 0;
}

/* Answers the request just parsed; -1 when the connection was aborted. */
static int
answer(struct sy_http_server *s, sy_conn_t c)
{
	struct http_conn *h = &s->conns[c];
	struct sy_http_parser *p = &msg_of(s, h)->p;
	bool keep = sy_http_parser_keep_alive(p);
	int ch = !keep ? C_CLOSE : sy_http_parser_minor(p) == 0 ? C_KEEP_ALIVE : C_NONE;
	int r;

	s->stats.requests++;
	switch (sy_http_parser_method(p)) {
	case SY_HTTP_METHOD_GET:
		r = R_CONF;
		break;
	case SY_HTTP_METHOD_HEAD:
		r = R_HEAD_CONF;
		break;
	default:
		r = R_405;
		break;
	}
	if (!keep)
		h->flags |= HF_CLOSE_AFTER;
	return respond(s, c, r, ch);
}

static void
conn_close(struct sy_http_server *s, sy_conn_t c)
{
	struct http_conn *h = &s->conns[c];

	if (h->msg != APP_MSG_NONE)
		msg_put(s, h);
	h->flags |= HF_CLOSED;
	sy_tcp_close(s->tcp, c);
}

/*
 * The response in progress is queued: close after it, return the block when nothing more
 * is held (the common case: one request per segment), or go back to reading pipelined
 * requests with a fresh parser (the block held the response). 1 go on, 0 stop.
 */
static int
response_sent(struct sy_http_server *s, sy_conn_t c, struct http_msg *m)
{
	struct http_conn *h = &s->conns[c];

	if (h->flags & HF_CLOSE_AFTER) {
		s->stats.closed_after_response++;
		conn_close(s, c);
		return 0;
	}
	if (m->hold == NULL) {
		msg_put(s, h);
		return 1;
	}
	h->flags &= ~HF_RESPONDING;
	sy_http_parser_init(&m->p, SY_HTTP_REQUEST, s->conf.max_header);
	return 1;
}

/* The hold ran dry (parse_hold() said 0): give the block back between requests. */
static void
hold_empty(struct sy_http_server *s, sy_conn_t c, struct http_msg *m)
{
	struct http_conn *h = &s->conns[c];

	if (sy_http_parser_idle(&m->p)) {
		msg_put(s, h);
		if (h->flags & HF_PEER_CLOSED) {
			s->stats.closed_by_peer++;
			conn_close(s, c);
		}
		return;
	}
	if (h->flags & HF_PEER_CLOSED) {
		s->stats.incomplete_at_close++;
		s->stats.closed_by_peer++;
		conn_close(s, c);
	}
}

/* Moves connection @p c as far as it can go (see the top of the file). */
static void
conn_run(struct sy_http_server *s, sy_conn_t c)
{
	struct http_conn *h = &s->conns[c];

	while (!(h->flags & HF_CLOSED)) {
		if (h->msg == APP_MSG_NONE) {   /* between requests, nothing held */
			if (h->flags & HF_PEER_CLOSED) {
				s->stats.closed_by_peer++;
				conn_close(s, c);
			}
			return;
		}
		struct http_msg *m = msg_of(s, h);
		int rc;

		if (h->flags & HF_RESPONDING) {
			rc = conn_flush(s, c, m);
			if (rc <= 0 || response_sent(s, c, m) == 0)
				return;  /* blocked (writable resumes), aborted or closed */
			continue;
		}
		rc = parse_hold(h, m);
		if (rc < 0) {
			/* RFC 9112 3: a malformed request gets 400; we close after it */
			hold_trim(h, m, true);
			h->flags |= HF_CLOSE_AFTER;
			if (respond(s, c, R_400, C_CLOSE) < 0)
				return;
			continue;
		}
		if (rc == 0) {
			hold_empty(s, c, m);
			return;
		}
		if (answer(s, c) < 0)
			return;
	}
}

/* --- callbacks ----------------------------------------------------------------------- */

static void *
http_accepted(void *user, sy_conn_t c)
{
	struct sy_http_server *s = user;
	struct http_conn *h = &s->conns[c];

	s->stats.accepted++;
	h->msg = APP_MSG_NONE;
	h->hold_off = 0;
	h->flags = 0;
	return s;
}

static void
http_data(void *user, sy_conn_t c, struct rte_mbuf *m)
{
	struct sy_http_server *s = user;
	struct http_conn *h = &s->conns[c];
	struct http_msg *msg;

	s->stats.rx_bytes += rte_pktmbuf_pkt_len(m);
	if (h->flags & (HF_CLOSED | HF_CLOSE_AFTER)) {
		rte_pktmbuf_free(m);  /* nothing after a closing request is answered */
		return;
	}
	if (h->msg == APP_MSG_NONE && msg_take(s, h) < 0) {
		/* no block for this request: a reset the client sees, not a stall */
		rte_pktmbuf_free(m);
		conn_abort(s, c);
		return;
	}
	msg = msg_of(s, h);
	if (msg->hold == NULL)
		msg->hold = m;
	else
		rte_pktmbuf_lastseg(msg->hold)->next = m;
	conn_run(s, c);
}

static void
http_writable(void *user, sy_conn_t c)
{
	conn_run(user, c);
}

static void
http_peer_closed(void *user, sy_conn_t c)
{
	struct sy_http_server *s = user;

	s->conns[c].flags |= HF_PEER_CLOSED;
	conn_run(s, c);
}

static void
http_closed(void *user, sy_conn_t c, enum sy_tcp_close_reason why)
{
	struct sy_http_server *s = user;
	struct http_conn *h = &s->conns[c];

	s->stats.closed++;
	if (h->msg != APP_MSG_NONE)
		msg_put(s, h);
	h->flags = HF_CLOSED;
}

static const struct sy_tcp_ops http_ops = {
	.accepted = http_accepted,
	.data = http_data,
	.writable = http_writable,
	.peer_closed = http_peer_closed,
	.closed = http_closed,
};

static int
server_init(struct sy_http_server *s, const struct sy_http_server_conf *conf, int socket)
{
	/* the sizes docs/benchmarks.md counts: one line per message block */
	RTE_BUILD_BUG_ON(sizeof(struct http_conn) != 8);
	RTE_BUILD_BUG_ON(sizeof(struct http_msg) != RTE_CACHE_LINE_SIZE);
	if (conf->status < 100 || conf->status > 599 || conf->max_header == 0)
		return -EINVAL;
	s->conf = *conf;
	for (int r = 0; r < R_COUNT; r++)
		for (int c = 0; c < C_COUNT; c++)
			if (build_head(s, r, c) < 0)
				return -EINVAL;
	s->msgs = sy_arena_create("sy_http_msgs", sizeof(struct http_msg),
				  app_msgs_count(conf->max_messages, s->max_conns), socket);
	if (s->msgs == NULL)
		return -ENOMEM;
	s->msgv = *sy_arena_view(s->msgs);
	if (app_body_init(&s->body, socket) < 0)
		return -ENOMEM;
	s->body_ready = true;
	return 0;
}

struct sy_http_server *
sy_http_server_start(struct sy_tcp *tcp, rte_be16_t port,
		     const struct sy_http_server_conf *conf, uint32_t max_conns,
		     struct rte_mempool *pool, int socket)
{
	struct sy_http_server_conf defaults;
	struct sy_http_server *s = rte_zmalloc_socket("sy_http_server", sizeof(*s),
						      RTE_CACHE_LINE_SIZE, socket);
	int rc = -ENOMEM;

	if (conf == NULL) {
		sy_http_server_conf_defaults(&defaults);
		conf = &defaults;
	}
	if (s == NULL)
		goto fail;
	s->tcp = tcp;
	s->pool = pool;
	s->max_conns = max_conns;
	s->conns = rte_zmalloc_socket("sy_http_conns", sizeof(*s->conns) * max_conns,
				      RTE_CACHE_LINE_SIZE, socket);
	if (s->conns == NULL)
		goto fail;
	rc = server_init(s, conf, socket);
	if (rc < 0)
		goto fail;
	/* backlog sized to the engine: clients opening en masse are not a SYN flood */
	rc = sy_tcp_listen(tcp, 0, port, RTE_MAX(max_conns, 1024u), &http_ops, s);
	if (rc < 0)
		goto fail;
	return s;
fail:
	sy_http_server_free(s);
	rte_errno = -rc;
	return NULL;
}

void
sy_http_server_free(struct sy_http_server *s)
{
	if (s == NULL)
		return;
	for (uint32_t c = 0; s->conns != NULL && c < s->max_conns; c++)
		if (s->conns[c].msg != APP_MSG_NONE)
			msg_put(s, &s->conns[c]);
	if (s->body_ready)
		app_body_fini(&s->body);
	sy_arena_free(s->msgs);
	rte_free(s->conns);
	rte_free(s);
}

const struct sy_http_server_stats *
sy_http_server_stats(const struct sy_http_server *s)
{
	return &s->stats;
}

uint32_t
sy_http_server_msgs_in_use(const struct sy_http_server *s)
{
	return sy_arena_in_use(s->msgs);
}

uint32_t
sy_http_server_msgs_capacity(const struct sy_http_server *s)
{
	return sy_arena_capacity(s->msgs);
}
