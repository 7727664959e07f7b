/* SPDX-License-Identifier: GPL-2.0-or-later */
/* enc_priv.h - the back-end table behind encoder.h (private to src/codec).
 *
 * Each back-end (enc_x264.c, enc_x265.c, enc_nvenc.c) ends with one
 * const struct enc_ops.  enc.c owns the choice between them, the output
 * buffer and the NVENC -> software switch; a back-end only turns one
 * frame into Annex B bytes.
 *
 * A back-end that Kconfig disabled is not compiled; enc.c then defines
 * its table with name only and open == NULL ("not built"), so nothing
 * here is ever referenced from an object that was not linked.
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

/* Frames NVENC may swallow before enc.c gives up on it (encoder.h). */
#define ENC_NVENC_PROBE_FRAMES 60

struct enc_ops {
	const char *name;           /* "x264", "x265", "nvenc" */
	int layout;                 /* preferred enum pix_layout */

	/* Open a session for cfg (width/height/codec already validated by
	 * enc.c).  On failure returns a negative errno and, when why is not
	 * NULL, one short reason ("libcuda.so.1: cannot open ...") that the
	 * caller logs; a back-end never logs its own open failure. */
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
};

extern const struct enc_ops enc_x264_ops;
extern const struct enc_ops enc_x265_ops;
extern const struct enc_ops enc_nvenc_ops;

/* Helpers shared by the back-ends (enc.c). */

/* x264/x265 preset name for enum x26x_preset; "ultrafast" when out of range. */
const char *enc_preset_name(int preset);

/* VBV buffer in kbit for bitrate_kbps at fps_num/fps_den (ENC_VBV_FRAMES). */
int enc_vbv_kbit(const struct encoder_cfg *cfg);

/* Append the n bytes at p to au (size += n); -EMSGSIZE when it would pass cap. */
int enc_au_append(struct access_unit *au, const void *p, size_t n);

#endif
