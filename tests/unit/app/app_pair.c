/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Two complete stacks (net + TCP) in one process joined by two fake wires, for the HTTP
 * server, the load generator and the echo server: every frame one side emits is handed
 * to the other's sy_net_input() and sy_tcp_input(); both virtual clocks move together.
 * A hand-driven raw client (its bytes, its close reason) speaks to the server directly.
 */
#include "app_pair.h"

#include <stdlib.h>
#include <string.h>
#include <rte_errno.h>
#include <rte_ip.h>

struct side cli, srv;
struct sy_http_server *hs;
struct sy_app_server *es;
uint64_t done_at;
struct sy_loadgen *lg;
unsigned int syns_seen, syns_odd_sport;   /* client SYNs on the wire */
uint64_t now_us;

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

void
app_pair_setup(void)
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

void
app_pair_teardown(void)
{
	/* a message block is held only by a connection still open: none open, none held */
	if (hs != NULL)
		cr_assert_leq(sy_http_server_msgs_in_use(hs), app_pair_open(srv.tcp),
			      "server message blocks leaked: %u",
			      sy_http_server_msgs_in_use(hs));
	if (lg != NULL)
		cr_assert_leq(sy_loadgen_msgs_in_use(lg), sy_loadgen_active(lg),
			      "load generator message blocks leaked: %u",
			      sy_loadgen_msgs_in_use(lg));
	/* engines first: their teardown may still call the applications back */
	sy_tcp_free(cli.tcp);
	sy_tcp_free(srv.tcp);
	sy_loadgen_free(lg);
	sy_http_server_free(hs);
	sy_app_server_free(es);
	side_down(&cli);
	side_down(&srv);
}


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
unsigned int
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

void
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

void
server_start_conf(const struct sy_http_server_conf *sc)
{
	hs = sy_http_server_start(srv.tcp, rte_cpu_to_be_16(PORT), sc, MAX_CONNS, srv.pool,
				  SOCKET_ID_ANY);
	cr_assert_not_null(hs);
}

void
server_start(uint64_t body, uint16_t status)
{
	struct sy_http_server_conf sc;

	sy_http_server_conf_defaults(&sc);
	sc.body_size = body;
	sc.status = status;
	server_start_conf(&sc);
}

uint32_t
app_pair_open(const struct sy_tcp *tcp)
{
	uint32_t n = 0;

	for (int st = SY_TCP_SYN_SENT; st < SY_TCP_TIME_WAIT; st++)
		n += sy_tcp_count(tcp, (enum sy_tcp_state)st);
	return n;
}

void
client_conf(struct sy_loadgen_conf *c)
{
	sy_loadgen_conf_defaults(c);
	c->max_conns = MAX_CONNS;
	c->dst_ip = rte_cpu_to_be_32(SRV_IP);
	c->dst_port = rte_cpu_to_be_16(PORT);
	c->src_ip = rte_cpu_to_be_32(CLI_IP);
}

void
client_start(const struct sy_loadgen_conf *c)
{
	lg = sy_loadgen_create(c, cli.tcp, &cli.clock, cli.pool, SOCKET_ID_ANY);
	cr_assert_not_null(lg);
}

void
assert_no_errors(void)
{
	const struct sy_loadgen_stats *s = sy_loadgen_stats(lg);

	cr_assert_eq(s->response_errors, 0, "response errors: status %lu length %lu parse %lu "
		     "premature %lu", s->response_bad_status, s->response_bad_length,
		     s->response_parse_error, s->response_premature_close);
	cr_assert_eq(s->conns_failed, 0);
	cr_assert_eq(s->connect_errors, 0);
}

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

	if (r->discard) {
		r->len += n;
		rte_pktmbuf_free(m);
		return;
	}
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

sy_conn_t
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

void
raw_send(sy_conn_t c, const char *text)
{
	uint32_t len = (uint32_t)strlen(text);
	struct rte_mbuf *m = sy_test_mbuf_from(cli.pool, text, (uint16_t)len);

	cr_assert_eq(sy_tcp_send(cli.tcp, c, m), 0);
}
/* Parses the responses in @p r; HEAD positions say which ones have no body. */
unsigned int
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
