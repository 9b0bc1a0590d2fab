/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * bench_timer: cost of arm, re-arm, cancel and expire, and memory per timer, for the
 * synack timer wheel (lib/timer) and DPDK's rte_timer (a skiplist), at 1 M and 10 M armed
 * timers, in one run. Prints one JSON object on stdout; progress goes to stderr.
 *
 * Method, per implementation and size N:
 *   arm     N timers armed once, random deadlines (cost per arm)
 *   rearm   K = min(N, 200 K) distinct armed timers moved to a new random deadline
 *   cancel  K distinct armed timers cancelled; they are armed again (not timed)
 *   expire  every timer is due; one advance() / rte_timer_manage() fires all N
 * sy_timer deadlines are uniform over 2^22 ticks (70 min at 1 ms: levels 0..3, so expiry
 * includes up to 3 cascades per timer). rte_timer needs a running clock, so its deadlines
 * are uniform over the next RTE_SPAN_S seconds of TSC and the expiry phase waits until
 * all have passed (a wait that is not timed). The re-armed timers in the expire phase get a deadline already passed.
 *
 * Usage: bench_timer [max_timers [sy]]  (default 10000000: sizes 1 M and 10 M; "sy" skips
 * rte_timer for quick runs)
 */
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_timer.h>

#include "sy_timer.h"

#define SY_SPAN_TICKS   (UINT64_C(1) << 22)
#define RTE_SPAN_S      2
#define SAMPLE_MAX      200000u
#define PERM_MUL        UINT64_C(2654435761)   /* prime, coprime with 10^k */

struct result {
	double arm, rearm, cancel, expire;   /* thread CPU ns per operation */
	double bytes_per_timer;
	uint64_t fired;
};

/*
 * This thread's CPU time in ns: the machine is shared, and time spent preempted must not
 * be charged to the timer. Cycles are derived from it at the TSC rate.
 */
static uint64_t
cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000 + (uint64_t)ts.tv_nsec;
}

static uint64_t rng_state = 0x9e3779b97f4a7c15;

static uint64_t
rng(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * UINT64_C(2685821657736338717);
}

/* the k-th of K distinct ids in [0, n) */
static inline uint32_t
sample_id(uint32_t k, uint32_t n)
{
	return (uint32_t)(k * PERM_MUL % n);
}

static uint64_t sy_fired;

static void
sy_fire(void *arg, uint32_t id)
{
	sy_fired++;
}

static int
bench_sy(uint32_t n, struct result *r)
{
	uint32_t k_max = n < SAMPLE_MAX ? n : SAMPLE_MAX;
	struct sy_timer_wheel *w = sy_timer_wheel_create(n, 0, (int)rte_socket_id());
	uint64_t t0;

	if (w == NULL)
		return -rte_errno;
	uint64_t *dl = malloc((size_t)n * sizeof(*dl));

	if (dl == NULL)
		return -ENOMEM;
	for (uint32_t i = 0; i < n; i++)
		dl[i] = 1 + rng() % (SY_SPAN_TICKS - 1);

	t0 = cpu_ns();
	for (uint32_t i = 0; i < n; i++)
		sy_timer_arm(w, i, dl[i]);
	r->arm = (double)(cpu_ns() - t0) / n;

	for (uint32_t k = 0; k < k_max; k++)
		dl[k] = 1 + rng() % (SY_SPAN_TICKS - 1);
	t0 = cpu_ns();
	for (uint32_t k = 0; k < k_max; k++)
		sy_timer_arm(w, sample_id(k, n), dl[k]);
	r->rearm = (double)(cpu_ns() - t0) / k_max;

	t0 = cpu_ns();
	for (uint32_t k = 0; k < k_max; k++)
		sy_timer_cancel(w, sample_id(k, n));
	r->cancel = (double)(cpu_ns() - t0) / k_max;
	for (uint32_t k = 0; k < k_max; k++)
		sy_timer_arm(w, sample_id(k, n), dl[k]);

	sy_fired = 0;
	t0 = cpu_ns();
	sy_timer_advance(w, SY_SPAN_TICKS, sy_fire, NULL);
	r->expire = (double)(cpu_ns() - t0) / n;
	r->fired = sy_fired;
	r->bytes_per_timer = (double)sy_timer_wheel_memory(w) / n;
	sy_timer_wheel_free(w);
	free(dl);
	return 0;
}

static uint64_t rte_fired;

static void
rte_fire(struct rte_timer *tim, void *arg)
{
	rte_fired++;
}

static int
bench_rte(uint32_t n, struct result *r)
{
	uint32_t k_max = n < SAMPLE_MAX ? n : SAMPLE_MAX;
	unsigned int lcore = rte_lcore_id();
	uint64_t span = rte_get_tsc_hz() * RTE_SPAN_S, t0, start;
	struct rte_timer *tim = malloc((size_t)n * sizeof(*tim));
	uint64_t *dl = malloc((size_t)n * sizeof(*dl));

	if (tim == NULL || dl == NULL)
		return -ENOMEM;
	for (uint32_t i = 0; i < n; i++) {
		rte_timer_init(&tim[i]);
		dl[i] = rng() % span;
	}

	start = cpu_ns();
	for (uint32_t i = 0; i < n; i++)
		rte_timer_reset(&tim[i], dl[i], SINGLE, lcore, rte_fire, NULL);
	r->arm = (double)(cpu_ns() - start) / n;

	for (uint32_t k = 0; k < k_max; k++)
		dl[k] = rng() % span;
	t0 = cpu_ns();
	for (uint32_t k = 0; k < k_max; k++)
		rte_timer_reset(&tim[sample_id(k, n)], dl[k], SINGLE, lcore, rte_fire, NULL);
	r->rearm = (double)(cpu_ns() - t0) / k_max;
	uint64_t rearmed = rte_rdtsc();

	t0 = cpu_ns();
	for (uint32_t k = 0; k < k_max; k++)
		rte_timer_stop(&tim[sample_id(k, n)]);
	r->cancel = (double)(cpu_ns() - t0) / k_max;
	for (uint32_t k = 0; k < k_max; k++)
		rte_timer_reset(&tim[sample_id(k, n)], 0, SINGLE, lcore, rte_fire, NULL);

	/* every deadline was set before `rearmed` to at most span ahead */
	while (rte_rdtsc() < rearmed + span + rte_get_tsc_hz() / 10)
		rte_pause();
	rte_fired = 0;
	t0 = cpu_ns();
	rte_timer_manage();
	r->expire = (double)(cpu_ns() - t0) / n;
	r->fired = rte_fired;
	r->bytes_per_timer = (double)sizeof(struct rte_timer);
	free(tim);
	free(dl);
	return 0;
}

static void
print_result(const char *name, const uint32_t *sizes, unsigned int ns,
	     const struct result *res, double cyc_per_ns)
{
	printf("  \"%s\": {\n", name);
	for (unsigned int i = 0; i < ns; i++) {
		const struct result *r = &res[i];

		printf("    \"%u\": {\"arm_ns\": %.1f, \"arm_cycles\": %.1f, "
		       "\"rearm_ns\": %.1f, \"rearm_cycles\": %.1f, "
		       "\"cancel_ns\": %.1f, \"cancel_cycles\": %.1f, "
		       "\"expire_ns\": %.1f, \"expire_cycles\": %.1f, "
		       "\"bytes_per_timer\": %.2f, \"fired\": %" PRIu64 "}%s\n",
		       sizes[i], r->arm, r->arm * cyc_per_ns, r->rearm, r->rearm * cyc_per_ns,
		       r->cancel, r->cancel * cyc_per_ns, r->expire, r->expire * cyc_per_ns,
		       r->bytes_per_timer, r->fired, i + 1 < ns ? "," : "");
	}
	printf("  },\n");
}

static void
print_ratios(const uint32_t *sizes, unsigned int ns, const struct result *sy,
	     const struct result *rt)
{
	printf("  \"ratio_rte_timer_over_sy_timer\": {\n");
	for (unsigned int i = 0; i < ns; i++)
		printf("    \"%u\": {\"arm\": %.2f, \"rearm\": %.2f, \"cancel\": %.2f, "
		       "\"expire\": %.2f, \"bytes_per_timer\": %.2f}%s\n", sizes[i],
		       rt[i].arm / sy[i].arm, rt[i].rearm / sy[i].rearm,
		       rt[i].cancel / sy[i].cancel, rt[i].expire / sy[i].expire,
		       rt[i].bytes_per_timer / sy[i].bytes_per_timer, i + 1 < ns ? "," : "");
	printf("  },\n");
}

int
main(int argc, char **argv)
{
	char *eal_argv[] = {
		"bench_timer", "--no-huge", "-m", "2048", "--no-pci", "--no-shconf",
		"--no-telemetry", "-l", "0", "--log-level=error", NULL,
	};
	uint32_t max = argc > 1 ? (uint32_t)strtoul(argv[1], NULL, 0) : 10000000;
	uint32_t sizes[2];
	unsigned int ns = 0;
	struct result sy[2], rt[2];
	bool sy_only = argc > 2 && strcmp(argv[2], "sy") == 0;
	uint64_t wall0, cpu0;

	if (rte_eal_init((int)RTE_DIM(eal_argv) - 1, eal_argv) < 0) {
		fprintf(stderr, "rte_eal_init: %s\n", rte_strerror(rte_errno));
		return 2;
	}
	if (rte_timer_subsystem_init() < 0) {
		fprintf(stderr, "rte_timer_subsystem_init failed\n");
		return 2;
	}
	sizes[ns++] = max < 1000000 ? max : 1000000;
	if (max > 1000000)
		sizes[ns++] = max;
	wall0 = rte_rdtsc();
	cpu0 = cpu_ns();
	for (unsigned int i = 0; i < ns; i++) {
		fprintf(stderr, "sy_timer %u ...\n", sizes[i]);
		if (bench_sy(sizes[i], &sy[i]) < 0)
			return 1;
		fprintf(stderr, "rte_timer %u ...\n", sizes[i]);
		if (sy_only)
			rt[i] = sy[i];
		else if (bench_rte(sizes[i], &rt[i]) < 0)
			return 1;
	}
	double cyc_per_ns = (double)rte_get_tsc_hz() / 1e9;

	printf("{\n  \"tsc_hz\": %" PRIu64 ",\n", rte_get_tsc_hz());
	printf("  \"method\": \"per-op cost; arm over N timers, rearm/cancel over min(N,200K) "
	       "distinct armed timers, expire = one advance/manage firing all N; ns = thread CPU time (preemption excluded), cycles = ns x TSC GHz\",\n");
	print_result("sy_timer", sizes, ns, sy, cyc_per_ns);
	print_result("rte_timer", sizes, ns, rt, cyc_per_ns);
	print_ratios(sizes, ns, sy, rt);
	printf("  \"wall_s\": %.1f,\n  \"cpu_s\": %.1f\n}\n",
	       (double)(rte_rdtsc() - wall0) / rte_get_tsc_hz(), (double)(cpu_ns() - cpu0) / 1e9);
	rte_timer_subsystem_finalize();
	rte_eal_cleanup();
	return 0;
}
