/* SPDX-License-Identifier: GPL-2.0-or-later */
/* enc_x265.c - H.265 through the libx265 C API (enc_priv.h back-end).
 *
 * Zero-latency settings: tune "zerolatency" (no lookahead, one frame
 * thread, no B-frames unless cfg asks), keyint_min = keyint = gop,
 * scenecut off and closed GOPs so every keyframe is an IDR exactly every
 * gop frames, VPS/SPS/PPS repeated before each, one slice, Annex B.
 * Threads: 0 leaves x265's pool sizing alone, N sets "pools=N".
 *
 * x265 reads I420 only, so NV12 input is split into two chroma planes
 * allocated at open (the only copy; I420 planes are passed as they are).
 */
#include "codec/enc_priv.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <x265.h>

struct x265be {
	x265_param *p;
	x265_encoder *h;
	x265_picture pic, out;
	uint8_t *u, *v;         /* NV12 -> I420 chroma, width/2 x height/2 */
	uint32_t cw, ch;
	int have_first, have_shift;
	int64_t first_pts, shift;   /* as in enc_x264.c */
};

static void x265be_close(void *st)
{
	struct x265be *s = st;

	if (!s)
		return;
	if (s->h)
		x265_encoder_close(s->h);
	if (s->p)
		x265_param_free(s->p);
	free(s->u);
	free(s->v);
	free(s);
}

static int x265be_open(void **out, const struct encoder_cfg *cfg, char *why, size_t whylen)
{
	struct x265be *s;
	x265_param *p;
	char num[16];

	s = calloc(1, sizeof *s);
	if (!s)
		return -ENOMEM;
	s->cw = cfg->width / 2;
	s->ch = cfg->height / 2;
	s->u = malloc((size_t)s->cw * s->ch);
	s->v = malloc((size_t)s->cw * s->ch);
	s->p = p = x265_param_alloc();
	if (!s->u || !s->v || !p) {
		x265be_close(s);
		return -ENOMEM;
	}
	if (x265_param_default_preset(p, enc_preset_name(cfg->preset), "zerolatency") < 0) {
		snprintf(why, whylen, "unknown preset");
		x265be_close(s);
		return -EINVAL;
	}
	p->logLevel = X265_LOG_ERROR;
	p->sourceWidth = (int)cfg->width;
	p->sourceHeight = (int)cfg->height;
	p->internalCsp = X265_CSP_I420;
	p->fpsNum = cfg->fps_num;
	p->fpsDenom = cfg->fps_den;
	p->keyframeMax = cfg->gop;
	p->keyframeMin = cfg->gop;
	p->scenecutThreshold = 0;
	p->bOpenGOP = 0;
	p->bframes = cfg->b_frames;
	p->bFrameAdaptive = 0;
	/* x265 refuses a lookahead not greater than the B-frame run */
	p->lookaheadDepth = cfg->b_frames ? cfg->b_frames + 1 : 0;
	p->frameNumThreads = 1;
	p->maxSlices = 1;
	p->bRepeatHeaders = 1;
	p->bAnnexB = 1;
	p->bEmitInfoSEI = 0;
	if (cfg->threads > 0) {
		snprintf(num, sizeof num, "%d", cfg->threads);
		x265_param_parse(p, "pools", num);
	}
	if (cfg->bitrate_kbps > 0) {
		p->rc.rateControlMode = X265_RC_ABR;
		p->rc.bitrate = cfg->bitrate_kbps;
		p->rc.vbvMaxBitrate = cfg->bitrate_kbps;
		p->rc.vbvBufferSize = enc_vbv_kbit(cfg);
	} else {
		p->rc.rateControlMode = X265_RC_CRF;
		if (cfg->quality >= 0)
			p->rc.rfConstant = cfg->quality;
	}
	s->h = x265_encoder_open(p);
	if (!s->h) {
		snprintf(why, whylen, "x265_encoder_open rejected the settings");
		x265be_close(s);
		return -EINVAL;
	}
	x265_picture_init(p, &s->pic);
	x265_picture_init(p, &s->out);
	*out = s;
	return 0;
}

/* Split the interleaved UV plane of an NV12 frame into s->u / s->v. */
static void split_nv12(struct x265be *s, const struct yuv_frame *in)
{
	uint32_t x, y;

	for (y = 0; y < s->ch; y++) {
		const uint8_t *uv = in->plane[1] + (size_t)y * in->stride[1];
		uint8_t *u = s->u + (size_t)y * s->cw, *v = s->v + (size_t)y * s->cw;

		for (x = 0; x < s->cw; x++) {
			u[x] = uv[2 * x];
			v[x] = uv[2 * x + 1];
		}
	}
}

/* x265 writes start codes itself (bAnnexB): the AU is the payloads of
 * all NAL units of the picture, in order; DTS shifted as in enc_x264.c. */
static int x265be_output(struct x265be *s, x265_nal *nal, uint32_t nnal,
			 struct access_unit *au)
{
	uint32_t i;

	for (i = 0; i < nnal; i++)
		if (enc_au_append(au, nal[i].payload, nal[i].sizeBytes) < 0)
			return -EMSGSIZE;
	if (!s->have_shift) {
		s->shift = s->out.dts < s->first_pts ? s->first_pts - s->out.dts : 0;
		s->have_shift = 1;
	}
	au->keyframe = s->out.sliceType == X265_TYPE_IDR;
	au->pts_ns = (uint64_t)(s->out.pts + s->shift);
	au->dts_ns = (uint64_t)(s->out.dts + s->shift);
	au->tag = (uint64_t)(uintptr_t)s->out.userData;
	return 1;
}

static int x265be_encode(void *st, const struct yuv_frame *in, int force_idr,
			 struct access_unit *au)
{
	struct x265be *s = st;
	x265_nal *nal;
	uint32_t nnal, i;
	int n;

	s->pic.planes[0] = in->plane[0];
	s->pic.stride[0] = (int)in->stride[0];
	if (in->layout == PIX_NV12) {
		split_nv12(s, in);
		s->pic.planes[1] = s->u;
		s->pic.planes[2] = s->v;
		s->pic.stride[1] = s->pic.stride[2] = (int)s->cw;
	} else {
		for (i = 1; i < 3; i++) {
			s->pic.planes[i] = in->plane[i];
			s->pic.stride[i] = (int)in->stride[i];
		}
	}
	s->pic.pts = (int64_t)in->pts_ns;
	s->pic.sliceType = force_idr ? X265_TYPE_IDR : X265_TYPE_AUTO;
	s->pic.userData = (void *)(uintptr_t)in->tag;
	if (!s->have_first) {
		s->first_pts = s->pic.pts;
		s->have_first = 1;
	}
	n = x265_encoder_encode(s->h, &nal, &nnal, &s->pic, &s->out);
	if (n < 0)
		return -EIO;
	if (n == 0 || nnal == 0)
		return 0;
	return x265be_output(s, nal, nnal, au);
}

/* The frames x265 still holds (B-frames, lookahead), one per call. */
static int x265be_flush(void *st, struct access_unit *au)
{
	struct x265be *s = st;
	x265_nal *nal;
	uint32_t nnal = 0;
	int n = x265_encoder_encode(s->h, &nal, &nnal, NULL, &s->out);

	if (n < 0)
		return -EIO;
	if (n == 0 || nnal == 0)
		return 0;
	return x265be_output(s, nal, nnal, au);
}

const struct enc_ops enc_x265_ops = {
	.name = "x265",
	.layout = PIX_I420,
	.codecs = ENC_CODEC(CODEC_H265),
	.open = x265be_open,
	.close = x265be_close,
	.encode = x265be_encode,
	.flush = x265be_flush,
};
