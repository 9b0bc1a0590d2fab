/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The index arena: fixed-size blocks (connection blocks) named by a 32-bit index.
 *
 * Design. Blocks come from an rte_mempool created at start, as every allocation on the
 * hot path must, but the mempool is populated from ONE region we reserve ourselves with
 * rte_zmalloc_socket(), flagged NO_IOVA_CONTIG (nothing here is DMA'd). With that flag
 * the mempool neither splits the region at IOVA discontinuities nor keeps objects off
 * page boundaries, so object k sits at first + k * stride, with
 * stride = header (64 B, the mempool object header padded to a cache line)
 *        + element (elt_size rounded up to a cache line).
 * Creation walks every object and refuses (EINVAL) if that layout does not hold, so the
 * inline index <-> pointer helpers in sy_flow.h are exact. NO_SPREAD drops the padding
 * the mempool would add to spread objects over memory channels: it would only grow the
 * stride. The ring is single-producer, single-consumer with no per-lcore cache: the
 * owning lcore is the only user, so get and put are a plain ring dequeue and enqueue.
 */
#include "sy_flow.h"

#include <errno.h>
#include <string.h>
#include <rte_errno.h>
#include <rte_malloc.h>
#include <rte_mempool.h>

/* The mempool ring holds count + 1 rounded to a power of two, at most 2^30 entries. */
#define ARENA_COUNT_MAX ((1u << 30) - 1)

struct sy_arena {
	struct sy_arena_view view;
	struct rte_mempool *mp;
	void *region;
	size_t elt_size;
	uint32_t count;
	uint32_t in_use;
};

struct arena_walk {
	uint8_t *first;
	size_t stride;
	uint32_t seen;
	int contiguous;
};

static void
arena_check_obj(struct rte_mempool *mp, void *opaque, void *obj, unsigned int obj_idx)
{
	struct arena_walk *w = opaque;

	if (w->seen == 0)
		w->first = obj;
	if ((uint8_t *)obj != w->first + (size_t)w->seen * w->stride)
		w->contiguous = 0;
	w->seen++;
}

static int
arena_populate(struct sy_arena *a, const char *name, int socket)
{
	struct rte_mempool *mp = a->mp;
	size_t stride = mp->header_size + mp->elt_size + mp->trailer_size;
	size_t len = (size_t)a->count * stride;

	a->region = rte_zmalloc_socket(name, len, RTE_MEMPOOL_ALIGN, socket);
	if (a->region == NULL)
		return -ENOMEM;
	/*
	 * What rte_mempool_populate_virt() does for a NO_IOVA_CONTIG pool, called directly:
	 * one chunk, no IOVA, no page-size alignment contract on our region.
	 */
	int n = rte_mempool_populate_iova(mp, a->region, RTE_BAD_IOVA, len, NULL, NULL);
	if (n < 0)
		return n;
	if ((uint32_t)n != a->count)
		return -ENOMEM;

	struct arena_walk w = { .stride = stride, .contiguous = 1 };

	rte_mempool_obj_iter(mp, arena_check_obj, &w);
	if (!w.contiguous || w.seen != a->count)
		return -EINVAL;
	a->view.base = w.first;
	a->view.stride = stride;
	return 0;
}

struct sy_arena *
sy_arena_create(const char *name, size_t elt_size, uint32_t count, int socket)
{
	if (name == NULL || elt_size == 0 || elt_size > UINT32_MAX / 2 ||
	    count == 0 || count > ARENA_COUNT_MAX) {
		rte_errno = EINVAL;
		return NULL;
	}
	struct sy_arena *a = rte_zmalloc_socket(name, sizeof(*a), RTE_CACHE_LINE_SIZE, socket);

	if (a == NULL) {
		rte_errno = ENOMEM;
		return NULL;
	}
	a->elt_size = RTE_ALIGN_CEIL(elt_size, 8);
	a->count = count;
	a->mp = rte_mempool_create_empty(name, count, (unsigned int)a->elt_size, 0, 0, socket,
					 RTE_MEMPOOL_F_NO_IOVA_CONTIG | RTE_MEMPOOL_F_NO_SPREAD |
					 RTE_MEMPOOL_F_SP_PUT | RTE_MEMPOOL_F_SC_GET);
	if (a->mp == NULL) {
		int err = rte_errno != 0 ? rte_errno : ENOMEM;

		rte_free(a);
		rte_errno = err;
		return NULL;
	}
	int rc = arena_populate(a, name, socket);

	if (rc < 0) {
		sy_arena_free(a);
		rte_errno = -rc;
		return NULL;
	}
	return a;
}

void
sy_arena_free(struct sy_arena *a)
{
	if (a == NULL)
		return;
	rte_mempool_free(a->mp);
	rte_free(a->region);
	rte_free(a);
}

int
sy_arena_alloc(struct sy_arena *a, uint32_t *idx)
{
	void *obj;

	if (rte_mempool_get(a->mp, &obj) != 0)
		return -ENOMEM;
	/* zero here, not on put: the caller writes the block next, so warming it pays */
	memset(obj, 0, a->elt_size);
	a->in_use++;
	*idx = sy_arena_idx(&a->view, obj);
	return 0;
}

void
sy_arena_put(struct sy_arena *a, uint32_t idx)
{
	RTE_ASSERT(idx < a->count);
	RTE_ASSERT(a->in_use > 0);
	rte_mempool_put(a->mp, sy_arena_ptr(&a->view, idx));
	a->in_use--;
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
