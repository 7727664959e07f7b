/* SPDX-License-Identifier: GPL-2.0-or-later */
/* encoder.h - one interface over every encoder back-end (x264, x265, NVENC, V4L2 M2M).
 *
 * encoder_open() picks a back-end deterministically from an ordered
 * table, hardware rows first (enc.c):
 *   ENCDEV_HW       the first hardware back-end that opens, or fail
 *   ENCDEV_NVENC    NVENC or fail
 *   ENCDEV_V4L2     a V4L2 M2M encoder (mainline or Jetson) or fail
 *   ENCDEV_SOFTWARE x264 (H.264) / x265 (H.265) or fail
 *   ENCDEV_AUTO     hardware if one opens, else software (logged once)
 * Failure to open any encoder returns -ENODEV (the caller exits 5).
 * (Passthrough of the producer's own AUs is the pipeline's choice, made
 * before any encoder is opened.)
 *
 * encoder_encode() takes one planar frame and may return an AU (zero
 * latency settings: normally one AU per frame, no B-frames by default).
 * Parameter sets are repeated in-band before every keyframe.  If a
 * hardware back-end produced no AU in its first 60 frames, the encoder
 * switches itself to software, logs once and forces an IDR; the caller
 * sees no gap in the API.
 */
#ifndef CVMMAP_ENCODER_H
#define CVMMAP_ENCODER_H

#include "codec/au.h"
#include "codec/codec.h"

#include <stddef.h>
#include <stdint.h>

/* --encoder-device: which back-end may encode (enc.c has the order). */
enum encoder_device {
	ENCDEV_AUTO,         /* passthrough, then hardware, then software */
	ENCDEV_NVENC,        /* NVENC or fail */
	ENCDEV_SOFTWARE,     /* x264 / x265 or fail */
	ENCDEV_PASSTHROUGH,  /* the producer's own access units or fail */
	ENCDEV_HW,           /* the first hardware back-end that opens, or fail */
	ENCDEV_V4L2,         /* a V4L2 memory-to-memory encoder or fail */
};
extern const char *const encoder_device_names[];

/* x264/x265 presets, fastest first. */
enum x26x_preset {
	PRESET_ULTRAFAST, PRESET_SUPERFAST, PRESET_VERYFAST, PRESET_FASTER,
	PRESET_FAST, PRESET_MEDIUM, PRESET_SLOW, PRESET_SLOWER
};
extern const char *const preset_names[];

enum pix_layout { PIX_I420, PIX_NV12 };

/* The smallest frame any encoder takes (x264/x265 need 16x16). */
#define ENC_MIN_DIM 16

/* A planar 8-bit 4:2:0 picture (I420: Y,U,V; NV12: Y,UV). */
struct yuv_frame {
	int layout;                  /* enum pix_layout */
	uint32_t width, height;      /* even */
	uint8_t *plane[3];
	uint32_t stride[3];
	uint64_t pts_ns;
	uint64_t tag;                /* returned in access_unit.tag of its AU */
};

struct encoder_cfg {
	int codec;          /* enum codec_id */
	int device;         /* enum encoder_device */
	int preset;         /* enum x26x_preset */
	uint32_t width, height;
	uint32_t fps_num, fps_den;
	int gop;
	int b_frames;
	int bitrate_kbps;   /* 0 = quality mode */
	int quality;        /* -1 = default */
	int threads;        /* 0 = auto */
	const char *v4l2_device; /* --v4l2-device node; NULL: probe */
};

struct encoder;

int encoder_open(struct encoder **out, const struct encoder_cfg *cfg);
/* Which back-end is running: "x264", "x265", "nvenc", "v4l2". */
const char *encoder_name(const struct encoder *e);
/* Preferred input layout of the running back-end. */
int encoder_input_layout(const struct encoder *e);
/* Ask for an IDR/IRAP on the next frame (sink reconnect, reset). */
void encoder_force_keyframe(struct encoder *e);
/* Encode one frame into the caller's buffer au->data[au->cap] (the
 * hand-off slot: the AU is written once; au->data NULL: into a buffer of
 * the encoder's, valid until the next call).  On success returns 1 and
 * fills the rest of au (keyframe, pts/dts, ...), or 0 when the encoder
 * kept the frame (B-frames).  Negative errno on failure (-EMSGSIZE: the
 * AU does not fit cap). */
int encoder_encode(struct encoder *e, const struct yuv_frame *in, struct access_unit *au);
/* End of input: the next delayed frame into au like encoder_encode(),
 * 0 when none is left.  Call until it returns 0. */
int encoder_flush(struct encoder *e, struct access_unit *au);
void encoder_close(struct encoder *e);

#endif
