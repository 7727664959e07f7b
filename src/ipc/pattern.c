/* SPDX-License-Identifier: GPL-2.0-or-later */
/* pattern.c - the dummy producer's test pattern (docs/contract.md §4.8, TV-20)
 * and its variants per pixel format (pattern.h). */
#include "ipc/pattern.h"

#include "ipc/cvmmap_meta.h"

#include <string.h>

#define PB(x, n) ((uint8_t)((x) + 3u * (n)))
#define PG(y, n) ((uint8_t)(2u * (y) + 5u * (n)))
#define PR(x, y, n) ((uint8_t)((x) / 2u + (y) / 3u + 7u * (n)))
#define PA(x, y, n) ((uint8_t)((x) + 2u * (y) + 11u * (n)))

void cvmmap_dummy_pattern(uint8_t *bgr, uint32_t w, uint32_t h, uint32_t stride,
			  uint32_t n)
{
	cvmmap_pattern_fill(PIXFMT_BGR, bgr, w, h, stride, n);
}

/* One row of frame n into d (pixels only). */
static void pattern_row(unsigned fmt, uint8_t *d, uint32_t w, uint32_t y,
			uint32_t n)
{
	uint8_t g = PG(y, n);
	uint32_t x;

	switch (fmt) {
	case PIXFMT_BGR:
		for (x = 0; x < w; x++, d += 3) {
			d[0] = PB(x, n); d[1] = g; d[2] = PR(x, y, n);
		}
		break;
	case PIXFMT_RGB:
		for (x = 0; x < w; x++, d += 3) {
			d[0] = PR(x, y, n); d[1] = g; d[2] = PB(x, n);
		}
		break;
	case PIXFMT_BGRA:
		for (x = 0; x < w; x++, d += 4) {
			d[0] = PB(x, n); d[1] = g; d[2] = PR(x, y, n); d[3] = PA(x, y, n);
		}
		break;
	case PIXFMT_RGBA:
		for (x = 0; x < w; x++, d += 4) {
			d[0] = PR(x, y, n); d[1] = g; d[2] = PB(x, n); d[3] = PA(x, y, n);
		}
		break;
	case PIXFMT_GRAY:
		memset(d, g, w);
		break;
	case PIXFMT_YUYV:
		for (x = 0; x + 1 < w; x += 2, d += 4) {
			d[0] = PB(x, n); d[1] = g; d[2] = PB(x + 1, n); d[3] = PR(x, y, n);
		}
		if (x < w) {  /* odd width: a lone Y U pair */
			d[0] = PB(x, n); d[1] = g;
		}
		break;
	default:
		memset(d, 0, (size_t)w * cvmmap_pixfmt_channels(fmt));
		break;
	}
}

void cvmmap_pattern_fill(unsigned fmt, uint8_t *dst, uint32_t w, uint32_t h,
			 uint32_t stride, uint32_t n)
{
	size_t row = (size_t)w * cvmmap_pixfmt_channels(fmt);
	uint32_t y;

	for (y = 0; y < h; y++, dst += stride) {
		pattern_row(fmt, dst, w, y, n);
		if (stride > row)
			memset(dst + row, 0, stride - row);
	}
}

uint32_t cvmmap_pattern_check(unsigned fmt, const uint8_t *src, uint32_t w,
			      uint32_t h, uint32_t stride, uint32_t n)
{
	uint8_t want[4096 * 4];
	size_t row = (size_t)w * cvmmap_pixfmt_channels(fmt);
	uint32_t y;

	if (row > sizeof want)
		return 1;
	for (y = 0; y < h; y++, src += stride) {
		pattern_row(fmt, want, w, y, n);
		if (memcmp(src, want, row))
			return y + 1;
	}
	return 0;
}
