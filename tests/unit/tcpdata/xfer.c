/* SPDX-License-Identifier: BSD-3-Clause */
/* See xfer.h. */
#include <stdlib.h>
#include <string.h>
#include <rte_tcp.h>
#include <criterion/criterion.h>
#include <rte_ether.h>
#include <rte_ip.h>

#include "sy_test.h"
#include "xfer.h"
#include "tcb.h"

#define XF_PORT 5001
#define XF_SEG 1900                   /* bytes per mbuf the applications send */

static const struct rte_ether_addr xf_mac[2] = {
	{{ 0x02, 0, 0, 0, 0, 0x01 }}, {{ 0x02, 0, 0, 0, 0, 0x02 }} };

static uint32_t
xf_ip(int i)
{
	return rte_cpu_to_be_32(SY_TEST_IPV4(10, 9, 0, 1 + i));
}

static struct xf_side *
side_of(void *user)
{
	return user;
}

static void
on_data(void *user, sy_conn_t c, struct rte_mbuf *m)
{
	struct xf_side *s = side_of(user);

	for (struct rte_mbuf *seg = m; seg != NULL; seg = seg->next) {
		crypto_hash_sha256_update(&s->h_rcvd, rte_pktmbuf_mtod(seg, const uint8_t *),
					  seg->data_len);
		s->received += seg->data_len;
	}
	rte_pktmbuf_free(m);
}

static void
on_peer_closed(void *user, sy_conn_t c)
{
	side_of(user)->peer_closed = true;
}

static void
on_closed(void *user, sy_conn_t c, enum sy_tcp_close_reason why)
{
	struct xf_side *s = side_of(user);

	s->closed = true;
	s->why = why;
}

static void on_connected(void *user, sy_conn_t c) { side_of(user)->up = true; }
static void on_writable(void *user, sy_conn_t c) { }

static void *
on_accepted(void *listener_user, sy_conn_t c)
{
	struct xf_side *s = side_of(listener_user);

	s->c = c;
	s->up = true;
	return s;
}

static const struct sy_tcp_ops xf_ops = {
	.accepted = on_accepted, .connected = on_connected, .data = on_data,
	.writable = on_writable, .peer_closed = on_peer_closed, .closed = on_closed,
};

static void
side_up(struct xf *x, int i, const struct sy_tcp_conf *tc, bool tso)
{
	struct xf_side *s = &x->s[i];
	struct sy_net_conf nc;
	char name[32];
	static unsigned int seq;

	s->pool = sy_test_pool(16383);
	sy_wire_attach(x->wire, i, &s->txq);
	sy_net_conf_defaults(&nc);
	nc.mac = xf_mac[i];
	nc.addr_first = xf_ip(i);
	nc.addr_count = 1;
	nc.prefix_len = 24;
	nc.mtu = 1500;
	nc.tx_ip_cksum_offload = false;
	nc.tx_l4_cksum_offload = false;
	nc.tx_multi_seg = tso;
	nc.tso = tso ? SY_NET_TSO_WHOLE : SY_NET_TSO_OFF;   /* the wire carries them whole */
	s->net = sy_net_create(&nc, &s->txq, s->pool, SOCKET_ID_ANY);
	cr_assert_not_null(s->net);
	cr_assert_eq(sy_net_arp_add_static(s->net, xf_ip(!i), &xf_mac[!i]), 0);
	snprintf(name, sizeof(name), "xf%u", seq++);
	s->tcp = sy_tcp_create(name, tc, s->net, s->pool, &x->clock, SOCKET_ID_ANY);
	cr_assert_not_null(s->tcp);
	s->c = SY_CONN_NONE;
	sy_wire_rng_seed(&s->gen, 0x5eed0000u + (uint64_t)i);
	crypto_hash_sha256_init(&s->h_sent);
	crypto_hash_sha256_init(&s->h_rcvd);
}

void
xf_create(struct xf *x, const struct sy_wire_conf *wc, const struct sy_tcp_conf *tc)
{
	xf_create_tso(x, wc, tc, false);
}

void
xf_create_tso(struct xf *x, const struct sy_wire_conf *wc, const struct sy_tcp_conf *tc,
	      bool tso)
{
	static const uint8_t secret[16] = "tcpdata-secret!";
	struct sy_tcp_conf def;

	memset(x, 0, sizeof(*x));
	sy_test_eal_init();
	cr_assert_eq(sodium_init() >= 0, 1);
	sy_clock_init_virtual(&x->clock, 1000000);
	x->wire = sy_wire_create(wc, &x->clock, SOCKET_ID_ANY);
	cr_assert_not_null(x->wire);
	if (tc == NULL) {
		sy_tcp_conf_defaults(&def);
		def.max_conns = 64;
		def.max_time_wait = 64;
		tc = &def;
	}
	def = *tc;
	def.isn_secret = secret;         /* the same ISNs every run: deterministic */
	tc = &def;
	side_up(x, 0, tc, tso);
	side_up(x, 1, tc, tso);
}

/* Hands the application's bytes to TCP while it takes them; FIN after the last. */
static void
pump(struct xf_side *s, uint32_t seg)
{
	while (s->up && !s->closed && s->sent < s->to_send) {
		uint32_t n = (uint32_t)RTE_MIN((uint64_t)seg, s->to_send - s->sent);
		struct rte_mbuf *m;
		uint8_t *p;

		if (sy_tcp_send_space(s->tcp, s->c) < n)
			return;
		m = rte_pktmbuf_alloc(s->pool);
		if (m == NULL)
			return;
		p = (uint8_t *)rte_pktmbuf_append(m, (uint16_t)n);
		for (uint32_t i = 0; i < n; i += 8) {
			uint64_t v = sy_wire_rng_next(&s->gen);

			memcpy(p + i, &v, RTE_MIN(8u, n - i));
		}
		crypto_hash_sha256_update(&s->h_sent, p, n);
		cr_assert_eq(sy_tcp_send(s->tcp, s->c, m), 0);
		s->sent += n;
	}
	if (s->up && !s->shut && s->sent == s->to_send) {
		cr_assert_eq(sy_tcp_shutdown(s->tcp, s->c), 0);
		s->shut = true;
	}
}

static unsigned int
deliver(struct xf *x, int end)
{
	struct xf_side *s = &x->s[end];
	struct rte_mbuf *pkts[32];
	uint16_t n = sy_wire_deliver(x->wire, end, pkts, RTE_DIM(pkts));

	for (uint16_t i = 0; i < n; i++) {
		if (sy_net_input(s->net, pkts[i], sy_clock_ms(&x->clock)) == SY_NET_RX_TCP)
			sy_tcp_input(s->tcp, pkts[i]);
	}
	return n;
}

static bool
done(const struct xf *x)
{
	return x->s[0].closed && x->s[1].closed;
}

/* One loop iteration of both "lcores"; when nothing moved, time jumps ahead. */
static void
step(struct xf *x)
{
	unsigned int moved = 0;
	uint64_t now = sy_clock_us(&x->clock), next;

	for (int i = 0; i < 2; i++)
		pump(&x->s[i], x->app_seg != 0 ? x->app_seg : XF_SEG);
	for (int i = 0; i < 2; i++) {
		moved += deliver(x, i);
		sy_txq_flush(&x->s[i].txq);
	}
	next = RTE_MIN(sy_wire_next_due(x->wire, 0), sy_wire_next_due(x->wire, 1));
	if (moved == 0)
		now = next != UINT64_MAX && next < now + 1000 ? RTE_MAX(next, now + 1) : now + 1000;
	else
		now += 1;
	sy_clock_set(&x->clock, now);
	for (int i = 0; i < 2; i++) {
		sy_tcp_poll(x->s[i].tcp);
		sy_net_poll(x->s[i].net, sy_clock_ms(&x->clock));
		sy_txq_flush(&x->s[i].txq);
	}
	x->steps++;
}

void
xf_run(struct xf *x, const uint64_t bytes[2], uint64_t max_us)
{
	uint64_t end = sy_clock_us(&x->clock) + max_us;

	x->s[0].to_send = bytes[0];
	x->s[1].to_send = bytes[1];
	cr_assert_eq(sy_tcp_listen(x->s[1].tcp, xf_ip(1), rte_cpu_to_be_16(XF_PORT), 16, &xf_ops,
				   &x->s[1]), 0);
	cr_assert_eq(sy_tcp_connect(x->s[0].tcp, xf_ip(0), 0, xf_ip(1),
				    rte_cpu_to_be_16(XF_PORT), &xf_ops, &x->s[0], &x->s[0].c), 0);
	sy_txq_flush(&x->s[0].txq);
	while (!done(x) && sy_clock_us(&x->clock) < end)
		step(x);
}

static void
dump(const struct xf *x)
{
	for (int i = 0; i < 2; i++) {
		const struct sy_tcp_stats *t = sy_tcp_stats(x->s[i].tcp);

		fprintf(stderr, "side %d:", i);
#define XF_P(n) if (t->n) fprintf(stderr, " %s=%lu", #n, (unsigned long)t->n);
		SY_TCP_STATS(XF_P)
#undef XF_P
		fprintf(stderr, "\n");
		if (sy_tcp_conn_state(x->s[i].tcp, x->s[i].c) != SY_TCP_CLOSED) {
			const struct sy_tcb *b = tcb_ptr(x->s[i].tcp, x->s[i].c);

			fprintf(stderr, " una %u nxt %u max %u wnd %u rcv_nxt %u flags %x rto %u "
				"rtx_at %u now %u retries %u sndq %u q %u cwnd %u\n", b->snd_una,
				b->snd_nxt, b->snd_max, b->snd_wnd, b->rcv_nxt, b->flags, b->rto_ms,
				b->rtx_at, (uint32_t)x->s[i].tcp->now_ms, b->retries, b->sndq,
				tcb_sndq_bytes(x->s[i].tcp, b), b->cwnd);
			if (b->sndq != TCP_NO_SNDQ) {
				const struct tcp_sndq *q = sndq_ptr(x->s[i].tcp, b->sndq);

				fprintf(stderr, " rq_n %u segs %u bytes %u", q->rq_n, q->rq_segs,
					q->rq_bytes);
				for (int k = 0; k < q->rq_n; k++)
					fprintf(stderr, " [%u+%u]", q->rq[k].seq, q->rq[k].len);
				fprintf(stderr, "\n");
			}
		}
	}
}

void
xf_assert_exact(struct xf *x)
{
	if (!x->s[0].closed || !x->s[1].closed || x->s[0].why || x->s[1].why)
		dump(x);
	uint8_t a[crypto_hash_sha256_BYTES], b[crypto_hash_sha256_BYTES];

	for (int i = 0; i < 2; i++) {
		struct xf_side *s = &x->s[i], *p = &x->s[!i];

		cr_assert(s->closed, "side %d not closed (%s, t %lu us): sent %lu of %lu, peer "
			  "received %lu", i, sy_tcp_state_name(sy_tcp_conn_state(s->tcp, s->c)),
			  sy_clock_us(&x->clock), s->sent, s->to_send, p->received);
		cr_assert_eq(s->why, SY_TCP_CLOSE_NORMAL, "side %d closed %s", i,
			     sy_tcp_close_reason_name(s->why));
		cr_assert_eq(p->received, s->to_send, "side %d received %lu of %lu", !i,
			     p->received, s->to_send);
	}
	for (int i = 0; i < 2; i++) {
		crypto_hash_sha256_final(&x->s[i].h_sent, a);
		crypto_hash_sha256_final(&x->s[!i].h_rcvd, b);
		cr_assert_arr_eq(a, b, sizeof(a), "SHA-256 of %d -> %d differs", i, !i);
	}
}

void
xf_destroy(struct xf *x)
{
	for (int i = 0; i < 2; i++) {
		sy_tcp_free(x->s[i].tcp);
		sy_net_free(x->s[i].net);
		sy_txq_flush(&x->s[i].txq);
	}
	sy_wire_free(x->wire);
	for (int i = 0; i < 2; i++)
		sy_test_pool_check_and_free(x->s[i].pool);
}
