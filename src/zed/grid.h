/* SPDX-License-Identifier: GPL-2.0-or-later */
/* grid.h - picture helpers of zed_svo_grid_to_mp4 (pure, no allocation).
 *
 * grid_scale_plane: area-average resampling of one 8-bit plane (each output
 * sample is the mean of the source samples its footprint covers; 0.5x is
 * an exact 2x2 box filter).
 * grid_draw_text: digits, '.', ':', '-' and ' ' in an in-tree 5x7 bitmap
 * font, white on a black box, into the luma plane (chroma of the box set
 * to neutral) of an I420 frame.
 */
#ifndef CVMMAP_ZED_GRID_H
#define CVMMAP_ZED_GRID_H

#include "codec/encoder.h"

#include <stdint.h>

void grid_scale_plane(const uint8_t *src, uint32_t sw, uint32_t sh, uint32_t sstride,
		      uint8_t *dst, uint32_t dw, uint32_t dh, uint32_t dstride);

/* Box size of text at integer scale s (glyph 5x7, 1 column gap, margin s). */
void grid_text_size(const char *text, uint32_t s, uint32_t *w, uint32_t *h);

/* Draw text with its box's top-left corner at (x, y), clipped to f. */
void grid_draw_text(struct yuv_frame *f, uint32_t x, uint32_t y, uint32_t s, const char *text);

#endif
