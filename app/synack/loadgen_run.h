/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The client side of `synack client` and `synack demo`: load-generator options, one
 * generator per worker, the progress line, the stop sequence (stop opening, let open
 * connections finish for a bounded time, abort the rest) and the result (summary and JSON
 * per docs/results-schema.json).
 */
#ifndef SYNACK_LOADGEN_RUN_H
#define SYNACK_LOADGEN_RUN_H

#include "synack.h"
#include "sy_loadgen.h"

struct client_opts {
	struct sy_loadgen_conf lg;    /**< totals (rate, concurrency, connections) for all workers */
	bool target_set;
	double drain_s;               /**< bounded finish after the stop request */
	double ramp_s;                /**< rate and concurrency grow linearly over this time */
	uint64_t flood_rate;          /**< spoofed SYNs per second alongside the load; 0: off */
	bool flood_max;               /**< --syn-flood max: as fast as the worker can */
};

extern const struct option client_long_opts[];
#define CLIENT_OPT_FIRST 330
#define CLIENT_OPT_LAST 348

void client_opts_defaults(struct client_opts *co);
int client_parse_opt(struct client_opts *co, int opt, const char *arg);

#define CLIENT_SERIES_MAX 86400

/** One second of the run, as deltas. */
struct client_second {
	uint64_t opened, established, responses_ok, errors, rx_bytes, tx_bytes;
	uint32_t active;
	uint64_t port_exhausted, rate_behind, connect_errors;
};

struct client_rss;

struct sy_synflood;

struct client_worker {
	struct sy_loadgen *lg;
	struct sy_synflood *flood;    /**< --syn-flood on this worker, or NULL */
	struct client_rss *rss;       /**< RSS steering of this worker's tuples, or NULL */
	const volatile int *phase;    /**< 0 run, 1 stop opening, 2 abort */
	int seen_phase;
	/* ramp-up: the targets and when the worker started (its own clock) */
	uint64_t rate, start_us, ramp_us, ramp_ms_done;
	uint32_t concurrency;
};

struct client_run {
	struct synack_run *r;
	struct sy_stack *stack;
	const struct client_opts *opts;
	struct client_worker workers[SY_PORT_MAX_QUEUES];
	volatile int phase;
	double abort_at;               /**< drain time at which phase 2 began */
	struct client_second *series;
	uint32_t n_series;
	struct client_second prev_total;
	const char *command;
};

/** Sizes the TCP engine (connection blocks, TIME-WAIT records) for the load. */
void client_size_tcp(struct sy_tcp_conf *tcp, const struct client_opts *co,
		     const struct sy_port_ip_conf *src, unsigned int n_workers);

/**
 * The demo's server stack: TIME-WAIT records for what the client's load closes within 2MSL
 * when the server closes first (--closer server), else the engine default (the client
 * closes first and holds TIME-WAIT). @p tcp is otherwise the client's sizing.
 */
void demo_server_time_wait(struct sy_tcp_conf *tcp, const struct client_opts *co,
			   const struct sy_port_ip_conf *src, unsigned int n_workers);

/** Starts one generator per worker of @p s; sources from @p src. Exits on error. */
void client_start(struct client_run *c, const struct client_opts *co, struct synack_run *r,
		  struct sy_stack *s, const struct sy_port_ip_conf *src,
		  const struct sy_tcp_conf *tcp, int first_slot, const char *command);

/** The hooks for synack_run_lcores(). */
void client_hooks(struct client_run *c, struct synack_hooks *h);

/** Prints the summary and writes the JSON result (when --json). */
void client_report(struct client_run *c);

/** True when every response was good and nothing failed. */
bool client_clean(const struct client_run *c);

/** Frees the generators; call after the stack (and its TCP engines) is freed. */
void client_free(struct client_run *c);

#endif /* SYNACK_LOADGEN_RUN_H */
