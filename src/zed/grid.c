/* SPDX-License-Identifier: GPL-2.0-or-later */
/* grid.c - resampling and the timestamp overlay (grid.h). */
#include "zed/grid.h"

#include <string.h>

void grid_scale_plane(const uint8_t *src, uint32_t sw, uint32_t sh, uint32_t sstride,
		      uint8_t *dst, uint32_t dw, uint32_t dh, uint32_t dstride)
{
	uint32_t x, y, sx, sy;

	if (!sw || !sh || !dw || !dh)
		return;
	for (y = 0; y < dh; y++) {
		uint32_t y0 = (uint32_t)((uint64_t)y * sh / dh);
		uint32_t y1 = (uint32_t)((uint64_t)(y + 1) * sh / dh);
		if (y1 <= y0)
			y1 = y0 + 1;
		for (x = 0; x < dw; x++) {
			uint32_t x0 = (uint32_t)((uint64_t)x * sw / dw);
			uint32_t x1 = (uint32_t)((uint64_t)(x + 1) * sw / dw);
			uint32_t sum = 0, n;
			if (x1 <= x0)
				x1 = x0 + 1;
			n = (x1 - x0) * (y1 - y0);
			for (sy = y0; sy < y1; sy++)
				for (sx = x0; sx < x1; sx++)
					sum += src[(size_t)sy * sstride + sx];
			dst[(size_t)y * dstride + x] = (uint8_t)((sum + n / 2) / n);
		}
	}
}

/* 5x7 glyphs, one byte per row, bit 4 = leftmost column. */
static const uint8_t *glyph(char c)
{
	static const uint8_t digits[10][7] = {
		{ 0x0E, 0x11, 0x13, 0x15, 0x19, 0x11, 0x0E },   /* 0 */
		{ 0x04, 0x0C, 0x04, 0x04, 0x04, 0x04, 0x0E },   /* 1 */
		{ 0x0E, 0x11, 0x01, 0x02, 0x04, 0x08, 0x1F },   /* 2 */
		{ 0x1F, 0x02, 0x04, 0x02, 0x01, 0x11, 0x0E },   /* 3 */
		{ 0x02, 0x06, 0x0A, 0x12, 0x1F, 0x02, 0x02 },   /* 4 */
		{ 0x1F, 0x10, 0x1E, 0x01, 0x01, 0x11, 0x0E },   /* 5 */
		{ 0x06, 0x08, 0x10, 0x1E, 0x11, 0x11, 0x0E },   /* 6 */
		{ 0x1F, 0x01, 0x02, 0x04, 0x08, 0x08, 0x08 },   /* 7 */
		{ 0x0E, 0x11, 0x11, 0x0E, 0x11, 0x11, 0x0E },   /* 8 */
		{ 0x0E, 0x11, 0x11, 0x0F, 0x01, 0x02, 0x0C },   /* 9 */
	};
	static const uint8_t dot[7] = { 0, 0, 0, 0, 0, 0x0C, 0x0C };
	static const uint8_t colon[7] = { 0, 0x0C, 0x0C, 0, 0x0C, 0x0C, 0 };
	static const uint8_t minus[7] = { 0, 0, 0, 0x1F, 0, 0, 0 };
	static const uint8_t space[7];

	if (c >= '0' && c <= '9')
		return digits[c - '0'];
	return c == '.' ? dot : c == ':' ? colon : c == '-' ? minus : space;
}

void grid_text_size(const char *text, uint32_t s, uint32_t *w, uint32_t *h)
{
	size_t n = strlen(text);

	*w = n ? (uint32_t)(n * 6 - 1) * s + 2 * s : 0;
	*h = 7 * s + 2 * s;
}

void grid_draw_text(struct yuv_frame *f, uint32_t x, uint32_t y, uint32_t s, const char *text)
{
	uint32_t bw, bh, i, j, k;
	size_t n = strlen(text);

	if (!s || !n)
		return;
	grid_text_size(text, s, &bw, &bh);
	/* Black box (BT.601 limited range: Y 16, neutral chroma). */
	for (j = y; j < y + bh && j < f->height; j++)
		for (i = x; i < x + bw && i < f->width; i++) {
			f->plane[0][(size_t)j * f->stride[0] + i] = 16;
			f->plane[1][(size_t)(j / 2) * f->stride[1] + i / 2] = 128;
			f->plane[2][(size_t)(j / 2) * f->stride[2] + i / 2] = 128;
		}
	for (k = 0; k < n; k++) {
		const uint8_t *g = glyph(text[k]);
		uint32_t gx = x + s + (uint32_t)k * 6 * s, gy = y + s, r, c;
		for (r = 0; r < 7 * s; r++)
			for (c = 0; c < 5 * s; c++) {
				uint32_t px = gx + c, py = gy + r;
				if (!(g[r / s] & (0x10 >> (c / s))) || px >= f->width || py >= f->height)
					continue;
				f->plane[0][(size_t)py * f->stride[0] + px] = 235;
			}
	}
}
