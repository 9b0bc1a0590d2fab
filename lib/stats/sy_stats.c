/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Counter registry and summing: see sy_stats.h. Names come from the layers' X-macros, so a
 * counter added to a layer shows up in telemetry, the summary and JSON with no edit here.
 */
#include "sy_stats.h"

#include <errno.h>
#include <string.h>

#include "sy_net.h"
#include "sy_tcp.h"

#define NAME_STRING(name) #name,
const char *const sy_stats_net_names[] = { SY_NET_STATS(NAME_STRING) };
const uint32_t sy_stats_net_count = RTE_DIM(sy_stats_net_names);
const char *const sy_stats_tcp_names[] = { SY_TCP_STATS(NAME_STRING) };
const uint32_t sy_stats_tcp_count = RTE_DIM(sy_stats_tcp_names);
#undef NAME_STRING

int
sy_stats_add_slot(struct sy_stats *s, const char *label)
{
	if (s->n_slots == SY_STATS_MAX_SLOTS)
		return -ENOSPC;
	struct sy_stats_slot *slot = &s->slots[s->n_slots];

	memset(slot, 0, sizeof(*slot));
	snprintf(slot->label, sizeof(slot->label), "%s", label);
	return (int)s->n_slots++;
}

int
sy_stats_add_group(struct sy_stats *s, int slot, const char *prefix,
		   const char *const *names, uint32_t n, const uint64_t *values)
{
	if (slot < 0 || (uint32_t)slot >= s->n_slots || values == NULL)
		return -EINVAL;
	struct sy_stats_slot *sl = &s->slots[slot];

	if (sl->n_groups == SY_STATS_MAX_GROUPS)
		return -ENOSPC;
	sl->groups[sl->n_groups++] = (struct sy_stats_group){
		.prefix = prefix, .names = names, .n = n, .values = values,
	};
	return 0;
}

/*
 * Every slot registers the same groups in the same order, so the first slot that has a
 * group defines the key order; sums are taken group by group and name by name.
 */
static uint64_t
sum_counter(const struct sy_stats *s, int only_slot, const char *prefix, const char *name)
{
	uint64_t total = 0;

	for (uint32_t i = 0; i < s->n_slots; i++) {
		if (only_slot >= 0 && (uint32_t)only_slot != i)
			continue;
		const struct sy_stats_slot *sl = &s->slots[i];

		for (uint32_t g = 0; g < sl->n_groups; g++) {
			const struct sy_stats_group *gr = &sl->groups[g];

			if (strcmp(gr->prefix, prefix) != 0)
				continue;
			for (uint32_t k = 0; k < gr->n; k++)
				if (strcmp(gr->names[k], name) == 0)
					total += ((const volatile uint64_t *)gr->values)[k];
		}
	}
	return total;
}

uint64_t
sy_stats_sum(const struct sy_stats *s, const char *key)
{
	const char *dot = strchr(key, '.');
	char prefix[32];

	if (dot == NULL || (size_t)(dot - key) >= sizeof(prefix))
		return 0;
	memcpy(prefix, key, (size_t)(dot - key));
	prefix[dot - key] = '\0';
	return sum_counter(s, -1, prefix, dot + 1);
}

static bool
group_seen_before(const struct sy_stats *s, uint32_t slot, uint32_t group)
{
	const char *prefix = s->slots[slot].groups[group].prefix;

	for (uint32_t i = 0; i <= slot; i++) {
		uint32_t ng = i == slot ? group : s->slots[i].n_groups;

		for (uint32_t g = 0; g < ng; g++)
			if (strcmp(s->slots[i].groups[g].prefix, prefix) == 0)
				return true;
	}
	return false;
}

void
sy_stats_foreach(const struct sy_stats *s, int slot,
		 void (*fn)(void *arg, const char *key, uint64_t value), void *arg)
{
	char key[96];

	for (uint32_t i = 0; i < s->n_slots; i++) {
		const struct sy_stats_slot *sl = &s->slots[i];

		for (uint32_t g = 0; g < sl->n_groups; g++) {
			const struct sy_stats_group *gr = &sl->groups[g];

			if (group_seen_before(s, i, g))
				continue;
			for (uint32_t k = 0; k < gr->n; k++) {
				snprintf(key, sizeof(key), "%s.%s", gr->prefix, gr->names[k]);
				fn(arg, key, sum_counter(s, slot, gr->prefix, gr->names[k]));
			}
		}
	}
}

static void
print_nonzero(void *arg, const char *key, uint64_t value)
{
	if (value != 0)
		fprintf(arg, "  %-36s %" PRIu64 "\n", key, value);
}

void
sy_stats_print(const struct sy_stats *s, FILE *f)
{
	sy_stats_foreach(s, -1, print_nonzero, f);
}

struct json_state {
	FILE *f;
	bool first;
};

static void
print_json(void *arg, const char *key, uint64_t value)
{
	struct json_state *st = arg;

	fprintf(st->f, "%s\"%s\": %" PRIu64, st->first ? "" : ", ", key, value);
	st->first = false;
}

void
sy_stats_json(const struct sy_stats *s, FILE *f)
{
	struct json_state st = { .f = f, .first = true };

	fputc('{', f);
	sy_stats_foreach(s, -1, print_json, &st);
	fputc('}', f);
}
