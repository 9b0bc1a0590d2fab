/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The load generator's result: a summary on stdout and, with --json, the whole result as
 * described by docs/results-schema.json: configuration, totals (every counter), the
 * per-second series and the latency histograms merged over all workers.
 */
#include "loadgen_run.h"

#include <arpa/inet.h>
#include <stdio.h>

static const char *const hist_names[SY_LOADGEN_HIST_COUNT] = { "connect", "ttfb", "response" };

static void
merged_hist(const struct client_run *c, enum sy_loadgen_hist_kind k, struct sy_hist *out)
{
	sy_hist_init(out);
	for (uint16_t q = 0; q < c->stack->n_workers; q++)
		sy_hist_merge(out, sy_loadgen_hist(c->workers[q].lg, k));
}

static void
print_hist_line(const char *name, const struct sy_hist *h)
{
	printf("  %-9s n=%-10" PRIu64 " mean %8.1f  p50 %7" PRIu64 "  p90 %7" PRIu64 "  p99 %7"
	       PRIu64 "  p99.9 %7" PRIu64 "  max %8" PRIu64 " us\n", name, sy_hist_count(h),
	       sy_hist_mean(h), sy_hist_percentile(h, 50), sy_hist_percentile(h, 90),
	       sy_hist_percentile(h, 99), sy_hist_percentile(h, 99.9), sy_hist_max(h));
}

static void
json_hist(FILE *f, const char *name, const struct sy_hist *h, bool last)
{
	fprintf(f, "    \"%s\": {\"count\": %" PRIu64 ", \"mean\": %.3f, \"min\": %" PRIu64
		", \"p50\": %" PRIu64 ", \"p90\": %" PRIu64 ", \"p99\": %" PRIu64
		", \"p99_9\": %" PRIu64 ", \"max\": %" PRIu64 "}%s\n", name, sy_hist_count(h),
		sy_hist_mean(h), sy_hist_count(h) ? sy_hist_min(h) : 0, sy_hist_percentile(h, 50),
		sy_hist_percentile(h, 90), sy_hist_percentile(h, 99), sy_hist_percentile(h, 99.9),
		sy_hist_max(h), last ? "" : ",");
}

static void
json_config(FILE *f, const struct client_run *c)
{
	const struct sy_loadgen_conf *lg = &c->opts->lg;
	char dst[INET_ADDRSTRLEN];

	inet_ntop(AF_INET, &lg->dst_ip, dst, sizeof(dst));
	fprintf(f, "  \"config\": {\"profile\": \"%s\", \"workers\": %u, \"target\": \"%s\", "
		"\"target_port\": %u, \"target_count\": %u, \"rate\": %" PRIu64
		", \"concurrency\": %u, \"connections\": %" PRIu64 ", \"requests_per_conn\": %u, "
		"\"proto\": \"%s\", \"closer\": \"%s\", \"think_us\": %u, \"duration_s\": %.3f},\n",
		c->r->conf.file, c->stack->n_workers, dst, rte_be_to_cpu_16(lg->dst_port),
		lg->dst_ip_count, lg->rate, lg->max_concurrent, lg->total_conns,
		lg->requests_per_conn, lg->proto == SY_LOADGEN_RAW ? "raw" : "http",
		lg->closer == SY_LOADGEN_SERVER_CLOSES ? "server" : "client", lg->think_us,
		c->r->opts.duration_s);
}

static void
json_series(FILE *f, const struct client_run *c)
{
	fputs("  \"series\": [\n", f);
	for (uint32_t i = 0; i < c->n_series; i++) {
		const struct client_second *s = &c->series[i];

		fprintf(f, "    {\"t\": %u, \"conns_opened\": %" PRIu64 ", \"conns_established\": %"
			PRIu64 ", \"responses_ok\": %" PRIu64 ", \"errors\": %" PRIu64
			", \"rx_bytes\": %" PRIu64 ", \"tx_bytes\": %" PRIu64 ", \"active\": %u}%s\n",
			i + 1, s->opened, s->established, s->responses_ok, s->errors, s->rx_bytes,
			s->tx_bytes, s->active, i + 1 < c->n_series ? "," : "");
	}
	fputs("  ],\n", f);
}

static void
write_json(const struct client_run *c, double secs, const struct sy_hist *h)
{
	const struct sy_stats *st = &c->r->stats;
	FILE *f = fopen(c->r->opts.json_path, "w");

	if (f == NULL) {
		perror(c->r->opts.json_path);
		return;
	}
	fprintf(f, "{\n  \"schema\": \"synack-result-1\",\n  \"command\": \"%s\",\n"
		"  \"elapsed_s\": %.6f,\n", c->command, secs);
	json_config(f, c);
	fprintf(f, "  \"rates\": {\"conns_per_s\": %.1f, \"responses_per_s\": %.1f, "
		"\"rx_gbps\": %.6f, \"tx_gbps\": %.6f},\n",
		sy_stats_sum(st, "client.conns_established") / secs,
		sy_stats_sum(st, "client.responses_ok") / secs,
		sy_stats_sum(st, "client.bytes_rx") * 8 / secs / 1e9,
		sy_stats_sum(st, "client.bytes_tx") * 8 / secs / 1e9);
	fputs("  \"totals\": ", f);
	sy_stats_json(st, f);
	fputs(",\n", f);
	json_series(f, c);
	fputs("  \"latency_us\": {\n", f);
	for (int k = 0; k < SY_LOADGEN_HIST_COUNT; k++)
		json_hist(f, hist_names[k], &h[k], k + 1 == SY_LOADGEN_HIST_COUNT);
	fputs("  }\n}\n", f);
	fclose(f);
}

void
client_report(struct client_run *c)
{
	const struct sy_stats *st = &c->r->stats;
	double secs = synack_elapsed_s(c->r);
	static struct sy_hist h[SY_LOADGEN_HIST_COUNT];

	for (int k = 0; k < SY_LOADGEN_HIST_COUNT; k++)
		merged_hist(c, (enum sy_loadgen_hist_kind)k, &h[k]);
	printf("\nsummary: %.2f s, %u client worker(s)\n", secs, c->stack->n_workers);
	printf("  connections: opened %" PRIu64 ", established %" PRIu64 " (%.0f/s), failed %"
	       PRIu64 ", connect errors %" PRIu64 ", aborted at stop %" PRIu64 "\n",
	       sy_stats_sum(st, "client.conns_opened"), sy_stats_sum(st, "client.conns_established"),
	       sy_stats_sum(st, "client.conns_established") / secs,
	       sy_stats_sum(st, "client.conns_failed"), sy_stats_sum(st, "client.connect_errors"),
	       sy_stats_sum(st, "client.aborted"));
	printf("  requests: sent %" PRIu64 ", good responses %" PRIu64 " (%.0f/s), errors %" PRIu64
	       "\n", sy_stats_sum(st, "client.requests_sent"), sy_stats_sum(st, "client.responses_ok"),
	       sy_stats_sum(st, "client.responses_ok") / secs,
	       sy_stats_sum(st, "client.response_errors"));
	printf("  latency:\n");
	for (int k = 0; k < SY_LOADGEN_HIST_COUNT; k++)
		print_hist_line(hist_names[k], &h[k]);
	if (c->r->opts.json_path != NULL)
		write_json(c, secs, h);
}
