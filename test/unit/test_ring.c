/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_ring.c - the lock-free hand-offs between the pipeline's threads. */
#include "unit.h"
#include "util/ring.h"

#include <pthread.h>

static void t_spsc_fifo(void)
{
	struct spsc q;
	int i;

	spsc_init(&q, 4);
	CHECK_EQ(spsc_pop_shared(&q), -1);
	for (i = 0; i < 4; i++)
		CHECK_EQ(spsc_push(&q, (unsigned)i + 10), 0);
	CHECK_EQ(spsc_push(&q, 99), -1);            /* full at cap */
	CHECK_EQ(spsc_count(&q), 4);
	for (i = 0; i < 4; i++)
		CHECK_EQ(spsc_pop_shared(&q), i + 10);  /* FIFO order */
	CHECK_EQ(spsc_pop_shared(&q), -1);
	for (i = 0; i < 200; i++) {                 /* wraps the index array */
		CHECK_EQ(spsc_push(&q, (unsigned)i), 0);
		CHECK_EQ(spsc_pop_shared(&q), i);
	}
}

static void t_latest_depth1_keeps_newest(void)
{
	struct lq l;
	int a, b, c, got;

	lq_init(&l, 1);
	CHECK_EQ(lq_take(&l), -1);
	a = lq_acquire(&l);
	CHECK_EQ(lq_publish(&l, (unsigned)a), 0);
	b = lq_acquire(&l);
	CHECK(b != a);
	CHECK_EQ(lq_publish(&l, (unsigned)b), 1);   /* a dropped unread */
	CHECK_EQ(l.drops, 1);
	c = lq_acquire(&l);
	CHECK_EQ(c, a);                             /* the dropped slot is reused */
	got = lq_take(&l);
	CHECK_EQ(got, b);                           /* reader gets the newest */
	CHECK_EQ(lq_take(&l), -1);
	lq_publish(&l, (unsigned)c);
	lq_release(&l, (unsigned)got);
	CHECK_EQ(lq_take(&l), c);
}

static void t_latest_depth3_drops_oldest(void)
{
	struct lq l;
	int order[6], i;

	lq_init(&l, 3);
	for (i = 0; i < 5; i++) {
		order[i] = lq_acquire(&l);
		CHECK(order[i] >= 0 && order[i] < 5);
		lq_publish(&l, (unsigned)order[i]);
	}
	CHECK_EQ(l.drops, 2);                       /* 5 published into depth 3 */
	CHECK_EQ(lq_take(&l), order[2]);            /* oldest survivors first */
	CHECK_EQ(lq_take(&l), order[3]);
	CHECK_EQ(lq_take(&l), order[4]);
	CHECK_EQ(lq_take(&l), -1);
}

/* Two threads: every slot is held by at most one side at a time, and the
 * reader sees strictly increasing sequence numbers (never a stale one). */
#define NSLOTS 5 /* depth 3 */
static volatile int owner[NSLOTS];
static volatile unsigned seq_of[NSLOTS];
static struct lq shared;
static volatile int writer_done;
static int violations;

static void *writer(void *arg)
{
	unsigned n;

	(void)arg;
	for (n = 1; n <= 200000; n++) {
		int s = lq_acquire(&shared);
		if (s < 0 || __sync_lock_test_and_set(&owner[s], 1))
			__sync_fetch_and_add(&violations, 1);
		if (s < 0)
			continue;
		seq_of[s] = n;
		__sync_lock_release(&owner[s]);
		lq_publish(&shared, (unsigned)s);
	}
	writer_done = 1;
	return NULL;
}

static void t_latest_two_threads(void)
{
	pthread_t t;
	unsigned last = 0, taken = 0;

	lq_init(&shared, NSLOTS - 2);
	violations = 0;
	writer_done = 0;
	CHECK_EQ(pthread_create(&t, NULL, writer, NULL), 0);
	for (;;) {
		int done = writer_done;
		int s = lq_take(&shared);

		if (s < 0) {
			if (done)
				break; /* empty after the writer finished */
			continue;
		}
		if (__sync_lock_test_and_set(&owner[s], 1))
			violations++;
		if (seq_of[s] <= last)
			violations++;
		last = seq_of[s];
		taken++;
		__sync_lock_release(&owner[s]);
		lq_release(&shared, (unsigned)s);
	}
	pthread_join(t, NULL);
	CHECK_EQ(violations, 0);
	CHECK(taken > 0);
	CHECK_EQ(taken + shared.drops, 200000);     /* nothing lost uncounted */
}

/* Every depth the command line accepts (1..LQ_DEPTH_MAX, both ends
 * included): a producer far ahead of a consumer that holds one slot never
 * gets an index outside the slots, never -1, never the held slot. */
static void t_every_depth(void)
{
	struct lq l;
	unsigned d;

	CHECK(lq_init(&l, 0) < 0);
	CHECK(lq_init(&l, LQ_DEPTH_MAX + 1) < 0);
	for (d = 1; d <= LQ_DEPTH_MAX; d++) {
		int held, s, i;

		CHECK_EQ(lq_init(&l, d), 0);
		s = lq_acquire(&l);
		lq_publish(&l, (unsigned)s);
		held = lq_take(&l);                 /* the consumer keeps this one */
		CHECK(held >= 0);
		for (i = 0; i < 3 * (int)(d + 2); i++) {
			s = lq_acquire(&l);
			if (s < 0 || s >= (int)lq_slots(d) || s == held)
				printf("    depth %u: acquire %d (held %d)\n", d, s, held);
			CHECK(s >= 0 && s < (int)lq_slots(d) && s != held);
			lq_publish(&l, (unsigned)s);
		}
		CHECK_EQ(spsc_count(&l.pub), d);     /* full, the rest dropped */
		CHECK_EQ(l.drops, (uint64_t)(3 * (d + 2) - d));
		lq_release(&l, (unsigned)held);
		while ((s = lq_take(&l)) >= 0)
			lq_release(&l, (unsigned)s);
	}
}

static const struct unit_case cases[] = {
	UNIT(t_every_depth),
	UNIT(t_spsc_fifo),
	UNIT(t_latest_depth1_keeps_newest),
	UNIT(t_latest_depth3_drops_oldest),
	UNIT(t_latest_two_threads),
};
UNIT_MAIN(cases)
