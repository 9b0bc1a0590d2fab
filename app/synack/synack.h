/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The synack program: what its commands share. The program holds no protocol logic; it
 * reads options and profiles, brings up EAL and ports, places workers on lcores, runs them
 * and reports. Bad configuration gets one clear message and exit code 2.
 */
#ifndef SYNACK_APP_H
#define SYNACK_APP_H

#include <stdbool.h>
#include <stdio.h>
#include <stdint.h>
#include <getopt.h>

#include "sy_port.h"
#include "sy_stack.h"
#include "sy_stats.h"

#define SYNACK_EXIT_CONFIG 2

/** Options every command takes. */
struct synack_opts {
	const char *profile;         /**< drivers-config profile */
	double duration_s;           /**< 0: until SIGINT/SIGTERM */
	const char *json_path;       /**< write the result here */
	bool quiet;                  /**< no progress line */
	const char *pcap_path;       /**< capture the first frames of each worker here */
	uint32_t pcap_count;         /**< frames per worker (rx and tx together) */
	int cc;                      /**< --cc: enum sy_tcp_cc, or -1 for the engine default */
	uint32_t tx_zerocopy_min;    /**< --tx-zerocopy: sy_tcp_conf tx_zerocopy_min */
	int eal_argc;                /**< EAL options after "--" */
	char **eal_argv;
};

/** One process's run: the ports, stacks, counters and the flag that stops it all. */
struct synack_run {
	struct synack_opts opts;
	struct sy_port_conf conf;          /**< the profile */
	struct sy_port_conf peer_conf;     /**< the [peer] side of a ring pair */
	struct sy_port port_a;
	struct sy_port port_b;             /**< ring pair only */
	bool pair;
	struct sy_stack stack_a;
	struct sy_stack stack_b;
	struct sy_stats stats;
	struct sy_lcore_plan plans[RTE_MAX_LCORE];
	uint64_t start_tsc;
};

/** Ends every loop. Set by the main lcore once the stop sequence is over. */
extern volatile bool synack_stop;

/** Set by SIGINT/SIGTERM or when the duration is over: starts the stop sequence. */
extern volatile bool synack_stop_requested;

/** What a command does on the main lcore while the workers run. */
struct synack_hooks {
	void (*second)(void *arg);                  /**< once a second: progress line */
	bool (*drained)(void *arg, double drain_s); /**< after a stop request: true = stop now */
	void *arg;
};

/** Prints a configuration error and exits with code 2. */
void synack_die_config(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

/** Parses an unsigned decimal in [lo, hi] for option --name; exits 2 otherwise. */
uint64_t synack_parse_u64(const char *name, const char *arg, uint64_t lo, uint64_t hi);

/** Names the source of the values parsed next in config errors (NULL: command line). */
void synack_config_context(const char *ctx);

/** Parses the common options; returns the index of the first unparsed argument. */
int synack_parse_common(struct synack_opts *o, int argc, char **argv, const char *extra_short,
			const struct option *extra_long, int (*extra)(int opt, const char *arg, void *),
			void *extra_arg);

/**
 * Applies a test profile (INI: [run], [server], [client]; keys are long option names)
 * through @p apply; options numbered below @p first_extra belong in [run]. Exits 2 on
 * an unknown section or key, naming file, section and key.
 */
void synack_test_profile_apply(const char *path, const struct option *all, int first_extra,
			       void (*apply)(void *arg, int opt, const char *value), void *arg);

/** Loads the profile and brings up EAL with arguments derived from it. Exits 2 on error. */
void synack_eal_up(struct synack_run *r);

/**
 * Starts the port(s) and builds the stack(s) (B only for a ring pair). Exits on error.
 * @p tcp_b configures stack B (NULL: the same as @p tcp).
 */
void synack_stacks_up(struct synack_run *r, const struct sy_tcp_conf *tcp,
		      const struct sy_tcp_conf *tcp_b);

/**
 * Places workers on lcores (see docs/architecture.md), launches them, runs the main lcore's
 * plan and @p hooks (may be NULL) until the stop sequence ends, and waits for all.
 */
void synack_run_lcores(struct synack_run *r, const struct synack_hooks *hooks);

/** --pcap: starts capturing on every worker of @p s. Exits on error. */
void synack_capture_start(struct synack_run *r, struct sy_stack *s);

/** --pcap: writes what the workers captured and frees it (after the loops stopped). */
void synack_capture_finish(struct synack_run *r);

/** Prints the counters (unless quiet), then frees the stacks; idempotent. */
void synack_free_stacks(struct synack_run *r);

/**
 * Frees the stacks (synack_free_stacks), stops the ports, checks that every mbuf came back, prints counters.
 * @return 0, or 1 when mbufs leaked.
 */
int synack_teardown(struct synack_run *r);

double synack_elapsed_s(const struct synack_run *r);

/**
 * --json: opens the result file for writing. NULL without --json, or when it cannot be
 * opened (reported on stderr; the run's result is still printed).
 */
FILE *synack_json_open(const struct synack_run *r);

int synack_cmd_pktpath(int argc, char **argv);
int synack_cmd_server(int argc, char **argv);
int synack_cmd_client(int argc, char **argv);
int synack_cmd_demo(int argc, char **argv);

#endif /* SYNACK_APP_H */
