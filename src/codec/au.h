/* SPDX-License-Identifier: GPL-2.0-or-later */
/* au.h - an encoded access unit as it travels from encoder to sinks. */
#ifndef CVMMAP_AU_H
#define CVMMAP_AU_H

#include <stddef.h>
#include <stdint.h>

/* Annex B bytes with parameter sets in-band before every keyframe.
 * data points at a buffer of cap bytes owned by whoever filled the AU
 * (encoder output slot, passthrough copy, ring slot); sinks only read. */
struct access_unit {
	uint8_t *data;
	size_t size, cap;
	int codec;              /* enum codec_id: 0 H.264, 1 H.265 */
	int keyframe;           /* IDR / IRAP */
	uint64_t pts_ns;        /* presentation time, monotonic per stream */
	uint64_t dts_ns;        /* decode time (== pts without B-frames) */
	uint64_t capture_ns;    /* producer's capture timestamp (its domain) */
	uint64_t sync_mono_ns;  /* CLOCK_MONOTONIC when the frame was announced */
	uint32_t frame_id;
	uint32_t width, height;
	uint32_t seq;           /* AU counter, for drop accounting */
	int discontinuity;      /* first AU after a reset/restart/reconfigure */
};

#endif
