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

#endif
