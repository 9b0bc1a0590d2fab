/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The in-memory pair: two ethdev ports made by rte_eth_from_rings and wired back to back,
 * so that two stacks in one process (a server on A, a client on B) talk through ethdev
 * bursts exactly as they would through a NIC, with no kernel and no device.
 *
 * Per queue q there are two single-producer single-consumer rings: a_to_b[q] (A's tx q,
 * B's rx q) and b_to_a[q] (B's tx q, A's rx q). One worker owns queue q on each side, so
 * SP/SC is enough and costs no atomics on the ring head. Frames cross by pointer, and the
 * two ports share their mbuf pools: a frame sent by A is freed by B into B's lcore cache of
 * the shared pool, and B's next allocation takes it back while its lines are still in B's
 * cache, so each frame crosses between cores once instead of twice. The pools are freed by
 * the second sy_port_stop(), once both sides are stopped and the rings drained.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_bus_vdev.h>
#include <rte_errno.h>
#include <rte_eth_ring.h>
#include <rte_ethdev.h>
#include <rte_malloc.h>
#include <rte_ring.h>

#include "profile_priv.h"
#include "sy_port.h"

static void
ring_drain(struct rte_ring *r)
{
	void *objs[32];
	unsigned int n;

	if (r == NULL)
		return;
	while ((n = rte_ring_sc_dequeue_burst(r, objs, RTE_DIM(objs), NULL)) > 0)
		rte_pktmbuf_free_bulk((struct rte_mbuf **)objs, n);
}

void
sy_port_pair_drain(struct sy_port_pair *pair)
{
	for (uint16_t q = 0; q < pair->nb_queues; q++) {
		ring_drain(pair->a_to_b[q]);
		ring_drain(pair->b_to_a[q]);
	}
}

static void
pair_port_remove(uint16_t port_id)
{
	char name[RTE_ETH_NAME_MAX_LEN];

	if (!rte_eth_dev_is_valid_port(port_id) ||
	    rte_eth_dev_get_name_by_port(port_id, name) != 0)
		return;
	rte_eth_dev_close(port_id);
	rte_vdev_uninit(name);
}

/* Closed ports leave their vdev behind; uninit releases the "net_ring_<name>" names. */
static void
pair_vdev_uninit(const char *name, char side)
{
	char dev[RTE_ETH_NAME_MAX_LEN];

	snprintf(dev, sizeof(dev), "net_ring_%s_%c", name, side);
	rte_vdev_uninit(dev);
}

void
sy_port_pair_free(struct sy_port_pair *pair)
{
	if (pair == NULL)
		return;
	pair_port_remove(pair->port_a);
	pair_port_remove(pair->port_b);
	pair_vdev_uninit(pair->name, 'a');
	pair_vdev_uninit(pair->name, 'b');
	sy_port_pair_drain(pair);
	for (uint16_t q = 0; q < pair->nb_queues; q++) {
		rte_ring_free(pair->a_to_b[q]);
		rte_ring_free(pair->b_to_a[q]);
	}
	rte_free(pair);
}

static int
pair_rings(struct sy_port_pair *pair, const char *name, unsigned int ring_size, int socket)
{
	char rn[RTE_RING_NAMESIZE];
	unsigned int flags = RING_F_SP_ENQ | RING_F_SC_DEQ;

	for (uint16_t q = 0; q < pair->nb_queues; q++) {
		snprintf(rn, sizeof(rn), "sy_%s_ab%u", name, q);
		pair->a_to_b[q] = rte_ring_create(rn, ring_size, socket, flags);
		snprintf(rn, sizeof(rn), "sy_%s_ba%u", name, q);
		pair->b_to_a[q] = rte_ring_create(rn, ring_size, socket, flags);
		if (pair->a_to_b[q] == NULL || pair->b_to_a[q] == NULL)
			return -rte_errno;
	}
	return 0;
}

struct sy_port_pair *
sy_port_pair_create(const char *name, uint16_t nb_queues, unsigned int ring_size, int socket)
{
	char pn[RTE_ETH_NAME_MAX_LEN];
	unsigned int sock = socket < 0 ? 0 : (unsigned int)socket;

	if (nb_queues == 0 || nb_queues > SY_PORT_MAX_QUEUES || strlen(name) == 0 ||
	    strlen(name) >= sizeof(((struct sy_port_pair *)0)->name)) {
		rte_errno = EINVAL;
		return NULL;
	}
	struct sy_port_pair *pair = rte_zmalloc_socket("sy_port_pair", sizeof(*pair), 0, socket);
	if (pair == NULL) {
		rte_errno = ENOMEM;
		return NULL;
	}
	pair->nb_queues = nb_queues;
	pair->port_a = pair->port_b = RTE_MAX_ETHPORTS;
	snprintf(pair->name, sizeof(pair->name), "%s", name);
	int rc = pair_rings(pair, name, ring_size, socket);
	if (rc < 0)
		goto fail;
	snprintf(pn, sizeof(pn), "%s_a", name);
	rc = rte_eth_from_rings(pn, pair->b_to_a, nb_queues, pair->a_to_b, nb_queues, sock);
	if (rc < 0)
		goto fail;
	pair->port_a = (uint16_t)rc;
	snprintf(pn, sizeof(pn), "%s_b", name);
	rc = rte_eth_from_rings(pn, pair->a_to_b, nb_queues, pair->b_to_a, nb_queues, sock);
	if (rc < 0)
		goto fail;
	pair->port_b = (uint16_t)rc;
	return pair;
fail:
	rc = rte_errno != 0 ? rte_errno : EINVAL;
	sy_port_pair_free(pair);
	rte_errno = rc;
	return NULL;
}

int
sy_port_start_pair(struct sy_port *a, struct sy_port *b, const struct sy_port_conf *conf,
		   unsigned int n_workers, char *err, size_t errlen)
{
	struct sy_port_conf peer;
	unsigned int ring_size = rte_align32pow2(RTE_MAX(conf->rx_desc, conf->tx_desc));

	if (sy_port_conf_peer(conf, &peer) < 0 || conf->driver != SY_PORT_DRV_RING_PAIR)
		return snprintf(err, errlen, "%s: not a net_ring_pair profile", conf->file),
		       -EINVAL;
	struct sy_port_pair *pair = sy_port_pair_create(conf->device, (uint16_t)n_workers,
							ring_size, SOCKET_ID_ANY);
	if (pair == NULL)
		return snprintf(err, errlen, "%s: [port] device = %s: ring pair: %s", conf->file,
				conf->device, rte_strerror(rte_errno)), -rte_errno;
	memset(a, 0, sizeof(*a));
	memset(b, 0, sizeof(*b));
	int rc = sy_port_start_id(a, pair->port_a, conf, n_workers, err, errlen);
	if (rc == 0) {
		/* one pool for both stacks: see struct sy_port pools_shared */
		memcpy(b->pools, a->pools, sizeof(b->pools));
		b->pools_shared = true;
		rc = sy_port_start_id(b, pair->port_b, &peer, n_workers, err, errlen);
		if (rc < 0)
			sy_port_stop(a);
	}
	if (rc < 0) {
		sy_port_pair_free(pair);
		return rc;
	}
	a->pools_shared = true;
	a->pair = b->pair = pair;
	pair->users = 2;
	return 0;
}
