/* SPDX-License-Identifier: GPL-2.0-or-later */
/* svo2.h - ZED SVO2 recordings: the side-by-side video channel of an MCAP.
 *
 * The layout is not published by Stereolabs; it follows public
 * reverse-engineering (docs/svo2-mp4.md §1, docs/zed.md) and is tested
 * on synthesised files only.
 *
 * Video message (little-endian, docs/svo2-mp4.md §1.2):
 *   0      u32 total_size = 4 + P + 56
 *   4      u32 payload_size P
 *   8      P bytes: one Annex B access unit (left|right side by side)
 *   8+P    56-byte footer:
 *          0x00 u32 width  0x04 u32 height  0x18 u64 timestamp
 *          0x20 u32 P      0x24 i32 frame_type (3 = keyframe)
 *          0x28 i32 last_keyframe_index     0x2C u32 frame_id
 */
#ifndef CVMMAP_SVO2_H
#define CVMMAP_SVO2_H

#include "zed/mcap.h"

#include <stddef.h>
#include <stdint.h>

#define SVO2_PREFIX 8
#define SVO2_FOOTER 56
#define SVO2_TOPIC_SUFFIX "/side_by_side"
#define SVO2_ENCODING "zed_sdk_encoded"

/* One parsed video message; au points into the message. */
struct svo2_frame {
	const uint8_t *au;
	size_t au_len;
	uint32_t width, height;         /* side-by-side size from the footer */
	uint64_t timestamp;             /* raw footer value (unit: see svo2_open) */
	int32_t frame_type;
	uint32_t frame_id;
	/* Filled by svo2_read(): */
	uint64_t ts_ns;                 /* strictly increasing, ns */
	int keyframe;                   /* from the NAL types */
	uint32_t index;                 /* position in log-time order */
};

/* Parse one message (pure).  Returns 0, -EINVAL (sizes inconsistent or
 * the message is cut), or -EPROTONOSUPPORT when the payload does not start
 * with an Annex B start code (LOSSLESS PNG/ZSTD mode). */
int svo2_frame_parse(const uint8_t *p, size_t n, struct svo2_frame *f);

/* Codec of an Annex B AU from the first NAL header (docs/svo2-mp4.md §1.4):
 * CODEC_H265 for VPS/SPS/PPS or a slice type, CODEC_H264 for SPS/PPS/IDR,
 * else -1. */
int svo2_detect_codec(const uint8_t *au, size_t n);

/* SVO v1 (ZED SDK < 4.1, ".svo", no MCAP magic) is refused: its layout is
 * published nowhere, neither by Stereolabs nor by reverse-engineering
 * (docs/zed.md "SVO v1"). */
#define SVO2_V1_FIX "convert it to SVO2 with ZED SDK 4.1 or newer first " \
	"(open it with the SDK and record it again)"
#define SVO2_V1_WHY "SVO v1 (ZED SDK < 4.1) is a proprietary format that is not " \
	"publicly documented; " SVO2_V1_FIX

/* True when path names an SVO v1 file by its extension (".svo", any case). */
int svo2_is_v1_name(const char *path);

struct svo2 {
	struct mcap m;
	int codec;                      /* enum codec_id */
	uint32_t width, height;         /* side-by-side, from the first footer */
	uint32_t n_frames;
	uint64_t ts_mul;                /* footer timestamp * ts_mul = ns; 0 = use log_time */
	uint64_t last_ts;               /* last ts_ns handed out (monotonic fix-up) */
	uint32_t last_index;
	uint32_t ts_fixed;              /* timestamps forced forward */
	char err[320];
};

/* Open an SVO2, find its side-by-side channel and check the first frame
 * (codec, LOSSLESS refusal, timestamp unit).  flags: MCAP_ALLOW_TRUNCATED.
 * Returns 0, or a negative errno with s->err set to one line naming the
 * file once (-EPROTONOSUPPORT for SVO v1 and other non-MCAP files, with
 * SVO2_V1_WHY).  s is always safe to svo2_close(). */
int svo2_open(struct svo2 *s, const char *path, int flags);

/* Frame i in log-time order.  f->au is valid until the next call.
 * Reading in increasing order makes ts_ns strictly increasing (a timestamp
 * that goes backwards is moved 1 ns past its predecessor and counted). */
int svo2_read(struct svo2 *s, uint32_t i, struct svo2_frame *f);

/* Nominal frame rate from the median log_time step (fps_num/fps_den). */
void svo2_frame_rate(const struct svo2 *s, uint32_t *num, uint32_t *den);

void svo2_close(struct svo2 *s);

#endif
