/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Software RSS: see sy_rss.h.
 */
#include "sy_rss.h"

#include <errno.h>
#include <string.h>
#include <rte_ethdev.h>
#include <rte_malloc.h>
#include <rte_thash.h>

static uint32_t
toeplitz(const struct sy_rss_map *m, uint32_t src, uint32_t dst, uint16_t sport,
	 uint16_t dport)
{
	struct rte_ipv4_tuple t = { .src_addr = src, .dst_addr = dst,
				    .dport = dport, .sport = sport };

	return rte_softrss((uint32_t *)&t, RTE_THASH_V4_L4_LEN, m->key);
}

int
sy_rss_map_init(struct sy_rss_map *m, const uint8_t *key, uint8_t key_len,
		const uint16_t *reta, uint16_t reta_size, int socket)
{
	/* the 12-byte IPv4 + TCP input needs 16 key bytes; devices use 40 or 52 */
	if (key_len < 16 || key_len > SY_RSS_KEY_MAX || reta_size == 0 ||
	    reta_size > SY_RSS_RETA_MAX)
		return -EINVAL;
	memset(m, 0, sizeof(*m));
	memcpy(m->key, key, key_len);
	m->key_len = key_len;
	m->reta_size = reta_size;
	memcpy(m->reta, reta, reta_size * sizeof(reta[0]));
	m->port_hash = rte_malloc_socket("sy_rss", 65536 * sizeof(uint32_t), 0, socket);
	if (m->port_hash == NULL)
		return -ENOMEM;
	/* linear in the input bits: the table is the XOR of one value per set port bit */
	uint32_t bit[16];

	for (int b = 0; b < 16; b++)
		bit[b] = toeplitz(m, 0, 0, 0, (uint16_t)(1u << b));
	m->port_hash[0] = 0;
	for (uint32_t p = 1; p < 65536; p++) {
		int low = __builtin_ctz(p);

		m->port_hash[p] = m->port_hash[p & (p - 1)] ^ bit[low];
	}
	return 0;
}

int
sy_rss_map_from_port(struct sy_rss_map *m, uint16_t port_id, int socket)
{
	struct rte_eth_dev_info info;
	uint8_t key[SY_RSS_KEY_MAX];
	struct rte_eth_rss_conf rc = { .rss_key = key, .rss_key_len = sizeof(key) };
	struct rte_eth_rss_reta_entry64 conf[SY_RSS_RETA_MAX / RTE_ETH_RETA_GROUP_SIZE];
	uint16_t reta[SY_RSS_RETA_MAX];
	int rv = rte_eth_dev_info_get(port_id, &info);

	if (rv != 0)
		return rv;
	if (info.reta_size == 0 || info.reta_size > SY_RSS_RETA_MAX)
		return -ENOTSUP;
	rv = rte_eth_dev_rss_hash_conf_get(port_id, &rc);
	if (rv != 0)
		return rv;
	memset(conf, 0, sizeof(conf));
	for (unsigned int i = 0; i < info.reta_size / RTE_ETH_RETA_GROUP_SIZE; i++)
		conf[i].mask = UINT64_MAX;
	rv = rte_eth_dev_rss_reta_query(port_id, conf, info.reta_size);
	if (rv != 0)
		return rv;
	for (unsigned int i = 0; i < info.reta_size; i++)
		reta[i] = conf[i / RTE_ETH_RETA_GROUP_SIZE].reta[i % RTE_ETH_RETA_GROUP_SIZE];
	return sy_rss_map_init(m, key, rc.rss_key_len, reta, info.reta_size, socket);
}

void
sy_rss_map_free(struct sy_rss_map *m)
{
	rte_free(m->port_hash);
	m->port_hash = NULL;
}

uint32_t
sy_rss_hash(struct sy_rss_map *m, rte_be32_t src, rte_be32_t dst, rte_be16_t sport,
	    rte_be16_t dport)
{
	if (!m->c_valid || m->c_src != src || m->c_dst != dst || m->c_sport != sport) {
		m->c_base = toeplitz(m, rte_be_to_cpu_32(src), rte_be_to_cpu_32(dst),
				     rte_be_to_cpu_16(sport), 0);
		m->c_src = src;
		m->c_dst = dst;
		m->c_sport = sport;
		m->c_valid = true;
	}
	return m->c_base ^ m->port_hash[rte_be_to_cpu_16(dport)];
}
