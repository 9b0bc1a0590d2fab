/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Per-lcore hierarchical timer wheel (Varghese & Lauck 1987, scheme 7; the level layout
 * of Linux's kernel/time/timer.c after the 2016 rework, but with classic cascading so
 * that every timer fires on its exact tick).
 *
 * Layout. 11 levels of 64 slots. Level L holds timers whose deadline first differs from
 * the wheel's current tick in the 6-bit digit L (bits 6L .. 6L+5); the slot is that digit
 * of the deadline. So a level-L slot spans 64^L ticks and the level spans 64^(L+1):
 *
 *   level  slot width      level range       at 1 ms ticks
 *     0    1 tick          64 ticks          1 ms precision, 64 ms range
 *     1    64              4096              64 ms, 4 s
 *     2    4096            262144            4 s, 4.4 min
 *     3    2^18            2^24              4.4 min, 4.7 h   (2 h keepalive here)
 *     4    2^24            2^30              4.7 h, 12.4 days
 *     5    2^30            2^36              12.4 d, 2.2 years (49 days here)
 *     6..10                2^42 .. 2^64      the rest of the 64-bit tick space
 *
 * Level 10 uses only 16 of its 64 slots (bits 60..63), so any 64-bit deadline has a
 * place and no overflow list is needed. The precision above is where a timer *waits*;
 * it never fires late: when the wheel reaches the first tick of a level-L slot, the slot
 * is cascaded: each timer is re-filed by the digit where its deadline now first differs
 * from the current tick, which is a lower level, until it reaches level 0 and fires on
 * its own tick. A timer is therefore moved at most once per level it starts above 0
 * (a 2 h keepalive at 1 ms ticks: 3 moves; a 1 ms delayed ACK: none).
 *
 * Why the next event is cheap. Every timer of level L has the same higher digits as the
 * current tick and a larger digit L, so (1) the occupied slots of a level are all ahead of
 * the current slot and the first one is ctz() of the level's 64-bit occupancy bitmap, and
 * (2) the earliest pending event is always in the lowest non-empty level. advance() thus
 * jumps from event to event: a gap of 10^6 idle ticks costs one bitmap scan per level,
 * not 10^6 slot visits. It costs O(levels + fired + cascaded), and cascades are bounded
 * by 10 per timer over its life.
 *
 * Memory. One array of 16-byte nodes {next, prev, expires}: the first `capacity` entries
 * are the timers (the id is the index), followed by 11 x 64 + 2 list heads (one per slot,
 * plus a "due" list and a "run" list). Lists are circular and doubly linked by 32-bit
 * index, and the heads live in the same array, so unlinking needs no knowledge of which
 * slot a timer is in: arm, cancel and re-arm are O(1) and never allocate. A timer is
 * disarmed when next == NIL. 10 M timers take 160 MB + 11 KB.
 *
 * The array is taken from rte_zmalloc_socket() on the wanted socket. When EAL is not
 * initialised or its heap is too small (tests run with -m 256), it falls back to an
 * anonymous mmap() of the same size, which is NUMA-local by first touch.
 *
 * Due timers. Arming with a deadline <= the current tick (also from inside a callback)
 * puts the timer on the due list, which fires at the start of the *next* advance(), ahead
 * of every future deadline. Firing it in the running advance() instead would let a
 * callback that re-arms itself in the past spin forever inside one call.
 */
#include "sy_timer.h"

#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <rte_common.h>
#include <rte_debug.h>
#include <rte_errno.h>
#include <rte_malloc.h>

#define TW_BITS     6
#define TW_SLOTS    (1u << TW_BITS)
#define TW_LEVELS   11                /* ceil(64 / 6) */
#define TW_HEADS    (TW_LEVELS * TW_SLOTS + 2)
#define TW_NIL      UINT32_MAX
#define TW_CAP_MAX  (UINT32_C(1) << 31)

struct tw_node {
	uint32_t next;
	uint32_t prev;
	uint64_t expires;
};

_Static_assert(sizeof(struct tw_node) == 16, "a timer node is 16 bytes");

struct sy_timer_wheel {
	struct tw_node *node;              /* capacity timers, then TW_HEADS list heads */
	uint64_t now;
	uint64_t occupied[TW_LEVELS];     /* bit s of level L: slot (L, s) is not empty */
	uint32_t capacity;
	uint32_t armed;
	uint32_t slot0;                    /* index of the head of slot (0, 0) */
	uint32_t due;                      /* head of the due list */
	uint32_t run;                      /* head of the list being fired */
	bool from_rte;                     /* rte_free() or munmap() */
	size_t bytes;
	struct sy_timer_stats stats;
};

static inline uint32_t
tw_level_of(uint64_t now, uint64_t expires)
{
	/* expires > now, so the XOR is non-zero */
	return (uint32_t)(63 - __builtin_clzll(expires ^ now)) / TW_BITS;
}

static inline uint32_t
tw_digit(uint64_t t, uint32_t level)
{
	return (uint32_t)(t >> (level * TW_BITS)) & (TW_SLOTS - 1);
}

/* The first tick of slot @p s at @p level, given that its higher digits equal @p now's. */
static inline uint64_t
tw_slot_start(uint64_t now, uint32_t level, uint32_t s)
{
	uint32_t shift = (level + 1) * TW_BITS;
	uint64_t high = shift >= 64 ? 0 : now >> shift << shift;

	return high | (uint64_t)s << (level * TW_BITS);
}

static inline void
tw_link_tail(struct tw_node *n, uint32_t head, uint32_t i)
{
	uint32_t last = n[head].prev;

	n[i].next = head;
	n[i].prev = last;
	n[last].next = i;
	n[head].prev = i;
}

static inline void
tw_unlink(struct sy_timer_wheel *w, uint32_t i)
{
	struct tw_node *n = w->node;
	uint32_t p = n[i].prev, nx = n[i].next;

	n[p].next = nx;
	n[nx].prev = p;
	n[i].next = TW_NIL;
	/* a list whose only other member is its head is now empty */
	if (p == nx && p >= w->slot0 && p < w->due) {
		uint32_t k = p - w->slot0;

		w->occupied[k / TW_SLOTS] &= ~(UINT64_C(1) << (k % TW_SLOTS));
	}
}

/* Files an unlinked timer by its deadline relative to the current tick. */
static inline void
tw_file(struct sy_timer_wheel *w, uint32_t i)
{
	uint64_t e = w->node[i].expires;

	if (e <= w->now) {
		tw_link_tail(w->node, w->due, i);
		return;
	}
	uint32_t level = tw_level_of(w->now, e);
	uint32_t s = tw_digit(e, level);

	tw_link_tail(w->node, w->slot0 + level * TW_SLOTS + s, i);
	w->occupied[level] |= UINT64_C(1) << s;
}

static void *
tw_alloc(size_t bytes, int socket, bool *from_rte)
{
	void *p = rte_zmalloc_socket("sy_timer_wheel", bytes, RTE_CACHE_LINE_SIZE, socket);

	*from_rte = p != NULL;
	if (p != NULL)
		return p;
	p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	return p == MAP_FAILED ? NULL : p;
}

struct sy_timer_wheel *
sy_timer_wheel_create(uint32_t capacity, uint64_t now_tick, int socket)
{
	if (capacity == 0 || capacity > TW_CAP_MAX) {
		rte_errno = EINVAL;
		return NULL;
	}
	size_t head = RTE_ALIGN_CEIL(sizeof(struct sy_timer_wheel), RTE_CACHE_LINE_SIZE);
	size_t bytes = head + ((size_t)capacity + TW_HEADS) * sizeof(struct tw_node);
	bool from_rte;
	struct sy_timer_wheel *w = tw_alloc(bytes, socket, &from_rte);

	if (w == NULL) {
		rte_errno = ENOMEM;
		return NULL;
	}
	memset(w, 0, sizeof(*w));
	w->node = (struct tw_node *)((char *)w + head);
	w->now = now_tick;
	w->capacity = capacity;
	w->slot0 = capacity;
	w->due = capacity + TW_LEVELS * TW_SLOTS;
	w->run = w->due + 1;
	w->from_rte = from_rte;
	w->bytes = bytes;
	for (uint32_t i = 0; i < capacity; i++)
		w->node[i] = (struct tw_node){ .next = TW_NIL, .prev = TW_NIL, .expires = 0 };
	for (uint32_t i = capacity; i < capacity + TW_HEADS; i++)
		w->node[i] = (struct tw_node){ .next = i, .prev = i, .expires = 0 };
	return w;
}

void
sy_timer_wheel_free(struct sy_timer_wheel *w)
{
	if (w == NULL)
		return;
	if (w->from_rte)
		rte_free(w);
	else
		munmap(w, w->bytes);
}

void
sy_timer_arm(struct sy_timer_wheel *w, uint32_t id, uint64_t expires)
{
	RTE_ASSERT(id < w->capacity);
	if (w->node[id].next != TW_NIL)
		tw_unlink(w, id);
	else
		w->armed++;
	w->node[id].expires = expires;
	tw_file(w, id);
}

void
sy_timer_cancel(struct sy_timer_wheel *w, uint32_t id)
{
	RTE_ASSERT(id < w->capacity);
	if (w->node[id].next == TW_NIL)
		return;
	tw_unlink(w, id);
	w->armed--;
}

bool
sy_timer_is_armed(const struct sy_timer_wheel *w, uint32_t id)
{
	RTE_ASSERT(id < w->capacity);
	return w->node[id].next != TW_NIL;
}

uint64_t
sy_timer_expires(const struct sy_timer_wheel *w, uint32_t id)
{
	RTE_ASSERT(id < w->capacity);
	return w->node[id].expires;
}

/* Moves every member of list @p from to the (empty) run list, in order. */
static void
tw_splice_to_run(struct sy_timer_wheel *w, uint32_t from)
{
	struct tw_node *n = w->node;
	uint32_t first = n[from].next, last = n[from].prev;

	if (first == from)
		return;
	n[w->run].next = first;
	n[w->run].prev = last;
	n[first].prev = w->run;
	n[last].next = w->run;
	n[from].next = from;
	n[from].prev = from;
}

/*
 * Fires the run list head first. A callback may cancel a timer still on it (it then
 * does not fire) or re-arm one (it leaves the list), so always take the current head.
 */
static uint32_t
tw_fire_run(struct sy_timer_wheel *w, sy_timer_expire_fn fn, void *arg)
{
	uint32_t fired = 0;
	uint32_t id;

	while ((id = w->node[w->run].next) != w->run) {
		tw_unlink(w, id);
		w->armed--;
		fired++;
		fn(arg, id);
	}
	w->stats.fired += fired;
	return fired;
}

/* Empties slot (@p level, @p s) whose first tick is now: fire or move down a level. */
static void
tw_expire_slot(struct sy_timer_wheel *w, uint32_t level, uint32_t s)
{
	uint32_t head = w->slot0 + level * TW_SLOTS + s;
	uint32_t id;

	if (level == 0) {
		/* every level-0 timer of this slot has expires == now */
		tw_splice_to_run(w, head);
		w->occupied[0] &= ~(UINT64_C(1) << s);
		return;
	}
	while ((id = w->node[head].next) != head) {
		tw_unlink(w, id);
		if (w->node[id].expires == w->now) {
			tw_link_tail(w->node, w->run, id);
		} else {
			tw_file(w, id);
			w->stats.cascaded++;
		}
	}
}

uint32_t
sy_timer_advance(struct sy_timer_wheel *w, uint64_t now_tick,
		 sy_timer_expire_fn fn, void *arg)
{
	uint32_t fired;

	/*
	 * Called every loop iteration, mostly within the same tick: with the due list empty
	 * and the tick unchanged there is nothing to do, since every slot starts after now.
	 */
	if (now_tick <= w->now && w->node[w->due].next == w->due)
		return 0;
	/* the due list first: its deadlines are all <= now < any deadline in a slot */
	tw_splice_to_run(w, w->due);
	fired = tw_fire_run(w, fn, arg);

	for (;;) {
		uint32_t level = 0;

		while (level < TW_LEVELS && w->occupied[level] == 0)
			level++;
		if (level == TW_LEVELS)
			break;
		uint32_t s = (uint32_t)__builtin_ctzll(w->occupied[level]);
		uint64_t t = tw_slot_start(w->now, level, s);

		if (t > now_tick)
			break;
		w->now = t;
		w->stats.steps++;
		tw_expire_slot(w, level, s);
		fired += tw_fire_run(w, fn, arg);
	}
	if (now_tick > w->now)
		w->now = now_tick;
	return fired;
}

uint64_t
sy_timer_now(const struct sy_timer_wheel *w)
{
	return w->now;
}

uint32_t
sy_timer_count(const struct sy_timer_wheel *w)
{
	return w->armed;
}

size_t
sy_timer_wheel_memory(const struct sy_timer_wheel *w)
{
	return w->bytes;
}

void
sy_timer_wheel_stats(const struct sy_timer_wheel *w, struct sy_timer_stats *st)
{
	*st = w->stats;
}
