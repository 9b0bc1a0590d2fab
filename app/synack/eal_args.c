/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * EAL arguments derived from the profile, so that a user runs `synack server --profile X`
 * and not a line of EAL flags: the lcore list from [lcores], --no-pci for virtual devices,
 * a file prefix of our own (two synack processes never collide), and hugepages when some
 * are free, --no-huge with a one-line notice otherwise. Anything after "--" on the command
 * line is passed to EAL as well and wins over what is derived here.
 */
#include "synack.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <rte_eal.h>
#include <rte_errno.h>

#define EAL_MAX_ARGS 64
#define NO_HUGE_MB_DEFAULT 1024

static bool
user_gave(const struct synack_opts *o, const char *const *names)
{
	for (int i = 0; i < o->eal_argc; i++)
		for (const char *const *n = names; *n != NULL; n++)
			if (strncmp(o->eal_argv[i], *n, strlen(*n)) == 0)
				return true;
	return false;
}

/* Free 2 MiB hugepages on a mounted hugetlbfs, from /proc/meminfo. */
static unsigned long
free_hugepages(void)
{
	FILE *f = fopen("/proc/meminfo", "r");
	char line[128];
	unsigned long n = 0;

	if (f == NULL)
		return 0;
	while (fgets(line, sizeof(line), f) != NULL)
		if (sscanf(line, "HugePages_Free: %lu", &n) == 1)
			break;
	fclose(f);
	return n;
}

/* One pool per port, and one for both ports of the in-memory pair (they share it). */
static unsigned long
mbuf_pool_mb(const struct sy_port_conf *c)
{
	unsigned long bytes = (unsigned long)c->mbufs * (c->data_room + 256u);

	return bytes / (1024 * 1024) + 256;
}

static void
add(char **argv, int *argc, char *arg)
{
	if (*argc >= EAL_MAX_ARGS - 1)
		synack_die_config("too many EAL arguments");
	argv[(*argc)++] = arg;
}

static void
add_memory_args(struct synack_run *r, char **argv, int *argc)
{
	static const char *const mem_opts[] = { "--no-huge", "-m", "--socket-mem", NULL };
	unsigned long need_mb = mbuf_pool_mb(&r->conf);
	const char *env = getenv("SY_NO_HUGE");

	if (user_gave(&r->opts, mem_opts))
		return;
	if ((env == NULL || strcmp(env, "1") != 0) && free_hugepages() * 2 >= need_mb) {
		/* no secondary processes: unlink hugepage files at once, none outlive us */
		add(argv, argc, "--huge-unlink=always");
		return;
	}
	static char mb[24];

	if (need_mb < NO_HUGE_MB_DEFAULT)
		need_mb = NO_HUGE_MB_DEFAULT;
	snprintf(mb, sizeof(mb), "%lu", need_mb);
	fprintf(stderr, "synack: notice: no free hugepages for %lu MiB, running with --no-huge\n",
		need_mb);
	add(argv, argc, "--no-huge");
	add(argv, argc, "-m");
	add(argv, argc, mb);
}

void
synack_eal_up(struct synack_run *r)
{
	static const char *const lcore_opts[] = { "-l", "-c", "--lcores", NULL };
	static const char *const prefix_opts[] = { "--file-prefix", "--in-memory", NULL };
	static char *argv[EAL_MAX_ARGS];
	static char lcores[512], prefix[64];
	char err[SY_PORT_ERR_LEN];
	int argc = 0;

	if (r->opts.profile == NULL)
		synack_die_config("--profile FILE is required (see drivers-config/)");
	if (sy_port_conf_load(r->opts.profile, &r->conf, err, sizeof(err)) != 0)
		synack_die_config("%s", err);
	add(argv, &argc, "synack");
	if (!user_gave(&r->opts, lcore_opts)) {
		if (sy_port_conf_lcore_list(&r->conf, lcores, sizeof(lcores)) != 0)
			synack_die_config("%s: [lcores]: list too long", r->conf.file);
		add(argv, &argc, "-l");
		add(argv, &argc, lcores);
	}
	if (r->conf.driver != SY_PORT_DRV_PCI)
		add(argv, &argc, "--no-pci");
	if (!user_gave(&r->opts, prefix_opts)) {
		snprintf(prefix, sizeof(prefix), "--file-prefix=synack%d", (int)getpid());
		add(argv, &argc, prefix);
	}
	add_memory_args(r, argv, &argc);
	add(argv, &argc, "--log-level=warning");
	for (int i = 0; i < r->opts.eal_argc; i++)
		add(argv, &argc, r->opts.eal_argv[i]);
	argv[argc] = NULL;
	if (rte_eal_init(argc, argv) < 0)
		synack_die_config("EAL initialisation failed: %s", rte_strerror(rte_errno));
}
