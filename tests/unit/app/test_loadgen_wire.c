/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The load generator against the HTTP server across the fault-injecting wire (lib/wire):
 * on a clean wire every request completes and both sides count the same; on a wire that
 * drops, duplicates, reorders and corrupts, every connection is still accounted for —
 * completed with a good response, or counted as failed — nothing is lost silently, no
 * corrupted byte reaches the application as data (the checksums catch it), and every mbuf
 * comes back.
 */
#include <string.h>
#include <criterion/criterion.h>

#include "sy_http_server.h"
#include "sy_loadgen.h"
#include "sy_net.h"
#include "sy_tcp.h"
#include "sy_test.h"
#include "sy_wire.h"

#define CLI_IP SY_TEST_IPV4(10, 7, 0, 1)
#define SRV_IP SY_TEST_IPV4(10, 7, 0, 2)
#define MAX_CONNS 512
#define BODY 3000            /* three segments per response */

struct end {
	struct rte_mempool *pool;
	struct sy_txq txq;
	struct sy_net *net;
	struct sy_tcp *tcp;
};

static struct sy_clock clock_;
static struct end ends[2];   /* 0 client, 1 server */
static struct sy_wire *wire;
static struct sy_http_server *hs;
static struct sy_loadgen *lg;

static void
end_up(struct end *e, int i, uint32_t ip, uint32_t peer_ip)
{
	struct sy_net_conf nc;
	struct sy_tcp_conf tc;
	struct rte_ether_addr mac = { { 0x02, 0, 0, 0, 7, (uint8_t)i } };
	struct rte_ether_addr peer = { { 0x02, 0, 0, 0, 7, (uint8_t)(1 - i) } };
	char name[32];

	e->pool = sy_test_pool(16383);
	sy_wire_attach(wire, i, &e->txq);
	sy_net_conf_defaults(&nc);
	nc.mac = mac;
	nc.addr_first = rte_cpu_to_be_32(ip);
	nc.addr_count = 1;
	nc.prefix_len = 24;
	nc.mtu = 1500;
	e->net = sy_net_create(&nc, &e->txq, e->pool, SOCKET_ID_ANY);
	cr_assert_not_null(e->net);
	cr_assert_eq(sy_net_arp_add_static(e->net, rte_cpu_to_be_32(peer_ip), &peer), 0);
	sy_tcp_conf_defaults(&tc);
	tc.max_conns = MAX_CONNS;
	tc.max_time_wait = 4096;
	tc.rto_min_ms = 20;
	tc.rto_init_ms = 100;
	snprintf(name, sizeof(name), "lgw%d_%u", i, (unsigned int)rte_rand() % 100000);
	e->tcp = sy_tcp_create(name, &tc, e->net, e->pool, &clock_, SOCKET_ID_ANY);
	cr_assert_not_null(e->tcp);
}

static void
start(const struct sy_wire_conf *wc, uint64_t conns)
{
	struct sy_http_server_conf hc;
	struct sy_loadgen_conf lc;

	sy_test_eal_init();
	sy_clock_init_virtual(&clock_, 1000000);
	wire = sy_wire_create(wc, &clock_, SOCKET_ID_ANY);
	cr_assert_not_null(wire);
	end_up(&ends[0], 0, CLI_IP, SRV_IP);
	end_up(&ends[1], 1, SRV_IP, CLI_IP);
	sy_http_server_conf_defaults(&hc);
	hc.body_size = BODY;
	hs = sy_http_server_start(ends[1].tcp, rte_cpu_to_be_16(80), &hc, MAX_CONNS,
				  ends[1].pool, SOCKET_ID_ANY);
	cr_assert_not_null(hs);
	sy_loadgen_conf_defaults(&lc);
	lc.max_conns = MAX_CONNS;
	lc.dst_ip = rte_cpu_to_be_32(SRV_IP);
	lc.dst_port = rte_cpu_to_be_16(80);
	lc.src_ip = rte_cpu_to_be_32(CLI_IP);
	lc.max_concurrent = 32;
	lc.total_conns = conns;
	lc.requests_per_conn = 2;
	lc.expect_body = BODY;
	lg = sy_loadgen_create(&lc, ends[0].tcp, &clock_, ends[0].pool, SOCKET_ID_ANY);
	cr_assert_not_null(lg);
}

static void
stop(void)
{
	sy_tcp_free(ends[0].tcp);
	sy_tcp_free(ends[1].tcp);
	sy_loadgen_free(lg);
	sy_http_server_free(hs);
	sy_wire_free(wire);
	for (int i = 0; i < 2; i++) {
		sy_txq_flush(&ends[i].txq);
		sy_net_free(ends[i].net);
		sy_test_pool_check_and_free(ends[i].pool);
	}
}

TestSuite(loadgen_wire, .fini = stop, .timeout = 120);

/* Both "lcores" once; time moves 100 us per step (faster when idle). */
static void
run(uint64_t max_us)
{
	uint64_t end = sy_clock_us(&clock_) + max_us;

	while (!sy_loadgen_done(lg) && sy_clock_us(&clock_) < end) {
		struct rte_mbuf *pkts[64];

		sy_loadgen_poll(lg);
		for (int i = 0; i < 2; i++) {
			sy_txq_flush(&ends[i].txq);
			uint16_t n = sy_wire_deliver(wire, i, pkts, RTE_DIM(pkts));

			for (uint16_t k = 0; k < n; k++)
				if (sy_net_input(ends[i].net, pkts[k], sy_clock_ms(&clock_)) ==
				    SY_NET_RX_TCP)
					sy_tcp_input(ends[i].tcp, pkts[k]);
			sy_txq_flush(&ends[i].txq);
		}
		sy_clock_set(&clock_, sy_clock_us(&clock_) + 100);
		for (int i = 0; i < 2; i++) {
			sy_tcp_poll(ends[i].tcp);
			sy_net_poll(ends[i].net, sy_clock_ms(&clock_));
		}
	}
	cr_assert(sy_loadgen_done(lg), "not done: %u active", sy_loadgen_active(lg));
}

Test(loadgen_wire, clean_wire_every_request_completes_and_both_sides_agree)
{
	struct sy_wire_conf wc;

	sy_wire_conf_defaults(&wc);
	start(&wc, 300);
	run(60ull * 1000000);
	const struct sy_loadgen_stats *s = sy_loadgen_stats(lg);
	const struct sy_http_server_stats *ss = sy_http_server_stats(hs);

	cr_assert_eq(s->conns_established, 300);
	cr_assert_eq(s->responses_ok, 600);
	cr_assert_eq(ss->requests, 600);
	cr_assert_eq(s->response_errors + s->conns_failed + s->connect_errors, 0);
	cr_assert_eq(sy_tcp_stats(ends[0].tcp)->data_retrans, 0, "no loss, no retransmission");
	cr_assert_eq(sy_loadgen_msgs_in_use(lg), 0, "message blocks all back");
	cr_assert_eq(sy_http_server_msgs_in_use(hs), 0);
}

Test(loadgen_wire, lossy_wire_every_connection_accounted_for_and_no_corrupt_data)
{
	struct sy_wire_conf wc;

	sy_wire_conf_defaults(&wc);
	wc.seed = 42;
	wc.drop_ppm = 50000;        /* 5 % each way */
	wc.dup_ppm = 20000;
	wc.reorder_ppm = 50000;
	wc.reorder_frames = 3;
	wc.reorder_us = 500;
	wc.corrupt_ppm = 10000;
	wc.delay_us = 200;
	start(&wc, 300);
	run(600ull * 1000000);
	const struct sy_loadgen_stats *s = sy_loadgen_stats(lg);
	const struct sy_http_server_stats *ss = sy_http_server_stats(hs);
	const struct sy_wire_stats *w0 = sy_wire_stats(wire, 0), *w1 = sy_wire_stats(wire, 1);

	cr_assert_gt(w0->dropped + w1->dropped, 0, "the wire dropped nothing: test is void");
	cr_assert_gt(w0->corrupted + w1->corrupted, 0, "the wire corrupted nothing");
	/* every connection ends exactly once, as a success or a counted failure */
	cr_assert_eq(s->conns_opened, 300);
	cr_assert_eq(s->conns_closed, s->conns_opened);
	cr_assert_eq(s->responses_ok + s->response_errors,
		     s->requests_sent, "requests without an outcome: sent %lu ok %lu errors %lu",
		     s->requests_sent, s->responses_ok, s->response_errors);
	/* retransmission hides the loss: bodies of exactly BODY bytes, never a corrupt one */
	cr_assert_eq(s->response_bad_length + s->response_parse_error, 0);
	cr_assert_gt(s->responses_ok, 500, "only %lu of 600 responses", s->responses_ok);
	cr_assert_geq(ss->requests, s->responses_ok);
	const struct sy_net_stats *n0 = sy_net_stats(ends[0].net), *n1 = sy_net_stats(ends[1].net);

	cr_assert_gt(n0->ip_drop_bad_csum + n1->ip_drop_bad_csum +
		     sy_tcp_stats(ends[0].tcp)->drop_bad_csum +
		     sy_tcp_stats(ends[1].tcp)->drop_bad_csum, 0,
		     "corrupted frames must be caught by checksums");
	/* every generator connection ended, so every one of its message blocks is back */
	cr_assert_eq(sy_loadgen_msgs_in_use(lg), 0);
}
