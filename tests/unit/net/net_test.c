/* SPDX-License-Identifier: BSD-3-Clause */
/* Fixture and frame builders of the lib/net tests: see net_test.h. */
#include "net_test.h"

#include <string.h>
#include <criterion/criterion.h>

const struct rte_ether_addr our_mac = { { 0x02, 0, 0, 0, 0, 0x01 } };
const struct rte_ether_addr peer_mac = { { 0x02, 0, 0, 0, 0, 0x99 } };
const struct rte_ether_addr bcast_mac = { { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff } };
struct net_fx fx;

void
net_test_conf(void)
{
	sy_test_eal_init();
	memset(&fx, 0, sizeof(fx));
	sy_net_conf_defaults(&fx.conf);
	fx.conf.mac = our_mac;
	fx.conf.addr_first = OUR_IP;
	fx.conf.addr_count = 4;
	fx.conf.prefix_len = 24;
	fx.conf.gateway = GW_IP;
	fx.conf.mtu = 1500;
	fx.conf.arp_table_size = 8;
	fx.conf.arp_timeout_s = 60;
	fx.conf.arp_retry_ms = 1000;
	fx.conf.arp_retries = 3;
	fx.conf.arp_pending_max = 4;
}

void
net_test_start(void)
{
	fx.pool = sy_test_pool(512);
	sy_test_wire_attach(&fx.wire, &fx.txq);
	fx.net = sy_net_create(&fx.conf, &fx.txq, fx.pool, SOCKET_ID_ANY);
	cr_assert_not_null(fx.net, "sy_net_create");
}

void
net_test_setup(void)
{
	net_test_conf();
	net_test_start();
}

void
net_test_teardown(void)
{
	sy_test_wire_clear(&fx.wire, &fx.txq);
	sy_net_free(fx.net);
	sy_test_pool_check_and_free(fx.pool);
}

const struct sy_net_stats *
st(void)
{
	return sy_net_stats(fx.net);
}

uint64_t
drops_total(void)
{
	uint64_t sum = 0;
#define X(name) if (strstr(#name, "drop") != NULL) sum += st()->name;
	SY_NET_STATS(X)
#undef X
	return sum;
}

uint16_t
cksum16(const void *p, size_t len, uint32_t seed)
{
	const uint8_t *b = p;
	uint32_t sum = seed;

	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)b[i] << 8 | b[i + 1];
	if (len & 1)
		sum += (uint32_t)b[len - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;   /* host order */
}

static void
put16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

size_t
frame_eth(uint8_t *b, const struct rte_ether_addr *dst, const struct rte_ether_addr *src,
	  uint16_t type)
{
	memcpy(b, dst, 6);
	memcpy(b + 6, src, 6);
	put16(b + 12, type);
	return RTE_ETHER_HDR_LEN;
}

size_t
frame_arp(uint8_t *b, uint16_t op, const struct rte_ether_addr *sha, rte_be32_t spa,
	  const struct rte_ether_addr *tha, rte_be32_t tpa)
{
	uint8_t *a = b + frame_eth(b, op == 1 ? &bcast_mac : &our_mac, sha, 0x0806);

	put16(a, 1);
	put16(a + 2, 0x0800);
	a[4] = 6;
	a[5] = 4;
	put16(a + 6, op);
	memcpy(a + 8, sha, 6);
	memcpy(a + 14, &spa, 4);
	memcpy(a + 18, tha, 6);
	memcpy(a + 24, &tpa, 4);
	return RTE_ETHER_HDR_LEN + 28;
}

void
fix_ip_cksum(uint8_t *b)
{
	uint8_t *ip = b + RTE_ETHER_HDR_LEN;

	ip[10] = ip[11] = 0;
	put16(ip + 10, cksum16(ip, (ip[0] & 0xf) * 4u, 0));
}

size_t
frame_ipv4(uint8_t *b, uint8_t proto, rte_be32_t src, rte_be32_t dst, const void *payload,
	   size_t plen)
{
	uint8_t *ip = b + frame_eth(b, &our_mac, &peer_mac, 0x0800);

	memset(ip, 0, 20);
	ip[0] = 0x45;
	put16(ip + 2, (uint16_t)(20 + plen));
	put16(ip + 4, 0x1234);
	put16(ip + 6, 0x4000);   /* DF */
	ip[8] = 64;
	ip[9] = proto;
	memcpy(ip + 12, &src, 4);
	memcpy(ip + 16, &dst, 4);
	memcpy(ip + 20, payload, plen);
	fix_ip_cksum(b);
	return ETH_IP_LEN + plen;
}

size_t
frame_icmp_echo(uint8_t *b, uint16_t id, uint16_t seq, size_t dlen)
{
	uint8_t icmp[FRAME_MAX];

	icmp[0] = 8;
	icmp[1] = 0;
	icmp[2] = icmp[3] = 0;
	put16(icmp + 4, id);
	put16(icmp + 6, seq);
	for (size_t i = 0; i < dlen; i++)
		icmp[8 + i] = (uint8_t)(i * 7 + 3);
	put16(icmp + 2, cksum16(icmp, 8 + dlen, 0));
	return frame_ipv4(b, IPPROTO_ICMP, PEER_IP, OUR_IP, icmp, 8 + dlen);
}

size_t
frame_tcp(uint8_t *b, size_t dlen)
{
	uint8_t tcp[FRAME_MAX] = { 0 };
	uint8_t ph[12];
	rte_be32_t s = PEER_IP, d = OUR_IP;

	put16(tcp, 40000);
	put16(tcp + 2, 80);
	tcp[12] = 5 << 4;
	tcp[13] = 0x02;   /* SYN */
	put16(tcp + 14, 65535);
	for (size_t i = 0; i < dlen; i++)
		tcp[20 + i] = (uint8_t)i;
	memcpy(ph, &s, 4);
	memcpy(ph + 4, &d, 4);
	ph[8] = 0;
	ph[9] = IPPROTO_TCP;
	put16(ph + 10, (uint16_t)(20 + dlen));
	uint16_t phsum = (uint16_t)~cksum16(ph, 12, 0);

	put16(tcp + 16, cksum16(tcp, 20 + dlen, phsum));
	return frame_ipv4(b, IPPROTO_TCP, PEER_IP, OUR_IP, tcp, 20 + dlen);
}

struct rte_ipv4_hdr *
ip_of(uint8_t *b)
{
	return (struct rte_ipv4_hdr *)(b + RTE_ETHER_HDR_LEN);
}

enum sy_net_rx
feed_at(const uint8_t *b, size_t len, uint64_t now_ms)
{
	struct rte_mbuf *m = sy_test_mbuf_from(fx.pool, b, (uint16_t)len);

	return sy_net_input(fx.net, m, now_ms);
}

enum sy_net_rx
feed(const uint8_t *b, size_t len)
{
	return feed_at(b, len, T0);
}

struct rte_mbuf *
mbuf_split(const uint8_t *b, size_t len, size_t split)
{
	struct rte_mbuf *m1 = sy_test_mbuf_from(fx.pool, b, (uint16_t)split);
	struct rte_mbuf *m2 = sy_test_mbuf_from(fx.pool, b + split, (uint16_t)(len - split));

	cr_assert_eq(rte_pktmbuf_chain(m1, m2), 0);
	return m1;
}

size_t
pop(uint8_t *out)
{
	struct rte_mbuf *m = sy_test_wire_pop(&fx.wire, &fx.txq);

	cr_assert_not_null(m, "expected a frame on the wire");
	size_t len = rte_pktmbuf_pkt_len(m);

	cr_assert_leq(len, FRAME_MAX);
	const void *p = rte_pktmbuf_read(m, 0, (uint32_t)len, out);

	if (p != out)
		memcpy(out, p, len);
	rte_pktmbuf_free(m);
	return len;
}
