/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Shared fixture and frame builders of the lib/net tests. The frames are built here byte by
 * byte with an independent RFC 1071 checksum, not with the code under test, so a test can
 * catch a wrong field or checksum in lib/net.
 *
 * Interface under test: MAC 02:00:00:00:00:01, addresses 10.0.0.10 .. 10.0.0.13 (/24),
 * gateway 10.0.0.1, MTU 1500, ARP table of 8, 4 pending frames, 3 tries 1000 ms apart,
 * entries age after 60 s. The peer is 10.0.0.99 at 02:00:00:00:00:99.
 */
#ifndef NET_TEST_H
#define NET_TEST_H

#include <stdint.h>
#include <rte_arp.h>
#include <rte_ether.h>
#include <rte_icmp.h>
#include <rte_ip.h>
#include <rte_tcp.h>

#include "sy_net.h"
#include "sy_test.h"

#define IP4(a, b, c, d) RTE_BE32(((uint32_t)(a) << 24) | ((b) << 16) | ((c) << 8) | (d))
#define OUR_IP   IP4(10, 0, 0, 10)
#define OUR_LAST IP4(10, 0, 0, 13)
#define PEER_IP  IP4(10, 0, 0, 99)
#define GW_IP    IP4(10, 0, 0, 1)
#define FAR_IP   IP4(192, 0, 2, 7)
#define ETH_IP_LEN (RTE_ETHER_HDR_LEN + 20)
#define FRAME_MAX 2048
#define T0 1000000u    /* virtual ms at which every test starts */

extern const struct rte_ether_addr our_mac, peer_mac, bcast_mac;

struct net_fx {
	struct rte_mempool *pool;
	struct sy_txq txq;
	struct sy_test_wire wire;
	struct sy_net *net;
	struct sy_net_conf conf;
};
extern struct net_fx fx;

/* Criterion fixtures: conf from net_test_conf(), possibly edited, then net_test_start(). */
void net_test_conf(void);
void net_test_start(void);
void net_test_setup(void);      /* conf + start */
void net_test_teardown(void);

const struct sy_net_stats *st(void);
/* Sum of every counter whose name contains "drop" (each dropped frame adds exactly one). */
uint64_t drops_total(void);

uint16_t cksum16(const void *p, size_t len, uint32_t seed);   /* RFC 1071, complemented */

size_t frame_eth(uint8_t *b, const struct rte_ether_addr *dst,
		 const struct rte_ether_addr *src, uint16_t type);
size_t frame_arp(uint8_t *b, uint16_t op, const struct rte_ether_addr *sha, rte_be32_t spa,
		 const struct rte_ether_addr *tha, rte_be32_t tpa);
/* Ethernet + IPv4 (valid checksum) + payload; returns the frame length. */
size_t frame_ipv4(uint8_t *b, uint8_t proto, rte_be32_t src, rte_be32_t dst,
		  const void *payload, size_t plen);
size_t frame_icmp_echo(uint8_t *b, uint16_t id, uint16_t seq, size_t dlen);
size_t frame_tcp(uint8_t *b, size_t dlen);
void fix_ip_cksum(uint8_t *b);

struct rte_ipv4_hdr *ip_of(uint8_t *b);
/* Feeds a copy of @p len bytes of @p b at T0. */
enum sy_net_rx feed(const uint8_t *b, size_t len);
enum sy_net_rx feed_at(const uint8_t *b, size_t len, uint64_t now_ms);
/* Two-segment mbuf: the first @p split bytes, then the rest. */
struct rte_mbuf *mbuf_split(const uint8_t *b, size_t len, size_t split);
/* Copies a captured frame out (flat) and frees it; returns its length. */
size_t pop(uint8_t *out);

#endif /* NET_TEST_H */
