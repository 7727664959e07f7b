/* SPDX-License-Identifier: GPL-2.0-or-later */
/* pixconv.c - packed camera pixels to planar 4:2:0, BT.601 limited range.
 *
 * Arithmetic: 15-bit fixed point in int32.  Luma per pixel, chroma from
 * the sum of the 2x2 block (averaging R,G,B first equals averaging the
 * four chroma values, the transform being linear).  Odd sizes: the output
 * is rounded up to even and the last source row/column is replicated.
 *
 * Speed: two source rows make two luma rows and one chroma row.  A row
 * pair is cut into blocks of BLOCK chroma samples.  The block kernels
 * have a constant trip count, restrict pointers, no branches and no
 * calls, which is what GCC's -O2 vectoriser ("very-cheap" cost model: no
 * scalar epilogue, no alias checks) and clang accept; each (format,
 * layout) pair gets its own copy with constant channel offsets, picked
 * once per frame.  The ragged end of a row goes through the same kernel
 * from a small stack copy, where the odd column is replicated.
 * docs/benchmarks.md has the numbers.
 */
#include "codec/pixconv.h"

#include <errno.h>
#include <string.h>

#define ALWAYS_INLINE inline __attribute__((always_inline))

#define SHIFT 15
#define FIX(x) ((int32_t)((x) * (1 << SHIFT) + 0.5))

/* BT.601 (Rec. 601 section 2.5): E'Y = 0.299 R + 0.587 G + 0.114 B,
 * Cb = (B - E'Y) / 1.772, Cr = (R - E'Y) / 1.402; limited range puts
 * Y on 16..235 (x 219/255) and Cb/Cr on 16..240 (x 224/255 around 128).
 * The green chroma terms are derived so that each chroma row sums to 0:
 * every grey gives exactly 128. */
#define Y_R FIX(0.299 * 219 / 255)
#define Y_G FIX(0.587 * 219 / 255)
#define Y_B FIX(0.114 * 219 / 255)
#define U_B FIX(0.5 * 224 / 255)
#define U_R (-FIX(0.299 / 1.772 * 224 / 255))
#define U_G (-U_B - U_R)
#define V_R FIX(0.5 * 224 / 255)
#define V_B (-FIX(0.114 / 1.402 * 224 / 255))
#define V_G (-V_R - V_B)
#define Y_ADD ((16 << SHIFT) + (1 << (SHIFT - 1)))
#define C_ADD ((128 << (SHIFT + 2)) + (1 << (SHIFT + 1)))   /* 2x2 sums */

#define BLOCK 16        /* chroma samples per block (32 pixels) */
#define MAX_DIM 65536   /* keeps every offset far from overflow */

/* One row pair: s0/s1 source rows (s1 == s0 for the last row of an odd
 * height), y0/y1 luma rows, u/v chroma rows written every cs bytes
 * (I420: u, v, cs = 1; NV12: uv, uv + 1, cs = 2). */

/* Byte i of a pixel loaded as a native uint32 (4-byte formats): one
 * contiguous load per pixel vectorises where a 4-byte group with an
 * unused alpha byte does not. */
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
#define BYTE_OF(px, i) ((px) >> (24 - 8 * (i)) & 255)
#else
#define BYTE_OF(px, i) ((px) >> (8 * (i)) & 255)
#endif

#define LUMA(r, g, b) (uint8_t)((Y_R * (r) + Y_G * (g) + Y_B * (b) + Y_ADD) >> SHIFT)

/* n chroma samples (2n pixels) from packed RGB-like pixels of bpp bytes
 * with the channels at byte offsets ri, gi, bi.  bpp is a constant in
 * every copy, so only one of the two loads survives compilation. */
static ALWAYS_INLINE void rgb_block(const uint8_t *restrict s0, const uint8_t *restrict s1,
				    uint8_t *restrict y0, uint8_t *restrict y1,
				    uint8_t *restrict u, uint8_t *restrict v, unsigned n,
				    unsigned bpp, unsigned ri, unsigned gi, unsigned bi,
				    unsigned cs)
{
	uint16_t sr[2 * BLOCK], sg[2 * BLOCK], sb[2 * BLOCK];
	unsigned x, i;

	for (x = 0; x < 2 * n; x++) {
		int16_t r0, g0, b0, r1, g1, b1;

		if (bpp == 4) {
			uint32_t p, q;

			memcpy(&p, s0 + 4 * x, 4);
			memcpy(&q, s1 + 4 * x, 4);
			r0 = (int16_t)BYTE_OF(p, ri), g0 = (int16_t)BYTE_OF(p, gi), b0 = (int16_t)BYTE_OF(p, bi);
			r1 = (int16_t)BYTE_OF(q, ri), g1 = (int16_t)BYTE_OF(q, gi), b1 = (int16_t)BYTE_OF(q, bi);
		} else {
			const uint8_t *p = s0 + x * bpp, *q = s1 + x * bpp;

			r0 = p[ri], g0 = p[gi], b0 = p[bi];
			r1 = q[ri], g1 = q[gi], b1 = q[bi];
		}
		y0[x] = LUMA(r0, g0, b0);
		y1[x] = LUMA(r1, g1, b1);
		sr[x] = (uint16_t)(r0 + r1);
		sg[x] = (uint16_t)(g0 + g1);
		sb[x] = (uint16_t)(b0 + b1);
	}
	for (i = 0; i < n; i++) {
		int16_t r = (int16_t)(sr[2 * i] + sr[2 * i + 1]);
		int16_t g = (int16_t)(sg[2 * i] + sg[2 * i + 1]);
		int16_t b = (int16_t)(sb[2 * i] + sb[2 * i + 1]);

		u[i * cs] = (uint8_t)((U_R * r + U_G * g + U_B * b + C_ADD) >> (SHIFT + 2));
		v[i * cs] = (uint8_t)((V_R * r + V_G * g + V_B * b + C_ADD) >> (SHIFT + 2));
	}
}

/* Grey: R = G = B, so chroma is the neutral 128. */
static ALWAYS_INLINE void gray_block(const uint8_t *restrict s0, const uint8_t *restrict s1,
				     uint8_t *restrict y0, uint8_t *restrict y1,
				     uint8_t *restrict u, uint8_t *restrict v, unsigned n,
				     unsigned cs)
{
	unsigned x, i;

	for (x = 0; x < 2 * n; x++) {
		y0[x] = (uint8_t)(((Y_R + Y_G + Y_B) * s0[x] + Y_ADD) >> SHIFT);
		y1[x] = (uint8_t)(((Y_R + Y_G + Y_B) * s1[x] + Y_ADD) >> SHIFT);
	}
	for (i = 0; i < n; i++) {
		u[i * cs] = 128;
		v[i * cs] = 128;
	}
}

/* YUYV (Y0 U Y1 V, already Y'CbCr): luma copied, the two rows' 4:2:2
 * chroma averaged (rounded) into 4:2:0. */
static ALWAYS_INLINE void yuyv_block(const uint8_t *restrict s0, const uint8_t *restrict s1,
				     uint8_t *restrict y0, uint8_t *restrict y1,
				     uint8_t *restrict u, uint8_t *restrict v, unsigned n,
				     unsigned cs)
{
	unsigned i;

	for (i = 0; i < n; i++) {
		y0[2 * i] = s0[4 * i];
		y0[2 * i + 1] = s0[4 * i + 2];
		y1[2 * i] = s1[4 * i];
		y1[2 * i + 1] = s1[4 * i + 2];
		u[i * cs] = (uint8_t)((s0[4 * i + 1] + s1[4 * i + 1] + 1) >> 1);
		v[i * cs] = (uint8_t)((s0[4 * i + 3] + s1[4 * i + 3] + 1) >> 1);
	}
}

/* Dispatch on a compile-time format: folds away after inlining. */
static ALWAYS_INLINE void block(int fmt, unsigned cs, const uint8_t *s0, const uint8_t *s1,
				uint8_t *y0, uint8_t *y1, uint8_t *u, uint8_t *v, unsigned n)
{
	switch (fmt) {
	case SRC_RGB:  rgb_block(s0, s1, y0, y1, u, v, n, 3, 0, 1, 2, cs); break;
	case SRC_BGR:  rgb_block(s0, s1, y0, y1, u, v, n, 3, 2, 1, 0, cs); break;
	case SRC_RGBA: rgb_block(s0, s1, y0, y1, u, v, n, 4, 0, 1, 2, cs); break;
	case SRC_BGRA: rgb_block(s0, s1, y0, y1, u, v, n, 4, 2, 1, 0, cs); break;
	case SRC_GRAY: gray_block(s0, s1, y0, y1, u, v, n, cs); break;
	case SRC_YUYV: yuyv_block(s0, s1, y0, y1, u, v, n, cs); break;
	}
}

/* Bytes per pixel in the source (YUYV: 2, in macropixels of 4). */
static ALWAYS_INLINE unsigned src_bpp(int fmt)
{
	switch (fmt) {
	case SRC_RGB: case SRC_BGR: return 3;
	case SRC_RGBA: case SRC_BGRA: return 4;
	case SRC_YUYV: return 2;
	default: return 1;
	}
}

/* One row pair of width w: whole blocks straight from the source, the
 * rest (fewer than 2 * BLOCK pixels) from a stack copy whose odd last
 * pixel is duplicated, so y0[w] / y1[w] of an odd w are replicas too. */
static ALWAYS_INLINE void row_pair(int fmt, unsigned cs, const uint8_t *s0, const uint8_t *s1,
				   uint8_t *y0, uint8_t *y1, uint8_t *u, uint8_t *v, uint32_t w)
{
	const unsigned bpp = src_bpp(fmt);
	uint8_t t0[2 * BLOCK * 4], t1[2 * BLOCK * 4];
	uint32_t x, r, n;
	size_t len;

	for (x = 0; x + 2 * BLOCK <= w; x += 2 * BLOCK)
		block(fmt, cs, s0 + (size_t)x * bpp, s1 + (size_t)x * bpp,
		      y0 + x, y1 + x, u + x / 2 * cs, v + x / 2 * cs, BLOCK);
	if (x == w)
		return;
	r = w - x;
	n = (r + 1) / 2;
	/* YUYV rows hold whole macropixels (pixconv_min_stride). */
	len = fmt == SRC_YUYV ? 4 * n : r * bpp;
	memcpy(t0, s0 + (size_t)x * bpp, len);
	memcpy(t1, s1 + (size_t)x * bpp, len);
	if (r & 1) {
		if (fmt == SRC_YUYV) {
			t0[2 * r] = t0[2 * r - 2];
			t1[2 * r] = t1[2 * r - 2];
		} else {
			memcpy(t0 + r * bpp, t0 + (r - 1) * bpp, bpp);
			memcpy(t1 + r * bpp, t1 + (r - 1) * bpp, bpp);
		}
	}
	block(fmt, cs, t0, t1, y0 + x, y1 + x, u + x / 2 * cs, v + x / 2 * cs, n);
}

struct job {
	const uint8_t *src;
	size_t stride;
	uint32_t w, h;
	uint8_t *y, *u, *v;
	size_t ys, us, vs;
};

static ALWAYS_INLINE void convert(int fmt, unsigned cs, const struct job *j)
{
	uint32_t row;

	for (row = 0; row < j->h; row += 2) {
		const uint8_t *s0 = j->src + row * j->stride;
		const uint8_t *s1 = row + 1 < j->h ? s0 + j->stride : s0;

		row_pair(fmt, cs, s0, s1, j->y + row * j->ys, j->y + (row + 1) * j->ys,
			 j->u + row / 2 * j->us, j->v + row / 2 * j->vs, j->w);
	}
}

/* The x86-64 baseline (SSE2) has no byte shuffle, so GCC leaves the luma
 * loop of 3-byte pixels scalar; an x86-64-v2 (SSSE3/SSE4.2) clone of those
 * converters is chosen at run time where the CPU has it, halving their
 * cost, and an x86-64-v3 (AVX2) clone doubles the vector width again
 * (docs/benchmarks.md).  Other formats vectorise at the baseline and get
 * the AVX2 clone only.  Every clone computes the same integers. */
/* Not under ThreadSanitizer: GCC instruments the ifunc resolver, which
 * runs during relocation before the TSan runtime exists (SIGSEGV). */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && \
    !defined(__SANITIZE_THREAD__)
#define CLONES __attribute__((target_clones("default", "arch=x86-64-v2", "arch=x86-64-v3")))
#define CLONES_V3 __attribute__((target_clones("default", "arch=x86-64-v3")))
#else
#define CLONES
#define CLONES_V3
#endif

/* One specialised converter per (format, chroma step). */
#define CONVERTER(name, fmt, cs) \
	CLONES_V3 static void name(const struct job *j) { convert(fmt, cs, j); }
#define CONVERTER_CLONED(name, fmt, cs) \
	CLONES static void name(const struct job *j) { convert(fmt, cs, j); }
CONVERTER_CLONED(rgb_i420, SRC_RGB, 1)
CONVERTER_CLONED(rgb_nv12, SRC_RGB, 2)
CONVERTER_CLONED(bgr_i420, SRC_BGR, 1)
CONVERTER_CLONED(bgr_nv12, SRC_BGR, 2)
CONVERTER(rgba_i420, SRC_RGBA, 1)
CONVERTER(rgba_nv12, SRC_RGBA, 2)
CONVERTER(bgra_i420, SRC_BGRA, 1)
CONVERTER(bgra_nv12, SRC_BGRA, 2)
CONVERTER(gray_i420, SRC_GRAY, 1)
CONVERTER(gray_nv12, SRC_GRAY, 2)
CONVERTER(yuyv_i420, SRC_YUYV, 1)
CONVERTER(yuyv_nv12, SRC_YUYV, 2)

static void (*const converters[][2])(const struct job *) = {
	[SRC_RGB]  = { rgb_i420, rgb_nv12 },
	[SRC_BGR]  = { bgr_i420, bgr_nv12 },
	[SRC_RGBA] = { rgba_i420, rgba_nv12 },
	[SRC_BGRA] = { bgra_i420, bgra_nv12 },
	[SRC_GRAY] = { gray_i420, gray_nv12 },
	[SRC_YUYV] = { yuyv_i420, yuyv_nv12 },
};

size_t pixconv_min_stride(int src_format, uint32_t w)
{
	switch (src_format) {
	case SRC_RGB: case SRC_BGR: return (size_t)w * 3;
	case SRC_RGBA: case SRC_BGRA: return (size_t)w * 4;
	case SRC_GRAY: return w;
	case SRC_YUYV: return ((size_t)w + 1) / 2 * 4;
	default: return 0;
	}
}

/* Check everything, then run the converter for (format, layout).  The
 * source is read only within w x h (rows of pixconv_min_stride bytes);
 * the destination is written only within its width x height. */
int pixconv_to_yuv(int src_format, const uint8_t *src, uint32_t stride,
		   uint32_t w, uint32_t h, struct yuv_frame *dst)
{
	size_t min = pixconv_min_stride(src_format, w);
	struct job j;

	if (!min || !src || !dst || w > MAX_DIM || h == 0 || h > MAX_DIM || stride < min)
		return -EINVAL;
	if (dst->width != w + (w & 1) || dst->height != h + (h & 1) ||
	    !dst->plane[0] || !dst->plane[1] || dst->stride[0] < dst->width)
		return -EINVAL;
	j.src = src;
	j.stride = stride;
	j.w = w;
	j.h = h;
	j.y = dst->plane[0];
	j.ys = dst->stride[0];
	if (dst->layout == PIX_I420) {
		if (!dst->plane[2] || dst->stride[1] < dst->width / 2 ||
		    dst->stride[2] < dst->width / 2)
			return -EINVAL;
		j.u = dst->plane[1];
		j.v = dst->plane[2];
		j.us = dst->stride[1];
		j.vs = dst->stride[2];
	} else if (dst->layout == PIX_NV12) {
		if (dst->stride[1] < dst->width)
			return -EINVAL;
		j.u = dst->plane[1];
		j.v = dst->plane[1] + 1;
		j.us = j.vs = dst->stride[1];
	} else {
		return -EINVAL;
	}
	converters[src_format][dst->layout == PIX_NV12](&j);
	return 0;
}

size_t pixconv_layout(struct yuv_frame *y, int layout, uint32_t w, uint32_t h, uint8_t *buf)
{
	w += w & 1;
	h += h & 1;
	y->layout = layout;
	y->width = w;
	y->height = h;
	y->plane[0] = buf;
	y->stride[0] = w;
	y->plane[1] = buf + (size_t)w * h;
	if (layout == PIX_NV12) {
		y->stride[1] = w;
		y->plane[2] = NULL;
		y->stride[2] = 0;
	} else {
		y->stride[1] = y->stride[2] = w / 2;
		y->plane[2] = y->plane[1] + (size_t)(w / 2) * (h / 2);
	}
	return (size_t)w * h * 3 / 2;
}

/* Luma rows are copied; chroma is interleaved (I420 -> NV12) or split
 * (NV12 -> I420), sample by sample. */
int pixconv_repack(const struct yuv_frame *src, struct yuv_frame *dst)
{
	uint32_t x, row, cw = src->width / 2, ch = src->height / 2;
	int to_nv12 = dst->layout == PIX_NV12;

	if (src->width != dst->width || src->height != dst->height ||
	    src->layout == dst->layout || (src->layout != PIX_NV12 && src->layout != PIX_I420) ||
	    (dst->layout != PIX_NV12 && dst->layout != PIX_I420))
		return -EINVAL;
	for (row = 0; row < src->height; row++)
		memcpy(dst->plane[0] + (size_t)row * dst->stride[0],
		       src->plane[0] + (size_t)row * src->stride[0], src->width);
	for (row = 0; row < ch; row++) {
		const uint8_t *a = src->plane[1] + (size_t)row * src->stride[1];
		const uint8_t *b = to_nv12 ? src->plane[2] + (size_t)row * src->stride[2] : a + 1;
		uint8_t *u = dst->plane[1] + (size_t)row * dst->stride[1];
		uint8_t *v = to_nv12 ? u + 1 : dst->plane[2] + (size_t)row * dst->stride[2];
		unsigned si = to_nv12 ? 1 : 2, di = to_nv12 ? 2 : 1;

		for (x = 0; x < cw; x++) {
			u[x * di] = a[x * si];
			v[x * di] = b[x * si];
		}
	}
	return 0;
}
