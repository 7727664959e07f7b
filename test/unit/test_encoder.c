/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_encoder.c - x264 and x265 back-ends through encoder.h.
 *
 * Small synthetic I420 frames (160x96): one AU per frame, keyframes
 * exactly every gop frames and on demand, parameter sets in-band before
 * every keyframe (checked by walking NAL types with nal.h), dts == pts
 * without B-frames, both rate-control modes, NV12 == I420 output.
 * Decodability with ffmpeg is checked in test/suites/encoder.sh.
 */
#include "unit.h"
#include "codec/encoder.h"
#include "config/opts.h"
#include "enc_testlib.h"
#include "util/log.h"

#include <errno.h>

#define W 160
#define H 96
#define MAXF 24

static uint8_t frame_buf[W * H * 3 / 2], nv12_buf[W * H * 3 / 2];
static uint8_t copy[MAXF][64 * 1024];

struct run {
	int n_au, key[MAXF], ps[MAXF], slices[MAXF], key_nal[MAXF];
	size_t size[MAXF], total;
	uint64_t pts[MAXF], dts[MAXF];
	uint32_t seq[MAXF];
	int frame_of[MAXF];
};

static void need(int codec)
{
	if (codec == CODEC_H264 && !CONFIG_ENC_X264)
		UNIT_SKIP("CONFIG_ENC_X264=n");
	if (codec == CODEC_H265 && !CONFIG_ENC_X265)
		UNIT_SKIP("CONFIG_ENC_X265=n");
	log_set_level(LOG_WARN);
}

static struct encoder_cfg cfg_of(int codec)
{
	struct encoder_cfg c = { codec, ENCDEV_SOFTWARE, PRESET_ULTRAFAST, W, H, 25, 1,
				 8, 0, 0, -1, 1, NULL };

	return c;
}

/* Encode n synthetic frames (IDR forced before frame force_at, odd
 * frames as NV12 when nv12) and record every AU in r. */
static void encode_n(const struct encoder_cfg *c, int n, int force_at, int nv12, struct run *r)
{
	struct encoder *e;
	struct access_unit au = { 0 };   /* data NULL: the encoder's own buffer */
	struct yuv_frame f, g;
	int i, ret;

	memset(r, 0, sizeof *r);
	CHECK_EQ(encoder_open(&e, c), 0);
	CHECK_STR(encoder_name(e), c->codec == CODEC_H265 ? "x265" : "x264");
	for (i = 0; i < n; i++) {
		struct au_shape sh;

		synth_i420(&f, frame_buf, W, H, (uint32_t)i);
		if (nv12 && i % 2)
			i420_to_nv12(&f, &g, nv12_buf);
		if (i == force_at)
			encoder_force_keyframe(e);
		ret = encoder_encode(e, nv12 && i % 2 ? &g : &f, &au);
		CHECK(ret == 0 || ret == 1);
		if (ret == 0)
			continue;
		CHECK(au.size > 0 && au.size <= sizeof copy[0]);
		sh = au_shape_of(c->codec, au.data, au.size);
		memcpy(copy[r->n_au], au.data, au.size);
		r->key[r->n_au] = au.keyframe;
		r->key_nal[r->n_au] = sh.keyframe_nal;
		r->ps[r->n_au] = sh.ps_before_key;
		r->slices[r->n_au] = sh.slices;
		r->size[r->n_au] = au.size;
		r->pts[r->n_au] = au.pts_ns;
		r->dts[r->n_au] = au.dts_ns;
		r->seq[r->n_au] = au.seq;
		r->frame_of[r->n_au] = i;
		r->total += au.size;
		CHECK_EQ(au.codec, c->codec);
		CHECK_EQ(au.width, W);
		r->n_au++;
	}
	encoder_close(e);
}

/* One AU per frame, keyframes at 0, gop, 2*gop (+ force_at), each with
 * parameter sets before the IDR/IRAP NAL, one slice, dts == pts. */
static void gop_exact(int codec, int force_at)
{
	struct encoder_cfg c = cfg_of(codec);
	struct run r;
	int i, since = 0;

	need(codec);
	encode_n(&c, 20, force_at, 0, &r);
	CHECK_EQ(r.n_au, 20);
	for (i = 0; i < 20; i++) {
		int want = i == 0 || i == force_at || since == c.gop;

		since = want ? 1 : since + 1;
		CHECK_EQ(r.frame_of[i], i);
		CHECK_EQ(r.seq[i], i);
		CHECK_EQ(r.key[i], want);
		CHECK_EQ(r.key_nal[i], want);
		CHECK_EQ(r.ps[i], want);
		CHECK_EQ(r.slices[i], 1);
		CHECK_EQ(r.pts[i], (uint64_t)i * 40000000u);
		CHECK_EQ(r.dts[i], r.pts[i]);
	}
}

static void t_x264_gop_exact(void) { gop_exact(CODEC_H264, -1); }
static void t_x265_gop_exact(void) { gop_exact(CODEC_H265, -1); }
static void t_x264_force_keyframe(void) { gop_exact(CODEC_H264, 5); }
static void t_x265_force_keyframe(void) { gop_exact(CODEC_H265, 5); }

/* CRF reaches the encoder: a high CRF gives a smaller stream than a low one. */
static void crf_order(int codec)
{
	struct encoder_cfg c = cfg_of(codec);
	struct run lo, hi;

	need(codec);
	c.quality = 12;
	encode_n(&c, 8, -1, 0, &lo);
	c.quality = 45;
	encode_n(&c, 8, -1, 0, &hi);
	CHECK_EQ(lo.n_au, 8);
	CHECK_EQ(hi.n_au, 8);
	CHECK(hi.total * 2 < lo.total);
}

static void t_x264_crf(void) { crf_order(CODEC_H264); }
static void t_x265_crf(void) { crf_order(CODEC_H265); }

/* Bitrate mode (ABR + VBV) opens and keeps GOP/parameter-set rules; a
 * low bitrate gives a smaller stream than a high one. */
static void bitrate_mode(int codec)
{
	struct encoder_cfg c = cfg_of(codec);
	struct run lo, hi;

	need(codec);
	c.bitrate_kbps = 50;
	encode_n(&c, 16, -1, 0, &lo);
	c.bitrate_kbps = 4000;
	encode_n(&c, 16, -1, 0, &hi);
	CHECK_EQ(lo.n_au, 16);
	CHECK_EQ(lo.key[8], 1);
	CHECK(lo.ps[8]);
	CHECK(lo.total < hi.total);
}

static void t_x264_bitrate(void) { bitrate_mode(CODEC_H264); }
static void t_x265_bitrate(void) { bitrate_mode(CODEC_H265); }

/* The same picture as NV12 or I420 gives the same bytes (threads=1 is
 * deterministic), so the NV12 path hands over the right chroma. */
static void nv12_same(int codec)
{
	struct encoder_cfg c = cfg_of(codec);
	static uint8_t first[MAXF][64 * 1024];
	struct run a, b;
	int i;

	need(codec);
	encode_n(&c, 6, -1, 0, &a);
	for (i = 0; i < a.n_au; i++)
		memcpy(first[i], copy[i], a.size[i]);
	encode_n(&c, 6, -1, 1, &b);
	CHECK_EQ(a.n_au, 6);
	CHECK_EQ(b.n_au, 6);
	for (i = 0; i < 6; i++) {
		CHECK_EQ(a.size[i], b.size[i]);
		CHECK_MEM(first[i], copy[i], a.size[i]);
	}
}

static void t_x264_nv12(void) { nv12_same(CODEC_H264); }
static void t_x265_nv12(void) { nv12_same(CODEC_H265); }

/* With B-frames the encoder holds frames back (no flush API: the tail
 * stays buffered); output is reordered, dts never decreases and never
 * passes pts. */
static void t_x264_bframes(void)
{
	struct encoder_cfg c = cfg_of(CODEC_H264);
	struct run r;
	int i, reordered = 0;

	need(CODEC_H264);
	c.b_frames = 2;
	c.gop = 30;
	encode_n(&c, 20, -1, 0, &r);
	CHECK(r.n_au >= 16 && r.n_au < 20);
	CHECK_EQ(r.key[0], 1);
	for (i = 0; i < r.n_au; i++) {
		CHECK(r.dts[i] <= r.pts[i]);
		if (i)
			CHECK(r.dts[i] >= r.dts[i - 1]);
		reordered += i && r.pts[i] < r.pts[i - 1];
	}
	CHECK(reordered > 0);
}

static void t_bad_settings(void)
{
	struct encoder_cfg c = cfg_of(CODEC_H264);
	struct encoder *e = NULL;

	log_set_level(LOG_ERROR);
	c.width = 161;
	CHECK_EQ(encoder_open(&e, &c), -EINVAL);
	CHECK(e == NULL);
	c = cfg_of(CODEC_H264);
	c.gop = 0;
	CHECK_EQ(encoder_open(&e, &c), -EINVAL);
	c = cfg_of(CODEC_H264);
	c.fps_num = 0;
	CHECK_EQ(encoder_open(&e, &c), -EINVAL);
	c = cfg_of(7);
	CHECK_EQ(encoder_open(&e, &c), -EINVAL);
}

/* A frame of another size is refused without touching the encoder. */
static void t_wrong_frame_size(void)
{
	struct encoder_cfg c = cfg_of(CODEC_H264);
	struct encoder *e;
	struct access_unit au = { 0 };   /* data NULL: the encoder's own buffer */
	struct yuv_frame f;

	need(CODEC_H264);
	CHECK_EQ(encoder_open(&e, &c), 0);
	synth_i420(&f, frame_buf, W, H, 0);
	f.width = W / 2;
	CHECK_EQ(encoder_encode(e, &f, &au), -EINVAL);
	f.width = W;
	CHECK_EQ(encoder_encode(e, &f, &au), 1);
	encoder_close(e);
}

static const struct unit_case cases[] = {
	UNIT(t_x264_gop_exact),
	UNIT(t_x265_gop_exact),
	UNIT(t_x264_force_keyframe),
	UNIT(t_x265_force_keyframe),
	UNIT(t_x264_crf),
	UNIT(t_x265_crf),
	UNIT(t_x264_bitrate),
	UNIT(t_x265_bitrate),
	UNIT(t_x264_nv12),
	UNIT(t_x265_nv12),
	UNIT(t_x264_bframes),
	UNIT(t_bad_settings),
	UNIT(t_wrong_frame_size),
};

UNIT_MAIN(cases)
