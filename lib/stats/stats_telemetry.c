/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rte_telemetry endpoints over the counter registry. The telemetry thread only reads the
 * counters (see sy_stats.h for why that is safe without atomics). DPDK 22.11's callbacks
 * take no user argument, so the registry pointer is kept here, set once before any worker
 * starts and never written again.
 */
#include "sy_stats.h"

#include <errno.h>
#include <stdlib.h>
#include <rte_telemetry.h>

static const struct sy_stats *registry;

struct tel_fill {
	struct rte_tel_data *d;
};

static void
add_counter(void *arg, const char *key, uint64_t value)
{
	struct tel_fill *t = arg;
	char name[RTE_TEL_MAX_STRING_LEN];

	/* telemetry names allow letters, digits, '_' and '/': "net.rx_frames" -> "net/rx_frames" */
	snprintf(name, sizeof(name), "%s", key);
	for (char *p = name; *p != '\0'; p++)
		if (*p == '.')
			*p = '/';
	rte_tel_data_add_dict_u64(t->d, name, value);
}

static int
handle_stats(const char *cmd, const char *params, struct rte_tel_data *d)
{
	struct tel_fill t = { .d = d };
	int slot = -1;

	if (registry == NULL)
		return -EINVAL;
	if (params != NULL && *params != '\0') {
		char *end;
		long v = strtol(params, &end, 10);

		if (*end != '\0' || v < 0 || v >= (long)registry->n_slots)
			return -EINVAL;
		slot = (int)v;
	}
	rte_tel_data_start_dict(d);
	sy_stats_foreach(registry, slot, add_counter, &t);
	return 0;
}

static int
handle_slots(const char *cmd, const char *params, struct rte_tel_data *d)
{
	if (registry == NULL)
		return -EINVAL;
	rte_tel_data_start_dict(d);
	for (uint32_t i = 0; i < registry->n_slots; i++) {
		char key[16];

		snprintf(key, sizeof(key), "%u", i);
		rte_tel_data_add_dict_string(d, key, registry->slots[i].label);
	}
	return 0;
}

int
sy_stats_telemetry_register(const struct sy_stats *s)
{
	int rc;

	registry = s;
	rc = rte_telemetry_register_cmd("/synack/stats", handle_stats,
		"Every synack counter summed over all lcores. Param: slot index for one lcore");
	if (rc == 0)
		rc = rte_telemetry_register_cmd("/synack/slots", handle_slots,
			"The lcore slots whose counters /synack/stats sums, by index");
	return rc;
}
