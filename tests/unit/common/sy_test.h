/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * What every unit and packet-level test needs: EAL without hugepages or devices, a mempool
 * that is checked whole at the end of a test, and a fake wire that captures every frame the
 * stack emits so a test can assert on it field by field.
 */
#ifndef SY_TEST_H
#define SY_TEST_H

#include <stdbool.h>
#include <stdint.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "sy_txq.h"

/**
 * An IPv4 address in host order. DPDK's RTE_IPV4() shifts an int left by 24, which is
 * undefined behaviour (and a UBSan error) for first octets above 127.
 */
#define SY_TEST_IPV4(a, b, c, d) \
	((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (uint32_t)(d))

/**
 * Brings up EAL once per process: --no-huge --no-pci --no-shconf, no telemetry, 256 MiB.
 * Safe to call from every test's init fixture. Aborts the test on failure.
 */
void sy_test_eal_init(void);

/** A packet mempool of @p n mbufs with a unique name; call sy_test_pool_check_and_free() at the end. */
struct rte_mempool *sy_test_pool(unsigned int n);

/** Checks that every mbuf of @p mp is back in the pool (aborting the test otherwise, which
 *  Criterion counts as a failure even from a teardown fixture), then frees the pool. */
void sy_test_pool_check_and_free(struct rte_mempool *mp);

#define SY_TEST_WIRE_MAX 1024

/** Frames the stack sent, oldest first. A test takes them with sy_test_wire_pop(). */
struct sy_test_wire {
	struct rte_mbuf *frames[SY_TEST_WIRE_MAX];
	unsigned int head, tail;
	unsigned int refuse;     /**< when non-zero, refuse that many frames (TX full) */
};

/** Points @p q at the fake wire @p w. */
void sy_test_wire_attach(struct sy_test_wire *w, struct sy_txq *q);

/** Flushes @p q and returns the oldest captured frame (caller frees), or NULL. */
struct rte_mbuf *sy_test_wire_pop(struct sy_test_wire *w, struct sy_txq *q);

/** Number of frames waiting (after flushing @p q). */
unsigned int sy_test_wire_count(struct sy_test_wire *w, struct sy_txq *q);

/** Frees every captured frame. */
void sy_test_wire_clear(struct sy_test_wire *w, struct sy_txq *q);

/** An mbuf holding a copy of @p len bytes at @p data; asserts on allocation failure. */
struct rte_mbuf *sy_test_mbuf_from(struct rte_mempool *mp, const void *data, uint16_t len);

#endif /* SY_TEST_H */
