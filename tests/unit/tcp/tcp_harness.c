/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The packet-level TCP harness: see tcp_harness.h. Segments are built and parsed here
 * without lib/net's builders, and checksums are computed with rte_ip.h directly, so a bug
 * in the stack's headers or checksums cannot hide behind the same bug in the test.
 */
/* rte_ipv4_udptcp_cksum_verify() is still experimental in DPDK 22.11 */
#define ALLOW_EXPERIMENTAL_API 1
#include "tcp_harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <criterion/criterion.h>
#include <rte_ether.h>
#include <rte_tcp.h>

struct th *TH;

static const struct rte_ether_addr local_mac = {{ 0x02, 0, 0, 0, 0, 0x01 }};
static const struct rte_ether_addr peer_mac = {{ 0x02, 0, 0, 0, 0, 0x02 }};
static const struct rte_ether_addr peer2_mac = {{ 0x02, 0, 0, 0, 0, 0x03 }};

static const uint8_t default_secret[16] = {
	0x5a, 0x17, 0xc3, 0x09, 0x88, 0x21, 0xfe, 0x4d,
	0x13, 0x37, 0x42, 0x99, 0x0b, 0xad, 0xf0, 0x0d,
};

/* ---- the application recorder ---- */

static void
app_push(struct th_app *a, enum th_ev_kind kind, sy_conn_t c, uint32_t len,
	 enum sy_tcp_close_reason why)
{
	cr_assert(a->n < TH_APP_EVENTS, "too many app events");
	a->ev[a->n++] = (struct th_ev){ .kind = kind, .c = c, .len = len, .why = why,
					.at_ms = sy_clock_ms(&a->h->clock) };
}

static void *
app_accepted(void *listener_user, sy_conn_t c)
{
	struct th_app *a = listener_user;

	app_push(a, TH_EV_ACCEPTED, c, 0, 0);
	a->last = c;
	return a;
}

static void
app_connected(void *user, sy_conn_t c)
{
	struct th_app *a = user;

	app_push(a, TH_EV_CONNECTED, c, 0, 0);
	a->last = c;
}

static void
app_data(void *user, sy_conn_t c, struct rte_mbuf *m)
{
	struct th_app *a = user;
	uint32_t len = rte_pktmbuf_pkt_len(m);

	cr_assert(a->data_len + len <= TH_APP_DATA, "app data buffer full");
	const void *p = rte_pktmbuf_read(m, 0, len, a->data + a->data_len);
	if (p != a->data + a->data_len)
		memcpy(a->data + a->data_len, p, len);
	a->data_len += len;
	app_push(a, TH_EV_DATA, c, len, 0);
	rte_pktmbuf_free(m);
}

static void
app_writable(void *user, sy_conn_t c)
{
	app_push(user, TH_EV_WRITABLE, c, 0, 0);
}

static void
app_peer_closed(void *user, sy_conn_t c)
{
	app_push(user, TH_EV_PEER_CLOSED, c, 0, 0);
}

static void
app_closed(void *user, sy_conn_t c, enum sy_tcp_close_reason why)
{
	app_push(user, TH_EV_CLOSED, c, 0, why);
}

unsigned int
th_app_count(const struct th *h, enum th_ev_kind kind)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < h->app.n; i++)
		n += h->app.ev[i].kind == kind;
	return n;
}

int
th_app_index(const struct th *h, enum th_ev_kind kind)
{
	for (unsigned int i = 0; i < h->app.n; i++)
		if (h->app.ev[i].kind == kind)
			return (int)i;
	return -1;
}

const struct th_ev *
th_app_find(const struct th *h, enum th_ev_kind kind)
{
	int i = th_app_index(h, kind);

	return i < 0 ? NULL : &h->app.ev[i];
}

void
th_app_send(struct th *h, sy_conn_t c, const void *data, uint32_t len)
{
	struct rte_mbuf *head = NULL;
	const uint8_t *src = data;

	while (len > 0) {
		uint16_t n = len > 2000 ? 2000 : (uint16_t)len;
		struct rte_mbuf *m = sy_test_mbuf_from(h->pool, src, n);

		if (head == NULL)
			head = m;
		else
			cr_assert_eq(rte_pktmbuf_chain(head, m), 0, "chain");
		src += n;
		len -= n;
	}
	int rc = sy_tcp_send(h->tcp, c, head);
	if (rc != 0)
		rte_pktmbuf_free(head);
	cr_assert_eq(rc, 0, "sy_tcp_send: %d", rc);
}

/* ---- life cycle ---- */

void
th_conf_defaults(struct sy_tcp_conf *conf)
{
	sy_tcp_conf_defaults(conf);
	conf->max_conns = 64;
	conf->max_time_wait = 64;
	conf->msl_s = TH_MSL_S;
	conf->rto_init_ms = 1000;
	conf->rto_min_ms = 200;
	conf->rto_max_ms = 120000;
	conf->syn_retries = TH_SYN_RETRIES;
	conf->synack_retries = TH_SYNACK_RETRIES;
	conf->data_retries = TH_DATA_RETRIES;
	conf->fin_wait2_timeout_s = TH_FW2_TIMEOUT_S;
	conf->delack_ms = TH_DELACK_MS;
	conf->keepalive = false;
	conf->keepalive_idle_s = TH_KA_IDLE_S;
	conf->keepalive_intvl_s = TH_KA_INTVL_S;
	conf->keepalive_probes = TH_KA_PROBES;
	conf->mss = TH_MSS;
	conf->wscale = 7;
	conf->sack = true;
	conf->timestamps = true;
	conf->rst_when_full = false;
}

struct th *
th_create(const struct sy_tcp_conf *conf, const uint8_t *secret, uint64_t start_us)
{
	return th_create_tso(conf, secret, start_us, false);
}

struct th *
th_create_tso(const struct sy_tcp_conf *conf, const uint8_t *secret, uint64_t start_us,
	      bool tso)
{
	static unsigned int seq;
	struct sy_net_conf nc;
	struct th *h = calloc(1, sizeof(*h));

	cr_assert_not_null(h);
	sy_test_eal_init();
	snprintf(h->name, sizeof(h->name), "tht%u", seq++);
	h->pool = sy_test_pool(4095);
	sy_clock_init_virtual(&h->clock, start_us);
	sy_test_wire_attach(&h->wire, &h->txq);

	sy_net_conf_defaults(&nc);
	nc.mac = local_mac;
	nc.addr_first = rte_cpu_to_be_32(TH_LOCAL_IP);
	nc.addr_count = 1;
	nc.prefix_len = 24;
	nc.gateway = 0;
	nc.mtu = 1500;
	nc.tx_ip_cksum_offload = false;
	nc.tx_l4_cksum_offload = false;
	nc.tx_multi_seg = tso;
	nc.tso = tso ? SY_NET_TSO_WHOLE : SY_NET_TSO_OFF;
	h->net = sy_net_create(&nc, &h->txq, h->pool, SOCKET_ID_ANY);
	cr_assert_not_null(h->net, "sy_net_create");
	cr_assert_eq(sy_net_arp_add_static(h->net, rte_cpu_to_be_32(TH_PEER_IP), &peer_mac), 0);
	cr_assert_eq(sy_net_arp_add_static(h->net, rte_cpu_to_be_32(TH_PEER2_IP), &peer2_mac), 0);

	if (conf != NULL)
		h->conf = *conf;
	else
		th_conf_defaults(&h->conf);
	memcpy(h->secret, secret != NULL ? secret : default_secret, sizeof(h->secret));
	h->conf.isn_secret = h->secret;

	h->app.h = h;
	h->app.last = SY_CONN_NONE;
	h->ops = (struct sy_tcp_ops){
		.accepted = app_accepted, .connected = app_connected, .data = app_data,
		.writable = app_writable, .peer_closed = app_peer_closed,
		.closed = app_closed,
	};
	h->tcp = sy_tcp_create(h->name, &h->conf, h->net, h->pool, &h->clock, SOCKET_ID_ANY);
	cr_assert_not_null(h->tcp, "sy_tcp_create");
	return h;
}

void
th_destroy(struct th *h)
{
	if (h == NULL)
		return;
	if (h->tcp != NULL)
		sy_tcp_free(h->tcp);
	if (h->net != NULL)
		sy_net_free(h->net);
	sy_test_wire_clear(&h->wire, &h->txq);
	struct rte_mempool *mp = h->pool;
	free(h);
	sy_test_pool_check_and_free(mp);
}

void
th_setup(void)
{
	TH = th_create(NULL, NULL, 1000000);
}

void
th_setup_with(void (*tweak)(struct sy_tcp_conf *conf))
{
	struct sy_tcp_conf conf;

	th_conf_defaults(&conf);
	tweak(&conf);
	TH = th_create(&conf, NULL, 1000000);
}

void
th_teardown(void)
{
	struct th *h = TH;

	TH = NULL;
	th_destroy(h);
}

void
th_listen(struct th *h)
{
	if (h->listening)
		return;
	int rc = sy_tcp_listen(h->tcp, rte_cpu_to_be_32(TH_LOCAL_IP),
			       rte_cpu_to_be_16(TH_LPORT), 16, &h->ops, &h->app);
	cr_assert_eq(rc, 0, "sy_tcp_listen: %d", rc);
	h->listening = true;
}

uint32_t
th_count_all(const struct th *h)
{
	uint32_t n = 0;

	for (int s = SY_TCP_SYN_SENT; s <= SY_TCP_TIME_WAIT; s++)
		n += sy_tcp_count(h->tcp, (enum sy_tcp_state)s);
	return n;
}

void
th_pattern(uint8_t *buf, uint32_t len, uint32_t seed)
{
	for (uint32_t i = 0; i < len; i++)
		buf[i] = (uint8_t)((seed + i) * 131u + ((seed + i) >> 8));
}

/* ---- building the peer's segments ---- */

static uint8_t
opts_build(const struct th_opts *o, uint8_t *b)
{
	uint8_t n = 0;

	if (o->raw != NULL) {
		memcpy(b, o->raw, o->raw_len);
		n = o->raw_len;
	} else {
		if (o->mss) {
			b[n++] = 2; b[n++] = 4;
			b[n++] = (uint8_t)(o->mss >> 8); b[n++] = (uint8_t)o->mss;
		}
		if (o->sack_ok) {
			b[n++] = o->ts_on ? 4 : 1; b[n++] = o->ts_on ? 2 : 1;
			if (!o->ts_on) { b[n++] = 4; b[n++] = 2; }
		} else if (o->ts_on) {
			b[n++] = 1; b[n++] = 1;
		}
		if (o->ts_on) {
			rte_be32_t v = rte_cpu_to_be_32(o->tsval);
			rte_be32_t e = rte_cpu_to_be_32(o->tsecr);

			b[n++] = 8; b[n++] = 10;
			memcpy(b + n, &v, 4); n += 4;
			memcpy(b + n, &e, 4); n += 4;
		}
		if (o->ws_on) {
			b[n++] = 1; b[n++] = 3; b[n++] = 3; b[n++] = o->ws;
		}
	}
	while (n % 4)
		b[n++] = 0;   /* EOL padding */
	return n;
}

struct rte_mbuf *
th_build(struct th *h, const struct th_seg *s)
{
	uint8_t f[2048];
	uint8_t ob[64];
	uint8_t olen = opts_build(&s->opt, ob);
	uint16_t l4 = (uint16_t)(sizeof(struct rte_tcp_hdr) + olen + s->len);
	uint16_t total = (uint16_t)(RTE_ETHER_HDR_LEN + sizeof(struct rte_ipv4_hdr) + l4);

	cr_assert(total <= sizeof(f), "segment too large for the harness");
	memset(f, 0, sizeof(f));
	struct rte_ether_hdr *eth = (struct rte_ether_hdr *)f;
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(eth + 1);
	struct rte_tcp_hdr *tcp = (struct rte_tcp_hdr *)(ip + 1);
	uint32_t src = s->src_ip ? s->src_ip : TH_PEER_IP;

	eth->dst_addr = local_mac;
	eth->src_addr = src == TH_PEER2_IP ? peer2_mac : peer_mac;
	eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);

	ip->version_ihl = 0x45;
	ip->total_length = rte_cpu_to_be_16((uint16_t)(sizeof(*ip) + l4));
	ip->packet_id = rte_cpu_to_be_16(0x4242);
	ip->fragment_offset = rte_cpu_to_be_16(RTE_IPV4_HDR_DF_FLAG);
	ip->time_to_live = 64;
	ip->next_proto_id = IPPROTO_TCP;
	ip->src_addr = rte_cpu_to_be_32(src);
	ip->dst_addr = rte_cpu_to_be_32(TH_LOCAL_IP);
	ip->hdr_checksum = rte_ipv4_cksum(ip);

	tcp->src_port = rte_cpu_to_be_16(s->sport ? s->sport : TH_PPORT);
	tcp->dst_port = rte_cpu_to_be_16(s->dport ? s->dport : TH_LPORT);
	tcp->sent_seq = rte_cpu_to_be_32(s->seq);
	tcp->recv_ack = rte_cpu_to_be_32(s->ack);
	tcp->data_off = (uint8_t)((s->doff_words ? s->doff_words : (20 + olen) / 4) << 4);
	tcp->tcp_flags = s->flags;
	tcp->rx_win = rte_cpu_to_be_16(s->win ? s->win : 65535);
	memcpy(tcp + 1, ob, olen);
	if (s->len)
		memcpy((uint8_t *)(tcp + 1) + olen, s->data, s->len);
	tcp->cksum = rte_ipv4_udptcp_cksum(ip, tcp);
	if (s->bad_csum)
		tcp->cksum ^= 0x5555;
	return sy_test_mbuf_from(h->pool, f, total);
}

enum sy_net_rx
th_feed_mbuf(struct th *h, struct rte_mbuf *m)
{
	enum sy_net_rx r = sy_net_input(h->net, m, sy_clock_ms(&h->clock));

	if (r == SY_NET_RX_TCP)
		sy_tcp_input(h->tcp, m);
	return r;
}

void
th_feed(struct th *h, const struct th_seg *s)
{
	/* every frame the harness builds is valid IPv4: lib/net must hand it to TCP */
	cr_assert_eq(th_feed_mbuf(h, th_build(h, s)), SY_NET_RX_TCP,
		     "sy_net_input did not deliver a valid IPv4/TCP frame to TCP");
}

void
th_peer_send_at(struct th *h, struct th_conn *cn, uint8_t flags, uint32_t seq, uint32_t ack,
		const void *data, uint16_t len)
{
	struct th_seg s = {
		.sport = cn->pport, .dport = cn->lport, .flags = flags, .seq = seq,
		.ack = (flags & TH_ACK) ? ack : 0, .data = data, .len = len,
	};

	if (cn->ts) {
		s.opt.ts_on = true;
		s.opt.tsval = cn->peer_tsval++;
		s.opt.tsecr = h->last_tsval;
	}
	th_feed(h, &s);
}

void
th_peer_send(struct th *h, struct th_conn *cn, uint8_t flags, const void *data, uint16_t len)
{
	th_peer_send_at(h, cn, flags, cn->rcv_nxt, cn->snd_nxt, data, len);
	cn->rcv_nxt += len + !!(flags & TH_SYN) + !!(flags & TH_FIN);
}

/* ---- parsing what the stack emits ---- */

static void
opts_parse(const uint8_t *b, unsigned int n, struct th_opts *o)
{
	unsigned int i = 0;

	memset(o, 0, sizeof(*o));
	while (i < n) {
		uint8_t kind = b[i];

		if (kind == 0)
			break;
		if (kind == 1) {
			i++;
			continue;
		}
		if (i + 1 >= n || b[i + 1] < 2 || i + b[i + 1] > n) {
			o->bad = true;
			return;
		}
		uint8_t len = b[i + 1];
		const uint8_t *v = b + i + 2;

		if (kind == 2 && len == 4)
			o->mss = (uint16_t)(v[0] << 8 | v[1]);
		else if (kind == 3 && len == 3) {
			o->ws_on = true;
			o->ws = v[0];
		} else if (kind == 4 && len == 2)
			o->sack_ok = true;
		else if (kind == 5 && len >= 10 && (len - 2) % 8 == 0)
			o->sack_blocks = (uint8_t)((len - 2) / 8);
		else if (kind == 8 && len == 10) {
			o->ts_on = true;
			o->tsval = (uint32_t)v[0] << 24 | (uint32_t)v[1] << 16 | v[2] << 8 | v[3];
			o->tsecr = (uint32_t)v[4] << 24 | (uint32_t)v[5] << 16 | v[6] << 8 | v[7];
		} else
			o->bad = true;   /* a known kind with a wrong length, or unknown */
		i += len;
	}
}

static void
frame_parse(struct th *h, const uint8_t *f, uint32_t flen, struct th_pkt *p)
{
	const struct rte_ipv4_hdr *ip = (const void *)(f + RTE_ETHER_HDR_LEN);
	const struct rte_ether_hdr *eth = (const void *)f;

	cr_assert(rte_is_same_ether_addr(&eth->src_addr, &local_mac), "frame not from our MAC");
	cr_assert(flen >= RTE_ETHER_HDR_LEN + 20, "IPv4 frame of %u bytes", flen);
	cr_assert_eq(ip->version_ihl >> 4, 4, "IP version");
	unsigned int ihl = (ip->version_ihl & 0xf) * 4u;
	unsigned int tot = rte_be_to_cpu_16(ip->total_length);

	cr_assert(ihl >= 20 && tot >= ihl + 20 && RTE_ETHER_HDR_LEN + tot <= flen,
		  "IPv4 lengths: ihl %u total %u frame %u", ihl, tot, flen);
	cr_assert_eq(rte_ipv4_cksum(ip), 0, "bad IPv4 header checksum in emitted frame");
	cr_assert_eq(ip->next_proto_id, IPPROTO_TCP, "emitted IPv4 proto %u", ip->next_proto_id);
	const struct rte_tcp_hdr *tcp = (const void *)((const uint8_t *)ip + ihl);
	unsigned int doff = (tcp->data_off >> 4) * 4u;

	cr_assert(doff >= 20 && ihl + doff <= tot, "emitted TCP data offset %u", doff);
	cr_assert_eq(rte_ipv4_udptcp_cksum_verify(ip, tcp), 0,
		     "bad TCP checksum in emitted segment");

	memset(p, 0, sizeof(*p));
	p->src_ip = rte_be_to_cpu_32(ip->src_addr);
	p->dst_ip = rte_be_to_cpu_32(ip->dst_addr);
	p->sport = rte_be_to_cpu_16(tcp->src_port);
	p->dport = rte_be_to_cpu_16(tcp->dst_port);
	p->flags = tcp->tcp_flags;
	p->seq = rte_be_to_cpu_32(tcp->sent_seq);
	p->ack = rte_be_to_cpu_32(tcp->recv_ack);
	p->win = rte_be_to_cpu_16(tcp->rx_win);
	opts_parse((const uint8_t *)(tcp + 1), doff - 20, &p->opt);
	p->len = (uint16_t)(tot - ihl - doff);
	memcpy(p->data, (const uint8_t *)tcp + doff,
	       RTE_MIN((size_t)p->len, sizeof(p->data)));
	cr_assert_eq(p->src_ip, TH_LOCAL_IP, "emitted from %08x", p->src_ip);
	if (p->opt.ts_on)
		h->last_tsval = p->opt.tsval;
}

bool
th_try_pop(struct th *h, struct th_pkt *p)
{
	static uint8_t buf[RTE_ETHER_HDR_LEN + UINT16_MAX];   /* a TSO segment carried whole */
	struct rte_mbuf *m;

	while ((m = sy_test_wire_pop(&h->wire, &h->txq)) != NULL) {
		uint32_t len = rte_pktmbuf_pkt_len(m);

		if (len > sizeof(buf) || len < RTE_ETHER_HDR_LEN) {
			rte_pktmbuf_free(m);
			cr_assert_fail("emitted frame of %u bytes", len);
		}
		const uint8_t *f = rte_pktmbuf_read(m, 0, len, buf);
		const struct rte_ether_hdr *eth = (const void *)f;

		if (eth->ether_type != rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4)) {
			h->arp_seen++;
			rte_pktmbuf_free(m);
			continue;
		}
		if (f != buf)
			memcpy(buf, f, len);
		rte_pktmbuf_free(m);
		struct th_pkt tmp;

		frame_parse(h, buf, len, p != NULL ? p : &tmp);
		return true;
	}
	return false;
}

unsigned int
th_pending(struct th *h)
{
	return sy_test_wire_count(&h->wire, &h->txq);
}

static const char *
flags_str(uint8_t f, char *b)
{
	static const char names[] = "FSRPAU";

	b[0] = 0;
	for (int i = 0; i < 6; i++)
		if (f & (1 << i)) {
			size_t n = strlen(b);
			b[n] = names[i];
			b[n + 1] = 0;
		}
	if (b[0] == 0)
		strcpy(b, "-");
	return b;
}

void
th_pop_at(struct th *h, struct th_pkt *p, const char *file, int line)
{
	if (!th_try_pop(h, p))
		cr_assert_fail("%s:%d: expected a segment, none was emitted", file, line);
}

void
th_expect_at(struct th *h, struct th_pkt *p, uint8_t flags, uint32_t seq, uint32_t ack,
	     const char *file, int line)
{
	struct th_pkt tmp;
	char a[8], b[8];

	if (p == NULL)
		p = &tmp;
	th_pop_at(h, p, file, line);
	cr_assert_eq(p->flags & ~TH_PSH, flags & ~TH_PSH,
		     "%s:%d: flags %s, expected %s (seq %u ack %u len %u)", file, line,
		     flags_str(p->flags, a), flags_str(flags, b), p->seq, p->ack, p->len);
	cr_assert_eq(p->seq, seq, "%s:%d: SEQ %u, expected %u (flags %s)", file, line, p->seq,
		     seq, flags_str(p->flags, a));
	if (flags & TH_ACK)
		cr_assert_eq(p->ack, ack, "%s:%d: ACK %u, expected %u (flags %s)", file, line,
			     p->ack, ack, flags_str(p->flags, a));
}

void
th_expect_none_at(struct th *h, const char *file, int line)
{
	struct th_pkt p;
	char a[8];

	if (th_try_pop(h, &p))
		cr_assert_fail("%s:%d: expected no segment, got %s SEQ %u ACK %u len %u", file,
			       line, flags_str(p.flags, a), p.seq, p.ack, p.len);
}

uint64_t
th_expect_within_at(struct th *h, uint64_t max_ms, struct th_pkt *p, uint8_t flags,
		    uint32_t seq, uint32_t ack, const char *file, int line)
{
	int64_t t = th_run_until_frame(h, max_ms);

	if (t < 0)
		cr_assert_fail("%s:%d: expected a segment within %lu ms, none was emitted", file,
			       line, (unsigned long)max_ms);
	th_expect_at(h, p, flags, seq, ack, file, line);
	return (uint64_t)t;
}

/* ---- time ---- */

uint64_t
th_now_ms(const struct th *h)
{
	return sy_clock_ms(&h->clock);
}

static void
step(struct th *h)
{
	sy_clock_set(&h->clock, sy_clock_us(&h->clock) + 1000);
	sy_tcp_poll(h->tcp);
	sy_net_poll(h->net, sy_clock_ms(&h->clock));
}

void
th_advance_ms(struct th *h, uint64_t ms)
{
	for (uint64_t i = 0; i < ms; i++)
		step(h);
}

void
th_advance_to_ms(struct th *h, uint64_t t_ms)
{
	while (th_now_ms(h) < t_ms)
		step(h);
}

void
th_jump_us(struct th *h, uint64_t us)
{
	sy_clock_set(&h->clock, us);
	sy_tcp_poll(h->tcp);
	sy_net_poll(h->net, sy_clock_ms(&h->clock));
}

int64_t
th_run_until_frame(struct th *h, uint64_t max_ms)
{
	if (th_pending(h) > 0)
		return 0;
	for (uint64_t i = 1; i <= max_ms; i++) {
		step(h);
		if (th_pending(h) > 0)
			return (int64_t)i;
	}
	return -1;
}

int64_t
th_run_until_event(struct th *h, enum th_ev_kind kind, uint64_t max_ms)
{
	unsigned int before = th_app_count(h, kind);

	for (uint64_t i = 0; i <= max_ms; i++) {
		if (i > 0)
			step(h);
		if (th_app_count(h, kind) > before)
			return (int64_t)i;
	}
	return -1;
}

/* ---- reaching states ---- */

void
th_open_passive(struct th *h, struct th_conn *cn, const struct th_opts *syn_opt,
		uint32_t rtt_ms)
{
	const struct th_opts def = { .mss = 1460 };
	const struct th_opts *o = syn_opt != NULL ? syn_opt : &def;
	struct th_pkt p;
	char a[8];

	if (cn->pport == 0)
		cn->pport = TH_PPORT;
	if (cn->irs == 0)
		cn->irs = TH_PEER_ISN;
	cn->lport = TH_LPORT;
	th_listen(h);
	th_feed(h, &(struct th_seg){ .sport = cn->pport, .dport = cn->lport, .flags = TH_SYN,
				     .seq = cn->irs, .opt = *o });
	th_pop(h, &p);
	cr_assert_eq(p.flags & ~TH_PSH, TH_SYN | TH_ACK, "SYN answered with %s",
		     flags_str(p.flags, a));
	cr_assert_eq(p.ack, cn->irs + 1, "SYN-ACK ACK %u, expected IRS+1 %u", p.ack, cn->irs + 1);
	cn->iss = p.seq;
	cn->snd_nxt = p.seq + 1;
	cn->rcv_nxt = cn->irs + 1;
	cn->stack_mss = p.opt.mss;
	cn->ts = o->ts_on && p.opt.ts_on;
	cn->peer_tsval = o->tsval + 1;
	th_advance_ms(h, rtt_ms);
	th_expect_none(h);

	unsigned int acc = th_app_count(h, TH_EV_ACCEPTED);
	th_peer_send(h, cn, TH_ACK, NULL, 0);
	cr_assert_eq(th_app_count(h, TH_EV_ACCEPTED), acc + 1,
		     "final ACK of the handshake did not call accepted");
	cn->c = h->app.last;
	th_expect_none(h);
}

void
th_connect_syn(struct th *h, struct th_conn *cn, uint16_t sport, struct th_pkt *syn)
{
	struct th_pkt tmp;
	char a[8];
	sy_conn_t c = SY_CONN_NONE;

	if (syn == NULL)
		syn = &tmp;
	int rc = sy_tcp_connect(h->tcp, rte_cpu_to_be_32(TH_LOCAL_IP), rte_cpu_to_be_16(sport),
				rte_cpu_to_be_32(TH_PEER_IP), rte_cpu_to_be_16(TH_LPORT),
				&h->ops, &h->app, &c);
	cr_assert_eq(rc, 0, "sy_tcp_connect: %d", rc);
	th_pop(h, syn);
	cr_assert_eq(syn->flags & ~TH_PSH, TH_SYN, "connect sent %s, expected SYN",
		     flags_str(syn->flags, a));
	cr_assert_eq(syn->dport, TH_LPORT);
	cr_assert_eq(syn->dst_ip, TH_PEER_IP);
	if (sport != 0)
		cr_assert_eq(syn->sport, sport);
	cn->c = c;
	cn->lport = syn->sport;
	cn->pport = TH_LPORT;
	cn->iss = syn->seq;
	cn->snd_nxt = syn->seq + 1;
	cn->stack_mss = syn->opt.mss;
}

void
th_open_active(struct th *h, struct th_conn *cn, uint16_t sport,
	       const struct th_opts *synack_opt, uint32_t rtt_ms)
{
	const struct th_opts def = { .mss = 1460 };
	struct th_opts o = synack_opt != NULL ? *synack_opt : def;
	struct th_pkt syn;

	th_connect_syn(h, cn, sport, &syn);
	if (cn->irs == 0)
		cn->irs = TH_PEER_ISN;
	th_advance_ms(h, rtt_ms);
	th_expect_none(h);
	if (o.ts_on && syn.opt.ts_on)
		o.tsecr = syn.opt.tsval;
	cn->ts = o.ts_on && syn.opt.ts_on;
	cn->peer_tsval = o.tsval + 1;
	unsigned int con = th_app_count(h, TH_EV_CONNECTED);
	th_feed(h, &(struct th_seg){ .sport = cn->pport, .dport = cn->lport,
				     .flags = TH_SYN | TH_ACK, .seq = cn->irs,
				     .ack = cn->iss + 1, .opt = o });
	cn->rcv_nxt = cn->irs + 1;
	/* RFC 9293 3.10.7.3: <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK> */
	th_expect(h, NULL, TH_ACK, cn->iss + 1, cn->irs + 1);
	cr_assert_eq(th_app_count(h, TH_EV_CONNECTED), con + 1, "no connected callback");
	cr_assert_eq(h->app.last, cn->c, "connected callback for another handle");
}

uint64_t
th_to_time_wait(struct th *h, struct th_conn *cn)
{
	int rc = sy_tcp_close(h->tcp, cn->c);

	cr_assert_eq(rc, 0, "sy_tcp_close: %d", rc);
	th_expect(h, NULL, TH_FIN | TH_ACK, cn->snd_nxt, cn->rcv_nxt);
	th_peer_send_at(h, cn, TH_ACK, cn->rcv_nxt, cn->snd_nxt + 1, NULL, 0);
	cr_assert_eq(sy_tcp_count(h->tcp, SY_TCP_FIN_WAIT_2), 1, "not in FIN-WAIT-2");
	uint64_t t = th_now_ms(h);
	th_peer_send_at(h, cn, TH_FIN | TH_ACK, cn->rcv_nxt, cn->snd_nxt + 1, NULL, 0);
	cn->snd_nxt += 1;
	cn->rcv_nxt += 1;
	th_expect_within(h, TH_DELACK_MS + TH_SLACK_MS(TH_DELACK_MS), NULL, TH_ACK, cn->snd_nxt,
			 cn->rcv_nxt);
	cr_assert_eq(sy_tcp_count(h->tcp, SY_TCP_TIME_WAIT), 1, "not in TIME-WAIT");
	return t;
}
