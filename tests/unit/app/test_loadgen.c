/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The HTTP server and the load generator against each other, over the two stacks of
 * app_pair.h.
 */
#include <stdlib.h>
#include <string.h>
#include <criterion/criterion.h>
#include <rte_errno.h>

#include "app_pair.h"

TestSuite(loadgen, .init = app_pair_setup, .fini = app_pair_teardown, .timeout = 120);

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

/*
 * A connection closed by the server while it thinks leaves a stale entry in the think
 * queue (a FIFO sized for the concurrency). When the server keeps closing them (say an
 * idle timeout shorter than the think time), stale entries pile up: a full queue must not
 * lose a live connection's wake-up, or that connection would think forever and the run
 * would never end.
 */
Test(loadgen, think_queue_full_of_closed_connections_loses_no_live_one)
{
	struct sy_loadgen_conf c;

	server_start(0, 200);
	client_conf(&c);
	c.max_concurrent = 2;       /* a think queue of 4 */
	c.total_conns = 0;
	c.requests_per_conn = 0;
	c.think_us = 100000;
	client_start(&c);
	for (int i = 0; i < 100; i++)
		step(10);
	cr_assert_eq(sy_loadgen_active(lg), 2);
	/* the server resets every connection but its first, six times within one think time */
	for (int round = 0; round < 6; round++) {
		for (sy_conn_t h = 1; h < MAX_CONNS; h++)
			if (sy_tcp_conn_state(srv.tcp, h) == SY_TCP_ESTABLISHED)
				sy_tcp_abort(srv.tcp, h);
		for (int i = 0; i < 100; i++)
			step(10);
	}
	cr_assert_geq(sy_loadgen_stats(lg)->conns_failed_reset, 6);
	sy_loadgen_stop_opening(lg);
	run_until_done(10 * 1000000);
}
