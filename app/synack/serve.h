/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The server side of `synack server` and `synack demo`: which application answers TCP on
 * every worker of a stack, and its options.
 */
#ifndef SYNACK_SERVE_H
#define SYNACK_SERVE_H

#include "synack.h"
#include "sy_app_server.h"
#include "sy_http_server.h"

enum serve_app { SERVE_NONE, SERVE_ECHO, SERVE_DISCARD, SERVE_HTTP, SERVE_SOURCE };

struct serve_opts {
	enum serve_app app;
	uint16_t port;
	struct sy_http_server_conf http;
	uint64_t source_bytes;        /**< source: bytes per connection, 0 = no end */
	char headers[513];            /**< http: extra response header lines, CRLF each */
};

/** Long options of the server side (end with a zero entry). */
extern const struct option serve_long_opts[];
#define SERVE_OPT_FIRST 310
#define SERVE_OPT_LAST 316

void serve_opts_defaults(struct serve_opts *so);

/** Parses one server option (SERVE_OPT_FIRST..LAST); exits 2 on a bad value. */
int serve_parse_opt(struct serve_opts *so, int opt, const char *arg);

const char *serve_app_name(enum serve_app app);

/** The applications running on one stack's workers. */
struct serve_apps {
	struct sy_app_server *simple[SY_PORT_MAX_QUEUES];
	struct sy_http_server *http[SY_PORT_MAX_QUEUES];
};

/** Starts the application on every worker of @p s, with counters in @p stats slots. */
void serve_apps_start(struct serve_apps *apps, const struct serve_opts *so, struct sy_stack *s,
		      const struct sy_tcp_conf *tcp, struct sy_stats *stats, int first_slot);

/** Frees them; call after the stack (and its TCP engines) is freed. */
void serve_apps_free(struct serve_apps *apps);

#endif /* SYNACK_SERVE_H */
