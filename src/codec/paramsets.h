/* SPDX-License-Identifier: GPL-2.0-or-later */
/* paramsets.h - parameter sets and decoder configuration records (pure).
 *
 * ISO/IEC 14496-15 records built from the parameter sets themselves
 * (docs/protocols.md §3), never from dummies.
 */
#ifndef CVMMAP_PARAMSETS_H
#define CVMMAP_PARAMSETS_H

#include "codec/nal.h"

#include <stddef.h>
#include <stdint.h>

/* Parameter sets found in an AU; pointers into the caller's buffer.
 * For H.264 vps is empty (n == 0). */
struct param_sets {
	struct nal vps, sps, pps;
};

/* Fill ps from the NAL units of an Annex B AU.  Returns 0 when every set
 * the codec needs is present (H.264: SPS+PPS; H.265: VPS+SPS+PPS), else
 * -ENOENT (ps then holds what was found). */
int paramsets_extract(int codec, const uint8_t *au, size_t n, struct param_sets *ps);

/* Byte-compare two sets (used to re-send sequence headers only on change). */
int paramsets_equal(const struct param_sets *a, const struct param_sets *b);

/* Parsed SPS fields. */
struct sps_info {
	unsigned width, height;         /* after conformance cropping */
	unsigned profile_idc, level_idc;
	unsigned constraint_flags;      /* H.264: the byte after profile_idc */
	unsigned chroma_format_idc;
	unsigned bit_depth_luma, bit_depth_chroma; /* 8, 10, ... */
	unsigned max_sub_layers;        /* H.265 */
	int temporal_id_nesting;        /* H.265 */
	uint8_t general_ptl[12];        /* H.265: RBSP bytes 1..12 of the SPS */
	int num_reorder;                /* frames that may precede another in
					 * decode order but follow it on screen
					 * (H.264 VUI max_num_reorder_frames,
					 * H.265 sps_max_num_reorder_pics);
					 * -1 when the SPS does not say */
};

/* Parse an SPS NAL (header included, emulation prevention present).
 * Returns 0 or -EINVAL. */
int sps_parse(int codec, const struct nal *sps, struct sps_info *out);

/* AVCDecoderConfigurationRecord / HEVCDecoderConfigurationRecord into
 * out[cap].  Returns the record length, -ENOSPC or -EINVAL. */
int avcc_build(const struct param_sets *ps, uint8_t *out, size_t cap);
int hvcc_build(const struct param_sets *ps, uint8_t *out, size_t cap);
#endif
