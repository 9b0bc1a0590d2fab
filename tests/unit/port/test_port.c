/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Bring-up: on net_null (probed by sy_port_start, or already created by EAL's --vdev) and
 * on the in-memory ring pair. Decisions are checked against what the device itself
 * reports in rte_eth_dev_info, which is the contract: RSS only when the device has more
 * than one rx queue and hashes every asked type; an offload only when wanted and reported.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <criterion/criterion.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ethdev.h>

#include "port_priv.h"
#include "sy_port.h"
#include "sy_test.h"

static char err[SY_PORT_ERR_LEN];

static void
null_conf(struct sy_port_conf *c, const char *device)
{
	sy_port_conf_defaults(c);
	snprintf(c->file, sizeof(c->file), "test");
	c->driver = SY_PORT_DRV_NULL;
	snprintf(c->device, sizeof(c->device), "%s", device);
	c->rx_desc = 256;
	c->tx_desc = 256;
	c->mbufs = 4095;
	c->mbuf_cache = 32;
}

TestSuite(port, .init = sy_test_eal_init);

Test(port, null_port_is_probed_and_gets_rss_queue_per_worker)
{
	struct sy_port_conf c;
	struct sy_port p;
	struct rte_eth_dev_info info;

	null_conf(&c, "net_null7");
	cr_assert_eq(sy_port_start(&p, &c, 2, err, sizeof(err)), 0, "%s", err);
	cr_assert(p.probed, "net_null7 was not there before: sy_port_start probed it");
	cr_assert_eq(rte_eth_dev_info_get(p.port_id, &info), 0);
	bool hashes = (c.rss_hf & info.flow_type_rss_offloads) == c.rss_hf;
	bool rss = info.max_rx_queues > 1 && hashes;
	cr_assert_eq(p.rss, rss);
	cr_assert_eq(p.nb_rxq, rss ? 2 : 1);
	cr_assert_eq(p.nb_txq, 2, "one tx queue per worker");
	cr_assert_eq(p.rss_hf, rss ? c.rss_hf : 0);
	cr_assert_not_null(p.queue_reason);
	cr_assert_eq(sy_port_stop(&p), 0);
	cr_assert_eq(p.pools_in_use, 0);
}

Test(port, offloads_are_only_those_wanted_and_reported)
{
	struct sy_port_conf c;
	struct sy_port p;
	struct rte_eth_dev_info info;

	null_conf(&c, "net_null1");
	c.want_rx_cksum = c.want_tx_ip_cksum = c.want_tx_tcp_cksum = c.want_tso = true;
	c.want_multi_seg = true;
	cr_assert_eq(sy_port_start(&p, &c, 1, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(rte_eth_dev_info_get(p.port_id, &info), 0);
	cr_assert_eq(p.rx_ip_cksum, !!(info.rx_offload_capa & RTE_ETH_RX_OFFLOAD_IPV4_CKSUM));
	cr_assert_eq(p.rx_l4_cksum, !!(info.rx_offload_capa & RTE_ETH_RX_OFFLOAD_TCP_CKSUM));
	cr_assert_eq(p.tx_ip_cksum, !!(info.tx_offload_capa & RTE_ETH_TX_OFFLOAD_IPV4_CKSUM));
	cr_assert_eq(p.tx_tcp_cksum, !!(info.tx_offload_capa & RTE_ETH_TX_OFFLOAD_TCP_CKSUM));
	/* TSO needs both checksum offloads, and chains (lib/tcp builds a TSO frame as one) */
	cr_assert_eq(p.tso, p.tx_ip_cksum && p.tx_tcp_cksum && p.tx_multi_seg &&
			    (info.tx_offload_capa & RTE_ETH_TX_OFFLOAD_TCP_TSO));
	cr_assert_not(p.tso_whole, "only the ring pair carries large segments whole");
	cr_assert_eq(p.tx_multi_seg,
		     !!(info.tx_offload_capa & RTE_ETH_TX_OFFLOAD_MULTI_SEGS));
	cr_assert_eq(p.rx_offloads & ~info.rx_offload_capa, 0);
	cr_assert_eq(p.tx_offloads & ~info.tx_offload_capa, 0);
	cr_assert_eq(p.nb_rxq, 1, "one worker, one queue");
	cr_assert_eq(sy_port_stop(&p), 0);
}

Test(port, unwanted_offloads_stay_off)
{
	struct sy_port_conf c;
	struct sy_port p;

	null_conf(&c, "net_null2");
	c.want_rx_cksum = c.want_tx_ip_cksum = c.want_tx_tcp_cksum = false;
	cr_assert_eq(sy_port_start(&p, &c, 1, err, sizeof(err)), 0, "%s", err);
	cr_assert_not(p.rx_ip_cksum || p.rx_l4_cksum || p.tx_ip_cksum || p.tx_tcp_cksum);
	cr_assert_not(p.tx_multi_seg, "multi-segment tx only when wanted (a NIC's vector path)");
	cr_assert_eq(p.rx_offloads, 0);
	cr_assert_eq(p.tx_offloads, 0);
	cr_assert_eq(sy_port_stop(&p), 0);
}

Test(port, bursts_flow_and_stop_waits_for_every_mbuf)
{
	struct sy_port_conf c;
	struct sy_port p;
	struct rte_mbuf *pkts[32];

	null_conf(&c, "net_null3");
	cr_assert_eq(sy_port_start(&p, &c, 1, err, sizeof(err)), 0, "%s", err);
	uint16_t n = rte_eth_rx_burst(p.port_id, 0, pkts, RTE_DIM(pkts));
	cr_assert_gt(n, 1, "net_null rx yields frames");
	cr_assert_eq(rte_mempool_in_use_count(sy_port_pool(&p, p.socket)) >= n, true);
	uint16_t sent = rte_eth_tx_burst(p.port_id, 0, pkts, n - 1);
	cr_assert_eq(sent, n - 1, "net_null tx takes every frame");
	/* One frame still held by the application: the pool must not be freed under it. */
	cr_assert_eq(sy_port_stop(&p), -EBUSY);
	cr_assert_eq(p.pools_in_use, 1);
	rte_pktmbuf_free(pkts[n - 1]);
	cr_assert_eq(sy_port_stop(&p), 0);
	cr_assert_eq(p.pools_in_use, 0);
	for (unsigned int s = 0; s < RTE_MAX_NUMA_NODES; s++)
		cr_assert_null(p.pools[s]);
}

Test(port, stopped_port_can_be_started_again)
{
	struct sy_port_conf c;
	struct sy_port p;

	null_conf(&c, "net_null4");
	cr_assert_eq(sy_port_start(&p, &c, 1, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(sy_port_stop(&p), 0);
	cr_assert_eq(sy_port_start(&p, &c, 1, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(sy_port_stop(&p), 0);
}

Test(port, too_few_mbufs_for_the_rings_is_an_error_naming_mempool)
{
	struct sy_port_conf c;
	struct sy_port p;

	null_conf(&c, "net_null5");
	c.rx_desc = c.tx_desc = 4096;
	c.mbufs = 4095;
	int rc = sy_port_start(&p, &c, 1, err, sizeof(err));
	cr_assert_eq(rc, -EINVAL);
	cr_assert_not_null(strstr(err, "[mempool] mbufs"), "%s", err);
	uint16_t id;
	cr_assert_neq(rte_eth_dev_get_port_by_name("net_null5", &id), 0, "device removed");
}

Test(port, missing_device_is_an_error_naming_the_device)
{
	struct sy_port_conf c;
	struct sy_port p;

	null_conf(&c, "net_nosuchpmd0");
	int rc = sy_port_start(&p, &c, 1, err, sizeof(err));
	cr_assert_lt(rc, 0);
	cr_assert_not_null(strstr(err, "net_nosuchpmd0"), "%s", err);
}

/* EAL made the device (--vdev): bring-up uses it and does not remove it on stop. */
Test(port_eal_vdev, device_created_by_eal_is_used_not_probed)
{
	char *argv[] = {
		"sy_test", "--no-huge", "--no-pci", "--no-shconf", "--no-telemetry", "-m", "256",
		"-l", "0", "--log-level=error", "--vdev=net_null0", NULL,
	};
	struct sy_port_conf c;
	struct sy_port p;
	uint16_t id;

	cr_assert_geq(rte_eal_init((int)RTE_DIM(argv) - 1, argv), 0, "%s",
		      rte_strerror(rte_errno));
	null_conf(&c, "net_null0");
	cr_assert_eq(sy_port_start(&p, &c, 1, err, sizeof(err)), 0, "%s", err);
	cr_assert_not(p.probed);
	cr_assert_eq(rte_eth_dev_get_port_by_name("net_null0", &id), 0);
	cr_assert_eq(id, p.port_id);
	cr_assert_eq(sy_port_stop(&p), 0);
}

static void
pair_conf(struct sy_port_conf *c)
{
	const char *root = getenv("SY_SOURCE_ROOT");
	char file[512];

	cr_assert_not_null(root);
	snprintf(file, sizeof(file), "%s/drivers-config/mem_pair.ini", root);
	cr_assert_eq(sy_port_conf_load(file, c, err, sizeof(err)), 0, "%s", err);
}

static void
send_one(struct sy_port *from, uint16_t q, const char *text)
{
	struct rte_mbuf *m = sy_test_mbuf_from(sy_port_pool(from, from->socket), text,
					       (uint16_t)strlen(text) + 1);

	cr_assert_eq(rte_eth_tx_burst(from->port_id, q, &m, 1), 1);
}

static void
expect_one(struct sy_port *to, uint16_t q, const char *text)
{
	struct rte_mbuf *pkts[4];
	uint16_t n = rte_eth_rx_burst(to->port_id, q, pkts, RTE_DIM(pkts));

	cr_assert_eq(n, 1, "port %u queue %u: %u frames", to->port_id, q, n);
	cr_assert_str_eq(rte_pktmbuf_mtod(pkts[0], const char *), text);
	rte_pktmbuf_free(pkts[0]);
}

static uint16_t
rx_count(struct sy_port *to, uint16_t q)
{
	struct rte_mbuf *pkts[4];
	uint16_t n = rte_eth_rx_burst(to->port_id, q, pkts, RTE_DIM(pkts));

	rte_pktmbuf_free_bulk(pkts, n);
	return n;
}

Test(port, ring_pair_wires_queue_q_of_a_to_queue_q_of_b)
{
	struct sy_port_conf c;
	struct sy_port a, b;

	pair_conf(&c);
	cr_assert_eq(sy_port_start_pair(&a, &b, &c, 2, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(a.nb_rxq, 2);
	cr_assert_eq(b.nb_rxq, 2);
	cr_assert_eq(a.nb_txq, 2);
	cr_assert_not(a.rss, "rings do not hash");
	cr_assert(rte_is_same_ether_addr(&a.mac, &c.mac), "A has [port] mac");
	cr_assert(rte_is_same_ether_addr(&b.mac, &c.peer_mac), "B has [peer] mac");

	send_one(&a, 1, "a->b on 1");
	cr_assert_eq(rx_count(&b, 0), 0, "nothing on the other queue");
	cr_assert_eq(rx_count(&a, 1), 0, "nothing loops back");
	expect_one(&b, 1, "a->b on 1");
	send_one(&b, 0, "b->a on 0");
	expect_one(&a, 0, "b->a on 0");

	/* A frame left on the wire is returned to its pool when the pair stops. */
	send_one(&a, 0, "left on the wire");
	cr_assert_eq(sy_port_stop(&a), 0);
	cr_assert_eq(sy_port_stop(&b), 0);
	cr_assert_eq(a.pools_in_use, 0);
	cr_assert_eq(b.pools_in_use, 0);
}

Test(port, ring_pair_can_be_made_again_after_stop)
{
	struct sy_port_conf c;
	struct sy_port a, b;

	pair_conf(&c);
	for (int i = 0; i < 2; i++) {
		cr_assert_eq(sy_port_start_pair(&a, &b, &c, 1, err, sizeof(err)), 0, "%s", err);
		send_one(&b, 0, "ping");
		expect_one(&a, 0, "ping");
		cr_assert_eq(sy_port_stop(&b), 0);
		cr_assert_eq(sy_port_stop(&a), 0);
	}
}

/* offload_tso on the ring pair: nothing cuts, the rings carry the segment whole. */
Test(port, ring_pair_with_offload_tso_carries_large_segments_whole)
{
	struct sy_port_conf c;
	struct sy_port a, b;

	pair_conf(&c);
	c.want_tso = true;
	cr_assert_eq(sy_port_start_pair(&a, &b, &c, 1, err, sizeof(err)), 0, "%s", err);
	cr_assert(a.tso_whole && b.tso_whole);
	cr_assert_not(a.tso || b.tso, "no device segmentation is asked of net_ring");
	cr_assert_eq(a.tx_offloads & RTE_ETH_TX_OFFLOAD_TCP_TSO, 0);
	cr_assert_eq(sy_port_stop(&b), 0);
	cr_assert_eq(sy_port_stop(&a), 0);
	pair_conf(&c);
	cr_assert_eq(sy_port_start_pair(&a, &b, &c, 1, err, sizeof(err)), 0, "%s", err);
	cr_assert_not(a.tso_whole, "not without offload_tso");
	cr_assert_eq(sy_port_stop(&b), 0);
	cr_assert_eq(sy_port_stop(&a), 0);
}

/* What a device needs to report for TSO: both checksum offloads, TSO and chains. */
#define TX_ALL_FOR_TSO (RTE_ETH_TX_OFFLOAD_IPV4_CKSUM | RTE_ETH_TX_OFFLOAD_TCP_CKSUM | \
			RTE_ETH_TX_OFFLOAD_TCP_TSO | RTE_ETH_TX_OFFLOAD_MULTI_SEGS)

/* The offloads a port of @p driver that wants TSO (or not) decides for @p tx_capa. */
static struct sy_port
decide_tso(enum sy_port_driver driver, bool want, uint64_t tx_capa)
{
	struct sy_port_conf c;
	struct sy_port p = { 0 };

	null_conf(&c, "unused");
	c.driver = driver;
	c.want_tso = want;
	port_decide_offloads(&p, &c, 0, tx_capa);
	return p;
}

/* TSO from capability masks: a NIC that reports everything, and what each lack does. */
Test(port, tso_needs_the_device_both_checksum_offloads_and_chains)
{
	const uint64_t lacks[] = { RTE_ETH_TX_OFFLOAD_IPV4_CKSUM, RTE_ETH_TX_OFFLOAD_TCP_CKSUM,
				   RTE_ETH_TX_OFFLOAD_TCP_TSO, RTE_ETH_TX_OFFLOAD_MULTI_SEGS };
	struct sy_port p = decide_tso(SY_PORT_DRV_PCI, true, TX_ALL_FOR_TSO);

	cr_assert(p.tso && p.tx_multi_seg && !p.tso_whole);
	cr_assert_eq(p.tx_offloads, TX_ALL_FOR_TSO, "TSO brings multi-seg with it");
	for (unsigned int i = 0; i < RTE_DIM(lacks); i++) {
		p = decide_tso(SY_PORT_DRV_PCI, true, TX_ALL_FOR_TSO & ~lacks[i]);
		cr_assert_not(p.tso, "TSO without 0x%lx", (unsigned long)lacks[i]);
		cr_assert_eq(p.tx_offloads & RTE_ETH_TX_OFFLOAD_TCP_TSO, 0);
	}
	p = decide_tso(SY_PORT_DRV_PCI, false, TX_ALL_FOR_TSO);
	cr_assert_not(p.tso, "not wanted");
}

/* net_tap reports TSO but refuses full-MSS TSO frames: never asked of it. */
Test(port, tso_is_never_asked_of_net_tap)
{
	struct sy_port p = decide_tso(SY_PORT_DRV_TAP, true, TX_ALL_FOR_TSO);

	cr_assert_not(p.tso);
	cr_assert_eq(p.tx_offloads & RTE_ETH_TX_OFFLOAD_TCP_TSO, 0);
	cr_assert(p.tx_tcp_cksum, "its checksum offloads stay");
}
