/* SPDX-License-Identifier: GPL-2.0-or-later */
/* enc_priv.h - the back-end table behind encoder.h (private to src/codec).
 *
 * Each back-end (enc_x264.c, enc_x265.c, enc_nvenc.c) ends with one
 * const struct enc_ops; enc.c lists the ones Kconfig built in one ordered
 * table (hardware first, then software) and owns the choice between them
 * and the switch away from a silent hardware encoder.  A back-end only
 * turns one frame into Annex B bytes.
 */
#ifndef CVMMAP_ENC_PRIV_H
#define CVMMAP_ENC_PRIV_H

#include "codec/encoder.h"

#include <stddef.h>

/* Zero-latency rate control shared by the software back-ends: with
 * bitrate_kbps > 0 the VBV buffer holds ENC_VBV_FRAMES frame intervals
 * at the target rate (0.5 s at 30 fps), so a keyframe can be ~15 average
 * frames large while no half second exceeds the rate. */
#define ENC_VBV_FRAMES 15

/* Frames a hardware back-end may swallow before enc.c gives up on it
 * (encoder.h). */
#define ENC_HW_PROBE_FRAMES 60

/* What the last hardware back-end opened says about its device (node,
 * binding, formats, buffers), for the self-test; "" when none did. */
extern char enc_opened[256];

struct enc_ops {
	const char *name;           /* "x264", "x265", "nvenc" */
	int layout;                 /* preferred enum pix_layout */
	unsigned codecs;            /* ENC_CODEC(CODEC_H264) | ... it encodes */
	int hardware;               /* probed: see ENC_HW_PROBE_FRAMES */

	/* Open a session for cfg (width/height/codec already validated by
	 * enc.c).  On failure returns a negative errno and, when why is not
	 * NULL, one short reason ("libcuda.so.1: cannot open ...") that the
	 * caller logs; a back-end never logs its own open failure.
	 * -ENOENT: this machine has no such device at all, which auto mode
	 * passes over quietly (debug log only). */
	int (*open)(void **st, const struct encoder_cfg *cfg,
		    char *why, size_t whylen);
	void (*close)(void *st);

	/* Encode one frame (I420 or NV12, any stride).  force_idr asks for
	 * an IDR/IRAP with parameter sets.  On output writes Annex B bytes
	 * to au->data (cap au->cap, owned by enc.c) and fills size,
	 * keyframe, pts_ns, dts_ns; returns 1, or 0 when no AU came out,
	 * or a negative errno (-EMSGSIZE when the AU exceeds cap). */
	int (*encode)(void *st, const struct yuv_frame *in, int force_idr,
		      struct access_unit *au);

	/* End of input: return the next delayed frame (B-frames) like
	 * encode() does, 0 when none is left.  NULL: nothing is delayed. */
	int (*flush)(void *st, struct access_unit *au);
};

#define ENC_CODEC(c) (1u << (c))

extern const struct enc_ops enc_x264_ops;
extern const struct enc_ops enc_x265_ops;
extern const struct enc_ops enc_nvenc_ops;
extern const struct enc_ops enc_v4l2_ops;

/* Helpers shared by the back-ends (enc.c). */

/* x264/x265 preset name for enum x26x_preset; "ultrafast" when out of range. */
const char *enc_preset_name(int preset);

/* VBV buffer in kbit for bitrate_kbps at fps_num/fps_den (ENC_VBV_FRAMES). */
int enc_vbv_kbit(const struct encoder_cfg *cfg);

/* Append the n bytes at p to au (size += n); -EMSGSIZE when it would pass cap. */
int enc_au_append(struct access_unit *au, const void *p, size_t n);

#endif
