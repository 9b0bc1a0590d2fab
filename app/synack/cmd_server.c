/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * `synack server`: the stack on one port, answering ARP and ICMP echo, and TCP with the
 * chosen application on every worker. Without --app the TCP engine still runs: every SYN
 * gets an RST, as from a host with no listener.
 */
#include "serve.h"

#include <stdio.h>

static int
server_opt(int opt, const char *arg, void *p)
{
	return serve_parse_opt(p, opt, arg);
}

static void
server_progress(void *p)
{
	struct synack_run *r = p;

	if (r->opts.quiet)
		return;
	printf("[%6.1f s] rx %" PRIu64 " tx %" PRIu64 " frames | tcp established %" PRIu64
	       " rst_tx %" PRIu64 " | http requests %" PRIu64 " | icmp echo %" PRIu64 "\n",
	       synack_elapsed_s(r), sy_stats_sum(&r->stats, "loop.rx_frames"),
	       sy_stats_sum(&r->stats, "loop.tx_frames"), sy_stats_sum(&r->stats, "tcp.established"),
	       sy_stats_sum(&r->stats, "tcp.rst_tx"), sy_stats_sum(&r->stats, "http.requests"),
	       sy_stats_sum(&r->stats, "net.icmp_tx_echo_reply"));
	fflush(stdout);
}

/* --json: the run's counters, summed over the workers (docs/cli.md) */
static void
server_json(struct synack_run *r, const struct serve_opts *so, double secs)
{
	FILE *f = synack_json_open(r);

	if (f == NULL)
		return;
	fprintf(f, "{\"command\": \"server\", \"profile\": \"%s\", \"workers\": %u, "
		"\"app\": \"%s\", \"port\": %u, \"seconds\": %.6f, \"tsc_hz\": %" PRIu64
		", \"counters\": ", r->conf.file, r->stack_a.n_workers, serve_app_name(so->app),
		so->port, secs, rte_get_tsc_hz());
	sy_stats_json(&r->stats, f);
	fputs("}\n", f);
	fclose(f);
}

int
synack_cmd_server(int argc, char **argv)
{
	static struct synack_run r;
	static struct serve_apps apps;
	struct serve_opts so;
	struct sy_tcp_conf tcp;
	struct synack_hooks hooks = { .second = server_progress, .arg = &r };

	serve_opts_defaults(&so);
	synack_parse_common(&r.opts, argc, argv, NULL, serve_long_opts, server_opt, &so);
	synack_eal_up(&r);
	sy_tcp_conf_defaults(&tcp);
	synack_stacks_up(&r, &tcp, NULL);
	serve_apps_start(&apps, &so, &r.stack_a, &tcp, &r.stats, 0);
	printf("synack server: %s, %u worker(s), app %s on TCP port %u; Ctrl-C stops\n",
	       r.conf.file, r.stack_a.n_workers, serve_app_name(so.app), so.port);
	fflush(stdout);
	synack_run_lcores(&r, &hooks);
	server_json(&r, &so, synack_elapsed_s(&r));
	synack_free_stacks(&r);
	serve_apps_free(&apps);
	return synack_teardown(&r);
}
