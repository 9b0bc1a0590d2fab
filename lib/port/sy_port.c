/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Port bring-up: see sy_port.h.
 *
 * The rule throughout: the profile says what we WANT, the device's rte_eth_dev_info says
 * what it CAN, and struct sy_port records what is IN FORCE. Nothing the device does not
 * report is ever requested (ethdev would refuse the configure), and the net layer reads the
 * in-force flags to decide, per frame, whether to compute checksums in software.
 *
 * Queues: one RSS queue per worker when the device has more than one rx queue and can hash
 * every type the profile asks for; otherwise one rx queue (the other workers then have tx
 * queues only). Default RSS key: 0x6d5a repeated, the symmetric Toeplitz key of Woo and
 * Park ("Scalable TCP Session Monitoring with Symmetric Receive-side Scaling", 2012): both
 * directions of a connection hash to the same queue, which a load generator that talks to
 * itself through a pair of ports needs.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_bus.h>
#include <rte_cycles.h>
#include <rte_dev.h>
#include <rte_ethdev.h>
#include <rte_log.h>
#include <rte_mbuf.h>

#include "port_priv.h"
#include "profile_priv.h"
#include "sy_port.h"

RTE_LOG_REGISTER_DEFAULT(sy_port_logtype, INFO);
#define PORT_LOG(level, ...) rte_log(RTE_LOG_ ## level, sy_port_logtype, "synack.port: " __VA_ARGS__)

#define SYM_KEY_LEN_DEFAULT 40

static int
err_set(char *err, size_t errlen, int rc, const char *fmt, ...) __rte_format_printf(4, 5);

static int
err_set(char *err, size_t errlen, int rc, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return rc;
}

static int
pool_slot(int socket)
{
	return socket < 0 || socket >= RTE_MAX_NUMA_NODES ? 0 : socket;
}

struct rte_mempool *
sy_port_pool(const struct sy_port *port, int socket)
{
	struct rte_mempool *mp = port->pools[pool_slot(socket)];

	return mp != NULL ? mp : port->pools[pool_slot(port->socket)];
}

/* Decides nb_rxq / nb_txq and whether RSS runs; records why. */
static int
port_decide_queues(struct sy_port *p, const struct sy_port_conf *c,
		   const struct rte_eth_dev_info *info, unsigned int n_workers,
		   char *err, size_t errlen)
{
	bool hashes = (c->rss_hf & info->flow_type_rss_offloads) == c->rss_hf;
	unsigned int want = c->rx_queues != 0 ? c->rx_queues : n_workers;

	p->nb_txq = (uint16_t)RTE_MIN(n_workers, info->max_tx_queues);
	if (c->driver == SY_PORT_DRV_RING_PAIR) {
		p->nb_rxq = p->nb_txq = (uint16_t)RTE_MIN(n_workers, info->max_rx_queues);
		p->queue_reason = "ring pair: queue q is wired to the peer's queue q, no RSS";
		return 0;
	}
	if (want > info->max_rx_queues || (c->rx_queues > 1 && !hashes))
		if (c->rx_queues != 0)
			return err_set(err, errlen, -EINVAL, "%s: [port] rx_queues = %u: device "
				       "has %u rx queues, RSS types 0x%" PRIx64 " of 0x%" PRIx64,
				       c->file, c->rx_queues, info->max_rx_queues,
				       info->flow_type_rss_offloads & c->rss_hf, c->rss_hf);
	if (want <= 1) {
		p->nb_rxq = 1;
		p->queue_reason = n_workers <= 1 ? "one worker" : "rx_queues = 1 in the profile";
	} else if (info->max_rx_queues <= 1 || !hashes) {
		p->nb_rxq = 1;
		p->queue_reason = info->max_rx_queues <= 1 ? "device has one rx queue" :
			"device cannot hash every rss_hash type";
	} else {
		p->nb_rxq = (uint16_t)RTE_MIN(want, info->max_rx_queues);
		p->rss = true;
		p->rss_hf = c->rss_hf & info->flow_type_rss_offloads;
		p->queue_reason = "RSS, one queue per worker";
	}
	/* TAP and memif refuse a configure with unequal rx and tx queue counts. */
	if (c->driver == SY_PORT_DRV_TAP || c->driver == SY_PORT_DRV_MEMIF)
		p->nb_txq = p->nb_rxq;
	return 0;
}

/* The RSS key: the profile's (its length must be the device's) or the symmetric one. */
static int
port_rss_key(const struct sy_port_conf *c, const struct rte_eth_dev_info *info,
	     uint8_t *key, uint8_t *len, char *err, size_t errlen)
{
	uint8_t dev_len = info->hash_key_size != 0 ? info->hash_key_size : SYM_KEY_LEN_DEFAULT;

	if (c->rss_key_len != 0) {
		if (c->rss_key_len != dev_len)
			return err_set(err, errlen, -EINVAL, "%s: [port] rss_key: %u bytes, the "
				       "device takes %u", c->file, c->rss_key_len, dev_len);
		memcpy(key, c->rss_key, c->rss_key_len);
	} else {
		if (dev_len > SY_PORT_RSS_KEY_MAX)
			dev_len = SY_PORT_RSS_KEY_MAX;
		for (unsigned int i = 0; i < dev_len; i++)
			key[i] = (i & 1) ? 0x5a : 0x6d;
	}
	*len = dev_len;
	return 0;
}

/* Offloads: wanted AND reported by the device. TSO needs both checksum offloads. */
void
port_decide_offloads(struct sy_port *p, const struct sy_port_conf *c, uint64_t rx,
		     uint64_t tx)
{
	p->rx_ip_cksum = c->want_rx_cksum && (rx & RTE_ETH_RX_OFFLOAD_IPV4_CKSUM);
	p->rx_l4_cksum = c->want_rx_cksum && (rx & RTE_ETH_RX_OFFLOAD_TCP_CKSUM);
	p->lro = c->want_lro && (rx & RTE_ETH_RX_OFFLOAD_TCP_LRO);
	p->tx_ip_cksum = c->want_tx_ip_cksum && (tx & RTE_ETH_TX_OFFLOAD_IPV4_CKSUM);
	p->tx_tcp_cksum = c->want_tx_tcp_cksum && (tx & RTE_ETH_TX_OFFLOAD_TCP_CKSUM);
	p->tso = c->want_tso && p->tx_ip_cksum && p->tx_tcp_cksum &&
		 (tx & RTE_ETH_TX_OFFLOAD_TCP_TSO);
	/*
	 * net_tap (DPDK 22.11) reports TSO but refuses a frame whose tso_segsz + l2 + l3 + l4
	 * exceeds the MTU: it counts the Ethernet header against the IP MTU, so every
	 * full-MSS TSO frame fails at tx and the connection stalls (tests/interop/test_bulk.sh
	 * found it). TSO is never asked of it.
	 */
	if (p->tso && c->driver == SY_PORT_DRV_TAP) {
		PORT_LOG(WARNING, "%s: offload_tso ignored: net_tap refuses full-MSS TSO frames "
			 "(it counts the Ethernet header against the MTU)\n", c->device);
		p->tso = false;
	}
	p->trusted_link = c->want_trusted_link && c->driver == SY_PORT_DRV_RING_PAIR;
	/* the pair's rings carry a large segment whole (as veth a GSO packet) */
	p->tso_whole = c->want_tso && c->driver == SY_PORT_DRV_RING_PAIR;
	p->rx_offloads = (p->rx_ip_cksum ? RTE_ETH_RX_OFFLOAD_IPV4_CKSUM : 0) |
			 (p->rx_l4_cksum ? RTE_ETH_RX_OFFLOAD_TCP_CKSUM : 0) |
			 (p->lro ? RTE_ETH_RX_OFFLOAD_TCP_LRO : 0);
	p->tx_offloads = (p->tx_ip_cksum ? RTE_ETH_TX_OFFLOAD_IPV4_CKSUM : 0) |
			 (p->tx_tcp_cksum ? RTE_ETH_TX_OFFLOAD_TCP_CKSUM : 0) |
			 (p->tso ? RTE_ETH_TX_OFFLOAD_TCP_TSO : 0);
	/*
	 * Multi-segment frames (a TSO frame, a zero-copy segment: header mbuf + payload
	 * chain) need the device to walk chains. The ring pair's rings move the head mbuf by
	 * pointer and never look at segments, so chains arrive intact whatever net_ring reports.
	 */
	bool multi_seg = (c->want_multi_seg || p->tso) && (tx & RTE_ETH_TX_OFFLOAD_MULTI_SEGS);

	p->tx_multi_seg = multi_seg || c->driver == SY_PORT_DRV_RING_PAIR;
	if (multi_seg)
		p->tx_offloads |= RTE_ETH_TX_OFFLOAD_MULTI_SEGS;
	if (p->tso && !multi_seg) {     /* lib/tcp builds a TSO frame as a chain */
		p->tso = false;
		p->tx_offloads &= ~RTE_ETH_TX_OFFLOAD_TCP_TSO;
	}
}

static int
port_configure(struct sy_port *p, const struct sy_port_conf *c,
	       const struct rte_eth_dev_info *info, char *err, size_t errlen)
{
	struct rte_eth_conf ec = { 0 };
	uint8_t key[SY_PORT_RSS_KEY_MAX];
	uint8_t key_len = 0;

	if (c->mtu < info->min_mtu || c->mtu > info->max_mtu)
		return err_set(err, errlen, -EINVAL, "%s: [port] mtu = %u: device takes "
			       "%u..%u", c->file, c->mtu, info->min_mtu, info->max_mtu);
	ec.rxmode.mtu = c->mtu;
	ec.rxmode.offloads = p->rx_offloads;
	if (p->lro)
		ec.rxmode.max_lro_pkt_size = info->max_lro_pkt_size;
	ec.txmode.offloads = p->tx_offloads;
	if (p->rss) {
		int rc = port_rss_key(c, info, key, &key_len, err, errlen);

		if (rc < 0)
			return rc;
		ec.rxmode.mq_mode = RTE_ETH_MQ_RX_RSS;
		ec.rx_adv_conf.rss_conf = (struct rte_eth_rss_conf){
			.rss_key = key, .rss_key_len = key_len, .rss_hf = p->rss_hf,
		};
	}
	int rc = rte_eth_dev_configure(p->port_id, p->nb_rxq, p->nb_txq, &ec);
	if (rc < 0)
		return err_set(err, errlen, rc, "%s: port %u: rte_eth_dev_configure: %s",
			       c->file, p->port_id, strerror(-rc));
	p->mtu = c->mtu;
	p->rx_desc = c->rx_desc;
	p->tx_desc = c->tx_desc;
	rc = rte_eth_dev_adjust_nb_rx_tx_desc(p->port_id, &p->rx_desc, &p->tx_desc);
	if (rc < 0)
		return err_set(err, errlen, rc, "%s: port %u: descriptor counts: %s", c->file,
			       p->port_id, strerror(-rc));
	return 0;
}

static struct rte_mempool *
port_pool_create(struct sy_port *p, const struct sy_port_conf *c, int socket)
{
	char name[RTE_MEMPOOL_NAMESIZE];
	int slot = pool_slot(socket);

	if (p->pools[slot] != NULL)
		return p->pools[slot];
	snprintf(name, sizeof(name), "sy_p%u_s%d", p->port_id, slot);
	p->pools[slot] = rte_pktmbuf_pool_create(name, c->mbufs, c->mbuf_cache, 0,
						 c->data_room, socket);
	return p->pools[slot];
}

/* One pool on the device's socket (rx queues fill from it), one per other worker socket. */
static int
port_pools(struct sy_port *p, const struct sy_port_conf *c, char *err, size_t errlen)
{
	uint64_t need = (uint64_t)p->nb_rxq * p->rx_desc + (uint64_t)p->nb_txq * p->tx_desc;

	/* (a pair's ports share pools and rings: one side's rx ring is the other's tx ring) */
	if (c->mbufs < need)
		return err_set(err, errlen, -EINVAL, "%s: [mempool] mbufs = %u: fewer than the "
			       "%" PRIu64 " descriptors of %u rx and %u tx queues", c->file,
			       c->mbufs, need, p->nb_rxq, p->nb_txq);
	if (port_pool_create(p, c, p->socket) == NULL)
		goto nomem;
	for (unsigned int i = 0; i < c->worker_count; i++) {
		unsigned int lc = c->worker_lcores[i];

		if (rte_lcore_is_enabled(lc) &&
		    port_pool_create(p, c, (int)rte_lcore_to_socket_id(lc)) == NULL)
			goto nomem;
	}
	return 0;
nomem:
	return err_set(err, errlen, -ENOMEM, "%s: [mempool] mbufs = %u: pool creation: %s",
		       c->file, c->mbufs, rte_strerror(rte_errno));
}

static int
port_queues(struct sy_port *p, const struct sy_port_conf *c,
	    const struct rte_eth_dev_info *info, char *err, size_t errlen)
{
	struct rte_eth_rxconf rxc = info->default_rxconf;
	struct rte_eth_txconf txc = info->default_txconf;
	struct rte_mempool *mp = sy_port_pool(p, p->socket);
	unsigned int sock = p->socket < 0 ? (unsigned int)SOCKET_ID_ANY : (unsigned int)p->socket;

	rxc.offloads = p->rx_offloads;
	txc.offloads = p->tx_offloads;
	for (uint16_t q = 0; q < p->nb_rxq; q++) {
		int rc = rte_eth_rx_queue_setup(p->port_id, q, p->rx_desc, sock, &rxc, mp);

		if (rc < 0)
			return err_set(err, errlen, rc, "%s: port %u: rx queue %u: %s", c->file,
				       p->port_id, q, strerror(-rc));
	}
	for (uint16_t q = 0; q < p->nb_txq; q++) {
		int rc = rte_eth_tx_queue_setup(p->port_id, q, p->tx_desc, sock, &txc);

		if (rc < 0)
			return err_set(err, errlen, rc, "%s: port %u: tx queue %u: %s", c->file,
				       p->port_id, q, strerror(-rc));
	}
	return 0;
}

/*
 * The address in force: the profile's when it sets one. A device that cannot change its
 * address but does not filter on it either (the ring pair) simply uses the profile's; a
 * device with no address at all gets a random locally administered one.
 */
static int
port_mac(struct sy_port *p, const struct sy_port_conf *c, char *err, size_t errlen)
{
	if (c->mac_set) {
		struct rte_ether_addr mac = c->mac;
		int rc = rte_eth_dev_default_mac_addr_set(p->port_id, &mac);

		if (rc == -ENOTSUP && c->driver == SY_PORT_DRV_RING_PAIR) {
			p->mac = c->mac;
			return 0;
		}
		if (rc < 0)
			return err_set(err, errlen, rc, "%s: [port] mac: device refused it: %s",
				       c->file, strerror(-rc));
	}
	rte_eth_macaddr_get(p->port_id, &p->mac);
	if (rte_is_zero_ether_addr(&p->mac))
		rte_eth_random_addr(p->mac.addr_bytes);
	return 0;
}

static void
port_link(struct sy_port *p, const struct sy_port_conf *c)
{
	struct rte_eth_link link = { 0 };
	uint64_t deadline = rte_get_timer_cycles() + rte_get_timer_hz() * c->link_wait_ms / 1000;

	for (;;) {
		if (rte_eth_link_get_nowait(p->port_id, &link) == 0 && link.link_status)
			break;
		if (rte_get_timer_cycles() >= deadline)
			break;
		rte_delay_ms(10);
	}
	p->link_up = link.link_status == RTE_ETH_LINK_UP;
	p->link_speed_mbps = link.link_speed;
}

static void
port_log(const struct sy_port *p, const struct sy_port_conf *c)
{
	PORT_LOG(INFO, "port %u (%s %s) socket %d: %u rx / %u tx queues (%s), rss_hf 0x%"
		 PRIx64 ", offloads rx_ip_cksum=%d rx_l4_cksum=%d tx_ip_cksum=%d "
		 "tx_tcp_cksum=%d tso=%d%s lro=%d trusted_link=%d tx_multi_seg=%d, mtu %u, "
		 "desc %u/%u, link %s %u Mbps\n",
		 p->port_id, profile_driver_name(c->driver), c->device, p->socket, p->nb_rxq,
		 p->nb_txq, p->queue_reason, p->rss_hf, p->rx_ip_cksum, p->rx_l4_cksum,
		 p->tx_ip_cksum, p->tx_tcp_cksum, p->tso || p->tso_whole,
		 p->tso_whole ? " (whole)" : "", p->lro, p->trusted_link,
		 p->tx_multi_seg, p->mtu, p->rx_desc, p->tx_desc,
		 p->link_up ? "up" : "down", p->link_speed_mbps);
}

static void
port_pools_free(struct sy_port *p)
{
	unsigned int in_use = 0;

	for (unsigned int s = 0; s < RTE_MAX_NUMA_NODES; s++)
		if (p->pools[s] != NULL)
			in_use += rte_mempool_in_use_count(p->pools[s]);
	p->pools_in_use = in_use;
	if (in_use != 0)
		return;
	for (unsigned int s = 0; s < RTE_MAX_NUMA_NODES; s++) {
		rte_mempool_free(p->pools[s]);
		p->pools[s] = NULL;
	}
}

/*
 * Spreads the RSS redirection table round-robin over the queues. Devices start with a
 * default table, but not every one fills it (net_null leaves it all zero), and the load
 * generator computes which queue a reply lands on from this very table (lib/stack/sy_rss.h).
 */
static int
port_reta_spread(struct sy_port *p, const struct sy_port_conf *c,
		 const struct rte_eth_dev_info *info, char *err, size_t errlen)
{
	struct rte_eth_rss_reta_entry64 conf[512 / RTE_ETH_RETA_GROUP_SIZE];

	if (!p->rss || info->reta_size == 0 || info->reta_size > 512)
		return 0;
	memset(conf, 0, sizeof(conf));
	for (unsigned int i = 0; i < info->reta_size; i++) {
		conf[i / RTE_ETH_RETA_GROUP_SIZE].mask |= UINT64_C(1) << (i % RTE_ETH_RETA_GROUP_SIZE);
		conf[i / RTE_ETH_RETA_GROUP_SIZE].reta[i % RTE_ETH_RETA_GROUP_SIZE] =
			(uint16_t)(i % p->nb_rxq);
	}
	int rc = rte_eth_dev_rss_reta_update(p->port_id, conf, info->reta_size);

	if (rc < 0 && rc != -ENOTSUP)
		return err_set(err, errlen, rc, "%s: port %u: RSS redirection table: %s", c->file,
			       p->port_id, strerror(-rc));
	return 0;
}

static int
port_bring_up(struct sy_port *p, const struct sy_port_conf *c, unsigned int n_workers,
	      char *err, size_t errlen)
{
	struct rte_eth_dev_info info;
	int rc = rte_eth_dev_info_get(p->port_id, &info);

	if (rc < 0)
		return err_set(err, errlen, rc, "%s: port %u: dev_info: %s", c->file, p->port_id,
			       strerror(-rc));
	p->socket = rte_eth_dev_socket_id(p->port_id);
	if (p->socket < 0)
		p->socket = SOCKET_ID_ANY;
	rc = port_decide_queues(p, c, &info, n_workers, err, errlen);
	if (rc < 0)
		return rc;
	port_decide_offloads(p, c, info.rx_offload_capa, info.tx_offload_capa);
	if ((rc = port_configure(p, c, &info, err, errlen)) < 0 ||
	    (rc = port_pools(p, c, err, errlen)) < 0 ||
	    (rc = port_queues(p, c, &info, err, errlen)) < 0 ||
	    (rc = port_mac(p, c, err, errlen)) < 0)
		return rc;
	rc = rte_eth_dev_start(p->port_id);
	if (rc < 0)
		return err_set(err, errlen, rc, "%s: port %u: start: %s", c->file, p->port_id,
			       strerror(-rc));
	p->started = true;
	if ((rc = port_reta_spread(p, c, &info, err, errlen)) < 0)
		return rc;
	if (c->promiscuous) {
		rc = rte_eth_promiscuous_enable(p->port_id);
		p->promiscuous = rc == 0;
		if (rc < 0)
			PORT_LOG(WARNING, "port %u: promiscuous mode: %s\n", p->port_id,
				 strerror(-rc));
	}
	port_link(p, c);
	port_log(p, c);
	return 0;
}

int
sy_port_start_id(struct sy_port *port, uint16_t port_id, const struct sy_port_conf *conf,
		 unsigned int n_workers, char *err, size_t errlen)
{
	bool probed = port->probed, shared = port->pools_shared;
	struct rte_mempool *pools[RTE_MAX_NUMA_NODES];

	memcpy(pools, port->pools, sizeof(pools));
	memset(port, 0, sizeof(*port));
	port->port_id = port_id;
	port->probed = probed;
	if (shared) {   /* sy_port_start_pair() lends the first port's pools */
		port->pools_shared = true;
		memcpy(port->pools, pools, sizeof(pools));
	}
	if (n_workers == 0 || n_workers > SY_PORT_MAX_QUEUES)
		return err_set(err, errlen, -EINVAL, "%s: %u workers (1..%u)", conf->file,
			       n_workers, SY_PORT_MAX_QUEUES);
	int rc = port_bring_up(port, conf, n_workers, err, errlen);
	if (rc < 0) {
		if (port->started)
			rte_eth_dev_stop(port_id);
		port->started = false;
		if (port->pools_shared)
			memset(port->pools, 0, sizeof(port->pools));  /* the lender frees them */
		else
			port_pools_free(port);
	}
	return rc;
}

/* Removes a device we probed (closing its ports), so that it can be probed again. */
static void
port_remove(uint16_t port_id)
{
	struct rte_eth_dev_info info;

	if (rte_eth_dev_info_get(port_id, &info) == 0 && info.device != NULL)
		rte_dev_remove(info.device);
	else
		rte_eth_dev_close(port_id);
}

/* The ethdev name of a device string: what precedes the first ','. */
static void
device_name(const char *device, char *name, size_t len)
{
	size_t n = strcspn(device, ",");

	if (n >= len)
		n = len - 1;
	memcpy(name, device, n);
	name[n] = '\0';
}

int
sy_port_start(struct sy_port *port, const struct sy_port_conf *conf, unsigned int n_workers,
	      char *err, size_t errlen)
{
	char name[RTE_ETH_NAME_MAX_LEN];
	uint16_t port_id;

	if (conf->driver == SY_PORT_DRV_RING_PAIR)
		return err_set(err, errlen, -EINVAL, "%s: net_ring_pair needs sy_port_start_pair",
			       conf->file);
	memset(port, 0, sizeof(*port));
	device_name(conf->device, name, sizeof(name));
	if (rte_eth_dev_get_port_by_name(name, &port_id) != 0) {
		int rc = rte_dev_probe(conf->device);

		if (rc < 0 || rte_eth_dev_get_port_by_name(name, &port_id) != 0)
			return err_set(err, errlen, rc < 0 ? rc : -ENODEV, "%s: [port] device = "
				       "%s: cannot probe: %s", conf->file, conf->device,
				       strerror(rc < 0 ? -rc : ENODEV));
		port->probed = true;
	}
	int rc = sy_port_start_id(port, port_id, conf, n_workers, err, errlen);
	if (rc < 0 && port->probed)
		port_remove(port_id);
	return rc;
}

int
sy_port_stop(struct sy_port *port)
{
	bool other_still_up = false;

	if (port->started) {
		rte_eth_dev_stop(port->port_id);
		if (port->probed)
			port_remove(port->port_id);
		else
			rte_eth_dev_close(port->port_id);
		port->started = false;
		if (port->pair != NULL) {
			struct sy_port_pair *pair = port->pair;

			/* Frames in flight on the wire belong to someone's pool: return them. */
			sy_port_pair_drain(pair);
			if (--pair->users == 0)
				sy_port_pair_free(pair);
			else
				other_still_up = true;
			port->pair = NULL;
		}
	}
	if (port->pools_shared && other_still_up) {
		memset(port->pools, 0, sizeof(port->pools));   /* the other port frees them */
		port->pools_in_use = 0;
		return 0;
	}
	port_pools_free(port);
	if (port->pools_in_use != 0) {
		PORT_LOG(WARNING, "port %u: %u mbufs still in use; pools kept\n", port->port_id,
			 port->pools_in_use);
		return -EBUSY;
	}
	return 0;
}
