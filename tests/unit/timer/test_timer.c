/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Tests of the per-lcore timer wheel against its contract in sy_timer.h: a timer fires in
 * the first advance() whose tick is >= its deadline, on that exact tick as seen through
 * sy_timer_now() in the callback, in deadline order, across every level of the wheel and
 * any 64-bit deadline. Time is virtual: the tests pass the tick to advance().
 */
#include <stdlib.h>
#include <string.h>
#include <criterion/criterion.h>
#include <rte_errno.h>

#include "sy_test.h"
#include "sy_timer.h"

/* a wheel bug that loops forever must fail, not hang the suite */
TestSuite(timer, .timeout = 30);

/* ---- a recorder: every callback appends (id, tick seen, deadline it was armed at) ---- */

struct fire {
	uint32_t id;
	uint64_t now;
};

struct rec {
	struct sy_timer_wheel *w;
	struct fire *f;
	uint32_t n, max;
};

static void
rec_init(struct rec *r, struct sy_timer_wheel *w, uint32_t max)
{
	r->w = w;
	r->f = calloc(max, sizeof(*r->f));
	cr_assert_not_null(r->f);
	r->n = 0;
	r->max = max;
}

static void
rec_fn(void *arg, uint32_t id)
{
	struct rec *r = arg;

	cr_assert(!sy_timer_is_armed(r->w, id), "timer %u still armed in its callback", id);
	cr_assert_lt(r->n, r->max, "more callbacks than expected");
	r->f[r->n++] = (struct fire){ .id = id, .now = sy_timer_now(r->w) };
}

static struct sy_timer_wheel *
wheel(uint32_t cap, uint64_t now)
{
	struct sy_timer_wheel *w = sy_timer_wheel_create(cap, now, SOCKET_ID_ANY);

	cr_assert_not_null(w, "create: %s", rte_strerror(rte_errno));
	return w;
}

static uint64_t
rng_next(uint64_t *s)
{
	/* xorshift64*: fixed seeds make every run the same */
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * UINT64_C(2685821657736338717);
}

/* ---- basic contract ---- */

Test(timer, create_rejects_zero_and_too_large_capacity)
{
	cr_assert_null(sy_timer_wheel_create(0, 0, SOCKET_ID_ANY));
	cr_assert_eq(rte_errno, EINVAL);
	cr_assert_null(sy_timer_wheel_create((UINT32_C(1) << 31) + 1, 0, SOCKET_ID_ANY));
	cr_assert_eq(rte_errno, EINVAL);
}

Test(timer, fires_on_exact_deadline_tick_and_not_before)
{
	struct sy_timer_wheel *w = wheel(16, 1000);
	struct rec r;

	rec_init(&r, w, 4);
	sy_timer_arm(w, 3, 1010);
	cr_assert(sy_timer_is_armed(w, 3));
	cr_assert_eq(sy_timer_expires(w, 3), 1010);
	cr_assert_eq(sy_timer_count(w), 1);
	for (uint64_t t = 1001; t < 1010; t++)
		cr_assert_eq(sy_timer_advance(w, t, rec_fn, &r), 0, "fired early at %lu", t);
	cr_assert_eq(sy_timer_advance(w, 1010, rec_fn, &r), 1);
	cr_assert_eq(r.f[0].id, 3);
	cr_assert_eq(r.f[0].now, 1010);
	cr_assert(!sy_timer_is_armed(w, 3));
	cr_assert_eq(sy_timer_count(w), 0);
	cr_assert_eq(sy_timer_now(w), 1010);
	cr_assert_eq(sy_timer_advance(w, 5000, rec_fn, &r), 0, "fired twice");
	sy_timer_wheel_free(w);
	free(r.f);
}

Test(timer, one_big_advance_fires_at_deadline_tick_seen_in_callback)
{
	struct sy_timer_wheel *w = wheel(16, 0);
	struct rec r;

	rec_init(&r, w, 4);
	sy_timer_arm(w, 0, 777777);
	cr_assert_eq(sy_timer_advance(w, 10000000, rec_fn, &r), 1);
	cr_assert_eq(r.f[0].now, 777777, "callback saw tick %lu", r.f[0].now);
	cr_assert_eq(sy_timer_now(w), 10000000);
	sy_timer_wheel_free(w);
	free(r.f);
}

Test(timer, rearm_moves_deadline_later_and_earlier)
{
	struct sy_timer_wheel *w = wheel(16, 0);
	struct rec r;

	rec_init(&r, w, 4);
	sy_timer_arm(w, 1, 10);
	sy_timer_arm(w, 1, 5000);
	cr_assert_eq(sy_timer_count(w), 1, "re-arm counted twice");
	cr_assert_eq(sy_timer_expires(w, 1), 5000);
	cr_assert_eq(sy_timer_advance(w, 4999, rec_fn, &r), 0, "fired at the old deadline");
	sy_timer_arm(w, 1, 5003);
	cr_assert_eq(sy_timer_advance(w, 5002, rec_fn, &r), 0);
	cr_assert_eq(sy_timer_advance(w, 5003, rec_fn, &r), 1);

	sy_timer_arm(w, 2, 90000);
	sy_timer_arm(w, 2, 5010);
	cr_assert_eq(sy_timer_advance(w, 5009, rec_fn, &r), 0);
	cr_assert_eq(sy_timer_advance(w, 5010, rec_fn, &r), 1, "earlier re-arm not honoured");
	cr_assert_eq(sy_timer_advance(w, 100000, rec_fn, &r), 0, "old deadline still fired");
	sy_timer_wheel_free(w);
	free(r.f);
}

Test(timer, cancelled_timer_never_fires_and_cancel_of_unarmed_is_noop)
{
	struct sy_timer_wheel *w = wheel(16, 0);
	struct rec r;

	rec_init(&r, w, 4);
	sy_timer_cancel(w, 5);
	cr_assert_eq(sy_timer_count(w), 0);
	sy_timer_arm(w, 5, 100);
	sy_timer_arm(w, 6, 1 << 20);
	sy_timer_arm(w, 7, 0);           /* due: sits on the due list */
	sy_timer_cancel(w, 5);
	sy_timer_cancel(w, 6);
	sy_timer_cancel(w, 7);
	sy_timer_cancel(w, 7);
	cr_assert(!sy_timer_is_armed(w, 5));
	cr_assert_eq(sy_timer_count(w), 0);
	cr_assert_eq(sy_timer_advance(w, UINT64_C(1) << 40, rec_fn, &r), 0);
	sy_timer_wheel_free(w);
	free(r.f);
}

Test(timer, arm_in_the_past_fires_in_next_advance_even_at_same_tick)
{
	struct sy_timer_wheel *w = wheel(16, 100);
	struct rec r;

	rec_init(&r, w, 8);
	sy_timer_arm(w, 1, 50);
	sy_timer_arm(w, 2, 100);
	sy_timer_arm(w, 3, 101);
	cr_assert(sy_timer_is_armed(w, 1));
	cr_assert_eq(sy_timer_expires(w, 1), 50);
	cr_assert_eq(sy_timer_advance(w, 100, rec_fn, &r), 2);
	cr_assert_eq(r.f[0].id, 1, "due timers fire in arming order");
	cr_assert_eq(r.f[1].id, 2);
	cr_assert_eq(r.f[0].now, 100);
	cr_assert(sy_timer_is_armed(w, 3));
	cr_assert_eq(sy_timer_advance(w, 101, rec_fn, &r), 1);
	sy_timer_wheel_free(w);
	free(r.f);
}

Test(timer, advance_backwards_does_not_move_wheel_but_fires_due)
{
	struct sy_timer_wheel *w = wheel(16, 100);
	struct rec r;

	rec_init(&r, w, 8);
	sy_timer_arm(w, 1, 99);
	sy_timer_arm(w, 2, 101);
	cr_assert_eq(sy_timer_advance(w, 10, rec_fn, &r), 1);
	cr_assert_eq(r.f[0].id, 1);
	cr_assert_eq(sy_timer_now(w), 100);
	cr_assert_eq(sy_timer_advance(w, 101, rec_fn, &r), 1);
	sy_timer_wheel_free(w);
	free(r.f);
}

/* ---- levels and cascading ---- */

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * Arms one timer per deadline (in the given order), then advances to d - 1 and d for
 * every distinct deadline d: nothing may fire early, everything due must fire in the
 * advance to its own tick and see that tick in the callback.
 */
static void
check_exact_ticks(uint64_t start, const uint64_t *dl, uint32_t n)
{
	struct sy_timer_wheel *w = wheel(n, start);
	uint64_t *sorted = malloc(n * sizeof(*sorted));
	struct rec r;

	rec_init(&r, w, n);
	memcpy(sorted, dl, n * sizeof(*sorted));
	qsort(sorted, n, sizeof(*sorted), cmp_u64);
	for (uint32_t i = 0; i < n; i++)
		sy_timer_arm(w, i, dl[i]);
	for (uint32_t k = 0; k < n; k++) {
		uint64_t d = sorted[k];
		uint32_t before = r.n;

		if (k > 0 && d == sorted[k - 1])
			continue;
		if (d - 1 > sy_timer_now(w))
			sy_timer_advance(w, d - 1, rec_fn, &r);
		cr_assert_eq(r.n, before, "a timer fired early before tick %#lx", d);
		sy_timer_advance(w, d, rec_fn, &r);
		uint32_t due = k;

		while (due < n && sorted[due] == d)
			due++;
		cr_assert_eq(r.n, due, "at tick %#lx: %u fired, %u due", d, r.n, due);
		for (uint32_t j = before; j < r.n; j++) {
			cr_assert_eq(dl[r.f[j].id], d, "timer of %#lx fired at %#lx",
				     dl[r.f[j].id], d);
			cr_assert_eq(r.f[j].now, d);
		}
	}
	cr_assert_eq(sy_timer_count(w), 0);
	sy_timer_wheel_free(w);
	free(sorted);
	free(r.f);
}

Test(timer, every_level_boundary_plus_minus_one_fires_on_its_tick)
{
	const uint64_t start = UINT64_C(0x123456789abc);
	uint64_t dl[11 * 9];
	uint32_t n = 0;

	for (uint32_t l = 1; l <= 10; l++) {
		uint32_t sh = 6 * l;
		/* the first tick of the next level-(l-1)-sized block, and 64^l ahead */
		uint64_t edge = ((start >> sh) + 1) << sh;
		uint64_t span = UINT64_C(1) << sh;
		uint64_t c[] = { edge - 1, edge, edge + 1, start + span - 1, start + span,
				 start + span + 1 };

		for (uint32_t i = 0; i < RTE_DIM(c); i++)
			if (c[i] > start)
				dl[n++] = c[i];
	}
	dl[n++] = start + 1;
	dl[n++] = start + 63;
	dl[n++] = start + 64;
	dl[n++] = UINT64_MAX;
	dl[n++] = UINT64_MAX - 1;
	check_exact_ticks(start, dl, n);
}

Test(timer, timers_fire_in_deadline_order_across_levels)
{
	/* 1 ms ticks: 1 ms, 1 s, 2 h, 49 days, beyond 2^32, 2^40, 2^63, the last tick */
	const uint64_t start = 12345;
	const uint64_t dl[] = {
		start + (UINT64_C(1) << 40), UINT64_MAX, start + 7200000, start + 1,
		start + UINT64_C(49) * 86400000, start + 1000, UINT64_C(1) << 63,
		start + (UINT64_C(1) << 32) + 17,
	};
	const uint32_t n = RTE_DIM(dl);
	struct sy_timer_wheel *w = wheel(n, start);
	struct rec r;

	rec_init(&r, w, n);
	for (uint32_t i = 0; i < n; i++)
		sy_timer_arm(w, i, dl[i]);
	cr_assert_eq(sy_timer_advance(w, UINT64_MAX, rec_fn, &r), n);
	for (uint32_t i = 0; i < n; i++) {
		cr_assert_eq(r.f[i].now, dl[r.f[i].id], "timer %u fired at %lu, due %lu",
			     r.f[i].id, r.f[i].now, dl[r.f[i].id]);
		if (i > 0)
			cr_assert_lt(r.f[i - 1].now, r.f[i].now, "out of order");
	}
	sy_timer_wheel_free(w);
	free(r.f);
	/* the same set stepped tick-exactly */
	check_exact_ticks(start, dl, n);
}

Test(timer, wheel_started_just_below_2_pow_32_crosses_it)
{
	const uint64_t b = UINT64_C(1) << 32;
	const uint64_t dl[] = { b - 4, b - 1, b, b + 1, b + 63, b + 64, b + 70,
				b + 4096, 2 * b, 2 * b + 1, b - 5 + 64 };

	check_exact_ticks(b - 5, dl, RTE_DIM(dl));

	/* and tick by tick: each fires exactly on its tick */
	struct sy_timer_wheel *w = wheel(RTE_DIM(dl), b - 5);
	struct rec r;

	rec_init(&r, w, RTE_DIM(dl));
	for (uint32_t i = 0; i < RTE_DIM(dl); i++)
		sy_timer_arm(w, i, dl[i]);
	for (uint64_t t = b - 4; t <= b + 5000; t++) {
		uint32_t before = r.n;

		sy_timer_advance(w, t, rec_fn, &r);
		for (uint32_t j = before; j < r.n; j++)
			cr_assert_eq(dl[r.f[j].id], t);
	}
	cr_assert_eq(r.n, RTE_DIM(dl) - 2);
	sy_timer_wheel_free(w);
	free(r.f);
}

Test(timer, deadlines_at_the_end_of_64_bit_time_fire)
{
	const uint64_t start = UINT64_MAX - 200;
	const uint64_t dl[] = { UINT64_MAX, UINT64_MAX - 1, UINT64_MAX - 100, start + 1 };

	check_exact_ticks(start, dl, RTE_DIM(dl));
}

Test(timer, idle_gap_is_skipped_not_walked)
{
	struct sy_timer_wheel *w = wheel(8, 0);
	struct sy_timer_stats st;
	struct rec r;

	rec_init(&r, w, 8);
	sy_timer_arm(w, 0, 1000000);
	sy_timer_arm(w, 1, 1000001);
	sy_timer_arm(w, 2, UINT64_C(1) << 45);
	cr_assert_eq(sy_timer_advance(w, 999999, rec_fn, &r), 0);
	cr_assert_eq(sy_timer_advance(w, 1000001, rec_fn, &r), 2);
	cr_assert_eq(sy_timer_advance(w, UINT64_C(1) << 46, rec_fn, &r), 1);
	sy_timer_wheel_stats(w, &st);
	/* each timer passes each of at most 11 levels once; 2^46 ticks are not visited */
	cr_assert_leq(st.steps, 3 * 11, "%lu slot visits for 3 timers", st.steps);
	cr_assert_eq(st.fired, 3);
	sy_timer_wheel_free(w);
	free(r.f);
}

/* ---- callbacks that change the wheel ---- */

struct periodic {
	struct sy_timer_wheel *w;
	uint64_t period;
	uint32_t n;
	uint64_t bad_tick;
};

static void
periodic_fn(void *arg, uint32_t id)
{
	struct periodic *p = arg;
	uint64_t now = sy_timer_now(p->w);

	p->n++;
	if (now != p->n * p->period && p->bad_tick == 0)
		p->bad_tick = now;
	sy_timer_arm(p->w, id, now + p->period);
}

Test(timer, callback_rearming_itself_is_periodic_on_exact_ticks)
{
	struct sy_timer_wheel *w = wheel(4, 0);
	struct periodic p = { .w = w, .period = 7 };

	sy_timer_arm(w, 2, 7);
	cr_assert_eq(sy_timer_advance(w, 1000, periodic_fn, &p), 1000 / 7);
	for (uint64_t t = 1001; t <= 100000; t++)
		sy_timer_advance(w, t, periodic_fn, &p);
	cr_assert_eq(p.n, 100000 / 7);
	cr_assert_eq(p.bad_tick, 0, "fired at tick %lu", p.bad_tick);
	cr_assert(sy_timer_is_armed(w, 2));
	cr_assert_eq(sy_timer_expires(w, 2), (100000 / 7 + 1) * 7);
	sy_timer_wheel_free(w);
}

struct canceller {
	struct sy_timer_wheel *w;
	uint32_t fired[8];
	uint32_t n;
};

static void
cancel_other_fn(void *arg, uint32_t id)
{
	struct canceller *c = arg;

	c->fired[c->n++] = id;
	sy_timer_cancel(c->w, id ^ 1);  /* 0 <-> 1, 2 <-> 3 */
}

Test(timer, callback_cancelling_another_due_timer_same_tick_stops_it)
{
	struct sy_timer_wheel *w = wheel(4, 0);
	struct canceller c = { .w = w };

	sy_timer_arm(w, 0, 50);
	sy_timer_arm(w, 1, 50);
	cr_assert_eq(sy_timer_advance(w, 60, cancel_other_fn, &c), 1);
	cr_assert_eq(c.n, 1);
	cr_assert_eq(sy_timer_count(w), 0);
	sy_timer_wheel_free(w);
}

Test(timer, callback_cancelling_later_timer_in_same_advance_stops_it)
{
	struct sy_timer_wheel *w = wheel(4, 0);
	struct canceller c = { .w = w };

	sy_timer_arm(w, 2, 50);
	sy_timer_arm(w, 3, 5000);       /* a coarser level, due in the same advance */
	cr_assert_eq(sy_timer_advance(w, 10000, cancel_other_fn, &c), 1);
	cr_assert_eq(c.fired[0], 2);
	cr_assert(!sy_timer_is_armed(w, 3));
	sy_timer_wheel_free(w);
}

struct arming {
	struct sy_timer_wheel *w;
	struct rec r;
};

static void
arm_others_fn(void *arg, uint32_t id)
{
	struct arming *a = arg;
	uint64_t now = sy_timer_now(a->w);

	rec_fn(&a->r, id);
	if (id != 0)
		return;
	sy_timer_arm(a->w, 1, now - 10);  /* already due */
	sy_timer_arm(a->w, 2, now);       /* due at this very tick */
	sy_timer_arm(a->w, 3, now + 2);   /* future, inside this advance */
	sy_timer_arm(a->w, 0, now);       /* the firing timer itself, due */
}

Test(timer, callback_arming_due_timers_fires_them_in_next_advance)
{
	struct sy_timer_wheel *w = wheel(4, 0);
	struct arming a = { .w = w };

	rec_init(&a.r, w, 16);
	sy_timer_arm(w, 0, 50);
	cr_assert_eq(sy_timer_advance(w, 100, arm_others_fn, &a), 2);
	cr_assert_eq(a.r.f[0].id, 0);
	cr_assert_eq(a.r.f[1].id, 3, "future timer armed in a callback must fire in order");
	cr_assert_eq(a.r.f[1].now, 52);
	cr_assert(sy_timer_is_armed(w, 1));
	cr_assert(sy_timer_is_armed(w, 2));
	cr_assert_eq(sy_timer_expires(w, 1), 40);
	/* the next advance fires them first, in arming order, even at the same tick */
	cr_assert_eq(sy_timer_advance(w, 100, arm_others_fn, &a), 3);
	cr_assert_eq(a.r.f[2].id, 1);
	cr_assert_eq(a.r.f[3].id, 2);
	cr_assert_eq(a.r.f[4].id, 0);
	sy_timer_wheel_free(w);
	free(a.r.f);
}

static void
rearm_now_fn(void *arg, uint32_t id)
{
	struct rec *r = arg;

	rec_fn(r, id);
	sy_timer_arm(r->w, id, sy_timer_now(r->w));
}

Test(timer, callback_rearming_itself_in_the_past_fires_once_per_advance)
{
	struct sy_timer_wheel *w = wheel(4, 0);
	struct rec r;

	rec_init(&r, w, 16);
	sy_timer_arm(w, 1, 5);
	cr_assert_eq(sy_timer_advance(w, 10, rearm_now_fn, &r), 1);
	cr_assert_eq(sy_timer_advance(w, 10, rearm_now_fn, &r), 1);
	cr_assert_eq(sy_timer_advance(w, 11, rearm_now_fn, &r), 1);
	cr_assert_eq(r.n, 3);
	sy_timer_wheel_free(w);
	free(r.f);
}

/* ---- memory ---- */

static void
check_memory(void)
{
	struct sy_timer_wheel *a = wheel(1000, 0), *b = wheel(3000, 0);
	size_t ma = sy_timer_wheel_memory(a), mb = sy_timer_wheel_memory(b);

	cr_assert_eq(mb - ma, 2000 * 16, "a timer must cost 16 bytes, got %zu",
		     (mb - ma) / 2000);
	cr_assert_geq(ma, 1000 * 16);
	cr_assert_lt(ma, 1000 * 16 + 16384, "fixed overhead %zu", ma - 1000 * 16);
	sy_timer_wheel_free(a);
	sy_timer_wheel_free(b);
}

Test(timer, memory_is_16_bytes_per_timer_without_eal)
{
	check_memory();
}

Test(timer, memory_is_16_bytes_per_timer_with_eal_heap)
{
	sy_test_eal_init();
	check_memory();
}

/* ---- random operations against a reference model ---- */

#define MODEL_IDS 1024

/* A sorted array of (key, seq, id): key = max(deadline, tick when armed). */
struct mentry {
	uint64_t key;
	uint64_t seq;
	uint32_t id;
};

struct model {
	struct mentry e[MODEL_IDS];
	uint32_t n;
	bool armed[MODEL_IDS];
	uint64_t expires[MODEL_IDS];
	uint64_t key[MODEL_IDS];
	uint64_t seq[MODEL_IDS];
	uint64_t next_seq;
};

static bool
mentry_less(const struct mentry *a, uint64_t key, uint64_t seq)
{
	return a->key < key || (a->key == key && a->seq < seq);
}

static uint32_t
model_pos(const struct model *m, uint64_t key, uint64_t seq)
{
	uint32_t lo = 0, hi = m->n;

	while (lo < hi) {
		uint32_t mid = (lo + hi) / 2;

		if (mentry_less(&m->e[mid], key, seq))
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static void
model_cancel(struct model *m, uint32_t id)
{
	if (!m->armed[id])
		return;
	uint32_t p = model_pos(m, m->key[id], m->seq[id]);

	cr_assert(p < m->n && m->e[p].id == id, "model corrupt");
	memmove(&m->e[p], &m->e[p + 1], (m->n - p - 1) * sizeof(m->e[0]));
	m->n--;
	m->armed[id] = false;
}

static void
model_arm(struct model *m, uint32_t id, uint64_t expires, uint64_t now)
{
	model_cancel(m, id);
	uint64_t key = expires > now ? expires : now;
	uint64_t seq = m->next_seq++;
	uint32_t p = model_pos(m, key, seq);

	memmove(&m->e[p + 1], &m->e[p], (m->n - p) * sizeof(m->e[0]));
	m->e[p] = (struct mentry){ .key = key, .seq = seq, .id = id };
	m->n++;
	m->armed[id] = true;
	m->expires[id] = expires;
	m->key[id] = key;
	m->seq[id] = seq;
}

struct stress {
	struct sy_timer_wheel *w;
	struct model *m;
	uint64_t target;        /* the running advance's tick */
	uint64_t last_key;
	uint32_t fired;
};

static void
stress_fn(void *arg, uint32_t id)
{
	struct stress *s = arg;
	struct model *m = s->m;

	cr_assert(m->armed[id], "timer %u fired but is not armed in the model", id);
	cr_assert_leq(m->key[id], s->target, "timer %u fired early", id);
	cr_assert_geq(m->key[id], s->last_key, "timer %u fired out of order", id);
	cr_assert_eq(sy_timer_now(s->w), m->key[id], "timer %u fired at %lu, due %lu", id,
		     sy_timer_now(s->w), m->key[id]);
	s->last_key = m->key[id];
	s->fired++;
	model_cancel(m, id);
}

static uint64_t
stress_deadline(uint64_t *rs, uint64_t now)
{
	uint64_t r = rng_next(rs), pick = r % 100, x = rng_next(rs);

	if (pick < 35)
		return now + x % 70;
	if (pick < 55)
		return now + x % 5000;
	if (pick < 70)
		return now + x % (1 << 20);
	if (pick < 80)
		return now + x % (UINT64_C(1) << 34);
	if (pick < 85)
		return now + x % (UINT64_MAX - now);
	return now - (x % 100 < now ? x % 100 : now);
}

static void
stress_advance(struct stress *s, uint64_t *rs)
{
	uint64_t now = sy_timer_now(s->w), r = rng_next(rs) % 100, x = rng_next(rs);
	uint64_t step = r < 70 ? x % 8 : r < 90 ? x % 500 : r < 98 ? x % (1 << 22)
		      : x % (UINT64_C(1) << 36);
	uint32_t due = 0;

	s->target = now + step;
	s->last_key = 0;
	s->fired = 0;
	while (due < s->m->n && s->m->e[due].key <= s->target)
		due++;
	uint32_t ret = sy_timer_advance(s->w, s->target, stress_fn, s);

	cr_assert_eq(s->fired, due, "advance to %lu fired %u, model says %u", s->target,
		     s->fired, due);
	cr_assert_eq(ret, due);
	cr_assert_eq(sy_timer_now(s->w), s->target);
}

Test(timer, one_million_random_operations_match_sorted_reference_model)
{
	struct model *m = calloc(1, sizeof(*m));
	struct sy_timer_wheel *w = wheel(MODEL_IDS, 3);
	struct stress s = { .w = w, .m = m };
	uint64_t rs = 0x5eed5eed12345678;

	for (uint32_t op = 0; op < 1000000; op++) {
		uint32_t id = rng_next(&rs) % MODEL_IDS, r = rng_next(&rs) % 100;
		uint64_t now = sy_timer_now(w);

		if (r < 45) {
			uint64_t d = stress_deadline(&rs, now);

			sy_timer_arm(w, id, d);
			model_arm(m, id, d, now);
		} else if (r < 60) {
			sy_timer_cancel(w, id);
			model_cancel(m, id);
		} else if (r < 70) {
			cr_assert_eq(sy_timer_is_armed(w, id), m->armed[id], "op %u id %u", op, id);
			if (m->armed[id])
				cr_assert_eq(sy_timer_expires(w, id), m->expires[id]);
			cr_assert_eq(sy_timer_count(w), m->n, "op %u", op);
		} else {
			stress_advance(&s, &rs);
		}
	}
	s.target = UINT64_MAX;
	s.last_key = 0;
	s.fired = 0;
	uint32_t left = m->n;

	cr_assert_eq(sy_timer_advance(w, UINT64_MAX, stress_fn, &s), left);
	cr_assert_eq(sy_timer_count(w), 0);
	sy_timer_wheel_free(w);
	free(m);
}

/* ---- ten million timers ---- */

#define TEN_M 10000000u
#define TEN_M_START UINT64_C(5000000123)

/* Deadline of timer @p id: hashed over 2^26 ticks (18 h at 1 ms), 1 in 1000 up to 2^40. */
static uint64_t
ten_m_deadline(uint32_t id)
{
	uint64_t h = id * UINT64_C(0x9e3779b97f4a7c15);

	h ^= h >> 29;
	h *= UINT64_C(0xbf58476d1ce4e5b9);
	h ^= h >> 32;
	if (id % 1000 == 0)
		return TEN_M_START + 1 + h % (UINT64_C(1) << 40);
	return TEN_M_START + 1 + h % (UINT64_C(1) << 26);
}

struct ten_m {
	struct sy_timer_wheel *w;
	uint8_t *seen;          /* one bit per id */
	uint64_t prev_target, target, last;
	uint64_t fired, twice, early, late, order, inexact;
};

static void
ten_m_fn(void *arg, uint32_t id)
{
	struct ten_m *t = arg;
	uint64_t d = ten_m_deadline(id);

	t->fired++;
	t->twice += (t->seen[id >> 3] >> (id & 7)) & 1;
	t->seen[id >> 3] |= 1 << (id & 7);
	t->early += d > t->target;
	t->late += d <= t->prev_target;
	t->order += d < t->last;
	t->inexact += d != sy_timer_now(t->w);
	t->last = d;
}

Test(timer, ten_million_timers_expire_in_order_within_one_tick, .timeout = 120)
{
	sy_test_eal_init();
	struct sy_timer_wheel *w = wheel(TEN_M, TEN_M_START);
	struct ten_m t = { .w = w, .seen = calloc(TEN_M / 8 + 1, 1) };
	uint64_t rs = 42;

	for (uint32_t id = 0; id < TEN_M; id++)
		sy_timer_arm(w, id, ten_m_deadline(id));
	cr_assert_eq(sy_timer_count(w), TEN_M);
	cr_assert_geq(sy_timer_wheel_memory(w), (size_t)TEN_M * 16);
	cr_assert_lt(sy_timer_wheel_memory(w), (size_t)TEN_M * 16 + 65536);
	t.target = TEN_M_START;
	while (sy_timer_count(w) > 0) {
		uint64_t span = t.target - TEN_M_START < (UINT64_C(1) << 26) ? 8192
			      : UINT64_C(1) << 31;

		t.prev_target = t.target;
		t.target += 1 + rng_next(&rs) % span;
		sy_timer_advance(w, t.target, ten_m_fn, &t);
		cr_assert_leq(t.target, TEN_M_START + (UINT64_C(1) << 41), "never drains");
	}
	cr_assert_eq(t.fired, TEN_M);
	cr_assert_eq(t.twice, 0);
	cr_assert_eq(t.early, 0, "%lu fired early", t.early);
	cr_assert_eq(t.late, 0, "%lu fired an advance late", t.late);
	cr_assert_eq(t.order, 0, "%lu out of order", t.order);
	cr_assert_eq(t.inexact, 0, "%lu saw a tick other than their deadline", t.inexact);
	sy_timer_wheel_free(w);
	free(t.seen);
}
