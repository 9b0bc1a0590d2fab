/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The server applications of `synack server` and `synack demo`: see serve.h.
 */
#include "serve.h"

#include <stdio.h>
#include <stdlib.h>
#include <ctype.h>
#include <string.h>
#include <rte_errno.h>

enum {
	OPT_APP = SERVE_OPT_FIRST, OPT_PORT, OPT_STATUS, OPT_BODY, OPT_MAX_HEADER, OPT_SOURCE,
	OPT_HEADER, OPT_HASH,
};

/* --hash (discard): kept here, serve.h is not part of this change. */
static bool serve_hash;

const struct option serve_long_opts[] = {
	{ "app", required_argument, NULL, OPT_APP },
	{ "port", required_argument, NULL, OPT_PORT },
	{ "status", required_argument, NULL, OPT_STATUS },
	{ "body-size", required_argument, NULL, OPT_BODY },
	{ "max-header", required_argument, NULL, OPT_MAX_HEADER },
	{ "source-bytes", required_argument, NULL, OPT_SOURCE },
	{ "header", required_argument, NULL, OPT_HEADER },
	{ "hash", no_argument, NULL, OPT_HASH },
	{ NULL, 0, NULL, 0 },
};

static const char *const app_names[] = { "none", "echo", "discard", "http", "source" };

const char *
serve_app_name(enum serve_app app)
{
	return app_names[app];
}

void
serve_opts_defaults(struct serve_opts *so)
{
	memset(so, 0, sizeof(*so));
	so->app = SERVE_NONE;
	so->port = 80;
	sy_http_server_conf_defaults(&so->http);
}

/* RFC 9110 5.1, 5.5: a token, a colon, a value without CR, LF or NUL. */
static void
add_header(struct serve_opts *so, const char *arg)
{
	static const char tchar[] = "!#$%&'*+-.^_`|~";
	const char *colon = strchr(arg, ':');
	size_t used = strlen(so->headers);

	if (colon == NULL || colon == arg)
		synack_die_config("--header %s: expected \"Name: value\"", arg);
	for (const char *p = arg; p < colon; p++)
		if (!isalnum((unsigned char)*p) && strchr(tchar, *p) == NULL)
			synack_die_config("--header %s: the name is not an HTTP token", arg);
	if (strpbrk(colon, "\r\n") != NULL)
		synack_die_config("--header: the value may not contain CR or LF");
	if (used + strlen(arg) + 2 >= sizeof(so->headers))
		synack_die_config("--header %s: more than %zu bytes of extra headers", arg,
				  sizeof(so->headers) - 1);
	snprintf(so->headers + used, sizeof(so->headers) - used, "%s\r\n", arg);
	so->http.headers = so->headers;
}

int
serve_parse_opt(struct serve_opts *so, int opt, const char *arg)
{
	unsigned int i;

	switch (opt) {
	case OPT_APP:
		for (i = 0; i < RTE_DIM(app_names); i++)
			if (strcmp(arg, app_names[i]) == 0)
				break;
		if (i == RTE_DIM(app_names))
			synack_die_config("--app %s: expected none, echo, discard, http or source",
					  arg);
		so->app = (enum serve_app)i;
		return 0;
	case OPT_PORT: so->port = (uint16_t)synack_parse_u64("port", arg, 1, 65535); return 0;
	case OPT_STATUS: so->http.status = (uint16_t)synack_parse_u64("status", arg, 100, 599); return 0;
	case OPT_BODY:
		so->http.body_size = synack_parse_u64("body-size", arg, 0, UINT64_C(1) << 40);
		return 0;
	case OPT_HEADER:
		add_header(so, arg);
		return 0;
	case OPT_HASH:
		serve_hash = true;
		return 0;
	case OPT_SOURCE:
		so->source_bytes = synack_parse_u64("source-bytes", arg, 0, UINT64_MAX);
		return 0;
	case OPT_MAX_HEADER:
		so->http.max_header = (uint32_t)synack_parse_u64("max-header", arg, 256, 1 << 20);
		return 0;
	}
	return -1;
}

static void
start_one(struct serve_apps *apps, const struct serve_opts *so, struct sy_worker *w,
	  uint32_t max_conns, int socket, struct sy_stats *stats, int slot)
{
	static const enum sy_app_kind simple_kind[] = {
		[SERVE_ECHO] = SY_APP_ECHO, [SERVE_DISCARD] = SY_APP_DISCARD,
		[SERVE_SOURCE] = SY_APP_SOURCE,
	};
	rte_be16_t port = rte_cpu_to_be_16(so->port);
	uint16_t q = w->queue_id;

	if (so->app == SERVE_HTTP) {
		apps->http[q] = sy_http_server_start(w->tcp, port, &so->http, max_conns, w->pool,
						     socket);
		if (apps->http[q] != NULL)
			sy_stats_add_group(stats, slot, "http", sy_http_server_stats_names,
					   sy_http_server_stats_count,
					   (const uint64_t *)sy_http_server_stats(apps->http[q]));
	} else {
		apps->simple[q] = sy_app_server_start(w->tcp, simple_kind[so->app], port, max_conns,
						      socket);
		if (apps->simple[q] != NULL && so->app == SERVE_SOURCE &&
		    sy_app_server_source(apps->simple[q], w->pool, so->source_bytes, socket) != 0) {
			sy_app_server_free(apps->simple[q]);
			apps->simple[q] = NULL;
		}
		if (apps->simple[q] != NULL && serve_hash && so->app == SERVE_DISCARD &&
		    sy_app_server_hash(apps->simple[q], socket) != 0) {
			sy_app_server_free(apps->simple[q]);
			apps->simple[q] = NULL;
		}
		if (apps->simple[q] != NULL)
			sy_stats_add_group(stats, slot, "app", sy_app_server_stats_names,
					   sy_app_server_stats_count,
					   (const uint64_t *)sy_app_server_stats(apps->simple[q]));
	}
	if (apps->http[q] == NULL && apps->simple[q] == NULL) {
		fprintf(stderr, "synack: worker %u: cannot listen on TCP port %u: %s\n", q,
			so->port, rte_strerror(rte_errno));
		exit(1);
	}
}

void
serve_apps_start(struct serve_apps *apps, const struct serve_opts *so, struct sy_stack *s,
		 const struct sy_tcp_conf *tcp, struct sy_stats *stats, int first_slot)
{
	memset(apps, 0, sizeof(*apps));
	if (serve_hash && so->app != SERVE_DISCARD)
		synack_die_config("--hash: only with --app discard");
	if (so->app == SERVE_NONE)
		return;
	for (uint16_t q = 0; q < s->n_workers; q++)
		start_one(apps, so, s->workers[q], tcp->max_conns, s->port->socket, stats,
			  first_slot + q);
}

void
serve_apps_free(struct serve_apps *apps)
{
	for (unsigned int q = 0; q < SY_PORT_MAX_QUEUES; q++) {
		sy_app_server_free(apps->simple[q]);
		sy_http_server_free(apps->http[q]);
		apps->simple[q] = NULL;
		apps->http[q] = NULL;
	}
}
