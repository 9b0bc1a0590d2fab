/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Packet capture to pcapng: see sy_capture.h. rte_pcapng_copy() makes the copy in the
 * pcapng layout (with direction, port and queue), so writing is one call per worker.
 */
#include "sy_capture.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>
#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_malloc.h>
#include <rte_pcapng.h>

#define CAPTURE_SNAPLEN UINT32_MAX

int
sy_capture_init(struct sy_capture *c, uint16_t port_id, uint16_t queue_id, uint32_t limit,
		int socket)
{
	char name[RTE_MEMPOOL_NAMESIZE];

	*c = (struct sy_capture){ .port_id = port_id, .queue_id = queue_id, .limit = limit };
	if (limit == 0)
		return 0;
	snprintf(name, sizeof(name), "sy_cap_%u_%u", port_id, queue_id);
	c->pool = rte_pktmbuf_pool_create(name, limit + 1, 0, 0,
					  rte_pcapng_mbuf_size(RTE_MBUF_DEFAULT_DATAROOM), socket);
	c->frames = rte_zmalloc_socket("sy_capture", sizeof(*c->frames) * limit, 0, socket);
	if (c->pool == NULL || c->frames == NULL) {
		sy_capture_free(c);
		return -ENOMEM;
	}
	return 0;
}

static void
capture(struct sy_capture *c, struct rte_mbuf **pkts, uint16_t n, uint64_t tsc,
	enum rte_pcapng_direction dir)
{
	for (uint16_t i = 0; i < n && c->n < c->limit; i++) {
		struct rte_mbuf *copy = rte_pcapng_copy(c->port_id, c->queue_id, pkts[i], c->pool,
							CAPTURE_SNAPLEN, tsc, dir);

		if (copy == NULL) {
			c->dropped++;
			continue;
		}
		c->frames[c->n++] = copy;
	}
}

void
sy_capture_rx(struct sy_capture *c, struct rte_mbuf **pkts, uint16_t n, uint64_t tsc)
{
	if (c->n < c->limit)
		capture(c, pkts, n, tsc, RTE_PCAPNG_DIRECTION_IN);
}

void
sy_capture_tx(void *arg, struct rte_mbuf **pkts, uint16_t n)
{
	struct sy_capture *c = arg;

	if (c->n < c->limit)
		capture(c, pkts, n, rte_rdtsc(), RTE_PCAPNG_DIRECTION_OUT);
}

void
sy_capture_free(struct sy_capture *c)
{
	for (uint32_t i = 0; c->frames != NULL && i < c->n; i++)
		rte_pktmbuf_free(c->frames[i]);
	rte_free(c->frames);
	rte_mempool_free(c->pool);
	c->frames = NULL;
	c->pool = NULL;
	c->n = 0;
}

int
sy_capture_write(const char *path, struct sy_capture *const *captures, unsigned int n)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	int written = 0, rc = 0;

	if (fd < 0)
		return -errno;
	rte_pcapng_t *pc = rte_pcapng_fdopen(fd, NULL, NULL, "synack", NULL);

	if (pc == NULL) {
		close(fd);
		return -rte_errno;
	}
	for (unsigned int w = 0; w < n; w++) {
		struct sy_capture *c = captures[w];

		for (uint32_t i = 0; i < c->n; i += UINT16_MAX) {
			uint16_t k = (uint16_t)RTE_MIN(c->n - i, (uint32_t)UINT16_MAX);

			/* frees the mbufs whatever happens */
			if (rte_pcapng_write_packets(pc, c->frames + i, k) < 0)
				rc = -EIO;
			written += k;
		}
		c->n = 0;
	}
	rte_pcapng_close(pc);   /* closes fd */
	return rc < 0 ? rc : written;
}
