/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cvmmap_meta.h - the 256-byte cv-mmap SHM metadata region, v1/v2.0/v2.1.
 *
 * docs/contract.md §4.  cvmmap_meta_parse() is a pure validator over a
 * private 256-byte copy: it never reads the payload and never touches the
 * SHM.  It returns META_OK or the exact rule that failed (meta_reason_str)
 * and fills a normalised description in which v1 looks like a v2 frame
 * with one LEFT plane.  cvmmap_meta_build() writes the same description
 * back to bytes (the simulator and the tests use it).
 */
#ifndef CVMMAP_META_H
#define CVMMAP_META_H

#include <stddef.h>
#include <stdint.h>

#define CVMMAP_META_SIZE 256
#define CVMMAP_PAYLOAD_OFFSET 256
#define CVMMAP_PLANES 4
/* object_size value meaning "not known" (a metadata dump without SHM). */
#define CVMMAP_SIZE_UNKNOWN UINT64_MAX

extern const uint8_t cvmmap_magic[8];   /* "CV-MMAP\0" */

enum cvmmap_pixfmt {
	PIXFMT_RGB, PIXFMT_BGR, PIXFMT_RGBA, PIXFMT_BGRA, PIXFMT_GRAY,
	PIXFMT_YUV, PIXFMT_YUYV, PIXFMT_COUNT
};
enum cvmmap_depth {
	DEPTH_U8, DEPTH_S8, DEPTH_U16, DEPTH_S16, DEPTH_S32, DEPTH_F32,
	DEPTH_F64, DEPTH_F16, DEPTH_COUNT
};
enum cvmmap_plane_type {
	PLANE_LEFT, PLANE_DEPTH, PLANE_CONFIDENCE, PLANE_ENCODED_AU
};
enum cvmmap_au_codec { AU_CODEC_UNKNOWN, AU_CODEC_H264, AU_CODEC_H265 };
#define CVMMAP_AU_FLAG_KEYFRAME 0x0001
enum cvmmap_depth_unit { DEPTH_UNIT_UNKNOWN, DEPTH_UNIT_MM, DEPTH_UNIT_M };

/* Validation reasons: each names one rule of docs/contract.md §4.2 / 4.6. */
enum meta_reason {
	META_OK = 0,
	META_BAD_MAGIC,
	META_BAD_MAJOR,
	META_V1_ZERO_GEOMETRY,
	META_V1_BAD_FORMAT,
	META_V1_CHANNELS,
	META_V1_STRIDE_NOT_EXACT,
	META_V1_STRIDE_SHORT,
	META_V2_DESC_LAYOUT,
	META_V2_PLANE_COUNT,
	META_V2_MASK_NIBBLE,
	META_V2_PAYLOAD_ZERO,
	META_PAYLOAD_BEYOND_OBJECT,
	META_V2_DEPTH_UNIT,
	META_V20_MASK,
	META_V20_ONLY,
	META_V21_NO_LEFT,
	META_V21_COUNT,
	META_PLANE_ZERO,
	META_PLANE_TYPE,
	META_PLANE_FORMAT,
	META_PLANE_SLOT_FORMAT,
	META_PLANE_STRIDE,
	META_PLANE_SIZE,
	META_PLANE_BOUNDS,
	META_PLANE_NOT_PACKED,
	META_INACTIVE_NOT_ZERO,
	META_AU_CODEC,
	META_AU_FORMAT,
	META_AU_NEEDS_V21,
	META_REASON_COUNT
};

/* Parse flags. */
#define CVMMAP_META_V20_ONLY     0x1  /* behave as a v2.0-only parser */
#define CVMMAP_META_CONF_ANY_U8  0x2  /* Python rule: accept GRAY/U8 confidence */

/* Warnings (accepted, worth one log line). */
#define CVMMAP_META_WARN_V1_MINOR 0x1 /* v1 minor != 0 (C++ warns) */
#define CVMMAP_META_WARN_CONF_U8  0x2 /* U8 confidence accepted by flag */

struct cvmmap_plane {
	int active;
	uint8_t type, pixel_format, depth;
	uint32_t width, height, stride, offset, size;  /* offset from byte 256 */
};

struct cvmmap_meta {
	uint8_t major, minor;       /* as stored (0.0 is reported as 0.0) */
	int layout;                 /* 1 = v1 layout, 2 = v2 */
	uint16_t flags;
	uint32_t frame_id;          /* v1 frame_count */
	uint64_t capture_ns;        /* v1 timestamp_ns */
	uint64_t publish_seq;       /* v2 only */
	uint8_t channels;           /* v1 only (v2: from the LEFT format) */
	uint8_t plane_count, mask;  /* v1: 1, 0x01 */
	uint32_t payload_size;      /* v1 buffer_size */
	uint8_t depth_unit;
	struct cvmmap_plane plane[CVMMAP_PLANES];
	/* v2.1 encoded access unit extension (0x2D) */
	uint8_t au_codec, au_format;
	uint16_t au_flags;
	uint16_t fps_num, fps_den;
	uint64_t au_pts_ns;
	unsigned warn;              /* CVMMAP_META_WARN_* */
};

/* Validate the 256-byte copy m against object_size (fstat st_size of the
 * SHM object, or CVMMAP_SIZE_UNKNOWN).  Returns META_OK or a reason;
 * *out is filled as far as parsing got (fully on META_OK). */
int cvmmap_meta_parse(const uint8_t *m, uint64_t object_size, unsigned flags,
		      struct cvmmap_meta *out);
const char *meta_reason_str(int reason);
/* Short stable identifier for JSON output ("v2_plane_bounds"). */
const char *meta_reason_id(int reason);

/* Write meta as 256 bytes (layout 1 -> v1, 2 -> v2 with meta->minor).
 * Only the fields of that layout are used; everything else is zero. */
void cvmmap_meta_build(uint8_t *out, const struct cvmmap_meta *meta);

unsigned cvmmap_pixfmt_channels(unsigned pixfmt);  /* 0 if unknown */
unsigned cvmmap_depth_bytes(unsigned depth);       /* 0 if unknown */
const char *cvmmap_pixfmt_name(unsigned pixfmt);
const char *cvmmap_depth_name(unsigned depth);

#endif
