/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * `synack pktpath`: the bare packet path, no TCP. Every worker polls its queue and runs
 * each frame through the net layer until it has seen --packets frames (or --duration
 * passes). On net_null this measures the stack's own per-frame cost: receive, parse,
 * validate, drop with a counter, free. Reports Mpps per worker and cycles per frame, and
 * fails (exit 1) if any mbuf did not come back to its pool.
 */
#include "synack.h"

#include <stdio.h>
#include <stdlib.h>

enum { OPT_PACKETS = 300 };

static const struct option pktpath_long[] = {
	{ "packets", required_argument, NULL, OPT_PACKETS },
	{ NULL, 0, NULL, 0 },
};

static int
pktpath_opt(int opt, const char *arg, void *p)
{
	uint64_t *packets = p;

	if (opt != OPT_PACKETS)
		return -1;
	*packets = synack_parse_u64("packets", arg, 1, UINT64_MAX);
	return 0;
}

static void
pktpath_report(struct synack_run *r, double secs)
{
	uint64_t frames = sy_stats_sum(&r->stats, "loop.rx_frames");
	uint64_t busy = sy_stats_sum(&r->stats, "loop.busy_cycles");
	unsigned int workers = r->stack_a.n_workers;
	double mpps = secs > 0 ? (double)frames / secs / 1e6 : 0;
	double cpp = frames ? (double)busy / (double)frames : 0;

	printf("pktpath: %" PRIu64 " frames in %.3f s on %u worker(s): %.2f Mpps, "
	       "%.2f Mpps per worker, %.1f cycles per frame\n",
	       frames, secs, workers, mpps, mpps / workers, cpp);
	FILE *f = synack_json_open(r);

	if (f == NULL)
		return;
	fprintf(f, "{\"command\": \"pktpath\", \"profile\": \"%s\", \"workers\": %u, "
		"\"frames\": %" PRIu64 ", \"seconds\": %.6f, \"mpps\": %.4f, "
		"\"mpps_per_worker\": %.4f, \"cycles_per_frame\": %.2f, \"tsc_hz\": %" PRIu64
		", \"counters\": ", r->conf.file, workers, frames, secs, mpps, mpps / workers, cpp,
		rte_get_tsc_hz());
	sy_stats_json(&r->stats, f);
	fputs("}\n", f);
	fclose(f);
}

int
synack_cmd_pktpath(int argc, char **argv)
{
	static struct synack_run r;
	uint64_t packets = 10 * 1000 * 1000;

	synack_parse_common(&r.opts, argc, argv, NULL, pktpath_long, pktpath_opt, &packets);
	synack_eal_up(&r);
	synack_stacks_up(&r, NULL, NULL);
	for (uint16_t q = 0; q < r.stack_a.n_workers; q++)
		r.stack_a.workers[q]->rx_limit = (packets + r.stack_a.n_workers - 1) /
						 r.stack_a.n_workers;
	synack_run_lcores(&r, NULL);
	pktpath_report(&r, synack_elapsed_s(&r));
	return synack_teardown(&r);
}
