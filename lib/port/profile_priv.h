/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Internal to the profile loader: the key table and the value parsers it points at.
 * A parser reads one "key = value" into the configuration, or writes why it cannot
 * ("out of range (64..32768)") and returns -EINVAL; the loader adds file, section and key.
 */
#ifndef SY_PROFILE_PRIV_H
#define SY_PROFILE_PRIV_H

#include <stddef.h>
#include <stdint.h>

#include "sy_port.h"

#define PROFILE_WHY_LEN 160

struct profile_key;

typedef int (*profile_parse_fn)(const struct profile_key *k, const char *val,
				struct sy_port_conf *c, char *why);

/** One key of one section: how to parse it and where it lands in struct sy_port_conf. */
struct profile_key {
	const char *name;
	profile_parse_fn parse;
	size_t off;          /* offsetof(struct sy_port_conf, ...) */
	size_t aux_off;      /* MAC keys: offsetof the bool that says "set" */
	uint8_t width;       /* bytes, for integers */
	uint64_t min;
	uint64_t max;
	bool required;
};

int profile_parse_uint(const struct profile_key *k, const char *val,
		       struct sy_port_conf *c, char *why);
int profile_parse_bool(const struct profile_key *k, const char *val,
		       struct sy_port_conf *c, char *why);
int profile_parse_ipv4(const struct profile_key *k, const char *val,
		       struct sy_port_conf *c, char *why);
int profile_parse_mac(const struct profile_key *k, const char *val,
		       struct sy_port_conf *c, char *why);
int profile_parse_rss_key(const struct profile_key *k, const char *val,
		       struct sy_port_conf *c, char *why);
int profile_parse_rss_hash(const struct profile_key *k, const char *val,
			   struct sy_port_conf *c, char *why);
int profile_parse_driver(const struct profile_key *k, const char *val,
		       struct sy_port_conf *c, char *why);
int profile_parse_string(const struct profile_key *k, const char *val,
		       struct sy_port_conf *c, char *why);
int profile_parse_queues(const struct profile_key *k, const char *val,
		       struct sy_port_conf *c, char *why);
int profile_parse_lcores(const struct profile_key *k, const char *val,
		       struct sy_port_conf *c, char *why);

/** Name of a driver as written in profiles. */
const char *profile_driver_name(enum sy_port_driver d);

#endif /* SY_PROFILE_PRIV_H */
