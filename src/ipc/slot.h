/* SPDX-License-Identifier: GPL-2.0-or-later */
/* slot.h - a frame slot: one frame copied out of the producer (or made by
 * the dummy input), the unit the ingest -> encode hand-off moves. */
#ifndef CVMMAP_SLOT_H
#define CVMMAP_SLOT_H

#include "codec/encoder.h"

#include <stddef.h>
#include <stdint.h>

/* One copied frame.  Buffers are allocated once (frame_slot_alloc) and
 * reused; ingest_next only writes into them. */
struct frame_slot {
	/* LEFT plane, rows packed at stride (copied as in SHM) */
	uint8_t *pix;
	size_t pix_cap, pix_size;
	uint32_t width, height, stride;
	int pixel_format;          /* cv-mmap code: 0 RGB, 1 BGR, ... 6 YUYV */
	/* has_yuv: the input already converted the plane (width, height,
	 * stride and pixel_format still describe the source) and pix holds
	 * yuv, whose planes point into it; pix_size is then its size */
	int has_yuv;
	struct yuv_frame yuv;
	/* v2.1 encoded access unit (slot 3), Annex B */
	uint8_t *au;
	size_t au_cap, au_size;
	int au_codec;              /* 0 none, 1 H.264, 2 H.265 (as in SHM) */
	int au_keyframe;
	uint64_t au_pts_ns;        /* encoded_stream_pts_ns, 0 = unset */
	uint32_t fps_num, fps_den; /* 0 = unknown */
	/* identity and timing */
	uint32_t frame_id;
	uint64_t capture_ns;       /* producer timestamp (its own domain) */
	uint64_t sync_mono_ns;     /* CLOCK_MONOTONIC when the sync arrived */
	int suspect;               /* a newer sync arrived during the copy */
	int reset;                 /* counter/timestamp went back, restart, 0xB0 */
};

/* Allocate slot buffers once: pix_cap, au_cap bytes. 0 or -ENOMEM. */
int frame_slot_alloc(struct frame_slot *s, size_t pix_cap, size_t au_cap);
void frame_slot_free(struct frame_slot *s);

#endif
