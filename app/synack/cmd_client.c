/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * `synack client`: the load generator on one port (a NIC, or net_tap against a kernel or
 * a device under test). One generator per worker, each owning its connections.
 * Exit code 0 when every response was good, 1 otherwise (errors are in the summary).
 */
#include "loadgen_run.h"

static int
client_opt(int opt, const char *arg, void *p)
{
	return client_parse_opt(p, opt, arg);
}

int
synack_cmd_client(int argc, char **argv)
{
	static struct synack_run r;
	static struct client_run c;
	static struct client_opts co;
	struct sy_tcp_conf tcp;
	struct synack_hooks hooks;

	client_opts_defaults(&co);
	synack_parse_common(&r.opts, argc, argv, NULL, client_long_opts, client_opt, &co);
	synack_eal_up(&r);
	sy_tcp_conf_defaults(&tcp);
	client_size_tcp(&tcp, &co, &r.conf.ip, r.conf.worker_count);
	synack_stacks_up(&r, &tcp, NULL);
	client_start(&c, &co, &r, &r.stack_a, &r.conf.ip, &tcp, 0, "client");
	client_hooks(&c, &hooks);
	synack_run_lcores(&r, &hooks);
	client_report(&c);
	bool clean = client_clean(&c);

	synack_free_stacks(&r);
	client_free(&c);
	int rc = synack_teardown(&r);

	return rc != 0 ? rc : (clean ? 0 : 1);
}
