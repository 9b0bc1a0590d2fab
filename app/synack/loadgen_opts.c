/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Options of the load generator (`synack client`, `synack demo`). Rates, concurrency and
 * connection totals are for the whole run; loadgen_run.c splits them over the workers.
 */
#include "loadgen_run.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
	OPT_TARGET = CLIENT_OPT_FIRST, OPT_TARGET_COUNT, OPT_RATE, OPT_CONCURRENCY,
	OPT_CONNECTIONS, OPT_REQUESTS, OPT_PROTO, OPT_PATH, OPT_EXPECT_BODY, OPT_REQUEST_SIZE,
	OPT_RESPONSE_SIZE, OPT_THINK, OPT_CLOSER, OPT_SRC_PORTS, OPT_DRAIN, OPT_HOST,
	OPT_MAX_HEADER_C, OPT_RAMP, OPT_FLOOD,
};

const struct option client_long_opts[] = {
	{ "target", required_argument, NULL, OPT_TARGET },
	{ "target-count", required_argument, NULL, OPT_TARGET_COUNT },
	{ "rate", required_argument, NULL, OPT_RATE },
	{ "concurrency", required_argument, NULL, OPT_CONCURRENCY },
	{ "connections", required_argument, NULL, OPT_CONNECTIONS },
	{ "requests", required_argument, NULL, OPT_REQUESTS },
	{ "proto", required_argument, NULL, OPT_PROTO },
	{ "path", required_argument, NULL, OPT_PATH },
	{ "expect-body", required_argument, NULL, OPT_EXPECT_BODY },
	{ "request-size", required_argument, NULL, OPT_REQUEST_SIZE },
	{ "response-size", required_argument, NULL, OPT_RESPONSE_SIZE },
	{ "think-us", required_argument, NULL, OPT_THINK },
	{ "closer", required_argument, NULL, OPT_CLOSER },
	{ "src-ports", required_argument, NULL, OPT_SRC_PORTS },
	{ "drain", required_argument, NULL, OPT_DRAIN },
	{ "host", required_argument, NULL, OPT_HOST },
	{ "response-max-header", required_argument, NULL, OPT_MAX_HEADER_C },
	{ "ramp-up", required_argument, NULL, OPT_RAMP },
	{ "syn-flood", required_argument, NULL, OPT_FLOOD },
	{ NULL, 0, NULL, 0 },
};

void
client_opts_defaults(struct client_opts *co)
{
	memset(co, 0, sizeof(*co));
	sy_loadgen_conf_defaults(&co->lg);
	co->lg.dst_port = rte_cpu_to_be_16(80);
	co->lg.dst_ip_count = 1;
	co->lg.max_concurrent = 1000;
	co->lg.requests_per_conn = 1;
	co->drain_s = 2.0;
}

/* IP[:PORT] */
static void
parse_target(struct client_opts *co, const char *arg)
{
	char ip[INET_ADDRSTRLEN];
	const char *colon = strchr(arg, ':');
	size_t n = colon ? (size_t)(colon - arg) : strlen(arg);
	struct in_addr a;

	if (n >= sizeof(ip))
		synack_die_config("--target %s: expected IPv4[:PORT]", arg);
	memcpy(ip, arg, n);
	ip[n] = '\0';
	if (inet_pton(AF_INET, ip, &a) != 1)
		synack_die_config("--target %s: expected IPv4[:PORT]", arg);
	co->lg.dst_ip = a.s_addr;
	if (colon != NULL)
		co->lg.dst_port = rte_cpu_to_be_16((uint16_t)synack_parse_u64("target port", colon + 1, 1, 65535));
	co->target_set = true;
}

static void
parse_ports(struct client_opts *co, const char *arg)
{
	unsigned int lo, hi;
	char tail;

	if (sscanf(arg, "%u-%u%c", &lo, &hi, &tail) != 2 || lo == 0 || lo > hi || hi > 65535)
		synack_die_config("--src-ports %s: expected LO-HI within 1-65535", arg);
	co->lg.src_port_lo = (uint16_t)lo;
	co->lg.src_port_hi = (uint16_t)hi;
}

static void
parse_choice(const char *name, const char *arg, const char *a, const char *b, int *out)
{
	if (strcmp(arg, a) == 0)
		*out = 0;
	else if (strcmp(arg, b) == 0)
		*out = 1;
	else
		synack_die_config("--%s %s: expected %s or %s", name, arg, a, b);
}

int
client_parse_opt(struct client_opts *co, int opt, const char *arg)
{
	struct sy_loadgen_conf *lg = &co->lg;
	int v;

	switch (opt) {
	case OPT_TARGET: parse_target(co, arg); break;
	case OPT_TARGET_COUNT: lg->dst_ip_count = (uint32_t)synack_parse_u64("target-count", arg, 1, 1 << 24); break;
	case OPT_RATE: lg->rate = synack_parse_u64("rate", arg, 0, UINT64_C(1) << 40); break;
	case OPT_CONCURRENCY: lg->max_concurrent = (uint32_t)synack_parse_u64("concurrency", arg, 1, 1 << 30); break;
	case OPT_CONNECTIONS: lg->total_conns = synack_parse_u64("connections", arg, 0, UINT64_C(1) << 50); break;
	case OPT_REQUESTS: lg->requests_per_conn = (uint32_t)synack_parse_u64("requests", arg, 0, 1 << 30); break;
	case OPT_PROTO:
		parse_choice("proto", arg, "http", "raw", &v);
		lg->proto = v ? SY_LOADGEN_RAW : SY_LOADGEN_HTTP;
		break;
	case OPT_PATH: lg->path = arg; break;
	case OPT_HOST: lg->host = arg; break;
	case OPT_EXPECT_BODY: lg->expect_body = (int64_t)synack_parse_u64("expect-body", arg, 0, UINT64_C(1) << 40); break;
	case OPT_REQUEST_SIZE: lg->request_size = (uint32_t)synack_parse_u64("request-size", arg, 1, 1 << 30); break;
	case OPT_RESPONSE_SIZE: lg->response_size = (uint32_t)synack_parse_u64("response-size", arg, 0, 1 << 30); break;
	case OPT_THINK: lg->think_us = (uint32_t)synack_parse_u64("think-us", arg, 0, SY_LOADGEN_THINK_MAX_US); break;
	case OPT_CLOSER:
		parse_choice("closer", arg, "client", "server", &v);
		lg->closer = v ? SY_LOADGEN_SERVER_CLOSES : SY_LOADGEN_CLIENT_CLOSES;
		break;
	case OPT_SRC_PORTS: parse_ports(co, arg); break;
	case OPT_FLOOD:
		if (strcmp(arg, "max") == 0)
			co->flood_max = true;
		else
			co->flood_rate = synack_parse_u64("syn-flood", arg, 0, UINT64_C(1) << 32);
		break;
	case OPT_RAMP: co->ramp_s = (double)synack_parse_u64("ramp-up", arg, 0, 86400); break;
	case OPT_DRAIN: co->drain_s = (double)synack_parse_u64("drain", arg, 0, 3600); break;
	case OPT_MAX_HEADER_C: lg->max_header = (uint32_t)synack_parse_u64("response-max-header", arg, 256, 1 << 20); break;
	default: return -1;
	}
	return 0;
}
