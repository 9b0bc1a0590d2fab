/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Load generator: configuration, pacing of opens, source tuple selection, think queue.
 * One connection's life is in loadgen_conn.c.
 *
 * Pacing is a token bucket on the worker's clock: credit grows by rate x elapsed, in
 * millionths of a connection per microsecond, so that a rate of 1 M/s adds exactly one
 * connection per microsecond and a rate of 3/s one every 333 ms. The bucket holds at most
 * max(1, rate / 1000) connections (1 ms worth): after a stall the generator catches up by
 * at most 1 ms of opens, it never bursts a second's worth. A token that finds
 * max_concurrent connections open is dropped and counted (rate_behind): the offered rate
 * was not achieved, and the command says so. At most OPEN_BURST opens per poll keep one
 * iteration of the worker loop short.
 *
 * Source tuples: with a port range, (address, port) advances round robin over
 * src_ip_count x (hi - lo + 1) tuples, so the tuple tried next is the one used longest
 * ago; a tuple still in use (-EADDRINUSE: open or in TIME-WAIT) is skipped, up to
 * TUPLE_TRIES in a row, after which the open is counted as port_exhausted.
 */
#include "loadgen_priv.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <rte_errno.h>
#include <rte_malloc.h>

#define NAME_STRING(name) #name,
const char *const sy_loadgen_stats_names[] = { SY_LOADGEN_STATS(NAME_STRING) };
const uint32_t sy_loadgen_stats_count = RTE_DIM(sy_loadgen_stats_names);
#undef NAME_STRING

#define OPEN_BURST 64
#define TUPLE_TRIES 64
#define FILTER_TRIES (64 * 64)   /* with a tuple filter: one queue in 64 still opens */
#define MICRO 1000000ull

void
sy_loadgen_conf_defaults(struct sy_loadgen_conf *conf)
{
	memset(conf, 0, sizeof(*conf));
	conf->dst_ip_count = 1;
	conf->dst_port = rte_cpu_to_be_16(80);
	conf->src_ip_count = 1;
	conf->max_concurrent = 1;
	conf->requests_per_conn = 1;
	conf->proto = SY_LOADGEN_HTTP;
	conf->path = "/";
	conf->expect_body = -1;
	conf->closer = SY_LOADGEN_CLIENT_CLOSES;
	conf->max_header = SY_HTTP_MAX_HEADER_DEFAULT;
}

static int
conf_check(const struct sy_loadgen_conf *c)
{
	if (c->think_us > SY_LOADGEN_THINK_MAX_US)
		return -EINVAL;
	if (c->max_conns == 0 || c->max_concurrent == 0 || c->dst_ip_count == 0 ||
	    c->src_ip_count == 0 || c->dst_ip == 0 || c->max_header == 0)
		return -EINVAL;
	if (c->src_port_lo > c->src_port_hi || (c->src_port_lo == 0 && c->src_port_hi != 0))
		return -EINVAL;
	if (c->proto == SY_LOADGEN_RAW && c->request_size == 0)
		return -EINVAL;
	if (c->proto == SY_LOADGEN_HTTP && (c->path == NULL || c->path[0] == '\0'))
		return -EINVAL;
	return 0;
}

/* The two request heads: plain, and with "Connection: close" (RFC 9112 9.6). */
static int
build_requests(struct sy_loadgen *l)
{
	char host[16];
	const char *h = l->conf.host;

	if (h == NULL) {
		uint32_t a = rte_be_to_cpu_32(l->conf.dst_ip);

		snprintf(host, sizeof(host), "%u.%u.%u.%u", a >> 24, (a >> 16) & 0xff,
			 (a >> 8) & 0xff, a & 0xff);
		h = host;
	}
	for (int v = 0; v < 2; v++) {
		int n = snprintf(l->req[v], LG_REQ_MAX,
				 "GET %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: synack\r\n%s\r\n",
				 l->conf.path, h, v ? "Connection: close\r\n" : "");

		if (n < 0 || n >= LG_REQ_MAX)
			return -EINVAL;
		l->req_len[v] = (uint16_t)n;
	}
	return 0;
}

static int
lg_init(struct sy_loadgen *l, int socket)
{
	uint32_t size = 1;

	/* the sizes docs/benchmarks.md counts: one line per message block */
	RTE_BUILD_BUG_ON(sizeof(struct lg_conn) != 20);
	RTE_BUILD_BUG_ON(sizeof(struct lg_msg) > RTE_CACHE_LINE_SIZE);

	while (size <= l->conf.max_concurrent)
		size <<= 1;
	l->think_size = size;
	l->conc_max = l->conf.max_concurrent;
	l->conns = rte_zmalloc_socket("sy_lg_conns", sizeof(*l->conns) * l->conf.max_conns,
				      RTE_CACHE_LINE_SIZE, socket);
	l->think = rte_zmalloc_socket("sy_lg_think", sizeof(*l->think) * size, 0, socket);
	/* a block per open connection at most: never more than max_concurrent are open */
	l->msgs = sy_arena_create("sy_lg_msgs", sizeof(struct lg_msg),
				  RTE_MIN(app_msgs_count(l->conf.max_messages, l->conf.max_conns),
					  l->conc_max), socket);
	if (l->conns == NULL || l->think == NULL || l->msgs == NULL)
		return -ENOMEM;
	l->msgv = *sy_arena_view(l->msgs);
	if (l->conf.proto == SY_LOADGEN_HTTP && build_requests(l) < 0)
		return -EINVAL;
	if (app_body_init(&l->body, socket) < 0)
		return -ENOMEM;
	l->body_ready = true;
	for (int i = 0; i < SY_LOADGEN_HIST_COUNT; i++)
		sy_hist_init(&l->hist[i]);
	l->credit_max = l->conf.rate / 1000 > 1 ? l->conf.rate / 1000 * MICRO : MICRO;
	l->last_us = lg_now(l);
	l->src_port = l->conf.src_port_lo;
	return 0;
}

struct sy_loadgen *
sy_loadgen_create(const struct sy_loadgen_conf *conf, struct sy_tcp *tcp,
		  const struct sy_clock *clock, struct rte_mempool *pool, int socket)
{
	struct sy_loadgen *l;
	int rc = conf_check(conf);

	if (rc < 0) {
		rte_errno = -rc;
		return NULL;
	}
	l = rte_zmalloc_socket("sy_loadgen", sizeof(*l), RTE_CACHE_LINE_SIZE, socket);
	if (l == NULL) {
		rte_errno = ENOMEM;
		return NULL;
	}
	l->conf = *conf;
	l->tcp = tcp;
	l->clock = clock;
	l->pool = pool;
	rc = lg_init(l, socket);
	if (rc < 0) {
		sy_loadgen_free(l);
		rte_errno = -rc;
		return NULL;
	}
	return l;
}

/* --- opening ------------------------------------------------------------------------- */

static void
tuple_advance(struct sy_loadgen *l)
{
	l->src_idx = (l->src_idx + 1) % l->conf.src_ip_count;
	if (l->src_idx == 0 && l->conf.src_port_lo != 0)
		l->src_port = l->src_port >= l->conf.src_port_hi ? l->conf.src_port_lo :
			      l->src_port + 1;
}

static rte_be32_t
ip_add(rte_be32_t base, uint32_t i)
{
	return rte_cpu_to_be_32(rte_be_to_cpu_32(base) + i);
}

/* One connect(); 0 opened, -EADDRNOTAVAIL no tuple free, other <0 error. */
static int
open_one(struct sy_loadgen *l)
{
	rte_be32_t dst = ip_add(l->conf.dst_ip, l->dst_idx);
	uint32_t tries = !l->conf.src_port_lo ? 1 : l->conf.tuple_ok ? FILTER_TRIES : TUPLE_TRIES;
	sy_conn_t c;
	int rc = -EADDRNOTAVAIL;

	for (uint32_t t = 0; t < tries; t++) {
		rte_be32_t src = ip_add(l->conf.src_ip, l->src_idx);
		rte_be16_t sport = rte_cpu_to_be_16((uint16_t)l->src_port);

		if (l->conf.tuple_ok != NULL && l->conf.src_port_lo != 0 &&
		    !l->conf.tuple_ok(l->conf.tuple_arg, src, sport, dst, l->conf.dst_port)) {
			l->stats.tuples_filtered++;
			tuple_advance(l);
			continue;
		}
		rc = sy_tcp_connect(l->tcp, src, sport, dst, l->conf.dst_port, &lg_ops, l, &c);
		tuple_advance(l);
		if (rc != -EADDRINUSE)
			break;
	}
	if (rc == -EADDRINUSE || rc == -EADDRNOTAVAIL) {
		l->stats.port_exhausted++;
		return -EADDRNOTAVAIL;
	}
	if (rc < 0) {
		l->stats.connect_errors++;
		return rc;
	}
	l->dst_idx = (l->dst_idx + 1) % l->conf.dst_ip_count;
	l->stats.conns_opened++;
	lg_conn_opened(l, c);
	return 0;
}

static bool
may_open(const struct sy_loadgen *l)
{
	return !l->stopping &&
	       (l->conf.total_conns == 0 || l->stats.conns_opened < l->conf.total_conns);
}

static void
pace(struct sy_loadgen *l, uint64_t now)
{
	unsigned int n = 0;

	if (l->conf.rate == 0) {
		while (n++ < OPEN_BURST && may_open(l) && l->active < l->conf.max_concurrent)
			if (open_one(l) < 0)
				return;
		return;
	}
	l->credit += (now - l->last_us) * l->conf.rate;
	l->last_us = now;
	if (l->credit > l->credit_max)
		l->credit = l->credit_max;
	while (l->credit >= MICRO && n++ < OPEN_BURST && may_open(l)) {
		l->credit -= MICRO;
		if (l->active >= l->conf.max_concurrent) {
			l->stats.rate_behind++;
			continue;
		}
		if (open_one(l) == -EADDRNOTAVAIL)
			return;
	}
}

/* Sends the requests whose think time is over (the queue is in wake order). */
static void
think_drain(struct sy_loadgen *l, uint64_t now)
{
	while (l->think_head != l->think_tail) {
		struct lg_think *t = &l->think[l->think_head & (l->think_size - 1)];
		struct lg_conn *lc = &l->conns[t->c];

		/* modulo 2^32: think_us < 2^31, so the sign of the difference is the order */
		if ((int32_t)(t->wake_us - (uint32_t)now) > 0)
			return;
		l->think_head++;
		if (lc->state == LC_THINK && lc->serial == t->serial)
			lg_conn_request(l, t->c);
	}
}

void
sy_loadgen_poll(struct sy_loadgen *l)
{
	uint64_t now = lg_now(l);

	if (now < l->last_us)
		l->last_us = now;
	think_drain(l, now);
	if (may_open(l))
		pace(l, now);
	else
		l->last_us = now;
}

void
sy_loadgen_set_limits(struct sy_loadgen *l, uint64_t rate, uint32_t max_concurrent)
{
	if (rate != 0 && l->conf.rate != 0) {
		l->conf.rate = rate;
		l->credit_max = rate / 1000 > 1 ? rate / 1000 * MICRO : MICRO;
	}
	/* the think ring holds at most the concurrency it was made for */
	if (max_concurrent != 0)
		l->conf.max_concurrent = RTE_MIN(max_concurrent, l->conc_max);
}

void
sy_loadgen_stop_opening(struct sy_loadgen *l)
{
	l->stopping = true;
}

uint32_t
sy_loadgen_active(const struct sy_loadgen *l)
{
	return l->active;
}

bool
sy_loadgen_done(const struct sy_loadgen *l)
{
	return !may_open(l) && l->active == 0;
}

void
sy_loadgen_abort_all(struct sy_loadgen *l)
{
	l->stopping = true;
	for (sy_conn_t c = 0; c < l->conf.max_conns && l->active > 0; c++) {
		if (l->conns[c].state == LC_FREE)
			continue;
		l->stats.aborted++;
		l->conns[c].state = LC_CLOSING;
		if (sy_tcp_abort(l->tcp, c) < 0) {
			/* the engine no longer knows it (closed already delivered elsewhere) */
			if (l->conns[c].msg != APP_MSG_NONE)
				lg_msg_put(l, &l->conns[c]);
			l->conns[c].state = LC_FREE;
			l->active--;
		}
	}
}

const struct sy_loadgen_stats *
sy_loadgen_stats(const struct sy_loadgen *l)
{
	return &l->stats;
}

uint32_t
sy_loadgen_msgs_in_use(const struct sy_loadgen *l)
{
	return sy_arena_in_use(l->msgs);
}

uint32_t
sy_loadgen_msgs_capacity(const struct sy_loadgen *l)
{
	return sy_arena_capacity(l->msgs);
}

const struct sy_hist *
sy_loadgen_hist(const struct sy_loadgen *l, enum sy_loadgen_hist_kind which)
{
	return which < SY_LOADGEN_HIST_COUNT ? &l->hist[which] : NULL;
}

void
sy_loadgen_free(struct sy_loadgen *l)
{
	if (l == NULL)
		return;
	for (uint32_t c = 0; l->conns != NULL && l->msgs != NULL && c < l->conf.max_conns; c++)
		if (l->conns[c].msg != APP_MSG_NONE)
			lg_msg_put(l, &l->conns[c]);
	if (l->body_ready)
		app_body_fini(&l->body);
	sy_arena_free(l->msgs);
	rte_free(l->conns);
	rte_free(l->think);
	rte_free(l);
}
