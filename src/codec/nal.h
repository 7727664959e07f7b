/* SPDX-License-Identifier: GPL-2.0-or-later */
/* nal.h - H.264/H.265 Annex B access units: NAL scanning and types (pure).
 *
 * An access unit (AU) travels through the streamer as Annex B bytes:
 * start codes (00 00 01 or 00 00 00 01) before each NAL unit, parameter
 * sets in-band before every keyframe.  Sinks walk it with annexb_next().
 */
#ifndef CVMMAP_NAL_H
#define CVMMAP_NAL_H

#include <stddef.h>
#include <stdint.h>

/* One NAL unit: header included, start code and trailing zero bytes
 * excluded.  Points into the caller's buffer. */
struct nal {
	const uint8_t *p;
	size_t n;
};

/* Find the NAL unit at or after p.  Returns the cursor for the next call,
 * or NULL when no further NAL unit exists (out untouched).  Tolerates
 * leading garbage before the first start code by skipping it. */
const uint8_t *annexb_next(const uint8_t *p, const uint8_t *end, struct nal *out);

/* H.264 (ITU-T H.264 7.3.1): nal_unit_type = low 5 bits of byte 0. */
enum {
	H264_NAL_SLICE = 1, H264_NAL_IDR = 5, H264_NAL_SEI = 6,
	H264_NAL_SPS = 7, H264_NAL_PPS = 8, H264_NAL_AUD = 9,
};
/* H.265 (ITU-T H.265 7.3.1.2): nal_unit_type = bits 1..6 of byte 0. */
enum {
	H265_NAL_BLA_W_LP = 16, H265_NAL_CRA = 21, H265_NAL_IRAP_MAX = 23,
	H265_NAL_VPS = 32, H265_NAL_SPS = 33, H265_NAL_PPS = 34,
	H265_NAL_AUD = 35, H265_NAL_SEI_PREFIX = 39, H265_NAL_SEI_SUFFIX = 40,
};

static inline int h264_nal_type(const struct nal *n)
{
	return n->n ? n->p[0] & 0x1f : -1;
}

static inline int h265_nal_type(const struct nal *n)
{
	return n->n ? (n->p[0] >> 1) & 0x3f : -1;
}

/* codec: 0 = H.264, 1 = H.265 (enum codec_id in config/opts.h). */
int nal_type(int codec, const struct nal *n);

/* True for H.264 IDR slices and H.265 IRAP pictures (types 16..23). */
int nal_is_keyframe(int codec, const struct nal *n);

/* True when any NAL of the Annex B AU is a keyframe NAL. */
int annexb_is_keyframe(int codec, const uint8_t *p, size_t n);

/* True for coded-slice NAL units (H.264 types 1..5, H.265 types 0..31). */
int nal_is_vcl(int codec, const struct nal *n);

/* True for an access unit delimiter of either codec.  The two forms cannot
 * be confused: an H.264 AUD is exactly 2 bytes starting 0x09, an H.265 AUD
 * exactly 3 bytes starting 0x46/0x47 (type 35). */
int nal_is_aud(const struct nal *n);

/* Emulation prevention (H.264 7.4.1 / H.265 7.4.2): inside a NAL unit every
 * 00 00 followed by 00..03 is written 00 00 03 xx.
 *
 * nal_unescape: NAL bytes -> RBSP (drops each 03 that follows 00 00).
 * nal_escape:   RBSP -> NAL bytes (inserts the 03s; appends one when the
 *               data ends in 00 00, i.e. a cabac_zero_word).
 * Both return the bytes written to out[cap], or (size_t)-1 when cap is too
 * small (out then holds a prefix).  in and out must not overlap. */
size_t nal_unescape(const uint8_t *in, size_t n, uint8_t *out, size_t cap);
size_t nal_escape(const uint8_t *in, size_t n, uint8_t *out, size_t cap);

/* annexb_to_lp flags. */
enum { LP_DROP_AUD = 1 };

/* Rewrite an Annex B AU as NAL units each preceded by a 4-byte big-endian
 * length (ISO/IEC 14496-15 sample format with lengthSizeMinusOne = 3, as in
 * avcC/hvcC, FLV and MP4).  Leading garbage and trailing zero bytes are
 * dropped; LP_DROP_AUD leaves out access unit delimiters.  Returns the
 * bytes written to out[cap] or -ENOSPC. */
int annexb_to_lp(const uint8_t *au, size_t n, int flags, uint8_t *out, size_t cap);

/* Walk 4-byte length-prefixed NAL units (the inverse of annexb_to_lp).
 * Returns the cursor for the next call, or NULL at the end or when a
 * length runs past end (a truncated buffer). */
const uint8_t *lp_next(const uint8_t *p, const uint8_t *end, struct nal *out);

#endif
