/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Value parsers of the profile loader (see profile_priv.h). Each one accepts exactly one
 * spelling per type: decimal integers without sign or suffix, booleans as yes/no, true/false,
 * on/off or 1/0, dotted-quad IPv4, colon-separated MACs, hex RSS keys. A value that is
 * almost right is an error, not a guess: a profile that says something we do not read
 * would otherwise run with a default nobody chose.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <rte_ethdev.h>

#include "profile_priv.h"

#define FIELD(c, k) ((void *)((char *)(c) + (k)->off))

static void
store_uint(void *field, uint8_t width, uint64_t v)
{
	switch (width) {
	case 1: *(uint8_t *)field = (uint8_t)v; break;
	case 2: *(uint16_t *)field = (uint16_t)v; break;
	case 4: *(uint32_t *)field = (uint32_t)v; break;
	default: *(uint64_t *)field = v; break;
	}
}

/* Strict decimal: digits only, no sign, no blanks, no overflow. */
static int
read_decimal(const char *val, uint64_t *out)
{
	char *end;

	if (!isdigit((unsigned char)val[0]))
		return -EINVAL;
	errno = 0;
	unsigned long long v = strtoull(val, &end, 10);
	if (errno != 0 || *end != '\0')
		return -EINVAL;
	*out = v;
	return 0;
}

int
profile_parse_uint(const struct profile_key *k, const char *val, struct sy_port_conf *c,
		   char *why)
{
	uint64_t v;

	if (read_decimal(val, &v) < 0) {
		snprintf(why, PROFILE_WHY_LEN, "not a decimal number");
		return -EINVAL;
	}
	if (v < k->min || v > k->max) {
		snprintf(why, PROFILE_WHY_LEN, "out of range (%" PRIu64 "..%" PRIu64 ")",
			 k->min, k->max);
		return -EINVAL;
	}
	store_uint(FIELD(c, k), k->width, v);
	return 0;
}

int
profile_parse_bool(const struct profile_key *k, const char *val, struct sy_port_conf *c,
		   char *why)
{
	static const char *const yes[] = { "yes", "true", "on", "1" };
	static const char *const no[] = { "no", "false", "off", "0" };
	bool *field = FIELD(c, k);

	for (unsigned int i = 0; i < RTE_DIM(yes); i++) {
		if (strcasecmp(val, yes[i]) == 0) {
			*field = true;
			return 0;
		}
		if (strcasecmp(val, no[i]) == 0) {
			*field = false;
			return 0;
		}
	}
	snprintf(why, PROFILE_WHY_LEN, "not a boolean (yes/no, true/false, on/off, 1/0)");
	return -EINVAL;
}

/*
 * A host address: not 0.0.0.0, not 255.255.255.255, not multicast (224/4) or loopback
 * (127/8), which no interface of ours may own or route through (RFC 1122 3.2.1.3).
 * An empty value leaves the default (used by optional keys such as gateway).
 */
int
profile_parse_ipv4(const struct profile_key *k, const char *val, struct sy_port_conf *c,
		   char *why)
{
	struct in_addr a;

	if (val[0] == '\0' && !k->required)
		return 0;
	if (inet_pton(AF_INET, val, &a) != 1) {
		snprintf(why, PROFILE_WHY_LEN, "not a dotted-quad IPv4 address");
		return -EINVAL;
	}
	uint32_t h = ntohl(a.s_addr);
	if (h == 0 || h == UINT32_MAX || (h >> 28) == 0xe || (h >> 24) == 127) {
		snprintf(why, PROFILE_WHY_LEN,
			 "not a unicast host address (zero, broadcast, multicast or loopback)");
		return -EINVAL;
	}
	*(rte_be32_t *)FIELD(c, k) = a.s_addr;
	return 0;
}

/* A MAC: six colon-separated hex octets, unicast and non-zero; also sets its "set" flag. */
int
profile_parse_mac(const struct profile_key *k, const char *val, struct sy_port_conf *c,
		  char *why)
{
	bool *set = (bool *)((char *)c + k->aux_off);
	struct rte_ether_addr *mac = FIELD(c, k);
	unsigned int b[RTE_ETHER_ADDR_LEN];
	int used = 0;

	if (val[0] == '\0')
		return 0;
	if (sscanf(val, "%2x:%2x:%2x:%2x:%2x:%2x%n", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5],
		   &used) != 6 || val[used] != '\0' || used != 17) {
		snprintf(why, PROFILE_WHY_LEN, "not a MAC address (xx:xx:xx:xx:xx:xx)");
		return -EINVAL;
	}
	for (unsigned int i = 0; i < RTE_ETHER_ADDR_LEN; i++)
		mac->addr_bytes[i] = (uint8_t)b[i];
	if (!rte_is_valid_assigned_ether_addr(mac)) {
		snprintf(why, PROFILE_WHY_LEN, "not a unicast, non-zero MAC address");
		return -EINVAL;
	}
	*set = true;
	return 0;
}

static int
hex_nibble(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	ch = (char)tolower((unsigned char)ch);
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	return -1;
}

/* Hex digits, optionally separated by ':' between bytes; 40 or 52 bytes. */
int
profile_parse_rss_key(const struct profile_key *k, const char *val, struct sy_port_conf *c,
		      char *why)
{
	uint8_t key[SY_PORT_RSS_KEY_MAX];
	unsigned int n = 0;
	const char *p = val;

	if (val[0] == '\0')
		return 0;
	while (*p != '\0') {
		int hi = hex_nibble(p[0]);
		int lo = hi < 0 ? -1 : hex_nibble(p[1]);

		if (hi < 0 || lo < 0 || n == SY_PORT_RSS_KEY_MAX) {
			snprintf(why, PROFILE_WHY_LEN, hi < 0 || lo < 0 ?
				 "not hex bytes" : "longer than 52 bytes");
			return -EINVAL;
		}
		key[n++] = (uint8_t)(hi << 4 | lo);
		p += 2;
		if (*p == ':' && p[1] != '\0')
			p++;
	}
	if (n != 40 && n != 52) {
		snprintf(why, PROFILE_WHY_LEN, "%u bytes; a Toeplitz key has 40 or 52", n);
		return -EINVAL;
	}
	memcpy(c->rss_key, key, n);
	c->rss_key_len = (uint8_t)n;
	return 0;
}

static const struct {
	const char *name;
	uint64_t hf;
} rss_names[] = {
	{ "ipv4", RTE_ETH_RSS_IPV4 },
	{ "frag_ipv4", RTE_ETH_RSS_FRAG_IPV4 },
	{ "tcp", RTE_ETH_RSS_NONFRAG_IPV4_TCP },
	{ "udp", RTE_ETH_RSS_NONFRAG_IPV4_UDP },
	{ "other_ipv4", RTE_ETH_RSS_NONFRAG_IPV4_OTHER },
	{ "ipv6", RTE_ETH_RSS_IPV6 },
	{ "tcp6", RTE_ETH_RSS_NONFRAG_IPV6_TCP },
	{ "udp6", RTE_ETH_RSS_NONFRAG_IPV6_UDP },
};

static int
rss_name_lookup(const char *name, size_t len, uint64_t *hf)
{
	for (unsigned int i = 0; i < RTE_DIM(rss_names); i++) {
		if (strlen(rss_names[i].name) == len && strncmp(rss_names[i].name, name, len) == 0) {
			*hf |= rss_names[i].hf;
			return 0;
		}
	}
	return -EINVAL;
}

/* A list separated by commas and/or blanks: "ipv4, tcp". */
int
profile_parse_rss_hash(const struct profile_key *k, const char *val, struct sy_port_conf *c,
		       char *why)
{
	uint64_t hf = 0;
	const char *p = val;

	while (*p != '\0') {
		size_t len = strcspn(p, ", \t");

		if (len > 0 && rss_name_lookup(p, len, &hf) < 0) {
			snprintf(why, PROFILE_WHY_LEN, "unknown hash type '%.*s' (ipv4, frag_ipv4, "
				 "tcp, udp, other_ipv4, ipv6, tcp6, udp6)", (int)len, p);
			return -EINVAL;
		}
		p += len;
		p += strspn(p, ", \t");
	}
	if (hf == 0) {
		snprintf(why, PROFILE_WHY_LEN, "empty list");
		return -EINVAL;
	}
	c->rss_hf = hf;
	return 0;
}

static const char *const driver_names[] = {
	[SY_PORT_DRV_NULL] = "net_null",
	[SY_PORT_DRV_TAP] = "net_tap",
	[SY_PORT_DRV_MEMIF] = "net_memif",
	[SY_PORT_DRV_RING_PAIR] = "net_ring_pair",
	[SY_PORT_DRV_PCI] = "pci",
};

const char *
profile_driver_name(enum sy_port_driver d)
{
	return (unsigned int)d < RTE_DIM(driver_names) ? driver_names[d] : "?";
}

int
profile_parse_driver(const struct profile_key *k, const char *val, struct sy_port_conf *c,
		     char *why)
{
	for (unsigned int i = 0; i < RTE_DIM(driver_names); i++) {
		if (strcmp(val, driver_names[i]) == 0) {
			c->driver = (enum sy_port_driver)i;
			return 0;
		}
	}
	snprintf(why, PROFILE_WHY_LEN,
		 "unknown driver (net_null, net_tap, net_memif, net_ring_pair, pci)");
	return -EINVAL;
}

/* Non-empty, no blanks; k->max is the buffer size. */
int
profile_parse_string(const struct profile_key *k, const char *val, struct sy_port_conf *c,
		     char *why)
{
	size_t len = strlen(val);

	if (len == 0 || len >= k->max || strpbrk(val, " \t") != NULL) {
		snprintf(why, PROFILE_WHY_LEN, len == 0 ? "empty" : len >= k->max ?
			 "too long" : "contains blanks");
		return -EINVAL;
	}
	memcpy(FIELD(c, k), val, len + 1);
	return 0;
}

/* "auto" (stored as 0) or a count in k->min..k->max. */
int
profile_parse_queues(const struct profile_key *k, const char *val, struct sy_port_conf *c,
		     char *why)
{
	if (strcmp(val, "auto") == 0) {
		store_uint(FIELD(c, k), k->width, 0);
		return 0;
	}
	if (profile_parse_uint(k, val, c, why) == 0)
		return 0;
	snprintf(why + strlen(why), PROFILE_WHY_LEN - strlen(why), "; or auto");
	return -EINVAL;
}

static int
lcore_add(struct sy_port_conf *c, uint64_t id, char *why)
{
	if (id >= RTE_MAX_LCORE) {
		snprintf(why, PROFILE_WHY_LEN, "lcore %" PRIu64 " out of range (0..%u)", id,
			 RTE_MAX_LCORE - 1);
		return -EINVAL;
	}
	for (unsigned int i = 0; i < c->worker_count; i++) {
		if (c->worker_lcores[i] == id) {
			snprintf(why, PROFILE_WHY_LEN, "lcore %" PRIu64 " listed twice", id);
			return -EINVAL;
		}
	}
	if (c->worker_count == SY_PORT_MAX_WORKERS) {
		snprintf(why, PROFILE_WHY_LEN, "more than %u workers", SY_PORT_MAX_WORKERS);
		return -EINVAL;
	}
	c->worker_lcores[c->worker_count++] = (uint16_t)id;
	return 0;
}

/* One "a" or "a-b" element of a core list, ending at ',' or the end. */
static int
lcore_range(struct sy_port_conf *c, const char *elem, char *why)
{
	char buf[32];
	uint64_t lo, hi;
	size_t len = strcspn(elem, ",");

	if (len == 0 || len >= sizeof(buf))
		goto bad;
	memcpy(buf, elem, len);
	buf[len] = '\0';
	char *dash = strchr(buf, '-');
	if (dash != NULL)
		*dash = '\0';
	if (read_decimal(buf, &lo) < 0 || (dash != NULL && read_decimal(dash + 1, &hi) < 0))
		goto bad;
	if (dash == NULL)
		hi = lo;
	if (hi < lo)
		goto bad;
	for (uint64_t id = lo; id <= hi; id++)
		if (lcore_add(c, id, why) < 0)
			return -EINVAL;
	return 0;
bad:
	snprintf(why, PROFILE_WHY_LEN, "not a core list (e.g. 1-2,4)");
	return -EINVAL;
}

/* A DPDK core list such as "1-2,4", resolved into c->worker_lcores. */
int
profile_parse_lcores(const struct profile_key *k, const char *val, struct sy_port_conf *c,
		     char *why)
{
	const char *p = val;

	c->worker_count = 0;
	for (;;) {
		if (lcore_range(c, p, why) < 0)
			return -EINVAL;
		p += strcspn(p, ",");
		if (*p == '\0')
			break;
		p++;
	}
	return 0;
}
