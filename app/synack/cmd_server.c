/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * `synack server`: the stack on one port (or the server side of a ring pair), answering
 * ARP and ICMP echo, and TCP with the chosen application on every worker. Without --app
 * the TCP engine still runs: every SYN gets an RST, as from a host with no listener.
 */
#include "synack.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sy_app_server.h"

enum { OPT_APP = 310, OPT_PORT };

static const char *const app_names[] = { "none", "echo", "discard" };

struct server_opts {
	enum sy_app_kind app;
	uint16_t port;
};

static const struct option server_long[] = {
	{ "app", required_argument, NULL, OPT_APP },
	{ "port", required_argument, NULL, OPT_PORT },
	{ NULL, 0, NULL, 0 },
};

static int
server_opt(int opt, const char *arg, void *p)
{
	struct server_opts *so = p;
	char *end;
	unsigned long v;

	switch (opt) {
	case OPT_APP:
		if (sy_app_kind_parse(arg, &so->app) != 0)
			synack_die_config("--app %s: expected none, echo or discard", arg);
		return 0;
	case OPT_PORT:
		v = strtoul(arg, &end, 10);
		if (*arg == '\0' || *end != '\0' || v == 0 || v > 65535)
			synack_die_config("--port %s: expected 1 .. 65535", arg);
		so->port = (uint16_t)v;
		return 0;
	}
	return -1;
}

static void
start_apps(struct synack_run *r, const struct server_opts *so, const struct sy_tcp_conf *tcp,
	   struct sy_app_server **apps)
{
	if (so->app == SY_APP_NONE)
		return;
	for (uint16_t q = 0; q < r->stack_a.n_workers; q++) {
		struct sy_worker *w = r->stack_a.workers[q];

		apps[q] = sy_app_server_start(w->tcp, so->app, rte_cpu_to_be_16(so->port),
					      tcp->max_conns, r->port_a.socket);
		if (apps[q] == NULL) {
			fprintf(stderr, "synack: worker %u: cannot listen on port %u\n", q, so->port);
			exit(1);
		}
		int slot = (int)q;  /* stack_a's workers registered first: slots 0..n-1 */

		sy_stats_add_group(&r->stats, slot, "app", sy_app_server_stats_names,
				   sy_app_server_stats_count,
				   (const uint64_t *)sy_app_server_stats(apps[q]));
	}
}

static void
server_progress(void *p)
{
	struct synack_run *r = p;

	if (r->opts.quiet)
		return;
	printf("[%6.1f s] rx %" PRIu64 " tx %" PRIu64 " frames | tcp: established %" PRIu64
	       " rst_tx %" PRIu64 " | icmp echo %" PRIu64 "\n", synack_elapsed_s(r),
	       sy_stats_sum(&r->stats, "loop.rx_frames"), sy_stats_sum(&r->stats, "loop.tx_frames"),
	       sy_stats_sum(&r->stats, "tcp.established"), sy_stats_sum(&r->stats, "tcp.rst_tx"),
	       sy_stats_sum(&r->stats, "net.icmp_tx_echo_reply"));
	fflush(stdout);
}

int
synack_cmd_server(int argc, char **argv)
{
	static struct synack_run r;
	static struct sy_app_server *apps[SY_PORT_MAX_QUEUES];
	struct server_opts so = { .app = SY_APP_NONE, .port = 80 };
	struct sy_tcp_conf tcp;

	synack_parse_common(&r.opts, argc, argv, NULL, server_long, server_opt, &so);
	synack_eal_up(&r);
	sy_tcp_conf_defaults(&tcp);
	synack_stacks_up(&r, &tcp);
	start_apps(&r, &so, &tcp, apps);
	printf("synack server: %s, ethdev port %u, app %s on TCP port %u, %u worker(s); "
	       "Ctrl-C stops\n", r.conf.file, r.port_a.port_id, app_names[so.app], so.port,
	       r.stack_a.n_workers);
	fflush(stdout);
	synack_run_lcores(&r, server_progress, &r);
	synack_free_stacks(&r);
	for (uint16_t q = 0; q < SY_PORT_MAX_QUEUES; q++)
		sy_app_server_free(apps[q]);
	return synack_teardown(&r);
}
