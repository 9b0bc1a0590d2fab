/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * HTTP/1.1 server: see sy_http_server.h.
 *
 * Per connection (array indexed by the handle): the request parser, the received bytes not
 * parsed yet ("hold": a segment list and an offset into its first segment), the response
 * piece that sy_tcp_send() refused, and how many body bytes are still to be cut. One
 * function, conn_run(), moves a connection forward: flush the response in progress, then
 * parse the next request from the hold, answer it, repeat. It runs on data, writable and
 * peer-closed callbacks; it stops when the send buffer is full (and resumes on writable),
 * which also keeps pipelined requests in order.
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

/*
 * One connection, by handle: 80 bytes (docs/benchmarks.md, "Memory per idle connection").
 * Only the configured GET response has a body cut from the body block, so the offset of
 * its next piece is body_size - body_left and is not stored.
 */
struct http_conn {
	struct sy_http_parser p;
	struct rte_mbuf *hold;      /* received, not parsed yet (segment list) */
	struct rte_mbuf *pending;   /* refused by sy_tcp_send(): goes first */
	uint64_t body_left;         /* body bytes of the response in progress still to cut */
	uint16_t hold_off;          /* parsed bytes of hold's first segment */
	uint8_t flags;
};

struct sy_http_server {
	struct sy_tcp *tcp;
	struct rte_mempool *pool;
	struct sy_http_server_conf conf;
	uint32_t max_conns;
	struct http_conn *conns;
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

/* --- sending ------------------------------------------------------------------------- */

static void
conn_abort(struct sy_http_server *s, sy_conn_t c)
{
	struct http_conn *h = &s->conns[c];

	h->flags |= HF_CLOSED;
	sy_tcp_abort(s->tcp, c);
}

/* Sends @p m; 1 sent, 0 refused (kept as pending), -1 connection aborted. */
static int
send_piece(struct sy_http_server *s, sy_conn_t c, struct rte_mbuf *m)
{
	struct http_conn *h = &s->conns[c];
	uint32_t len = rte_pktmbuf_pkt_len(m);
	int rc = sy_tcp_send(s->tcp, c, m);

	if (rc == 0) {
		s->stats.tx_bytes += len;
		return 1;
	}
	if (rc == -EAGAIN) {
		h->pending = m;
		s->stats.send_deferred++;
		return 0;
	}
	rte_pktmbuf_free(m);
	s->stats.send_errors++;
	conn_abort(s, c);
	return -1;
}

/* Sends the response in progress; 1 when all of it is queued, 0 blocked, -1 aborted. */
static int
conn_flush(struct sy_http_server *s, sy_conn_t c)
{
	struct http_conn *h = &s->conns[c];

	if (h->pending != NULL) {
		struct rte_mbuf *m = h->pending;
		int rc;

		h->pending = NULL;
		rc = send_piece(s, c, m);
		if (rc <= 0)
			return rc;
	}
	while (h->body_left > 0) {
		struct rte_mbuf *m = app_body_piece(&s->body, s->pool,
						    s->conf.body_size - h->body_left, h->body_left);
		int rc;

		if (m == NULL) {
			s->stats.no_mbuf++;
			conn_abort(s, c);
			return -1;
		}
		h->body_left -= m->data_len;
		rc = send_piece(s, c, m);
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

/* Starts response @p r with Connection header @p ch; -1 when the connection was aborted. */
static int
respond(struct sy_http_server *s, sy_conn_t c, int r, int ch)
{
	struct http_conn *h = &s->conns[c];
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
	h->body_left = body;   /* non-zero only for R_CONF: see struct http_conn */
	count_status(s, r == R_400 ? 400 : r == R_405 ? 405 : s->conf.status);
	s->stats.responses_400 += r == R_400;
	s->stats.responses_405 += r == R_405;
	h->pending = m;
	return 0;
}

/* --- receiving ----------------------------------------------------------------------- */

/* Frees the hold's fully parsed segments and drops the rest when @p all. */
static void
hold_trim(struct http_conn *h, bool all)
{
	while (h->hold != NULL && (all || h->hold_off >= h->hold->data_len)) {
		struct rte_mbuf *next = h->hold->next;

		rte_pktmbuf_free_seg(h->hold);
		h->hold = next;
		h->hold_off = 0;
	}
}

/* Parses from the hold; 1 a request is complete, 0 need more, <0 parse error. */
static int
parse_hold(struct http_conn *h)
{
	while (h->hold != NULL) {
		struct rte_mbuf *seg = h->hold;
		int32_t n = sy_http_parser_feed(&h->p, rte_pktmbuf_mtod_offset(seg, char *,
								      h->hold_off),
						(uint32_t)(seg->data_len - h->hold_off));

		if (n < 0)
			return n;
		h->hold_off = (uint16_t)(h->hold_off + n);
		hold_trim(h, false);
		if (sy_http_parser_done(&h->p))
			return 1;
	}
	return 0;
}

/* Answers the request just parsed; -1 when the connection was aborted. */
static int
answer(struct sy_http_server *s, sy_conn_t c)
{
	struct http_conn *h = &s->conns[c];
	bool keep = sy_http_parser_keep_alive(&h->p);
	int ch = !keep ? C_CLOSE : sy_http_parser_minor(&h->p) == 0 ? C_KEEP_ALIVE : C_NONE;
	int r;

	s->stats.requests++;
	switch (sy_http_parser_method(&h->p)) {
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
	sy_http_parser_next(&h->p);
	return respond(s, c, r, ch);
}

static void
conn_close(struct sy_http_server *s, sy_conn_t c)
{
	struct http_conn *h = &s->conns[c];

	hold_trim(h, true);
	h->flags |= HF_CLOSED;
	sy_tcp_close(s->tcp, c);
}

/* Moves connection @p c as far as it can go (see the top of the file). */
static void
conn_run(struct sy_http_server *s, sy_conn_t c)
{
	struct http_conn *h = &s->conns[c];

	while (!(h->flags & HF_CLOSED)) {
		int rc = conn_flush(s, c);

		if (rc <= 0)
			return;  /* blocked (writable resumes) or aborted */
		if (h->flags & HF_CLOSE_AFTER) {
			s->stats.closed_after_response++;
			conn_close(s, c);
			return;
		}
		rc = parse_hold(h);
		if (rc < 0) {
			/* RFC 9112 3: a malformed request gets 400; we close after it */
			hold_trim(h, true);
			h->flags |= HF_CLOSE_AFTER;
			if (respond(s, c, R_400, C_CLOSE) < 0)
				return;
			continue;
		}
		if (rc == 0) {
			if (h->flags & HF_PEER_CLOSED) {
				if (!sy_http_parser_idle(&h->p))
					s->stats.incomplete_at_close++;
				s->stats.closed_by_peer++;
				conn_close(s, c);
			}
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
	sy_http_parser_init(&h->p, SY_HTTP_REQUEST, s->conf.max_header);
	h->hold = NULL;
	h->pending = NULL;
	h->body_left = 0;
	h->hold_off = 0;
	h->flags = 0;
	return s;
}

static void
http_data(void *user, sy_conn_t c, struct rte_mbuf *m)
{
	struct sy_http_server *s = user;
	struct http_conn *h = &s->conns[c];

	s->stats.rx_bytes += rte_pktmbuf_pkt_len(m);
	if (h->flags & (HF_CLOSED | HF_CLOSE_AFTER)) {
		rte_pktmbuf_free(m);  /* nothing after a closing request is answered */
		return;
	}
	if (h->hold == NULL)
		h->hold = m;
	else
		rte_pktmbuf_lastseg(h->hold)->next = m;
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
	hold_trim(h, true);
	rte_pktmbuf_free(h->pending);
	h->pending = NULL;
	h->body_left = 0;
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
	if (conf->status < 100 || conf->status > 599 || conf->max_header == 0)
		return -EINVAL;
	s->conf = *conf;
	for (int r = 0; r < R_COUNT; r++)
		for (int c = 0; c < C_COUNT; c++)
			if (build_head(s, r, c) < 0)
				return -EINVAL;
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
	for (uint32_t c = 0; s->conns != NULL && c < s->max_conns; c++) {
		hold_trim(&s->conns[c], true);
		rte_pktmbuf_free(s->conns[c].pending);
	}
	if (s->body_ready)
		app_body_fini(&s->body);
	rte_free(s->conns);
	rte_free(s);
}

const struct sy_http_server_stats *
sy_http_server_stats(const struct sy_http_server *s)
{
	return &s->stats;
}
