/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * `synack demo`: the whole product with no NIC and no configuration. A server stack and a
 * client stack in one process, joined by the in-memory ring pair (drivers-config/
 * mem_pair.ini): the server answers HTTP/1.1 with a 64-byte body, the client runs short
 * connections (one GET each) for 10 seconds, and the summary shows what happened.
 * Every option of `server` and `client` can be given to change that, and --keepalive
 * IDLE_S arms TCP keepalive (RFC 9293 3.8.4) on every connection of both stacks, as the
 * idle-connections benchmark asks (bench/run.py idle_conns).
 */
#include "loadgen_run.h"
#include "serve.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* demo's own options, outside the server's and the client's id ranges */
enum { OPT_KEEPALIVE = 360 };

struct demo_opts {
	struct serve_opts so;
	struct client_opts co;
	uint32_t keepalive_s;   /* 0: keepalive off (the engine default) */
};

static int
demo_opt(int opt, const char *arg, void *p)
{
	struct demo_opts *d = p;

	if (opt == OPT_KEEPALIVE) {
		d->keepalive_s = (uint32_t)synack_parse_u64("keepalive", arg, 1, 1u << 20);
		return 0;
	}
	if (opt >= SERVE_OPT_FIRST && opt <= SERVE_OPT_LAST)
		return serve_parse_opt(&d->so, opt, arg);
	return client_parse_opt(&d->co, opt, arg);
}

static void
demo_defaults(struct demo_opts *d, struct synack_run *r)
{
	serve_opts_defaults(&d->so);
	d->so.app = SERVE_HTTP;
	d->so.http.body_size = 64;
	client_opts_defaults(&d->co);
	d->co.lg.expect_body = -1;
	r->opts.duration_s = 10;
	r->opts.profile = SYNACK_CONFIG_DIR "/mem_pair.ini";
}

static void
merge_long_opts(struct option *all, size_t max)
{
	size_t n = 0;

	for (const struct option *o = serve_long_opts; o->name != NULL && n < max - 1; o++)
		all[n++] = *o;
	for (const struct option *o = client_long_opts; o->name != NULL && n < max - 1; o++)
		all[n++] = *o;
	if (n < max - 1)
		all[n++] = (struct option){ "keepalive", required_argument, NULL, OPT_KEEPALIVE };
	all[n] = (struct option){ 0 };
}

int
synack_cmd_demo(int argc, char **argv)
{
	static struct synack_run r;
	static struct client_run c;
	static struct serve_apps apps;
	static struct demo_opts d;
	struct option all[48];
	struct sy_tcp_conf tcp, server_tcp;
	struct synack_hooks hooks;

	demo_defaults(&d, &r);
	merge_long_opts(all, RTE_DIM(all));
	synack_parse_common(&r.opts, argc, argv, NULL, all, demo_opt, &d);
	synack_eal_up(&r);
	if (r.conf.driver != SY_PORT_DRV_RING_PAIR)
		synack_die_config("%s: demo needs a net_ring_pair profile", r.conf.file);
	sy_tcp_conf_defaults(&tcp);
	if (sy_port_conf_peer(&r.conf, &r.peer_conf) != 0)
		synack_die_config("%s: demo needs a [peer] section", r.conf.file);
	client_size_tcp(&tcp, &d.co, &r.peer_conf.ip, r.conf.worker_count);
	if (d.keepalive_s != 0) {
		tcp.keepalive = true;
		tcp.keepalive_idle_s = d.keepalive_s;
	}
	/* the same engine on both sides, but TIME-WAIT records where the first close is */
	server_tcp = tcp;
	demo_server_time_wait(&server_tcp, &d.co, &r.peer_conf.ip, r.conf.worker_count);
	synack_stacks_up(&r, &server_tcp, &tcp);
	if (!d.co.target_set) {
		d.co.lg.dst_ip = r.conf.ip.addr_first;
		d.co.lg.dst_port = rte_cpu_to_be_16(d.so.port);
		d.co.target_set = true;
	}
	if (d.co.lg.proto == SY_LOADGEN_HTTP && d.so.app == SERVE_HTTP && d.co.lg.expect_body < 0)
		d.co.lg.expect_body = (int64_t)d.so.http.body_size;
	serve_apps_start(&apps, &d.so, &r.stack_a, &server_tcp, &r.stats, 0);
	client_start(&c, &d.co, &r, &r.stack_b, &r.peer_conf.ip, &tcp, r.stack_a.n_workers, "demo");
	printf("synack demo: server (%s on port %u) and client in one process over the in-memory "
	       "link, %u worker(s) each, %.0f s\n", serve_app_name(d.so.app), d.so.port,
	       r.stack_a.n_workers, r.opts.duration_s);
	fflush(stdout);
	client_hooks(&c, &hooks);
	synack_run_lcores(&r, &hooks);
	client_report(&c);
	bool clean = client_clean(&c);

	synack_free_stacks(&r);
	serve_apps_free(&apps);
	client_free(&c);
	int rc = synack_teardown(&r);

	return rc != 0 ? rc : (clean ? 0 : 1);
}
