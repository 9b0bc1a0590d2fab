/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Internal to lib/app: a read-only block of payload bytes that bodies of any size are cut
 * from without copying. Each piece is a fresh mbuf attached to the block as an external
 * buffer (rte_pktmbuf_attach_extbuf); the block holds one reference of its own, so the
 * free callback never runs while the owner lives, and freeing a piece costs one reference
 * decrement. A body of N bytes is ceil(N / SY_APP_BODY_BLOCK) pieces.
 */
#ifndef SY_APP_BODY_H
#define SY_APP_BODY_H

#include <stdint.h>
#include <rte_mbuf.h>

/* the largest data_len of one mbuf that is a multiple of 4 KiB */
#define SY_APP_BODY_BLOCK 61440u

struct app_body {
	uint8_t *block;
	rte_iova_t iova;
	/*
	 * The block's reference count. A piece sent over the in-memory pair is freed by the
	 * other lcore, which decrements it: it gets a cache line of its own, so that those
	 * writes do not pull the owner's neighbouring fields (stats, tables) across cores.
	 */
	struct rte_mbuf_ext_shared_info shinfo __rte_cache_aligned;
} __rte_cache_aligned;

/** Allocates and fills the block (a repeating printable pattern). 0 or -ENOMEM. */
int app_body_init(struct app_body *b, int socket);

/** Releases the block; every piece must have been freed already. */
void app_body_fini(struct app_body *b);

/** A piece of min(@p len, SY_APP_BODY_BLOCK) bytes starting at block offset @p off
 * (wrapped), or NULL without mbuf. */
struct rte_mbuf *app_body_piece(struct app_body *b, struct rte_mempool *pool, uint64_t off,
				uint64_t len);

/** Expected byte at offset @p off of a body (for checks). */
static inline uint8_t
app_body_byte(uint64_t off)
{
	return (uint8_t)('a' + off % 26);
}

#endif /* SY_APP_BODY_H */
