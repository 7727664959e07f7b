/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ring.c - lock-free index FIFO and "latest wins" queue (see ring.h).
 *
 * GCC/Clang __atomic builtins stand in for C11 <stdatomic.h> (the project
 * is C99).  Release on push so a slot's contents are visible before its
 * index; acquire on pop.
 */
#include "util/ring.h"

#include <errno.h>

void spsc_init(struct spsc *q, unsigned cap)
{
	q->head = q->tail = 0;
	q->cap = cap;
}

int spsc_push(struct spsc *q, unsigned v)
{
	uint32_t t = q->tail;

	if (t - __atomic_load_n(&q->head, __ATOMIC_ACQUIRE) >= q->cap)
		return -1;
	q->idx[t % SPSC_MAX] = (uint16_t)v;
	__atomic_store_n(&q->tail, t + 1, __ATOMIC_RELEASE);
	return 0;
}

/* The entry is read before the CAS that claims it; a loser (the other
 * side moved head first) never uses what it read and tries again.  The
 * cell cannot be rewritten before head moves past it, because push only
 * writes below head + cap. */
int spsc_pop_shared(struct spsc *q)
{
	uint32_t h = __atomic_load_n(&q->head, __ATOMIC_ACQUIRE);

	for (;;) {
		uint32_t t = __atomic_load_n(&q->tail, __ATOMIC_ACQUIRE);
		int v;

		if (h == t)
			return -1;
		v = q->idx[h % SPSC_MAX];
		if (__atomic_compare_exchange_n(&q->head, &h, h + 1, 0,
						__ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
			return v;
	}
}

unsigned spsc_count(const struct spsc *q)
{
	return __atomic_load_n(&q->tail, __ATOMIC_ACQUIRE) -
	       __atomic_load_n(&q->head, __ATOMIC_ACQUIRE);
}

int lq_init(struct lq *l, unsigned depth, unsigned hold)
{
	unsigned i;

	if (depth < 1 || depth > LQ_DEPTH_MAX || hold > LQ_DEPTH_MAX)
		return -EINVAL;
	l->depth = depth;
	l->holding = hold > depth;
	l->started = 0;
	spsc_init(&l->pub, l->holding ? hold : depth);
	spsc_init(&l->free, SPSC_MAX);
	for (i = 0; i < lq_slots(depth, hold); i++)
		spsc_push(&l->free, i);
	l->spare = -1;
	l->drops = 0;
	return 0;
}

void lq_started(struct lq *l)
{
	__atomic_store_n(&l->started, 1, __ATOMIC_RELEASE);
}

int lq_acquire(struct lq *l)
{
	int s = l->spare;

	if (s >= 0) {
		l->spare = -1;
		return s;
	}
	/* lq_slots(): consumer holds <= 1, pub <= pub.cap, so one is free. */
	return spsc_pop_shared(&l->free);
}

int lq_publish(struct lq *l, unsigned slot)
{
	int dropped = 0;

	/* End of the hold: fewer than depth wait and the count only falls
	 * behind our back, so the smaller capacity is safe from here on. */
	if (l->holding && __atomic_load_n(&l->started, __ATOMIC_ACQUIRE) &&
	    spsc_count(&l->pub) < l->depth) {
		l->pub.cap = l->depth;
		l->holding = 0;
	}
	while (spsc_push(&l->pub, slot)) {
		int old = spsc_pop_shared(&l->pub);

		if (old >= 0) {
			l->spare = old;
			__atomic_fetch_add(&l->drops, 1, __ATOMIC_RELAXED);
			dropped = 1;
		}
	}
	return dropped;
}

int lq_take(struct lq *l)
{
	return spsc_pop_shared(&l->pub);
}

void lq_release(struct lq *l, unsigned slot)
{
	spsc_push(&l->free, slot);
}
