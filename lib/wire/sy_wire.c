/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * The fault-injecting wire (sy_wire.h).
 *
 * Per direction: a ring of (frame, due time) in send order, and a small set of held
 * frames. A frame offered to a direction is, in this order, dropped, corrupted, held back
 * or queued, and duplicated (the copy is queued right behind it). Queued frames become
 * due delay_us after they were sent, never before an earlier one (the ring stays in due
 * order, so delivery is a pop from its head). A held frame joins the ring when
 * reorder_frames later frames have been queued or reorder_us have passed, so it arrives
 * after frames sent later than itself.
 *
 * The PRNG is xoshiro256** (Blackman and Vigna) seeded through splitmix64; a rate of p ppm
 * fires when the next 64-bit draw modulo 10^6 is below p (bias below 10^-13).
 */
#include <errno.h>
#include <string.h>
#include <rte_errno.h>
#include <rte_ether.h>
#include <rte_malloc.h>

#include "sy_wire.h"

#define WIRE_HELD_MAX 64

struct wire_slot {
	struct rte_mbuf *m;
	uint64_t due_us;
};

struct wire_held {
	struct rte_mbuf *m;
	uint64_t until_us;
	uint32_t frames_left;
};

struct wire_dir {
	struct sy_wire *w;
	struct sy_wire_rng rng;
	struct wire_slot *ring;      /* queue_len slots (a power of 2) */
	uint32_t mask;
	uint32_t head, tail;         /* pop at head, push at tail */
	uint64_t last_due;
	uint32_t n_held;
	struct wire_held held[WIRE_HELD_MAX];
	struct sy_wire_stats stats;
};

struct sy_wire {
	struct sy_wire_conf conf;
	const struct sy_clock *clock;
	struct wire_dir dir[2];      /* dir[e]: frames travelling towards end e */
};

void
sy_wire_conf_defaults(struct sy_wire_conf *c)
{
	memset(c, 0, sizeof(*c));
	c->seed = 1;
	c->reorder_frames = 3;
	c->reorder_us = 1000;
	c->delay_us = 10;
	c->queue_len = 65536;
}

static uint64_t
splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

void
sy_wire_rng_seed(struct sy_wire_rng *r, uint64_t seed)
{
	for (int i = 0; i < 4; i++)
		r->s[i] = splitmix64(&seed);
}

static inline uint64_t
rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

uint64_t
sy_wire_rng_next(struct sy_wire_rng *r)
{
	uint64_t *s = r->s;
	uint64_t res = rotl(s[1] * 5, 7) * 9;
	uint64_t t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return res;
}

static inline int
chance(struct wire_dir *d, uint32_t ppm)
{
	return ppm != 0 && sy_wire_rng_next(&d->rng) % 1000000u < ppm;
}

static uint64_t
now_us(const struct sy_wire *w)
{
	return sy_clock_us(w->clock);
}

/* Appends to the ring; the due time never goes below the previous one (FIFO link). */
static void
ring_push(struct wire_dir *d, struct rte_mbuf *m)
{
	uint64_t due = now_us(d->w) + d->w->conf.delay_us;

	if (d->tail - d->head > d->mask) {
		d->stats.drop_queue_full++;
		rte_pktmbuf_free(m);
		return;
	}
	if (due < d->last_due)
		due = d->last_due;
	d->last_due = due;
	d->ring[d->tail & d->mask] = (struct wire_slot){ .m = m, .due_us = due };
	d->tail++;
}

static void
held_release(struct wire_dir *d, uint32_t i)
{
	struct rte_mbuf *m = d->held[i].m;

	d->held[i] = d->held[--d->n_held];
	ring_push(d, m);
}

/* Releases held frames whose time is up, or (@p queued) that waited their frames out. */
static void
held_tick(struct wire_dir *d, int queued)
{
	uint64_t now = now_us(d->w);

	for (uint32_t i = 0; i < d->n_held;) {
		struct wire_held *h = &d->held[i];

		if (queued && h->frames_left > 0)
			h->frames_left--;
		if ((queued && h->frames_left == 0) || now >= h->until_us)
			held_release(d, i);
		else
			i++;
	}
}

/* Flips one byte past the Ethernet header (in the first segment). */
static void
corrupt(struct wire_dir *d, struct rte_mbuf *m)
{
	uint32_t span;
	uint64_t r;
	uint8_t *p;

	if (m->data_len <= RTE_ETHER_HDR_LEN)
		return;
	span = m->data_len - RTE_ETHER_HDR_LEN;
	r = sy_wire_rng_next(&d->rng);
	p = rte_pktmbuf_mtod_offset(m, uint8_t *, RTE_ETHER_HDR_LEN + r % span);
	*p ^= (uint8_t)(1 + (r >> 32) % 255);
	d->stats.corrupted++;
}

static void
hold(struct wire_dir *d, struct rte_mbuf *m)
{
	const struct sy_wire_conf *c = &d->w->conf;

	d->held[d->n_held++] = (struct wire_held){
		.m = m,
		.until_us = now_us(d->w) + c->reorder_us,
		.frames_left = c->reorder_frames == 0 ? UINT32_MAX : c->reorder_frames,
	};
	d->stats.reordered++;
}

static void
offer_one(struct wire_dir *d, struct rte_mbuf *m)
{
	const struct sy_wire_conf *c = &d->w->conf;
	struct rte_mbuf *copy = NULL;

	d->stats.offered++;
	if (chance(d, c->drop_ppm)) {
		d->stats.dropped++;
		rte_pktmbuf_free(m);
		return;
	}
	if (chance(d, c->dup_ppm)) {
		copy = rte_pktmbuf_copy(m, m->pool, 0, UINT32_MAX);
		if (copy == NULL)
			d->stats.drop_no_mbuf++;
		else
			d->stats.duplicated++;
	}
	if (chance(d, c->corrupt_ppm))
		corrupt(d, m);
	if (chance(d, c->reorder_ppm) && d->n_held < WIRE_HELD_MAX) {
		hold(d, m);
	} else {
		ring_push(d, m);
		held_tick(d, 1);
	}
	if (copy != NULL) {
		ring_push(d, copy);
		held_tick(d, 1);
	}
}

static uint16_t
wire_tx(struct sy_txq *q, struct rte_mbuf **pkts, uint16_t n)
{
	struct wire_dir *d = q->send_arg;

	for (uint16_t i = 0; i < n; i++)
		offer_one(d, pkts[i]);
	return n;
}

struct sy_wire *
sy_wire_create(const struct sy_wire_conf *conf, const struct sy_clock *clock, int socket)
{
	uint32_t len = conf == NULL || conf->queue_len == 0 ? 65536 : conf->queue_len;
	struct sy_wire *w;

	if (conf == NULL || clock == NULL || !rte_is_power_of_2(len)) {
		rte_errno = EINVAL;
		return NULL;
	}
	w = rte_zmalloc_socket("sy_wire", sizeof(*w), RTE_CACHE_LINE_SIZE, socket);
	if (w == NULL) {
		rte_errno = ENOMEM;
		return NULL;
	}
	w->conf = *conf;
	w->conf.queue_len = len;
	w->clock = clock;
	for (int e = 0; e < 2; e++) {
		struct wire_dir *d = &w->dir[e];

		d->w = w;
		d->mask = len - 1;
		sy_wire_rng_seed(&d->rng, conf->seed ^ (uint64_t)e);
		d->ring = rte_zmalloc_socket("sy_wire_ring", len * sizeof(*d->ring),
					     RTE_CACHE_LINE_SIZE, socket);
		if (d->ring == NULL) {
			sy_wire_free(w);
			rte_errno = ENOMEM;
			return NULL;
		}
	}
	return w;
}

void
sy_wire_free(struct sy_wire *w)
{
	if (w == NULL)
		return;
	for (int e = 0; e < 2; e++) {
		struct wire_dir *d = &w->dir[e];

		for (; d->ring != NULL && d->head != d->tail; d->head++)
			rte_pktmbuf_free(d->ring[d->head & d->mask].m);
		for (uint32_t i = 0; i < d->n_held; i++)
			rte_pktmbuf_free(d->held[i].m);
		rte_free(d->ring);
	}
	rte_free(w);
}

void
sy_wire_attach(struct sy_wire *w, int end, struct sy_txq *q)
{
	/* what end @p end sends travels towards the other end */
	sy_txq_init_fn(q, wire_tx, &w->dir[!end]);
}

uint16_t
sy_wire_deliver(struct sy_wire *w, int end, struct rte_mbuf **out, uint16_t max)
{
	struct wire_dir *d = &w->dir[end];
	uint64_t now = now_us(w);
	uint16_t n = 0;

	held_tick(d, 0);
	while (n < max && d->head != d->tail && d->ring[d->head & d->mask].due_us <= now) {
		struct rte_mbuf *m = d->ring[d->head & d->mask].m;

		d->head++;
		m->ol_flags = 0;
		d->stats.delivered++;
		d->stats.bytes_delivered += m->pkt_len;
		out[n++] = m;
	}
	return n;
}

uint32_t
sy_wire_in_flight(const struct sy_wire *w, int end)
{
	const struct wire_dir *d = &w->dir[end];

	return d->tail - d->head + d->n_held;
}

uint64_t
sy_wire_next_due(const struct sy_wire *w, int end)
{
	const struct wire_dir *d = &w->dir[end];
	uint64_t t = UINT64_MAX;

	if (d->head != d->tail)
		t = d->ring[d->head & d->mask].due_us;
	for (uint32_t i = 0; i < d->n_held; i++)
		t = RTE_MIN(t, d->held[i].until_us + w->conf.delay_us);
	return t;
}

const struct sy_wire_stats *
sy_wire_stats(const struct sy_wire *w, int end)
{
	return &w->dir[end].stats;
}

void
sy_wire_set_conf(struct sy_wire *w, const struct sy_wire_conf *conf)
{
	uint32_t len = w->conf.queue_len;

	w->conf = *conf;
	w->conf.queue_len = len;
}
