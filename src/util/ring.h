/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ring.h - fixed-size hand-offs between the streamer's threads.
 *
 * Only small slot indices move; the slots themselves (frame buffers,
 * access-unit buffers) are allocated once by the owner, and only the
 * holder of an index touches its slot.
 *
 * struct spsc  bounded FIFO of indices for one producer and one consumer,
 *              lock-free.  spsc_pop_shared() may also be called by the
 *              producer (to drop the oldest entry): head moves by CAS.
 *
 * struct lq    "latest wins" queue of depth N over N + 2 slots: the
 *              producer always has a slot to fill; publishing into a full
 *              queue drops the oldest entry (counted) and reuses its slot.
 *              Depth 1 is a triple buffer: the reader always gets the
 *              newest frame.  Lock-free on both sides.
 *              A start-up hold lets up to "hold" entries wait instead
 *              until the consumer says it has started (its first encoder
 *              is open) and has caught up below the depth: the frames
 *              that arrive while an encoder opens are encoded, not lost.
 */
#ifndef CVMMAP_RING_H
#define CVMMAP_RING_H

#include <stdint.h>

/* Index cells of one FIFO.  A latest-wins queue of depth N keeps N + 2
 * slots in its free FIFO, so the deepest queue is LQ_DEPTH_MAX, and that
 * is the range of --queue-size (cli.c takes it from here). */
#define SPSC_MAX 128
#define LQ_DEPTH_MAX 64
#if LQ_DEPTH_MAX + 2 > SPSC_MAX
#error "LQ_DEPTH_MAX + 2 slots must fit SPSC_MAX index cells"
#endif

struct spsc {
	uint32_t head;    /* next to pop (atomic) */
	uint32_t tail;    /* next to push (producer-owned, atomic) */
	uint32_t cap;     /* <= SPSC_MAX */
	uint16_t idx[SPSC_MAX];
};

void spsc_init(struct spsc *q, unsigned cap);
int spsc_push(struct spsc *q, unsigned v);     /* 0, or -1 when full */
int spsc_pop_shared(struct spsc *q);           /* index, or -1 when empty */
unsigned spsc_count(const struct spsc *q);

struct lq {
	struct spsc pub;   /* published slots, oldest first; pub.cap is the
			      depth in force (producer-owned) */
	struct spsc free;  /* slots the consumer gave back */
	int spare;         /* producer: a dropped slot to refill, or -1 */
	uint32_t depth;    /* the depth once the hold is over */
	int holding;       /* producer: the start-up hold is in force */
	int started;       /* consumer: lq_started() was called (atomic) */
	uint64_t drops;    /* published slots dropped unread (producer-owned) */
};

/* The queue holds max(depth, hold) entries; slots 0 .. that + 1 exist. */
static inline unsigned lq_slots(unsigned depth, unsigned hold)
{
	return (depth > hold ? depth : hold) + 2;
}
/* depth 1 .. LQ_DEPTH_MAX, hold 0 .. LQ_DEPTH_MAX (0: no hold).  0, or
 * -EINVAL outside those ranges (nothing is set up then). */
int lq_init(struct lq *l, unsigned depth, unsigned hold);
/* Consumer: it keeps up now; the hold ends once fewer than depth wait. */
void lq_started(struct lq *l);
/* Producer: a slot to fill (never fails for a queue lq_init() accepted:
 * lq_slots() slots, the consumer holds <= 1, pub <= pub.cap). */
int lq_acquire(struct lq *l);
/* Producer: give back an acquired slot without publishing it. */
static inline void lq_unacquire(struct lq *l, unsigned slot) { l->spare = (int)slot; }
/* Producer: publish a filled slot; returns 1 if the oldest was dropped. */
int lq_publish(struct lq *l, unsigned slot);
/* Consumer: the oldest published slot, or -1 when none. */
int lq_take(struct lq *l);
/* Consumer: hand a taken slot back once done with it. */
void lq_release(struct lq *l, unsigned slot);

#endif
