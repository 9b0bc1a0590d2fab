/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Options every command shares (--profile, --duration, --json, --quiet, --cc,
 * --tx-zerocopy, and EAL options after "--"), parsed with getopt_long; a command passes
 * its own options through the extra hooks. Every bad value is one message and exit code 2.
 */
#include "synack.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
	OPT_PROFILE = 256, OPT_DURATION, OPT_JSON, OPT_QUIET, OPT_PCAP, OPT_PCAP_COUNT, OPT_TEST,
	OPT_CC, OPT_TX_ZEROCOPY,
};

/* Commands number their own options from here on (see synack.h). */
#define FIRST_COMMAND_OPT 300

static const struct option common_long[] = {
	{ "profile", required_argument, NULL, OPT_PROFILE },
	{ "duration", required_argument, NULL, OPT_DURATION },
	{ "json", required_argument, NULL, OPT_JSON },
	{ "quiet", no_argument, NULL, OPT_QUIET },
	{ "pcap", required_argument, NULL, OPT_PCAP },
	{ "pcap-count", required_argument, NULL, OPT_PCAP_COUNT },
	{ "test", required_argument, NULL, OPT_TEST },
	{ "cc", required_argument, NULL, OPT_CC },
	{ "tx-zerocopy", required_argument, NULL, OPT_TX_ZEROCOPY },
};

#define MAX_LONG_OPTS 64

uint64_t
synack_parse_u64(const char *name, const char *arg, uint64_t lo, uint64_t hi)
{
	char *end;
	unsigned long long v = strtoull(arg, &end, 10);

	if (*arg == '\0' || *arg == '-' || *end != '\0' || v < lo || v > hi)
		synack_die_config("--%s %s: expected %" PRIu64 " .. %" PRIu64, name, arg, lo, hi);
	return v;
}

static double
parse_seconds(const char *name, const char *arg)
{
	char *end;
	double v = strtod(arg, &end);

	if (*arg == '\0' || *end != '\0' || v < 0 || v > 1e7)
		synack_die_config("--%s %s: expected seconds (0 .. 10000000)", name, arg);
	return v;
}

static int
merge_options(struct option *all, const struct option *extra)
{
	int n = 0;

	for (size_t i = 0; i < RTE_DIM(common_long); i++)
		all[n++] = common_long[i];
	for (; extra != NULL && extra->name != NULL && n < MAX_LONG_OPTS - 1; extra++)
		all[n++] = *extra;
	all[n] = (struct option){ 0 };
	return n;
}

struct opt_ctx {
	struct synack_opts *o;
	int (*extra)(int opt, const char *arg, void *);
	void *extra_arg;
};

static void
handle_opt(void *arg, int opt, const char *value)
{
	struct opt_ctx *c = arg;
	struct synack_opts *o = c->o;

	switch (opt) {
	case OPT_PROFILE: o->profile = value; break;
	case OPT_DURATION: o->duration_s = parse_seconds("duration", value); break;
	case OPT_JSON: o->json_path = value; break;
	case OPT_QUIET: o->quiet = true; break;
	case OPT_PCAP: o->pcap_path = value; break;
	case OPT_PCAP_COUNT: o->pcap_count = (uint32_t)synack_parse_u64("pcap-count", value, 1, 1000000); break;
	case OPT_TEST: break;  /* applied before the command line */
	case OPT_CC:
		if (strcmp(value, "newreno") == 0)
			o->cc = SY_TCP_CC_NEWRENO;
		else if (strcmp(value, "cubic") == 0)
			o->cc = SY_TCP_CC_CUBIC;
		else
			synack_die_config("--cc %s: expected newreno or cubic", value);
		break;
	case OPT_TX_ZEROCOPY:   /* checked against the port when the stacks are built */
		o->tx_zerocopy_min = (uint32_t)synack_parse_u64("tx-zerocopy", value, 0,
								UINT16_MAX);
		break;
	default:
		if (c->extra == NULL || c->extra(opt, value, c->extra_arg) != 0)
			synack_die_config("see 'synack --help'");
	}
}

/* --test FILE anywhere before "--": its options apply first, the command line wins. */
static void
apply_test_profile(struct opt_ctx *c, int argc, char **argv, const struct option *all)
{
	for (int i = 1; i < argc && strcmp(argv[i], "--") != 0; i++) {
		const char *path = NULL;

		if (strcmp(argv[i], "--test") == 0 && i + 1 < argc)
			path = argv[i + 1];
		else if (strncmp(argv[i], "--test=", 7) == 0)
			path = argv[i] + 7;
		if (path != NULL)
			synack_test_profile_apply(path, all, FIRST_COMMAND_OPT, handle_opt, c);
	}
}

int
synack_parse_common(struct synack_opts *o, int argc, char **argv, const char *extra_short,
		    const struct option *extra_long, int (*extra)(int opt, const char *arg, void *),
		    void *extra_arg)
{
	struct option all[MAX_LONG_OPTS];
	struct opt_ctx ctx = { .o = o, .extra = extra, .extra_arg = extra_arg };
	int opt;

	merge_options(all, extra_long);
	o->pcap_count = 1000;
	o->cc = -1;
	apply_test_profile(&ctx, argc, argv, all);
	optind = 1;
	while ((opt = getopt_long(argc, argv, extra_short ? extra_short : "", all, NULL)) != -1) {
		if (opt == '?')
			synack_die_config("see 'synack --help'");
		handle_opt(&ctx, opt, optarg);
	}
	/* getopt_long stops at "--": the rest is for EAL */
	if (optind < argc && strcmp(argv[optind - 1], "--") == 0) {
		o->eal_argc = argc - optind;
		o->eal_argv = argv + optind;
		return argc;
	}
	if (optind < argc)
		synack_die_config("unexpected argument '%s' (EAL options go after --)", argv[optind]);
	return optind;
}
