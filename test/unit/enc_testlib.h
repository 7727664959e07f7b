/* SPDX-License-Identifier: GPL-2.0-or-later */
/* enc_testlib.h - synthetic frames and AU checks shared by the encoder
 * tests and helper_encode (test-only, header-only). */
#ifndef CVMMAP_ENC_TESTLIB_H
#define CVMMAP_ENC_TESTLIB_H

#include "codec/encoder.h"
#include "codec/nal.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* Fill an I420 picture (planes at y, u, v with stride w, w/2, w/2) with
 * a gradient that moves with n, so P-frames have work to do. */
static inline void synth_i420(struct yuv_frame *f, uint8_t *buf, uint32_t w, uint32_t h,
			      uint32_t n)
{
	uint32_t x, yy;

	memset(f, 0, sizeof *f);
	f->layout = PIX_I420;
	f->width = w;
	f->height = h;
	f->plane[0] = buf;
	f->plane[1] = buf + (size_t)w * h;
	f->plane[2] = f->plane[1] + (size_t)w * h / 4;
	f->stride[0] = w;
	f->stride[1] = f->stride[2] = w / 2;
	for (yy = 0; yy < h; yy++)
		for (x = 0; x < w; x++)
			buf[(size_t)yy * w + x] = (uint8_t)(x * 2 + yy + n * 3 + ((x / 16 + yy / 16 + n) & 1) * 40);
	for (yy = 0; yy < h / 2; yy++)
		for (x = 0; x < w / 2; x++) {
			f->plane[1][(size_t)yy * (w / 2) + x] = (uint8_t)(128 + x - n);
			f->plane[2][(size_t)yy * (w / 2) + x] = (uint8_t)(96 + yy + n);
		}
	f->pts_ns = (uint64_t)n * 40000000u;   /* 25 fps */
}

/* Repack an I420 picture into NV12 (Y copied, U/V interleaved) in buf. */
static inline void i420_to_nv12(const struct yuv_frame *in, struct yuv_frame *out, uint8_t *buf)
{
	uint32_t w = in->width, h = in->height, x, y;

	*out = *in;
	out->layout = PIX_NV12;
	out->plane[0] = buf;
	out->plane[1] = buf + (size_t)w * h;
	out->plane[2] = NULL;
	out->stride[0] = out->stride[1] = w;
	out->stride[2] = 0;
	memcpy(buf, in->plane[0], (size_t)w * h);
	for (y = 0; y < h / 2; y++)
		for (x = 0; x < w / 2; x++) {
			out->plane[1][(size_t)y * w + 2 * x] = in->plane[1][(size_t)y * in->stride[1] + x];
			out->plane[1][(size_t)y * w + 2 * x + 1] = in->plane[2][(size_t)y * in->stride[2] + x];
		}
}

struct au_shape {
	int keyframe_nal;   /* a keyframe NAL (IDR / IRAP) is present */
	int ps_before_key;  /* VPS (H.265) + SPS + PPS all precede the first keyframe NAL */
	int slices;         /* VCL NAL units */
};

/* Walk one Annex B AU with nal.h. */
static inline struct au_shape au_shape_of(int codec, const uint8_t *p, size_t n)
{
	struct au_shape r = { 0, 0, 0 };
	const uint8_t *end = p + n;
	struct nal nu;
	int vps = 0, sps = 0, pps = 0;

	while ((p = annexb_next(p, end, &nu)) != NULL) {
		int t = nal_type(codec, &nu);

		if (codec == 1) {
			vps |= t == H265_NAL_VPS;
			sps |= t == H265_NAL_SPS;
			pps |= t == H265_NAL_PPS;
			r.slices += t >= 0 && t < 32;
		} else {
			vps = 1;
			sps |= t == H264_NAL_SPS;
			pps |= t == H264_NAL_PPS;
			r.slices += t >= 1 && t <= 5;
		}
		if (nal_is_keyframe(codec, &nu) && !r.keyframe_nal) {
			r.keyframe_nal = 1;
			r.ps_before_key = vps && sps && pps;
		}
	}
	return r;
}

/* The log (stderr) goes to a temporary file from log_capture_begin()
 * to log_capture_end(), which returns it NUL-terminated in buf[cap]. */
struct log_capture {
	FILE *f;
	int saved_fd;
};

static inline void log_capture_begin(struct log_capture *c)
{
	fflush(stderr);
	c->f = tmpfile();
	c->saved_fd = dup(2);
	dup2(fileno(c->f), 2);
}

static inline const char *log_capture_end(struct log_capture *c, char *buf, size_t cap)
{
	size_t n;

	fflush(stderr);
	dup2(c->saved_fd, 2);
	close(c->saved_fd);
	rewind(c->f);
	n = fread(buf, 1, cap - 1, c->f);
	buf[n] = '\0';
	fclose(c->f);
	return buf;
}

/* How many times needle occurs in hay (not overlapping). */
static inline int count_str(const char *hay, const char *needle)
{
	int n = 0;

	while ((hay = strstr(hay, needle)) != NULL) {
		n++;
		hay += strlen(needle);
	}
	return n;
}

/* The encoder tests' session: w x h at 25 fps, gop 5, no B-frames,
 * default rate control, one thread. */
static inline struct encoder_cfg enc_test_cfg(int codec, int device, uint32_t w, uint32_t h)
{
	struct encoder_cfg c = { codec, device, PRESET_ULTRAFAST, w, h, 25, 1, 5, 0, 0, -1, 1,
				 NULL };

	return c;
}

#endif
