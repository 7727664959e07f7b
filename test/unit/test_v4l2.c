/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_v4l2.c - the V4L2 M2M encoder back-end against the FAKE device
 * (test/fake/fake_v4l2.c: a test double of a mainline stateful encoder
 * that checks our calling contract and encodes with x264; no hardware).
 *
 * The fake is installed as the back-end's only binding
 * (enc_v4l2_io_override); FAKE_V4L2_MODE picks its variant or failure.
 * Every case checks that the fake saw no contract violation.
 */
#include "unit.h"
#include "codec/encoder.h"
#include "codec/paramsets.h"
#include "config/opts.h"
#include "enc_testlib.h"
#include "util/log.h"
#include "../fake/fake_v4l2.h"
#include "codec/enc_v4l2.h"

#include <errno.h>
#include <linux/videodev2.h>
#include <unistd.h>

/* Not multiples of 16 or 64: the fake aligns the coded size and
 * bytesperline, so cropping and strides are exercised. */
#define W 168
#define H 100

static uint8_t frame_buf[W * H * 3 / 2], nv12_buf[W * H * 3 / 2];
static char logbuf[16384];
static struct log_capture cap;

static void capture_begin(void)
{
	if (getenv("TEST_V4L2_VERBOSE"))
		log_set_level(LOG_DEBUG);
	log_capture_begin(&cap);
}

static const char *capture_end(void)
{
	log_capture_end(&cap, logbuf, sizeof logbuf);
	if (getenv("TEST_V4L2_VERBOSE"))        /* the log of every case */
		fputs(logbuf, stdout);
	return logbuf;
}

static struct encoder_cfg cfg_of(int codec, int device)
{
	return enc_test_cfg(codec, device, W, H);
}

/* Fake on, mode set, counters clear. */
static void use_fake(const char *mode, const struct v4l2_io *io)
{
	enc_v4l2_io_override = io ? io : &fake_v4l2_io;
	if (mode)
		setenv("FAKE_V4L2_MODE", mode, 1);
	else
		unsetenv("FAKE_V4L2_MODE");
	fake_v4l2_violations = 0;
	fake_v4l2_frames = 0;
	fake_v4l2_last_sent = 0;
}

/* The NV12 bytes of f (I420 or NV12) as the fake keeps them. */
static int same_picture(const struct yuv_frame *f, const uint8_t *got)
{
	uint32_t x, y;
	const uint8_t *uv = got + (size_t)W * H;

	for (y = 0; y < H; y++)
		if (memcmp(got + (size_t)y * W, f->plane[0] + (size_t)y * f->stride[0], W))
			return 0;
	for (y = 0; y < H / 2; y++)
		for (x = 0; x < W / 2; x++) {
			uint8_t u = f->layout == PIX_NV12 ? f->plane[1][y * f->stride[1] + 2 * x] :
				    f->plane[1][y * f->stride[1] + x];
			uint8_t v = f->layout == PIX_NV12 ? f->plane[1][y * f->stride[1] + 2 * x + 1] :
				    f->plane[2][y * f->stride[2] + x];

			if (uv[(size_t)y * W + 2 * x] != u || uv[(size_t)y * W + 2 * x + 1] != v)
				return 0;
		}
	return 1;
}

/* Frames 0..n-1 (an IDR forced before force_at, odd frames as NV12):
 * one AU per frame, keyframes exactly at 0, force_at and every gop after
 * the last one, parameter sets before each, pts and tag kept, the
 * picture the fake read equal to ours, the SPS of the visible size. */
/* Inside run_exact (stderr is captured there): the line of the first
 * failed requirement is returned, and checked by the caller. */
#define REQ(c) do { if (!(c)) { printf("    frame %d\n", i); return __LINE__; } } while (0)
#define REQ_EQ(a, b) REQ((long long)(a) == (long long)(b))

static int run_exact(struct encoder *e, int codec, int n, int gop, int force_at, int can_force)
{
	struct access_unit au = { 0 };
	struct yuv_frame f, g;
	int i, want_key, since = 0;

	for (i = 0; i < n; i++) {
		const struct yuv_frame *in = &f;
		struct au_shape sh;

		synth_i420(&f, frame_buf, W, H, (uint32_t)i);
		f.tag = 1000u + (uint64_t)i;
		if (i % 2) {
			i420_to_nv12(&f, &g, nv12_buf);
			in = &g;
		}
		if (i == force_at)
			encoder_force_keyframe(e);
		REQ_EQ(encoder_encode(e, in, &au), 1);
		REQ(fake_v4l2_last_frame && same_picture(in, fake_v4l2_last_frame));
		want_key = i == 0 || (can_force && i == force_at) || since == gop;
		since = want_key ? 1 : since + 1;
		sh = au_shape_of(codec, au.data, au.size);
		REQ_EQ(au.keyframe, want_key);
		REQ_EQ(sh.keyframe_nal, want_key);
		REQ_EQ(sh.slices >= 1, 1);
		if (want_key) {
			struct param_sets ps;
			struct sps_info si;

			REQ(sh.ps_before_key);
			REQ_EQ(paramsets_extract(codec, au.data, au.size, &ps), 0);
			REQ_EQ(sps_parse(codec, &ps.sps, &si), 0);
			REQ_EQ(si.width, W);
			REQ_EQ(si.height, H);
			/* x264's AUD stays first; x265 writes none: the VPS leads */
			if (codec == CODEC_H265)
				REQ_EQ((au.data[4] >> 1) & 0x3f, H265_NAL_VPS);
			else
				REQ_EQ(au.data[4] & 0x1f, H264_NAL_AUD);
		}
		REQ_EQ(au.pts_ns, f.pts_ns);
		REQ_EQ(au.dts_ns, au.pts_ns);
		REQ_EQ(au.tag, 1000u + (uint64_t)i);
		REQ_EQ(au.seq, i);
	}
	REQ_EQ(encoder_flush(e, &au), 0);     /* drained: nothing held back */
	REQ_EQ(fake_v4l2_last_sent, 1);         /* ... by ENCODER_CMD STOP up to LAST */
	REQ_EQ(encoder_flush(e, &au), 0);
	REQ_EQ(fake_v4l2_frames, n);
	return 0;
}

static void happy_codec(int codec, const char *mode, const struct v4l2_io *io, int device,
			int can_force)
{
	struct encoder_cfg c = cfg_of(codec, device);
	struct encoder *e = NULL;
	const char *log;
	const char *name;
	int ret, line = 0;

	use_fake(mode, io);
	capture_begin();
	ret = encoder_open(&e, &c);
	if (ret == 0)
		line = run_exact(e, codec, 14, 5, 7, can_force);
	log = capture_end();
	CHECK_EQ(ret, 0);
	name = encoder_name(e);
	encoder_close(e);                       /* before any check can end the case */
	if (line)
		printf("    run_exact: requirement at line %d failed\n%s", line, log);
	CHECK_EQ(line, 0);
	CHECK_STR(name, "v4l2");
	CHECK_EQ(fake_v4l2_bpl, 192);           /* 168 aligned to 64: strides used */
	CHECK_EQ(fake_v4l2_open_fds, 0);
	CHECK_EQ(fake_v4l2_mapped, 0);
	CHECK_EQ(fake_v4l2_violations, 0);
	CHECK_EQ(count_str(log, "fake_v4l2:"), 0);
	CHECK_EQ(count_str(log, "W v4l2:"), 0);
	CHECK_EQ(count_str(log, "v4l2 unavailable"), 0);
	CHECK_EQ(count_str(log, "using v4l2"), device == ENCDEV_AUTO && CONFIG_NVENC);
}

static void happy(const char *mode, const struct v4l2_io *io, int device, int can_force)
{
	happy_codec(CODEC_H264, mode, io, device, can_force);
}

static void t_mplane_nv12m(void) { happy(NULL, NULL, ENCDEV_AUTO, 1); }
static void t_mplane_yuv420m(void) { happy("i420", NULL, ENCDEV_V4L2, 1); }
static void t_single_nv12(void) { happy("single", NULL, ENCDEV_HW, 1); }
static void t_single_yuv420(void) { happy("single,i420", NULL, ENCDEV_V4L2, 1); }
static void t_repeat_hdr(void) { happy("repeat_hdr", NULL, ENCDEV_V4L2, 1); }
static void t_no_poll(void) { happy(NULL, &fake_v4l2_io_nopoll, ENCDEV_V4L2, 1); }
/* without FORCE_KEY_FRAME keyframes come at the GOP the driver took */
static void t_no_force(void) { happy("no_force", NULL, ENCDEV_V4L2, 0); }

/* HEVC (the fake has it in a build with x265): VPS, SPS and PPS before
 * every IRAP, prepended when apart or missing. */
static void hevc(const char *mode)
{
	if (!CONFIG_ENC_X265)
		UNIT_SKIP("CONFIG_ENC_X265=n: the fake encodes H.264 only");
	happy_codec(CODEC_H265, mode, NULL, ENCDEV_V4L2, 1);
}

static void t_hevc(void) { hevc(NULL); }
static void t_hevc_separate_headers(void) { hevc("separate_hdr,single,i420"); }

/* Parameter sets in a CAPTURE buffer of their own (HEADER_MODE refused):
 * kept, not returned, and prepended to the IDR. */
static void t_separate_headers(void) { happy("separate_hdr", NULL, ENCDEV_V4L2, 1); }

/* An encoder one frame behind: the first call gives nothing, then each
 * call the AU of the frame before (found by its timestamp: pts and tag
 * are the earlier frame's), the drain the last one. */
static void t_pipeline_delay(void)
{
	struct encoder_cfg c = cfg_of(CODEC_H264, ENCDEV_V4L2);
	struct encoder *e = NULL;
	struct access_unit au = { 0 };
	struct yuv_frame f;
	uint64_t pts[8];
	const char *log;
	int i, ret, got[8], line = 0;

	use_fake("delay1", NULL);
	c.fps_num = 200;        /* the first, empty wait is 3 intervals (20 ms) */
	capture_begin();
	ret = encoder_open(&e, &c);
	for (i = 0; ret == 0 && i < 8 && !line; i++) {
		synth_i420(&f, frame_buf, W, H, (uint32_t)i);
		f.tag = 500u + (uint64_t)i;
		pts[i] = f.pts_ns;
		got[i] = encoder_encode(e, &f, &au);
		if (got[i] != (i > 0))
			line = __LINE__;
		else if (i > 0 && (au.pts_ns != pts[i - 1] || au.tag != 500u + (uint64_t)i - 1 ||
				   au.keyframe != (i == 1 || i == 6)))
			line = __LINE__;
	}
	if (ret == 0 && !line) {
		if (encoder_flush(e, &au) != 1 || au.pts_ns != pts[7] || au.tag != 507u)
			line = __LINE__;
		else if (encoder_flush(e, &au) != 0 || fake_v4l2_last_sent != 1)
			line = __LINE__;
	}
	log = capture_end();
	if (e)
		encoder_close(e);
	if (line)
		printf("    failed at line %d\n%s", line, log);
	CHECK_EQ(ret, 0);
	CHECK_EQ(line, 0);
	CHECK_EQ(fake_v4l2_violations, 0);
	CHECK_EQ(fake_v4l2_open_fds, 0);
	CHECK_EQ(fake_v4l2_mapped, 0);
	CHECK_EQ(count_str(log, "W v4l2:"), 0);
}

/* No encoder at all: auto goes to x264 without a warning. */
static void quiet_case(const char *mode, int codec)
{
	struct encoder_cfg c = cfg_of(codec, ENCDEV_AUTO);
	struct encoder *e = NULL;
	const char *log;
	int ret;

	if (!(codec == CODEC_H265 ? CONFIG_ENC_X265 : CONFIG_ENC_X264))
		UNIT_SKIP("no software encoder to fall back to");
	use_fake(mode, NULL);
	capture_begin();
	ret = encoder_open(&e, &c);
	log = capture_end();
	CHECK_EQ(ret, 0);
	CHECK_STR(encoder_name(e), codec == CODEC_H265 ? "x265" : "x264");
	CHECK_EQ(count_str(log, "v4l2"), 0);      /* not a word about it */
	CHECK_EQ(fake_v4l2_violations, 0);
	CHECK_EQ(fake_v4l2_open_fds, 0);
	encoder_close(e);
}

static void t_no_node_quiet(void) { quiet_case("no_node", CODEC_H264); }
static void t_enotty_quiet(void) { quiet_case("enotty", CODEC_H264); }
/* the fake encodes H.264 only: no HEVC on CAPTURE is "no encoder" */
static void t_no_hevc_quiet(void) { quiet_case("no_hevc", CODEC_H265); }

/* --encoder-device v4l2 never falls back: -ENODEV (exit 5) with one
 * line giving the reason. */
static void forced_case(const char *mode, const char *node, int codec, const char *reason)
{
	struct encoder_cfg c = cfg_of(codec, ENCDEV_V4L2);
	struct encoder *e = (struct encoder *)&c;
	const char *log;
	int ret;

	c.v4l2_device = node;
	use_fake(mode, NULL);
	capture_begin();
	ret = encoder_open(&e, &c);
	log = capture_end();
	CHECK_EQ(ret, -ENODEV);
	CHECK(e == NULL);
	CHECK_EQ(count_str(log, "v4l2 unavailable ("), 1);
	CHECK(strstr(log, reason) != NULL);
	CHECK_EQ(count_str(log, "using"), 0);
	CHECK_EQ(fake_v4l2_violations, 0);
	CHECK_EQ(fake_v4l2_open_fds, 0);
}

static void t_forced_no_node(void)
{
	forced_case("no_node", NULL, CODEC_H264, "no V4L2 h264 encoder (no /dev/video*)");
}

static void t_forced_named_absent(void)
{
	forced_case(NULL, "/dev/video9", CODEC_H264, "/dev/video9: No such file or directory");
}

static void t_forced_enotty(void)
{
	forced_case("enotty", "/dev/video1", CODEC_H264, "/dev/video1: VIDIOC_QUERYCAP: ");
}

static void t_forced_decoder_node(void)
{
	forced_case(NULL, "/dev/video0", CODEC_H264, "/dev/video0: no h264 on CAPTURE");
}

static void t_forced_no_hevc(void)
{
	forced_case("no_hevc", NULL, CODEC_H265,
		    "no V4L2 h265 encoder (no memory-to-memory encoder among /dev/video*)");
}

/* A required control fails: auto falls back with one warning. */
static void t_bitrate_refused(void)
{
	struct encoder_cfg c = cfg_of(CODEC_H264, ENCDEV_AUTO);
	struct encoder *e = NULL;
	const char *log;
	int ret;

	if (!CONFIG_ENC_X264)
		UNIT_SKIP("CONFIG_ENC_X264=n: nothing to fall back to");
	c.bitrate_kbps = 800;
	use_fake("no_bitrate", NULL);
	capture_begin();
	ret = encoder_open(&e, &c);
	log = capture_end();
	CHECK_EQ(ret, 0);
	CHECK_STR(encoder_name(e), "x264");
	CHECK_EQ(count_str(log, "v4l2 unavailable (/dev/video1: control BITRATE=800000"), 1);
	CHECK_EQ(count_str(log, "Invalid argument), using x264"), 1);
	CHECK_EQ(fake_v4l2_violations, 0);
	CHECK_EQ(fake_v4l2_open_fds, 0);
	CHECK_EQ(fake_v4l2_mapped, 0);
	encoder_close(e);
}

/* The device takes frames and never returns an AU: after 60 frames the
 * same encoder goes on with x264, an IDR with parameter sets, one line. */
static void t_zero_output_switch(void)
{
	struct encoder_cfg c = cfg_of(CODEC_H264, ENCDEV_AUTO);
	struct encoder *e;
	struct access_unit au = { 0 };
	struct yuv_frame f;
	const char *log;
	int i, ret, got[66], key[66], ps[66], disc[66];

	if (!CONFIG_ENC_X264)
		UNIT_SKIP("CONFIG_ENC_X264=n: nothing to switch to");
	c.gop = 30;
	c.fps_num = 200;        /* the wait per silent frame is 3 intervals, >= 20 ms */
	use_fake("zero_output", NULL);
	capture_begin();
	ret = encoder_open(&e, &c);
	for (i = 0; ret == 0 && i < 66; i++) {
		synth_i420(&f, frame_buf, W, H, (uint32_t)i);
		got[i] = encoder_encode(e, &f, &au);
		key[i] = got[i] == 1 && au.keyframe;
		ps[i] = got[i] == 1 && au_shape_of(CODEC_H264, au.data, au.size).ps_before_key;
		disc[i] = got[i] == 1 && au.discontinuity;
	}
	log = capture_end();
	CHECK_EQ(ret, 0);
	for (i = 0; i < 66; i++) {
		CHECK_EQ(got[i], i < 60 ? 0 : 1);
		CHECK_EQ(key[i], i == 60);
		CHECK_EQ(ps[i], i == 60);
		CHECK_EQ(disc[i], i == 60);
	}
	CHECK_STR(encoder_name(e), "x264");
	CHECK_EQ(count_str(log, "v4l2 produced no output in 60 frames, switching to x264"), 1);
	CHECK_EQ(fake_v4l2_open_fds, 0);        /* the device was closed */
	CHECK_EQ(fake_v4l2_mapped, 0);
	CHECK_EQ(fake_v4l2_violations, 0);
	encoder_close(e);
}

/* NVIDIA's control ids are keyed by the L4T release file's first line. */
static const struct v4l2_nv_ids *nv_ids_of(const char *text, int *rel)
{
	static char path[] = "/tmp/test_v4l2_nvrelXXXXXX";
	const struct v4l2_nv_ids *ids;
	int fd;

	strcpy(path, "/tmp/test_v4l2_nvrelXXXXXX");
	fd = mkstemp(path);
	CHECK(fd >= 0);
	if (text)
		CHECK_EQ(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	if (!text)
		unlink(path);
	ids = enc_v4l2_nv_ids(path, rel);
	unlink(path);
	return ids;
}

static void t_nv_release_tables(void)
{
	const struct v4l2_nv_ids *a, *b;
	int rel;

	unsetenv("CVMMAP_NV_TEGRA_RELEASE");
	a = nv_ids_of("# R36 (release), REVISION: 4.3, GCID: 1, BOARD: generic, EABI: aarch64\n", &rel);
	CHECK_EQ(rel, 36);
	CHECK_EQ(a->release, 36);
	CHECK_EQ(a->insert_sps_pps_at_idr, V4L2_CID_MPEG_BASE + 535);
	CHECK_EQ(a->force_idr_frame, V4L2_CID_MPEG_BASE + 567);
	CHECK_EQ(a->hw_preset, V4L2_CID_MPEG_BASE + 540);      /* now sent (ULTRAFAST) */
	b = nv_ids_of("# R35 (release), REVISION: 6.0, GCID: 2, BOARD: t186ref, EABI: aarch64\n", &rel);
	CHECK_EQ(rel, 35);
	CHECK_EQ(b->release, 35);
	/* the same numbers in both (docs/v4l2.md): keyed apart all the same */
	CHECK_EQ(b->num_bframes, a->num_bframes);
	CHECK_EQ(b->poc_type, V4L2_CID_MPEG_BASE + 563);
	CHECK_EQ(b->max_performance, V4L2_CID_MPEG_BASE + 554);
	b = nv_ids_of("# R32 (release), REVISION: 7.4\n", &rel);
	CHECK_EQ(b->release, 32);
	/* before R32: the old numbers, and no POC_TYPE/MAX_PERFORMANCE/FORCE_IDR_FRAME */
	b = nv_ids_of("# R28 (release), REVISION: 2.1\n", &rel);
	CHECK_EQ(rel, 28);
	CHECK_EQ(b->release, 0);
	CHECK_EQ(b->num_bframes, V4L2_CID_MPEG_BASE + 531);
	CHECK_EQ(b->insert_sps_pps_at_idr, V4L2_CID_MPEG_BASE + 532);
	CHECK_EQ(b->poc_type, 0);
	CHECK_EQ(b->force_idr_frame, 0);
	CHECK_EQ(b->idr_interval, V4L2_CID_MPEG_BASE + 514);
	CHECK_EQ(b->hw_preset, V4L2_CID_MPEG_BASE + 537);
	/* newer than known, garbage, no file: the newest table */
	CHECK(nv_ids_of("# R38 (release), REVISION: 2.0\n", &rel) == a);
	CHECK_EQ(rel, 38);
	CHECK(nv_ids_of("Jetson something\n", &rel) == a);
	CHECK_EQ(rel, 0);
	CHECK(nv_ids_of(NULL, &rel) == a);
	CHECK_EQ(rel, 0);
	/* the environment names another file */
	setenv("CVMMAP_NV_TEGRA_RELEASE", "/nonexistent/nv_tegra_release", 1);
	CHECK(nv_ids_of("# R28 (release)\n", &rel) == a);
	unsetenv("CVMMAP_NV_TEGRA_RELEASE");
}

static const struct unit_case cases[] = {
	UNIT(t_mplane_nv12m),
	UNIT(t_mplane_yuv420m),
	UNIT(t_single_nv12),
	UNIT(t_single_yuv420),
	UNIT(t_repeat_hdr),
	UNIT(t_no_poll),
	UNIT(t_no_force),
	UNIT(t_separate_headers),
	UNIT(t_hevc),
	UNIT(t_hevc_separate_headers),
	UNIT(t_pipeline_delay),
	UNIT(t_no_node_quiet),
	UNIT(t_enotty_quiet),
	UNIT(t_no_hevc_quiet),
	UNIT(t_forced_no_node),
	UNIT(t_forced_named_absent),
	UNIT(t_forced_enotty),
	UNIT(t_forced_decoder_node),
	UNIT(t_forced_no_hevc),
	UNIT(t_bitrate_refused),
	UNIT(t_zero_output_switch),
	UNIT(t_nv_release_tables),
};

UNIT_MAIN(cases)
