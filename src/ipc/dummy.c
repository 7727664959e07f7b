/* SPDX-License-Identifier: GPL-2.0-or-later */
/* dummy.c - the built-in frame generator (dummy.h). */
#include "ipc/dummy.h"
#include "ipc/cvmmap_meta.h"
#include "ipc/pattern.h"
#include "util/clock.h"

#include <errno.h>
#include <stdlib.h>

struct dummy {
	struct input_cfg cfg;
	uint64_t t0, period, n;
	struct input_stats st;
};

static int dummy_open(void **out, const struct input_cfg *c)
{
	struct dummy *d;

	*out = NULL;
	if (!c->width || !c->height || !c->fps)
		return -EINVAL;
	d = calloc(1, sizeof *d);
	if (!d)
		return -ENOMEM;
	d->cfg = *c;
	d->period = 1000000000ull / c->fps;
	d->t0 = clock_mono_ns();
	*out = d;
	return 0;
}

/* Frame n is due at t0 + n / fps; sleep towards it at most timeout_ms. */
static int dummy_next(void *st, int timeout_ms, struct frame_slot *s)
{
	struct dummy *d = st;
	uint64_t due = d->t0 + d->n * d->period, now = clock_mono_ns();
	uint32_t w = d->cfg.width, h = d->cfg.height;

	if (d->cfg.frames && d->n >= d->cfg.frames)
		return INPUT_END;
	if (due > now) {
		uint64_t wait = due - now, cap = (uint64_t)(timeout_ms > 0 ? timeout_ms : 0) * 1000000u;

		clock_sleep_ns(wait < cap ? wait : cap);
		if (clock_mono_ns() < due)
			return 0;
	}
	if ((size_t)w * 3 * h > s->pix_cap)
		return -EMSGSIZE;
	s->width = w;
	s->height = h;
	s->stride = w * 3;
	s->pixel_format = PIXFMT_BGR;
	s->has_yuv = 0;
	s->pix_size = (size_t)s->stride * h;
	cvmmap_dummy_pattern(s->pix, w, h, s->stride, (uint32_t)d->n);
	s->au_size = 0;
	s->au_codec = 0;
	s->au_keyframe = 0;
	s->au_pts_ns = 0;
	s->fps_num = d->cfg.fps;
	s->fps_den = 1;
	s->frame_id = (uint32_t)d->n;
	s->capture_ns = d->n * d->period;
	s->sync_mono_ns = clock_mono_ns();
	s->suspect = 0;
	s->reset = 0;
	d->n++;
	__atomic_store_n(&d->st.syncs, d->n, __ATOMIC_RELAXED);
	__atomic_store_n(&d->st.copied, d->n, __ATOMIC_RELAXED);
	return 1;
}

static void dummy_stats(const void *st, struct input_stats *out)
{
	const struct dummy *d = st;

	*out = (struct input_stats){ 0 };
	out->syncs = __atomic_load_n(&d->st.syncs, __ATOMIC_RELAXED);
	out->copied = __atomic_load_n(&d->st.copied, __ATOMIC_RELAXED);
}

static void dummy_close(void *st)
{
	free(st);
}

const struct input_ops dummy_input_ops = {
	.name = "dummy",
	.open = dummy_open,
	.next = dummy_next,
	.stats = dummy_stats,
	.close = dummy_close,
};
