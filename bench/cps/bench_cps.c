/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Cost of one short HTTP connection with no PMD and no polling: a client stack and a
 * server stack in one thread, joined by a direct in-process wire, run N short
 * connections (SYN, SYN-ACK, ACK+GET, response, FIN exchange: the demo's workload) to
 * completion. Reports TSC cycles per connection for both stacks together, and the cost
 * split into client and server. Because nothing else runs in the loop, the figure is the
 * stack's own work: run it under `valgrind --tool=callgrind` for an instruction profile
 * that does not depend on how loaded the machine is.
 *
 * Usage: bench_cps [CONNECTIONS] [CONCURRENCY] [cksum]   (defaults 200000 and 256); JSON
 * on stdout. The wire is trusted as the demo's in-memory pair is (no checksums, see
 * trusted_link in docs/configuration.md); "cksum" computes and verifies them in software.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ip.h>
#include <rte_mbuf.h>

#include "sy_http_server.h"
#include "sy_loadgen.h"
#include "sy_net.h"
#include "sy_tcp.h"

/* 198.18.0.2 and 198.18.0.1 (RTE_IPV4 shifts a signed int: undefined above 127) */
#define CLI_IP 0xc6120002u
#define SRV_IP 0xc6120001u
#define WIRE_MAX 8192

struct side {
	struct rte_mempool *pool;
	struct sy_clock clock;
	struct sy_txq txq;
	struct sy_net *net;
	struct sy_tcp *tcp;
	struct rte_mbuf *wire[WIRE_MAX];   /* frames sent by this side, not yet delivered */
	unsigned int n;
	uint64_t cycles;                   /* spent processing this side's input and timers */
};

static struct side cli, srv;
static bool sw_cksum;

static uint16_t
wire_send(struct sy_txq *q, struct rte_mbuf **pkts, uint16_t n)
{
	struct side *s = q->send_arg;
	uint16_t k = 0;

	while (k < n && s->n < WIRE_MAX)
		s->wire[s->n++] = pkts[k++];
	return k;
}

static void
side_up(struct side *s, const char *name, uint32_t ip, uint8_t mac_last, uint32_t peer_ip,
	uint8_t peer_mac_last, uint32_t max_conns)
{
	struct sy_net_conf nc;
	struct sy_tcp_conf tc;
	struct rte_ether_addr peer = { { 0x02, 0, 0, 0, 0, peer_mac_last } };

	s->pool = rte_pktmbuf_pool_create(name, 65535, 256, 0, RTE_MBUF_DEFAULT_BUF_SIZE, 0);
	if (s->pool == NULL)
		rte_exit(1, "pool: %s\n", rte_strerror(rte_errno));
	sy_clock_init_virtual(&s->clock, 1000000);
	sy_txq_init_fn(&s->txq, wire_send, s);
	sy_net_conf_defaults(&nc);
	nc.mac = (struct rte_ether_addr){ { 0x02, 0, 0, 0, 0, mac_last } };
	nc.addr_first = rte_cpu_to_be_32(ip);
	nc.addr_count = 1;
	nc.prefix_len = 24;
	nc.mtu = 1500;
	nc.trusted_link = !sw_cksum;
	s->net = sy_net_create(&nc, &s->txq, s->pool, 0);
	sy_net_arp_add_static(s->net, rte_cpu_to_be_32(peer_ip), &peer);
	sy_tcp_conf_defaults(&tc);
	tc.max_conns = max_conns;
	tc.max_time_wait = 1 << 17;
	s->tcp = sy_tcp_create(name, &tc, s->net, s->pool, &s->clock, 0);
	if (s->net == NULL || s->tcp == NULL)
		rte_exit(1, "stack %s: %s\n", name, rte_strerror(rte_errno));
}

/* Delivers what @p from sent to @p to; the time is charged to the receiver. */
static unsigned int
deliver(struct side *from, struct side *to)
{
	struct rte_mbuf *batch[WIRE_MAX];
	unsigned int n;
	uint64_t t0 = rte_rdtsc();

	sy_txq_flush(&from->txq);
	n = from->n;
	memcpy(batch, from->wire, n * sizeof(batch[0]));
	from->n = 0;
	for (unsigned int i = 0; i < n; i++)
		if (sy_net_input(to->net, batch[i], sy_clock_ms(&to->clock)) == SY_NET_RX_TCP)
			sy_tcp_input(to->tcp, batch[i]);
	sy_txq_flush(&to->txq);
	to->cycles += rte_rdtsc() - t0;
	return n;
}

int
main(int argc, char **argv)
{
	char *eal[] = { "bench_cps", "--no-huge", "--no-pci", "--no-shconf", "--no-telemetry",
			"-m", "1024", "-l", "0", "--log-level=error", NULL };
	uint64_t conns = argc > 1 ? strtoull(argv[1], NULL, 10) : 200000;
	uint32_t conc = argc > 2 ? (uint32_t)strtoul(argv[2], NULL, 10) : 256;
	struct sy_http_server_conf hc;
	struct sy_loadgen_conf lc;

	sw_cksum = argc > 3 && strcmp(argv[3], "cksum") == 0;

	if (rte_eal_init((int)RTE_DIM(eal) - 1, eal) < 0)
		return 1;
	side_up(&cli, "cli", CLI_IP, 2, SRV_IP, 1, 2 * conc + 64);
	side_up(&srv, "srv", SRV_IP, 1, CLI_IP, 2, 2 * conc + 64);
	sy_http_server_conf_defaults(&hc);
	hc.body_size = 64;
	struct sy_http_server *hs = sy_http_server_start(srv.tcp, rte_cpu_to_be_16(80), &hc,
							 2 * conc + 64, srv.pool, 0);
	sy_loadgen_conf_defaults(&lc);
	lc.max_conns = 2 * conc + 64;
	lc.dst_ip = rte_cpu_to_be_32(SRV_IP);
	lc.dst_port = rte_cpu_to_be_16(80);
	lc.src_ip = rte_cpu_to_be_32(CLI_IP);
	lc.max_concurrent = conc;
	lc.total_conns = conns;
	lc.expect_body = 64;
	struct sy_loadgen *lg = sy_loadgen_create(&lc, cli.tcp, &cli.clock, cli.pool, 0);

	if (hs == NULL || lg == NULL)
		rte_exit(1, "apps: %s\n", rte_strerror(rte_errno));
	uint64_t now = 1000000, start = rte_rdtsc();

	while (!sy_loadgen_done(lg)) {
		uint64_t t0 = rte_rdtsc();

		sy_loadgen_poll(lg);
		cli.cycles += rte_rdtsc() - t0;
		while (deliver(&cli, &srv) + deliver(&srv, &cli) > 0)
			;
		now += 10;   /* 10 us of virtual time per round: timers fire as in a real run */
		sy_clock_set(&cli.clock, now);
		sy_clock_set(&srv.clock, now);
		t0 = rte_rdtsc();
		sy_tcp_poll(cli.tcp);
		sy_net_poll(cli.net, now / 1000);
		cli.cycles += rte_rdtsc() - t0;
		t0 = rte_rdtsc();
		sy_tcp_poll(srv.tcp);
		sy_net_poll(srv.net, now / 1000);
		srv.cycles += rte_rdtsc() - t0;
	}
	uint64_t total = rte_rdtsc() - start;
	const struct sy_loadgen_stats *st = sy_loadgen_stats(lg);
	const struct sy_tcp_stats *ct = sy_tcp_stats(cli.tcp);
	double per = (double)total / (double)st->responses_ok;

	printf("{\"connections\": %" PRIu64 ", \"responses_ok\": %" PRIu64 ", \"errors\": %" PRIu64
	       ", \"concurrency\": %u, \"cycles_per_conn\": %.0f, \"client_cycles_per_conn\": %.0f"
	       ", \"server_cycles_per_conn\": %.0f, \"segments_per_conn\": %.2f, \"tsc_hz\": %"
	       PRIu64 ", \"conns_per_s_one_core\": %.0f, \"checksums\": %s}\n", conns, st->responses_ok,
	       st->response_errors + st->conns_failed, conc, per,
	       (double)cli.cycles / (double)st->responses_ok,
	       (double)srv.cycles / (double)st->responses_ok,
	       (double)(ct->rx_segs + ct->tx_segs) / (double)st->responses_ok,
	       rte_get_tsc_hz(), (double)rte_get_tsc_hz() / per, sw_cksum ? "true" : "false");
	return st->responses_ok == conns ? 0 : 1;
}
