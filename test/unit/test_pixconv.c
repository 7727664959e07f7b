/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_pixconv.c - packed -> I420/NV12 against a per-pixel double
 * reference (BT.601 formulas written out), exact BT.601 colours, odd
 * sizes, padded strides, untouched destination padding, bad arguments. */
#include "unit.h"
#include "codec/pixconv.h"

#include <errno.h>
#include <math.h>

static uint32_t rng = 0x2545f491;

static uint8_t rnd8(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 17;
	rng ^= rng << 5;
	return (uint8_t)(rng >> 11);
}

static const int formats[] = { SRC_RGB, SRC_BGR, SRC_RGBA, SRC_BGRA, SRC_GRAY, SRC_YUYV };

/* Channel byte offsets of R, G, B and bytes per pixel (GRAY: all 0). */
static void layout_of(int fmt, int *bpp, int *ri, int *gi, int *bi)
{
	*ri = 0, *gi = 1, *bi = 2;
	switch (fmt) {
	case SRC_RGB:  *bpp = 3; break;
	case SRC_BGR:  *bpp = 3; *ri = 2; *bi = 0; break;
	case SRC_RGBA: *bpp = 4; break;
	case SRC_BGRA: *bpp = 4; *ri = 2; *bi = 0; break;
	case SRC_GRAY: *bpp = 1; *ri = *gi = *bi = 0; break;
	default:       *bpp = 2; break;
	}
}

static int clampi(int v, int hi) { return v < hi ? v : hi; }
static int round_d(double v) { return (int)floor(v + 0.5); }

/* Reference pixel (x, y), clamped into the picture: R, G, B as doubles. */
static void ref_rgb(int fmt, const uint8_t *src, uint32_t stride, uint32_t w, uint32_t h,
		    int x, int y, double *r, double *g, double *b)
{
	int bpp, ri, gi, bi;
	const uint8_t *p;

	layout_of(fmt, &bpp, &ri, &gi, &bi);
	p = src + (size_t)clampi(y, (int)h - 1) * stride + (size_t)clampi(x, (int)w - 1) * bpp;
	*r = p[ri], *g = p[gi], *b = p[bi];
}

/* Rec. 601 limited range, straight from the definitions. */
static int ref_y(double r, double g, double b)
{
	return round_d(16 + 219.0 / 255 * (0.299 * r + 0.587 * g + 0.114 * b));
}

static void ref_uv(double r, double g, double b, int *u, int *v)
{
	double ey = 0.299 * r + 0.587 * g + 0.114 * b;

	*u = round_d(128 + 224.0 / 255 * (b - ey) / 1.772);
	*v = round_d(128 + 224.0 / 255 * (r - ey) / 1.402);
}

/* Reference values of output sample (x, y) of plane 0 (luma) or the
 * chroma sample (x, y) (plane 1 = U, 2 = V). */
static int ref_sample(int fmt, const uint8_t *src, uint32_t stride, uint32_t w, uint32_t h,
		      int plane, int x, int y)
{
	if (fmt == SRC_YUYV) {
		const uint8_t *r0, *r1;

		if (plane == 0)
			return src[(size_t)clampi(y, (int)h - 1) * stride +
				   (size_t)clampi(x, (int)w - 1) * 2];
		r0 = src + (size_t)clampi(2 * y, (int)h - 1) * stride;
		r1 = src + (size_t)clampi(2 * y + 1, (int)h - 1) * stride;
		return round_d((r0[4 * x + 2 * plane - 1] + r1[4 * x + 2 * plane - 1]) / 2.0);
	}
	if (plane == 0) {
		double r, g, b;

		ref_rgb(fmt, src, stride, w, h, x, y, &r, &g, &b);
		return ref_y(r, g, b);
	} else {
		double r = 0, g = 0, b = 0, r1, g1, b1;
		int dx, dy, u, v;

		for (dy = 0; dy < 2; dy++)
			for (dx = 0; dx < 2; dx++) {
				ref_rgb(fmt, src, stride, w, h, 2 * x + dx, 2 * y + dy, &r1, &g1, &b1);
				r += r1 / 4, g += g1 / 4, b += b1 / 4;
			}
		ref_uv(r, g, b, &u, &v);
		return plane == 1 ? u : v;
	}
}

#define DST_PAD 7
#define SENTINEL 0x5a

/* A destination with padded strides, filled with SENTINEL. */
struct dst_buf {
	struct yuv_frame f;
	uint8_t *mem;
	size_t size[3];
};

static void dst_alloc(struct dst_buf *d, int layout, uint32_t w, uint32_t h)
{
	uint32_t W = w + (w & 1), H = h + (h & 1);

	memset(d, 0, sizeof *d);
	d->f.layout = layout;
	d->f.width = W;
	d->f.height = H;
	d->f.stride[0] = W + DST_PAD;
	d->size[0] = (size_t)d->f.stride[0] * H;
	if (layout == PIX_I420) {
		d->f.stride[1] = d->f.stride[2] = W / 2 + DST_PAD;
		d->size[1] = d->size[2] = (size_t)d->f.stride[1] * H / 2;
	} else {
		d->f.stride[1] = W + DST_PAD;
		d->size[1] = (size_t)d->f.stride[1] * H / 2;
	}
	d->mem = malloc(d->size[0] + d->size[1] + d->size[2]);
	memset(d->mem, SENTINEL, d->size[0] + d->size[1] + d->size[2]);
	d->f.plane[0] = d->mem;
	d->f.plane[1] = d->mem + d->size[0];
	if (layout == PIX_I420)
		d->f.plane[2] = d->f.plane[1] + d->size[1];
}

/* Bytes [used, stride) of each of rows rows still hold SENTINEL. */
static int pad_intact(const uint8_t *plane, uint32_t stride, uint32_t used, uint32_t rows)
{
	uint32_t x, y;

	for (y = 0; y < rows; y++)
		for (x = used; x < stride; x++)
			if (plane[(size_t)y * stride + x] != SENTINEL)
				return 0;
	return 1;
}

/* Largest |ours - reference| over all samples; -1 if padding changed. */
static int compare(int fmt, const uint8_t *src, uint32_t stride, uint32_t w, uint32_t h,
		   const struct dst_buf *d)
{
	const struct yuv_frame *f = &d->f;
	uint32_t x, y, cw = f->width / 2, ch = f->height / 2;
	int worst = 0, p, diff;

	if (!pad_intact(f->plane[0], f->stride[0], f->width, f->height))
		return -1;
	if (f->layout == PIX_I420 ? !pad_intact(f->plane[1], f->stride[1], cw, ch) ||
				    !pad_intact(f->plane[2], f->stride[2], cw, ch)
				  : !pad_intact(f->plane[1], f->stride[1], 2 * cw, ch))
		return -1;
	for (y = 0; y < f->height; y++)
		for (x = 0; x < f->width; x++) {
			diff = f->plane[0][y * f->stride[0] + x] -
			       ref_sample(fmt, src, stride, w, h, 0, (int)x, (int)y);
			worst = abs(diff) > worst ? abs(diff) : worst;
		}
	for (p = 1; p <= 2; p++)
		for (y = 0; y < ch; y++)
			for (x = 0; x < cw; x++) {
				const uint8_t *at = f->layout == PIX_I420 ?
					f->plane[p] + y * f->stride[p] + x :
					f->plane[1] + y * f->stride[1] + 2 * x + (p - 1);

				diff = *at - ref_sample(fmt, src, stride, w, h, p, (int)x, (int)y);
				worst = abs(diff) > worst ? abs(diff) : worst;
			}
	return worst;
}

/* Every format x layout x size x stride padding: error <= 1. */
static void t_against_reference(void)
{
	static const uint32_t sizes[][2] = {
		{ 1, 1 }, { 2, 2 }, { 3, 5 }, { 17, 9 }, { 33, 31 }, { 70, 4 }, { 96, 3 },
	};
	size_t si, fi;
	int layout, pad;

	for (fi = 0; fi < sizeof formats / sizeof formats[0]; fi++)
		for (si = 0; si < sizeof sizes / sizeof sizes[0]; si++)
			for (layout = PIX_I420; layout <= PIX_NV12; layout++)
				for (pad = 0; pad <= 13; pad += 13) {
					int fmt = formats[fi];
					uint32_t w = sizes[si][0], h = sizes[si][1];
					uint32_t stride = (uint32_t)pixconv_min_stride(fmt, w) + (uint32_t)pad;
					uint8_t *src = malloc((size_t)stride * h);
					struct dst_buf d;
					size_t i;
					int err;

					for (i = 0; i < (size_t)stride * h; i++)
						src[i] = rnd8();
					dst_alloc(&d, layout, w, h);
					CHECK_EQ(pixconv_to_yuv(fmt, src, stride, w, h, &d.f), 0);
					err = compare(fmt, src, stride, w, h, &d);
					if (err < 0 || err > 1)
						printf("    fmt %d %ux%u stride %u layout %d: err %d\n",
						       fmt, w, h, stride, layout, err);
					CHECK(err >= 0 && err <= 1);
					free(d.mem);
					free(src);
				}
}

/* The reference itself is correct: BT.601 limited range of the primaries
 * (values as tabulated for 8-bit Rec. 601: white 235/128/128, red
 * 81/90/240, green 145/54/34, blue 41/240/110, black 16/128/128). */
static void t_known_colours(void)
{
	static const struct { uint8_t r, g, b, y, u, v; } c[] = {
		{ 255, 255, 255, 235, 128, 128 },
		{ 0, 0, 0, 16, 128, 128 },
		{ 255, 0, 0, 81, 90, 240 },
		{ 0, 255, 0, 145, 54, 34 },
		{ 0, 0, 255, 41, 240, 110 },
		{ 128, 128, 128, 126, 128, 128 },
	};
	size_t ci, fi;
	int layout;

	for (ci = 0; ci < sizeof c / sizeof c[0]; ci++)
		for (fi = 0; fi < 4; fi++)
			for (layout = PIX_I420; layout <= PIX_NV12; layout++) {
				int fmt = formats[fi], bpp, ri, gi, bi, i;
				uint8_t src[5 * 3 * 4], *p = src;
				struct dst_buf d;

				layout_of(fmt, &bpp, &ri, &gi, &bi);
				memset(src, 0xff, sizeof src); /* alpha */
				for (i = 0; i < 5 * 3; i++, p += bpp)
					p[ri] = c[ci].r, p[gi] = c[ci].g, p[bi] = c[ci].b;
				dst_alloc(&d, layout, 5, 3);
				CHECK_EQ(pixconv_to_yuv(fmt, src, 5 * bpp, 5, 3, &d.f), 0);
				for (i = 0; i < 6 * 4; i++)
					CHECK_EQ(d.f.plane[0][i / 6 * d.f.stride[0] + i % 6], c[ci].y);
				for (i = 0; i < 3 * 2; i++) {
					const uint8_t *row = d.f.plane[1] + i / 3 * d.f.stride[1];

					if (layout == PIX_I420) {
						CHECK_EQ(row[i % 3], c[ci].u);
						CHECK_EQ(d.f.plane[2][i / 3 * d.f.stride[2] + i % 3], c[ci].v);
					} else {
						CHECK_EQ(row[2 * (i % 3)], c[ci].u);
						CHECK_EQ(row[2 * (i % 3) + 1], c[ci].v);
					}
				}
				free(d.mem);
			}
}

/* GRAY: 0 -> 16, 255 -> 235, chroma neutral; YUYV: bytes pass through. */
static void t_gray_yuyv_values(void)
{
	static const uint8_t gray[4] = { 0, 255, 0, 255 };
	/* 2x2 YUYV: row 0 Y=10,20 U=100 V=200; row 1 Y=30,40 U=103 V=50 */
	static const uint8_t yuyv[8] = { 10, 100, 20, 200, 30, 103, 40, 50 };
	struct dst_buf d;

	dst_alloc(&d, PIX_I420, 2, 2);
	CHECK_EQ(pixconv_to_yuv(SRC_GRAY, gray, 2, 2, 2, &d.f), 0);
	CHECK_EQ(d.f.plane[0][0], 16);
	CHECK_EQ(d.f.plane[0][1], 235);
	CHECK_EQ(d.f.plane[1][0], 128);
	CHECK_EQ(d.f.plane[2][0], 128);
	CHECK_EQ(pixconv_to_yuv(SRC_YUYV, yuyv, 4, 2, 2, &d.f), 0);
	CHECK_EQ(d.f.plane[0][0], 10);
	CHECK_EQ(d.f.plane[0][1], 20);
	CHECK_EQ(d.f.plane[0][d.f.stride[0]], 30);
	CHECK_EQ(d.f.plane[0][d.f.stride[0] + 1], 40);
	CHECK_EQ(d.f.plane[1][0], 102);  /* (100 + 103 + 1) / 2 */
	CHECK_EQ(d.f.plane[2][0], 125);
	free(d.mem);
}

static void t_bad_arguments(void)
{
	uint8_t src[64] = { 0 };
	struct dst_buf d;

	dst_alloc(&d, PIX_I420, 3, 3);
	CHECK_EQ(pixconv_to_yuv(5, src, 9, 3, 3, &d.f), -EINVAL);   /* YUV */
	CHECK_EQ(pixconv_to_yuv(7, src, 9, 3, 3, &d.f), -EINVAL);
	CHECK_EQ(pixconv_to_yuv(-1, src, 9, 3, 3, &d.f), -EINVAL);
	CHECK_EQ(pixconv_to_yuv(SRC_RGB, src, 8, 3, 3, &d.f), -EINVAL);  /* stride */
	CHECK_EQ(pixconv_to_yuv(SRC_RGB, src, 9, 3, 0, &d.f), -EINVAL);
	CHECK_EQ(pixconv_to_yuv(SRC_RGB, src, 9, 2, 3, &d.f), -EINVAL);  /* dst size */
	CHECK_EQ(pixconv_to_yuv(SRC_YUYV, src, 6, 3, 3, &d.f), -EINVAL); /* 2 macropixels */
	CHECK_EQ(pixconv_to_yuv(SRC_YUYV, src, 8, 3, 3, &d.f), 0);
	CHECK_EQ(pixconv_to_yuv(SRC_RGB, src, 9, 3, 3, &d.f), 0);
	d.f.stride[1] = 1;
	CHECK_EQ(pixconv_to_yuv(SRC_RGB, src, 9, 3, 3, &d.f), -EINVAL);
	d.f.stride[1] = 2;
	d.f.layout = 9;
	CHECK_EQ(pixconv_to_yuv(SRC_RGB, src, 9, 3, 3, &d.f), -EINVAL);
	CHECK_EQ(pixconv_min_stride(SRC_YUYV, 3), 8);
	CHECK_EQ(pixconv_min_stride(SRC_BGRA, 3), 12);
	CHECK_EQ(pixconv_min_stride(5, 3), 0);
	free(d.mem);
}

/* pixconv_layout() packs the planes; pixconv_repack() between the two
 * layouts equals converting into the other layout directly, byte for
 * byte, both ways (odd source size: the even-rounded picture). */
static void t_layout_and_repack(void)
{
	static uint8_t src[37 * 3 * 23], a[38 * 24 * 3 / 2], b[38 * 24 * 3 / 2],
		       c[38 * 24 * 3 / 2];
	struct yuv_frame i420, nv12, out;
	size_t i;

	for (i = 0; i < sizeof src; i++)
		src[i] = rnd8();
	CHECK_EQ(pixconv_layout(&i420, PIX_I420, 37, 23, a), sizeof a);
	CHECK_EQ(i420.width, 38);
	CHECK_EQ(i420.height, 24);
	CHECK(i420.plane[1] == a + 38 * 24 && i420.plane[2] == a + 38 * 24 + 19 * 12);
	CHECK_EQ(i420.stride[1], 19);
	CHECK_EQ(pixconv_layout(&nv12, PIX_NV12, 37, 23, b), sizeof b);
	CHECK(nv12.plane[2] == NULL && nv12.stride[1] == 38);
	CHECK_EQ(pixconv_to_yuv(SRC_BGR, src, 37 * 3, 37, 23, &i420), 0);
	CHECK_EQ(pixconv_to_yuv(SRC_BGR, src, 37 * 3, 37, 23, &nv12), 0);
	pixconv_layout(&out, PIX_NV12, 37, 23, c);
	CHECK_EQ(pixconv_repack(&i420, &out), 0);
	CHECK_EQ(memcmp(b, c, sizeof c), 0);
	pixconv_layout(&out, PIX_I420, 37, 23, c);
	CHECK_EQ(pixconv_repack(&nv12, &out), 0);
	CHECK_EQ(memcmp(a, c, sizeof c), 0);
	CHECK_EQ(pixconv_repack(&nv12, &nv12), -EINVAL);
	pixconv_layout(&out, PIX_NV12, 36, 24, c);
	CHECK_EQ(pixconv_repack(&i420, &out), -EINVAL);
}

static const struct unit_case cases[] = {
	UNIT(t_layout_and_repack),
	UNIT(t_against_reference),
	UNIT(t_known_colours),
	UNIT(t_gray_yuyv_values),
	UNIT(t_bad_arguments),
};
UNIT_MAIN(cases)
