/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * SYN flood against one listener, no PMD: spoofed SYNs (one source IP, distinct source
 * ports, never completed) are fed through sy_net_input() and sy_tcp_input() of one stack
 * whose frames go to a wire that records each SYN-ACK's ISN and frees the frame.
 *
 *  - "state":   syncookie_threshold 0, backlog and table large enough: every SYN
 *               allocates a SYN-RECEIVED connection (the cost and the memory a flood buys);
 *  - "cookies": threshold 1: every SYN after the first is answered statelessly;
 *  - "ack":     after "cookies", the final ACK of every flooded tuple with its cookie:
 *               cycles to validate a cookie and create the ESTABLISHED connection.
 *
 * Usage: bench_synflood [SYNS]   (default 100000); JSON on stdout.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_tcp.h>

#include "sy_net.h"
#include "sy_tcp.h"

#define SRV_IP 0xc6120001u     /* 198.18.0.1 */
#define ATK_IP 0xc6120002u
#define PORT_BASE 1024u

static uint32_t *isn_of;      /* SYN-ACK ISN per source port index */
static void *nop_user(void *u, sy_conn_t c) { (void)c; return u; }
static const struct sy_tcp_ops ops = { .accepted = nop_user };

static uint16_t
wire_send(struct sy_txq *q, struct rte_mbuf **pkts, uint16_t n)
{
	(void)q;
	for (uint16_t i = 0; i < n; i++) {
		struct rte_tcp_hdr *th = rte_pktmbuf_mtod_offset(pkts[i], struct rte_tcp_hdr *,
			RTE_ETHER_HDR_LEN + sizeof(struct rte_ipv4_hdr));
		uint32_t idx = rte_be_to_cpu_16(th->dst_port) - PORT_BASE;

		if (th->tcp_flags == (RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG) && idx < 65536 - PORT_BASE)
			isn_of[idx] = rte_be_to_cpu_32(th->sent_seq);
		rte_pktmbuf_free(pkts[i]);
	}
	return n;
}

static struct rte_mbuf *
seg(struct rte_mempool *mp, uint16_t sport, uint8_t flags, uint32_t seq, uint32_t ack)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(mp);
	uint16_t l4 = sizeof(struct rte_tcp_hdr) + (flags & RTE_TCP_SYN_FLAG ? 4 : 0);
	struct rte_ether_hdr *e = (struct rte_ether_hdr *)rte_pktmbuf_append(m,
		RTE_ETHER_HDR_LEN + sizeof(struct rte_ipv4_hdr) + l4);
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(e + 1);
	struct rte_tcp_hdr *th = (struct rte_tcp_hdr *)(ip + 1);
	uint8_t *o = (uint8_t *)(th + 1);

	if (e == NULL)
		rte_exit(1, "no mbuf\n");
	memset(e, 0, RTE_ETHER_HDR_LEN + sizeof(*ip) + l4);
	e->dst_addr = (struct rte_ether_addr){ { 0x02, 0, 0, 0, 0, 1 } };
	e->src_addr = (struct rte_ether_addr){ { 0x02, 0, 0, 0, 0, 2 } };
	e->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	ip->version_ihl = 0x45;
	ip->total_length = rte_cpu_to_be_16((uint16_t)(sizeof(*ip) + l4));
	ip->time_to_live = 64;
	ip->next_proto_id = IPPROTO_TCP;
	ip->src_addr = rte_cpu_to_be_32(ATK_IP);
	ip->dst_addr = rte_cpu_to_be_32(SRV_IP);
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	th->src_port = rte_cpu_to_be_16(sport);
	th->dst_port = rte_cpu_to_be_16(80);
	th->sent_seq = rte_cpu_to_be_32(seq);
	th->recv_ack = rte_cpu_to_be_32(ack);
	th->data_off = (uint8_t)((l4 / 4) << 4);
	th->tcp_flags = flags;
	th->rx_win = rte_cpu_to_be_16(65535);
	if (flags & RTE_TCP_SYN_FLAG) {
		o[0] = 2; o[1] = 4; o[2] = 1460 >> 8; o[3] = 1460 & 0xff;
	}
	th->cksum = rte_ipv4_udptcp_cksum(ip, th);
	return m;
}

struct run { uint64_t cycles[2]; uint32_t syn_rcvd, established, pool_in_use; };

static struct run
flood(const char *name, uint32_t n, uint32_t threshold, int acks)
{
	struct rte_mempool *mp = rte_pktmbuf_pool_create(name, 8191, 256, 0,
							 RTE_MBUF_DEFAULT_BUF_SIZE, 0);
	struct sy_clock clock;
	struct sy_txq txq;
	struct sy_net_conf nc;
	struct sy_tcp_conf tc;
	struct rte_ether_addr peer = { { 0x02, 0, 0, 0, 0, 2 } };
	struct run r = { 0 };

	sy_clock_init_virtual(&clock, 1000000);
	sy_txq_init_fn(&txq, wire_send, NULL);
	sy_net_conf_defaults(&nc);
	nc.mac = (struct rte_ether_addr){ { 0x02, 0, 0, 0, 0, 1 } };
	nc.addr_first = rte_cpu_to_be_32(SRV_IP);
	nc.addr_count = 1;
	nc.prefix_len = 24;
	struct sy_net *net = sy_net_create(&nc, &txq, mp, 0);
	sy_tcp_conf_defaults(&tc);
	tc.max_conns = n + 64;
	tc.syncookie_threshold = threshold;
	struct sy_tcp *tcp = sy_tcp_create(name, &tc, net, mp, &clock, 0);
	if (mp == NULL || net == NULL || tcp == NULL)
		rte_exit(1, "%s: %s\n", name, rte_strerror(rte_errno));
	sy_net_arp_add_static(net, rte_cpu_to_be_32(ATK_IP), &peer);
	sy_tcp_listen(tcp, rte_cpu_to_be_32(SRV_IP), rte_cpu_to_be_16(80), n + 64, &ops, NULL);
	for (int pass = 0; pass <= acks; pass++) {
		uint64_t cyc = 0;

		for (uint32_t i = 0; i < n; i++) {
			uint16_t sp = (uint16_t)(PORT_BASE + i);
			struct rte_mbuf *m = pass == 0 ?
				seg(mp, sp, RTE_TCP_SYN_FLAG, 1000u * i, 0) :
				seg(mp, sp, RTE_TCP_ACK_FLAG, 1000u * i + 1, isn_of[i] + 1);
			uint64_t t0 = rte_rdtsc();

			if (sy_net_input(net, m, sy_clock_ms(&clock)) == SY_NET_RX_TCP)
				sy_tcp_input(tcp, m);
			sy_txq_flush(&txq);
			cyc += rte_rdtsc() - t0;
		}
		r.cycles[pass] = cyc;
	}
	r.syn_rcvd = sy_tcp_count(tcp, SY_TCP_SYN_RECEIVED);
	r.established = sy_tcp_count(tcp, SY_TCP_ESTABLISHED);
	r.pool_in_use = rte_mempool_in_use_count(mp);
	sy_tcp_free(tcp);
	sy_net_free(net);
	rte_mempool_free(mp);
	return r;
}

int
main(int argc, char **argv)
{
	char *eal[] = { "bench_synflood", "--no-huge", "--no-pci", "--no-shconf",
			"--no-telemetry", "-m", "1024", "-l", "0", "--log-level=error", NULL };
	uint32_t n = argc > 1 ? (uint32_t)strtoul(argv[1], NULL, 10) : 50000;

	if (rte_eal_init((int)RTE_DIM(eal) - 1, eal) < 0)
		return 1;
	if (n == 0 || n > 65536 - PORT_BASE)
		n = 65536 - PORT_BASE;
	isn_of = calloc(65536, sizeof(*isn_of));
	struct run st = flood("st", n, 0, 0);
	struct run ck = flood("ck", n, 1, 1);
	double hz = (double)rte_get_tsc_hz();

	printf("{\"syns\": %u, \"state\": {\"cycles_per_syn\": %.0f, \"syn_received\": %u, "
	       "\"bytes_per_embryonic\": %zu}, \"cookies\": {\"cycles_per_syn\": %.0f, "
	       "\"syn_received\": %u, \"cycles_per_cookie_ack\": %.0f, \"established\": %u, "
	       "\"pool_in_use\": %u}, \"tsc_hz\": %.0f}\n", n, (double)st.cycles[0] / n,
	       st.syn_rcvd, sy_tcp_conn_size(), (double)ck.cycles[0] / n, ck.syn_rcvd,
	       (double)ck.cycles[1] / n, ck.established, ck.pool_in_use, hz);
	free(isn_of);
	return ck.established == n && ck.syn_rcvd == 0 && ck.pool_in_use == 0 ? 0 : 1;
}
