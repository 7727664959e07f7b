/* SPDX-License-Identifier: GPL-2.0-or-later */
/* enc_x264.c - H.264 through the libx264 C API (enc_priv.h back-end).
 *
 * Zero-latency settings: tune "zerolatency" (no lookahead, no frame
 * threads: sliced threads, so one AU per frame), keyint_min = keyint =
 * gop with scenecut off so keyframes land exactly every gop frames,
 * SPS/PPS repeated before every IDR, Annex B output.  With threads == 1
 * every picture is one slice; with more threads x264 cuts one slice per
 * thread (still one AU per frame, still no added delay).
 *
 * The input planes are handed to x264 as they are, so nothing is copied
 * or allocated per frame on our side.  NV12 is preferred: it is x264's
 * own frame layout, so taking the picture in is two plane copies, where
 * I420 costs it an interleave of the chroma planes.
 */
#include "codec/enc_priv.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <x264.h>

struct x264be {
	x264_t *h;
	int have_first;
	int64_t first_pts;      /* pts of the first frame given */
	int64_t shift;          /* added to pts/dts so dts starts there */
	int have_shift;
};

static int x264be_open(void **out, const struct encoder_cfg *cfg, char *why, size_t whylen)
{
	struct x264be *s;
	x264_param_t p;

	if (x264_param_default_preset(&p, enc_preset_name(cfg->preset), "zerolatency") < 0) {
		snprintf(why, whylen, "unknown preset");
		return -EINVAL;
	}
	p.i_log_level = X264_LOG_ERROR;
	p.i_csp = X264_CSP_I420;
	p.i_width = (int)cfg->width;
	p.i_height = (int)cfg->height;
	p.i_fps_num = cfg->fps_num;
	p.i_fps_den = cfg->fps_den;
	/* Timestamps are our nanoseconds, passed through untouched. */
	p.i_timebase_num = 1;
	p.i_timebase_den = 1000000000;
	p.b_vfr_input = 0;
	p.i_threads = cfg->threads > 0 ? cfg->threads : X264_THREADS_AUTO;
	p.b_sliced_threads = 1;
	p.i_slice_count = 0;
	p.i_keyint_max = cfg->gop;
	p.i_keyint_min = cfg->gop;
	p.i_scenecut_threshold = 0;
	p.b_open_gop = 0;
	p.i_bframe = cfg->b_frames;
	p.i_bframe_adaptive = X264_B_ADAPT_NONE;
	p.rc.i_lookahead = 0;
	p.b_repeat_headers = 1;
	p.b_annexb = 1;
	if (cfg->bitrate_kbps > 0) {
		p.rc.i_rc_method = X264_RC_ABR;
		p.rc.i_bitrate = cfg->bitrate_kbps;
		p.rc.i_vbv_max_bitrate = cfg->bitrate_kbps;
		p.rc.i_vbv_buffer_size = enc_vbv_kbit(cfg);
	} else {
		p.rc.i_rc_method = X264_RC_CRF;
		if (cfg->quality >= 0)
			p.rc.f_rf_constant = (float)cfg->quality;
	}
	s = calloc(1, sizeof *s);
	if (!s)
		return -ENOMEM;
	s->h = x264_encoder_open(&p);
	if (!s->h) {
		snprintf(why, whylen, "x264_encoder_open rejected the settings");
		free(s);
		return -EINVAL;
	}
	*out = s;
	return 0;
}

static void x264be_close(void *st)
{
	struct x264be *s = st;

	if (!s)
		return;
	x264_encoder_close(s->h);
	free(s);
}

/* x264 already writes start codes (b_annexb): the AU is the payloads
 * of all NAL units of the picture, in order.  With B-frames x264's first
 * DTS values lie before the first PTS (negative): the whole output is
 * shifted by that reorder delay once, so DTS starts at the first frame's
 * PTS, keeps rising strictly and stays <= PTS. */
static int x264be_output(struct x264be *s, x264_nal_t *nal, int nnal,
			 const x264_picture_t *out, struct access_unit *au)
{
	int i;

	for (i = 0; i < nnal; i++)
		if (enc_au_append(au, nal[i].p_payload, (size_t)nal[i].i_payload) < 0)
			return -EMSGSIZE;
	if (!s->have_shift) {
		s->shift = out->i_dts < s->first_pts ? s->first_pts - out->i_dts : 0;
		s->have_shift = 1;
	}
	au->keyframe = out->b_keyframe;
	au->pts_ns = (uint64_t)(out->i_pts + s->shift);
	au->dts_ns = (uint64_t)(out->i_dts + s->shift);
	au->tag = (uint64_t)(uintptr_t)out->opaque;
	return 1;
}

static int x264be_encode(void *st, const struct yuv_frame *in, int force_idr,
			 struct access_unit *au)
{
	struct x264be *s = st;
	x264_picture_t pic, out;
	x264_nal_t *nal;
	int nnal, i, n;

	x264_picture_init(&pic);
	pic.img.i_csp = in->layout == PIX_NV12 ? X264_CSP_NV12 : X264_CSP_I420;
	pic.img.i_plane = in->layout == PIX_NV12 ? 2 : 3;
	for (i = 0; i < pic.img.i_plane; i++) {
		pic.img.plane[i] = in->plane[i];
		pic.img.i_stride[i] = (int)in->stride[i];
	}
	pic.i_pts = (int64_t)in->pts_ns;
	pic.i_type = force_idr ? X264_TYPE_IDR : X264_TYPE_AUTO;
	pic.opaque = (void *)(uintptr_t)in->tag;
	if (!s->have_first) {
		s->first_pts = pic.i_pts;
		s->have_first = 1;
	}
	n = x264_encoder_encode(s->h, &nal, &nnal, &pic, &out);
	if (n < 0)
		return -EIO;
	if (n == 0)
		return 0;
	return x264be_output(s, nal, nnal, &out, au);
}

/* The frames x264 still holds (B-frames), one per call. */
static int x264be_flush(void *st, struct access_unit *au)
{
	struct x264be *s = st;
	x264_picture_t out;
	x264_nal_t *nal;
	int nnal, n;

	while (x264_encoder_delayed_frames(s->h) > 0) {
		n = x264_encoder_encode(s->h, &nal, &nnal, NULL, &out);
		if (n < 0)
			return -EIO;
		if (n > 0)
			return x264be_output(s, nal, nnal, &out, au);
	}
	return 0;
}

const struct enc_ops enc_x264_ops = {
	.name = "x264",
	.layout = PIX_NV12,
	.codecs = ENC_CODEC(CODEC_H264),
	.open = x264be_open,
	.close = x264be_close,
	.encode = x264be_encode,
	.flush = x264be_flush,
};
