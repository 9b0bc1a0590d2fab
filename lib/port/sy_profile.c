/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * drivers-config profile loader: see sy_port.h and docs/configuration.md.
 *
 * rte_cfgfile does the INI syntax; this file knows the sections and keys. Every key is a
 * row of a table (name, parser, where it lands, range, required), so "unknown key",
 * "missing key" and "out of range" are checked the same way everywhere, and the table is
 * the single place to read next to docs/configuration.md. Checks that involve two keys
 * (the address range inside the prefix, the MTU inside an mbuf, [peer] only for the ring
 * pair) run after every key has been read.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <rte_cfgfile.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_pci.h>

#include "profile_priv.h"
#include "sy_port.h"

#define OFF(m) offsetof(struct sy_port_conf, m)
#define U(name, m, lo, hi) \
	{ name, profile_parse_uint, OFF(m), 0, sizeof(((struct sy_port_conf *)0)->m), lo, hi, false }
#define B(name, m) { name, profile_parse_bool, OFF(m), 0, 0, 0, 0, false }

/* Key bounds. Descriptor rings: 64 is the smallest most PMDs take, 32768 the largest. */
#define DESC_MIN 64
#define DESC_MAX 32768
#define MTU_MIN 68               /* RFC 791: every host must take 68-byte datagrams */
#define MTU_MAX 9000
#define ARP_TABLE_MAX (1u << 20) /* lib/net's bound */
#define ARP_PENDING_MAX 1024     /* lib/net's bound */

static const struct profile_key port_keys[] = {
	{ "driver", profile_parse_driver, 0, 0, 0, 0, 0, true },
	{ "device", profile_parse_string, OFF(device), 0, 0, 0, SY_PORT_DEVICE_LEN, true },
	U("rx_desc", rx_desc, DESC_MIN, DESC_MAX),
	U("tx_desc", tx_desc, DESC_MIN, DESC_MAX),
	U("mtu", mtu, MTU_MIN, MTU_MAX),
	{ "mac", profile_parse_mac, OFF(mac), OFF(mac_set), 0, 0, 0, false },
	{ "rx_queues", profile_parse_queues, OFF(rx_queues), 0, 2, 1, SY_PORT_MAX_QUEUES, false },
	{ "rss_key", profile_parse_rss_key, 0, 0, 0, 0, 0, false },
	{ "rss_hash", profile_parse_rss_hash, 0, 0, 0, 0, 0, false },
	B("offload_rx_cksum", want_rx_cksum),
	B("offload_tx_ip_cksum", want_tx_ip_cksum),
	B("offload_tx_tcp_cksum", want_tx_tcp_cksum),
	B("offload_tso", want_tso),
	B("offload_lro", want_lro),
	B("offload_multi_seg", want_multi_seg),
	B("trusted_link", want_trusted_link),
	B("promiscuous", promiscuous),
	U("link_wait_ms", link_wait_ms, 0, 60000),
};

static const struct profile_key mempool_keys[] = {
	U("mbufs", mbufs, 1024, 16u << 20),
	U("cache_per_lcore", mbuf_cache, 0, RTE_MEMPOOL_CACHE_MAX_SIZE),
	U("data_room_bytes", data_room, RTE_PKTMBUF_HEADROOM + 256, UINT16_MAX),
};

#define IP_KEYS(s) \
	U("address_count", s.addr_count, 1, 65536), \
	U("prefix_len", s.prefix_len, 1, 32), \
	{ "gateway", profile_parse_ipv4, OFF(s.gateway), 0, 0, 0, 0, false }, \
	U("arp_timeout_s", s.arp_timeout_s, 1, 86400), \
	U("arp_retry_ms", s.arp_retry_ms, 10, 60000), \
	U("arp_retries", s.arp_retries, 1, 100), \
	U("arp_pending_max", s.arp_pending_max, 1, ARP_PENDING_MAX), \
	U("arp_table_size", s.arp_table_size, 16, ARP_TABLE_MAX)

static const struct profile_key ip_keys[] = {
	{ "address", profile_parse_ipv4, OFF(ip.addr_first), 0, 0, 0, 0, true },
	IP_KEYS(ip),
};

/* The peer shares [ip]'s prefix, gateway and ARP knobs: one wire, one subnet. */
static const struct profile_key peer_keys[] = {
	{ "address", profile_parse_ipv4, OFF(peer_ip.addr_first), 0, 0, 0, 0, true },
	U("address_count", peer_ip.addr_count, 1, 65536),
	{ "mac", profile_parse_mac, OFF(peer_mac), OFF(peer_mac_set), 0, 0, 0, false },
};

static const struct profile_key lcores_keys[] = {
	U("main", main_lcore, 0, RTE_MAX_LCORE - 1),
	{ "workers", profile_parse_lcores, 0, 0, 0, 0, 0, false },
	U("worker_count", worker_count, 1, SY_PORT_MAX_WORKERS),
};

#define MAX_KEYS 24

struct profile_section {
	const char *name;
	const struct profile_key *keys;
	unsigned int n;
	bool required;
};

enum { SEC_PORT, SEC_MEMPOOL, SEC_IP, SEC_LCORES, SEC_PEER, SEC_COUNT };

static const struct profile_section sections[SEC_COUNT] = {
	[SEC_PORT] = { "port", port_keys, RTE_DIM(port_keys), true },
	[SEC_MEMPOOL] = { "mempool", mempool_keys, RTE_DIM(mempool_keys), false },
	[SEC_IP] = { "ip", ip_keys, RTE_DIM(ip_keys), true },
	[SEC_LCORES] = { "lcores", lcores_keys, RTE_DIM(lcores_keys), false },
	[SEC_PEER] = { "peer", peer_keys, RTE_DIM(peer_keys), false },
};

/* One load in progress: where errors go and which keys were seen. */
struct profile_load {
	struct sy_port_conf *c;
	char *err;
	size_t errlen;
	bool sec_seen[SEC_COUNT];
	bool key_seen[SEC_COUNT][MAX_KEYS];
};

static int __rte_format_printf(5, 6)
fail(struct profile_load *l, unsigned int sec, const char *key, const char *val,
     const char *fmt, ...)
{
	char why[PROFILE_WHY_LEN];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	const char *s = sec < SEC_COUNT ? sections[sec].name : "";
	if (val != NULL)
		snprintf(l->err, l->errlen, "%s: [%s] %s = %s: %s", l->c->file, s, key, val, why);
	else if (key != NULL)
		snprintf(l->err, l->errlen, "%s: [%s] %s: %s", l->c->file, s, key, why);
	else
		snprintf(l->err, l->errlen, "%s: [%s]: %s", l->c->file, s, why);
	return -EINVAL;
}

void
sy_port_conf_defaults(struct sy_port_conf *c)
{
	memset(c, 0, sizeof(*c));
	c->driver = SY_PORT_DRV_NULL;
	c->rx_desc = 1024;
	c->tx_desc = 1024;
	c->mtu = 1500;
	c->rss_hf = RTE_ETH_RSS_IPV4 | RTE_ETH_RSS_NONFRAG_IPV4_TCP;
	c->want_rx_cksum = true;
	c->want_tx_ip_cksum = true;
	c->want_tx_tcp_cksum = true;
	c->mbufs = 32767;
	c->mbuf_cache = 256;
	c->data_room = RTE_MBUF_DEFAULT_BUF_SIZE;
	c->ip = (struct sy_port_ip_conf){
		.addr_count = 1, .prefix_len = 24, .arp_timeout_s = 60, .arp_retry_ms = 1000,
		.arp_retries = 3, .arp_pending_max = 16, .arp_table_size = 1024,
	};
	c->peer_ip.addr_count = 1;
	c->worker_count = 1;
}

static int
key_find(unsigned int sec, const char *name)
{
	for (unsigned int i = 0; i < sections[sec].n; i++)
		if (strcmp(sections[sec].keys[i].name, name) == 0)
			return (int)i;
	return -1;
}

static int
load_entries(struct profile_load *l, struct rte_cfgfile *cfg, int idx, unsigned int sec)
{
	char name[CFG_NAME_LEN];
	int n = rte_cfgfile_section_num_entries_by_index(cfg, name, idx);
	struct rte_cfgfile_entry ent[MAX_KEYS * 2];

	if (n > (int)RTE_DIM(ent))
		return fail(l, sec, NULL, NULL, "%d keys; more than any section has", n);
	n = rte_cfgfile_section_entries_by_index(cfg, idx, name, ent, RTE_DIM(ent));
	for (int e = 0; e < n; e++) {
		char why[PROFILE_WHY_LEN] = "";
		int k = key_find(sec, ent[e].name);

		if (k < 0)
			return fail(l, sec, ent[e].name, ent[e].value, "unknown key");
		if (l->key_seen[sec][k])
			return fail(l, sec, ent[e].name, ent[e].value, "key given twice");
		l->key_seen[sec][k] = true;
		const struct profile_key *key = &sections[sec].keys[k];
		if (key->parse(key, ent[e].value, l->c, why) < 0)
			return fail(l, sec, ent[e].name, ent[e].value, "%s", why);
	}
	return 0;
}

static int
load_sections(struct profile_load *l, struct rte_cfgfile *cfg)
{
	int ns = rte_cfgfile_num_sections(cfg, NULL, 0);

	for (int i = 0; i < ns; i++) {
		char name[CFG_NAME_LEN];
		unsigned int sec;

		rte_cfgfile_section_num_entries_by_index(cfg, name, i);
		for (sec = 0; sec < SEC_COUNT; sec++)
			if (strcmp(sections[sec].name, name) == 0)
				break;
		if (sec == SEC_COUNT) {
			snprintf(l->err, l->errlen, "%s: [%s]: unknown section (port, mempool, ip, "
				 "lcores, peer)", l->c->file, name);
			return -EINVAL;
		}
		if (l->sec_seen[sec])
			return fail(l, sec, NULL, NULL, "section given twice");
		l->sec_seen[sec] = true;
		if (load_entries(l, cfg, i, sec) < 0)
			return -EINVAL;
	}
	for (unsigned int sec = 0; sec < SEC_COUNT; sec++) {
		if (sections[sec].required && !l->sec_seen[sec])
			return fail(l, sec, NULL, NULL, "missing required section");
		for (unsigned int k = 0; k < sections[sec].n; k++)
			if (l->sec_seen[sec] && sections[sec].keys[k].required &&
			    !l->key_seen[sec][k])
				return fail(l, sec, sections[sec].keys[k].name, NULL,
					    "missing required key");
	}
	return 0;
}

/* The device string must name a device of the profile's driver. */
static int
check_device(struct profile_load *l)
{
	const struct sy_port_conf *c = l->c;
	const char *dev = c->device;
	char addr[32];
	struct rte_pci_addr pci;
	size_t len = strcspn(dev, ",");

	switch (c->driver) {
	case SY_PORT_DRV_NULL:
	case SY_PORT_DRV_TAP:
	case SY_PORT_DRV_MEMIF:
		if (strncmp(dev, profile_driver_name(c->driver),
			    strlen(profile_driver_name(c->driver))) != 0)
			return fail(l, SEC_PORT, "device", dev, "driver %s needs a %s<n> device",
				    profile_driver_name(c->driver), profile_driver_name(c->driver));
		if (c->driver == SY_PORT_DRV_MEMIF && strstr(dev, ",role=server") == NULL &&
		    strstr(dev, ",role=client") == NULL)
			return fail(l, SEC_PORT, "device", dev, "net_memif needs role=server or "
				    "role=client");
		return 0;
	case SY_PORT_DRV_PCI:
		if (len >= sizeof(addr))
			return fail(l, SEC_PORT, "device", dev, "not a PCI address");
		memcpy(addr, dev, len);
		addr[len] = '\0';
		if (rte_pci_addr_parse(addr, &pci) < 0)
			return fail(l, SEC_PORT, "device", dev, "not a PCI address "
				    "(DDDD:BB:DD.F)");
		return 0;
	case SY_PORT_DRV_RING_PAIR:
		/* Ring names "<device>_ab<q>" must fit RTE_RING_NAMESIZE. */
		if (strlen(dev) > 12 || strspn(dev, "abcdefghijklmnopqrstuvwxyz"
			"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_") != strlen(dev))
			return fail(l, SEC_PORT, "device", dev, "a ring pair name is 1..12 "
				    "letters, digits or _");
		return 0;
	}
	return 0;
}

static uint32_t
prefix_mask(uint8_t len)
{
	return len == 0 ? 0 : UINT32_MAX << (32 - len);
}

/* Address range inside the on-link prefix; gateway on-link and not ours. */
static int
check_range(struct profile_load *l, unsigned int sec, const struct sy_port_ip_conf *ip,
	    uint8_t prefix_len)
{
	uint32_t first = rte_be_to_cpu_32(ip->addr_first);
	uint64_t last = (uint64_t)first + ip->addr_count - 1;
	uint32_t mask = prefix_mask(prefix_len);
	char v[16];

	snprintf(v, sizeof(v), "%u", ip->addr_count);
	if (last > UINT32_MAX || ((uint32_t)last & mask) != (first & mask))
		return fail(l, sec, "address_count", v, "range leaves the /%u prefix of address",
			    prefix_len);
	return 0;
}

static int
check_ip(struct profile_load *l)
{
	const struct sy_port_conf *c = l->c;
	uint32_t mask = prefix_mask(c->ip.prefix_len);
	uint32_t first = rte_be_to_cpu_32(c->ip.addr_first);
	uint32_t gw = rte_be_to_cpu_32(c->ip.gateway);

	if (check_range(l, SEC_IP, &c->ip, c->ip.prefix_len) < 0)
		return -EINVAL;
	if (gw != 0 && ((gw & mask) != (first & mask) ||
			(gw >= first && gw - first < c->ip.addr_count)))
		return fail(l, SEC_IP, "gateway", NULL, "must be on-link (inside address/%u) "
			    "and not one of our addresses", c->ip.prefix_len);
	if (!c->has_peer)
		return 0;
	uint32_t peer = rte_be_to_cpu_32(c->peer_ip.addr_first);
	if ((peer & mask) != (first & mask))
		return fail(l, SEC_PEER, "address", NULL, "not inside [ip] address/%u",
			    c->ip.prefix_len);
	if (check_range(l, SEC_PEER, &c->peer_ip, c->ip.prefix_len) < 0)
		return -EINVAL;
	if ((uint64_t)peer + c->peer_ip.addr_count > first &&
	    (uint64_t)first + c->ip.addr_count > peer)
		return fail(l, SEC_PEER, "address", NULL, "range overlaps [ip] address range");
	return 0;
}

static int
check_pair(struct profile_load *l)
{
	struct sy_port_conf *c = l->c;
	bool pair = c->driver == SY_PORT_DRV_RING_PAIR;

	if (pair != l->sec_seen[SEC_PEER])
		return fail(l, SEC_PEER, NULL, NULL, pair ?
			    "missing: driver = net_ring_pair needs the peer's address" :
			    "only for driver = net_ring_pair");
	c->has_peer = pair;
	if (!pair)
		return 0;
	/* One wire, one subnet: everything but the addresses is shared. */
	uint32_t first = c->peer_ip.addr_first, count = c->peer_ip.addr_count;
	c->peer_ip = c->ip;
	c->peer_ip.addr_first = first;
	c->peer_ip.addr_count = count;
	c->peer_ip.gateway = 0;
	if (c->mac_set && c->peer_mac_set && rte_is_same_ether_addr(&c->mac, &c->peer_mac))
		return fail(l, SEC_PEER, "mac", NULL, "same as [port] mac");
	return 0;
}

static int
check_lcores(struct profile_load *l)
{
	struct sy_port_conf *c = l->c;
	int kw = key_find(SEC_LCORES, "workers"), kc = key_find(SEC_LCORES, "worker_count");

	if (l->key_seen[SEC_LCORES][kw] && l->key_seen[SEC_LCORES][kc])
		return fail(l, SEC_LCORES, "worker_count", NULL, "give workers or worker_count, "
			    "not both");
	if (!l->key_seen[SEC_LCORES][kw]) {
		if (c->main_lcore + c->worker_count >= RTE_MAX_LCORE)
			return fail(l, SEC_LCORES, "worker_count", NULL, "lcores past %u",
				    RTE_MAX_LCORE - 1);
		for (unsigned int i = 0; i < c->worker_count; i++)
			c->worker_lcores[i] = (uint16_t)(c->main_lcore + 1 + i);
		return 0;
	}
	for (unsigned int i = 0; i < c->worker_count; i++)
		if (c->worker_lcores[i] == c->main_lcore)
			return fail(l, SEC_LCORES, "workers", NULL, "includes the main lcore %u",
				    c->main_lcore);
	return 0;
}

/* An mbuf holds a whole frame (no scatter): MTU + Ethernet header + one VLAN tag. */
static int
check_sizes(struct profile_load *l)
{
	const struct sy_port_conf *c = l->c;
	unsigned int frame = c->mtu + RTE_ETHER_HDR_LEN + RTE_VLAN_HLEN;
	char v[16];

	if (c->data_room < frame + RTE_PKTMBUF_HEADROOM) {
		snprintf(v, sizeof(v), "%u", c->data_room);
		return fail(l, SEC_MEMPOOL, "data_room_bytes", v, "too small for [port] mtu %u "
			    "(needs %u)", c->mtu, frame + RTE_PKTMBUF_HEADROOM);
	}
	/* rte_mempool_create refuses a cache larger than n / 1.5. */
	if (c->mbuf_cache * 3ull > c->mbufs * 2ull) {
		snprintf(v, sizeof(v), "%u", c->mbuf_cache);
		return fail(l, SEC_MEMPOOL, "cache_per_lcore", v, "more than mbufs / 1.5");
	}
	/* a device fills both checksums of every segment it cuts; the ring pair cuts none */
	if (c->want_tso && c->driver != SY_PORT_DRV_RING_PAIR &&
	    !(c->want_tx_tcp_cksum && c->want_tx_ip_cksum))
		return fail(l, SEC_PORT, "offload_tso", "yes", "needs offload_tx_ip_cksum and "
			    "offload_tx_tcp_cksum");
	/* only frames that never leave this process may skip their checksums */
	if (c->want_trusted_link && c->driver != SY_PORT_DRV_RING_PAIR)
		return fail(l, SEC_PORT, "trusted_link", "yes", "only net_ring_pair is an "
			    "in-process link");
	return 0;
}

int
sy_port_conf_load(const char *path, struct sy_port_conf *conf, char *err, size_t errlen)
{
	struct profile_load l = { .c = conf, .err = err, .errlen = errlen };
	struct rte_cfgfile *cfg;

	sy_port_conf_defaults(conf);
	snprintf(conf->file, sizeof(conf->file), "%s", path);
	if (access(path, R_OK) != 0) {
		int e = errno;

		snprintf(err, errlen, "%s: cannot open: %s", path, strerror(e));
		return -ENOENT;
	}
	cfg = rte_cfgfile_load(path, CFG_FLAG_EMPTY_VALUES);
	if (cfg == NULL) {
		snprintf(err, errlen, "%s: INI syntax error (the CFGFILE log line gives the line)",
			 path);
		return -EINVAL;
	}
	int rc = load_sections(&l, cfg);
	rte_cfgfile_close(cfg);
	if (rc == 0)
		rc = check_device(&l);
	if (rc == 0)
		rc = check_pair(&l);
	if (rc == 0)
		rc = check_ip(&l);
	if (rc == 0)
		rc = check_lcores(&l);
	if (rc == 0)
		rc = check_sizes(&l);
	return rc;
}

int
sy_port_conf_peer(const struct sy_port_conf *conf, struct sy_port_conf *peer)
{
	if (!conf->has_peer)
		return -EINVAL;
	*peer = *conf;
	peer->ip = conf->peer_ip;
	peer->mac_set = conf->peer_mac_set;
	peer->mac = conf->peer_mac;
	peer->peer_ip = conf->ip;
	peer->peer_mac_set = conf->mac_set;
	peer->peer_mac = conf->mac;
	return 0;
}

int
sy_port_conf_lcore_list(const struct sy_port_conf *conf, char *buf, size_t len)
{
	size_t used = 0;
	int n = snprintf(buf, len, "%u", conf->main_lcore);

	if (n < 0 || (size_t)n >= len)
		return -ENOSPC;
	used = (size_t)n;
	for (unsigned int i = 0; i < conf->worker_count; i++) {
		n = snprintf(buf + used, len - used, ",%u", conf->worker_lcores[i]);
		if (n < 0 || (size_t)n >= len - used)
			return -ENOSPC;
		used += (size_t)n;
	}
	return 0;
}
