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

	lq_init(&l, 1, 0);
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

	lq_init(&l, 3, 0);
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
#define NSLOTS_HOLD 6 /* a hold of 6: 8 slots */
static volatile int owner[NSLOTS_HOLD + 2];
static volatile unsigned seq_of[NSLOTS_HOLD + 2];
static struct lq shared;
static volatile int writer_done;
static int violations;

static void *writer(void *arg)
{
	unsigned n;

	(void)arg;
	for (n = 1; n <= 200000; n++) {
		int s = lq_acquire(&shared);
		if (s < 0 || s >= NSLOTS_HOLD + 2 || __sync_lock_test_and_set(&owner[s], 1))
			__sync_fetch_and_add(&violations, 1);
		if (s < 0 || s >= NSLOTS_HOLD + 2)
			continue;
		seq_of[s] = n;
		__sync_lock_release(&owner[s]);
		lq_publish(&shared, (unsigned)s);
	}
	writer_done = 1;
	return NULL;
}

static void two_threads(unsigned hold)
{
	pthread_t t;
	unsigned last = 0, taken = 0;

	lq_init(&shared, NSLOTS - 2, hold);
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
		if (!taken)
			lq_started(&shared);
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

static void t_latest_two_threads(void)
{
	two_threads(0);
}

/* The hold in a race: the reader starts (lq_started) after its first
 * slot, the writer keeps going; nothing is lost uncounted, no slot is
 * shared, order holds. */
static void t_latest_two_threads_hold(void)
{
	two_threads(NSLOTS_HOLD);
}

/* Start-up hold: until the consumer has started, up to hold entries wait
 * (nothing dropped); after lq_started() the queue drains to depth and is
 * latest-wins again. */
static void t_hold(void)
{
	struct lq l;
	int s[12], i, held;

	CHECK_EQ(lq_init(&l, 1, 8), 0);
	CHECK_EQ(lq_slots(1, 8), 10u);
	held = lq_acquire(&l);                       /* the frame being encoded */
	lq_publish(&l, (unsigned)held);
	CHECK_EQ(lq_take(&l), held);
	for (i = 0; i < 8; i++) {                    /* arrive while it opens */
		s[i] = lq_acquire(&l);
		CHECK(s[i] >= 0 && s[i] < 10 && s[i] != held);
		CHECK_EQ(lq_publish(&l, (unsigned)s[i]), 0);
	}
	CHECK_EQ(l.drops, 0);
	s[8] = lq_acquire(&l);                       /* the 9th: hold full */
	CHECK_EQ(lq_publish(&l, (unsigned)s[8]), 1);
	CHECK_EQ(l.drops, 1);
	lq_release(&l, (unsigned)held);
	lq_started(&l);
	/* catching up: while depth or more wait, nothing more is dropped */
	for (i = 1; i <= 5; i++) {
		CHECK_EQ(lq_take(&l), s[i]);
		lq_release(&l, (unsigned)s[i]);
	}
	s[9] = lq_acquire(&l);
	CHECK_EQ(lq_publish(&l, (unsigned)s[9]), 0);
	CHECK_EQ(l.drops, 1);
	for (i = 6; i <= 9; i++) {
		CHECK_EQ(lq_take(&l), s[i]);
		lq_release(&l, (unsigned)s[i]);
	}
	CHECK_EQ(lq_take(&l), -1);
	/* caught up: depth 1, latest wins again */
	s[10] = lq_acquire(&l);
	CHECK_EQ(lq_publish(&l, (unsigned)s[10]), 0);
	s[11] = lq_acquire(&l);
	CHECK_EQ(lq_publish(&l, (unsigned)s[11]), 1);
	CHECK_EQ(l.pub.cap, 1u);
	CHECK_EQ(lq_take(&l), s[11]);
}

/* Every depth the command line accepts (1..LQ_DEPTH_MAX, both ends
 * included): a producer far ahead of a consumer that holds one slot never
 * gets an index outside the slots, never -1, never the held slot. */
static void t_every_depth(void)
{
	struct lq l;
	unsigned d;

	CHECK(lq_init(&l, 0, 0) < 0);
	CHECK(lq_init(&l, LQ_DEPTH_MAX + 1, 0) < 0);
	CHECK(lq_init(&l, 1, LQ_DEPTH_MAX + 1) < 0);
	for (d = 1; d <= LQ_DEPTH_MAX; d++) {
		int held, s, i;

		CHECK_EQ(lq_init(&l, d, 0), 0);
		s = lq_acquire(&l);
		lq_publish(&l, (unsigned)s);
		held = lq_take(&l);                 /* the consumer keeps this one */
		CHECK(held >= 0);
		for (i = 0; i < 3 * (int)(d + 2); i++) {
			s = lq_acquire(&l);
			if (s < 0 || s >= (int)lq_slots(d, 0) || s == held)
				printf("    depth %u: acquire %d (held %d)\n", d, s, held);
			CHECK(s >= 0 && s < (int)lq_slots(d, 0) && s != held);
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
	UNIT(t_latest_two_threads_hold),
	UNIT(t_hold),
};
UNIT_MAIN(cases)
