/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Test support: see sy_test.h. EAL runs with malloc'd memory (--no-huge) so tests never
 * need hugepages and never collide with each other or with a running synack.
 */
#include "sy_test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <criterion/criterion.h>
#include <rte_eal.h>
#include <rte_errno.h>

static bool eal_up;   /* per test process; tests are single-threaded */

void
sy_test_eal_init(void)
{
	char *argv[] = {
		"sy_test", "--no-huge", "--no-pci", "--no-shconf", "--no-telemetry",
		"-m", "256", "-l", "0", "--log-level=error", NULL,
	};

	if (eal_up)
		return;
	int rc = rte_eal_init((int)RTE_DIM(argv) - 1, argv);
	cr_assert(rc >= 0, "rte_eal_init: %s", rte_strerror(rte_errno));
	eal_up = true;
}

struct rte_mempool *
sy_test_pool(unsigned int n)
{
	static unsigned int seq;
	char name[RTE_MEMPOOL_NAMESIZE];

	snprintf(name, sizeof(name), "sytest%u_%u", (unsigned int)getpid() % 100000, seq++);
	struct rte_mempool *mp = rte_pktmbuf_pool_create(name, n, 0, 0,
							 RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
	cr_assert_not_null(mp, "mempool %s: %s", name, rte_strerror(rte_errno));
	return mp;
}

/*
 * Called from teardown fixtures, where Criterion 2.4 reports a failed cr_assert but still
 * counts the test as passed: a leak aborts the test process instead, which Criterion
 * counts as a crash, so a leaked mbuf always fails the test.
 */
void
sy_test_pool_check_and_free(struct rte_mempool *mp)
{
	unsigned int in_use = rte_mempool_in_use_count(mp);
	char name[RTE_MEMPOOL_NAMESIZE];

	snprintf(name, sizeof(name), "%s", mp->name);
	rte_mempool_free(mp);
	if (in_use != 0) {
		fprintf(stderr, "sy_test: %u mbufs of pool %s leaked\n", in_use, name);
		abort();
	}
}

static uint16_t
wire_send(struct sy_txq *q, struct rte_mbuf **pkts, uint16_t n)
{
	struct sy_test_wire *w = q->send_arg;
	uint16_t taken = 0;

	for (; taken < n; taken++) {
		if (w->refuse > 0) {
			w->refuse--;
			break;
		}
		cr_assert(w->tail - w->head < SY_TEST_WIRE_MAX, "fake wire overflow");
		w->frames[w->tail++ % SY_TEST_WIRE_MAX] = pkts[taken];
	}
	return taken;
}

void
sy_test_wire_attach(struct sy_test_wire *w, struct sy_txq *q)
{
	memset(w, 0, sizeof(*w));
	sy_txq_init_fn(q, wire_send, w);
}

struct rte_mbuf *
sy_test_wire_pop(struct sy_test_wire *w, struct sy_txq *q)
{
	sy_txq_flush(q);
	if (w->head == w->tail)
		return NULL;
	return w->frames[w->head++ % SY_TEST_WIRE_MAX];
}

unsigned int
sy_test_wire_count(struct sy_test_wire *w, struct sy_txq *q)
{
	sy_txq_flush(q);
	return w->tail - w->head;
}

void
sy_test_wire_clear(struct sy_test_wire *w, struct sy_txq *q)
{
	struct rte_mbuf *m;

	while ((m = sy_test_wire_pop(w, q)) != NULL)
		rte_pktmbuf_free(m);
}

struct rte_mbuf *
sy_test_mbuf_from(struct rte_mempool *mp, const void *data, uint16_t len)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(mp);

	cr_assert_not_null(m, "mbuf alloc");
	char *p = rte_pktmbuf_append(m, len);
	cr_assert_not_null(p, "frame of %u bytes does not fit an mbuf", len);
	memcpy(p, data, len);
	return m;
}
