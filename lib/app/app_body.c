/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Zero-copy body pieces: see app_body.h. The block is 2 x SY_APP_BODY_BLOCK long so that a
 * piece starting anywhere in the pattern period reads a contiguous, correct sequence: the
 * pattern has period 26 and pieces start at (offset mod 26).
 */
#include "app_body.h"

#include <errno.h>
#include <rte_malloc.h>

static void
body_free_cb(void *addr, void *opaque)
{
	/* the block belongs to its owner and is freed by app_body_fini() */
}

int
app_body_init(struct app_body *b, int socket)
{
	size_t len = SY_APP_BODY_BLOCK + 26;

	b->block = rte_malloc_socket("sy_app_body", len, RTE_CACHE_LINE_SIZE, socket);
	if (b->block == NULL)
		return -ENOMEM;
	for (size_t i = 0; i < len; i++)
		b->block[i] = app_body_byte(i);
	b->iova = rte_malloc_virt2iova(b->block);
	b->shinfo.free_cb = body_free_cb;
	b->shinfo.fcb_opaque = NULL;
	rte_mbuf_ext_refcnt_set(&b->shinfo, 1);  /* the owner's own reference */
	return 0;
}

void
app_body_fini(struct app_body *b)
{
	rte_free(b->block);
	b->block = NULL;
}

struct rte_mbuf *
app_body_piece(struct app_body *b, struct rte_mempool *pool, uint64_t off, uint64_t len)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(pool);
	uint16_t start = (uint16_t)(off % 26);

	if (m == NULL)
		return NULL;
	if (len > SY_APP_BODY_BLOCK)
		len = SY_APP_BODY_BLOCK;
	rte_mbuf_ext_refcnt_update(&b->shinfo, 1);
	rte_pktmbuf_attach_extbuf(m, b->block + start, b->iova + start,
				  (uint16_t)(SY_APP_BODY_BLOCK), &b->shinfo);
	m->data_off = 0;
	m->data_len = (uint16_t)len;
	m->pkt_len = (uint32_t)len;
	return m;
}
