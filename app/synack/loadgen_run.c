/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The load generator's run: see loadgen_run.h. The main lcore talks to the workers only
 * through the phase value it writes (0 run, 1 stop opening, 2 abort) and by reading their
 * counters; each worker's poll hook acts on a phase change on its own lcore.
 */
#include "loadgen_run.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <rte_errno.h>
#include <rte_malloc.h>

#include "sy_rss.h"
#include "sy_synflood.h"

/* Linear ramp of the open rate and concurrency, updated once per millisecond. */
static void
ramp(struct client_worker *cw, const struct sy_worker *w)
{
	uint64_t now = sy_clock_us(&w->clock);

	if (cw->start_us == 0)
		cw->start_us = now + 1;
	uint64_t t = now + 1 - cw->start_us;

	if (t / 1000 == cw->ramp_ms_done)
		return;
	cw->ramp_ms_done = t / 1000;
	double f = t >= cw->ramp_us ? 1.0 : (double)t / (double)cw->ramp_us;
	uint64_t rate = (uint64_t)((double)cw->rate * f);
	uint32_t conc = (uint32_t)((double)cw->concurrency * f);

	sy_loadgen_set_limits(cw->lg, rate > 0 ? rate : 1, conc > 0 ? conc : 1);
	if (t >= cw->ramp_us)
		cw->ramp_us = 0;   /* done: the targets are in force */
}

static void
client_poll(void *app, struct sy_worker *w)
{
	struct client_worker *cw = app;
	int phase = *cw->phase;

	if (cw->ramp_us != 0)
		ramp(cw, w);

	if (phase != cw->seen_phase) {
		cw->seen_phase = phase;
		if (phase == 1)
			sy_loadgen_stop_opening(cw->lg);
		else if (phase == 2)
			sy_loadgen_abort_all(cw->lg);
	}
	sy_loadgen_poll(cw->lg);
	if (cw->flood != NULL && phase == 0)
		sy_synflood_poll(cw->flood);
}

/* Worker q's share of a total: the remainder goes to the first workers. */
static uint64_t
share(uint64_t total, uint16_t n, uint16_t q)
{
	return total / n + (q < total % n ? 1 : 0);
}

static void
worker_conf(struct sy_loadgen_conf *lg, const struct client_opts *co, uint16_t n, uint16_t q,
	    const struct sy_port_ip_conf *src, uint32_t max_conns, bool rss_steered)
{
	*lg = co->lg;
	lg->max_conns = max_conns;
	lg->src_ip = src->addr_first;
	lg->src_ip_count = src->addr_count;
	lg->rate = share(co->lg.rate, n, q);
	lg->max_concurrent = (uint32_t)RTE_MAX(share(co->lg.max_concurrent, n, q), 1u);
	if (co->lg.total_conns != 0)
		lg->total_conns = RTE_MAX(share(co->lg.total_conns, n, q), 1u);
	if (co->lg.src_port_lo != 0 && n > 1 && !rss_steered) {
		/* disjoint source port slices: no two workers ever pick the same tuple */
		uint32_t span = co->lg.src_port_hi - co->lg.src_port_lo + 1u;
		uint32_t per = span / n;

		if (per == 0)
			synack_die_config("--src-ports: fewer ports than workers");
		lg->src_port_lo = (uint16_t)(co->lg.src_port_lo + q * per);
		lg->src_port_hi = (uint16_t)(lg->src_port_lo + per - 1);
	}
	if (lg->max_concurrent > max_conns)
		lg->max_concurrent = max_conns;
}

/*
 * Engine sizes for a load generator, by what can be in use at once rather than the worst
 * case (docs/benchmarks.md, "Memory per idle connection"); both stacks of `synack demo`
 * get the same connection sizes; TIME-WAIT records go to the side that closes first.
 *
 * Connection blocks: the concurrency, plus the blocks that outlive the generator's count:
 * a client's block is freed when it enters TIME-WAIT, which is when the generator counts
 * it closed, but the server holds its block one round trip longer (LAST-ACK) and a new
 * connection may already be in SYN-RECEIVED there. That is a quarter of the concurrency
 * when opens are unpaced, else at most 20 ms of opens, plus 1024.
 *
 * TIME-WAIT records: a tuple in TIME-WAIT is a closed connection, so no more can be in
 * TIME-WAIT than connections close within 2MSL (twice msl_s), nor than there are source
 * tuples, nor than --connections: with a paced open rate that is rate x 2MSL (+10 %);
 * unpaced, the tuple space. Keep-alive runs (--requests 0) close nothing until the stop,
 * so they keep the engine's default: at the stop, connections beyond it close without
 * TIME-WAIT and are counted (tcp.time_wait_overflow), which ends nothing early since the
 * run is over. Only the side that closes first enters TIME-WAIT (RFC 9293 3.6): with
 * --closer server the client keeps the default too, and the server (the demo's, sized by
 * demo_server_time_wait()) gets the records. Sizing the client's records for its whole
 * tuple space there only made its flow table megabytes of empty slots, and the first look
 * at each new tuple a cache miss (the top of the client's profile). Clamped to keep memory
 * bounded (a record with its flow and timer entries is about 72 bytes: 32 + 24 + 16).
 */
#define CLIENT_TW_MAX (1u << 20)
#define CLIENT_MARGIN_MIN 1024

/* TIME-WAIT records for the side that closes first; 0 keeps the engine default */
static uint64_t
closer_time_wait(const struct sy_tcp_conf *tcp, const struct client_opts *co,
		 uint64_t tuples, unsigned int n_workers)
{
	uint64_t tw = tuples;

	if (co->lg.requests_per_conn == 0)
		return 0;   /* the engine default stands */
	if (co->lg.rate != 0)
		tw = RTE_MIN(tw, co->lg.rate / n_workers * 2 * tcp->msl_s * 11 / 10 +
				 CLIENT_MARGIN_MIN);
	if (co->lg.total_conns != 0)
		tw = RTE_MIN(tw, co->lg.total_conns / n_workers + 1);
	return RTE_MIN(tw, (uint64_t)CLIENT_TW_MAX);
}

static uint64_t
client_tuples(const struct sy_tcp_conf *tcp, const struct client_opts *co,
	      const struct sy_port_ip_conf *src, unsigned int n_workers)
{
	uint64_t ports = co->lg.src_port_lo != 0 ?
			 (uint64_t)co->lg.src_port_hi - co->lg.src_port_lo + 1 :
			 (uint64_t)tcp->ephemeral_hi - tcp->ephemeral_lo + 1;

	return ports * src->addr_count * co->lg.dst_ip_count / n_workers;
}

void
demo_server_time_wait(struct sy_tcp_conf *tcp, const struct client_opts *co,
		      const struct sy_port_ip_conf *src, unsigned int n_workers)
{
	struct sy_tcp_conf dflt;

	sy_tcp_conf_defaults(&dflt);
	tcp->max_time_wait = dflt.max_time_wait;
	if (co->lg.closer == SY_LOADGEN_SERVER_CLOSES)
		tcp->max_time_wait = (uint32_t)RTE_MAX(closer_time_wait(tcp, co,
						client_tuples(tcp, co, src, n_workers), n_workers),
						(uint64_t)dflt.max_time_wait);
}

void
client_size_tcp(struct sy_tcp_conf *tcp, const struct client_opts *co,
		const struct sy_port_ip_conf *src, unsigned int n_workers)
{
	uint64_t tuples = client_tuples(tcp, co, src, n_workers);
	uint64_t per_worker = co->lg.max_concurrent / n_workers;
	uint64_t margin = per_worker / 4;

	if (co->lg.rate != 0)
		margin = RTE_MIN(margin, co->lg.rate / n_workers / 50);
	uint64_t conns = per_worker + margin + CLIENT_MARGIN_MIN;

	tcp->max_conns = (uint32_t)RTE_MAX(RTE_MIN(conns, 1ull << 26), (uint64_t)tcp->max_conns);
	if (co->lg.closer != SY_LOADGEN_SERVER_CLOSES)
		tcp->max_time_wait = (uint32_t)RTE_MAX(closer_time_wait(tcp, co, tuples, n_workers),
						       (uint64_t)tcp->max_time_wait);
}

/*
 * With RSS over several queues, a reply reaches the worker of the queue its hash selects;
 * so each worker only opens tuples whose replies hash to its own queue (the server's
 * segment: source = server address and port, destination = ours).
 */
struct client_rss {
	struct sy_rss_map map;
	uint16_t queue;
};

static bool
rss_tuple_ok(void *arg, rte_be32_t src, rte_be16_t sport, rte_be32_t dst, rte_be16_t dport)
{
	struct client_rss *r = arg;

	return sy_rss_queue(&r->map, dst, src, dport, sport) == r->queue;
}

static void
rss_steer(struct client_worker *cw, struct sy_loadgen_conf *lg, const struct sy_stack *s,
	  uint16_t q, const struct sy_tcp_conf *tcp)
{
	if (!s->port->rss || s->n_workers < 2)
		return;
	cw->rss = rte_zmalloc_socket("client_rss", sizeof(*cw->rss), 0, s->port->socket);
	if (cw->rss == NULL ||
	    sy_rss_map_from_port(&cw->rss->map, s->port->port_id, s->port->socket) != 0)
		synack_die_config("port %u: cannot read its RSS key and redirection table",
				  s->port->port_id);
	cw->rss->queue = q;
	unsigned int entries = 0;

	for (uint16_t i = 0; i < cw->rss->map.reta_size; i++)
		entries += cw->rss->map.reta[i] == q;
	if (entries == 0)
		synack_die_config("port %u: its RSS redirection table sends nothing to queue %u, "
				  "so worker %u could open no connection", s->port->port_id, q, q);
	lg->tuple_ok = rss_tuple_ok;
	lg->tuple_arg = cw->rss;
	if (lg->src_port_lo == 0) {
		lg->src_port_lo = tcp->ephemeral_lo;
		lg->src_port_hi = tcp->ephemeral_hi;
	}
}

/*
 * Spoofed sources for --syn-flood: TEST-NET-3 (203.0.113.0/24, RFC 5737), off-link for the
 * server as most spoofed sources are, so its SYN-ACKs go to the gateway (or, with none,
 * nowhere) and are never answered, as in a real flood. The frames only ever cross the
 * link the test owns.
 */
static void
flood_start(struct client_worker *cw, const struct client_opts *co, struct sy_worker *w,
	    struct synack_run *r, int slot)
{
	struct sy_synflood_conf fc = {
		.dst_ip = co->lg.dst_ip, .dst_port = co->lg.dst_port,
		.src_first = RTE_BE32(0xcb007100u), .src_count = 256,
		.rate = co->flood_max ? 0 : co->flood_rate,
		.seed = 0x5eedf100du + w->queue_id,
	};

	if (!co->flood_max && co->flood_rate == 0)
		return;
	cw->flood = rte_zmalloc_socket("sy_synflood", sizeof(*cw->flood), 0, rte_socket_id());
	if (cw->flood == NULL)
		synack_die_config("--syn-flood: out of memory");
	sy_synflood_init(cw->flood, &fc, w->net, w->pool, &w->clock);
	sy_stats_add_group(&r->stats, slot, "flood", sy_synflood_stats_names,
			   sy_synflood_stats_count, (const uint64_t *)&cw->flood->stats);
}

void
client_start(struct client_run *c, const struct client_opts *co, struct synack_run *r,
	     struct sy_stack *s, const struct sy_port_ip_conf *src,
	     const struct sy_tcp_conf *tcp, int first_slot, const char *command)
{
	memset(c, 0, sizeof(*c));
	c->r = r;
	c->stack = s;
	c->opts = co;
	c->command = command;
	if (!co->target_set)
		synack_die_config("--target IP[:PORT] is required");
	c->series = calloc(CLIENT_SERIES_MAX, sizeof(*c->series));
	for (uint16_t q = 0; q < s->n_workers; q++) {
		struct sy_worker *w = s->workers[q];
		struct client_worker *cw = &c->workers[q];
		struct sy_loadgen_conf lg;

		/* RSS steering partitions the tuples itself: no port slices then */
		worker_conf(&lg, co, s->n_workers, q, src, tcp->max_conns,
			    s->port->rss && s->n_workers > 1);
		rss_steer(cw, &lg, s, q, tcp);
		cw->lg = sy_loadgen_create(&lg, w->tcp, &w->clock, w->pool, s->port->socket);
		if (cw->lg == NULL)
			synack_die_config("load generator: %s", rte_strerror(rte_errno));
		cw->phase = &c->phase;
		cw->rate = lg.rate;
		cw->concurrency = lg.max_concurrent;
		cw->ramp_us = (uint64_t)(co->ramp_s * 1e6);
		if (cw->ramp_us != 0)
			sy_loadgen_set_limits(cw->lg, 1, 1);
		w->app = cw;
		w->app_poll = client_poll;
		flood_start(cw, co, w, r, first_slot + q);
		sy_stats_add_group(&r->stats, first_slot + q, "client", sy_loadgen_stats_names,
				   sy_loadgen_stats_count,
				   (const uint64_t *)sy_loadgen_stats(cw->lg));
	}
}

static bool
all_done(const struct client_run *c)
{
	for (uint16_t q = 0; q < c->stack->n_workers; q++)
		if (!sy_loadgen_done(c->workers[q].lg))
			return false;
	return true;
}

static uint32_t
active(const struct client_run *c)
{
	uint32_t n = 0;

	for (uint16_t q = 0; q < c->stack->n_workers; q++)
		n += sy_loadgen_active(c->workers[q].lg);
	return n;
}

static struct client_second
totals(const struct client_run *c)
{
	const struct sy_stats *st = &c->r->stats;

	return (struct client_second){
		.opened = sy_stats_sum(st, "client.conns_opened"),
		.established = sy_stats_sum(st, "client.conns_established"),
		.responses_ok = sy_stats_sum(st, "client.responses_ok"),
		.errors = sy_stats_sum(st, "client.response_errors") +
			  sy_stats_sum(st, "client.conns_failed"),
		.connect_errors = sy_stats_sum(st, "client.connect_errors"),
		.rx_bytes = sy_stats_sum(st, "client.bytes_rx"),
		.tx_bytes = sy_stats_sum(st, "client.bytes_tx"),
		.port_exhausted = sy_stats_sum(st, "client.port_exhausted"),
		.rate_behind = sy_stats_sum(st, "client.rate_behind"),
	};
}

static void
print_progress(const struct client_run *c, const struct client_second *d)
{
	const struct sy_stats *st = &c->r->stats;
	uint64_t retrans = sy_stats_sum(st, "tcp.syn_retrans") + sy_stats_sum(st, "tcp.synack_retrans") +
			   sy_stats_sum(st, "tcp.fin_retrans") + sy_stats_sum(st, "tcp.data_retrans");

	printf("[%5.0f s] conns/s %9" PRIu64 " | active %7u | req/s %9" PRIu64
	       " | rx %6.3f tx %6.3f Gbit/s | retrans %" PRIu64 " resets %" PRIu64
	       " timeouts %" PRIu64 " errors %" PRIu64, synack_elapsed_s(c->r), d->opened,
	       d->active, d->responses_ok, d->rx_bytes * 8 / 1e9, d->tx_bytes * 8 / 1e9, retrans,
	       sy_stats_sum(st, "tcp.rst_rx_accepted"), sy_stats_sum(st, "tcp.timeouts"),
	       d->errors);
	if (d->connect_errors)
		printf(" | CONNECTION TABLE FULL x%" PRIu64, d->connect_errors);
	if (d->port_exhausted)
		printf(" | SOURCE PORTS EXHAUSTED x%" PRIu64, d->port_exhausted);
	if (d->rate_behind)
		printf(" | BEHIND RATE by %" PRIu64 " (concurrency limit)", d->rate_behind);
	putchar('\n');
	fflush(stdout);
}

static void
client_second_fn(void *arg)
{
	struct client_run *c = arg;
	struct client_second now = totals(c), d;

	d = (struct client_second){
		.opened = now.opened - c->prev_total.opened,
		.established = now.established - c->prev_total.established,
		.responses_ok = now.responses_ok - c->prev_total.responses_ok,
		.errors = now.errors - c->prev_total.errors,
		.rx_bytes = now.rx_bytes - c->prev_total.rx_bytes,
		.tx_bytes = now.tx_bytes - c->prev_total.tx_bytes,
		.port_exhausted = now.port_exhausted - c->prev_total.port_exhausted,
		.connect_errors = now.connect_errors - c->prev_total.connect_errors,
		.rate_behind = now.rate_behind - c->prev_total.rate_behind,
		.active = active(c),
	};
	c->prev_total = now;
	if (c->series != NULL && c->n_series < CLIENT_SERIES_MAX)
		c->series[c->n_series++] = d;
	if (!c->r->opts.quiet)
		print_progress(c, &d);
	if (c->phase == 0 && all_done(c))
		synack_stop_requested = true;  /* --connections reached and all finished */
}

/*
 * Stop sequence: stop opening (phase 1); when every generator is done, or after --drain
 * seconds, abort what is left (phase 2) and give the RSTs 200 ms to leave.
 */
static bool
client_drained(void *arg, double drain_s)
{
	struct client_run *c = arg;

	if (c->phase == 0)
		c->phase = 1;
	if (c->phase == 1 && (all_done(c) || drain_s >= c->opts->drain_s)) {
		c->phase = 2;
		c->abort_at = drain_s;
	}
	return c->phase == 2 && drain_s >= c->abort_at + 0.2;
}

void
client_hooks(struct client_run *c, struct synack_hooks *h)
{
	h->second = client_second_fn;
	h->drained = client_drained;
	h->arg = c;
}

bool
client_clean(const struct client_run *c)
{
	const struct sy_stats *st = &c->r->stats;

	/* local limits (connect_errors, port_exhausted) slow a run down and are reported on
	 * the progress line and in the summary; they are not wrong answers */
	return sy_stats_sum(st, "client.response_errors") == 0 &&
	       sy_stats_sum(st, "client.conns_failed") == 0 &&
	       sy_stats_sum(st, "client.responses_ok") > 0;
}

void
client_free(struct client_run *c)
{
	for (unsigned int q = 0; q < SY_PORT_MAX_QUEUES; q++) {
		sy_loadgen_free(c->workers[q].lg);
		c->workers[q].lg = NULL;
		rte_free(c->workers[q].flood);
		c->workers[q].flood = NULL;
		if (c->workers[q].rss != NULL) {
			sy_rss_map_free(&c->workers[q].rss->map);
			rte_free(c->workers[q].rss);
			c->workers[q].rss = NULL;
		}
	}
	free(c->series);
	c->series = NULL;
}
