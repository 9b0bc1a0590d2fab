/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The frame fuzzer's stack: see fuzz_stack.h. Everything here may abort(): a failed setup
 * or a leaked mbuf is a finding, and libFuzzer reports an abort with its input.
 */
#include "fuzz_stack.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_tcp.h>

#define TH_FIN 0x01
#define TH_SYN 0x02
#define TH_RST 0x04
#define TH_PSH 0x08
#define TH_ACK 0x10

static const struct rte_ether_addr local_mac = {{ 0x02, 0, 0, 0, 0, 0x01 }};
static const struct rte_ether_addr peer_mac = {{ 0x02, 0, 0, 0, 0, 0x02 }};
static const uint8_t secret[16] = "synack-fuzz-isn";

struct fz_conn *fz_watch;

static struct rte_mempool *pool;
static size_t heap_base;              /* DPDK heap bytes in use with no stack built */
static struct fz_stack *cur;          /* the stack the callbacks belong to */
static sy_conn_t last_conn;           /* handle of the last accepted/connected callback */
static const uint8_t pol_echo = 1, pol_sink = 2;

static void
die(const char *what)
{
	fprintf(stderr, "fuzz_stack: %s\n", what);
	abort();
}

static size_t
heap_in_use(void)
{
	struct rte_malloc_socket_stats st;

	if (rte_malloc_get_socket_stats((int)rte_socket_id(), &st) != 0)
		die("rte_malloc_get_socket_stats");
	return st.heap_allocsz_bytes;
}

void
fz_init(void)
{
	char *argv[] = {
		"fuzz", "--no-huge", "--no-pci", "--no-shconf", "--no-telemetry",
		"-m", "512", "-l", "0", "--log-level=error", NULL,
	};

	if (pool != NULL)
		return;
	if (rte_eal_init((int)RTE_DIM(argv) - 1, argv) < 0)
		die("rte_eal_init failed");
	pool = rte_pktmbuf_pool_create("fz_pool", 8191, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
				       SOCKET_ID_ANY);
	if (pool == NULL)
		die("mempool");
	heap_base = heap_in_use();
}

/* ---- the fake wire ---- */

static uint16_t
wire_send(struct sy_txq *q, struct rte_mbuf **pkts, uint16_t n)
{
	struct fz_stack *s = q->send_arg;

	for (uint16_t i = 0; i < n; i++) {
		s->wire_total++;
		if (s->wire_n < FZ_WIRE_MAX)
			s->wire[s->wire_n++] = pkts[i];
		else
			rte_pktmbuf_free(pkts[i]);
	}
	return n;
}

static void track_frames(struct fz_stack *s, struct fz_conn *cn);

void
fz_wire_drain(struct fz_stack *s)
{
	sy_txq_flush(&s->txq);
	if (fz_watch != NULL)
		track_frames(s, fz_watch);
	for (unsigned int i = 0; i < s->wire_n; i++)
		rte_pktmbuf_free(s->wire[i]);
	s->wire_n = 0;
}

/* ---- the applications: echo (port 80) and sink (port 9, never closes) ---- */

static void
live_add(sy_conn_t c)
{
	last_conn = c;
	if (cur->live_n < FZ_LIVE_MAX)
		cur->live[cur->live_n++] = c;
}

static void
live_del(sy_conn_t c)
{
	for (unsigned int i = 0; i < cur->live_n; i++)
		if (cur->live[i] == c) {
			cur->live[i] = cur->live[--cur->live_n];
			return;
		}
}

static void *
app_accepted(void *listener_user, sy_conn_t c)
{
	live_add(c);
	return listener_user;
}

static void
app_connected(void *user, sy_conn_t c)
{
	live_add(c);
}

static void
app_data(void *user, sy_conn_t c, struct rte_mbuf *m)
{
	if (user == &pol_echo && sy_tcp_send(cur->tcp, c, m) == 0)
		return;
	rte_pktmbuf_free(m);
}

static void
app_peer_closed(void *user, sy_conn_t c)
{
	if (user == &pol_echo)
		sy_tcp_close(cur->tcp, c);
}

static void
app_closed(void *user, sy_conn_t c, enum sy_tcp_close_reason why)
{
	live_del(c);
}

static const struct sy_tcp_ops app_ops = {
	.accepted = app_accepted, .connected = app_connected, .data = app_data,
	.peer_closed = app_peer_closed, .closed = app_closed,
};

/* ---- frames ---- */

static uint32_t
cksum_add(const void *p, size_t n, uint32_t sum)
{
	return __rte_raw_cksum(p, n, sum);
}

void
fz_fix_checksums(uint8_t *f, uint16_t len)
{
	if (len < RTE_ETHER_HDR_LEN + 20 || f[12] != 0x08 || f[13] != 0x00)
		return;
	uint8_t *ip = f + RTE_ETHER_HDR_LEN;
	unsigned int ihl = (ip[0] & 0xf) * 4u;

	if (ihl < 20 || RTE_ETHER_HDR_LEN + ihl > len)
		return;
	ip[10] = ip[11] = 0;
	uint16_t c = (uint16_t)~__rte_raw_cksum_reduce(cksum_add(ip, ihl, 0));
	memcpy(ip + 10, &c, 2);

	unsigned int tot = (unsigned int)ip[2] << 8 | ip[3];
	if (tot < ihl || RTE_ETHER_HDR_LEN + tot > len)
		return;
	uint8_t *l4 = ip + ihl;
	uint16_t l4len = (uint16_t)(tot - ihl);

	if (ip[9] == IPPROTO_TCP && l4len >= 18) {
		uint8_t ph[12];

		memcpy(ph, ip + 12, 8);
		ph[8] = 0;
		ph[9] = IPPROTO_TCP;
		ph[10] = (uint8_t)(l4len >> 8);
		ph[11] = (uint8_t)l4len;
		l4[16] = l4[17] = 0;
		c = (uint16_t)~__rte_raw_cksum_reduce(cksum_add(l4, l4len, cksum_add(ph, 12, 0)));
		memcpy(l4 + 16, &c, 2);
	} else if (ip[9] == IPPROTO_ICMP && l4len >= 4) {
		l4[2] = l4[3] = 0;
		c = (uint16_t)~__rte_raw_cksum_reduce(cksum_add(l4, l4len, 0));
		memcpy(l4 + 2, &c, 2);
	}
}

uint16_t
fz_frame_tcp(uint8_t *f, size_t cap, uint32_t src_ip, uint16_t sport, uint16_t dport,
	     uint8_t flags, uint32_t seq, uint32_t ack, uint16_t win, const uint8_t *opts,
	     uint8_t olen, const void *payload, uint16_t plen)
{
	uint8_t pad = (uint8_t)((4 - olen % 4) % 4);
	uint16_t l4 = (uint16_t)(sizeof(struct rte_tcp_hdr) + olen + pad + plen);
	uint16_t total = (uint16_t)(RTE_ETHER_HDR_LEN + sizeof(struct rte_ipv4_hdr) + l4);

	if (total > cap || olen + pad > 40)
		die("fz_frame_tcp: segment too large");
	memset(f, 0, total);
	struct rte_ether_hdr *eth = (struct rte_ether_hdr *)f;
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(eth + 1);
	struct rte_tcp_hdr *tcp = (struct rte_tcp_hdr *)(ip + 1);

	eth->dst_addr = local_mac;
	eth->src_addr = peer_mac;
	eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	ip->version_ihl = 0x45;
	ip->total_length = rte_cpu_to_be_16((uint16_t)(sizeof(*ip) + l4));
	ip->fragment_offset = rte_cpu_to_be_16(RTE_IPV4_HDR_DF_FLAG);
	ip->time_to_live = 64;
	ip->next_proto_id = IPPROTO_TCP;
	ip->src_addr = rte_cpu_to_be_32(src_ip);
	ip->dst_addr = rte_cpu_to_be_32(FZ_LOCAL_IP);
	tcp->src_port = rte_cpu_to_be_16(sport);
	tcp->dst_port = rte_cpu_to_be_16(dport);
	tcp->sent_seq = rte_cpu_to_be_32(seq);
	tcp->recv_ack = rte_cpu_to_be_32(ack);
	tcp->data_off = (uint8_t)(((20 + olen + pad) / 4) << 4);
	tcp->tcp_flags = flags;
	tcp->rx_win = rte_cpu_to_be_16(win);
	if (olen)
		memcpy(tcp + 1, opts, olen);
	if (plen)
		memcpy((uint8_t *)(tcp + 1) + olen + pad, payload, plen);
	fz_fix_checksums(f, total);
	return total;
}

uint16_t
fz_frame_conn(uint8_t *f, size_t cap, const struct fz_conn *cn, uint8_t flags, uint32_t seq,
	      uint32_t ack, const void *payload, uint16_t plen)
{
	uint8_t o[12] = { 1, 1, 8, 10 };

	for (int i = 0; i < 4; i++) {
		o[4 + i] = (uint8_t)(cn->tsval >> (24 - 8 * i));
		o[8 + i] = (uint8_t)(cn->tsecr >> (24 - 8 * i));
	}
	return fz_frame_tcp(f, cap, cn->peer_ip, cn->pport, cn->lport, flags, seq, ack, 65535,
			    o, cn->ts ? 12 : 0, payload, plen);
}

void
fz_feed(struct fz_stack *s, const uint8_t *f, uint16_t len, bool split)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(pool);
	uint16_t first = split && len >= 2 ? len / 2 : len;

	if (m == NULL)
		return;           /* the stack holds the whole pool: not a finding by itself */
	if (first > 0)
		memcpy(rte_pktmbuf_append(m, first), f, first);
	if (first < len) {
		struct rte_mbuf *m2 = rte_pktmbuf_alloc(pool);

		if (m2 == NULL) {
			rte_pktmbuf_free(m);
			return;
		}
		memcpy(rte_pktmbuf_append(m2, len - first), f + first, len - first);
		if (rte_pktmbuf_chain(m, m2) != 0)
			die("rte_pktmbuf_chain");
	}
	/* as the worker loop does: the burst prefetch reads raw frames before validation */
	sy_tcp_prefetch(s->tcp, (struct rte_mbuf *const []){ m, m }, 2);
	if (sy_net_input(s->net, m, sy_clock_ms(&s->clock)) == SY_NET_RX_TCP)
		sy_tcp_input(s->tcp, m);
}

void
fz_advance(struct fz_stack *s, uint64_t ms, unsigned int steps)
{
	uint64_t from = sy_clock_us(&s->clock);

	for (unsigned int i = 1; i <= steps; i++) {
		sy_clock_set(&s->clock, from + ms * 1000 * i / steps);
		sy_tcp_poll(s->tcp);
		sy_net_poll(s->net, sy_clock_ms(&s->clock));
		if (s->wire_n > FZ_WIRE_MAX / 2)
			fz_wire_drain(s);
	}
}

/* ---- reaching states with real exchanges ---- */

/* Reads what the stack sent to @p cn: its next SEQ and last TSval. */
static void
track_frames(struct fz_stack *s, struct fz_conn *cn)
{
	for (unsigned int i = 0; i < s->wire_n; i++) {
		const uint8_t *f = rte_pktmbuf_mtod(s->wire[i], const uint8_t *);
		uint32_t flen = rte_pktmbuf_data_len(s->wire[i]);

		if (flen < 54 || f[12] != 0x08 || f[23] != IPPROTO_TCP)
			continue;
		const struct rte_ipv4_hdr *ip = (const void *)(f + 14);
		const struct rte_tcp_hdr *th = (const void *)(f + 34);
		if (rte_be_to_cpu_16(th->dst_port) != cn->pport ||
		    rte_be_to_cpu_16(th->src_port) != cn->lport)
			continue;
		unsigned int doff = (th->data_off >> 4) * 4u;
		uint32_t plen = rte_be_to_cpu_16(ip->total_length) - 20u - doff;
		uint32_t end = rte_be_to_cpu_32(th->sent_seq) + plen +
			       !!(th->tcp_flags & TH_SYN) + !!(th->tcp_flags & TH_FIN);

		if ((int32_t)(end - cn->snd_nxt) > 0 || cn->snd_nxt == 0)
			cn->snd_nxt = end;
		for (unsigned int o = 20; o + 10 <= doff && 34 + o + 10 <= flen;) {
			const uint8_t *p = f + 34 + o;

			if (p[0] == 0)
				break;
			if (p[0] == 1) {
				o++;
				continue;
			}
			if (p[0] == 8 && p[1] == 10)
				cn->tsecr = (uint32_t)p[2] << 24 | p[3] << 16 | p[4] << 8 | p[5];
			if (p[1] < 2)
				break;
			o += p[1];
		}
	}
}

static void
track(struct fz_stack *s, struct fz_conn *cn)
{
	sy_txq_flush(&s->txq);
	track_frames(s, cn);
	fz_wire_drain(s);
}

static void
peer_send(struct fz_stack *s, struct fz_conn *cn, uint8_t flags, const void *d, uint16_t n)
{
	uint8_t f[2048];
	uint16_t len = fz_frame_conn(f, sizeof(f), cn, flags, cn->rcv_nxt, cn->snd_nxt, d, n);

	cn->tsval++;
	cn->rcv_nxt += n + !!(flags & TH_SYN) + !!(flags & TH_FIN);
	fz_feed(s, f, len, false);
	track(s, cn);
}

static void
passive(struct fz_stack *s, struct fz_conn *cn, uint16_t lport, uint16_t pport, bool full,
	bool complete)
{
	static const uint8_t opt_full[] = { 2, 4, 0x05, 0xb4, 4, 2, 8, 10, 0, 0, 0, 1, 0, 0, 0, 0,
					    1, 3, 3, 7 };
	static const uint8_t opt_mss[] = { 2, 4, 0x05, 0xb4 };
	uint8_t f[256];

	*cn = (struct fz_conn){ .lport = lport, .pport = pport, .peer_ip = FZ_PEER_IP,
				.rcv_nxt = 0x10000000u + pport * 0x10000u, .ts = full,
				.tsval = 2, .c = SY_CONN_NONE };
	uint16_t len = fz_frame_tcp(f, sizeof(f), cn->peer_ip, pport, lport, TH_SYN,
				    cn->rcv_nxt, 0, 65535, full ? opt_full : opt_mss,
				    full ? sizeof(opt_full) : sizeof(opt_mss), NULL, 0);
	cn->rcv_nxt++;
	fz_feed(s, f, len, false);
	track(s, cn);
	if (!complete)
		return;
	last_conn = SY_CONN_NONE;
	peer_send(s, cn, TH_ACK, NULL, 0);
	if (last_conn == SY_CONN_NONE)
		die("setup: handshake did not complete");
	cn->c = last_conn;
}

static void
active(struct fz_stack *s, struct fz_conn *cn, uint32_t peer_ip, uint16_t pport, uint16_t lport,
       bool answer)
{
	static const uint8_t opt[] = { 2, 4, 0x05, 0xb4, 4, 2, 8, 10, 0, 0, 0, 1, 0, 0, 0, 0,
				       1, 3, 3, 7 };
	uint8_t f[256];
	sy_conn_t c;

	*cn = (struct fz_conn){ .lport = lport, .pport = pport, .peer_ip = peer_ip,
				.rcv_nxt = 0x20000000u + lport, .tsval = 2 };
	if (sy_tcp_connect(s->tcp, rte_cpu_to_be_32(FZ_LOCAL_IP), rte_cpu_to_be_16(lport),
			   rte_cpu_to_be_32(peer_ip), rte_cpu_to_be_16(pport), &app_ops,
			   (void *)&pol_sink, &c) != 0)
		die("setup: sy_tcp_connect");
	cn->c = c;
	track(s, cn);
	if (!answer)
		return;
	uint8_t o[sizeof(opt)];

	memcpy(o, opt, sizeof(o));
	for (int i = 0; i < 4; i++)
		o[12 + i] = (uint8_t)(cn->tsecr >> (24 - 8 * i));
	uint16_t len = fz_frame_tcp(f, sizeof(f), peer_ip, pport, lport, TH_SYN | TH_ACK,
				    cn->rcv_nxt, cn->snd_nxt, 65535, o, sizeof(o), NULL, 0);
	cn->rcv_nxt++;
	cn->ts = true;
	fz_feed(s, f, len, false);
	track(s, cn);
}

static void
app_send(struct fz_stack *s, sy_conn_t c, uint32_t bytes)
{
	struct rte_mbuf *head = NULL;

	while (bytes > 0) {
		uint16_t n = bytes > 1400 ? 1400 : (uint16_t)bytes;
		struct rte_mbuf *m = rte_pktmbuf_alloc(pool);

		if (m == NULL)
			break;
		memset(rte_pktmbuf_append(m, n), 'a' + bytes % 26, n);
		if (head == NULL)
			head = m;
		else if (rte_pktmbuf_chain(head, m) != 0) {
			rte_pktmbuf_free(m);
			break;
		}
		bytes -= n;
	}
	if (head != NULL && sy_tcp_send(s->tcp, c, head) != 0)
		rte_pktmbuf_free(head);
}

static void
check_states(const struct fz_stack *s)
{
	static const struct { enum sy_tcp_state st; uint32_t n; } want[] = {
		{ SY_TCP_ESTABLISHED, 2 }, { SY_TCP_CLOSE_WAIT, 1 }, { SY_TCP_FIN_WAIT_1, 1 },
		{ SY_TCP_FIN_WAIT_2, 1 }, { SY_TCP_SYN_RECEIVED, 1 }, { SY_TCP_SYN_SENT, 2 },
		{ SY_TCP_TIME_WAIT, 1 },
	};
	bool ok = true;

	for (unsigned int i = 0; i < RTE_DIM(want); i++) {
		uint32_t n = sy_tcp_count(s->tcp, want[i].st);

		if (n != want[i].n) {
			fprintf(stderr, "fuzz_stack: setup: %u in %s, expected %u\n", n,
				sy_tcp_state_name(want[i].st), want[i].n);
			ok = false;
		}
	}
	if (!ok)
		die("setup did not reach the scripted states");
}

static void
script(struct fz_stack *s)
{
	struct fz_conn *cn = s->conn;
	static const char hello[100] = "GET / HTTP/1.1\r\nHost: fuzz\r\n\r\n";

	passive(s, &cn[0], FZ_ECHO_PORT, 40001, true, true);
	peer_send(s, &cn[0], TH_ACK | TH_PSH, hello, sizeof(hello));
	passive(s, &cn[1], FZ_SINK_PORT, 40002, false, true);
	peer_send(s, &cn[1], TH_ACK | TH_FIN, NULL, 0);
	passive(s, &cn[2], FZ_SINK_PORT, 40003, true, true);
	sy_tcp_close(s->tcp, cn[2].c);
	track(s, &cn[2]);
	passive(s, &cn[3], FZ_SINK_PORT, 40004, false, true);
	sy_tcp_close(s->tcp, cn[3].c);
	track(s, &cn[3]);
	peer_send(s, &cn[3], TH_ACK, NULL, 0);
	passive(s, &cn[4], FZ_ECHO_PORT, 40005, false, false);
	active(s, &cn[5], FZ_PEER_IP, 80, 50000, true);
	app_send(s, cn[5].c, 3000);
	track(s, &cn[5]);
	active(s, &cn[6], FZ_PEER_IP, 81, 50001, false);
	passive(s, &cn[7], FZ_SINK_PORT, 40008, false, true);
	sy_tcp_close(s->tcp, cn[7].c);
	track(s, &cn[7]);
	peer_send(s, &cn[7], TH_ACK, NULL, 0);
	peer_send(s, &cn[7], TH_ACK | TH_FIN, NULL, 0);
	active(s, &cn[8], FZ_FAR_IP, 80, 50002, false);
	fz_wire_drain(s);
	check_states(s);
}

void
fz_build(struct fz_stack *s)
{
	struct sy_net_conf nc;
	unsigned int builds = s->builds;

	fz_init();
	memset(s, 0, sizeof(*s));
	s->builds = builds + 1;
	s->pool = pool;
	cur = s;
	sy_clock_init_virtual(&s->clock, FZ_START_US);
	sy_txq_init_fn(&s->txq, wire_send, s);
	sy_net_conf_defaults(&nc);
	nc.mac = local_mac;
	nc.addr_first = rte_cpu_to_be_32(FZ_LOCAL_IP);
	nc.addr_count = 1;
	nc.prefix_len = 24;
	nc.mtu = 1500;
	s->net = sy_net_create(&nc, &s->txq, pool, SOCKET_ID_ANY);
	if (s->net == NULL ||
	    sy_net_arp_add_static(s->net, rte_cpu_to_be_32(FZ_PEER_IP), &peer_mac) != 0)
		die("setup: sy_net");

	/* short timers so that a few seconds of virtual time reach every one of them */
	sy_tcp_conf_defaults(&s->conf);
	s->conf.max_conns = 64;
	s->conf.max_time_wait = 16;
	s->conf.msl_s = 5;
	s->conf.syn_retries = 3;
	s->conf.synack_retries = 2;
	s->conf.data_retries = 4;
	s->conf.fin_wait2_timeout_s = 3;
	s->conf.keepalive_idle_s = 10;
	s->conf.keepalive_intvl_s = 2;
	s->conf.keepalive_probes = 3;
	s->conf.snd_buf = 32768;
	s->conf.isn_secret = secret;
	s->tcp = sy_tcp_create("fz", &s->conf, s->net, pool, &s->clock, SOCKET_ID_ANY);
	if (s->tcp == NULL)
		die("setup: sy_tcp_create");
	if (sy_tcp_listen(s->tcp, rte_cpu_to_be_32(FZ_LOCAL_IP), rte_cpu_to_be_16(FZ_ECHO_PORT),
			  16, &app_ops, (void *)&pol_echo) != 0 ||
	    sy_tcp_listen(s->tcp, 0, rte_cpu_to_be_16(FZ_SINK_PORT), 16, &app_ops,
			  (void *)&pol_sink) != 0)
		die("setup: sy_tcp_listen");
	script(s);
}

void
fz_destroy(struct fz_stack *s)
{
	if (s->tcp != NULL)
		sy_tcp_free(s->tcp);
	s->tcp = NULL;
	if (s->net != NULL)
		sy_net_free(s->net);
	s->net = NULL;
	fz_wire_drain(s);
	unsigned int in_use = rte_mempool_in_use_count(pool);

	if (in_use != 0) {
		fprintf(stderr, "fuzz_stack: %u mbufs leaked after freeing the stack\n", in_use);
		abort();
	}
	/* what sy_tcp_create/sy_net_create took from the DPDK heap (hash tables, arenas,
	 * rings) must all be given back by the frees: LeakSanitizer cannot see that heap */
	size_t heap = heap_in_use();
	if (heap != heap_base) {
		fprintf(stderr, "fuzz_stack: DPDK heap holds %zu bytes after freeing the stack, "
			"%zu before building it\n", heap, heap_base);
		abort();
	}
	cur = NULL;
}

/* ---- one input ---- */

static void
app_op(struct fz_stack *s, uint8_t op)
{
	unsigned int idx = op >> 3;

	if ((op & 7) == 4) {
		sy_conn_t c;

		sy_tcp_connect(s->tcp, rte_cpu_to_be_32(FZ_LOCAL_IP), 0,
			       rte_cpu_to_be_32(idx & 1 ? FZ_FAR_IP : FZ_PEER_IP),
			       rte_cpu_to_be_16((uint16_t)(80 + idx % 4)), &app_ops,
			       (void *)(idx & 2 ? &pol_echo : &pol_sink), &c);
		return;
	}
	if (s->live_n == 0)
		return;
	sy_conn_t c = s->live[idx % s->live_n];

	switch (op & 7) {
	case 0: app_send(s, c, (idx + 1) * 97); break;
	case 1: sy_tcp_shutdown(s->tcp, c); break;
	case 2: sy_tcp_close(s->tcp, c); break;
	case 3: sy_tcp_abort(s->tcp, c); break;
	case 5: sy_tcp_set_keepalive(s->tcp, c, true); break;
	case 6: sy_tcp_set_nodelay(s->tcp, c, idx & 1); break;
	default: app_send(s, c, 40000); break;   /* past snd_buf: -EAGAIN path */
	}
}

void
fz_run(struct fz_stack *s, const uint8_t *data, size_t size)
{
	static uint8_t frame[FZ_HDR_LEN + 1];
	size_t i = 0;

	while (i + 2 <= size) {
		uint16_t hdr = (uint16_t)(data[i] << 8 | data[i + 1]);

		i += 2;
		if (hdr & FZ_HDR_APPOP) {
			app_op(s, (uint8_t)hdr);
		} else {
			uint16_t len = hdr & FZ_HDR_LEN;

			if (len > size - i)
				len = (uint16_t)(size - i);
			memcpy(frame, data + i, len);
			i += len;
			if (hdr & FZ_HDR_FIXCSUM)
				fz_fix_checksums(frame, len);
			fz_feed(s, frame, len, (hdr & FZ_HDR_SPLIT) != 0);
		}
		if (i < size) {
			uint8_t t = data[i++];

			if (t < 200)
				fz_advance(s, t, t);
			else
				fz_advance(s, (t - 199u) * 1000u, 100);
		}
		fz_wire_drain(s);
	}
}
