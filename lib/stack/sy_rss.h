/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Which receive queue a port's RSS puts a TCP/IPv4 segment on, computed in software with
 * the port's own key and redirection table (Toeplitz, as the NIC does; rte_thash).
 *
 * A load generator with one worker per queue must pick, for each connection it opens, a
 * source port such that the server's replies hash to the queue of the worker that opened
 * it: otherwise the replies reach a worker that has no such connection. The Toeplitz hash
 * is linear over the input bits, so the hash of a reply is the hash of its (addresses,
 * server port) part XOR a contribution of our port alone; the second comes from a table of
 * 65536 entries built once, and the first is cached per address pair. Checking a candidate
 * port then costs a table load and an XOR.
 */
#ifndef SY_RSS_H
#define SY_RSS_H

#include <stdbool.h>
#include <stdint.h>
#include <rte_byteorder.h>

#define SY_RSS_KEY_MAX 52
#define SY_RSS_RETA_MAX 512

struct sy_rss_map {
	uint8_t key[SY_RSS_KEY_MAX];
	uint8_t key_len;
	uint16_t reta_size;
	uint16_t reta[SY_RSS_RETA_MAX];
	uint32_t *port_hash;          /**< [65536]: contribution of the destination port */
	/* one-entry cache of the address/server-port part */
	rte_be32_t c_src, c_dst;
	rte_be16_t c_sport;
	uint32_t c_base;
	bool c_valid;
};

/**
 * Reads the port's RSS key and redirection table.
 * @return 0; -ENOTSUP when the port does not hash (one queue); other negative errno.
 */
int sy_rss_map_from_port(struct sy_rss_map *m, uint16_t port_id, int socket);

/** Builds a map from a key and a redirection table (tests, and ports read above). */
int sy_rss_map_init(struct sy_rss_map *m, const uint8_t *key, uint8_t key_len,
		    const uint16_t *reta, uint16_t reta_size, int socket);

void sy_rss_map_free(struct sy_rss_map *m);

/** The Toeplitz hash of a received TCP/IPv4 segment (addresses and ports as on the wire). */
uint32_t sy_rss_hash(struct sy_rss_map *m, rte_be32_t src, rte_be32_t dst, rte_be16_t sport,
		     rte_be16_t dport);

/** The queue such a segment is received on. */
static inline uint16_t
sy_rss_queue(struct sy_rss_map *m, rte_be32_t src, rte_be32_t dst, rte_be16_t sport,
	     rte_be16_t dport)
{
	return m->reta[sy_rss_hash(m, src, dst, sport, dport) % m->reta_size];
}

#endif /* SY_RSS_H */
