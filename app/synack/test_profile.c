/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Test profiles: an INI file (rte_cfgfile) holding the options of a run, so a benchmark
 * is a file that can be versioned rather than a command line. Every key is the name of a
 * long option without its dashes, in the section of the side it configures:
 *
 *   [run]     profile, duration, json, pcap, pcap-count, quiet
 *   [server]  app, port, status, body-size, max-header
 *   [client]  target, rate, concurrency, connections, requests, proto, ...
 *
 * Values go through the same parsers as the command line, and options given on the
 * command line win (they are applied after the file). A section or key the command does
 * not take is an error naming the file, the section and the key (exit code 2).
 */
#include "synack.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <rte_cfgfile.h>

static const char *const run_sections[] = { "run", "server", "client" };

static const struct option *
find_option(const struct option *opts, const char *key)
{
	for (const struct option *o = opts; o->name != NULL; o++)
		if (strcmp(o->name, key) == 0)
			return o;
	return NULL;
}

/* Whether @p key belongs in @p section: [run] takes the common options only. */
static bool
in_section(const char *section, const struct option *o, int first_extra)
{
	bool common = o->val < first_extra;

	return strcmp(section, "run") == 0 ? common : !common;
}

static void
apply_entry(const char *path, const char *section, const struct rte_cfgfile_entry *e,
	    const struct option *all, int first_extra,
	    void (*apply)(void *arg, int opt, const char *value), void *arg)
{
	const struct option *o = find_option(all, e->name);

	if (o == NULL || !in_section(section, o, first_extra))
		synack_die_config("%s: [%s] %s: unknown key for this command", path, section,
				  e->name);
	if (o->has_arg == no_argument && strcmp(e->value, "yes") != 0 &&
	    strcmp(e->value, "no") != 0)
		synack_die_config("%s: [%s] %s = %s: expected yes or no", path, section, e->name,
				  e->value);
	if (o->has_arg == no_argument && strcmp(e->value, "no") == 0)
		return;
	char ctx[CFG_NAME_LEN + CFG_VALUE_LEN + 300];

	snprintf(ctx, sizeof(ctx), "%s: [%s] %s = %s", path, section, e->name, e->value);
	synack_config_context(ctx);
	apply(arg, o->val, o->has_arg == no_argument ? NULL : strdup(e->value));
	synack_config_context(NULL);
}

void
synack_test_profile_apply(const char *path, const struct option *all, int first_extra,
			  void (*apply)(void *arg, int opt, const char *value), void *arg)
{
	struct rte_cfgfile *cfg = rte_cfgfile_load(path, 0);
	char sections[8][CFG_NAME_LEN];
	char *names[8];

	if (cfg == NULL)
		synack_die_config("%s: cannot read the test profile", path);
	for (int i = 0; i < 8; i++)
		names[i] = sections[i];
	int n = rte_cfgfile_sections(cfg, names, 8);

	for (int s = 0; s < n; s++) {
		bool known = false;

		for (size_t k = 0; k < RTE_DIM(run_sections); k++)
			known |= strcmp(sections[s], run_sections[k]) == 0;
		if (!known)
			synack_die_config("%s: [%s]: unknown section (run, server, client)", path,
					  sections[s]);
		int ne = rte_cfgfile_section_num_entries(cfg, sections[s]);
		struct rte_cfgfile_entry *entries = calloc(ne > 0 ? ne : 1, sizeof(*entries));

		ne = rte_cfgfile_section_entries(cfg, sections[s], entries, ne);
		for (int e = 0; e < ne; e++)
			apply_entry(path, sections[s], &entries[e], all, first_extra, apply, arg);
		free(entries);
	}
	rte_cfgfile_close(cfg);
}
