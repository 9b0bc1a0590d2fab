/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What every synack command does around its own work: options, EAL bring-up from the
 * profile, port and stack bring-up, lcore placement, the stop flag, and teardown with the
 * mbuf leak check.
 */
#include "synack.h"

#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_malloc.h>

volatile bool synack_stop;
volatile bool synack_stop_requested;

/* Where the value being parsed came from, when not the command line (a test profile). */
static char config_context[512];

void
synack_config_context(const char *ctx)
{
	snprintf(config_context, sizeof(config_context), "%s", ctx != NULL ? ctx : "");
}

void
synack_die_config(const char *fmt, ...)
{
	va_list ap;

	fputs("synack: ", stderr);
	if (config_context[0] != '\0')
		fprintf(stderr, "%s: ", config_context);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(SYNACK_EXIT_CONFIG);
}

static void
on_signal(int sig)
{
	/* a second signal stops at once, without waiting for the drain */
	if (synack_stop_requested)
		synack_stop = true;
	synack_stop_requested = true;
}

double
synack_elapsed_s(const struct synack_run *r)
{
	return (double)(rte_rdtsc() - r->start_tsc) / (double)rte_get_tsc_hz();
}

FILE *
synack_json_open(const struct synack_run *r)
{
	FILE *f;

	if (r->opts.json_path == NULL)
		return NULL;
	f = fopen(r->opts.json_path, "w");
	if (f == NULL)
		perror(r->opts.json_path);
	return f;
}

static void
pair_stack_b_conf(struct synack_run *r)
{
	if (sy_port_conf_peer(&r->conf, &r->peer_conf) != 0)
		synack_die_config("%s: driver net_ring_pair needs a [peer] section", r->conf.file);
}

/*
 * The ring pair is a point-to-point wire between two stacks of this process: each side's
 * neighbours are known, so they are written as static ARP entries and the first segments
 * of a run never wait in (or overflow) the ARP pending queue.
 */
#define PAIR_STATIC_ARP_MAX 65536

static void
pair_static_arp(struct sy_stack *s, const struct sy_port_ip_conf *peer,
		const struct rte_ether_addr *peer_mac)
{
	uint32_t n = RTE_MIN(peer->addr_count, (uint32_t)PAIR_STATIC_ARP_MAX);

	for (uint16_t q = 0; q < s->n_workers; q++)
		for (uint32_t i = 0; i < n; i++) {
			rte_be32_t ip = rte_cpu_to_be_32(rte_be_to_cpu_32(peer->addr_first) + i);

			if (sy_net_arp_add_static(s->workers[q]->net, ip, peer_mac) != 0)
				break;  /* table full: the rest resolve with ARP */
		}
}

/* The command line's engine options (--cc, --tx-zerocopy) on top of a command's conf. */
static const struct sy_tcp_conf *
tcp_conf_with_opts(const struct synack_run *r, const struct sy_tcp_conf *tcp,
		   struct sy_tcp_conf *out)
{
	if (tcp == NULL)
		return NULL;
	*out = *tcp;
	if (r->opts.cc >= 0)
		out->cc = (uint8_t)r->opts.cc;
	out->tx_zerocopy_min = r->opts.tx_zerocopy_min;
	return out;
}

void
synack_stacks_up(struct synack_run *r, const struct sy_tcp_conf *tcp,
		 const struct sy_tcp_conf *tcp_b)
{
	char err[SY_PORT_ERR_LEN];
	unsigned int workers = r->conf.worker_count;
	struct sy_tcp_conf tc, tc_b;
	int rc;

	tcp_b = tcp_conf_with_opts(r, tcp_b != NULL ? tcp_b : tcp, &tc_b);
	tcp = tcp_conf_with_opts(r, tcp, &tc);

	r->pair = r->conf.driver == SY_PORT_DRV_RING_PAIR;
	if (r->pair) {
		pair_stack_b_conf(r);
		rc = sy_port_start_pair(&r->port_a, &r->port_b, &r->conf, workers, err, sizeof(err));
	} else {
		rc = sy_port_start(&r->port_a, &r->conf, workers, err, sizeof(err));
	}
	if (rc < 0)
		synack_die_config("%s", err);
	rc = sy_stack_create(&r->stack_a, r->pair ? "server" : "stack", &r->port_a, &r->conf,
			     tcp, &synack_stop, &r->stats, err, sizeof(err));
	if (rc == 0 && r->pair)
		rc = sy_stack_create(&r->stack_b, "client", &r->port_b, &r->peer_conf, tcp_b,
				     &synack_stop, &r->stats, err, sizeof(err));
	if (rc == -ENOTSUP)
		synack_die_config("%s", err);   /* an option the port cannot honour */
	if (rc < 0) {
		fprintf(stderr, "synack: %s\n", err);
		exit(1);
	}
	if (r->opts.pcap_path != NULL) {
		synack_capture_start(r, &r->stack_a);
		if (r->pair)
			synack_capture_start(r, &r->stack_b);
	}
	if (r->pair) {
		pair_static_arp(&r->stack_a, &r->peer_conf.ip, &r->port_b.mac);
		pair_static_arp(&r->stack_b, &r->conf.ip, &r->port_a.mac);
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGPIPE, SIG_IGN);
	if (sy_stats_telemetry_register(&r->stats) != 0)
		fprintf(stderr, "synack: telemetry endpoints not registered\n");
}

/*
 * Placement. The lcores are L = [main] + workers from the profile.
 * - One stack: worker q runs on workers[q % W]; the main lcore only prints progress.
 * - A ring pair (two stacks in one process): every lcore of L runs workers, server q on
 *   L[2q % |L|] and client q on L[(2q + 1) % |L|], so on two cores the server and the client
 *   each get one core and the main lcore prints progress between its iterations.
 */
static void
place_workers(struct synack_run *r)
{
	unsigned int lcores[SY_PORT_MAX_WORKERS + 1];
	unsigned int nl = 0;

	lcores[nl++] = rte_get_main_lcore();
	for (unsigned int i = 0; i < r->conf.worker_count; i++)
		lcores[nl++] = r->conf.worker_lcores[i];
	for (uint16_t q = 0; q < r->stack_a.n_workers; q++) {
		unsigned int lc = r->pair ? lcores[(2 * q) % nl] : lcores[1 + q % (nl - 1)];

		if (sy_lcore_plan_add(&r->plans[lc], r->stack_a.workers[q]) != 0)
			synack_die_config("too many workers for lcore %u", lc);
	}
	for (uint16_t q = 0; r->pair && q < r->stack_b.n_workers; q++) {
		unsigned int lc = lcores[(2 * q + 1) % nl];

		if (sy_lcore_plan_add(&r->plans[lc], r->stack_b.workers[q]) != 0)
			synack_die_config("too many workers for lcore %u", lc);
	}
}

/*
 * The main lcore's tick, every 100 ms: the command's progress line once a second, and the
 * stop sequence. When the duration is over or a signal came, the command's drain hook runs
 * on every tick until it says it is done (a load generator stops opening, lets open
 * connections finish and aborts the rest after a bounded time); then the loops stop.
 */
struct main_tick {
	struct synack_run *r;
	const struct synack_hooks *hooks;
	uint64_t last_second;
	double drain_start;
};

static void
main_tick_fn(void *p)
{
	struct main_tick *mt = p;
	struct synack_run *r = mt->r;
	const struct synack_hooks *h = mt->hooks;
	double now = synack_elapsed_s(r);

	if ((uint64_t)now != mt->last_second) {
		mt->last_second = (uint64_t)now;
		if (h != NULL && h->second != NULL)
			h->second(h->arg);
	}
	if (r->opts.duration_s > 0 && now >= r->opts.duration_s)
		synack_stop_requested = true;
	if (!synack_stop_requested)
		return;
	if (mt->drain_start == 0)
		mt->drain_start = now;
	if (h == NULL || h->drained == NULL || h->drained(h->arg, now - mt->drain_start))
		synack_stop = true;
}

static bool
workers_running(void)
{
	unsigned int lc;

	RTE_LCORE_FOREACH_WORKER(lc)
		if (rte_eal_get_lcore_state(lc) == RUNNING)
			return true;
	return false;
}

/* The main lcore runs no worker: it ticks until the workers are done. */
static void
wait_for_workers(struct main_tick *mt)
{
	while (!synack_stop && workers_running()) {
		usleep(100 * 1000);
		main_tick_fn(mt);
	}
}

void
synack_run_lcores(struct synack_run *r, const struct synack_hooks *hooks)
{
	unsigned int main_lc = rte_get_main_lcore(), lc;
	struct main_tick mt = { .r = r, .hooks = hooks };

	place_workers(r);
	sy_stack_announce(&r->stack_a);
	if (r->pair)
		sy_stack_announce(&r->stack_b);
	r->start_tsc = rte_rdtsc();
	RTE_LCORE_FOREACH_WORKER(lc) {
		if (r->plans[lc].n == 0)
			continue;
		r->plans[lc].stop = &synack_stop;
		rte_eal_remote_launch(sy_lcore_run, &r->plans[lc], lc);
	}
	struct sy_lcore_plan *mp = &r->plans[main_lc];

	mp->stop = &synack_stop;
	mp->tick = main_tick_fn;
	mp->tick_arg = &mt;
	mp->tick_ms = 100;
	if (mp->n > 0)
		sy_lcore_run(mp);
	else
		wait_for_workers(&mt);
	synack_stop = true;
	rte_eal_mp_wait_lcore();
}

void
synack_free_stacks(struct synack_run *r)
{
	if (!r->opts.quiet && r->stack_a.n_workers > 0 && r->stack_a.workers[0] != NULL) {
		printf("counters:\n");
		sy_stats_print(&r->stats, stdout);
	}
	r->stats.n_slots = 0;  /* the counters live in the workers freed below */
	synack_capture_finish(r);
	sy_stack_free(&r->stack_a);
	if (r->pair)
		sy_stack_free(&r->stack_b);
}

static int
remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path);
}

/*
 * EAL leaves its runtime directory (/var/run/dpdk/<prefix>: config, telemetry socket)
 * behind; the prefix is this process's own (synack<pid>), so nobody else needs it.
 */
static void
remove_runtime_dir_after_cleanup(void)
{
	char dir[PATH_MAX];
	char own[32];

	snprintf(dir, sizeof(dir), "%s", rte_eal_get_runtime_dir());
	snprintf(own, sizeof(own), "/synack%d", (int)getpid());
	rte_eal_cleanup();
	size_t n = strlen(dir), k = strlen(own);

	if (n > k && strcmp(dir + n - k, own) == 0)
		nftw(dir, remove_entry, 8, FTW_DEPTH | FTW_PHYS);
}

int
synack_teardown(struct synack_run *r)
{
	unsigned int leaked = 0;

	synack_free_stacks(r);
	if (sy_port_stop(&r->port_a) != 0)
		leaked += r->port_a.pools_in_use;
	if (r->pair && sy_port_stop(&r->port_b) != 0)
		leaked += r->port_b.pools_in_use;
	printf("mbufs in use after shutdown: %u\n", leaked);
	remove_runtime_dir_after_cleanup();
	return leaked == 0 ? 0 : 1;
}
