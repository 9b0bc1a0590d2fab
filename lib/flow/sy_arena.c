/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The index arena: fixed-size blocks (connection blocks) named by a 32-bit index.
 *
 * Design. Everything is reserved at creation, as every allocation on the hot path must
 * be: ONE region of count blocks from rte_zmalloc_socket() (hugepage memory when EAL has
 * it). Block k sits at base + k * stride, so the inline index <-> pointer helpers in
 * sy_flow.h are exact.
 *
 * The free list lives in the free blocks themselves: a free block's first 4 bytes hold the
 * index of the next free block. Blocks never handed out yet are not on the list; a
 * high-water mark hands them out in index order once the list is empty, so creation
 * writes nothing per block (the region is zeroed by rte_zmalloc_socket()).
 *
 * Memory per block is stride bytes, nothing else. stride is the element size rounded
 * up to a power of two when it is at most 32 bytes (two TIME-WAIT records share a cache
 * line and none straddles one), and to a cache line otherwise (a 128-byte connection
 * block is exactly two lines). This arena used to be an rte_mempool populated from our
 * region: every block then carried a 64-byte object header and the ring 8 bytes per
 * block rounded up to a power of two, so a 128-byte connection block cost 192 + 8..16
 * bytes and a 28-byte TIME-WAIT record 128 + 8..16 (docs/benchmarks.md, "Memory per
 * idle connection"). The owning lcore is the only user, so a plain array does what the
 * single-producer, single-consumer ring did, without its atomics.
 *
 * The free list is a stack (LIFO): the block put back last is handed out first, while its
 * lines are still in this lcore's cache, so the zeroing and first writes of a new
 * connection hit the cache instead of memory. (It was a FIFO, the mempool ring's order,
 * handing out the coldest block: at a million short connections per second that was a
 * miss per line of every new connection block and data block. A stale index held by a
 * bug now aliases a new connection sooner; the ASan suite and the handle checks of
 * lib/tcp are what catch such bugs, not the order of this list.)
 */
#include "sy_flow.h"

#include <errno.h>
#include <string.h>
#include <rte_errno.h>
#include <rte_malloc.h>

/* Indices fit 30 bits (the flow value keeps its top bits for the owner's tags). */
#define ARENA_COUNT_MAX ((1u << 30) - 1)
/* the documented limit (it was the mempool's); names only label heap elements now */
#define ARENA_NAME_MAX 25
#define ARENA_SMALL 32     /* elements up to this size are packed at a power-of-two stride */

#define ARENA_NO_BLOCK UINT32_MAX

struct sy_arena {
	struct sy_arena_view view;
	void *region;
	size_t elt_size;
	uint32_t count;
	uint32_t in_use;
	uint32_t free_top;   /* most recently put block, or ARENA_NO_BLOCK */
	uint32_t fresh;      /* blocks [fresh, count) were never handed out */
};

/* a free block's link to the next free block (the block is the caller's otherwise) */
static inline uint32_t *
free_link(const struct sy_arena *a, uint32_t idx)
{
	return sy_arena_ptr(&a->view, idx);
}

static size_t
arena_stride(size_t elt_size)
{
	if (elt_size <= ARENA_SMALL)
		return rte_align64pow2(elt_size);
	return RTE_ALIGN_CEIL(elt_size, RTE_CACHE_LINE_SIZE);
}

struct sy_arena *
sy_arena_create(const char *name, size_t elt_size, uint32_t count, int socket)
{
	if (name == NULL || elt_size == 0 || elt_size > UINT32_MAX / 2 ||
	    count == 0 || count > ARENA_COUNT_MAX) {
		rte_errno = EINVAL;
		return NULL;
	}
	if (strnlen(name, ARENA_NAME_MAX + 1) > ARENA_NAME_MAX) {
		rte_errno = ENAMETOOLONG;
		return NULL;
	}
	struct sy_arena *a = rte_zmalloc_socket(name, sizeof(*a), RTE_CACHE_LINE_SIZE, socket);

	if (a == NULL) {
		rte_errno = ENOMEM;
		return NULL;
	}
	a->elt_size = RTE_ALIGN_CEIL(elt_size, 8);
	a->count = count;
	a->view.stride = arena_stride(a->elt_size);
	a->region = rte_zmalloc_socket(name, (size_t)count * a->view.stride,
				       RTE_CACHE_LINE_SIZE, socket);
	if (a->region == NULL) {
		sy_arena_free(a);
		rte_errno = ENOMEM;
		return NULL;
	}
	a->view.base = a->region;
	a->free_top = ARENA_NO_BLOCK;
	return a;
}

void
sy_arena_free(struct sy_arena *a)
{
	if (a == NULL)
		return;
	rte_free(a->region);
	rte_free(a);
}

int
sy_arena_alloc(struct sy_arena *a, uint32_t *idx)
{
	uint32_t i;

	if (a->free_top != ARENA_NO_BLOCK) {
		i = a->free_top;
		a->free_top = *free_link(a, i);
	} else if (a->fresh < a->count) {
		i = a->fresh++;
	} else {
		return -ENOMEM;
	}
	a->in_use++;
	/* zero here, not on put: the caller writes the block next, so warming it pays */
	memset(sy_arena_ptr(&a->view, i), 0, a->elt_size);
	*idx = i;
	return 0;
}

void
sy_arena_put(struct sy_arena *a, uint32_t idx)
{
	RTE_ASSERT(idx < a->count);
	RTE_ASSERT(a->in_use > 0);
	a->in_use--;
	*free_link(a, idx) = a->free_top;
	a->free_top = idx;
}

uint32_t
sy_arena_in_use(const struct sy_arena *a)
{
	return a->in_use;
}

uint32_t
sy_arena_capacity(const struct sy_arena *a)
{
	return a->count;
}

const struct sy_arena_view *
sy_arena_view(const struct sy_arena *a)
{
	return &a->view;
}
