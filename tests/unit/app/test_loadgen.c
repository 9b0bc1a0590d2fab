/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The HTTP server and the load generator against each other: two complete stacks (net +
 * TCP) in one process, joined by two fake wires; every frame one side emits is handed to
 * the other's sy_net_input() and sy_tcp_input(). Both virtual clocks move together.
 */
#include <stdlib.h>
#include <string.h>
#include <criterion/criterion.h>
#include <rte_errno.h>
#include <rte_ether.h>
#include <rte_ip.h>

#include "http_parse.h"
#include "sy_app_server.h"
#include "sy_http_server.h"
#include "sy_loadgen.h"
#include "sy_net.h"
#include "sy_tcp.h"
#include "sy_test.h"

#define CLI_IP 0x0a000001u
#define SRV_IP 0x0a000002u
#define PORT 80
#define MAX_CONNS 256

struct side {
	struct rte_mempool *pool;
	struct sy_clock clock;
	struct sy_test_wire wire;
	struct sy_txq txq;
	struct sy_net *net;
	struct sy_tcp *tcp;
};

static struct side cli, srv;
static struct sy_http_server *hs;
static struct sy_app_server *es;
static uint64_t done_at;
static struct sy_loadgen *lg;
static unsigned int syns_seen, syns_odd_sport;   /* client SYNs on the wire */
static uint64_t now_us;

static const struct rte_ether_addr cli_mac = {{ 0x02, 0, 0, 0, 0, 0x11 }};
static const struct rte_ether_addr srv_mac = {{ 0x02, 0, 0, 0, 0, 0x22 }};

static void
side_up(struct side *s, const char *name, uint32_t ip, const struct rte_ether_addr *mac,
	uint32_t peer_ip, const struct rte_ether_addr *peer_mac)
{
	struct sy_net_conf nc;
	struct sy_tcp_conf tc;

	s->pool = sy_test_pool(8191);
	sy_clock_init_virtual(&s->clock, now_us);
	sy_test_wire_attach(&s->wire, &s->txq);
	sy_net_conf_defaults(&nc);
	nc.mac = *mac;
	nc.addr_first = rte_cpu_to_be_32(ip);
	nc.addr_count = 1;
	nc.prefix_len = 24;
	nc.mtu = 1500;
	s->net = sy_net_create(&nc, &s->txq, s->pool, SOCKET_ID_ANY);
	cr_assert_not_null(s->net);
	cr_assert_eq(sy_net_arp_add_static(s->net, rte_cpu_to_be_32(peer_ip), peer_mac), 0);
	sy_tcp_conf_defaults(&tc);
	tc.max_conns = MAX_CONNS;
	tc.max_time_wait = 4096;
	s->tcp = sy_tcp_create(name, &tc, s->net, s->pool, &s->clock, SOCKET_ID_ANY);
	cr_assert_not_null(s->tcp);
}

static void
setup(void)
{
	static unsigned int seq;
	char name[32];

	sy_test_eal_init();
	now_us = 1000000;
	snprintf(name, sizeof(name), "lgc%u", seq);
	side_up(&cli, name, CLI_IP, &cli_mac, SRV_IP, &srv_mac);
	snprintf(name, sizeof(name), "lgs%u", seq++);
	side_up(&srv, name, SRV_IP, &srv_mac, CLI_IP, &cli_mac);
	hs = NULL;
	es = NULL;
	lg = NULL;
	syns_seen = syns_odd_sport = 0;
}

static void
side_down(struct side *s)
{
	sy_net_free(s->net);
	sy_test_wire_clear(&s->wire, &s->txq);
	sy_test_pool_check_and_free(s->pool);
}

static void
teardown(void)
{
	/* engines first: their teardown may still call the applications back */
	sy_tcp_free(cli.tcp);
	sy_tcp_free(srv.tcp);
	sy_loadgen_free(lg);
	sy_http_server_free(hs);
	sy_app_server_free(es);
	side_down(&cli);
	side_down(&srv);
}

TestSuite(loadgen, .init = setup, .fini = teardown, .timeout = 120);

/* Moves every frame from @p from's wire into @p to; returns how many. */

static void
note_syn(const struct rte_mbuf *m)
{
	const uint8_t *p = rte_pktmbuf_mtod(m, const uint8_t *);

	/* Ethernet 14 + IPv4 20: TCP source port at 34, flags at 47 */
	if (rte_pktmbuf_data_len(m) >= 54 && p[23] == IPPROTO_TCP && (p[47] & 0x12) == 0x02) {
		syns_seen++;
		syns_odd_sport += p[35] & 1;
	}
}

static unsigned int
deliver(struct side *from, struct side *to)
{
	struct rte_mbuf *m;
	unsigned int n = 0;

	while ((m = sy_test_wire_pop(&from->wire, &from->txq)) != NULL) {
		n++;
		if (from == &cli)
			note_syn(m);
		if (sy_net_input(to->net, m, sy_clock_ms(&to->clock)) == SY_NET_RX_TCP)
			sy_tcp_input(to->tcp, m);
	}
	return n;
}

/* One loop iteration of both workers, then time moves by @p step_us. */
static unsigned int
step(uint64_t step_us)
{
	unsigned int moved = 0;

	if (lg != NULL)
		sy_loadgen_poll(lg);
	for (int i = 0; i < 64; i++) {
		unsigned int n = deliver(&cli, &srv) + deliver(&srv, &cli);

		moved += n;
		if (n == 0)
			break;
	}
	now_us += step_us;
	sy_clock_set(&cli.clock, now_us);
	sy_clock_set(&srv.clock, now_us);
	sy_tcp_poll(cli.tcp);
	sy_tcp_poll(srv.tcp);
	sy_net_poll(cli.net, sy_clock_ms(&cli.clock));
	sy_net_poll(srv.net, sy_clock_ms(&srv.clock));
	return moved;
}

static void
run_until_done(uint64_t max_us)
{
	uint64_t end = now_us + max_us;

	while (!sy_loadgen_done(lg) && now_us < end)
		step(10);
	cr_assert(sy_loadgen_done(lg), "load generator not done: %u active",
		  sy_loadgen_active(lg));
	done_at = now_us;
	/* let the last FINs and ACKs settle */
	for (int i = 0; i < 100; i++)
		step(1000);
}

static void
server_start(uint64_t body, uint16_t status)
{
	struct sy_http_server_conf sc;

	sy_http_server_conf_defaults(&sc);
	sc.body_size = body;
	sc.status = status;
	hs = sy_http_server_start(srv.tcp, rte_cpu_to_be_16(PORT), &sc, MAX_CONNS, srv.pool,
				  SOCKET_ID_ANY);
	cr_assert_not_null(hs);
}

static void
client_conf(struct sy_loadgen_conf *c)
{
	sy_loadgen_conf_defaults(c);
	c->max_conns = MAX_CONNS;
	c->dst_ip = rte_cpu_to_be_32(SRV_IP);
	c->dst_port = rte_cpu_to_be_16(PORT);
	c->src_ip = rte_cpu_to_be_32(CLI_IP);
}

static void
client_start(const struct sy_loadgen_conf *c)
{
	lg = sy_loadgen_create(c, cli.tcp, &cli.clock, cli.pool, SOCKET_ID_ANY);
	cr_assert_not_null(lg);
}

static void
assert_no_errors(void)
{
	const struct sy_loadgen_stats *s = sy_loadgen_stats(lg);

	cr_assert_eq(s->response_errors, 0, "response errors: status %lu length %lu parse %lu "
		     "premature %lu", s->response_bad_status, s->response_bad_length,
		     s->response_parse_error, s->response_premature_close);
	cr_assert_eq(s->conns_failed, 0);
	cr_assert_eq(s->connect_errors, 0);
}

Test(loadgen, short_http_connections_all_get_valid_responses)
{
	struct sy_loadgen_conf c;

	server_start(100, 200);
	client_conf(&c);
	c.max_concurrent = 16;
	c.total_conns = 200;
	c.expect_body = 100;
	client_start(&c);
	run_until_done(10 * 1000000);

	const struct sy_loadgen_stats *s = sy_loadgen_stats(lg);
	const struct sy_http_server_stats *ss = sy_http_server_stats(hs);

	assert_no_errors();
	cr_assert_eq(s->conns_opened, 200);
	cr_assert_eq(s->conns_established, 200);
	cr_assert_eq(s->conns_closed, 200);
	cr_assert_eq(s->requests_sent, 200);
	cr_assert_eq(s->responses_ok, 200);
	cr_assert_eq(ss->requests, 200);
	cr_assert_eq(ss->responses_2xx, 200);
	cr_assert_eq(ss->accepted, 200);
	cr_assert_eq(sy_hist_count(sy_loadgen_hist(lg, SY_LOADGEN_HIST_CONNECT)), 200);
	cr_assert_eq(sy_hist_count(sy_loadgen_hist(lg, SY_LOADGEN_HIST_TTFB)), 200);
	cr_assert_eq(sy_hist_count(sy_loadgen_hist(lg, SY_LOADGEN_HIST_RESPONSE)), 200);
}

Test(loadgen, keep_alive_connections_carry_m_requests_each)
{
	struct sy_loadgen_conf c;

	server_start(1000, 200);
	client_conf(&c);
	c.max_concurrent = 5;
	c.total_conns = 20;
	c.requests_per_conn = 10;
	c.expect_body = 1000;
	client_start(&c);
	run_until_done(10 * 1000000);

	const struct sy_loadgen_stats *s = sy_loadgen_stats(lg);
	const struct sy_http_server_stats *ss = sy_http_server_stats(hs);

	assert_no_errors();
	cr_assert_eq(s->responses_ok, 200);
	cr_assert_eq(ss->accepted, 20, "10 requests share each connection");
	cr_assert_eq(ss->requests, 200);
	cr_assert_eq(ss->closed_after_response, 0, "the client closes");
}

Test(loadgen, server_closes_when_the_last_request_says_connection_close)
{
	struct sy_loadgen_conf c;

	server_start(10, 200);
	client_conf(&c);
	c.max_concurrent = 4;
	c.total_conns = 12;
	c.requests_per_conn = 3;
	c.closer = SY_LOADGEN_SERVER_CLOSES;
	c.expect_body = 10;
	client_start(&c);
	run_until_done(10 * 1000000);

	assert_no_errors();
	cr_assert_eq(sy_loadgen_stats(lg)->responses_ok, 36);
	cr_assert_eq(sy_http_server_stats(hs)->requests, 36);
	cr_assert_eq(sy_http_server_stats(hs)->closed_after_response, 12);
}

Test(loadgen, one_mib_body_spanning_many_segments_is_one_valid_response)
{
	struct sy_loadgen_conf c;

	server_start(1u << 20, 200);
	client_conf(&c);
	c.total_conns = 1;
	c.expect_body = 1 << 20;
	client_start(&c);
	run_until_done(30 * 1000000);

	const struct sy_loadgen_stats *s = sy_loadgen_stats(lg);

	assert_no_errors();
	cr_assert_eq(s->responses_ok, 1);
	cr_assert_gt(s->bytes_rx, 1u << 20);
	cr_assert_gt(sy_tcp_stats(srv.tcp)->tx_segs, (1u << 20) / 1460);
	cr_assert_eq(sy_hist_count(sy_loadgen_hist(lg, SY_LOADGEN_HIST_RESPONSE)), 1);
}

Test(loadgen, wrong_body_length_and_status_are_response_errors)
{
	struct sy_loadgen_conf c;

	server_start(99, 503);
	client_conf(&c);
	c.total_conns = 3;
	c.expect_body = 99;
	client_start(&c);
	run_until_done(10 * 1000000);
	cr_assert_eq(sy_loadgen_stats(lg)->response_bad_status, 3);
	cr_assert_eq(sy_loadgen_stats(lg)->responses_ok, 0);
	cr_assert_eq(sy_http_server_stats(hs)->responses_5xx, 3);
}

Test(loadgen, expected_length_mismatch_is_bad_length)
{
	struct sy_loadgen_conf c;

	server_start(50, 200);
	client_conf(&c);
	c.total_conns = 2;
	c.expect_body = 51;
	client_start(&c);
	run_until_done(10 * 1000000);
	cr_assert_eq(sy_loadgen_stats(lg)->response_bad_length, 2);
	cr_assert_eq(sy_loadgen_stats(lg)->responses_ok, 0);
}

Test(loadgen, pacer_spreads_opens_at_the_configured_rate)
{
	struct sy_loadgen_conf c;

	server_start(0, 200);
	client_conf(&c);
	c.rate = 1000;             /* one per millisecond */
	c.max_concurrent = 64;
	client_start(&c);
	uint64_t start = now_us;

	while (now_us - start < 100000)
		step(10);
	uint64_t opened = sy_loadgen_stats(lg)->conns_opened;

	cr_assert(opened >= 99 && opened <= 101, "opened %lu in 100 ms at 1000/s", opened);
	sy_loadgen_stop_opening(lg);
	run_until_done(10 * 1000000);
	assert_no_errors();
	cr_assert_eq(sy_loadgen_stats(lg)->rate_behind, 0);
}

Test(loadgen, max_concurrent_caps_the_rate_and_counts_rate_behind)
{
	struct sy_loadgen_conf c;

	server_start(0, 200);
	client_conf(&c);
	c.rate = 1000000;          /* 10 tokens per 10 us step */
	c.max_concurrent = 2;
	client_start(&c);
	for (int i = 0; i < 100; i++)
		step(10);
	const struct sy_loadgen_stats *s = sy_loadgen_stats(lg);
	uint64_t used = s->conns_opened + s->rate_behind + s->port_exhausted;

	cr_assert_gt(s->rate_behind, 0);
	cr_assert_leq(s->conns_opened, 2 * 100, "never more than 2 open per step");
	cr_assert(used >= 980 && used <= 1000, "every token is an open or counted: %lu", used);
	sy_loadgen_stop_opening(lg);
	run_until_done(10 * 1000000);
	assert_no_errors();
}

Test(loadgen, small_source_port_range_runs_out_and_is_counted)
{
	struct sy_loadgen_conf c;

	server_start(0, 200);
	client_conf(&c);
	c.src_port_lo = 40000;
	c.src_port_hi = 40003;     /* 4 tuples, held by open keep-alive connections */
	c.total_conns = 10;
	c.max_concurrent = 10;
	c.requests_per_conn = 0;
	c.think_us = 1000000;
	client_start(&c);
	for (int i = 0; i < 2000; i++)
		step(10);
	const struct sy_loadgen_stats *s = sy_loadgen_stats(lg);

	cr_assert_eq(s->conns_opened, 4, "opened %lu", s->conns_opened);
	cr_assert_gt(s->port_exhausted, 0);
	cr_assert_eq(s->responses_ok, 4);
	cr_assert_eq(sy_loadgen_active(lg), 4);
	sy_loadgen_stop_opening(lg);
	run_until_done(10 * 1000000);
}

/* One connection, five requests 20 ms apart: the four think times pass, and no more. */
static void
five_requests_20ms_apart(void)
{
	struct sy_loadgen_conf c;

	server_start(0, 200);
	client_conf(&c);
	c.total_conns = 1;
	c.requests_per_conn = 5;
	c.think_us = 20000;
	client_start(&c);
	uint64_t start = now_us;

	run_until_done(10 * 1000000);
	assert_no_errors();
	cr_assert_eq(sy_loadgen_stats(lg)->responses_ok, 5);
	cr_assert_geq(done_at - start, 4 * 20000, "took %lu us", done_at - start);
	cr_assert_lt(done_at - start, 4 * 20000 + 10000);
}

Test(loadgen, think_time_spaces_requests)
{
	five_requests_20ms_apart();
}

Test(loadgen, raw_requests_against_the_echo_server_come_back_whole)
{
	struct sy_loadgen_conf c;

	es = sy_app_server_start(srv.tcp, SY_APP_ECHO, rte_cpu_to_be_16(PORT), MAX_CONNS,
				 SOCKET_ID_ANY);
	cr_assert_not_null(es);
	client_conf(&c);
	c.proto = SY_LOADGEN_RAW;
	c.request_size = 100000;   /* two body pieces, many segments */
	c.response_size = 100000;
	c.requests_per_conn = 3;
	c.total_conns = 4;
	c.max_concurrent = 2;
	c.closer = SY_LOADGEN_SERVER_CLOSES;
	client_start(&c);
	run_until_done(30 * 1000000);

	const struct sy_loadgen_stats *s = sy_loadgen_stats(lg);

	assert_no_errors();
	cr_assert_eq(s->responses_ok, 12);
	cr_assert_eq(s->bytes_tx, 12 * 100000);
	cr_assert_eq(s->bytes_rx, 12 * 100000);
	cr_assert_eq(sy_app_server_stats(es)->rx_bytes, 12 * 100000);
}

/* --- the server against a hand-driven client ----------------------------------------- */

struct raw_client {
	uint8_t buf[1 << 16];
	uint32_t len;
	bool connected, peer_closed, closed;
	enum sy_tcp_close_reason why;
};

static void
rc_connected(void *user, sy_conn_t c)
{
	((struct raw_client *)user)->connected = true;
}

static void
rc_data(void *user, sy_conn_t c, struct rte_mbuf *m)
{
	struct raw_client *r = user;
	uint32_t n = rte_pktmbuf_pkt_len(m);

	cr_assert_leq(r->len + n, sizeof(r->buf));
	const void *p = rte_pktmbuf_read(m, 0, n, r->buf + r->len);

	cr_assert_not_null(p);
	if (p != r->buf + r->len)
		memcpy(r->buf + r->len, p, n);
	r->len += n;
	rte_pktmbuf_free(m);
}

static void
rc_peer_closed(void *user, sy_conn_t c)
{
	((struct raw_client *)user)->peer_closed = true;
}

static void
rc_closed(void *user, sy_conn_t c, enum sy_tcp_close_reason why)
{
	((struct raw_client *)user)->closed = true;
	((struct raw_client *)user)->why = why;
}

static const struct sy_tcp_ops rc_ops = {
	.connected = rc_connected, .data = rc_data, .peer_closed = rc_peer_closed,
	.closed = rc_closed,
};

static sy_conn_t
raw_connect(struct raw_client *r)
{
	sy_conn_t c;

	cr_assert_eq(sy_tcp_connect(cli.tcp, rte_cpu_to_be_32(CLI_IP), 0,
				    rte_cpu_to_be_32(SRV_IP), rte_cpu_to_be_16(PORT), &rc_ops,
				    r, &c), 0);
	for (int i = 0; i < 100 && !r->connected; i++)
		step(10);
	cr_assert(r->connected);
	return c;
}

static void
raw_send(sy_conn_t c, const char *text)
{
	uint32_t len = (uint32_t)strlen(text);
	struct rte_mbuf *m = sy_test_mbuf_from(cli.pool, text, (uint16_t)len);

	cr_assert_eq(sy_tcp_send(cli.tcp, c, m), 0);
}

Test(loadgen, malformed_request_gets_400_and_a_close)
{
	static struct raw_client r;
	const char *want = "HTTP/1.1 400 Bad Request\r\n";

	memset(&r, 0, sizeof(r));
	server_start(10, 200);
	sy_conn_t c = raw_connect(&r);

	raw_send(c, "GET / HTTP/1.1\r\nBad Header\r\n\r\n");
	for (int i = 0; i < 1000 && !r.peer_closed; i++)
		step(100);
	cr_assert(r.peer_closed, "the server closes after the 400");
	cr_assert_geq(r.len, strlen(want));
	cr_assert(memcmp(r.buf, want, strlen(want)) == 0, "%.*s", (int)r.len, r.buf);
	cr_assert(memmem(r.buf, r.len, "Connection: close\r\n", 19) != NULL);
	cr_assert_eq(sy_http_server_stats(hs)->responses_400, 1);
	cr_assert_eq(sy_http_server_stats(hs)->requests, 0);
	sy_tcp_close(cli.tcp, c);
	for (int i = 0; i < 100; i++)
		step(1000);
	cr_assert(r.closed);
}

/* Parses the responses in @p r; HEAD positions say which ones have no body. */
static unsigned int
parse_responses(const struct raw_client *r, const bool *head, uint16_t *status,
		uint64_t *body, unsigned int max)
{
	struct sy_http_parser p;
	uint32_t off = 0;
	unsigned int n = 0;

	sy_http_parser_init(&p, SY_HTTP_RESPONSE, 8192);
	if (head[0])
		sy_http_parser_expect_no_body(&p);
	while (off < r->len && n < max) {
		int32_t k = sy_http_parser_feed(&p, r->buf + off, r->len - off);

		cr_assert_geq(k, 0, "response parse error %s", sy_http_strerror(k));
		off += (uint32_t)k;
		if (sy_http_parser_done(&p)) {
			status[n] = sy_http_parser_status(&p);
			body[n++] = sy_http_parser_body_bytes(&p);
			sy_http_parser_next(&p);
			if (n < max && head[n])
				sy_http_parser_expect_no_body(&p);
		}
	}
	cr_assert_eq(off, r->len, "bytes after the last response");
	return n;
}

Test(loadgen, pipelined_requests_are_answered_in_order)
{
	static struct raw_client r;
	const bool head[4] = { false, true, false, false };
	uint16_t status[4];
	uint64_t body[4];

	memset(&r, 0, sizeof(r));
	server_start(3000, 200);
	sy_conn_t c = raw_connect(&r);

	/* one segment, four requests; the last asks to close */
	raw_send(c, "GET /a HTTP/1.1\r\nHost: x\r\n\r\nHEAD /b HTTP/1.1\r\n\r\n"
		    "POST /c HTTP/1.1\r\nContent-Length: 4\r\n\r\nabcd"
		    "GET /d HTTP/1.1\r\nConnection: close\r\n\r\n");
	for (int i = 0; i < 1000 && !r.peer_closed; i++)
		step(100);
	cr_assert(r.peer_closed, "Connection: close honoured");
	cr_assert_eq(parse_responses(&r, head, status, body, 4), 4);
	cr_assert_eq(status[0], 200);
	cr_assert_eq(body[0], 3000);
	cr_assert_eq(status[1], 200);
	cr_assert_eq(body[1], 0);
	cr_assert_eq(status[2], 405);
	cr_assert_eq(status[3], 200);
	cr_assert_eq(body[3], 3000);
	cr_assert_eq(sy_http_server_stats(hs)->requests, 4);
	sy_tcp_close(cli.tcp, c);
	for (int i = 0; i < 100; i++)
		step(1000);
}

Test(loadgen, request_split_byte_by_byte_is_answered_once)
{
	static struct raw_client r;
	const char *req = "GET /split HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
	const bool head[1] = { false };
	uint16_t status[1];
	uint64_t body[1];

	memset(&r, 0, sizeof(r));
	server_start(5, 200);
	sy_conn_t c = raw_connect(&r);

	sy_tcp_set_nodelay(cli.tcp, c, true);
	for (size_t i = 0; i < strlen(req); i++) {
		char one[2] = { req[i], 0 };

		raw_send(c, one);
		step(100);
	}
	for (int i = 0; i < 1000 && !r.peer_closed; i++)
		step(100);
	cr_assert_eq(parse_responses(&r, head, status, body, 1), 1);
	cr_assert_eq(body[0], 5);
	cr_assert_eq(sy_http_server_stats(hs)->requests, 1);
	sy_tcp_close(cli.tcp, c);
	for (int i = 0; i < 100; i++)
		step(1000);
}

/* a tuple filter (what RSS steering uses) decides which source ports are opened */
static bool
even_ports_only(void *arg, rte_be32_t src, rte_be16_t sport, rte_be32_t dst, rte_be16_t dport)
{
	unsigned int *calls = arg;

	(*calls)++;
	return (rte_be_to_cpu_16(sport) & 1) == 0;
}

Test(loadgen, tuple_filter_decides_which_source_ports_open)
{
	struct sy_loadgen_conf c;
	unsigned int calls = 0;

	server_start(100, 200);
	client_conf(&c);
	c.max_concurrent = 8;
	c.total_conns = 40;
	c.expect_body = 100;
	c.src_port_lo = 20000;
	c.src_port_hi = 20999;
	c.tuple_ok = even_ports_only;
	c.tuple_arg = &calls;
	client_start(&c);
	run_until_done(10 * 1000000);
	assert_no_errors();
	cr_assert_eq(sy_loadgen_stats(lg)->responses_ok, 40);
	cr_assert_geq(syns_seen, 40);
	cr_assert_eq(syns_odd_sport, 0, "%u SYNs from odd ports", syns_odd_sport);
	cr_assert_gt(sy_loadgen_stats(lg)->tuples_filtered, 0);
	cr_assert_geq(calls, 79, "40 even ports among 20000..20078 take 79 checks");
}

/* Moves both clocks (and engines) to @p us before a generator starts. */
static void
clock_jump(uint64_t us)
{
	now_us = us;
	sy_clock_set(&cli.clock, now_us);
	sy_clock_set(&srv.clock, now_us);
	sy_tcp_poll(cli.tcp);
	sy_tcp_poll(srv.tcp);
}

/* Per-connection times are kept modulo 2^32 us: a think time that crosses the wrap of the
 * 32-bit microsecond clock still waits exactly its length, and latencies stay small. */
Test(loadgen, think_time_across_the_32_bit_microsecond_wrap)
{
	clock_jump((1ull << 32) - 30000);
	five_requests_20ms_apart();
	cr_assert_lt(sy_hist_max(sy_loadgen_hist(lg, SY_LOADGEN_HIST_RESPONSE)), 10000);
	cr_assert_lt(sy_hist_max(sy_loadgen_hist(lg, SY_LOADGEN_HIST_CONNECT)), 10000);
}

/* Idle connections for benchmarks think for up to 2^31 - 1 us (35 minutes); longer is
 * refused rather than silently wrapped. */
Test(loadgen, thirty_minute_think_waits_thirty_minutes_and_longer_is_refused)
{
	struct sy_loadgen_conf c;

	server_start(0, 200);
	client_conf(&c);
	c.think_us = SY_LOADGEN_THINK_MAX_US + 1u;
	cr_assert_null(sy_loadgen_create(&c, cli.tcp, &cli.clock, cli.pool, SOCKET_ID_ANY));
	cr_assert_eq(rte_errno, EINVAL);
	c.total_conns = 1;
	c.requests_per_conn = 2;
	c.think_us = 1800u * 1000000u;
	client_start(&c);
	for (int i = 0; i < 1000; i++)
		step(10);
	cr_assert_eq(sy_loadgen_stats(lg)->responses_ok, 1);
	for (int i = 0; i < 1790; i++)
		step(1000000);
	cr_assert_eq(sy_loadgen_stats(lg)->requests_sent, 1, "second request before 30 min");
	for (int i = 0; i < 20; i++)
		step(1000000);
	cr_assert_eq(sy_loadgen_stats(lg)->responses_ok, 2, "second request after 30 min");
	run_until_done(10 * 1000000);
	assert_no_errors();
}

/* The think queue is sized for the concurrency given at create: a later raise is capped. */
Test(loadgen, set_limits_never_raises_concurrency_above_the_created_bound)
{
	struct sy_loadgen_conf c;

	server_start(0, 200);
	client_conf(&c);
	c.max_concurrent = 4;
	c.requests_per_conn = 0;
	c.think_us = 1000000;
	client_start(&c);
	sy_loadgen_set_limits(lg, 0, 100);
	for (int i = 0; i < 2000; i++)
		step(10);
	cr_assert_eq(sy_loadgen_active(lg), 4, "active %u", sy_loadgen_active(lg));
	sy_loadgen_set_limits(lg, 0, 2);
	sy_loadgen_stop_opening(lg);
	run_until_done(10 * 1000000);
	assert_no_errors();
}
