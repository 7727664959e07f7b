/* SPDX-License-Identifier: GPL-2.0-or-later */
/* au.h - an encoded access unit as it travels from encoder to sinks. */
#ifndef CVMMAP_AU_H
#define CVMMAP_AU_H

#include "codec/paramsets.h"

#include <stddef.h>
#include <stdint.h>

/* Annex B bytes with parameter sets in-band before every keyframe.
 * data points at a buffer of cap bytes owned by whoever filled the AU
 * (the hand-off slot the encoder wrote into, a passthrough copy); sinks
 * only read.  The AU is scanned once, on the encode thread (au_scan):
 * sinks use keyframe, ps and ps_gen and never parse it again to find
 * those. */
struct access_unit {
	uint8_t *data;
	size_t size, cap;
	int codec;              /* enum codec_id: 0 H.264, 1 H.265 */
	int keyframe;           /* IDR / IRAP */
	uint64_t pts_ns;        /* presentation time, monotonic per stream */
	uint64_t dts_ns;        /* decode time (== pts without B-frames) */
	uint64_t capture_ns;    /* producer's capture timestamp (its domain) */
	uint64_t sync_mono_ns;  /* CLOCK_MONOTONIC when the frame was announced */
	uint64_t encoded_mono_ns; /* CLOCK_MONOTONIC when the encode stage handed it over */
	uint32_t frame_id;
	uint32_t width, height;
	uint32_t seq;           /* AU counter, for drop accounting */
	uint64_t tag;           /* the encoded frame's yuv_frame.tag (B-frames
				 * come out later than they went in) */
	int discontinuity;      /* first AU after a reset/restart/reconfigure */
	/* found once by au_scan() on the encode thread */
	struct param_sets ps;   /* parameter sets inside data (n == 0: absent) */
	int has_ps;             /* every set the codec needs is in data */
	/* set by the I/O thread from the parameter-set cache (pscache.h) */
	uint32_t ps_gen;        /* generation of the sets in force for this AU */
};

/* Find the parameter sets of au->data once (has_ps, ps). */
static inline void au_scan(struct access_unit *au)
{
	au->has_ps = paramsets_extract(au->codec, au->data, au->size, &au->ps) == 0;
}

#endif
