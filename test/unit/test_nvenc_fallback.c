/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_nvenc_fallback.c - NVENC loader and fallback against the FAKE driver
 * libraries (test/fake/: they check our calling contract, not hardware).
 *
 * The binary's RPATH is $ORIGIN/../fake (enc.kbuild), so dlopen finds
 * the fakes; each case picks a failure with setenv(FAKE_NVENC_MODE /
 * FAKE_CUDA_MODE), read by the fakes on every call.  A missing library
 * and a missing symbol need another search path: test/suites/nvenc_fallback.sh.
 */
#include "unit.h"
#include "codec/encoder.h"
#include "config/opts.h"
#include "enc_testlib.h"
#include "util/log.h"

#include <errno.h>
#include <unistd.h>

#define W 160
#define H 96

static uint8_t frame_buf[W * H * 3 / 2], nv12_buf[W * H * 3 / 2];
static char logbuf[8192];
static struct log_capture cap;

/* Send stderr (the log) to a temporary file until capture_end(). */
static void capture_begin(void)
{
	log_capture_begin(&cap);
}

static const char *capture_end(void)
{
	return log_capture_end(&cap, logbuf, sizeof logbuf);
}

static struct encoder_cfg cfg_of(int codec, int device)
{
	return enc_test_cfg(codec, device, W, H);
}

static void reset_env(void)
{
	unsetenv("FAKE_NVENC_MODE");
	unsetenv("FAKE_CUDA_MODE");
}

static void need_nvenc(void)
{
	if (!CONFIG_NVENC)
		UNIT_SKIP("CONFIG_NVENC=n: no NVENC back-end to test");
	reset_env();
}

/* Encode frames 0..n-1 (force an IDR before frame force_at; odd frames
 * as NV12 when nv12), checking one AU per frame, keyframes exactly where
 * expected and parameter sets in-band before each keyframe. */
static void run_exact(struct encoder *e, int codec, int n, int gop, int force_at, int nv12)
{
	struct access_unit au = { 0 };   /* data NULL: the encoder's own buffer */
	struct yuv_frame f, g;
	int i, want_key, since = 0;

	for (i = 0; i < n; i++) {
		struct au_shape sh;

		synth_i420(&f, frame_buf, W, H, (uint32_t)i);
		if (nv12 && i % 2)
			i420_to_nv12(&f, &g, nv12_buf);
		if (i == force_at)
			encoder_force_keyframe(e);
		CHECK_EQ(encoder_encode(e, nv12 && i % 2 ? &g : &f, &au), 1);
		want_key = i == 0 || i == force_at || since == gop;
		since = want_key ? 1 : since + 1;
		sh = au_shape_of(codec, au.data, au.size);
		CHECK_EQ(au.keyframe, want_key);
		CHECK_EQ(sh.keyframe_nal, want_key);
		if (want_key)
			CHECK(sh.ps_before_key);
		CHECK_EQ(au.codec, codec);
		CHECK_EQ(au.pts_ns, f.pts_ns);
		CHECK_EQ(au.dts_ns, au.pts_ns);
		CHECK_EQ(au.seq, i);
	}
}

static void happy(int codec)
{
	struct encoder_cfg c = cfg_of(codec, ENCDEV_AUTO);
	struct encoder *e;
	const char *log;
	int ret;

	need_nvenc();
	capture_begin();
	ret = encoder_open(&e, &c);
	if (ret == 0)
		run_exact(e, codec, 14, 5, 7, 1);
	log = capture_end();
	CHECK_EQ(ret, 0);
	CHECK_STR(encoder_name(e), "nvenc");
	CHECK_EQ(encoder_input_layout(e), PIX_NV12);
	CHECK_EQ(count_str(log, "fake_nvenc:"), 0);     /* no contract violation */
	CHECK_EQ(count_str(log, " W "), 0);
	encoder_close(e);
}

static void t_happy_h264(void) { happy(CODEC_H264); }
static void t_happy_h265(void) { happy(CODEC_H265); }

/* One failure point: env=value makes the fake fail; open must fall back
 * to software with exactly one log line naming the reason. */
static void fallback_case(const char *env, const char *value, const char *reason)
{
	struct encoder_cfg c = cfg_of(CODEC_H264, ENCDEV_AUTO);
	struct encoder *e = NULL;
	const char *log;
	int ret;

	need_nvenc();
	if (!CONFIG_ENC_X264)
		UNIT_SKIP("CONFIG_ENC_X264=n: nothing to fall back to");
	setenv(env, value, 1);
	capture_begin();
	ret = encoder_open(&e, &c);
	if (ret == 0)
		run_exact(e, CODEC_H264, 7, 5, -1, 0);
	log = capture_end();
	reset_env();
	CHECK_EQ(ret, 0);
	CHECK_STR(encoder_name(e), "x264");
	CHECK_EQ(count_str(log, "nvenc unavailable ("), 1);
	CHECK(strstr(log, reason) != NULL);
	CHECK(strstr(log, "using x264") != NULL);
	CHECK_EQ(count_str(log, "fake_nvenc:"), 0);
	encoder_close(e);
}

static void t_old_version(void) { fallback_case("FAKE_NVENC_MODE", "old_version", "API 10.0, need 11.1"); }
static void t_entry_missing(void) { fallback_case("FAKE_NVENC_MODE", "no_symbol", "missing entry"); }
static void t_open_fails(void) { fallback_case("FAKE_NVENC_MODE", "open_fail", "nvEncOpenEncodeSessionEx"); }
static void t_init_fails(void) { fallback_case("FAKE_NVENC_MODE", "init_fail", "nvEncInitializeEncoder"); }
static void t_cuda_fails(void) { fallback_case("FAKE_CUDA_MODE", "init_fail", "CUDA init failed (error 100)"); }

/* --encoder-device nvenc never falls back: -ENODEV (the caller exits 5). */
static void t_device_nvenc_no_fallback(void)
{
	struct encoder_cfg c = cfg_of(CODEC_H265, ENCDEV_NVENC);
	struct encoder *e = (struct encoder *)&c;
	const char *log;
	int ret;

	need_nvenc();
	setenv("FAKE_NVENC_MODE", "open_fail", 1);
	capture_begin();
	ret = encoder_open(&e, &c);
	log = capture_end();
	reset_env();
	CHECK_EQ(ret, -ENODEV);
	CHECK(e == NULL);
	CHECK_EQ(count_str(log, "nvenc unavailable ("), 1);
	CHECK_EQ(count_str(log, "using"), 0);
}

/* NVENC opens but never produces: after 60 frames the same encoder
 * continues on software with an IDR, parameter sets and one log line. */
static void t_zero_output_switch(void)
{
	struct encoder_cfg c = cfg_of(CODEC_H264, ENCDEV_AUTO);
	struct encoder *e;
	struct access_unit au = { 0 };   /* data NULL: the encoder's own buffer */
	struct yuv_frame f;
	const char *log;
	int i, ret, got[70], key[70], ps[70], disc[70];

	need_nvenc();
	if (!CONFIG_ENC_X264)
		UNIT_SKIP("CONFIG_ENC_X264=n: nothing to switch to");
	c.gop = 30;
	setenv("FAKE_NVENC_MODE", "zero_output", 1);
	capture_begin();
	ret = encoder_open(&e, &c);
	for (i = 0; ret == 0 && i < 70; i++) {
		synth_i420(&f, frame_buf, W, H, (uint32_t)i);
		got[i] = encoder_encode(e, &f, &au);
		key[i] = got[i] == 1 && au.keyframe;
		ps[i] = got[i] == 1 && au_shape_of(CODEC_H264, au.data, au.size).ps_before_key;
		disc[i] = got[i] == 1 && au.discontinuity;
		if (got[i] == 1)
			CHECK_EQ(au.pts_ns, f.pts_ns);
	}
	log = capture_end();
	reset_env();
	CHECK_EQ(ret, 0);
	for (i = 0; i < 70; i++) {
		CHECK_EQ(got[i], i < 60 ? 0 : 1);   /* swallowed, then no gap */
		CHECK_EQ(key[i], i == 60);
		CHECK_EQ(ps[i], i == 60);
		CHECK_EQ(disc[i], i == 60);
	}
	CHECK_STR(encoder_name(e), "x264");
	CHECK_EQ(count_str(log, "switching to x264"), 1);
	CHECK_EQ(count_str(log, "nvenc unavailable"), 0);
	encoder_close(e);
}

static const struct unit_case cases[] = {
	UNIT(t_happy_h264),
	UNIT(t_happy_h265),
	UNIT(t_old_version),
	UNIT(t_entry_missing),
	UNIT(t_open_fails),
	UNIT(t_init_fails),
	UNIT(t_cuda_fails),
	UNIT(t_device_nvenc_no_fallback),
	UNIT(t_zero_output_switch),
};

UNIT_MAIN(cases)
