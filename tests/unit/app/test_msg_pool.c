/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The pooled message state of the HTTP server and the load generator (app_msgs.h): a
 * connection holds a message block only while a request or its response is in progress,
 * gives it back between messages and on every way a connection ends, and a connection
 * that needs a block when none is free is reset and counted, never stalled.
 */
#include <string.h>
#include <criterion/criterion.h>

#include "app_msgs.h"
#include "app_pair.h"

TestSuite(msg_pool, .init = app_pair_setup, .fini = app_pair_teardown, .timeout = 120);

#define GET_KEEP "GET /k HTTP/1.1\r\nHost: x\r\n\r\n"

static void
steps(int n, uint64_t us)
{
	for (int i = 0; i < n; i++)
		step(us);
}

static void
server_with(uint64_t body, uint32_t max_messages)
{
	struct sy_http_server_conf sc;

	sy_http_server_conf_defaults(&sc);
	sc.body_size = body;
	sc.max_messages = max_messages;
	server_start_conf(&sc);
}

/* Responses complete in @p r so far (none of them to HEAD). */
static unsigned int
responses_in(const struct raw_client *r)
{
	static const bool no_head[8];
	uint16_t status[8];
	uint64_t body[8];

	return r->len == 0 ? 0 : parse_responses(r, no_head, status, body, 8);
}

/* Closes the raw client's connection and lets both ends finish. */
static void
raw_close(struct raw_client *r, sy_conn_t c)
{
	sy_tcp_close(cli.tcp, c);
	for (int i = 0; i < 200 && !r->closed; i++)
		step(1000);
	steps(100, 1000);
	cr_assert(r->closed);
}

/* The default pool size follows lib/tcp's data blocks: every connection up to 262144,
 * above that a sixteenth of max_conns but never fewer than 262144; an explicit size is
 * bounded by max_conns. */
Test(msg_pool, default_size_is_the_data_block_rule)
{
	cr_assert_eq(app_msgs_count(0, 1000), 1000);
	cr_assert_eq(app_msgs_count(0, 262144), 262144);
	cr_assert_eq(app_msgs_count(0, 1000000), 262144, "1 M / 16 is below the floor");
	cr_assert_eq(app_msgs_count(0, 10000000), 625000);
	cr_assert_eq(app_msgs_count(5, 100), 5);
	cr_assert_eq(app_msgs_count(500, 100), 100);
	server_with(0, 0);
	cr_assert_eq(sy_http_server_msgs_capacity(hs), MAX_CONNS);
	cr_assert_eq(sy_http_server_msgs_in_use(hs), 0);
}

/* The generator never has more than max_concurrent connections open: no more blocks. */
Test(msg_pool, load_generator_pool_is_bounded_by_its_concurrency)
{
	struct sy_loadgen_conf c;

	server_start(0, 200);
	client_conf(&c);
	c.max_concurrent = 16;
	client_start(&c);
	cr_assert_eq(sy_loadgen_msgs_capacity(lg), 16);
	sy_loadgen_free(lg);
	client_conf(&c);
	c.max_concurrent = 16;
	c.max_messages = 3;
	client_start(&c);
	cr_assert_eq(sy_loadgen_msgs_capacity(lg), 3);
}

/* After a complete request and response on a keep-alive connection, nothing of the
 * message is left: the connection is open and holds no block. */
Test(msg_pool, idle_keep_alive_connection_holds_no_message_block)
{
	static struct raw_client r;

	memset(&r, 0, sizeof(r));
	server_with(100, 0);
	sy_conn_t c = raw_connect(&r);

	sy_tcp_set_nodelay(cli.tcp, c, true);
	steps(10, 100);
	cr_assert_eq(sy_http_server_msgs_in_use(hs), 0, "an accepted connection holds none");
	raw_send(c, "GET /k HTTP/1.1\r\n");
	steps(10, 100);
	cr_assert_eq(sy_http_server_msgs_in_use(hs), 1, "a request in progress holds one");
	raw_send(c, "Host: x\r\n\r\n");
	steps(10, 100);
	cr_assert_eq(responses_in(&r), 1);
	cr_assert_eq(sy_http_server_msgs_in_use(hs), 0, "idle between requests: none");
	cr_assert_not(r.peer_closed, "keep-alive: the connection stays open");
	cr_assert_eq(sy_tcp_count(srv.tcp, SY_TCP_ESTABLISHED), 1);
	raw_send(c, GET_KEEP);
	steps(10, 100);
	cr_assert_eq(responses_in(&r), 2, "the next request gets a block again");
	cr_assert_eq(sy_http_server_msgs_in_use(hs), 0);
	raw_close(&r, c);
	cr_assert_eq(sy_http_server_stats(hs)->incomplete_at_close, 0);
}

/* Keep-alive generator connections that think between requests hold no block at either
 * end while they think. */
Test(msg_pool, thinking_keep_alive_connections_hold_no_block_at_either_end)
{
	struct sy_loadgen_conf c;

	server_start(100, 200);
	client_conf(&c);
	c.max_concurrent = 8;
	c.total_conns = 8;
	c.requests_per_conn = 0;
	c.think_us = 1000000;
	c.expect_body = 100;
	client_start(&c);
	steps(2000, 10);
	cr_assert_eq(sy_loadgen_active(lg), 8);
	cr_assert_eq(sy_loadgen_stats(lg)->responses_ok, 8);
	cr_assert_eq(sy_tcp_count(srv.tcp, SY_TCP_ESTABLISHED), 8);
	cr_assert_eq(sy_loadgen_msgs_in_use(lg), 0);
	cr_assert_eq(sy_http_server_msgs_in_use(hs), 0);
	sy_loadgen_stop_opening(lg);
	run_until_done(10 * 1000000);
	assert_no_errors();
	cr_assert_eq(sy_loadgen_msgs_in_use(lg), 0);
	cr_assert_eq(sy_http_server_msgs_in_use(hs), 0);
}

/* A request arriving byte by byte keeps its one block until it is answered. */
Test(msg_pool, request_byte_by_byte_holds_one_block_then_returns_it)
{
	static struct raw_client r;
	const char *req = GET_KEEP;

	memset(&r, 0, sizeof(r));
	server_with(5, 0);
	sy_conn_t c = raw_connect(&r);

	sy_tcp_set_nodelay(cli.tcp, c, true);
	for (size_t i = 0; i < strlen(req); i++) {
		char one[2] = { req[i], 0 };

		raw_send(c, one);
		steps(2, 100);
		if (i + 1 < strlen(req))
			cr_assert_eq(sy_http_server_msgs_in_use(hs), 1, "byte %zu", i);
	}
	steps(10, 100);
	cr_assert_eq(responses_in(&r), 1);
	cr_assert_eq(sy_http_server_stats(hs)->requests, 1);
	cr_assert_eq(sy_http_server_msgs_in_use(hs), 0);
	raw_close(&r, c);
}

/* Pipelined requests, the second split across two segments: answered in order; the
 * block stays while the second is partial and goes back once it is answered. */
Test(msg_pool, pipelined_requests_split_across_segments_keep_then_return_the_block)
{
	static struct raw_client r;

	memset(&r, 0, sizeof(r));
	server_with(3000, 0);
	sy_conn_t c = raw_connect(&r);

	sy_tcp_set_nodelay(cli.tcp, c, true);
	raw_send(c, GET_KEEP GET_KEEP "GET /k HT");
	steps(20, 100);
	cr_assert_eq(responses_in(&r), 2);
	cr_assert_eq(sy_http_server_msgs_in_use(hs), 1, "the third request is partial");
	raw_send(c, "TP/1.1\r\nHost: x\r\n\r\n" GET_KEEP);
	steps(20, 100);
	cr_assert_eq(responses_in(&r), 4);
	cr_assert_eq(sy_http_server_stats(hs)->requests, 4);
	cr_assert_eq(sy_http_server_msgs_in_use(hs), 0);
	raw_close(&r, c);
}

/* One block, two connections with a partial request each: the second is reset and
 * counted, the first completes normally. */
Test(msg_pool, exhausted_pool_resets_the_connection_that_needs_a_block)
{
	static struct raw_client a, b;

	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	server_with(7, 1);
	cr_assert_eq(sy_http_server_msgs_capacity(hs), 1);
	sy_conn_t ca = raw_connect(&a);
	sy_conn_t cb = raw_connect(&b);

	sy_tcp_set_nodelay(cli.tcp, ca, true);

	raw_send(ca, "GET /a HTTP/1.1\r\n");
	steps(10, 100);
	raw_send(cb, "GET /b HTTP/1.1\r\n");
	for (int i = 0; i < 100 && !b.closed; i++)
		step(100);
	cr_assert(b.closed, "the connection without a block is reset");
	cr_assert_eq(b.why, SY_TCP_CLOSE_RESET, "closed by %d", b.why);
	cr_assert_eq(b.len, 0, "no response on it");
	cr_assert_eq(sy_http_server_stats(hs)->no_msg_state, 1);
	cr_assert_eq(sy_http_server_msgs_in_use(hs), 1, "the first keeps its block");
	cr_assert_not(a.closed);
	raw_send(ca, "Host: x\r\n\r\n");
	steps(20, 100);
	cr_assert_eq(responses_in(&a), 1, "the first completes normally");
	cr_assert_eq(sy_http_server_stats(hs)->responses_2xx, 1);
	cr_assert_eq(sy_http_server_msgs_in_use(hs), 0);
	raw_close(&a, ca);
	cr_assert_eq(sy_http_server_stats(hs)->no_msg_state, 1);
}

/* A generator with one block and two connections opened together: the second to send
 * finds none, and is reset and counted as a failed connection; the first completes. */
Test(msg_pool, load_generator_without_a_block_fails_the_connection_and_counts_it)
{
	struct sy_loadgen_conf c;

	server_start(10, 200);
	client_conf(&c);
	c.max_concurrent = 2;
	c.total_conns = 2;
	c.max_messages = 1;
	c.expect_body = 10;
	client_start(&c);
	run_until_done(10 * 1000000);

	const struct sy_loadgen_stats *s = sy_loadgen_stats(lg);

	cr_assert_eq(s->conns_established, 2);
	cr_assert_eq(s->conns_failed_no_msg_state, 1);
	cr_assert_eq(s->conns_failed, 1);
	cr_assert_eq(s->requests_sent, 1);
	cr_assert_eq(s->responses_ok, 1);
	cr_assert_eq(s->response_errors, 0, "no request was sent on the failed connection");
	cr_assert_eq(s->conns_closed, 2);
	cr_assert_eq(sy_http_server_stats(hs)->requests, 1);
	cr_assert_eq(sy_loadgen_msgs_in_use(lg), 0);
	cr_assert_eq(sy_http_server_msgs_in_use(hs), 0);
}

/* The peer resets inside a request: the closed callback returns the block. */
Test(msg_pool, reset_inside_a_request_returns_the_block)
{
	static struct raw_client r;

	memset(&r, 0, sizeof(r));
	server_with(5, 0);
	sy_conn_t c = raw_connect(&r);

	raw_send(c, "GET /k HTTP/1.1\r\nHost:");
	steps(10, 100);
	cr_assert_eq(sy_http_server_msgs_in_use(hs), 1);
	cr_assert_eq(sy_tcp_abort(cli.tcp, c), 0);
	steps(10, 100);
	cr_assert_eq(sy_http_server_stats(hs)->closed, 1);
	cr_assert_eq(sy_http_server_msgs_in_use(hs), 0);
}

/* The peer closes inside a request: counted incomplete, the block comes back. */
Test(msg_pool, fin_inside_a_request_returns_the_block)
{
	static struct raw_client r;

	memset(&r, 0, sizeof(r));
	server_with(5, 0);
	sy_conn_t c = raw_connect(&r);

	raw_send(c, "GET /k HTTP/1.1\r\nHost:");
	steps(10, 100);
	cr_assert_eq(sy_http_server_msgs_in_use(hs), 1);
	raw_close(&r, c);
	cr_assert_eq(sy_http_server_stats(hs)->incomplete_at_close, 1);
	cr_assert_eq(sy_http_server_stats(hs)->closed_by_peer, 1);
	cr_assert_eq(sy_http_server_msgs_in_use(hs), 0);
}

/* A response larger than the send buffer (1 GiB: it takes many steps) holds the block
 * (the rest of its body) until it is queued; a reset in the middle returns the block and
 * every body piece. */
Test(msg_pool, reset_while_a_response_waits_for_send_space_returns_the_block)
{
	static struct raw_client r;

	memset(&r, 0, sizeof(r));
	r.discard = true;
	server_with(1ull << 30, 0);
	sy_conn_t c = raw_connect(&r);

	raw_send(c, GET_KEEP);
	steps(2, 100);
	cr_assert_gt(sy_http_server_stats(hs)->send_deferred, 0, "the send buffer filled up");
	cr_assert_eq(sy_http_server_msgs_in_use(hs), 1, "the response is still in progress");
	cr_assert_eq(sy_tcp_abort(cli.tcp, c), 0);
	steps(20, 1000);
	cr_assert_eq(sy_http_server_stats(hs)->closed, 1);
	cr_assert_eq(sy_http_server_msgs_in_use(hs), 0);
}

/* Stopping the generator with responses in flight (abort_all) returns its blocks. */
Test(msg_pool, load_generator_abort_all_mid_response_returns_its_blocks)
{
	struct sy_loadgen_conf c;

	server_start(1ull << 30, 200);
	client_conf(&c);
	c.max_concurrent = 4;
	c.requests_per_conn = 0;
	client_start(&c);
	steps(3, 100);
	cr_assert_eq(sy_loadgen_stats(lg)->requests_sent, 4);
	cr_assert_eq(sy_loadgen_msgs_in_use(lg), 4, "four responses in progress");
	sy_loadgen_abort_all(lg);
	cr_assert_eq(sy_loadgen_msgs_in_use(lg), 0);
	cr_assert_eq(sy_loadgen_active(lg), 0);
	steps(50, 1000);
	cr_assert_eq(sy_http_server_msgs_in_use(hs), 0, "the server saw the resets");
	cr_assert_eq(sy_http_server_stats(hs)->closed, 4);
}
