/* SPDX-License-Identifier: GPL-2.0-or-later */
/* backoff.h - the one reconnect delay rule (RTMP, NATS, RTP name lookup).
 *
 * Exponential backoff with "equal jitter": the delay before attempt n is
 * uniform in [b/2, b] with b = min * 2^n capped at max, so a fleet that
 * lost its server together does not come back in lock step, and no
 * delay is ever below half the current step.  backoff_reset() after a
 * success starts again from min.
 */
#ifndef CVMMAP_BACKOFF_H
#define CVMMAP_BACKOFF_H

#include "util/prng.h"

struct backoff {
	unsigned min_ms, max_ms, cur_ms;
};

static inline void backoff_init(struct backoff *b, unsigned min_ms, unsigned max_ms)
{
	b->min_ms = min_ms ? min_ms : 1;
	b->max_ms = max_ms < b->min_ms ? b->min_ms : max_ms;
	b->cur_ms = b->min_ms;
}

static inline void backoff_reset(struct backoff *b)
{
	b->cur_ms = b->min_ms;
}

/* The delay before the next attempt, in ms; the step then doubles. */
static inline unsigned backoff_next(struct backoff *b, struct prng *r)
{
	unsigned cur = b->cur_ms, delay = cur / 2 + prng_u32(r) % (cur - cur / 2 + 1);

	b->cur_ms = cur > b->max_ms / 2 ? b->max_ms : cur * 2;
	return delay;
}

#endif
