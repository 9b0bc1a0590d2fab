/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * bench_bulk: moves N bytes from one synack stack to another in one process, over the
 * fault-injecting wire at 0 % loss (lib/wire, 0 us delay), with 1 and with 8 connections,
 * and prints Gbit/s and TSC cycles per byte as JSON on stdout. Both stacks run on this
 * thread, so the figure is the cost of both ends (sender + receiver) per byte.
 *
 *   bench_bulk [bytes_per_run [copy|zc [mtu]]]   default 1 GiB, copy, 1500
 *
 * copy: every segment's payload is copied into one mbuf (the default engine); zc: the
 * engine is told the link takes multi-segment frames and payloads of 1 KiB and more are
 * attached (indirect mbufs on the send queue, sy_tcp_set_tx_zerocopy()). A larger MTU
 * (up to 9000) is the in-memory analogue of the kernel's 64 KiB GSO segments over veth;
 * with copy it needs 10 KiB mbufs, with zc 2 KiB mbufs are chained.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_mbuf.h>

#include "sy_net.h"
#include "sy_tcp.h"
#include "sy_wire.h"
#include "bulk_conf.h"

#define PORT 5001
#define SEG 1448 * 4
#define MAXC 8

struct side {
	struct rte_mempool *pool;
	struct sy_txq txq;
	struct sy_net *net;
	struct sy_tcp *tcp;
};

static struct sy_clock clk;
static int zc;
static uint16_t mtu = 1500;
static struct sy_wire *wire;
static struct side s[2];
static sy_conn_t conns[MAXC];
static int up[MAXC];
static uint64_t to_send[MAXC], received;

static uint32_t ip_of(int i) { return rte_cpu_to_be_32((10u << 24 | 8u << 16 | (uint32_t)(1 + i))); }

static void on_data(void *u, sy_conn_t c, struct rte_mbuf *m)
{
	received += m->pkt_len;
	rte_pktmbuf_free(m);
}
static void on_connected(void *u, sy_conn_t c) { up[(uintptr_t)u] = 1; }
static void *on_accepted(void *u, sy_conn_t c) { return NULL; }
static void on_closed(void *u, sy_conn_t c, enum sy_tcp_close_reason w) { }

static const struct sy_tcp_ops ops = { .accepted = on_accepted, .connected = on_connected,
				       .data = on_data, .closed = on_closed };

static int
side_up(int i)
{
	static const struct rte_ether_addr mac[2] = { {{ 2, 0, 0, 0, 0, 1 }},
						      {{ 2, 0, 0, 0, 0, 2 }} };
	struct sy_net_conf nc;
	struct sy_tcp_conf tc;
	char name[16];

	snprintf(name, sizeof(name), "bb%d", i);
	s[i].pool = rte_pktmbuf_pool_create(name, !zc && mtu > 1500 ? 8191 : 32767, 256, 0,
					    !zc && mtu > 1500 ? 10240 + RTE_PKTMBUF_HEADROOM :
					    RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
	if (s[i].pool == NULL)
		return -1;
	sy_wire_attach(wire, i, &s[i].txq);
	sy_net_conf_defaults(&nc);
	nc.mac = mac[i];
	nc.addr_first = ip_of(i);
	nc.addr_count = 1;
	nc.prefix_len = 24;
	nc.mtu = mtu;
	nc.tx_ip_cksum_offload = false;
	nc.tx_l4_cksum_offload = false;
	s[i].net = sy_net_create(&nc, &s[i].txq, s[i].pool, SOCKET_ID_ANY);
	if (s[i].net == NULL || sy_net_arp_add_static(s[i].net, ip_of(!i), &mac[!i]) < 0)
		return -1;
	bulk_tcp_conf(&tc, mtu);
	s[i].tcp = sy_tcp_create(name, &tc, s[i].net, s[i].pool, &clk, SOCKET_ID_ANY);
	if (s[i].tcp == NULL)
		return -1;
	return zc ? sy_tcp_set_tx_zerocopy(s[i].tcp, true, SY_TCP_ZC_MIN_DEFAULT) : 0;
}

static void
pump(int n)
{
	for (int k = 0; k < n; k++) {
		while (up[k] && to_send[k] > 0 && sy_tcp_send_space(s[0].tcp, conns[k]) >= SEG) {
			struct rte_mbuf *m = rte_pktmbuf_alloc(s[0].pool);
			uint32_t len = (uint32_t)RTE_MIN((uint64_t)1448, to_send[k]);

			if (m == NULL)
				return;
			memset(rte_pktmbuf_append(m, (uint16_t)len), 0x5a, len);
			if (sy_tcp_send(s[0].tcp, conns[k], m) < 0) {
				rte_pktmbuf_free(m);
				return;
			}
			to_send[k] -= len;
		}
	}
}

static void
step(int n)
{
	struct rte_mbuf *pk[32];

	pump(n);
	for (int e = 0; e < 2; e++) {
		uint16_t k;

		while ((k = sy_wire_deliver(wire, e, pk, 32)) > 0)
			for (uint16_t i = 0; i < k; i++)
				if (sy_net_input(s[e].net, pk[i], sy_clock_ms(&clk)) ==
				    SY_NET_RX_TCP)
					sy_tcp_input(s[e].tcp, pk[i]);
		sy_txq_flush(&s[e].txq);
	}
	sy_clock_set(&clk, sy_clock_us(&clk) + 1);
	for (int e = 0; e < 2; e++) {
		sy_tcp_poll(s[e].tcp);
		sy_txq_flush(&s[e].txq);
	}
}

static void
run(int n, uint64_t bytes)
{
	uint64_t t0, t1, want = bytes, start = received;
	double sec;

	for (int k = 0; k < n; k++) {
		up[k] = 0;
		to_send[k] = bytes / n;
		if (sy_tcp_connect(s[0].tcp, ip_of(0), 0, ip_of(1), rte_cpu_to_be_16(PORT), &ops,
				   (void *)(uintptr_t)k, &conns[k]) < 0)
			exit(1);
	}
	want = (bytes / n) * n;
	t0 = rte_rdtsc();
	while (received - start < want)
		step(n);
	t1 = rte_rdtsc();
	for (int k = 0; k < n; k++)
		sy_tcp_abort(s[0].tcp, conns[k]);
	for (int i = 0; i < 1000; i++)
		step(n);
	sec = (double)(t1 - t0) / rte_get_tsc_hz();
	printf("%s{\"conns\": %d, \"bytes\": %" PRIu64 ", \"seconds\": %.4f, \"gbit_s\": %.3f, "
	       "\"cycles_per_byte\": %.2f, \"retrans\": %" PRIu64 "}", n == 1 ? "" : ", ", n,
	       want, sec, want * 8 / sec / 1e9, (double)(t1 - t0) / want,
	       sy_tcp_stats(s[0].tcp)->data_retrans);
}

int
main(int argc, char **argv)
{
	char *eal[] = { argv[0], "--no-huge", "--no-pci", "--no-shconf", "-m", "512",
			"-l", "0", "--log-level=error", "--no-telemetry" };
	uint64_t bytes = argc > 1 ? strtoull(argv[1], NULL, 0) : (1ull << 30);

	zc = argc > 2 && strcmp(argv[2], "zc") == 0;
	if (argc > 3)
		mtu = (uint16_t)RTE_MIN(strtoul(argv[3], NULL, 0), 9000ul);
	struct sy_wire_conf wc;

	if (rte_eal_init(RTE_DIM(eal), eal) < 0)
		return 2;
	sy_clock_init_virtual(&clk, 1000000);
	sy_wire_conf_defaults(&wc);
	wc.delay_us = 0;
	wire = sy_wire_create(&wc, &clk, SOCKET_ID_ANY);
	if (wire == NULL || side_up(0) < 0 || side_up(1) < 0)
		return 2;
	if (sy_tcp_listen(s[1].tcp, ip_of(1), rte_cpu_to_be_16(PORT), 64, &ops, NULL) < 0)
		return 2;
	printf("{\"bench\": \"bulk\", \"path\": \"wire 0%% loss, in process, one thread\", "
	       "\"tx\": \"%s\", \"mtu\": %u, \"tsc_hz\": %" PRIu64 ", \"runs\": [",
	       zc ? "zerocopy" : "copy", mtu, rte_get_tsc_hz());
	run(1, bytes);
	run(MAXC, bytes);
	printf("]}\n");
	return 0;
}
